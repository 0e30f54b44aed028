"""RunControl: which input is a takeover, and pausing mid-action."""

from __future__ import annotations

import threading

import pytest

from actions import Hotkey, Press
from actions.keys import parse_chord
from agent.errors import ActionError
from agent.safety.control import RunControl


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def control(policy: str = "stop",
            clock: FakeClock | None = None) -> tuple[RunControl, list[str]]:
    said: list[str] = []
    run = RunControl(policy, say=said.append, clock=clock or FakeClock())  # type: ignore[arg-type]
    return run, said


def test_input_between_actions_is_a_takeover() -> None:
    run, _ = control()
    run.user_input("mouse")
    assert run.should_stop() and "took over (mouse)" in (run.reason or "")


def test_answering_a_question_is_not_a_takeover() -> None:
    run, _ = control()
    with run.attending():
        run.user_input("keyboard")
        run.user_input("mouse")
    assert not run.should_stop()


def test_the_answers_late_events_are_no_takeover_but_after_them_input_is() -> None:
    clock = FakeClock()
    run, _ = control(clock=clock)
    with run.attending():
        run.user_input("keyboard")  # the person types "y", Enter
    clock.advance(0.1)
    run.user_input("keyboard")  # Enter's release arrives after the answer was read
    assert not run.should_stop()
    clock.advance(1.0)
    run.user_input("keyboard")
    assert run.should_stop()


def test_a_question_nobody_answered_leaves_no_blind_spot() -> None:
    """`--approve never` consults the approver at every step, and nobody is asked: the person's
    input right after it is theirs (a click's own input sends no keys)."""
    clock = FakeClock()
    run, _ = control(clock=clock)
    with run.attending():
        pass
    clock.advance(0.01)
    with run.acting({"mouse"}):
        run.user_input("keyboard")
    assert run.should_stop() and "took over (keyboard)" in (run.reason or "")


def test_only_input_of_a_kind_the_action_sends_is_ours() -> None:
    clicking, _ = control()
    with clicking.acting({"mouse"}):
        clicking.user_input("mouse")
        assert not clicking.should_stop()
        clicking.user_input("keyboard")  # the person typed while we clicked
    assert clicking.should_stop()
    waiting, _ = control()
    with waiting.acting(()):  # a wait sends nothing: any input is the person's
        waiting.user_input("mouse")
    assert waiting.should_stop()


def test_our_own_input_arriving_late_is_no_takeover() -> None:
    """Synthetic events reach the listeners a little after the action that sent them."""
    clock = FakeClock()
    run, _ = control(clock=clock)
    with run.acting({"mouse"}):
        pass
    clock.advance(0.2)
    run.user_input("mouse")  # our click, late
    assert not run.should_stop()
    run.user_input("keyboard")  # the action sent no keys: the person's
    assert run.should_stop() and "took over (keyboard)" in (run.reason or "")


def test_input_after_the_late_window_is_a_takeover() -> None:
    clock = FakeClock()
    run, _ = control(clock=clock)
    with run.acting({"mouse", "keyboard"}):
        pass
    clock.advance(1.0)
    run.user_input("mouse")
    assert run.should_stop() and "took over (mouse)" in (run.reason or "")


def test_a_type_after_its_click_gives_the_mouse_back_soon() -> None:
    """`now_sending` (a `type` after its click): the click's own events come within a short
    window, shorter than the one after a whole action; the mouse is the person's after it."""
    clock = FakeClock()
    run, _ = control(clock=clock)
    with run.acting({"mouse", "keyboard"}):
        run.now_sending({"keyboard"})
        clock.advance(0.05)
        run.user_input("mouse")  # the click's own event
        assert not run.should_stop()
        clock.advance(0.15)
        run.user_input("keyboard")  # the keys we type
        assert not run.should_stop()
        run.user_input("mouse")  # 0.2 s after the click: the person
    assert run.should_stop() and "took over (mouse)" in (run.reason or "")


def test_time_spent_asking_a_person_is_counted_and_their_typing_ends_softly() -> None:
    clock = FakeClock()
    run, _ = control(clock=clock)
    clock.advance(3.0)
    with run.attending():
        clock.advance(5.0)
        assert run.attended() == pytest.approx(5.0)
        with run.attending():  # nested: one question, counted once
            clock.advance(1.0)
    assert run.attended() == pytest.approx(6.0)
    clock.advance(4.0)
    assert run.attended() == pytest.approx(6.0), "time after the answer is the run's"
    with run.attending():
        clock.advance(2.0)
    assert run.attended() == pytest.approx(8.0)
    clock.advance(0.2)
    run.user_input("keyboard")  # the answer's last key, late
    assert not run.should_stop()
    clock.advance(0.2)
    run.user_input("keyboard")
    assert run.should_stop()


def test_should_stop_waits_while_paused() -> None:
    run, said = control("pause")
    run.toggle_pause()
    answers: list[bool] = []
    waiter = threading.Thread(target=lambda: answers.append(run.should_stop()), daemon=True)
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive() and answers == [], "should_stop returned while paused"
    run.toggle_pause()
    waiter.join(10)
    assert answers == [False]
    assert said[-1] == "agent: resumed"


def test_a_stop_ends_the_wait_of_a_paused_run() -> None:
    run, _ = control("pause")
    run.toggle_pause()
    answers: list[bool] = []
    waiter = threading.Thread(target=lambda: answers.append(run.should_stop()), daemon=True)
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive(), "should_stop returned while paused"
    run.stop("kill hotkey ctrl+alt+esc", interrupt=False)
    waiter.join(10)
    assert answers == [True]


def test_the_pointer_on_a_fail_safe_corner_stops_even_a_paused_run() -> None:
    run, said = control("pause")
    run.corners = frozenset({(0, 0), (1279, 799)})
    run.pointer_moved(640, 400)  # the person takes over: paused
    assert said == ["agent: paused: you took over (mouse); press the pause hotkey to resume"]
    run.pointer_moved(1279, 799)
    assert run.should_stop() and "corner" in (run.reason or "")
    assert len(said) == 1, "the corner is no second takeover"


def test_the_pointer_off_the_corners_is_only_a_takeover() -> None:
    run, _ = control("ignore")
    run.corners = frozenset({(0, 0)})
    run.pointer_moved(1, 0)
    assert not run.should_stop()


def test_the_agent_may_not_press_the_runs_own_hotkeys() -> None:
    run, _ = control()
    run.own_hotkeys = {parse_chord("ctrl+alt+p"): "the pause hotkey ctrl+alt+p"}
    with pytest.raises(ActionError, match="is the pause hotkey ctrl\\+alt\\+p"):
        run.refuse_own_hotkey(Hotkey(keys=["alt", "ctrlleft", "p"]))
    run.refuse_own_hotkey(Hotkey(keys=["ctrl", "p"]))  # another chord
    run.refuse_own_hotkey(Press(keys=["ctrl", "alt", "p"]))  # one after another: no chord
