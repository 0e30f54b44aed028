"""An episode's settings: the eval's own (flags > environment > agent.toml), then approve=never,
then the suite's, then the task's; passed to the child as exactly those AGENT_* variables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.errors import UsageError
from agent.settings import load_settings
from agent.suites.merge import episode_settings, given_values, settings_env, validate_all
from agent.suites.suite import Suite, SuiteTask


def suite_of(settings: dict[str, object], task: SuiteTask, folder: Path) -> Suite:
    return Suite(name="s", settings=settings, tasks=[task], folder=folder)


def test_precedence_config_env_flag_suite_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('history = 5\ntimeout = 30\nplanner_model = "from-toml"\n'
                      'settle_timeout = 1.5\n[prices."m"]\ninput = 1\noutput = 2\n')
    monkeypatch.setenv("AGENT_TIMEOUT", "40")
    monkeypatch.setenv("AGENT_MAX_STEPS", "9")
    monkeypatch.setenv("AGENT_PLANNER_API_KEY", "sk-env-key-123456")
    base = given_values(load_settings({"max_steps": 8, "approve": "always"}, config))
    task = SuiteTask(id="t", task="x", check="true", max_time=12,
                     settings={"history": 1, "refine": "zoom"})
    suite = suite_of({"history": 3, "timeout": 50, "refine": "none"}, task, tmp_path)
    merged = episode_settings(base, suite, task)
    assert merged["planner_model"] == "from-toml"  # the config file reaches the episode
    assert merged["settle_timeout"] == 1.5
    assert merged["prices"] == {"m": {"input": 1.0, "output": 2.0}}
    assert merged["planner_api_key"] == "sk-env-key-123456"  # the real key, not masked
    assert merged["max_steps"] == 8  # flag over environment
    assert merged["approve"] == "never"  # no one is at a terminal, even over a flag
    assert merged["timeout"] == 50  # suite over environment and file
    assert merged["history"] == 1 and merged["refine"] == "zoom"  # task over suite
    assert merged["max_time"] == 12


def test_task_limits_and_suite_approve_win(tmp_path: Path) -> None:
    task = SuiteTask(id="t", task="x", check="true", max_steps=4, settings={"max_steps": 20})
    suite = suite_of({"approve": "risky"}, task, tmp_path)
    merged = episode_settings({"max_steps": 30}, suite, task)
    assert merged["max_steps"] == 4
    assert merged["approve"] == "risky"


def test_the_child_reads_exactly_the_merged_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = {"PATH": "/bin", "AGENT_HISTORY": "7", "AGENT_SECRET_OLD": "stale", "HOME": "/h"}
    merged = {"history": 1, "dry_run": True, "planner_api_key": "sk-abc-123456",
              "risk": {"risky_words": ["pay"]}, "prices": {"m": {"input": 1, "output": 2}},
              "max_time": None, "runs_dir": str(tmp_path / "runs"), "refine_window": 0.25}
    env = settings_env(parent, merged, {"PIN": "4242"})
    assert env["PATH"] == "/bin" and env["HOME"] == "/h"
    assert "AGENT_SECRET_OLD" not in env and "AGENT_MAX_TIME" not in env
    assert env["AGENT_SECRET_PIN"] == "4242"
    for key in list(os.environ):
        if key.startswith("AGENT_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("AGENT_"):
            monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # no agent.toml here, as in an episode folder
    child = load_settings({})
    assert child.history == 1 and child.dry_run is True and child.refine_window == 0.25
    assert child.planner_api_key is not None
    assert child.planner_api_key.get_secret_value() == "sk-abc-123456"
    assert list(child.risk.risky_words) == ["pay"]
    assert child.prices["m"].output == 2
    assert child.runs_dir == tmp_path / "runs"
    assert child.max_time is None


def test_bad_values_are_caught_before_anything_runs(tmp_path: Path) -> None:
    task = SuiteTask(id="slow", task="x", check="true", settings={"history": -1})
    with pytest.raises(UsageError, match=r"suite file s.yaml: task slow: invalid history"):
        validate_all({}, suite_of({}, task, tmp_path), Path("s.yaml"))
