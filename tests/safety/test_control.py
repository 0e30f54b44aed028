"""RunControl: which input is a takeover, and pausing mid-action."""

from __future__ import annotations

import threading
import time

import pytest

from actions import Hotkey, Press
from actions.keys import parse_chord
from agent.errors import ActionError
from agent.safety.control import RunControl


def control(policy: str = "stop") -> tuple[RunControl, list[str]]:
    said: list[str] = []
    return RunControl(policy, say=said.append), said  # type: ignore[arg-type]


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


def test_should_stop_waits_while_paused() -> None:
    run, said = control("pause")
    run.toggle_pause()
    threading.Timer(0.3, run.toggle_pause).start()
    started = time.monotonic()
    assert run.should_stop() is False
    assert time.monotonic() - started >= 0.25, "should_stop returned while paused"
    assert said[-1] == "agent: resumed"


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
