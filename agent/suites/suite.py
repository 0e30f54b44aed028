"""A task suite file (CONTRACTS §11): its typed records and `load_suite`.

Everything wrong with a file is one UsageError line naming the file and the key, before any
episode starts: unknown keys, duplicate task ids, and settings that `agent run` does not know.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from agent.errors import UsageError

__all__ = ["Ready", "Suite", "SuiteTask", "load_suite", "unknown_settings"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ready(_Strict):
    """When the setup counts as ready: a text on the screen, a window title, or a command."""

    text: str | None = None
    window: str | None = None
    command: str | None = None
    timeout: float = Field(30, gt=0)

    @field_validator("command", "text", "window")
    @classmethod
    def _not_empty(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value

    @model_validator(mode="after")
    def _one_condition(self) -> Ready:
        if len(self.conditions()) != 1:
            raise ValueError("give exactly one of text, window, command")
        return self

    def conditions(self) -> list[str]:
        return [name for name in ("text", "window", "command") if getattr(self, name)]


class SuiteTask(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    task: str = Field(min_length=1)
    setup: str | None = None
    ready: Ready | None = None
    check: str = Field(min_length=1)
    max_steps: int | None = Field(None, ge=1)
    max_time: float | None = Field(None, gt=0)
    tags: list[str] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


class Suite(_Strict):
    name: str = Field(min_length=1)
    screen: tuple[int, int] = (1280, 800)
    settings: dict[str, Any] = Field(default_factory=dict)
    tasks: list[SuiteTask] = Field(min_length=1)
    folder: Path  # the suite file's folder: setup and check run from there

    @field_validator("screen")
    @classmethod
    def _screen(cls, size: tuple[int, int]) -> tuple[int, int]:
        if not (200 <= size[0] <= 8192 and 200 <= size[1] <= 8192):
            raise ValueError(f"{size[0]}x{size[1]} is no screen size (200…8192 on each side)")
        return size


def load_suite(path: Path) -> Suite:
    """The suite in the YAML file `path`; UsageError with a one-line reason for any bad file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read suite file {path}: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = " ".join(str(exc).split())
        raise UsageError(f"suite file {path} is not YAML: {first}") from None
    if not isinstance(data, dict):
        raise UsageError(f"suite file {path}: expected a mapping with name and tasks")
    if "folder" in data:
        raise UsageError(f"suite file {path}: unknown key 'folder'")
    try:
        suite = Suite.model_validate({**data, "folder": path.resolve().parent})
    except ValidationError as exc:
        raise UsageError(f"suite file {path}: {_explain(exc, data)}") from None
    _check_ids(path, suite)
    _check_settings(path, suite)
    return suite


def unknown_settings(settings: dict[str, Any]) -> list[str]:
    """The names in `settings` that are no `agent run` setting."""
    from agent.settings import Settings

    return [name for name in settings if name not in Settings.model_fields]


def _check_ids(path: Path, suite: Suite) -> None:
    seen: set[str] = set()
    for number, task in enumerate(suite.tasks, start=1):
        if task.id in seen:
            raise UsageError(f"suite file {path}: tasks.{number}.id: duplicate task id "
                             f"{task.id!r}")
        seen.add(task.id)


def _check_settings(path: Path, suite: Suite) -> None:
    places = [("settings", suite.settings)] + [
        (f"tasks.{number}.settings", task.settings)
        for number, task in enumerate(suite.tasks, start=1)
    ]
    for where, settings in places:
        unknown = unknown_settings(settings)
        if unknown:
            raise UsageError(f"suite file {path}: {where}.{unknown[0]}: unknown setting "
                             f"(settings take the names of `agent run`'s, e.g. max_steps)")


def _explain(exc: ValidationError, data: dict[str, Any]) -> str:
    """pydantic's first error as `key.path: message`, with task numbers 1-based and the task's
    id when it has one."""
    error = exc.errors()[0]
    parts: list[str] = []
    location = list(error["loc"])
    for index, part in enumerate(location):
        if isinstance(part, int) and index > 0 and location[index - 1] == "tasks":
            task_id = _task_id(data, part)
            parts.append(f"{part + 1}" + (f" ({task_id})" if task_id else ""))
        else:
            parts.append(str(part))
    key = ".".join(parts) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    if error["type"] == "missing":
        return f"{key}: missing"
    return f"{key}: {error['msg'].removeprefix('Value error, ')}"


def _task_id(data: dict[str, Any], index: int) -> str | None:
    tasks = data.get("tasks")
    if isinstance(tasks, list) and index < len(tasks) and isinstance(tasks[index], dict):
        task_id = tasks[index].get("id")
        return str(task_id) if task_id is not None else None
    return None
