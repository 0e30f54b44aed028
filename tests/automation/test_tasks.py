"""`Agent` takes the CLI's settings (environment, a Settings object, keywords) and runs each task
from an empty history."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent import Agent, Settings, UsageError
from agent.rundir.reader import read_run_dir
from agent.testing.fake_server import FakeChatServer, scripted
from tests.unit_helpers import reply_json
from tests.xvfb import VirtualDisplay, using_display


def test_keywords_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_MAX_STEPS", "7")
    monkeypatch.setenv("AGENT_APPROVE", "always")
    settings = Agent(approve="never").settings
    assert settings.max_steps == 7 and settings.approve == "never"


def test_keywords_override_a_settings_object() -> None:
    base = Settings(max_steps=3, planner_base_url="http://127.0.0.1:9/v1")
    settings = Agent(base, approve="never").settings
    assert (settings.max_steps, settings.approve) == (3, "never")
    assert settings.planner_base_url == "http://127.0.0.1:9/v1"
    assert Agent(base).settings is base


def test_bad_settings_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="max_steps"):
        Agent(max_steps=0)
    with pytest.raises(UsageError, match="no_such_setting"):
        Agent(no_such_setting=1)


def test_an_empty_task_is_refused_before_anything_starts() -> None:
    with pytest.raises(UsageError, match="the task is empty"):
        Agent(planner_base_url="http://127.0.0.1:9/v1").run("   ")


@pytest.mark.gui
def test_one_agent_runs_two_tasks_each_from_an_empty_history(
    xvfb: VirtualDisplay, tmp_path: Path
) -> None:
    replies = [reply_json({"name": "wait", "seconds": 0.01}), reply_json({"name": "done",
               "answer": "first"}), reply_json({"name": "done", "answer": "second"})]
    with using_display(xvfb), FakeChatServer(scripted(replies)) as server:
        agent = Agent(planner_base_url=server.base_url, planner_model="fake-model",
                      approve="never", runs_dir=tmp_path, dry_run=True, grounder="ocr")
        first = agent.run("book a flight to Tokyo")
        second = agent.run("cancel the hotel in Oslo")
    assert (first.status, first.answer, first.record.steps) == ("done", "first", 2)
    assert (second.status, second.answer, second.record.steps) == ("done", "second", 1)
    assert first.run_dir != second.run_dir
    assert [len(read_run_dir(r.run_dir).steps) for r in (first, second)] == [2, 1]
    # every message but the system prompt (its example types Tokyo): the task is its own message
    second_ask = "\n".join(server.requests[2].texts()[1:])
    assert "cancel the hotel in Oslo" in second_ask
    assert "Tokyo" not in second_ask and "None yet: this is the first step." in second_ask
