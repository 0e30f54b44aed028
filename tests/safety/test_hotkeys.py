"""agent.backends.hotkeys, and typing while a person presses one of the run's hotkeys."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from actions.keys import parse_chord
from agent.backends.hotkeys import pynput_hotkey
from agent.backends.keygrab import KeyGrab
from agent.backends.xkeyboard import XKeyboard
from agent.errors import UsageError
from tests.safety.test_safety import keys_down, need_xdotool, safety_app, xdotool
from tests.xvfb import using_display


def test_hotkeys_are_spelled_for_pynput() -> None:
    assert pynput_hotkey("ctrl+alt+p") == "<alt>+<ctrl>+p"
    assert pynput_hotkey("Shift+PageUp") == "<shift>+<page_up>"
    with pytest.raises(UsageError, match="bad hotkey"):
        pynput_hotkey("ctrl+nosuchkey")


@pytest.mark.gui
def test_typing_waits_while_a_hotkeys_key_outlasts_its_modifiers(make_display: Any,
                                                                 tmp_path: Path) -> None:
    """A person lets go of ctrl+alt before p (xdotool does the same): while p is down, the grab
    it set off takes every key, so a character typed then would be lost, not merely late."""
    need_xdotool()
    display = make_display(1280, 800)
    with safety_app(display, tmp_path / "app") as app, using_display(display), \
            KeyGrab([parse_chord("ctrl+alt+p")]):
        notes = app.state()["widgets"]["Notes"]
        xdotool(display, "mousemove", str(notes["x"] + 20), str(notes["y"] + 10), "click", "1")
        app.wait_for(lambda s: s["focus"] == "Notes", 10, "focus on Notes")
        xdotool(display, "keydown", "--delay", "0", "ctrl+alt+p")
        xdotool(display, "keyup", "--delay", "0", "ctrl+alt")  # p is still down: grabbed
        typed: list[int] = []
        with XKeyboard(display.name) as keyboard:
            typist = threading.Thread(target=lambda: typed.append(keyboard.type_text("abc")))
            typist.start()
            time.sleep(0.5)
            assert typist.is_alive(), "typed while a key of the hotkey was held"
            xdotool(display, "keyup", "p")
            typist.join(10)
        state = app.settled_state()
    assert typed == [3]
    assert state["fields"]["Notes"] == "abc", [key["keysym"] for key in state["keys"]]
    assert keys_down(display) == []
