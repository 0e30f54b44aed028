"""Run a list of actions without a planner (`agent script`, `agent replay`): `agent run`'s own
machinery, with a `ScriptPlanner` feeding the steps."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from actions import ActionRegistry
from agent.automation.scripted import NeverStuck, PatientGrounder, ScriptPlanner, ScriptStep
from agent.cli.common import finish_run
from agent.cli.console import StepPrinter
from agent.records import StepRecord, Usage
from agent.run.compose import RunHandle, start_run
from agent.safety.secrets import Secrets
from agent.settings import Settings

__all__ = ["SCRIPTED_SETTINGS", "run_scripted", "scripted_settings", "start_scripted_run", "warn"]

SCRIPTED_SETTINGS = (
    "grounder", "grounder_model", "grounder_base_url", "grounder_api_key", "ocr_engine",
    "min_pixels", "max_pixels", "timeout", "monitor", "runs_dir", "dry_run", "approve", "risk",
    "max_time", "settle_timeout", "kill_hotkey", "pause_hotkey", "on_takeover",
)
"""The settings `agent script` and `agent replay` take as flags (no planner: none of its)."""


def scripted_settings(settings: Settings, steps: Sequence[ScriptStep]) -> Settings:
    """`approve` defaults to `never` here (CONTRACTS §7), unless set.

    A step per action and one for the closing `done`. A `done` is no claim of a model's here, so
    `risky` does not ask about it.
    """
    update: dict[str, Any] = {"max_steps": len(steps) + 1,
                              "risk": settings.risk.model_copy(update={"ask_before_done": False})}
    if "approve" not in settings.model_fields_set:
        update["approve"] = "never"
    return settings.model_copy(update=update)


def start_scripted_run(
    task: str,
    settings: Settings,
    steps: Sequence[ScriptStep],
    *,
    registry: ActionRegistry,
    secrets: Secrets | None = None,
    on_step: Callable[[StepRecord, Usage], None] = lambda record, total: None,
    ending: ScriptStep | None = None,
) -> RunHandle:
    """Open the display and the run directory for `steps`; nothing runs yet. No grounder is
    built when every target is a point (an exact replay). `ending` replaces the closing `done`
    (a replay's carries the recorded answer)."""
    planner = ScriptPlanner(steps, dry_run=settings.dry_run)
    if ending is not None:
        planner.ending = ending
    grounded = any(isinstance(target, str)
                   for step in steps for target in step.action.targets().values())
    handle = start_run(task, scripted_settings(settings, steps), registry=registry,
                       secrets=secrets, on_step=on_step, planner=planner, grounded=grounded,
                       stuck=NeverStuck())
    loop = handle.loop
    planner.install(loop)
    if loop.grounder is not None:  # `wait_for` retries on fresh screenshots
        planner.patient = PatientGrounder(loop.grounder, loop.screen.capture)
        loop.grounder = planner.patient
    planner.screenshots = handle.directory.path
    return handle


def run_scripted(
    task: str,
    steps: Sequence[ScriptStep],
    settings: Settings,
    command: list[str],
    verbose: int,
    *,
    registry: ActionRegistry,
    secrets: Secrets,
    ending: ScriptStep | None = None,
) -> int:
    """Run `steps` as the CLI does: a line per step, the run directory, the exit code."""
    printer = StepPrinter(verbose)
    handle = start_scripted_run(task, settings, steps, registry=registry, secrets=secrets,
                                on_step=printer.step, ending=ending)
    return finish_run(handle, task, command, printer, secrets)


def warn(text: str) -> None:
    """One warning line on stderr; the command goes on."""
    print(f"agent: warning: {text}", file=sys.stderr, flush=True)
