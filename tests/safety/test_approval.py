"""Approval in the loop (CONTRACTS §7): edits are asked again and recorded; secrets stay hidden."""

from __future__ import annotations

import io

import pytest

from actions import Action, Click, Hotkey, Type, Wait
from agent.records import Approval
from agent.safety.approval import Proposal, RiskPolicy, TerminalApprover, parse_answer
from agent.safety.secrets import Secrets
from agent.testing import FixedGrounder, MemoryRecorder, ScriptedPlanner
from tests.run.test_loop import RecordingExecutor, make_loop, recorder_of, run
from tests.unit_helpers import reply_json

PAY = reply_json({"name": "click", "target": "the Pay now button"})
DONE = reply_json({"name": "done"})
POINTS = {"the Pay now button": (100.0, 50.0), "the Show details button": (300.0, 50.0)}


def approve(answers: str, planner: ScriptedPlanner,
            **parts: object) -> tuple[list[str], tuple[MemoryRecorder, RecordingExecutor]]:
    said: list[str] = []
    approver = TerminalApprover("risky", stdin=io.StringIO(answers), say=said.append)
    executor = RecordingExecutor()
    loop = make_loop(planner, approver=approver, executor=executor,
                     grounder=FixedGrounder(POINTS), **parts)
    run(loop)
    return said, (recorder_of(loop), executor)


def prompts(said: list[str]) -> int:
    return sum(line.startswith("approve?") for line in said)


def test_an_edit_is_asked_again_even_when_it_is_no_longer_risky() -> None:
    said, (recorder, executor) = approve(
        "e target=the Show details button\ny\ny\n", ScriptedPlanner([PAY, DONE]))
    assert prompts(said) == 3, said  # the edited click, though harmless, is shown once more
    step = recorder.steps[0]
    assert step.approval is not None and step.approval.decision == "edited"
    assert step.approval.edited == {"target": "the Show details button"}
    assert [e.args[:2] for e in executor.events if e.kind == "click"] == [(300, 50)]


def test_a_rejection_after_an_edit_keeps_the_edit() -> None:
    _, (recorder, executor) = approve(
        "e target=the Show details button\nn not that either\ny\n", ScriptedPlanner([PAY, DONE]))
    step = recorder.steps[0]
    assert step.status == "rejected" and step.approval is not None
    assert step.approval.decision == "rejected" and step.approval.feedback == "not that either"
    assert step.approval.edited == {"target": "the Show details button"}
    assert not [e for e in executor.events if e.kind == "click"]


def test_an_edit_of_an_argument_the_action_lacks_is_explained_and_asked_again() -> None:
    said, (recorder, _) = approve("e text=hello\ny\ny\n", ScriptedPlanner([PAY, DONE]))
    assert any("click has no argument 'text'" in line for line in said), said
    step = recorder.steps[0]
    assert step.approval is not None and step.approval.decision == "approved"
    assert step.action is not None and step.action["target"] == "the Pay now button"


def test_the_prompt_shows_secret_values_as_placeholders() -> None:
    value = "hunter2xyz"
    typed = reply_json({"name": "type", "text": value, "target": "the Pay now button",
                        "enter": True},
                       thought=f"the password is {value}")
    said, _ = approve("y\ny\n", ScriptedPlanner([typed, DONE]), secrets=Secrets({"PW": value}))
    assert prompts(said) == 2
    assert not any(value in line for line in said), said
    assert any("{{PW}}" in line for line in said), said


@pytest.mark.parametrize(("keys", "risky"), [
    (["alt", "f4"], True), (["ctrl", "w"], True), (["shift", "ctrl", "w"], True),
    (["ctrl", "f4"], True), (["command", "q"], True), (["ctrl", "c"], False),
    (["ctrl", "shift", "t"], False), (["ctrlleft", "w"], True), (["altright", "F4"], True),
    (["control", "q"], True),
])
def test_closing_hotkeys_are_risky_in_any_order(keys: list[str], risky: bool) -> None:
    assert (RiskPolicy().reason(Hotkey(keys=keys)) is not None) is risky


def test_typing_where_the_screen_says_password_is_risky() -> None:
    typed = Type(text="x", target={"x": 10, "y": 10})
    assert RiskPolicy().reason(typed) is None
    assert "password" in (RiskPolicy().reason(typed, "Password") or "")


def test_typing_a_secret_is_risky_wherever_it_goes() -> None:
    assert RiskPolicy().reason(Type(text="{{PW}}")) == "typing the secret {{PW}}"
    assert RiskPolicy().reason(Type(text="hello {{ CARD_NO }}")) == "typing the secret {{CARD_NO}}"


def test_configured_hotkeys_are_read_in_any_spelling() -> None:
    policy = RiskPolicy(risky_hotkeys=("control+s", "cmd+q"))
    assert policy.reason(Hotkey(keys=["ctrl", "s"])) is not None
    assert policy.reason(Hotkey(keys=["command", "q"])) is not None
    assert policy.reason(Hotkey(keys=["ctrl", "w"])) is None  # the list replaced the default
    with pytest.raises(ValueError, match="unknown key 'banana'"):
        RiskPolicy(risky_hotkeys=("ctrl+banana",))


def test_a_configured_list_replaces_the_default_one() -> None:
    policy = RiskPolicy(risky_words=("details",))
    assert policy.reason(Click(target="the Show details button")) is not None
    assert policy.reason(Click(target="the Pay now button")) is None


def test_an_edit_that_makes_the_action_invalid_is_explained_and_asked_again() -> None:
    typed = Type(text="hi", target="the box")
    with pytest.raises(ValueError, match="enter='banana' does not fit type"):
        parse_answer("e enter=banana", typed)
    assert parse_answer("e enter=true", typed) == Approval(decision="edited",
                                                          edited={"enter": "true"})


@pytest.mark.parametrize(("action", "choices"), [
    (Type(text="hi", target="the box"), "[e]dit target=<…> or text=<…> /"),
    (Click(target="the box"), "[e]dit target=<…> /"),
    (Wait(seconds=1), "/ [q]uit"),
])
def test_the_prompt_offers_only_the_edits_the_action_has(action: Action, choices: str) -> None:
    said: list[str] = []
    approver = TerminalApprover("always", stdin=io.StringIO("y\n"), say=said.append)
    approver.review(Proposal(1, "", "", action, []))
    [prompt] = [line for line in said if line.startswith("approve?")]
    assert choices in prompt and (isinstance(action, (Type, Click)) or "[e]dit" not in prompt)
