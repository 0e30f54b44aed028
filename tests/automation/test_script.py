"""Scripts without a display: the file format, its validation, and the scripted loop (fakes)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from actions import Click, DryRunExecutor, Point, Press, Type
from agent.automation.script import load_script, parse_script, parse_vars
from agent.automation.script_run import scripted_settings
from agent.automation.scripted import (
    AssertVisible,
    NeverStuck,
    ScriptPlanner,
    ScriptStep,
    WaitFor,
    describe,
    script_registry,
)
from agent.cli.common import redacted_command
from agent.errors import GroundingError, TaskFailed, UsageError
from agent.grounding.grounder import Grounding
from agent.records import Approval, StepRecord
from agent.run.grounding import ground_within
from agent.run.loop import Limits, Loop, RunOutcome
from agent.safety.approval import Proposal
from agent.safety.secrets import Secrets
from agent.screen import Screenshot
from agent.settings import Settings
from agent.testing import FixedGrounder, MemoryRecorder, StaticScreen

EXAMPLE = """
name: book a flight
vars: {city: Tokyo}
steps:
  - type: {text: Boston, target: the From text field}
  - type: {text: "${city}", target: the To text field}
  - click: {target: the Search flights button}
  - wait_for: {target: the Book now button, timeout: 10}
  - assert_visible: {target: Booked}
"""


def parse(text: str, **kwargs: Any) -> Any:
    kwargs.setdefault("secrets", Secrets())
    return parse_script(text, "flow.yaml", **kwargs)


# --------------------------------------------------------------------------- the file


def test_the_contract_example_parses_into_typed_actions() -> None:
    script = parse(EXAMPLE)
    assert script.name == "book a flight"
    actions = [step.action for step in script.steps]
    assert actions == [
        Type(text="Boston", target="the From text field"),
        Type(text="Tokyo", target="the To text field"),
        Click(target="the Search flights button"),
        WaitFor(target="the Book now button", timeout=10),
        AssertVisible(target="Booked"),
    ]
    assert [step.label for step in script.steps] == [f"step {n}" for n in range(1, 6)]


def test_vars_are_overridden_by_flags_and_dollar_dollar_is_literal() -> None:
    text = ('vars: {city: Tokyo, n: 2}\nsteps:\n  - type: {text: "${city} $${city} x${n}"}\n')
    (step,) = parse(text, variables=parse_vars(["city=Paris"])).steps
    assert step.action == Type(text="Paris ${city} x2")


def test_shorthand_arguments_and_a_single_key() -> None:
    text = "steps:\n  - click: the OK button\n  - press: enter\n  - wait: 0.5\n  - done:\n"
    actions = [step.action for step in parse(text).steps]
    assert actions[0] == Click(target="the OK button")
    assert actions[1] == Press(keys=["enter"])
    assert [a.name for a in actions[2:]] == ["wait", "done"]


def test_a_script_says_which_variables_it_uses() -> None:
    text = ('name: to ${city}\nvars: {city: Tokyo, seat: 1A}\n'
            'steps:\n  - type: {text: "${who} $${seat}"}\n')
    script = parse(text, variables={"who": "Ada", "unused": "x"})
    assert script.used_vars == {"city", "who"}


def test_the_name_defaults_to_the_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "my-flow.yaml"
    path.write_text("steps:\n  - press: enter\n", encoding="utf-8")
    assert load_script(path, secrets=Secrets()).name == "my-flow"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("steps: [", "not valid YAML"),
        ("- click: x\n", "a mapping with `steps:`"),
        ("steps: []\n", "non-empty list"),
        ("steps:\n  - press: enter\ntitle: x\n", "unknown key(s) title"),
        ("vars: [1]\nsteps:\n  - press: enter\n", "`vars:` must be a mapping"),
        ("steps:\n  - press: enter\n  - {click: a, press: b}\n", "step 2: a step is a one-key"),
        ("steps:\n  - press: enter\n  - klick: {target: a}\n", "step 2: unknown action 'klick'"),
        ("steps:\n  - scroll: {direction: sideways}\n", "step 1: invalid arguments for scroll"),
        ("steps:\n  - click: {taget: a}\n", "step 1: invalid arguments for click"),
        ("steps:\n  - press: [enter, nokey]\n", "step 1: invalid arguments for press"),
        ("steps:\n  - press: enter\n  - type: {text: '${who}'}\n",
         "step 2: unknown variable ${who}"),
        ("steps:\n  - type: {text: '{{PIN}}'}\n", "step 1: the secret {{PIN}} has no value"),
        ("steps:\n  - click: {target: 'row {{PIN}}'}\n", "step 1: the secret {{PIN}} cannot be"),
        ("steps:\n  - wait_for: {target: x, timeout: 0}\n", "step 1: invalid arguments"),
    ],
)
def test_mistakes_are_usage_errors_naming_the_step(text: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse(text)
    assert message in str(info.value)
    assert str(info.value).startswith("flow.yaml")
    assert "\n" not in str(info.value), "one line (CONTRACTS §2)"


def test_a_secret_with_a_value_is_accepted_and_kept_as_placeholder() -> None:
    text = "steps:\n  - type: {text: '{{pin}}', target: the PIN field}\n"
    (step,) = parse(text, secrets=Secrets({"PIN": "4711"})).steps
    assert step.action == Type(text="{{pin}}", target="the PIN field")


def test_bad_var_flags() -> None:
    assert parse_vars(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_vars(["novalue"])


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read script"):
        load_script(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("action", "text"),
    [
        (Click(target="the Save button"), "click the Save button"),
        (Click(target="the row", button="right"), "right-click the row"),
        (Type(text="Tokyo", target="the To field"), 'type "Tokyo" into the To field'),
        (Type(text="hi"), 'type "hi"'),
        (Press(keys=["tab", "enter"]), "press tab, enter"),
        (Click(target=Point(x=3, y=4.5)), "click (3, 4.5)"),
        (WaitFor(target="Done", timeout=5), "wait for Done (at most 5 s)"),
        (AssertVisible(target="Booked"), "check that Booked is visible"),
    ],
)
def test_describe(action: Any, text: str) -> None:
    assert describe(action) == text


def test_settings_for_scripts_default_to_no_approval_unless_set() -> None:
    steps = [ScriptStep(Press(keys=["a"]), "step 1")]
    assert scripted_settings(Settings(), steps).approve == "never"
    assert scripted_settings(Settings(), steps).max_steps == 2
    assert scripted_settings(Settings(approve="always"), steps).approve == "always"
    assert scripted_settings(Settings(), steps).risk.ask_before_done is False


def test_the_recorded_command_hides_keys_and_secret_values() -> None:
    command = ["agent", "script", "f.yaml", "--grounder-api-key", "sk-1", "--grounder-api-key=sk-2",
               "--secret", "PIN=4711", "--secret=PIN=4711", "--var", "note=4711"]
    shown = redacted_command(command, Secrets({"PIN": "4711"}))
    assert "sk-1" not in shown and "--grounder-api-key=***" in shown
    assert not any("4711" in arg for arg in shown), shown
    assert "note={{PIN}}" in shown


# --------------------------------------------------------------------------- the scripted loop


def scripted_loop(steps: list[ScriptStep], grounder: Any, **parts: Any) -> Loop:
    planner = ScriptPlanner(steps, Path("/runs/x"))
    return Loop(
        screen=parts.pop("screen", StaticScreen()),
        planner=planner,
        grounder=grounder,
        executor=parts.pop("executor", DryRunExecutor()),
        recorder=MemoryRecorder(),
        registry=script_registry(),
        limits=Limits(max_steps=len(steps) + 1),
        ends_at=planner.failed_step,
        fail_wording=planner.fail_wording,
        **parts,
    )


def recorded(loop: Loop) -> list[StepRecord]:
    recorder = loop.recorder
    assert isinstance(recorder, MemoryRecorder)
    return recorder.steps


def run(loop: Loop) -> RunOutcome:
    return loop.run("a script", ["agent", "script", "f.yaml"], {})


def steps_of(text: str, secrets: Secrets | None = None) -> list[ScriptStep]:
    return list(parse(text, secrets=secrets or Secrets()).steps)


def test_a_script_runs_its_steps_in_order_then_done() -> None:
    grounder = FixedGrounder({"the From text field": (100, 50), "the Go button": (200, 60)})
    executor = DryRunExecutor()
    loop = scripted_loop(steps_of(
        "steps:\n  - type: {text: Boston, target: the From text field}\n"
        "  - click: the Go button\n  - assert_visible: the Go button\n"), grounder,
        executor=executor)
    outcome = run(loop)
    assert outcome.exit_code == 0, outcome.error
    assert [(e.kind, e.args) for e in executor.events] == [
        ("click", (100, 50, "left", 1)), ("type", ("Boston",)), ("click", (200, 60, "left", 1))]
    recorder = loop.recorder
    assert isinstance(recorder, MemoryRecorder)
    assert [s.instruction for s in recorder.steps] == [
        'type "Boston" into the From text field', "click the Go button",
        "check that the Go button is visible", "the script is complete"]
    assert [s.action["name"] for s in recorder.steps if s.action] == [
        "type", "click", "assert_visible", "done"]
    assert recorder.steps[2].grounding[0].point == (200, 60)
    assert recorder.run is not None and recorder.run.status == "done"


def test_a_failing_step_stops_the_script_with_its_number_and_screenshot() -> None:
    grounder = FixedGrounder({"the Go button": (5, 5)}, default=None)
    executor = DryRunExecutor()
    loop = scripted_loop(steps_of(
        "steps:\n  - click: the Go button\n  - assert_visible: Booked\n  - click: the Go button\n"),
        grounder, executor=executor)
    outcome = run(loop)
    assert isinstance(outcome.error, TaskFailed) and outcome.exit_code == 1
    message = str(outcome.error)
    assert message.startswith("step 2 (check that Booked is visible) failed: ")
    assert "FixedGrounder knows no point for 'Booked'" in message
    assert message.endswith("screenshot: /runs/x/step-0002.png")
    assert len(executor.events) == 1  # step 3 never ran
    assert outcome.record.status == "failed"
    assert [(s.index, s.status) for s in recorded(loop)] == [(1, "ok"), (2, "error")]


def test_a_rejected_step_stops_the_script() -> None:
    class Rejecting:
        def review(self, proposal: Proposal) -> Approval | None:
            return Approval(decision="rejected", feedback="not now")

    loop = scripted_loop(steps_of("steps:\n  - press: enter\n"), FixedGrounder(),
                         approver=Rejecting())
    outcome = run(loop)
    assert "step 1 (press enter) failed: rejected at the approval prompt: not now" in str(
        outcome.error)


class RejectDone:
    """Asks about everything; rejects `done`."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def review(self, proposal: Proposal) -> Approval | None:
        self.asked.append(proposal.action.name)
        return Approval(decision="rejected") if proposal.action.name == "done" else None


def test_the_closing_done_is_never_asked_about() -> None:
    approver = RejectDone()
    loop = scripted_loop(steps_of("steps:\n  - press: enter\n"), FixedGrounder(),
                         approver=approver)
    assert run(loop).exit_code == 0
    assert approver.asked == ["press"]
    assert [s.action["name"] for s in recorded(loop) if s.action] == ["press", "done"]


def test_a_done_written_in_the_script_is_asked_about() -> None:
    approver = RejectDone()
    loop = scripted_loop(steps_of("steps:\n  - press: enter\n  - done: {answer: ok}\n"),
                         FixedGrounder(), approver=approver)
    outcome = run(loop)
    assert approver.asked == ["press", "done"]
    assert str(outcome.error) == ('step 2 (finish: ok) failed: rejected at the approval prompt: '
                                  'no reason given; screenshot: /runs/x/step-0002.png')
    assert len(recorded(loop)) == 2


def test_a_fail_step_is_recorded_and_says_the_script_failed_not_a_planner() -> None:
    executor = DryRunExecutor()
    loop = scripted_loop(steps_of("steps:\n  - press: enter\n  - fail: {reason: no seats}\n"
                                  "  - press: tab\n"), FixedGrounder(), executor=executor)
    outcome = run(loop)
    assert isinstance(outcome.error, TaskFailed)
    assert str(outcome.error) == "the script says fail: no seats"
    assert outcome.record.reason == "the script says fail: no seats"
    assert len(executor.events) == 1
    steps = recorded(loop)
    assert [step.action["name"] for step in steps] == ["press", "fail"]
    assert steps[-1].action["reason"] == "no seats" and steps[-1].status == "ok"


def test_steps_that_repeat_on_purpose_are_not_taken_for_a_stuck_run() -> None:
    text = "steps:\n" + "  - press: down\n  - press: up\n" * 3
    assert run(scripted_loop(steps_of(text), FixedGrounder(), stuck=NeverStuck())).exit_code == 0
    stuck = run(scripted_loop(steps_of(text), FixedGrounder()))  # what a planner run would do
    assert "stuck" in str(stuck.error)


def test_secrets_are_typed_but_recorded_as_placeholders() -> None:
    secrets = Secrets({"PIN": "4711"})
    executor = DryRunExecutor()
    loop = scripted_loop(steps_of("steps:\n  - type: {text: 'pin {{PIN}}', target: the box}\n",
                                  secrets), FixedGrounder(), executor=executor, secrets=secrets)
    assert run(loop).exit_code == 0
    assert ("type", ("pin 4711",)) in [(e.kind, e.args) for e in executor.events]
    recorder = loop.recorder
    assert isinstance(recorder, MemoryRecorder)
    assert "4711" not in recorder.steps[0].model_dump_json()
    assert recorder.steps[0].action == {"name": "type", "text": "pin {{PIN}}",
                                        "target": "the box", "enter": False}


class AppearsLater:
    """A grounder that finds nothing until it has been asked `misses` times (like OCR)."""

    def __init__(self, misses: int) -> None:
        self.misses = misses
        self.asked = 0

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        self.asked += 1
        if self.asked <= self.misses:
            raise GroundingError(f"{description!r} is not on the screen")
        return Grounding((7.0, 8.0), "found")


def test_wait_for_polls_until_the_target_appears() -> None:
    inner = AppearsLater(misses=2)
    screen = StaticScreen()
    loop = scripted_loop(steps_of("steps:\n  - wait_for: {target: Ready, timeout: 5}\n"),
                         inner, screen=screen)
    assert run(loop).exit_code == 0
    assert inner.asked == 3


class AppearsAt:
    """A grounder that finds nothing until `seconds` after its first question."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.first: float | None = None

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        self.first = self.first or time.monotonic()
        if time.monotonic() - self.first < self.seconds:
            raise GroundingError(f"{description!r} is not on the screen")
        return Grounding((7.0, 8.0), "found")


def test_wait_for_looks_until_its_timeout_has_passed() -> None:
    screen = StaticScreen()
    found = ground_within(AppearsAt(0.55), "Ready", 0.6, screen.capture(), screen.capture)
    assert found.raw == "found"  # it appeared just before the deadline
    started = time.monotonic()
    with pytest.raises(GroundingError, match=r"did not appear within 0\.6 s"):
        ground_within(AppearsAt(9), "Ready", 0.6, screen.capture(), screen.capture)
    assert time.monotonic() - started >= 0.6, "gave up before the timeout"


def test_wait_for_gives_up_after_its_timeout_and_other_steps_do_not_wait() -> None:
    inner = AppearsLater(misses=100)
    screen = StaticScreen()
    loop = scripted_loop(steps_of("steps:\n  - wait_for: {target: Ready, timeout: 0.6}\n"),
                         inner, screen=screen)
    outcome = run(loop)
    assert "'Ready' did not appear within 0.6 s" in str(outcome.error)
    assert 2 <= inner.asked <= 4
    inner.asked = 0
    loop = scripted_loop(steps_of("steps:\n  - click: Ready\n"), inner, screen=screen)
    assert "step 1 (click Ready) failed" in str(run(loop).error)
    assert inner.asked == 1


def test_scripts_verify_by_default_and_a_step_may_opt_out() -> None:
    steps = parse("steps:\n  - click: {target: the OK button, verify: false}\n"
                  "  - click: the OK button\n"
                  "  - type: {text: hi, target: the box, verify: true}\n").steps
    assert [step.verify for step in steps] == [False, True, True]
    assert steps[0].action == Click(target="the OK button")
    assert scripted_settings(Settings(), steps).verify == "warn"
    assert scripted_settings(Settings(verify="strict"), steps).verify == "strict"
    with pytest.raises(UsageError, match="step 1: verify must be true or false, not 'no'"):
        parse("steps:\n  - click: {target: the OK button, verify: 'no'}\n")
