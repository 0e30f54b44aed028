"""Run a list of actions without a planner (`agent script`, `agent replay`, `agent demo`):
`agent run`'s own machinery, with a `ScriptPlanner` as the source of steps."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from actions import ActionRegistry
from agent.automation.scripted import NeverStuck, ScriptPlanner, ScriptStep
from agent.records import StepRecord, Usage
from agent.run.compose import RunHandle, start_run
from agent.safety.secrets import Secrets
from agent.settings import Settings

__all__ = ["scripted_settings", "start_scripted_run", "warn"]

def scripted_settings(settings: Settings, steps: Sequence[ScriptStep]) -> Settings:
    """`approve` defaults to `never` here (CONTRACTS §7) and `verify` to `warn`, unless set.

    A step per action and one for the closing `done`. A `done` is no claim of a model's here, so
    `risky` does not ask about it.
    """
    update: dict[str, Any] = {"max_steps": len(steps) + 1,
                              "risk": settings.risk.model_copy(update={"ask_before_done": False})}
    if "approve" not in settings.model_fields_set:
        update["approve"] = "never"
    if settings.verify is None:  # a script has no planner to notice a click that missed
        update["verify"] = "warn"
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
                       stuck=NeverStuck(), ends_at=planner.failed_step,
                       fail_wording=planner.fail_wording)
    planner.screenshots = handle.directory.path  # named in a failing step's message
    return handle


def warn(text: str) -> None:
    """One warning line on stderr; the command goes on."""
    print(f"agent: warning: {text}", file=sys.stderr, flush=True)
