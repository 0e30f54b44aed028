"""End to end: how `agent run` fails (CONTRACTS §2 exit codes, §6 record), with the real CLI.

Each failure ends with one clear line on stderr and no traceback; whatever was recorded before
the failure stays intact and run.json ends with a final status.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from agent.testing.fake_server import (
    ChatRequest,
    FakeChatServer,
    FakeReply,
    ScriptExhausted,
    scripted,
    uground_reply_from,
)
from tests.gui import (
    clean_env,
    describe,
    form_app,
    free_port,
    read_steps,
    run_cli,
    run_dirs,
    stderr_lines,
)
from tests.xvfb import VirtualDisplay

TASK = "book a flight to Tokyo"
FINAL_STATUSES = {"done", "failed", "stopped", "error"}
TYPE_BOSTON = json.dumps(
    {
        "observation": "An empty flight booking form.",
        "thought": "Start with the departure city.",
        "instruction": "Type Boston into the From field.",
        "action": {"name": "type", "text": "Boston", "target": "the From text field"},
    }
)
NOT_JSON = "I think I should click the search button."


def agent_args(planner_url: str, grounder_url: str, runs_dir: Path, *extra: str) -> list[str]:
    return [
        "run",
        TASK,
        "--planner-base-url",
        planner_url,
        "--planner-model",
        "fake-planner",
        "--grounder",
        "uground",
        "--grounder-base-url",
        grounder_url,
        "--grounder-model",
        "osunlp/UGround-V1-7B",
        "--approve",
        "never",
        "--runs-dir",
        str(runs_dir),
        "--max-steps",
        "5",
        "--timeout",
        "10",
        *extra,
    ]


def assert_clean_failure(result: Any, code: int) -> None:
    """Exit `code`, no traceback, and a last stderr line that says something."""
    assert result.returncode == code, describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    lines = stderr_lines(result)
    assert lines and len(lines[-1].strip()) > 10, describe(result)


def final_run(runs_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The one run's run.json (with a final status) and its intact steps."""
    (run_dir,) = run_dirs(runs_dir)
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["status"] in FINAL_STATUSES, run["status"]
    assert run["ended_at"], run
    steps = read_steps(run_dir)  # every line one JSON object
    assert [step["index"] for step in steps] == list(range(1, len(steps) + 1))
    for step in steps:
        assert (run_dir / f"step-{step['index']:04d}.png").is_file()
    return run, steps


def test_no_planner_configured_without_a_display(tmp_path: Path) -> None:
    env = clean_env(dict_without_display(), AGENT_RUNS_DIR=str(tmp_path / "runs"))
    result = run_cli(["run", TASK], env=env, cwd=tmp_path, timeout=60)
    assert_clean_failure(result, 2)
    assert len(stderr_lines(result)) == 1, describe(result)


@pytest.mark.gui
def test_no_planner_configured(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    env = clean_env(xvfb.env, AGENT_RUNS_DIR=str(tmp_path / "runs"))
    result = run_cli(["run", TASK], env=env, cwd=tmp_path, timeout=60)
    assert_clean_failure(result, 2)
    assert len(stderr_lines(result)) == 1, describe(result)
    assert "planner" in result.stderr.lower() or "OPENAI_API_KEY" in result.stderr
    assert not any(
        json.loads((d / "run.json").read_text()).get("status") == "running"
        for d in run_dirs(tmp_path / "runs")
        if (d / "run.json").exists()
    )


@pytest.mark.gui
def test_planner_unreachable(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    closed = f"http://127.0.0.1:{free_port()}/v1"
    with FakeChatServer(uground_reply_from(lambda d: (1, 1))) as grounder:
        result = run_cli(
            agent_args(closed, grounder.base_url, runs_dir), env=clean_env(xvfb.env), cwd=tmp_path
        )
    assert_clean_failure(result, 3)
    assert len(stderr_lines(result)) == 1, describe(result)
    run, _ = final_run(runs_dir)
    assert run["status"] == "error"
    assert grounder.requests == []


@pytest.mark.gui
def test_planner_dies_mid_run(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    """Step 1 completes, then the planner server goes away: exit 3, step 1's record intact."""
    runs_dir = tmp_path / "runs"
    first = scripted([TYPE_BOSTON])

    def planner_reply(request: ChatRequest) -> str | FakeReply:
        try:
            return first(request)
        except ScriptExhausted:
            planner.stop()  # the server dies while answering: connection dropped, then refused
            return "never delivered"

    with form_app(xvfb, tmp_path / "app") as app:
        planner = FakeChatServer(planner_reply)
        with planner, FakeChatServer(uground_reply_from(app.locate)) as grounder:
            result = run_cli(
                agent_args(planner.base_url, grounder.base_url, runs_dir),
                env=clean_env(xvfb.env),
                cwd=tmp_path,
            )
        state = app.state()

    assert_clean_failure(result, 3)
    assert state["fields"]["From"] == "Boston"
    run, steps = final_run(runs_dir)
    assert run["status"] == "error"
    assert steps and steps[0]["status"] == "ok"
    assert steps[0]["action"]["text"] == "Boston"
    assert len(grounder.requests) == 1


@pytest.mark.gui
def test_planner_replies_never_validate(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    with (
        FakeChatServer(lambda request: NOT_JSON) as planner,
        FakeChatServer(uground_reply_from(lambda d: (1, 1))) as grounder,
    ):
        result = run_cli(
            agent_args(planner.base_url, grounder.base_url, runs_dir),
            env=clean_env(xvfb.env),
            cwd=tmp_path,
        )
    assert_clean_failure(result, 3)
    assert 1 < len(planner.requests) <= 10, len(planner.requests)
    first, second = planner.requests[0].texts(), planner.requests[1].texts()
    new_texts = [text for text in second if text not in first]
    assert any(NOT_JSON in text for text in second), "the invalid reply is sent back"
    assert any(
        word in text.lower() for text in new_texts for word in ("json", "invalid", "error")
    ), new_texts
    run, _ = final_run(runs_dir)
    assert run["status"] == "error"
    assert grounder.requests == []


@pytest.mark.gui
def test_planner_says_fail(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    reason = "The booking site shows no flights to Tokyo."
    fail = json.dumps(
        {
            "observation": "No flights are listed.",
            "thought": "There is nothing to book.",
            "instruction": "Give up.",
            "action": {"name": "fail", "reason": reason},
        }
    )
    with (
        FakeChatServer(scripted([fail])) as planner,
        FakeChatServer(uground_reply_from(lambda d: (1, 1))) as grounder,
    ):
        result = run_cli(
            agent_args(planner.base_url, grounder.base_url, runs_dir),
            env=clean_env(xvfb.env),
            cwd=tmp_path,
        )
    assert_clean_failure(result, 1)
    run, steps = final_run(runs_dir)
    assert run["status"] == "failed"
    assert reason in run["reason"]
    assert [step["action"]["name"] for step in steps] == ["fail"]
    assert len(planner.requests) == 1


@pytest.mark.gui
@pytest.mark.parametrize(
    ("status", "code"),
    [(401, 2), (404, 2), (500, 3)],
    ids=["401-auth-refused", "404-unknown-model", "500-server-error"],
)
def test_planner_http_errors(xvfb: VirtualDisplay, tmp_path: Path, status: int, code: int) -> None:
    runs_dir = tmp_path / "runs"
    with (
        FakeChatServer(lambda request: FakeReply.http_error(status, "from the fake")) as planner,
        FakeChatServer(uground_reply_from(lambda d: (1, 1))) as grounder,
    ):
        result = run_cli(
            agent_args(planner.base_url, grounder.base_url, runs_dir),
            env=clean_env(xvfb.env),
            cwd=tmp_path,
        )
    assert_clean_failure(result, code)
    assert grounder.requests == []
    if run_dirs(runs_dir):
        final_run(runs_dir)


def dict_without_display() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "XAUTHORITY")}
