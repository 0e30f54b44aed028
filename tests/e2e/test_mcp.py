"""`agent mcp` end to end: the MCP SDK's own client, over stdio and streamable HTTP, books the
demo flight in the real Tk app on Xvfb by description, grounded by a UGround-format fake server;
approval by elicitation; the token; `run_task` with a scripted fake planner."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest

from agent.testing.fake_server import FakeChatServer, scripted, uground_reply_from
from tests.e2e.test_e2e_run import DESTINATION, PASSENGER, TASK, planner_replies
from tests.gui import FormApp, clean_env, form_app, free_port
from tests.paths import ROOT
from tests.xvfb import VirtualDisplay

mcp = pytest.importorskip("mcp")  # the `mcp` extra; CI installs it, so there it never skips
from mcp.client.stdio import StdioServerParameters  # noqa: E402

pytestmark = pytest.mark.gui

UGROUND = "osunlp/UGround-V1-7B"
SECRET = "Ada-Lovelace-7"
BOOKING: list[tuple[str, dict[str, Any]]] = [
    ("type", {"text": "Boston", "target": "the From text field"}),
    ("type", {"text": DESTINATION, "target": "the To text field"}),
    ("type", {"text": PASSENGER, "target": "the Passenger text field"}),
    ("click", {"target": "the Search flights button"}),
    ("click", {"target": "the Book now button"}),
]


@contextmanager
def flight(display: VirtualDisplay, tmp_path: Path) -> Iterator[tuple[FormApp, FakeChatServer]]:
    with form_app(display, tmp_path / "app") as app, FakeChatServer(
            uground_reply_from(app.locate), model=UGROUND) as grounder:
        yield app, grounder


def server_args(grounder: FakeChatServer, tmp_path: Path, *extra: str) -> list[str]:
    return ["-m", "agent", "mcp", "--grounder", "uground", "--grounder-base-url",
            grounder.base_url, "--grounder-model", UGROUND, "--runs-dir", str(tmp_path / "runs"),
            *extra]


def call_all(client_target: Any, calls: list[tuple[str, dict[str, Any]]],
             **options: Any) -> list[types.CallToolResult]:
    async def main() -> list[types.CallToolResult]:
        async with mcp.Client(client_target, **options) as client:
            return [await client.call_tool(name, arguments) for name, arguments in calls]

    return anyio.run(main)


def text(result: types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def booked(app: FormApp, passenger: str = PASSENGER) -> bool:
    state = app.state()
    return bool(state["booked"]) and state["fields"] == {
        "From": "Boston", "To": DESTINATION, "Passenger": passenger}


def test_a_client_books_the_flight_over_stdio(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    with flight(xvfb, tmp_path) as (app, grounder):
        params = StdioServerParameters(
            command=sys.executable, args=server_args(grounder, tmp_path, "--approve", "never"),
            env=clean_env(xvfb.env), cwd=str(ROOT))
        results = call_all(params, BOOKING)
        assert [r.is_error for r in results] == [False] * len(BOOKING), [text(r) for r in results]
        assert booked(app)
    steps = [json.loads(text(r)) for r in results]
    assert [s["step"] for s in steps] == [1, 2, 3, 4, 5]
    app_points = [app.locate(arguments["target"]) for _, arguments in BOOKING]
    for step, (x, y) in zip(steps, app_points, strict=True):
        assert abs(step["screen_point"][0] - x) <= 1 and abs(step["screen_point"][1] - y) <= 1
    run_dir = Path(steps[0]["run_dir"])
    assert run_dir.parent == tmp_path / "runs"
    lines = (run_dir / "steps.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["ok"] * len(BOOKING)



def test_approval_by_elicitation_and_a_secret_over_stdio(
        xvfb: VirtualDisplay, tmp_path: Path) -> None:
    answers = iter([{"decision": "reject", "feedback": "not yet"}, {"decision": "approve"},
                    {"decision": "edit", "text": "{{PASSENGER}}"}, {"decision": "approve"}])
    asked: list[str] = []

    async def elicit(context: Any, params: Any) -> types.ElicitResult:
        asked.append(params.message)
        return types.ElicitResult(action="accept", content=next(answers))

    calls = [("click", {"target": "the Search flights button"}),
             ("type", {"text": "Boston", "target": "the From text field"}),
             ("type", {"text": "somebody", "target": "the Passenger text field"})]
    with flight(xvfb, tmp_path) as (app, grounder):
        params = StdioServerParameters(
            command=sys.executable, args=server_args(grounder, tmp_path, "--approve", "always",
                                                     "--secret", "PASSENGER"),
            env=clean_env(xvfb.env, AGENT_SECRET_PASSENGER=SECRET), cwd=str(ROOT))
        rejected, typed, edited = call_all(params, calls, elicitation_callback=elicit,
                                           mode="legacy")
        state = app.state()
    assert rejected.is_error and "not yet" in text(rejected)
    assert state["presses"].get("Search flights", 0) == 0  # rejected: not clicked
    assert not typed.is_error and state["fields"]["From"] == "Boston"
    assert not edited.is_error and state["fields"]["Passenger"] == SECRET
    assert json.loads(text(edited))["action"]["text"] == "{{PASSENGER}}"
    assert len(asked) == 4
    for result in (rejected, typed, edited):
        assert SECRET not in json.dumps([block.model_dump() for block in result.content])


@contextmanager
def http_server(args: list[str], env: dict[str, str], port: int) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)  # no terminal to ask on
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/mcp", timeout=1)
            except urllib.error.HTTPError:
                break  # it answers (a GET without a session is an HTTP error): up
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_client_books_the_flight_over_http_and_run_task_works(
        xvfb: VirtualDisplay, tmp_path: Path) -> None:
    port = free_port()
    with flight(xvfb, tmp_path) as (app, grounder), FakeChatServer(
            scripted(planner_replies()), model="fake-planner") as planner:
        args = server_args(grounder, tmp_path, "--approve", "never", "--http",
                           f"127.0.0.1:{port}", "--planner-base-url", planner.base_url,
                           "--planner-model", "fake-planner")
        with http_server(args, clean_env(xvfb.env), port):
            url = f"http://127.0.0.1:{port}/mcp"
            results = call_all(url, BOOKING[:2])
            assert [r.is_error for r in results] == [False, False], [text(r) for r in results]
            assert app.state()["fields"]["To"] == DESTINATION
            # The server is still up: the session's report is rebuilt as it goes.
            session_dir = Path(json.loads(text(results[1]))["run_dir"])
            assert "step-0002.png" in (session_dir / "report.html").read_text(encoding="utf-8")
            [task] = call_all(url, [("run_task", {"task": TASK, "max_steps": 10})])
            assert not task.is_error, text(task)
            ran = json.loads(text(task))
            assert ran["status"] == "done" and Path(ran["report"]).is_file(), ran
            assert app.state()["booked"] is True
            [after] = call_all(url, [("click", {"target": "the Search flights button"})])
            assert not after.is_error, "the server has the display back after the task"


def test_off_loopback_http_needs_the_token(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    port = free_port()
    with flight(xvfb, tmp_path) as (_, grounder):
        refused = subprocess.run(
            [sys.executable, *server_args(grounder, tmp_path, "--http", f"0.0.0.0:{port}")],
            env=clean_env(xvfb.env), cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and "--token" in refused.stderr
        args = server_args(grounder, tmp_path, "--http", f"0.0.0.0:{port}", "--token", "t0k3n")
        with http_server(args, clean_env(xvfb.env), port):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/mcp", method="POST", data=b"{}",
                headers={"content-type": "application/json"})
            with pytest.raises(urllib.error.HTTPError) as without:
                urllib.request.urlopen(request, timeout=5)
            assert without.value.code == 401
            request.add_header("Authorization", "Bearer t0k3n")
            try:
                urllib.request.urlopen(request, timeout=5)
                code = 200
            except urllib.error.HTTPError as exc:
                code = exc.code  # `{}` is no MCP message: refused, but not for the token
            assert code != 401
