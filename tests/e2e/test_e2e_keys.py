"""End to end: API keys reach only the servers they belong to, and the display is checked before
any server is contacted (CONTRACTS §1, §2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agent.testing.fake_server import ChatRequest, FakeChatServer, scripted
from tests.gui import clean_env, describe, free_port, run_cli, stderr_lines
from tests.xvfb import VirtualDisplay

TASK = "open the search"
OPENAI_KEY = "sk-openai-exported-7d1e"  # exported, as a user of OpenAI's API would have it
PLANNER_KEY = "sk-planner-own-39ab"
CLICK = json.dumps({"observation": "A desktop.", "thought": "Search first.",
                    "instruction": "Click the Search button.",
                    "action": {"name": "click", "target": "the Search button"}})
DONE = json.dumps({"observation": "Done.", "thought": "Nothing left.", "instruction": "Finish.",
                   "action": {"name": "done", "answer": "opened"}})


def run_args(planner: str, grounder: str, runs_dir: Path, *extra: str) -> list[str]:
    return ["run", TASK, "--planner-base-url", planner, "--planner-model", "fake-planner",
            "--grounder", "uground", "--grounder-base-url", grounder, "--grounder-model",
            "osunlp/UGround-V1-7B", "--approve", "never", "--dry-run", "--runs-dir",
            str(runs_dir), "--max-steps", "4", "--timeout", "10", *extra]


def sent(request: ChatRequest) -> str:
    """Everything a request carried that a key could hide in: headers and body."""
    return json.dumps(request.headers) + json.dumps(request.body)


@pytest.mark.gui
@pytest.mark.parametrize("own_key", [False, True], ids=["no-key", "planner-key"])
def test_exported_openai_key_never_reaches_a_custom_url(
    own_key: bool, xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    extra = ("--planner-api-key", PLANNER_KEY) if own_key else ()
    planner = FakeChatServer(scripted([CLICK, DONE]), model="fake-planner")
    grounder = FakeChatServer(lambda request: "(500, 500)", model="osunlp/UGround-V1-7B")
    with planner, grounder:
        result = run_cli(run_args(planner.base_url, grounder.base_url, tmp_path / "runs", *extra),
                         env=clean_env(xvfb.env, OPENAI_API_KEY=OPENAI_KEY), cwd=tmp_path)
    assert result.returncode == 0, describe(result)
    assert len(planner.requests) == 2 and len(grounder.requests) == 1
    for request in planner.requests:
        assert request.api_key == (PLANNER_KEY if own_key else "EMPTY")
    for request in grounder.requests:  # another server (port): not the planner's key either
        assert request.api_key == "EMPTY"
        assert PLANNER_KEY not in sent(request)
    for request in planner.requests + grounder.requests:
        assert OPENAI_KEY not in sent(request)


@pytest.mark.gui
def test_the_grounder_shares_the_planners_key_on_the_same_server(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    def reply(request: ChatRequest) -> str:  # one server playing both models
        return "(500, 500)" if request.model.startswith("osunlp/") else next(plan)

    plan = iter([CLICK, DONE])
    with FakeChatServer(reply, model="fake-planner") as server:
        result = run_cli(run_args(server.base_url, server.base_url, tmp_path / "runs",
                                  "--planner-api-key", PLANNER_KEY),
                         env=clean_env(xvfb.env, OPENAI_API_KEY=OPENAI_KEY), cwd=tmp_path)
    assert result.returncode == 0, describe(result)
    assert len(server.requests) == 3
    assert {request.api_key for request in server.requests} == {PLANNER_KEY}


def test_the_display_is_checked_before_any_server(tmp_path: Path) -> None:
    """No display and an unreachable planner with no model set (the planner would be asked for
    its models first): the error to fix first is the display's."""
    closed = f"http://127.0.0.1:{free_port()}/v1"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "XAUTHORITY")}
    result = run_cli(["run", TASK, "--planner-base-url", closed, "--runs-dir",
                      str(tmp_path / "runs")], env=clean_env(env), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    (line,) = stderr_lines(result)
    assert "no display" in line and "unreachable" not in line, line
    assert not (tmp_path / "runs").exists()
