"""`agent replay RUN_DIR` and `agent export RUN_DIR`: a recorded run's actions, once more.

Replay re-grounds every recorded target description on the screen as it is now, so a window that
moved still works; `--exact` acts at the recorded points instead (screenshot pixels; no grounder,
and `wait_for` / `assert_visible` checks are left out since they need one). Steps that did not go
through (rejected, error, stopped) and the final `done` / `fail` are skipped. Export writes the
same actions as a CONTRACTS §9 script. Records of an unknown (newer) `schema_version` are refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from actions import Action, ActionRegistry
from agent.commandline import add_secret_flag, secrets_from, settings_from
from agent.errors import UsageError
from agent.records import SCHEMA_VERSION, RunRecord, StepRecord
from agent.script_run import run_scripted
from agent.scripted import AssertVisible, ScriptStep, WaitFor, check_secrets, script_registry

__all__ = [
    "KNOWN_SCHEMA_VERSIONS",
    "RecordedRun",
    "add_export_parser",
    "add_replay_parser",
    "export_command",
    "export_script",
    "read_run",
    "recorded_steps",
    "replay_command",
]

KNOWN_SCHEMA_VERSIONS = frozenset(range(1, SCHEMA_VERSION + 1))
ENDINGS = ("done", "fail")
CHECKS = (WaitFor, AssertVisible)


@dataclass(frozen=True)
class RecordedRun:
    path: Path
    run: RunRecord
    steps: tuple[StepRecord, ...]


def read_run(path: Path) -> RecordedRun:
    """run.json and steps.jsonl of a run directory; UsageError when they cannot be read."""
    run_file, steps_file = path / "run.json", path / "steps.jsonl"
    if not run_file.is_file() or not steps_file.is_file():
        raise UsageError(f"{path} is not a run directory (no run.json and steps.jsonl)")
    run = _validated(RunRecord, _json(run_file.read_text(encoding="utf-8"), str(run_file)),
                     str(run_file))
    steps = []
    lines = steps_file.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if line.strip():
            where = f"{steps_file} line {number}"
            steps.append(_validated(StepRecord, _json(line, where), where))
    return RecordedRun(path, run, tuple(steps))


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}: not JSON: {exc}") from None


def _validated(model: type[RunRecord] | type[StepRecord], data: Any, where: str) -> Any:
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise UsageError(f"{where}: no schema_version: not a planground run record")
    if version not in KNOWN_SCHEMA_VERSIONS:
        known = ", ".join(str(v) for v in sorted(KNOWN_SCHEMA_VERSIONS))
        raise UsageError(f"{where}: schema_version {version} is not one this planground reads "
                         f"({known}); a newer planground wrote it: upgrade to read it")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{where}: not a valid record: {exc.errors()[0]['msg']} at "
                         f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}") from None


def _replayable(recorded: RecordedRun) -> Iterator[StepRecord]:
    for record in recorded.steps:
        if record.status == "ok" and record.action and record.action.get("name") not in ENDINGS:
            yield record


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
        label = f"step {len(steps) + 1} (recorded step {record.index})"
        steps.append(ScriptStep(action, label, record.instruction))
    if not steps:
        raise UsageError(f"{recorded.path}: no recorded step to perform again")
    return steps


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


def replay_command(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    """`agent replay`: read the record, check every step, then run them through the loop."""
    recorded = read_run(args.run_dir)
    registry = script_registry()
    steps = recorded_steps(recorded, registry, args.exact)
    secrets = secrets_from(args)
    for step in steps:
        try:
            check_secrets(step.action, secrets)
        except ValueError as exc:
            raise UsageError(f"{args.run_dir}: {step.label}: {exc}") from None
    task = f"replay of {recorded.run.task}"
    return run_scripted(task, steps, settings_from(args), command, verbose, registry=registry,
                        secrets=secrets)


def export_command(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    """`agent export`: the run as YAML on stdout."""
    sys.stdout.write(export_script(read_run(args.run_dir), script_registry(), args.exact))
    return 0


def add_replay_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """`agent replay RUN_DIR [--exact] [--secret NAME]`; add the settings flags."""
    parser = commands.add_parser(
        "replay", allow_abbrev=False, help="perform a recorded run's actions again",
        description="Perform a recorded run's actions again, re-grounding each target on the "
                    "screen as it is now (or, with --exact, at the recorded points). Approval "
                    "defaults to never.")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--exact", action="store_true",
                        help="act at the recorded points (no grounder; checks are skipped)")
    add_secret_flag(parser)
    parser.set_defaults(handler=replay_command)
    return parser


def add_export_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """`agent export RUN_DIR [--exact] > flow.yaml`."""
    parser = commands.add_parser(
        "export", allow_abbrev=False, help="write a recorded run as a YAML script",
        description="Write a recorded run's actions as a script for `agent script` (stdout).")
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--exact", action="store_true",
                        help="targets as the recorded points instead of descriptions")
    parser.set_defaults(handler=export_command)
    return parser
