"""The SeeAct-V loop with the shipped fakes: outcomes, exit codes, and what the record holds."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from actions import (
    Action,
    ActionContext,
    ActionRegistry,
    DryRunExecutor,
    InputEvent,
    StopRequested,
    builtin_registry,
)
from agent.errors import GroundingError, ModelServerError
from agent.grounding.grounder import Grounding
from agent.planning.planner import PastStep, PlanResult
from agent.records import Approval, TokenUsage
from agent.run.loop import Limits, Loop, RunOutcome
from agent.safety.approval import Proposal
from agent.safety.control import RunControl
from agent.screen import Screenshot
from agent.testing import FixedGrounder, MemoryRecorder, ScriptedPlanner, StaticScreen
from tests.unit_helpers import CountingPlanner, reply_json

PLANNER_USAGE = TokenUsage(prompt_tokens=100, completion_tokens=20)
GROUNDER_USAGE = TokenUsage(prompt_tokens=30, completion_tokens=4)


class SlowCountingGrounder(FixedGrounder):
    """A FixedGrounder that takes a few milliseconds and reports token usage."""

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        time.sleep(0.01)
        found = super().ground(screenshot, description)
        return Grounding(found.point, found.raw, GROUNDER_USAGE)


class SlowPlanner(CountingPlanner):
    def plan(self, task: str, history: Sequence[PastStep], screenshot: Screenshot,
             notes: Sequence[str]) -> PlanResult:
        time.sleep(0.02)
        return super().plan(task, history, screenshot, notes)


class RecordingExecutor(DryRunExecutor):
    """A DryRunExecutor that also counts release_all calls."""

    released: int = 0

    def release_all(self) -> None:
        self.released += 1


def make_loop(planner: Any, **parts: Any) -> Loop:
    parts.setdefault("grounder", FixedGrounder())
    parts.setdefault("executor", RecordingExecutor())
    parts.setdefault("recorder", MemoryRecorder())
    parts.setdefault("registry", builtin_registry())
    return Loop(screen=parts.pop("screen", StaticScreen()), planner=planner, **parts)


def run(loop: Loop, task: str = "book a flight") -> RunOutcome:
    return loop.run(task, ["agent", "run", task], {"max_steps": loop.limits.max_steps})


def recorder_of(loop: Loop) -> MemoryRecorder:
    assert isinstance(loop.recorder, MemoryRecorder)
    return loop.recorder


def events_of(loop: Loop) -> list[InputEvent]:
    assert isinstance(loop.executor, DryRunExecutor)
    return loop.executor.events


WAIT = reply_json({"name": "wait", "seconds": 0})
DONE = reply_json({"name": "done", "answer": "booked"})


# ------------------------------------------------------------------ a whole run


def test_a_scripted_run_ends_done_with_every_step_recorded() -> None:
    planner = SlowPlanner([
        reply_json({"name": "click", "target": "the OK button"}, instruction="Click OK."),
        reply_json({"name": "type", "text": "Tokyo", "target": "the To field", "enter": True}),
        DONE,
    ], PLANNER_USAGE)
    grounder = SlowCountingGrounder({"the OK button": (100.4, 200.6), "the To field": (300, 400)})
    loop = make_loop(planner, grounder=grounder)

    outcome = run(loop)

    assert outcome.exit_code == 0 and outcome.error is None
    assert (outcome.record.status, outcome.record.answer, outcome.record.steps) == (
        "done", "booked", 3)
    recorder = recorder_of(loop)
    assert recorder.finished and recorder.run == outcome.record
    assert [s.index for s in recorder.steps] == [1, 2, 3]
    assert [s.status for s in recorder.steps] == ["ok", "ok", "ok"]
    assert sorted(recorder.screenshots) == [1, 2, 3]
    assert all(png.startswith(b"\x89PNG") for png in recorder.screenshots.values())

    first = recorder.steps[0]
    assert first.instruction == "Click OK."
    assert first.action == {"name": "click", "target": "the OK button", "button": "left"}
    [grounded] = first.grounding
    assert (grounded.argument, grounded.target, grounded.raw) == (
        "target", "the OK button", "(100.4, 200.6)")
    assert grounded.point == (100.4, 200.6)
    assert grounded.screen_point == (100, 201)
    assert recorder.steps[1].grounding[0].screen_point == (300, 400)
    assert recorder.steps[2].grounding == []

    assert events_of(loop) == [
        InputEvent("click", (100, 201, "left", 1)),
        InputEvent("click", (300, 400, "left", 1)),
        InputEvent("type", ("Tokyo",)),
        InputEvent("press", ("enter",)),
    ]
    assert grounder.asked == ["the OK button", "the To field"]


def test_each_step_records_its_timings_and_usage() -> None:
    planner = SlowPlanner([reply_json({"name": "click", "target": "OK"}), DONE], PLANNER_USAGE)
    loop = make_loop(planner, grounder=SlowCountingGrounder())
    outcome = run(loop)
    clicked, done = recorder_of(loop).steps

    assert clicked.timings_ms.plan >= 15 and clicked.timings_ms.ground >= 8
    assert clicked.timings_ms.capture > 0
    assert clicked.usage.planner == PLANNER_USAGE and clicked.usage.grounder == GROUNDER_USAGE
    assert done.usage.planner == PLANNER_USAGE and done.usage.grounder == TokenUsage()
    assert outcome.record.usage.planner == PLANNER_USAGE + PLANNER_USAGE
    assert outcome.record.usage.grounder == GROUNDER_USAGE
    assert outcome.record.usage.total_tokens() == 2 * 120 + 34


class UnusableAnswerGrounder(FixedGrounder):
    """Answers something that is no point, as a model can; the answer still cost tokens."""

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        raise GroundingError("the answer is unusable", (30, 4))


def test_a_grounding_error_is_recorded_with_the_tokens_it_cost() -> None:
    planner = CountingPlanner([reply_json({"name": "click", "target": "OK"}), DONE],
                              PLANNER_USAGE)
    loop = make_loop(planner, grounder=UnusableAnswerGrounder())
    outcome = run(loop)
    failed, _ = recorder_of(loop).steps
    assert failed.status == "error" and failed.error == "the answer is unusable"
    assert failed.usage.grounder == GROUNDER_USAGE
    assert outcome.record.usage.grounder == GROUNDER_USAGE


def test_the_planner_sees_the_task_and_the_growing_history() -> None:
    planner = ScriptedPlanner([reply_json({"name": "click", "target": "OK"}), WAIT, DONE])
    run(make_loop(planner), task="open the settings")
    assert [c.task for c in planner.calls] == ["open the settings"] * 3
    assert [len(c.history) for c in planner.calls] == [0, 1, 2]
    assert planner.calls[2].history[0].record.action == {"name": "click", "target": "OK",
                                                         "button": "left"}
    assert planner.calls[1].history[0].png is not None
    assert planner.calls[0].size == (1280, 800)
    planner.assert_complete()


def test_on_step_is_called_with_each_finished_step() -> None:
    seen: list[int] = []
    loop = make_loop(ScriptedPlanner([WAIT, DONE]), on_step=lambda r, total: seen.append(r.index))
    run(loop)
    assert seen == [1, 2]


def test_the_run_record_keeps_task_command_and_settings() -> None:
    loop = make_loop(ScriptedPlanner([DONE]))
    outcome = loop.run("a task", ["agent", "run", "a task"], {"max_steps": 4})
    assert outcome.record.task == "a task"
    assert outcome.record.command == ["agent", "run", "a task"]
    assert outcome.record.settings == {"max_steps": 4}
    assert outcome.record.started_at and outcome.record.ended_at


# ------------------------------------------------------------------ how runs end


def test_fail_ends_the_run_failed_with_exit_code_1() -> None:
    loop = make_loop(ScriptedPlanner([WAIT, reply_json({"name": "fail", "reason": "no seats"})]))
    outcome = run(loop)
    assert outcome.exit_code == 1
    assert outcome.record.status == "failed"
    assert outcome.record.reason is not None and "no seats" in outcome.record.reason
    assert outcome.record.answer is None
    assert recorder_of(loop).run == outcome.record and recorder_of(loop).finished


def test_max_steps_exhausted_fails_with_a_reason() -> None:
    planner = ScriptedPlanner([WAIT, WAIT, WAIT])
    loop = make_loop(planner, limits=Limits(max_steps=2))
    outcome = run(loop)
    assert outcome.exit_code == 1
    assert outcome.record.status == "failed"
    assert outcome.record.reason is not None and "max_steps (2)" in outcome.record.reason
    assert len(planner.calls) == 2 and outcome.record.steps == 2


def test_max_tokens_stops_before_the_step_that_would_exceed_it() -> None:
    planner = CountingPlanner([WAIT, WAIT, WAIT, DONE], PLANNER_USAGE)  # 120 tokens per step
    loop = make_loop(planner, limits=Limits(max_tokens=200))
    outcome = run(loop)
    assert outcome.exit_code == 1 and outcome.record.status == "failed"
    assert outcome.record.reason is not None and "max_tokens (200)" in outcome.record.reason
    assert len(planner.calls) == 2  # 240 tokens used after two steps


def test_max_time_stops_the_run() -> None:
    class Slow(ScriptedPlanner):
        def plan(self, *args: Any) -> PlanResult:
            time.sleep(0.05)
            return super().plan(*args)

    loop = make_loop(Slow([WAIT] * 20), limits=Limits(max_time=0.01))
    outcome = run(loop)
    assert outcome.record.status == "failed" and outcome.exit_code == 1
    assert outcome.record.reason is not None and "max_time" in outcome.record.reason
    assert outcome.record.steps == 1  # checked before each step: the first one took 50 ms


# ------------------------------------------------------------------ errors inside a step


def test_a_grounding_error_is_a_step_error_and_the_run_goes_on() -> None:
    planner = ScriptedPlanner([reply_json({"name": "click", "target": "the missing button"}),
                               DONE])
    loop = make_loop(planner, grounder=FixedGrounder(points={}, default=None))
    outcome = run(loop)

    assert outcome.record.status == "done" and outcome.exit_code == 0
    failed = recorder_of(loop).steps[0]
    assert failed.status == "error"
    assert failed.error is not None and "the missing button" in failed.error
    assert events_of(loop) == []
    seen = planner.calls[1].history[0].record
    assert seen.status == "error" and seen.error == failed.error


class PreparingGrounder(FixedGrounder):
    """Notes, in order, the screenshots it was asked to prepare and to ground on."""

    def __init__(self, seen: list[str]) -> None:
        super().__init__()
        self.seen = seen

    def prepare(self, screenshot: Screenshot) -> None:
        self.seen.append(f"prepare {id(screenshot)}")

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        self.seen.append(f"ground {id(screenshot)}")
        return super().ground(screenshot, description)


class SeeingPlanner(ScriptedPlanner):
    def __init__(self, replies: list[str], seen: list[str]) -> None:
        super().__init__(replies)
        self.seen = seen

    def plan(self, task: str, history: Sequence[PastStep], screenshot: Screenshot,
             notes: Sequence[str]) -> PlanResult:
        self.seen.append(f"plan {id(screenshot)}")
        return super().plan(task, history, screenshot, notes)


def test_the_grounder_may_start_on_each_screenshot_before_the_planner_answers() -> None:
    seen: list[str] = []
    planner = SeeingPlanner([reply_json({"name": "click", "target": "the OK button"}), DONE],
                            seen)
    run(make_loop(planner, grounder=PreparingGrounder(seen)))
    first, second = (entry.split()[1] for entry in seen if entry.startswith("plan"))
    assert seen == [f"prepare {first}", f"plan {first}", f"ground {first}",
                    f"prepare {second}", f"plan {second}"]


def test_a_description_target_without_a_grounder_is_a_step_error() -> None:
    loop = make_loop(ScriptedPlanner([reply_json({"name": "click", "target": "OK"}), DONE]),
                     grounder=None)
    outcome = run(loop)
    assert outcome.record.status == "done"
    assert recorder_of(loop).steps[0].status == "error"
    assert "no grounder" in (recorder_of(loop).steps[0].error or "")


class Explode(Action):
    """Do something that fails."""

    name: ClassVar[str] = "explode"


def explode(action: Explode, ctx: ActionContext) -> None:
    raise RuntimeError("the widget fell off")


def registry_with_explode() -> ActionRegistry:
    registry = builtin_registry()
    registry.register(Explode, explode)
    return registry


def test_an_exception_in_a_user_action_is_a_recorded_action_error() -> None:
    registry = registry_with_explode()
    planner = ScriptedPlanner([reply_json({"name": "explode"}), DONE], registry)
    loop = make_loop(planner, registry=registry)
    outcome = run(loop)

    assert outcome.record.status == "done"
    step = recorder_of(loop).steps[0]
    assert step.status == "error"
    assert step.error == "explode failed: RuntimeError: the widget fell off"
    assert planner.calls[1].history[0].record.error == step.error


def test_an_ask_user_answer_reaches_the_next_planner_call() -> None:
    planner = ScriptedPlanner([reply_json({"name": "ask_user", "question": "Which date?"}), DONE])
    loop = make_loop(planner, ask_user=lambda question: "next Friday")
    run(loop)
    outcome = planner.calls[1].history[0].record.outcome
    assert outcome is not None and "next Friday" in outcome


# ------------------------------------------------------------------ stopping


class InterruptingExecutor(RecordingExecutor):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def click(self, x: int, y: int, button: Any = "left", clicks: int = 1) -> None:
        raise self.error


def test_ctrl_c_in_the_executor_stops_the_run_with_exit_130() -> None:
    executor = InterruptingExecutor(KeyboardInterrupt())
    planner = ScriptedPlanner([WAIT, reply_json({"name": "click", "target": "OK"}), DONE])
    loop = make_loop(planner, executor=executor)
    outcome = run(loop)

    assert outcome.exit_code == 130
    assert outcome.record.status == "stopped"
    recorder = recorder_of(loop)
    assert recorder.finished and recorder.run is not None and recorder.run.status == "stopped"
    assert [s.status for s in recorder.steps] == ["ok", "stopped"]
    assert len(planner.calls) == 2
    assert executor.released >= 1


def test_a_stop_request_in_the_executor_stops_the_run_with_exit_130() -> None:
    executor = InterruptingExecutor(StopRequested("fail-safe corner"))
    loop = make_loop(ScriptedPlanner([reply_json({"name": "click", "target": "OK"})]),
                     executor=executor)
    outcome = run(loop)
    assert outcome.exit_code == 130 and outcome.record.status == "stopped"
    assert recorder_of(loop).steps[0].status == "stopped"
    assert "fail-safe corner" in (recorder_of(loop).steps[0].error or "")


def test_release_all_is_called_when_a_run_ends_normally() -> None:
    executor = RecordingExecutor()
    run(make_loop(ScriptedPlanner([DONE]), executor=executor))
    assert executor.released == 1


# ------------------------------------------------------------------ approval


class RejectFirst:
    """Rejects the first proposal with feedback, approves the rest."""

    def __init__(self, feedback: str) -> None:
        self.feedback = feedback
        self.proposals: list[Proposal] = []

    def review(self, proposal: Proposal) -> Approval | None:
        self.proposals.append(proposal)
        if len(self.proposals) == 1:
            return Approval(decision="rejected", feedback=self.feedback)
        return Approval(decision="approved")


def test_a_rejected_action_is_not_executed_and_the_feedback_reaches_the_planner() -> None:
    approver = RejectFirst("that is the Cancel button")
    planner = ScriptedPlanner([
        reply_json({"name": "click", "target": "the Cancel button"}),
        reply_json({"name": "click", "target": "the OK button"}),
        DONE,
    ])
    loop = make_loop(planner, approver=approver,
                     grounder=FixedGrounder({"the Cancel button": (10, 10),
                                             "the OK button": (50, 60)}))
    outcome = run(loop)

    assert outcome.record.status == "done"
    assert events_of(loop) == [InputEvent("click", (50, 60, "left", 1))]
    rejected = recorder_of(loop).steps[0]
    assert rejected.status == "rejected"
    assert rejected.approval == Approval(decision="rejected", feedback="that is the Cancel button")
    assert planner.calls[0].notes == ()
    assert any("that is the Cancel button" in note for note in planner.calls[1].notes)
    assert planner.calls[2].notes == ()  # a note is delivered once
    assert recorder_of(loop).steps[1].approval == Approval(decision="approved")
    assert approver.proposals[0].grounding[0].screen_point == (10, 10)


def test_a_rejected_done_does_not_end_the_run() -> None:
    planner = ScriptedPlanner([reply_json({"name": "done", "answer": "too early"}), DONE])
    outcome = run(make_loop(planner, approver=RejectFirst("not yet")))
    assert outcome.record.answer == "booked"
    assert len(planner.calls) == 2


class AbortFirst:
    def review(self, proposal: Proposal) -> Approval | None:
        return Approval(decision="aborted")


def test_an_aborted_approval_is_never_executed_and_stops_the_run() -> None:
    # BUG (agent/run/loop.py Loop._step): only decision == "rejected" skips execution; an Approval
    # with decision "aborted" (a CONTRACTS §6 value) from a custom Approver is executed anyway.
    planner = ScriptedPlanner([reply_json({"name": "click", "target": "Delete account"}), DONE])
    loop = make_loop(planner, approver=AbortFirst())
    outcome = run(loop)
    assert events_of(loop) == []
    assert outcome.exit_code == 130 and outcome.record.status == "stopped"
    assert recorder_of(loop).steps[0].approval == Approval(decision="aborted")


# ------------------------------------------------------------------ point targets


def test_point_targets_skip_the_grounder() -> None:
    grounder = FixedGrounder()
    planner = ScriptedPlanner([reply_json({"name": "click", "target": {"x": 640.5, "y": 399.2}}),
                               DONE])
    loop = make_loop(planner, grounder=grounder)
    run(loop)

    assert grounder.asked == []
    [grounded] = recorder_of(loop).steps[0].grounding
    assert grounded.target == {"x": 640.5, "y": 399.2}
    assert grounded.raw is None
    assert grounded.point == (640.5, 399.2)
    assert grounded.screen_point == (641, 399)
    assert events_of(loop) == [InputEvent("click", (641, 399, "left", 1))]


def test_point_targets_work_without_a_grounder_and_are_clamped() -> None:
    planner = ScriptedPlanner([reply_json({"name": "drag", "source": {"x": -20, "y": 5},
                                           "destination": {"x": 5000, "y": 400}}), DONE])
    loop = make_loop(planner, grounder=None)
    run(loop)
    source, destination = recorder_of(loop).steps[0].grounding
    assert source.point == (0.0, 5.0) and destination.point == (1279.0, 400.0)
    assert events_of(loop) == [InputEvent("drag", ((0, 5), (1279, 400)))]


# ------------------------------------------------------------------ model server failures


class FailingPlanner(ScriptedPlanner):
    """Answers from the script, then raises `error` once it runs out."""

    def __init__(self, replies: list[str], error: Exception) -> None:
        super().__init__(replies)
        self.error = error

    def plan(self, task: str, history: Sequence[PastStep], screenshot: Screenshot,
             notes: Sequence[str]) -> PlanResult:
        if len(self.calls) == len(self.replies):
            raise self.error
        return super().plan(task, history, screenshot, notes)


def test_a_planner_server_failure_ends_with_exit_3_and_the_record_intact() -> None:
    planner = FailingPlanner([reply_json({"name": "click", "target": "OK"})],
                             ModelServerError("the planner server at http://x/v1 timed out"))
    loop = make_loop(planner)
    outcome = run(loop)

    assert outcome.exit_code == 3
    assert isinstance(outcome.error, ModelServerError)
    assert outcome.record.status == "error"
    assert outcome.record.reason == "the planner server at http://x/v1 timed out"
    recorder = recorder_of(loop)
    assert recorder.finished and recorder.run == outcome.record
    assert [s.status for s in recorder.steps] == ["ok", "error"]
    assert recorder.steps[0].grounding[0].screen_point == (10, 10)
    assert "timed out" in (recorder.steps[1].error or "")
    assert outcome.record.steps == 2


def test_an_unexpected_exception_still_finishes_the_run_record() -> None:
    # BUG (agent/run/loop.py Loop.run): only AgentError and KeyboardInterrupt are caught, so any
    # other exception (a bug in a user's planner or action code, a parser crash) skips
    # recorder.finish: run.json stays "running" with no ended_at forever.
    planner = FailingPlanner([WAIT], RuntimeError("bug in a custom planner"))
    loop = make_loop(planner)
    with contextlib.suppress(RuntimeError):
        run(loop)
    recorder = recorder_of(loop)
    assert recorder.finished
    assert recorder.run is not None and recorder.run.status == "error"
    assert recorder.run.ended_at is not None


def test_an_unknown_secret_placeholder_is_an_error_not_typed() -> None:
    typed = reply_json({"name": "type", "text": "{{NOPE}}", "target": "OK"})
    loop = make_loop(ScriptedPlanner([typed, DONE]))
    run(loop)
    step = recorder_of(loop).steps[0]
    assert step.status == "error" and "unknown secret {{NOPE}}" in (step.error or "")
    assert not [e for e in loop.executor.events if e.kind == "type"]  # type: ignore[attr-defined]


def test_a_token_budget_says_once_when_the_planner_reports_no_usage() -> None:
    said: list[str] = []
    planner = ScriptedPlanner([WAIT, WAIT, DONE])  # reports no tokens, as some servers do
    loop = make_loop(planner, limits=Limits(max_tokens=1000),
                     control=RunControl(say=said.append))
    assert run(loop).exit_code == 0
    assert len([line for line in said if "reports no token usage" in line]) == 1
    quiet: list[str] = []
    run(make_loop(ScriptedPlanner([WAIT, DONE]), control=RunControl(say=quiet.append)))
    assert quiet == []  # no token budget: nothing to say


class PersonMovesTheMouseWhileTyping(RecordingExecutor):
    """Types one character at a time; half-way, the person moves the mouse."""

    control: RunControl | None = None

    def type_text(self, text: str, should_stop: Callable[[], bool]) -> None:
        for index, char in enumerate(text):
            if should_stop():
                return
            if index == len(text) // 2 and self.control is not None:
                time.sleep(0.15)  # well after the click: its own pointer events are in
                self.control.user_input("mouse")
            self.events.append(InputEvent("type", (char,)))


def test_the_mouse_moved_while_a_type_types_is_a_takeover() -> None:
    """`type` clicks its field (mouse and keys are its own), then sends keys only."""
    executor = PersonMovesTheMouseWhileTyping()
    loop = make_loop(ScriptedPlanner([reply_json({"name": "type", "text": "abcdefgh",
                                                  "target": "the box"}), DONE]),
                     executor=executor, control=RunControl("stop"))
    executor.control = loop.control
    outcome = run(loop)
    assert outcome.exit_code == 130 and "took over (mouse)" in str(outcome.error)
    assert "".join(str(e.args[0]) for e in executor.events if e.kind == "type") == "abcde"


class PointerInACorner(RecordingExecutor):
    def check_fail_safe(self) -> None:
        raise StopRequested("the pointer reached a screen corner (pyautogui fail-safe)")


def test_a_run_started_with_the_pointer_in_a_corner_says_so_before_anything_happens() -> None:
    planner = ScriptedPlanner([DONE])
    outcome = run(make_loop(planner, executor=PointerInACorner()))
    assert outcome.exit_code == 130
    assert "the pointer is on a screen corner" in str(outcome.error)
    assert "move it off the corner" in str(outcome.error)
    assert planner.calls == []


def test_one_loop_runs_two_tasks_each_from_an_empty_history() -> None:
    planner = ScriptedPlanner([reply_json({"name": "wait", "seconds": 0}),
                               reply_json({"name": "done", "answer": "one"}),
                               reply_json({"name": "done", "answer": "two"})])
    loop = make_loop(planner)
    first, second = run(loop, "first task"), run(loop, "second task")
    assert (first.record.answer, first.record.steps) == ("one", 2)
    assert (second.record.answer, second.record.steps) == ("two", 1)
    recorder = recorder_of(loop)
    [earlier] = recorder.earlier
    assert [s.index for s in earlier.steps] == [1, 2] and earlier.run == first.record
    assert [s.index for s in recorder.steps] == [1] and recorder.run == second.record
    assert [(c.task, len(c.history)) for c in planner.calls] == [
        ("first task", 0), ("first task", 1), ("second task", 0)]
    planner.assert_complete()
