"""`Agent` takes the CLI's settings: from the environment, a Settings object, or keywords."""

from __future__ import annotations

import pytest

from agent import Agent, Settings, UsageError


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
