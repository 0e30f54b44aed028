"""The default executor: pyautogui for the mouse and keys, exact Unicode typing on X11."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from actions.executor import FAIL_SAFE_REASON, Button, Direction, StopRequested

__all__ = ["PyAutoGUIExecutor", "quiet_xlib"]

DOUBLE_CLICK_SECONDS = 0.5
_SCROLL_SIGN = {"up": 1, "down": -1, "left": -1, "right": 1}
_MODIFIERS = ("shift", "ctrl", "alt", "win", "command", "option")


@contextmanager
def quiet_xlib() -> Iterator[None]:
    # python-xlib prints "no xauthority details available" to stdout when connecting to a
    # display that needs no cookie (Xvfb, most local sessions); that line is noise in our output.
    with contextlib.redirect_stdout(io.StringIO()):
        yield


@contextmanager
def _fail_safe(gui: Any) -> Iterator[None]:
    try:
        yield
    except gui.FailSafeException as exc:
        raise StopRequested(FAIL_SAFE_REASON) from exc


class PyAutoGUIExecutor:
    """Real input. Import it only once a display is chosen: pyautogui connects at import time."""

    def __init__(self) -> None:
        with quiet_xlib():
            import pyautogui

        self._gui: Any = pyautogui
        pyautogui.PAUSE = 0  # its 0.1 s sleep after every call; the loop settles instead
        pyautogui.FAILSAFE = True  # the pointer in a screen corner stops everything
        self._held_keys: set[str] = set()
        self._last_click: tuple[float, int, int, str] | None = None
        self._held_buttons: set[str] = set()
        self._keyboard: Any = None
        if sys.platform.startswith("linux") and os.environ.get("DISPLAY"):
            from agent.backends.xkeyboard import XKeyboard

            with quiet_xlib():
                self._keyboard = XKeyboard()

    def click(self, x: int, y: int, button: Button = "left", clicks: int = 1) -> None:
        with _fail_safe(self._gui):
            self._not_a_double_click(x, y, button)
            interval = 0.05 if clicks > 1 else 0.0  # a double click needs two distinct clicks
            self._gui.click(x, y, clicks=clicks, button=button, interval=interval)
            self._last_click = (time.monotonic(), x, y, button)

    def _not_a_double_click(self, x: int, y: int, button: str) -> None:
        # Two single clicks on one spot within the toolkit's double-click time (Tk: 500 ms)
        # would select a word, and typing would replace it: wait out the rest of that time.
        if self._last_click is None:
            return
        at, last_x, last_y, last_button = self._last_click
        remaining = DOUBLE_CLICK_SECONDS - (time.monotonic() - at)
        near = max(abs(x - last_x), abs(y - last_y)) <= 5
        if remaining > 0 and button == last_button and near:
            time.sleep(remaining)

    def move(self, x: int, y: int) -> None:
        with _fail_safe(self._gui):
            self._gui.moveTo(x, y)

    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        with _fail_safe(self._gui):
            self._gui.moveTo(*start)
            self._gui.mouseDown(button="left")
            self._held_buttons.add("left")
            try:
                # A short glide: toolkits only start a drag after motion events between the ends.
                self._gui.moveTo(*end, duration=0.2)
            finally:
                self._gui.mouseUp(button="left")
                self._held_buttons.discard("left")

    def scroll(self, direction: Direction, amount: int, at: tuple[int, int] | None) -> None:
        with _fail_safe(self._gui):
            x, y = at if at is not None else (None, None)
            clicks = _SCROLL_SIGN[direction] * amount
            if direction in ("up", "down"):
                self._gui.scroll(clicks, x=x, y=y)
            else:
                self._gui.hscroll(clicks, x=x, y=y)

    def type_text(self, text: str, should_stop: Callable[[], bool]) -> None:
        with _fail_safe(self._gui):
            if self._keyboard is not None:
                self._keyboard.type_text(text, should_stop)
            elif text.isascii():
                for char in text:
                    if should_stop():
                        return
                    self._gui.write(char)
            else:  # macOS and Windows: pynput sends Unicode characters there
                from pynput.keyboard import Controller

                keyboard = Controller()
                for char in text:
                    if should_stop():
                        return
                    keyboard.type(char)

    def check_fail_safe(self) -> None:
        """StopRequested when the pointer is in a fail-safe corner: pyautogui only looks on its
        own calls, and typing and waiting make none."""
        with _fail_safe(self._gui):
            self._gui.failSafeCheck()

    def press(self, key: str) -> None:
        with _fail_safe(self._gui):
            self._gui.press(key)

    def hotkey(self, keys: Sequence[str]) -> None:
        with _fail_safe(self._gui):
            pressed: list[str] = []
            try:
                for key in keys:
                    self._held_keys.add(key)  # before the press: release_all must know it
                    pressed.append(key)
                    self._gui.keyDown(key)
            finally:
                for key in reversed(pressed):
                    self._gui.keyUp(key)
                    self._held_keys.discard(key)

    def release_all(self) -> None:
        # Runs on every way out, the fail-safe corner included, so the fail-safe is off meanwhile.
        failsafe, self._gui.FAILSAFE = self._gui.FAILSAFE, False
        try:
            for key in (*self._held_keys, *_MODIFIERS):
                self._gui.keyUp(key)
            for button in self._held_buttons:
                self._gui.mouseUp(button=button)
        finally:
            self._gui.FAILSAFE = failsafe
            self._held_keys.clear()
            self._held_buttons.clear()
