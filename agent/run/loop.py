"""The SeeAct-V loop: capture → plan → ground → approve → execute → settle → record."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actions import (
    Action,
    ActionContext,
    ActionRegistry,
    AskUser,
    Done,
    Executor,
    Fail,
    Point,
    StopRequested,
    Wait,
)
from agent.errors import (
    ActionError,
    AgentError,
    GroundingError,
    InvalidReplyError,
    Stopped,
    TaskFailed,
)
from agent.grounding.grounder import Grounder
from agent.planning.planner import PastStep, Planner
from agent.records import (
    Approval,
    GroundingRecord,
    PlannerReply,
    RunRecord,
    StepRecord,
    Timings,
    TokenUsage,
    Usage,
)
from agent.run.settle import Settler, visibly_changed
from agent.rundir.annotate import crosshair
from agent.rundir.recorder import Recorder, now_iso
from agent.safety.approval import Approver, AutoApprover, Proposal
from agent.safety.budget import Limits, watch_time
from agent.safety.control import RunControl
from agent.safety.secrets import Secrets
from agent.safety.stuck import StuckDetector
from agent.screen import Screen, Screenshot, encode_png

__all__ = ["Limits", "Loop", "RunOutcome", "ground_targets", "text_under"]

MAX_EDITS = 5  # edits of one action at the approval prompt before it counts as rejected


@dataclass(frozen=True)
class RunOutcome:
    record: RunRecord
    error: AgentError | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.error is None else self.error.exit_code


@dataclass
class Loop:
    """The parts of one run, and the loop that drives them."""

    screen: Screen
    planner: Planner
    grounder: Grounder | None
    executor: Executor
    recorder: Recorder
    registry: ActionRegistry
    approver: Approver = field(default_factory=AutoApprover)
    settler: Settler | None = None
    limits: Limits = field(default_factory=Limits)
    control: RunControl = field(default_factory=RunControl)
    secrets: Secrets = field(default_factory=Secrets)
    stuck: StuckDetector = field(default_factory=StuckDetector)
    ask_user: Callable[[str], str] | None = None
    on_step: Callable[[StepRecord, Usage], None] = lambda record, total: None
    # Asked with the steps so far before each new one; raises to end the run there (scripts).
    before_step: Callable[[Sequence[PastStep]], None] = lambda history: None
    fail_wording: str = "the planner gave up"  # how a `fail` action's reason is introduced
    history: list[PastStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def run(self, task: str, command: list[str], settings: dict[str, Any]) -> RunOutcome:
        task = self.secrets.redact(task)  # a value written in the task: the planner sees {{NAME}}
        run = RunRecord(task=task, command=command, settings=settings, started_at=now_iso())
        self.recorder.start(run)
        self._started = time.monotonic()
        self._last: tuple[Screenshot, str] | None = None  # last executed step: screen, signature
        self._warned_uncounted = False
        error: AgentError | None = None
        try:
            with watch_time(self.limits.max_time, self._elapsed, self.control.run_out):
                answer = self._drive(task)
            shown = self.secrets.redact(answer) if answer is not None else None
            run = run.model_copy(update={"status": "done", "answer": shown})
        except KeyboardInterrupt:
            error = self.control.stopped_error()
        except AgentError as exc:
            error = exc
        except Exception as exc:  # a bug (ours or a plug-in's): still finish the record
            error = AgentError(f"unexpected error: {type(exc).__name__}: {exc}")
            error.__cause__ = exc
        finally:
            with self.control.shielded():  # a second Ctrl+C must not cut the way out short
                self.executor.release_all()
        with self.control.shielded():
            if error is not None:
                reason = self.secrets.redact(str(error))
                run = run.model_copy(update={"status": _status(error), "reason": reason})
            usage = self.usage()
            run = run.model_copy(update={"ended_at": now_iso(), "steps": len(self.history),
                                         "usage": usage,
                                         "cost_usd": self.limits.pricing.known_cost(usage)})
            self.recorder.finish(run)
        return RunOutcome(run, error)

    def usage(self) -> Usage:
        return sum((step.record.usage for step in self.history), Usage())

    def _elapsed(self) -> float:
        """The run's own time so far: not the time a person took to answer it."""
        return time.monotonic() - self._started - self.control.attended()

    def _drive(self, task: str) -> str | None:
        try:
            self._should_stop()  # the fail-safe corner, before anything is asked or done
        except StopRequested:
            raise Stopped("the pointer is on a screen corner (pyautogui's fail-safe, which "
                          "stops runs): move it off the corner and start again") from None
        for index in range(1, self.limits.max_steps + 1):
            self.control.checkpoint()
            self.before_step(self.history)
            self.limits.check(self._elapsed(), self.usage())
            record, action = self._step(index, task)
            if isinstance(action, Done) and record.status == "ok":
                return action.answer
            if isinstance(action, Fail) and record.status == "ok":
                raise TaskFailed(f"{self.fail_wording}: {action.reason}")
        raise TaskFailed(f"budget: max_steps ({self.limits.max_steps}) reached before the task "
                         "was done")

    def _step(self, index: int, task: str) -> tuple[StepRecord, Action | None]:
        record = StepRecord(index=index)
        timings: dict[str, float] = {}
        shot: Screenshot | None = None
        action: Action | None = None
        try:
            with _timed(timings, "capture"):
                shot = self.screen.capture()
                self.recorder.screenshot(index, shot.png())
            self.control.corners = frozenset(shot.desktop.corners())
            self._notice_stuck(shot)
            with _timed(timings, "plan"):
                plan = self.planner.plan(task, self.history, shot, self.notes)
            self.notes = []
            record = _with_reply(record, plan.reply)
            record.usage.planner = plan.usage
            record.reasked = list(plan.reasked)
            self._notice_uncounted(plan.usage)
            action = self._described_without_secrets(plan.reply.action)
            self.control.checkpoint()
            action = self._ground_and_approve(record, action, shot, timings)
            if record.status == "ok" and not isinstance(action, (Done, Fail)):
                self.control.checkpoint()
                with _timed(timings, "execute"):
                    record.outcome = self._execute(action, record.grounding)
                if self.settler is not None:
                    with _timed(timings, "settle"), self.control.acting(action.sends):
                        self.settler.settle(self.control.should_stop)
                if not isinstance(action, (Wait, AskUser)):  # not meant to change the screen
                    self._last = (shot, _signature(action, record.grounding))
        except (GroundingError, ActionError) as exc:
            # The planner hears about it next step and can rephrase or try another way.
            record.status, record.error = "error", str(exc)
        except KeyboardInterrupt:
            record.status, record.error = "stopped", self.control.reason or "Ctrl+C"
            raise
        except AgentError as exc:
            cut_short = isinstance(exc, Stopped) or self.control.stopped  # a budget, too
            record.status = "stopped" if cut_short else "error"
            record.error = str(exc)
            if isinstance(exc, InvalidReplyError):  # the invalid replies were paid for too
                prompt, completion = exc.tokens
                record.usage.planner = TokenUsage(prompt_tokens=prompt,
                                                  completion_tokens=completion)
            raise
        finally:
            record.timings_ms = Timings(**{k: round(v * 1000, 1) for k, v in timings.items()})
            record = self._redacted(record)
            with self.control.shielded():  # the record and the history agree, whatever happens
                self.recorder.step(record)
                self.history.append(PastStep(record, shot.png() if shot is not None else None))
            self.on_step(record, self.usage())
        return record, action

    def _ground_and_approve(
        self, record: StepRecord, action: Action, shot: Screenshot, timings: dict[str, float]
    ) -> Action:
        """Ground the action's targets and ask the approver; an edit re-grounds and asks again."""
        edits: dict[str, Any] = {}
        for _ in range(MAX_EDITS + 1):
            with _timed(timings, "ground"):
                record.grounding = self._ground(action, shot, record.usage)
            with _timed(timings, "approve"), self.control.attending():
                approval = self.approver.review(Proposal(
                    record.index, self.secrets.redact(record.thought),
                    self.secrets.redact(record.instruction), self._shown(action),
                    record.grounding, preview=lambda: self._preview(record, shot),
                    text_under=lambda: text_under(shot, record.grounding),
                    after_edit=bool(edits)))
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
            self.notes.append(f"The user rejected step {record.index} ({action.summary()}): "
                              f"{record.approval.feedback or 'no reason given'}")
        return action

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

    def _preview(self, record: StepRecord, shot: Screenshot) -> Path | None:
        """The screenshot with a crosshair on each point about to be acted on, saved for review."""
        image = shot.image
        for grounding in record.grounding:
            image = crosshair(image, grounding.point)
        return self.recorder.attachment(f"approve-{record.index:04d}.png", encode_png(image))

    def _ground(self, action: Action, shot: Screenshot, usage: Usage) -> list[GroundingRecord]:
        return ground_targets(action, shot, self.grounder, usage)

    def _execute(self, action: Action, grounding: list[GroundingRecord]) -> str | None:
        ctx = ActionContext(
            executor=self.executor,
            points={g.argument: g.screen_point for g in grounding},
            should_stop=self._should_stop,
            ask_user=self._ask_person if self.ask_user is not None else None,
            now_sending=self.control.now_sending,
        )
        self.control.refuse_own_hotkey(action)
        try:
            with self.control.acting(action.sends):
                return self.registry.perform(self._with_secrets(action), ctx)
        except AgentError:
            raise
        except StopRequested as exc:
            raise Stopped(f"stopped by the user: {exc}") from exc
        except Exception as exc:  # an action's own failure is recorded, not a crash
            raise ActionError(f"{action.name} failed: {type(exc).__name__}: {exc}") from exc

    def _ask_person(self, question: str) -> str:
        assert self.ask_user is not None
        with self.control.asking():  # Ctrl+C, SIGTERM and the kill hotkey end the wait
            return self.ask_user(question)

    def _notice_uncounted(self, usage: TokenUsage) -> None:
        """Say once that a token or cost budget cannot count a server that reports no usage."""
        counting = self.limits.max_tokens is not None or self.limits.max_cost is not None
        if counting and not self._warned_uncounted and usage == TokenUsage():
            self._warned_uncounted = True
            self.control.say("agent: warning: the planner server reports no token usage, so "
                             "--max-tokens / --max-cost cannot count its tokens")

    def _should_stop(self) -> bool:
        """Asked between keys and while waiting: the hotkeys and signals, and the pointer in a
        fail-safe corner (an executor that has one raises StopRequested)."""
        check_fail_safe = getattr(self.executor, "check_fail_safe", None)
        if check_fail_safe is not None:
            check_fail_safe()
        return self.control.should_stop()

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
        """The action with any secret value the planner wrote into a target description (read
        off the screen) made its placeholder: the grounder's request never carries a value."""
        data = action.to_json()
        described = {key: self.secrets.redact(value) for key, value in data.items()
                     if key in action.target_fields and isinstance(value, str)}
        if all(data[key] == value for key, value in described.items()):
            return action
        return self.registry.parse({**data, **described})

    def _redacted(self, record: StepRecord) -> StepRecord:
        """The record with any secret value (the planner may have read one) made a placeholder."""
        if not self.secrets:
            return record
        return StepRecord.model_validate(self.secrets.redact_data(record.model_dump(mode="json")))

    def _notice_stuck(self, shot: Screenshot) -> None:
        if self._last is None:
            return
        previous, signature = self._last
        self._last = None
        changed = previous.size != shot.size or visibly_changed(previous.image, shot.image)
        note = self.stuck.observe(signature, changed)
        if note is not None:
            self.notes.append(note)


def ground_targets(
    action: Action, shot: Screenshot, grounder: Grounder | None, usage: Usage | None = None
) -> list[GroundingRecord]:
    """Each target of `action` as a point: described ones grounded, given points taken as they
    are (the grounder skipped); the grounder's tokens are added to `usage`."""
    found = []
    for argument, target in action.targets().items():
        if isinstance(target, Point):
            point, raw = shot.clamp(target.x, target.y), None
            shown: str | dict[str, float] = {"x": target.x, "y": target.y}
        else:
            if grounder is None:
                raise GroundingError(f"no grounder is configured to find {target!r}")
            try:
                grounding = grounder.ground(shot, target)
            except GroundingError as exc:  # an unusable answer was paid for too
                if usage is not None:
                    prompt, completion = exc.tokens
                    usage.grounder = usage.grounder + TokenUsage(
                        prompt_tokens=prompt, completion_tokens=completion)
                raise
            if usage is not None:
                usage.grounder = usage.grounder + grounding.usage
            point, raw, shown = grounding.point, grounding.raw, target
        found.append(GroundingRecord(argument=argument, target=shown, raw=raw, point=point,
                                     screen_point=shot.to_screen(*point)))
    return found


TEXT_UNDER_BOX = (160, 40)  # px around the point: a button's label, not its neighbours


def text_under(shot: Screenshot, grounding: list[GroundingRecord]) -> str:
    """What the screen says around each point about to be acted on ('' without an OCR engine)."""
    try:
        from agent.grounding.ocr.engines import make_engine

        engine = make_engine()
    except AgentError:
        return ""
    half_w, half_h = TEXT_UNDER_BOX[0] // 2, TEXT_UNDER_BOX[1] // 2
    texts = []
    for entry in grounding:
        x, y = entry.point
        box = (max(0, int(x) - half_w), max(0, int(y) - half_h),
               min(shot.size[0], int(x) + half_w), min(shot.size[1], int(y) + half_h))
        try:
            texts += [word.text for word in engine.read(shot.image.crop(box))]
        except Exception:  # OCR is a hint for the risk check; it never fails a step
            continue
    return " ".join(texts)


def _signature(action: Action, grounding: list[GroundingRecord]) -> str:
    points = [g.screen_point for g in grounding]
    return json.dumps(action.to_json(), ensure_ascii=False, sort_keys=True) + (
        f" at {points}" if points else "")


def _final_approval(approval: Approval | None, edits: dict[str, Any]) -> Approval | None:
    """The decision as recorded: an approved edit is `edited`; any decision keeps the edits."""
    if approval is None or not edits:
        return approval
    if approval.decision == "approved":
        return Approval(decision="edited", edited=edits)
    return approval.model_copy(update={"edited": edits})


def _with_reply(record: StepRecord, reply: PlannerReply) -> StepRecord:
    return record.model_copy(update={
        "observation": reply.observation, "thought": reply.thought,
        "instruction": reply.instruction, "action": reply.action.to_json(),
    })


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def _status(error: AgentError) -> str:
    if isinstance(error, Stopped):
        return "stopped"
    if isinstance(error, TaskFailed):
        return "failed"
    return "error"
