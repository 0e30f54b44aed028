"""`agent mcp`'s tools with the MCP SDK's own client, in process, on the shipped fakes: approval
through elicitation, refusal when no one can be asked, secrets, bad calls."""

from __future__ import annotations

import json
from typing import Any

import anyio
import mcp_types as types
import pytest

from actions import DryRunExecutor
from agent.automation.mcp_server import ACTION_TOOLS, McpSession, build_server
from agent.safety.secrets import Secrets
from agent.settings import Settings
from agent.testing import FixedGrounder, MemoryRecorder, StaticScreen

mcp = pytest.importorskip("mcp")  # the `mcp` extra; CI installs it, so there it never skips

POINTS = {"the OK button": (40.0, 20.0), "the Name field": (200.0, 60.0),
          "the Cancel button": (400.0, 20.0)}
SECRET = "hunter22-sesame"

Answer = tuple[str, dict[str, Any] | None]


def serve(approve: str, answers: list[Answer] | None,
          **calls: Any) -> tuple[list[types.CallToolResult], DryRunExecutor, list[str]]:
    """Call tools (`calls`: name → list of argument dicts, in order) on a fresh server; the
    client answers elicitations with `answers` (None: a client that cannot be asked)."""
    executor, recorder, asked = DryRunExecutor(), MemoryRecorder(), []
    session = McpSession(Settings(approve=approve), Secrets({"PW": SECRET}), None,
                         ask_on_terminal=False, grounder=FixedGrounder(POINTS, default=None),
                         screen=StaticScreen(), executor=executor, recorder=recorder)
    server = build_server(session)

    async def elicit(context: Any, params: Any) -> types.ElicitResult:
        asked.append(params.message)
        action, content = (answers or []).pop(0)
        return types.ElicitResult(action=action, content=content)  # type: ignore[arg-type]

    async def main() -> list[types.CallToolResult]:
        options: dict[str, Any] = {"elicitation_callback": elicit, "mode": "legacy"} if (
            answers is not None) else {}
        results = []
        async with mcp.Client(server, **options) as client:
            for name, arguments in calls["sequence"]:
                results.append(await client.call_tool(name, arguments))
        return results

    try:
        return anyio.run(main), executor, asked
    finally:
        session.close()


def text(result: types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def step(result: types.CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text(result)
    return dict(json.loads(text(result)))


def clicks(executor: DryRunExecutor) -> list[tuple[Any, ...]]:
    return [e.args[:2] for e in executor.events if e.kind == "click"]


def test_the_tools_are_the_contracts() -> None:
    async def names() -> set[str]:
        session = McpSession(Settings(approve="never"), Secrets(), None, ask_on_terminal=False,
                             grounder=FixedGrounder(POINTS), screen=StaticScreen(),
                             executor=DryRunExecutor(), recorder=MemoryRecorder())
        try:
            async with mcp.Client(build_server(session)) as client:
                return {tool.name for tool in (await client.list_tools()).tools}
        finally:
            session.close()

    assert anyio.run(names) == {"screenshot", "ground", "run_task", *ACTION_TOOLS}


def test_an_action_returns_where_it_acted_and_a_fresh_screenshot() -> None:
    [result], executor, _ = serve("never", None, sequence=[
        ("click", {"target": "the OK button"})])
    done = step(result)
    assert (done["status"], done["point"], done["screen_point"]) == ("ok", [40.0, 20.0], [40, 20])
    assert [block.type for block in result.content] == ["text", "image"]
    assert clicks(executor) == [(40, 20)]


@pytest.mark.parametrize(("answer", "clicked", "error"), [
    (("accept", {"decision": "approve"}), [(40, 20)], None),
    (("accept", {"decision": "reject", "feedback": "not that one"}), [], "not that one"),
    (("decline", None), [], "declined in the client"),
])
def test_approval_is_asked_through_the_client(answer: Answer, clicked: list[Any],
                                               error: str | None) -> None:
    [result], executor, asked = serve("always", [answer], sequence=[
        ("click", {"target": "the OK button"})])
    assert len(asked) == 1 and "click the OK button" in asked[0]
    assert clicks(executor) == clicked
    assert result.is_error == (error is not None)
    if error is not None:
        assert error in text(result)


def test_an_edit_in_the_client_regrounds_and_asks_again() -> None:
    answers: list[Answer] = [("accept", {"decision": "edit", "target": "the Cancel button"}),
                             ("accept", {"decision": "approve"})]
    [result], executor, asked = serve("always", answers, sequence=[
        ("click", {"target": "the OK button"})])
    assert len(asked) == 2 and "(400, 20)" in asked[1]
    assert clicks(executor) == [(400, 20)]
    assert step(result)["action"]["target"] == "the Cancel button"


def test_a_risky_action_no_one_can_approve_is_refused_and_the_server_goes_on() -> None:
    results, executor, _ = serve("risky", None, sequence=[
        ("type", {"text": "{{PW}}", "target": "the Name field"}),
        ("click", {"target": "the OK button"})])
    refused, clicked = results
    assert refused.is_error and "needs approval (typing the secret {{PW}})" in text(refused)
    assert "--approve never" in text(refused)
    assert step(clicked)["status"] == "ok"
    assert [e.kind for e in executor.events] == ["click"]


def test_a_secret_is_typed_and_never_returned() -> None:
    [result], executor, _ = serve("never", None, sequence=[
        ("type", {"text": "{{PW}}", "target": "the Name field"})])
    assert ("type", (SECRET,)) in [(e.kind, e.args) for e in executor.events]
    assert step(result)["action"]["text"] == "{{PW}}"
    assert SECRET not in json.dumps([block.model_dump() for block in result.content])


@pytest.mark.parametrize(("name", "arguments", "says"), [
    ("click", {}, "target"),
    ("click", {"target": "the Help button"}, "knows no point for 'the Help button'"),
    ("scroll", {"direction": "sideways"}, "direction"),
    ("no_such_tool", {}, "no_such_tool"),
])
def test_a_bad_call_is_a_tool_error_and_the_server_goes_on(
        name: str, arguments: dict[str, Any], says: str) -> None:
    bad, good = serve("never", None, sequence=[
        (name, arguments), ("click", {"target": "the OK button"})])[0]
    assert bad.is_error and says in text(bad)
    assert step(good)["status"] == "ok"


def test_a_screenshot_says_its_geometry() -> None:
    [result], _, _ = serve("never", None, sequence=[("screenshot", {})])
    assert json.loads(text(result)) == {"size": [1280, 800], "monitor": 1,
                                        "monitor_rect": [0, 0, 1280, 800]}
    assert [block.type for block in result.content] == ["text", "image"]


def test_ground_points_without_acting() -> None:
    [result], executor, _ = serve("never", None, sequence=[
        ("ground", {"description": "the Name field"})])
    assert json.loads(text(result))["point"] == [200.0, 60.0]
    assert executor.events == []
