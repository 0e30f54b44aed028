"""An episode's run settings: the eval command's own (flags > environment > agent.toml), then
`approve = never` (no one is at a terminal), then the suite's, then the task's; and how they reach
the `agent run` subprocess (AGENT_* environment variables, exactly those)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from agent.errors import UsageError
from agent.safety.secrets import ENV_PREFIX as SECRET_PREFIX
from agent.settings import Settings, load_settings
from agent.suites.suite import Suite, SuiteTask

__all__ = ["EVAL_DEFAULTS", "episode_settings", "given_values", "settings_env", "validate_all"]

EVAL_DEFAULTS: dict[str, Any] = {"approve": "never"}
"""What an eval changes of `agent run`'s defaults; a suite's or task's settings still win."""
SETTINGS_PREFIX = "AGENT_"


def given_values(settings: Settings) -> dict[str, Any]:
    """The settings that were set (flag, environment, config file) as JSON-ready values, API
    keys included: the episode's process needs them, and an Episode must be picklable."""
    values = settings.model_dump(mode="json", include=settings.model_fields_set)
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            values[name] = value.get_secret_value()
    return values


def episode_settings(base: Mapping[str, Any], suite: Suite, task: SuiteTask) -> dict[str, Any]:
    """base < eval defaults < suite settings < task settings < the task's max_steps/max_time."""
    limits = {"max_steps": task.max_steps, "max_time": task.max_time}
    own = {name: value for name, value in limits.items() if value is not None}
    return {**base, **EVAL_DEFAULTS, **suite.settings, **task.settings, **own}


def validate_all(base: Mapping[str, Any], suite: Suite, source: Path) -> None:
    """Every task's merged settings are valid `agent run` settings, else one UsageError line
    naming the task (before any episode runs)."""
    for task in suite.tasks:
        try:
            load_settings(episode_settings(base, suite, task))
        except UsageError as exc:
            raise UsageError(f"suite file {source}: task {task.id}: {exc}") from None


def settings_env(
    environ: Mapping[str, str], settings: Mapping[str, Any], secrets: Mapping[str, str]
) -> dict[str, str]:
    """`environ` without any AGENT_* variable, plus AGENT_<NAME> for each setting and
    AGENT_SECRET_<NAME> for each secret: the child sees exactly the episode's settings."""
    env = {key: value for key, value in environ.items() if not key.startswith(SETTINGS_PREFIX)}
    for name, value in settings.items():
        text = _env_text(value)
        if text is not None:
            env[SETTINGS_PREFIX + name.upper()] = text
    for name, value in secrets.items():
        env[SECRET_PREFIX + name.upper()] = value
    return env


def _env_text(value: Any) -> str | None:
    """A value as pydantic-settings reads it from the environment: tables and lists as JSON."""
    if value is None:
        return None  # unset: the default (every default of a nullable setting is None)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (Path, os.PathLike)):
        return os.fspath(value)
    return json.dumps(value)
