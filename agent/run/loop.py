"""The SeeAct-V loop: capture → plan → (the step pipeline) → record, until done or out of budget.

`Loop` holds the parts of a run; each `run(task)` starts from an empty history in a `TaskRun`
made for that task, so one loop (or one `Agent`) runs many tasks independently. Each step goes
through the one `StepPipeline` (agent/run/step.py) that every surface uses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from actions import Action, ActionRegistry, AskUser, Done, Executor, Fail, StopRequested, Wait
from agent.errors import AgentError, InvalidReplyError, Stopped, TaskFailed
from agent.grounding.grounder import Grounder
from agent.planning.native.base import UnsupportedAction
from agent.planning.planner import PastStep, Planner
from agent.records import GroundingRecord, RunRecord, StepRecord, TokenUsage, Usage
from agent.run.settle import Settler, visibly_changed
from agent.run.step import Choice, StepPipeline, Verify
from agent.rundir.recorder import Recorder, now_iso
from agent.safety.approval import Approver, AutoApprover
from agent.safety.budget import Limits, watch_time
from agent.safety.control import RunControl
from agent.safety.secrets import Secrets
from agent.safety.stuck import StuckDetector
from agent.screen import Screen, Screenshot

__all__ = ["Limits", "Loop", "RunOutcome", "TaskRun", "status_of"]


@dataclass(frozen=True)
class RunOutcome:
    record: RunRecord
    error: AgentError | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.error is None else self.error.exit_code


def _goes_on(record: StepRecord) -> AgentError | None:
    return None


@dataclass
class Loop:
    """The parts of a run. `ends_at` is asked after each step and may end the run there (a
    script ends at its first step that did not go through); `fail_wording` introduces a `fail`
    action's reason."""

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
    ends_at: Callable[[StepRecord], AgentError | None] = _goes_on
    fail_wording: str = "the planner gave up"
    patient: bool = True  # False (dry runs): `wait_for` looks once
    verify: Verify = "off"

    def pipeline(self) -> StepPipeline:
        """The step pipeline made of these parts (one per run: parts set since then count)."""
        return StepPipeline(
            screen=self.screen, grounder=self.grounder, executor=self.executor,
            registry=self.registry, recorder=self.recorder, approver=self.approver,
            settler=self.settler, control=self.control, secrets=self.secrets,
            ask_user=self.ask_user, patient=self.patient, verify=self.verify, read_ahead=True)

    def run(self, task: str, command: list[str], settings: dict[str, Any]) -> RunOutcome:
        """Carry out `task` from an empty history; the record goes to `recorder`."""
        return TaskRun(self, task).run(command, settings)


class TaskRun:
    """One task's run: its history, notes for the planner, stuck detection and clock."""

    def __init__(self, loop: Loop, task: str) -> None:
        self.loop = loop
        self.task = loop.secrets.redact(task)  # a secret's value in the task: shown as {{NAME}}
        self.pipeline = loop.pipeline()
        self.stuck = loop.stuck.fresh()
        self.history: list[PastStep] = []
        self.notes: list[str] = []
        self._last: tuple[Screenshot, str] | None = None  # last executed step: screen, signature
        self._shot: Screenshot | None = None  # this step's
        self._started = time.monotonic()
        self._warned_uncounted = False

    def run(self, command: list[str], settings: dict[str, Any]) -> RunOutcome:
        loop, control = self.loop, self.loop.control
        run = RunRecord(task=self.task, command=command, settings=settings, started_at=now_iso())
        loop.recorder.start(run)
        self._started = time.monotonic()
        error: AgentError | None = None
        try:
            with watch_time(loop.limits.max_time, self._elapsed, control.run_out):
                answer = self._drive()
            shown = loop.secrets.redact(answer) if answer is not None else None
            run = run.model_copy(update={"status": "done", "answer": shown})
        except KeyboardInterrupt:
            error = control.stopped_error()
        except AgentError as exc:
            error = exc
        except Exception as exc:  # a bug (ours or a plug-in's): still finish the record
            error = AgentError(f"unexpected error: {type(exc).__name__}: {exc}")
            error.__cause__ = exc
        finally:
            with control.shielded():  # a second Ctrl+C must not cut the way out short
                loop.executor.release_all()
        with control.shielded():
            if error is not None:
                reason = loop.secrets.redact(str(error))
                run = run.model_copy(update={"status": status_of(error), "reason": reason})
            usage = self.usage()
            run = run.model_copy(update={"ended_at": now_iso(), "steps": len(self.history),
                                         "usage": usage,
                                         "cost_usd": loop.limits.pricing.known_cost(usage)})
            loop.recorder.finish(run)
        return RunOutcome(run, error)

    def usage(self) -> Usage:
        return sum((step.record.usage for step in self.history), Usage())

    def _elapsed(self) -> float:
        """The run's own time so far: not the time a person took to answer it."""
        return time.monotonic() - self._started - self.loop.control.attended()

    def _drive(self) -> str | None:
        loop = self.loop
        try:
            self.pipeline.should_stop()  # the fail-safe corner, before anything is asked or done
        except StopRequested:
            raise Stopped("the pointer is on a screen corner (pyautogui's fail-safe, which "
                          "stops runs): move it off the corner and start again") from None
        for index in range(1, loop.limits.max_steps + 1):
            loop.control.checkpoint()
            if self.history and (ended := loop.ends_at(self.history[-1].record)) is not None:
                raise ended
            loop.limits.check(self._elapsed(), self.usage())
            outcome = self.pipeline.step(index, self._plan, self._remember)
            record, action = outcome.record, outcome.action
            if record.status == "rejected" and action is not None:
                feedback = record.approval.feedback if record.approval is not None else None
                self.notes.append(f"The user rejected step {index} ({action.summary()}): "
                                  f"{feedback or 'no reason given'}")
            if record.status == "ok" and action is not None:
                if isinstance(action, Done):
                    return action.answer
                if isinstance(action, Fail):
                    raise TaskFailed(f"{loop.fail_wording}: {action.reason}")
                if not isinstance(action, (Wait, AskUser)) and self._shot is not None:
                    # not meant to change the screen: no stuck check after them
                    self._last = (self._shot, _signature(action, record.grounding))
        raise TaskFailed(f"budget: max_steps ({loop.limits.max_steps}) reached before the task "
                         "was done")

    def _plan(self, shot: Screenshot, record: StepRecord) -> Choice:
        """The planner's choice for this step, its monologue and usage put in `record`."""
        self._shot = shot
        self._notice_stuck(shot)
        try:
            plan = self.loop.planner.plan(self.task, self.history, shot, self.notes)
        except (InvalidReplyError, UnsupportedAction) as exc:  # those replies were paid for too
            prompt, completion = exc.tokens
            record.usage.planner = TokenUsage(prompt_tokens=prompt, completion_tokens=completion)
            raise
        self.notes = []
        reply = plan.reply
        record.observation, record.thought = reply.observation, reply.thought
        record.instruction = reply.instruction
        record.usage.planner = plan.usage
        record.reasked = list(plan.reasked)
        record.reasoning = plan.reasoning
        self._notice_uncounted(plan.usage)
        return Choice(reply.action, review=plan.review, raw=plan.raw, verify=plan.verify)

    def _remember(self, record: StepRecord, shot: Screenshot | None) -> None:
        """Every recorded step joins the history (the planner sees it next) and is shown."""
        self.history.append(PastStep(record, shot.png() if shot is not None else None))
        self.loop.on_step(record, self.usage())

    def _notice_uncounted(self, usage: TokenUsage) -> None:
        """Say once that a token or cost budget cannot count a server that reports no usage."""
        limits = self.loop.limits
        counting = limits.max_tokens is not None or limits.max_cost is not None
        if counting and not self._warned_uncounted and usage == TokenUsage():
            self._warned_uncounted = True
            self.loop.control.say("agent: warning: the planner server reports no token usage, "
                                  "so --max-tokens / --max-cost cannot count its tokens")

    def _notice_stuck(self, shot: Screenshot) -> None:
        if self._last is None:
            return
        previous, signature = self._last
        self._last = None
        changed = previous.size != shot.size or visibly_changed(previous.image, shot.image)
        note = self.stuck.observe(signature, changed)
        if note is not None:
            self.notes.append(note)


def _signature(action: Action, grounding: list[GroundingRecord]) -> str:
    points = [g.screen_point for g in grounding]
    return json.dumps(action.to_json(), ensure_ascii=False, sort_keys=True) + (
        f" at {points}" if points else "")


def status_of(error: BaseException) -> str:
    """How a run that ended with `error` is recorded in run.json (CONTRACTS §6)."""
    if isinstance(error, (Stopped, KeyboardInterrupt)):
        return "stopped"
    if isinstance(error, TaskFailed):
        return "failed"
    return "error"
