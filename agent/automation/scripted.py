"""A fixed list of actions run through the `Loop`: the engine of `agent script` and `agent replay`.

No planner model is asked. `ScriptPlanner` answers the loop with the next action and an instruction
in words, so grounding, approval, execution, settling, secrets, the kill hotkey and the run record
are exactly `agent run`'s. Two checks join the action space for scripts: `wait_for` (grounding is
retried on fresh screenshots until the target appears) and `assert_visible` (grounding must
succeed). Both are ordinary actions in a copy of the registry, so the loop grounds and records them.
`ScriptPlanner.install` fits a loop to a script: it ends at a step that did not go through, and
never asks about the `done` that closes the script.
"""

from __future__ import annotations

import json
import re
import string
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from actions import Action, ActionContext, ActionRegistry, Done, Point, default_registry
from agent.errors import GroundingError, TaskFailed
from agent.grounding.grounder import Grounder, Grounding
from agent.planning.planner import PastStep, PlanResult
from agent.records import Approval, PlannerReply, StepRecord
from agent.safety.approval import Approver, Proposal
from agent.safety.secrets import Secrets
from agent.safety.stuck import StuckDetector
from agent.screen import Screenshot

if TYPE_CHECKING:
    from agent.run.loop import Loop

__all__ = [
    "AssertVisible",
    "NeverStuck",
    "PatientGrounder",
    "ScriptApprover",
    "ScriptPlanner",
    "ScriptStep",
    "WaitFor",
    "check_secrets",
    "describe",
    "ground_within",
    "script_registry",
]

MAX_WAIT_FOR = 600.0
POLL_INTERVAL = 0.25
_SECRET = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class WaitFor(Action):
    """Wait until the target can be found on the screen, for at most `timeout` seconds."""

    name: ClassVar[str] = "wait_for"
    target_fields: ClassVar[tuple[str, ...]] = ("target",)
    target: str = Field(min_length=1)
    timeout: float = Field(default=10.0, gt=0, le=MAX_WAIT_FOR)


class AssertVisible(Action):
    """Check that the target can be found on the screen now; the script fails if not."""

    name: ClassVar[str] = "assert_visible"
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


def ground_within(
    grounder: Grounder,
    description: str,
    timeout: float,
    first: Screenshot,
    capture: Callable[[], Screenshot],
    interval: float = POLL_INTERVAL,
) -> Grounding:
    """Ground `description`, retrying on fresh captures until it is found or `timeout` passes.

    A model grounder answers with a point at once; the OCR grounder finds nothing (GroundingError)
    until the text is on the screen.
    """
    deadline = time.monotonic() + timeout
    shot = first
    while True:
        try:
            grounding = grounder.ground(shot, description)
        except GroundingError as exc:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if timeout <= 0:
                    raise
                raise GroundingError(
                    f"{description!r} did not appear within {timeout:g} s: {exc}") from None
            time.sleep(min(interval, remaining))  # the last look is at the deadline, not before
            shot = capture()
            continue
        return grounding


@dataclass
class PatientGrounder:
    """Grounds with `inner`; while `patience` > 0 (a `wait_for` step), a miss is retried."""

    inner: Grounder
    capture: Callable[[], Screenshot]
    patience: float = 0.0

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        if self.patience <= 0:
            return self.inner.ground(screenshot, description)
        return ground_within(self.inner, description, self.patience, screenshot, self.capture)


@dataclass(frozen=True)
class ScriptStep:
    """One action of a script or a replay; `label` names it in errors ("step 3"). A replay's
    steps carry the recorded monologue, so its record and report show it."""

    action: Action
    label: str
    instruction: str = ""
    observation: str = ""
    thought: str = ""

    def describe(self) -> str:
        return self.instruction or describe(self.action)


def _closing_done() -> ScriptStep:
    return ScriptStep(Done(), "the end of the script", "the script is complete")


@dataclass
class ScriptPlanner:
    """A `Planner` that answers with `steps` in order, then `ending` (a `done`).

    Loop step N is script step N. Once `install`ed, the run stops (TaskFailed, exit 1) at the
    first step that did not go through — an error such as a target that cannot be found, or a
    rejection at the approval prompt — naming the step, the reason and its screenshot.
    """

    steps: Sequence[ScriptStep]
    screenshots: Path | None = None  # the run directory, for the failing step's screenshot
    patient: PatientGrounder | None = None
    ending: ScriptStep = field(default_factory=_closing_done)
    dry_run: bool = False  # a check that fails does not stop a dry run (and does not wait)

    def install(self, loop: Loop) -> None:
        """Fit `loop` to the script: `before_step` gates every step, and the closing `done` is
        not asked about."""
        loop.before_step = self.before_step
        loop.fail_wording = "the script says fail"
        loop.approver = ScriptApprover(loop.approver, len(self.steps))

    def plan(
        self, task: str, history: Sequence[PastStep], screenshot: Screenshot, notes: Sequence[str]
    ) -> PlanResult:
        position = len(history)
        step = self.steps[position] if position < len(self.steps) else self.ending
        if self.patient is not None:
            action = step.action
            waits = isinstance(action, WaitFor) and not self.dry_run
            self.patient.patience = action.timeout if isinstance(action, WaitFor) and waits else 0
        return PlanResult(PlannerReply(observation=step.observation, thought=step.thought,
                                       instruction=step.describe(), action=step.action))

    def before_step(self, history: Sequence[PastStep]) -> None:
        """TaskFailed when the last step did not go through."""
        if history:
            self._check(history[-1].record)

    def _check(self, record: StepRecord) -> None:
        if record.status == "ok":
            return
        what = "the end of the script"
        if record.index <= len(self.steps):
            step = self.steps[record.index - 1]
            if self.dry_run and isinstance(step.action, (WaitFor, AssertVisible)):
                return  # nothing was done before it, so what it checks for cannot be there yet
            what = f"{step.label} ({step.describe()})"
        if record.status == "rejected":
            feedback = record.approval.feedback if record.approval is not None else None
            reason = f"rejected at the approval prompt: {feedback or 'no reason given'}"
        else:
            reason = record.error or record.status
        where = ""
        if self.screenshots is not None:
            where = f"; screenshot: {self.screenshots / f'step-{record.index:04d}.png'}"
        raise TaskFailed(f"{what} failed: {reason}{where}")


@dataclass
class ScriptApprover:
    """Asks `inner` about the script's own steps (a `done` written in it included), never about
    the closing `done`: the runtime adds that one, it decides nothing."""

    inner: Approver
    steps: int

    def review(self, proposal: Proposal) -> Approval | None:
        return None if proposal.index > self.steps else self.inner.review(proposal)


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
