"""A run's global kill and pause hotkeys, and takeover detection, with pynput.

`HotkeyListener` watches the keyboard and the mouse from threads of its own and tells a run's
control (agent.safety.control.RunControl) what it saw: a hotkey, the person's input, the pointer
on a fail-safe corner. It holds a key grab (agent.backends.keygrab) so that the chords do not also
reach the focused app. pynput and python-xlib are imported lazily: importing this module needs no
display.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol

from actions.keys import MODIFIERS, parse_chord
from agent.backends.keygrab import KeyGrab
from agent.errors import UsageError

__all__ = ["HotkeyListener", "RunSwitches", "pynput_hotkey"]

_META_KEYSYMS = (0xFFE7, 0xFFE8)  # Meta_L, Meta_R
_PYNPUT_NAMES = {"escape": "esc", "command": "cmd", "win": "cmd", "pageup": "page_up",
                 "pagedown": "page_down", "capslock": "caps_lock", "numlock": "num_lock",
                 "scrolllock": "scroll_lock", "printscreen": "print_screen",
                 "prntscrn": "print_screen"}


class RunSwitches(Protocol):
    """What the listener tells a run (agent.safety.control.RunControl is one)."""

    own_hotkeys: dict[frozenset[str], str]  # chord → "the kill hotkey ctrl+alt+esc"

    def stop(self, reason: str) -> None: ...

    def toggle_pause(self) -> None: ...

    def pointer_moved(self, x: int, y: int) -> None: ...

    def user_input(self, what: str) -> None: ...


def pynput_hotkey(keys: str) -> str:
    """`ctrl+alt+esc` (any spelling the action space takes) → pynput's `<ctrl>+<alt>+<esc>`."""
    try:
        names = sorted(parse_chord(keys), key=lambda name: (name not in MODIFIERS, name))
    except ValueError as exc:
        raise UsageError(f"bad hotkey {keys!r}: {exc}") from None
    return "+".join(name if len(name) == 1 else f"<{_PYNPUT_NAMES.get(name, name)}>"
                    for name in names)


class HotkeyListener:
    """Global kill and pause hotkeys, and takeover detection, with pynput (needs the display).

    One keyboard listener serves both, so pressing a hotkey is never mistaken for a takeover.
    """

    def __init__(self, control: RunSwitches, kill: str, pause: str,
                 watch_takeover: bool) -> None:
        from agent.backends.pyautogui_executor import quiet_xlib

        with quiet_xlib():
            from pynput import keyboard, mouse

        self._control = control
        self._modifiers = {keyboard.Key.ctrl, keyboard.Key.ctrl_l, keyboard.Key.ctrl_r,
                           keyboard.Key.alt, keyboard.Key.alt_l, keyboard.Key.alt_r,
                           keyboard.Key.alt_gr, keyboard.Key.shift, keyboard.Key.shift_l,
                           keyboard.Key.shift_r, keyboard.Key.cmd, keyboard.Key.cmd_l,
                           keyboard.Key.cmd_r}
        self._held: set[Any] = set()
        self._alt = keyboard.Key.alt
        self._watch_takeover = watch_takeover
        hotkeys = {kill: lambda: control.stop(f"kill hotkey {kill}"), pause: control.toggle_pause}
        self._hotkeys = []
        for keys, act in hotkeys.items():
            try:
                self._hotkeys.append(keyboard.HotKey(keyboard.HotKey.parse(pynput_hotkey(keys)),
                                                     act))
            except ValueError as exc:  # a key pynput has no name for
                raise UsageError(f"bad hotkey {keys!r}: {exc}") from None
        control.own_hotkeys = {parse_chord(kill): f"the kill hotkey {kill}",
                               parse_chord(pause): f"the pause hotkey {pause}"}
        self._grab = KeyGrab(control.own_hotkeys)
        self._keyboard: Any = keyboard.Listener(on_press=self._press, on_release=self._release)
        self._listeners: list[Any] = [self._keyboard]
        # Always on: the pointer on a fail-safe corner stops the run even when input is ignored.
        self._listeners.append(mouse.Listener(
            on_move=lambda x, y: control.pointer_moved(int(x), int(y)),
            on_click=lambda *args: control.user_input("mouse")))

    def _meta_is_alt(self, key: Any) -> Any:
        # With shift held, X reports the Alt key as Meta_L/Meta_R: still the kill chord's alt.
        return self._alt if getattr(key, "vk", None) in _META_KEYSYMS else key

    def _press(self, key: Any) -> None:
        key = self._meta_is_alt(key)
        canonical = self._keyboard.canonical(key)
        for hotkey in self._hotkeys:
            hotkey.press(canonical)
        self._held.add(key)
        # A key pressed with a modifier held may be a hotkey; lone modifiers are not typing.
        if self._watch_takeover and not self._held & self._modifiers:
            self._control.user_input("keyboard")

    def _release(self, key: Any) -> None:
        key = self._meta_is_alt(key)
        canonical = self._keyboard.canonical(key)
        for hotkey in self._hotkeys:
            hotkey.release(canonical)
        self._held.discard(key)

    def __enter__(self) -> HotkeyListener:
        from agent.backends.pyautogui_executor import quiet_xlib

        with quiet_xlib():  # the listeners' own X connections print auth noise
            for listener in self._listeners:
                listener.daemon = True
                listener.start()
            for listener in self._listeners:
                listener.wait()  # ready before the first action
        self._grab.__enter__()  # the chords no longer reach the focused app
        return self

    def __exit__(self, *exc: object) -> None:
        self._grab.close()
        for listener in self._listeners:
            listener.stop()
        if any(listener.is_alive() for listener in self._listeners):
            _nudge()
        for listener in self._listeners:
            listener.join(timeout=1.0)  # gone before the display may close


def _nudge() -> None:
    """Send one event of each kind: pynput's X listeners only notice stop() at their next event,
    and would otherwise outlive the run (and fail loudly when a private display closes). The key
    is one no keyboard has (a keycode without symbols: no app acts on it), the pointer moves a
    pixel and back."""
    if not sys.platform.startswith("linux"):  # the other platforms' listeners stop by themselves
        return
    from Xlib import X
    from Xlib import display as xdisplay
    from Xlib.ext import xtest

    from agent.backends.pyautogui_executor import quiet_xlib

    with quiet_xlib():
        connection = xdisplay.Display()
    try:
        keycode = _keycode_without_symbols(connection) or connection.keysym_to_keycode(0xFFE1)
        xtest.fake_input(connection, X.KeyPress, keycode)
        xtest.fake_input(connection, X.KeyRelease, keycode)
        xtest.fake_input(connection, X.MotionNotify, detail=1, x=1, y=0)  # relative
        xtest.fake_input(connection, X.MotionNotify, detail=1, x=-1, y=0)
        connection.sync()
    finally:
        connection.close()


def _keycode_without_symbols(connection: Any) -> int | None:
    first, last = connection.display.info.min_keycode, connection.display.info.max_keycode
    rows = connection.get_keyboard_mapping(first, last - first + 1)
    return next((first + i for i, row in enumerate(rows) if not any(row)), None)
