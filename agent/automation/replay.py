"""`agent replay RUN_DIR` and `agent export RUN_DIR`: a recorded run's actions, once more.

Replay re-grounds every recorded target description on the screen as it is now, so a window that
moved still works; `--exact` acts at the recorded points instead (screenshot pixels; no grounder,
and `wait_for` / `assert_visible` checks are left out since they need one). Each replayed step
carries the recorded monologue, and the recorded `done` (its answer) ends the replay. Steps that
did not go through (rejected, error, stopped) are left out with a warning; so is the torn last
line of a run that was killed. Export writes the same actions as a CONTRACTS §9 script. Records of
an unknown (newer) `schema_version` are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions import Action, ActionRegistry
from agent.automation.scripted import AssertVisible, ScriptStep, WaitFor
from agent.errors import UsageError
from agent.records import RunRecord, StepRecord
from agent.rundir.reader import read_run_dir

__all__ = [
    "RecordedRun",
    "export_script",
    "read_run",
    "recorded_ending",
    "recorded_steps",
    "skipped_warning",
    "unfinished_warning",
]

ENDINGS = ("done", "fail")
CHECKS = (WaitFor, AssertVisible)
SKIPPED_SHOWN = 3  # skipped steps named in the warning; more are counted
REASON_LENGTH = 80


@dataclass(frozen=True)
class RecordedRun:
    path: Path
    run: RunRecord
    steps: tuple[StepRecord, ...]
    warnings: tuple[str, ...] = ()  # what was left out of the record while reading it


def read_run(path: Path) -> RecordedRun:
    """run.json and steps.jsonl of a run directory; UsageError when they cannot be read. A torn
    last line is left out with a warning; any other bad line is an error."""
    contents = read_run_dir(path, strict=True)
    return RecordedRun(path, contents.run, contents.steps, contents.notes)


def _replayable(recorded: RecordedRun) -> Iterator[StepRecord]:
    for record in recorded.steps:
        if record.status == "ok" and record.action and record.action.get("name") not in ENDINGS:
            yield record


def skipped_warning(recorded: RecordedRun, verb: str) -> str | None:
    """One line naming the recorded steps that did not succeed, and so are not `verb`."""
    skipped = [record for record in recorded.steps if record.status != "ok"]
    if not skipped:
        return None
    named = "; ".join(f"step {r.index}: {_why(r)}" for r in skipped[:SKIPPED_SHOWN])
    if len(skipped) > SKIPPED_SHOWN:
        named += f"; {len(skipped) - SKIPPED_SHOWN} more"
    if len(skipped) == 1:
        return f"1 recorded step did not succeed ({named}) and is not {verb}"
    return f"{len(skipped)} recorded steps did not succeed ({named}) and are not {verb}"


def unfinished_warning(recorded: RecordedRun, verb: str) -> str | None:
    """One line saying that the recorded run never got to `done`, so neither will its steps."""
    run = recorded.run
    if run.status == "done":
        return None
    if run.status == "running":
        how = "was cut off: run.json still says running"
    else:
        how = f"ended {run.status}" + (f": {_shortened(run.reason)}" if run.reason else "")
    return f"the recorded run did not finish ({how}); the steps it did are {verb}"


def _shortened(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()  # one warning, one line
    return text if len(text) <= REASON_LENGTH else text[:REASON_LENGTH - 1] + "…"


def _why(record: StepRecord) -> str:
    if record.status == "rejected":
        text = "rejected at the approval prompt"
    else:
        text = f"{record.status}: {record.error}" if record.error else record.status
    return _shortened(text)


def recorded_steps(
    recorded: RecordedRun, registry: ActionRegistry, exact: bool = False
) -> list[ScriptStep]:
    """The run's actions to perform again: re-grounded, or (`exact`) at the recorded points."""
    steps: list[ScriptStep] = []
    for record in _replayable(recorded):
        try:
            action = registry.parse(record.action or {})
            if exact and isinstance(action, CHECKS):
                continue
            if exact:
                action = _at_recorded_points(action, record, registry)
        except ValueError as exc:
            raise UsageError(f"{recorded.path}: recorded step {record.index}: {exc}") from None
        steps.append(_as_step(action, record))
    if not steps:
        raise UsageError(f"{recorded.path}: no recorded step to perform again")
    return steps


def recorded_ending(recorded: RecordedRun, registry: ActionRegistry) -> ScriptStep | None:
    """The run's `done` with its answer and monologue, to end the replay; None without one."""
    for record in reversed(recorded.steps):
        if record.status == "ok" and record.action and record.action.get("name") == "done":
            try:
                return _as_step(registry.parse(record.action), record)
            except ValueError as exc:
                raise UsageError(f"{recorded.path}: recorded step {record.index}: {exc}") from None
    return None


def _as_step(action: Action, record: StepRecord) -> ScriptStep:
    return ScriptStep(action, f"recorded step {record.index}", record.instruction,
                      record.observation, record.thought)


def _at_recorded_points(action: Action, record: StepRecord, registry: ActionRegistry) -> Action:
    points = {g.argument: {"x": g.point[0], "y": g.point[1]} for g in record.grounding}
    missing = [argument for argument in action.targets() if argument not in points]
    if missing:
        raise ValueError(f"no recorded point for {', '.join(missing)}")
    return registry.parse({**action.to_json(), **{a: points[a] for a in action.targets()}})


def export_script(recorded: RecordedRun, registry: ActionRegistry, exact: bool = False) -> str:
    """The run as a script for `agent script`: arguments at their defaults are left out."""
    steps = [{step.action.name: _escaped(_arguments(step.action))}
             for step in recorded_steps(recorded, registry, exact)]
    document = {"name": _escaped(recorded.run.task), "steps": steps}
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=None,
                          width=4096)
    return f"# exported by `agent export` from {recorded.path}\n{body}"


def _arguments(action: Action) -> dict[str, Any]:
    return action.model_dump(mode="json", exclude_defaults=True)


def _escaped(value: Any) -> Any:
    """`${` written as `$${`, so no recorded text is read back as a variable."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    return value
