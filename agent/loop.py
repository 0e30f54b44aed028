"""The SeeAct-V loop: capture → plan → ground → approve → execute → settle → record."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from actions import (
    Action,
    ActionContext,
    ActionRegistry,
    Done,
    Executor,
    Fail,
    Point,
    StopRequested,
)
from agent.approval import Approver, AutoApprover, Proposal
from agent.errors import ActionError, AgentError, GroundingError, Stopped, TaskFailed
from agent.grounder import Grounder
from agent.planner import PastStep, Planner
from agent.recorder import Recorder, now_iso
from agent.records import GroundingRecord, PlannerReply, RunRecord, StepRecord, Timings, Usage
from agent.screen import Screen, Screenshot
from agent.settle import Settler

__all__ = ["Limits", "Loop", "RunOutcome"]


@dataclass(frozen=True)
class Limits:
    max_steps: int = 30
    max_time: float | None = None
    max_tokens: int | None = None


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
    ask_user: Callable[[str], str] | None = None
    on_step: Callable[[StepRecord], None] = lambda record: None
    history: list[PastStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def run(self, task: str, command: list[str], settings: dict[str, Any]) -> RunOutcome:
        run = RunRecord(task=task, command=command, settings=settings, started_at=now_iso())
        self.recorder.start(run)
        self._started = time.monotonic()
        error: AgentError | None = None
        try:
            answer = self._drive(task)
            run = run.model_copy(update={"status": "done", "answer": answer})
        except KeyboardInterrupt:
            error = Stopped("stopped by the user (Ctrl+C)")
        except AgentError as exc:
            error = exc
        except Exception as exc:  # a bug (ours or a plug-in's): still finish the record
            error = AgentError(f"unexpected error: {type(exc).__name__}: {exc}")
            error.__cause__ = exc
        finally:
            self.executor.release_all()
        if error is not None:
            run = run.model_copy(update={"status": _status(error), "reason": str(error)})
        usage = sum((s.record.usage for s in self.history), Usage())
        run = run.model_copy(update={"ended_at": now_iso(), "steps": len(self.history),
                                     "usage": usage})
        self.recorder.finish(run)
        return RunOutcome(run, error)

    def _drive(self, task: str) -> str | None:
        for index in range(1, self.limits.max_steps + 1):
            self._check_budgets()
            record, action = self._step(index, task)
            if isinstance(action, Done) and record.status == "ok":
                return action.answer
            if isinstance(action, Fail) and record.status == "ok":
                raise TaskFailed(f"the planner gave up: {action.reason}")
        raise TaskFailed(f"max_steps ({self.limits.max_steps}) reached before the task was done")

    def _check_budgets(self) -> None:
        elapsed = time.monotonic() - self._started
        if self.limits.max_time is not None and elapsed > self.limits.max_time:
            raise TaskFailed(f"max_time ({self.limits.max_time:g} s) reached")
        tokens = sum(s.record.usage.total_tokens() for s in self.history)
        if self.limits.max_tokens is not None and tokens >= self.limits.max_tokens:
            raise TaskFailed(f"max_tokens ({self.limits.max_tokens}) reached: {tokens} used")

    def _step(self, index: int, task: str) -> tuple[StepRecord, Action | None]:
        record = StepRecord(index=index)
        timings: dict[str, float] = {}
        shot: Screenshot | None = None
        action: Action | None = None
        try:
            with _timed(timings, "capture"):
                shot = self.screen.capture()
                self.recorder.screenshot(index, shot.png())
            with _timed(timings, "plan"):
                plan = self.planner.plan(task, self.history, shot, self.notes)
            self.notes = []
            record = _with_reply(record, plan.reply)
            record.usage.planner = plan.usage
            action = plan.reply.action
            with _timed(timings, "ground"):
                record.grounding = self._ground(action, shot, record.usage)
            with _timed(timings, "approve"):
                record.approval = self.approver.review(Proposal(
                    index, record.thought, record.instruction, action, record.grounding))
            if record.approval is not None and record.approval.decision == "aborted":
                raise Stopped("aborted at the approval prompt")
            if record.approval is not None and record.approval.decision == "rejected":
                record.status = "rejected"
                self.notes.append(f"The user rejected step {index} ({action.summary()}): "
                                  f"{record.approval.feedback or 'no reason given'}")
            elif not isinstance(action, (Done, Fail)):
                with _timed(timings, "execute"):
                    record.outcome = self._execute(action, record.grounding)
                if self.settler is not None:
                    with _timed(timings, "settle"):
                        self.settler.settle()
        except (GroundingError, ActionError) as exc:
            # The planner hears about it next step and can rephrase or try another way.
            record.status, record.error = "error", str(exc)
        except (AgentError, KeyboardInterrupt) as exc:
            stopped = isinstance(exc, (Stopped, KeyboardInterrupt))
            record.status, record.error = ("stopped" if stopped else "error"), str(exc) or None
            raise
        finally:
            record.timings_ms = Timings(**{k: round(v * 1000, 1) for k, v in timings.items()})
            self.recorder.step(record)
            self.history.append(PastStep(record, shot.png() if shot is not None else None))
            self.on_step(record)
        return record, action

    def _ground(self, action: Action, shot: Screenshot, usage: Usage) -> list[GroundingRecord]:
        found = []
        for argument, target in action.targets().items():
            if isinstance(target, Point):
                point, raw = shot.clamp(target.x, target.y), None
                shown: str | dict[str, float] = {"x": target.x, "y": target.y}
            else:
                if self.grounder is None:
                    raise GroundingError(f"no grounder is configured to find {target!r}")
                grounding = self.grounder.ground(shot, target)
                usage.grounder = usage.grounder + grounding.usage
                point, raw, shown = grounding.point, grounding.raw, target
            found.append(GroundingRecord(argument=argument, target=shown, raw=raw, point=point,
                                         screen_point=shot.to_screen(*point)))
        return found

    def _execute(self, action: Action, grounding: list[GroundingRecord]) -> str | None:
        ctx = ActionContext(
            executor=self.executor,
            points={g.argument: g.screen_point for g in grounding},
            ask_user=self.ask_user,
        )
        try:
            return self.registry.perform(action, ctx)
        except AgentError:
            raise
        except StopRequested as exc:
            raise Stopped(f"stopped by the user: {exc}") from exc
        except Exception as exc:  # an action's own failure is recorded, not a crash
            raise ActionError(f"{action.name} failed: {type(exc).__name__}: {exc}") from exc


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
