"""The scripted task planner, asked over real HTTP by the real planner (openai client, prompts)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import pytest

from actions import default_registry
from agent.planning.planner import OpenAIPlanner, PastStep
from agent.records import StepRecord
from agent.testing import StaticScreen
from agent.testing.fake_server import FakeChatServer
from agent.testing.task_planner import load_replies, task_planner

REPLIES = """
tasks:
  - task: Book a flight from Boston to Tokyo
    replies:
      - {observation: a form, thought: start, instruction: type the origin,
         action: {name: type, text: Boston, target: the From text field}}
      - {observation: a form, thought: next, instruction: type the destination,
         action: {name: type, text: Tokyo, target: the To text field}}
      - {observation: booked, thought: finished, instruction: stop, action: {name: done}}
  - pattern: "^Sign in as (alice|bob)$"
    replies:
      - {observation: a login form, thought: go, instruction: click,
         action: {name: click, target: the Sign in button}}
"""


@pytest.fixture
def replies_file(tmp_path: Path) -> Path:
    path = tmp_path / "replies.yaml"
    path.write_text(REPLIES, encoding="utf-8")
    return path


def planner_for(server: FakeChatServer) -> OpenAIPlanner:
    client = openai.OpenAI(base_url=server.base_url, api_key="EMPTY", max_retries=0)
    return OpenAIPlanner(client, "task-planner", default_registry)


def past(index: int, action: dict[str, object]) -> PastStep:
    record = StepRecord(index=index, observation="o", thought="t", instruction="i", action=action,
                        outcome="done")
    return PastStep(record, StaticScreen().capture().png())


def plan(planner: OpenAIPlanner, task: str, history: list[PastStep]) -> dict[str, object]:
    action = planner.plan(task, history, StaticScreen().capture(), []).reply.action
    return {"name": action.name, **action.model_dump(exclude_none=True)}


def test_replies_follow_the_step_number_the_request_carries(replies_file: Path) -> None:
    with task_planner(replies_file) as server:
        planner = planner_for(server)
        task = "Book a flight from Boston to Tokyo"
        first = plan(planner, task, [])
        second = plan(planner, task, [past(1, first)])
        third = plan(planner, task, [past(1, first), past(2, second)])
        # the first step again, as a retried episode asks it: the server keeps no state
        again = plan(planner, task, [])
    assert first["text"] == "Boston" and first["target"] == "the From text field"
    assert second["text"] == "Tokyo"
    assert third["name"] == "done"
    assert again == first


def test_a_pattern_matches_and_past_the_script_the_answer_is_fail(replies_file: Path) -> None:
    with task_planner(replies_file) as server:
        planner = planner_for(server)
        click = plan(planner, "Sign in as bob", [])
        beyond = plan(planner, "Sign in as bob", [past(1, click)])
        unknown = plan(planner, "Water the plants", [])
    assert click["name"] == "click" and click["target"] == "the Sign in button"
    assert beyond["name"] == "fail" and "ends after 1 steps" in str(beyond["reason"])
    assert unknown["name"] == "fail" and "Water the plants" in str(unknown["reason"])


def test_concurrent_episodes_share_one_server_with_its_delay(replies_file: Path) -> None:
    with task_planner(replies_file, delay=0.5) as server:
        planner = planner_for(server)
        task = "Book a flight from Boston to Tokyo"
        histories = [[], [past(1, {"name": "wait", "seconds": 1})]] * 4
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            actions = list(pool.map(lambda h: plan(planner, task, h), histories))
        elapsed = time.monotonic() - started
    assert [a.get("text") for a in actions] == ["Boston", "Tokyo"] * 4
    assert 0.5 <= elapsed < 3.0  # eight replies of 0.5 s each: 4 s one after another


def test_bad_files_are_refused_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks:\n  - {replies: []}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="give 'task'"):
        load_replies(bad)
    bad.write_text("tasks: [{pattern: '(', replies: []}]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad pattern"):
        load_replies(bad)


def test_command_line_prints_its_url_and_serves_until_stopped(replies_file: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "agent.testing.task_planner", str(replies_file), "--port", "0"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        client = openai.OpenAI(base_url=base_url, api_key="EMPTY", max_retries=0)
        reply = client.chat.completions.create(model="task-planner", messages=[
            {"role": "user", "content": "# Task\nSign in as alice\n\n# Previous steps\n..."}])
        assert json.loads(reply.choices[0].message.content or "")["action"]["name"] == "click"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
