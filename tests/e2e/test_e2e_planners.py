"""End to end: today's planners book the flight (issue 12, items 1 and 2) — a reasoning model
that refuses `temperature` and answers with its reasoning alongside, and servers that honour or
refuse structured replies (`response_format`). Real CLI, real Tk app on Xvfb, fake servers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.testing.fake_server import FakeChatServer, FakeReply, scripted, uground_reply_from
from tests.e2e.test_e2e_run import PLAN, TASK, planner_replies
from tests.gui import clean_env, describe, form_app, read_steps, run_cli, run_dirs, stderr_lines
from tests.xvfb import VirtualDisplay

pytestmark = pytest.mark.gui


def book(xvfb: VirtualDisplay, tmp_path: Path, planner: FakeChatServer,
         *extra: str) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    """Run the booking task; the result, the app's final state and the steps recorded."""
    runs_dir = tmp_path / "runs"
    with form_app(xvfb, tmp_path / "app") as app:
        grounder = FakeChatServer(uground_reply_from(app.locate), model="osunlp/UGround-V1-7B")
        with planner, grounder:
            result = run_cli(
                ["run", TASK, "--planner-base-url", planner.base_url, "--planner-model",
                 "fake-planner", "--grounder", "uground", "--grounder-base-url",
                 grounder.base_url, "--approve", "never", "--runs-dir", str(runs_dir),
                 "--max-steps", "10", "--timeout", "10", *extra],
                env=clean_env(xvfb.env), cwd=tmp_path)
        state = app.state()
    assert result.returncode == 0, describe(result)
    assert "Traceback" not in result.stderr, describe(result)
    assert state["booked"] is True, state
    (run_dir,) = run_dirs(runs_dir)
    return result, state, read_steps(run_dir)


def test_a_reasoning_model_books_the_flight(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    thoughts = [f"Step {i}: {json.dumps({'action': {'name': 'fail', 'reason': 'x'}})}?"
                for i in range(1, len(PLAN) + 1)]
    replies = [FakeReply(content=reply, reasoning=thought, reasoning_field="reasoning")
               for reply, thought in zip(planner_replies(), thoughts, strict=True)]
    planner = FakeChatServer(scripted(replies), model="fake-planner",
                             rejects=("temperature", "max_tokens"))
    result, _, steps = book(xvfb, tmp_path, planner, "--planner-reasoning-effort", "low")
    notes = [line for line in stderr_lines(result) if "temperature" in line]
    assert len(notes) == 1, result.stderr  # said once, for the whole run
    assert len(planner.requests) == len(PLAN) + 1  # one refusal, then one request a step
    for request in planner.requests[1:]:
        assert "temperature" not in request.body
        assert request.body["reasoning_effort"] == "low"
    assert [step["reasoning"] for step in steps] == thoughts
    assert [step["action"]["name"] for step in steps] == [a["name"] for *_, a in PLAN]


def test_a_server_honouring_structured_replies(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    planner = FakeChatServer(scripted(planner_replies()), model="fake-planner")
    result, _, steps = book(xvfb, tmp_path, planner)
    assert len(planner.requests) == len(PLAN)  # zero re-asks
    assert all(step["reasked"] == [] for step in steps)
    for request in planner.requests:
        response_format = request.body["response_format"]
        assert response_format["type"] == "json_schema"
        schema = response_format["json_schema"]["schema"]
        names = {option["properties"]["name"]["enum"][0]
                 for option in schema["properties"]["action"]["anyOf"]}
        assert {"click", "type", "done", "fail"} <= names
    assert "response_format" not in result.stderr


def test_a_server_refusing_structured_replies(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    planner = FakeChatServer(scripted(planner_replies()), model="fake-planner",
                             rejects=("response_format",))
    result, _, steps = book(xvfb, tmp_path, planner)
    notes = [line for line in stderr_lines(result) if "response_format" in line]
    assert len(notes) == 1, result.stderr  # the fallback, said once
    assert len(planner.requests) == len(PLAN) + 1  # the refusal, then one request a step
    assert "response_format" in planner.requests[0].body
    assert all("response_format" not in r.body for r in planner.requests[1:])
    assert all(step["reasked"] == [] for step in steps)
