"""The one step pipeline: capture → choose an action → ground → approve → secrets → perform →
settle → verify (did the screen change?) → record.

Every surface sends its actions through `StepPipeline.step`: `agent run`'s loop (the planner
chooses), scripts and replays (the script chooses, through the same loop), `Desktop` (the caller
chooses), and the surfaces to come (an MCP server, task suites). A surface is a source of actions;
what happens to an action — takeover detection, secrets, approval and its edits, errors, the
record — is decided here once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from actions import (
    Action,
    ActionContext,
    ActionRegistry,
    Done,
    Executor,
    Fail,
    StopRequested,
)
from agent.errors import ActionError, AgentError, GroundingError, Stopped
from agent.grounding.grounder import Grounder, prepare
from agent.records import Approval, StepRecord, Timings
from agent.run.grounding import ground_targets, text_under
from agent.run.settle import Settler, visibly_changed
from agent.rundir.annotate import crosshair
from agent.rundir.recorder import Recorder
from agent.safety.approval import Approver, AutoApprover, Proposal
from agent.safety.control import RunControl
from agent.safety.secrets import Secrets
from agent.screen import Screen, Screenshot, encode_png

__all__ = ["MAX_EDITS", "Choice", "Chooser", "StepOutcome", "StepPipeline", "Verify", "timed"]

MAX_EDITS = 5  # edits of one action at the approval prompt before it counts as rejected

Verify = Literal["off", "warn", "strict"]
"""After an action on a described target, check that the screen changed: `warn` records a
warning when it did not, `strict` makes the step an error (the click missed, silently)."""


@dataclass(frozen=True)
class Choice:
    """The action a source chose for a step; `review=False`: the approver is not asked (the
    `done` a script's runner adds decides nothing)."""

    action: Action
    review: bool = True
    raw: str | None = None  # a native planner's answer: the raw of the points it gave
    verify: bool = True  # False: the pipeline's `verify` skips this step


Chooser = Callable[[Screenshot, StepRecord], Choice]
"""Fills the record's monologue (and the planner's usage) and returns the action to take."""


@dataclass(frozen=True)
class StepOutcome:
    record: StepRecord  # as recorded
    action: Action | None  # as performed (after edits); None when none was chosen
    error: AgentError | None = None  # why the step did not go through (also in the record)


@dataclass
class StepPipeline:
    """The parts one action needs, and the path it takes through them."""

    screen: Screen
    grounder: Grounder | None
    executor: Executor
    registry: ActionRegistry
    recorder: Recorder
    approver: Approver = field(default_factory=AutoApprover)
    settler: Settler | None = None
    control: RunControl = field(default_factory=RunControl)
    secrets: Secrets = field(default_factory=Secrets)
    ask_user: Callable[[str], str] | None = None
    patient: bool = True  # False (dry runs): an action's targets get one look, not a wait
    verify: Verify = "off"
    # True when choosing takes a while (a planner's reply): the grounder may start on each
    # screenshot meanwhile. A script chooses at once, and many of its actions ground nothing.
    read_ahead: bool = False

    def step(self, index: int, choose: Chooser,
             remember: Callable[[StepRecord, Screenshot | None], None] = lambda r, s: None,
             ) -> StepOutcome:
        """Take step `index`: a fresh screenshot, the chosen action carried through, the record
        written. A grounding or action error ends the step (in the outcome); a stop, an abort
        at the approval prompt or a model server's failure is raised once the step is recorded.
        `remember` sees every recorded step, raised or not."""
        record = StepRecord(index=index)
        timings: dict[str, float] = {}
        shot: Screenshot | None = None
        action: Action | None = None
        error: AgentError | None = None
        try:
            with timed(timings, "capture"):
                shot = self.capture(index)
            if self.read_ahead:
                prepare(self.grounder, shot)  # the offline OCR reads it while the planner thinks
            with timed(timings, "plan"):  # the planner's thinking; a script's or caller's choice
                choice = choose(shot, record)
            record.action = choice.action.to_json()
            action = self.carry_out(record, choice, shot, timings)
        except (GroundingError, ActionError) as exc:
            # The planner hears about it next step and can rephrase or try another way.
            record.status, record.error, error = "error", str(exc), exc
        except KeyboardInterrupt:
            record.status, record.error = "stopped", self.control.reason or "Ctrl+C"
            raise
        except AgentError as exc:
            cut_short = isinstance(exc, Stopped) or self.control.stopped  # a budget, too
            record.status, record.error = ("stopped" if cut_short else "error"), str(exc)
            raise
        finally:
            record.timings_ms = Timings(**{k: round(v * 1000, 1) for k, v in timings.items()})
            record = self._redacted(record)
            with self.control.shielded():  # the record and the caller agree, whatever happens
                self.recorder.step(record)
                remember(record, shot)
        return StepOutcome(record, action, error)

    def capture(self, index: int) -> Screenshot:
        """The screen as step `index` sees it, saved with the record."""
        shot = self.screen.capture()
        self.recorder.screenshot(index, shot.png())
        self.control.corners = frozenset(shot.desktop.corners())
        return shot

    def carry_out(self, record: StepRecord, choice: Choice, shot: Screenshot,
                  timings: dict[str, float]) -> Action:
        """Ground, approve, perform and settle the chosen action, filling `record`."""
        action = self._described_without_secrets(choice.action)
        self._with_secrets(action)  # an unknown secret fails before anything is asked or done
        self.control.checkpoint()
        action = self._ground_and_approve(record, action, shot, timings, choice)
        if record.status == "ok" and not isinstance(action, (Done, Fail)):
            self.control.checkpoint()
            with timed(timings, "execute"):
                record.outcome = self._perform(action, record)
            self.control.checkpoint()  # a takeover or stop during the action ends the step
            if self.settler is not None:
                with timed(timings, "settle"):
                    self.settle(action)
            if choice.verify and self.verify != "off":
                self._verify(action, record, shot)
        return action

    def _verify(self, action: Action, record: StepRecord, before: Screenshot) -> None:
        """Note (or, strict, fail) an action on a described target after which nothing on the
        screen changed: it most likely landed on something that is not what was meant."""
        described = [g for g in record.grounding if isinstance(g.target, str)]
        if not described or not action.shows_effect:
            return
        after = self.screen.capture()
        if after.size != before.size or visibly_changed(before.image, after.image):
            return
        where = ", ".join(f"{g.target!r} at ({g.point[0]:g}, {g.point[1]:g})" for g in described)
        message = f"the screen did not change after {action.name} on {where}"
        if self.verify == "strict":
            raise ActionError(message + " (verify = strict)")
        record.warnings.append(message)

    def settle(self, action: Action | None = None) -> None:
        """Wait until the screen is still; the person's input meanwhile is a takeover of the
        kinds `action` sends (all kinds without one)."""
        if self.settler is None:
            return
        sends = action.sends if action is not None else ("mouse", "keyboard")
        with self.control.acting(sends):
            self.settler.settle(self.control.should_stop)

    def should_stop(self) -> bool:
        """Asked between keys and while waiting: the hotkeys and signals, and the pointer in a
        fail-safe corner (an executor that has one raises StopRequested)."""
        check_fail_safe = getattr(self.executor, "check_fail_safe", None)
        if check_fail_safe is not None:
            check_fail_safe()
        return self.control.should_stop()

    def _ground_and_approve(self, record: StepRecord, action: Action, shot: Screenshot,
                            timings: dict[str, float], choice: Choice) -> Action:
        """Ground the targets and ask the approver; an edit re-grounds and asks again."""
        edits: dict[str, Any] = {}
        approval: Approval | None = None
        for _ in range(MAX_EDITS + 1):
            with timed(timings, "ground"):
                record.grounding = ground_targets(
                    action, shot, self.grounder, record.usage,
                    patience=action.patience() if self.patient else 0.0,
                    capture=self.screen.capture, given_raw=None if edits else choice.raw)
            if not choice.review:
                break
            with timed(timings, "approve"), self.control.attending():
                approval = self.approver.review(self._proposal(record, action, shot, edits))
            if approval is None or approval.decision != "edited" or not approval.edited:
                break
            edits.update(approval.edited)
            action = self._edited(action, approval.edited)
            record.action = action.to_json()
        else:
            approval = Approval(decision="rejected", feedback="too many edits")
        record.approval = _final_approval(approval, edits)
        if record.approval is not None and record.approval.decision == "aborted":
            why = record.approval.feedback
            raise Stopped("aborted at the approval prompt" + (f" ({why})" if why else ""))
        if record.approval is not None and record.approval.decision == "rejected":
            record.status = "rejected"
        return action

    def _proposal(self, record: StepRecord, action: Action, shot: Screenshot,
                  edits: dict[str, Any]) -> Proposal:
        return Proposal(
            record.index, self.secrets.redact(record.thought),
            self.secrets.redact(record.instruction), self._shown(action), record.grounding,
            preview=lambda: self._preview(record, shot),
            text_under=lambda: text_under(shot, record.grounding), after_edit=bool(edits))

    def _perform(self, action: Action, record: StepRecord) -> str | None:
        ctx = ActionContext(
            executor=self.executor,
            points={g.argument: g.screen_point for g in record.grounding},
            should_stop=self.should_stop,
            ask_user=self._ask_person if self.ask_user is not None else None,
            now_sending=self.control.now_sending,
        )
        self.control.refuse_own_hotkey(action)
        try:
            with self.control.acting(action.sends):
                return self.registry.perform(self._with_secrets(action), ctx)
        except AgentError:
            self.executor.release_all()
            raise
        except StopRequested as exc:
            self.executor.release_all()
            raise Stopped(f"stopped by the user: {exc}") from exc
        except Exception as exc:  # an action's own failure is recorded, not a crash
            self.executor.release_all()
            raise ActionError(f"{action.name} failed: {type(exc).__name__}: {exc}") from exc
        except BaseException:  # the kill hotkey, Ctrl+C: no key or button stays held
            self.executor.release_all()
            raise

    def _ask_person(self, question: str) -> str:
        assert self.ask_user is not None
        with self.control.asking():  # Ctrl+C, SIGTERM and the kill hotkey end the wait
            return self.ask_user(question)

    def _preview(self, record: StepRecord, shot: Screenshot) -> Path | None:
        """The screenshot with a crosshair on each point about to be acted on, saved for review."""
        image = shot.image
        for grounding in record.grounding:
            image = crosshair(image, grounding.point)
        return self.recorder.attachment(f"approve-{record.index:04d}.png", encode_png(image))

    def _shown(self, action: Action) -> Action:
        """The action as a person reviewing it sees it: secret values as placeholders."""
        if not self.secrets:
            return action
        try:
            return self.registry.parse(self.secrets.redact_data(action.to_json()))
        except ValueError:  # a placeholder where the action wants something else: nothing to hide
            return action

    def _edited(self, action: Action, edits: dict[str, Any]) -> Action:
        try:
            return self.registry.parse({**action.to_json(), **edits})
        except ValueError as exc:
            raise ActionError(f"the edited action is invalid: {exc}") from None

    def _with_secrets(self, action: Action) -> Action:
        """The action with `{{NAME}}` placeholders in its text replaced, at the last moment (an
        unknown name is an error, never typed as it is)."""
        if "{{" not in json.dumps(action.to_json()):
            return action
        try:
            data = {k: self.secrets.substitute(v) if isinstance(v, str) else v
                    for k, v in action.to_json().items()}
        except KeyError as exc:
            raise ActionError(str(exc.args[0])) from None
        return self.registry.parse(data)

    def _described_without_secrets(self, action: Action) -> Action:
        """The action with any secret value written into a target description (read off the
        screen) made its placeholder: the grounder's request never carries a value."""
        data = action.to_json()
        described = {key: self.secrets.redact(value) for key, value in data.items()
                     if key in action.target_fields and isinstance(value, str)}
        if all(data[key] == value for key, value in described.items()):
            return action
        return self.registry.parse({**data, **described})

    def _redacted(self, record: StepRecord) -> StepRecord:
        """The record with any secret value (a planner may have read one) made a placeholder."""
        if not self.secrets:
            return record
        return StepRecord.model_validate(self.secrets.redact_data(record.model_dump(mode="json")))


def _final_approval(approval: Approval | None, edits: dict[str, Any]) -> Approval | None:
    """The decision as recorded: an approved edit is `edited`; any decision keeps the edits."""
    if approval is None or not edits:
        return approval
    if approval.decision == "approved":
        return Approval(decision="edited", edited=edits)
    return approval.model_copy(update={"edited": edits})


@contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the time spent inside to `timings[name]` (seconds)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
