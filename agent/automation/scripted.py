"""A fixed list of actions run through the `Loop`: the engine of `agent script` and `agent replay`.

No planner model is asked. `ScriptPlanner` is a source of steps: it answers the loop with the next
action and an instruction in words, so grounding, approval, execution, settling, secrets, the kill
hotkey and the run record are exactly `agent run`'s (the one step pipeline). Two checks join the
action space for scripts: `wait_for` (a patient action: its target is looked for on fresh
screenshots until it appears) and `assert_visible` (grounding must succeed). Both are ordinary
actions in a copy of the registry, so the pipeline grounds and records them. The runner builds its
loop with `ScriptPlanner.failed_step` (the run ends at a step that did not go through); the `done`
that closes the script is never asked about (`PlanResult.review`).
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from actions import Action, ActionContext, ActionRegistry, Done, Point, default_registry
from agent.errors import TaskFailed
from agent.planning.planner import PastStep, PlanResult
from agent.records import PlannerReply, StepRecord
from agent.safety.secrets import Secrets
from agent.safety.stuck import StuckDetector
from agent.screen import Screenshot

if TYPE_CHECKING:
    pass

__all__ = [
    "AssertVisible",
    "NeverStuck",
    "ScriptPlanner",
    "ScriptStep",
    "WaitFor",
    "check_secrets",
    "describe",
    "script_registry",
]

MAX_WAIT_FOR = 600.0
POLL_INTERVAL = 0.25
_SECRET = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class WaitFor(Action):
    """Wait until the target can be found on the screen, for at most `timeout` seconds."""

    name: ClassVar[str] = "wait_for"
    shows_effect: ClassVar[bool] = False
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    target: str = Field(min_length=1)
    timeout: float = Field(default=10.0, gt=0, le=MAX_WAIT_FOR)

    def patience(self) -> float:
        return self.timeout


class AssertVisible(Action):
    """Check that the target can be found on the screen now; the script fails if not."""

    name: ClassVar[str] = "assert_visible"
    shows_effect: ClassVar[bool] = False
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    target: str = Field(min_length=1)


def _found(action: Action, ctx: ActionContext) -> str:
    """Grounding the target was the check; nothing is left to do."""
    return "found"


def script_registry(base: ActionRegistry | None = None) -> ActionRegistry:
    """A copy of `base` (the default registry) with `wait_for` and `assert_visible` added."""
    registry = (default_registry if base is None else base).copy()
    registry.register(WaitFor, _found)
    registry.register(AssertVisible, _found)
    return registry


@dataclass(frozen=True)
class ScriptStep:
    """One action of a script or a replay; `label` names it in errors ("step 3"). A replay's
    steps carry the recorded monologue, so its record and report show it."""

    action: Action
    label: str
    instruction: str = ""
    observation: str = ""
    thought: str = ""
    verify: bool = True  # False: `verify: false` in the step's arguments

    def describe(self) -> str:
        return self.instruction or describe(self.action)


def _closing_done() -> ScriptStep:
    return ScriptStep(Done(), "the end of the script", "the script is complete")


@dataclass
class ScriptPlanner:
    """A `Planner` that answers with `steps` in order, then `ending` (a `done`, not reviewed).

    Loop step N is script step N. `failed_step`, asked by the loop after each step, ends the
    run (TaskFailed, exit 1) at the first step that did not go through — an error such as a
    target that cannot be found, or a rejection at the approval prompt — naming the step, the
    reason and its screenshot.
    """

    steps: Sequence[ScriptStep]
    screenshots: Path | None = None  # the run directory, for the failing step's screenshot
    ending: ScriptStep = field(default_factory=_closing_done)
    dry_run: bool = False  # a check that fails does not stop a dry run (and does not wait)
    fail_wording: str = "the script says fail"

    def plan(
        self, task: str, history: Sequence[PastStep], screenshot: Screenshot, notes: Sequence[str]
    ) -> PlanResult:
        position = len(history)
        step = self.steps[position] if position < len(self.steps) else self.ending
        return PlanResult(PlannerReply(observation=step.observation, thought=step.thought,
                                       instruction=step.describe(), action=step.action),
                          review=position < len(self.steps), verify=step.verify)

    def failed_step(self, record: StepRecord) -> TaskFailed | None:
        """Why the run ends after `record`, or None when it goes on."""
        if record.status == "ok":
            return None
        what = "the end of the script"
        if record.index <= len(self.steps):
            step = self.steps[record.index - 1]
            if self.dry_run and isinstance(step.action, (WaitFor, AssertVisible)):
                return None  # nothing was done before it, so what it checks for cannot be there
            what = f"{step.label} ({step.describe()})"
        if record.status == "rejected":
            feedback = record.approval.feedback if record.approval is not None else None
            reason = f"rejected at the approval prompt: {feedback or 'no reason given'}"
        else:
            reason = record.error or record.status
        where = ""
        if self.screenshots is not None:
            where = f"; screenshot: {self.screenshots / f'step-{record.index:04d}.png'}"
        return TaskFailed(f"{what} failed: {reason}{where}")


class NeverStuck(StuckDetector):
    """Scripts repeat on purpose (`press: down` three times): no stuck detection for them."""

    def observe(self, signature: str, screen_changed: bool) -> str | None:
        return None


def check_secrets(action: Action, secrets: Secrets) -> None:
    """ValueError unless every `{{NAME}}` in the action has a value and none is in a target."""
    for argument, value in action.arguments().items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            for name in _SECRET.findall(text) if isinstance(text, str) else []:
                if argument in action.target_fields:
                    raise ValueError(f"the secret {{{{{name}}}}} cannot be in {argument}: targets "
                                     "are sent to the grounding model")
                if name.upper() not in secrets.names:
                    raise ValueError(f"the secret {{{{{name}}}}} has no value: set "
                                     f"AGENT_SECRET_{name.upper()} or pass --secret {name}")


# How an action reads as an instruction: the longest template whose fields are all set wins.
_PHRASES: dict[str, tuple[str, ...]] = {
    "click": ("click {target}", "{button}-click {target}"),
    "double_click": ("double-click {target}",),
    "right_click": ("right-click {target}",),
    "move": ("move the mouse onto {target}",),
    "drag": ("drag {source} onto {destination}",),
    "scroll": ("scroll {direction} {amount} notches", "scroll {direction} {amount} notches over "
               "{target}"),
    "type": ("type {text}", "type {text} into {target}"),
    "press": ("press {keys}",),
    "hotkey": ("press {keys} together",),
    "wait": ("wait {seconds} s",),
    "ask_user": ("ask the user: {question}",),
    "done": ("finish", "finish: {answer}"),
    "fail": ("give up: {reason}",),
    "wait_for": ("wait for {target} (at most {timeout} s)",),
    "assert_visible": ("check that {target} is visible",),
}


def describe(action: Action) -> str:
    """The action as a short instruction: `click the Save button`, `type "Tokyo" into ...`."""
    values = {name: _shown(name, getattr(action, name)) for name in type(action).model_fields}
    if values.get("button") == "left":
        values["button"] = None
    for template in reversed(_PHRASES.get(action.name, ())):
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        if all(values.get(name) is not None for name in fields):
            return template.format(**values)
    return action.summary()


def _shown(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Point):
        return f"({value.x:g}, {value.y:g})"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if name == "text":
        return json.dumps(value, ensure_ascii=False)
    return str(value)
