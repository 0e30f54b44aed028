"""The kill and pause hotkeys kept from the focused app (X11 passive key grabs).

pynput's listener sees every key but cannot keep one from the app in focus: ctrl+alt+p, pressed
to pause a `type` into a text area, would also reach that app (Tk moves the caret up a line on
Control-p) and the text typed after the pause would land elsewhere. A passive grab on the root
window makes the X server deliver the chord to us instead; the listener still sees it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from types import TracebackType
from typing import Any

__all__ = ["KeyGrab"]

_KEYSYM_NAMES = {
    "escape": "Escape", "enter": "Return", "tab": "Tab", "space": "space",
    "backspace": "BackSpace", "delete": "Delete", "insert": "Insert", "home": "Home",
    "end": "End", "pageup": "Prior", "pagedown": "Next", "up": "Up", "down": "Down",
    "left": "Left", "right": "Right", "pause": "Pause", "printscreen": "Print",
    **{f"f{i}": f"F{i}" for i in range(1, 25)},
}


class KeyGrab:
    """Holds a grab of each chord (pyautogui key names) while open; a chord that cannot be
    grabbed (another program holds it, not X11) is left to reach the app, with a warning."""

    def __init__(self, chords: Iterable[frozenset[str]]) -> None:
        self.chords = list(chords)
        self._display: Any = None
        self._grabs: list[tuple[int, int]] = []

    def __enter__(self) -> KeyGrab:
        if sys.platform.startswith("linux"):
            try:
                self._grab()
            except Exception as exc:  # a grab is a nicety: the hotkeys work without it
                print(f"agent: warning: the hotkeys also reach the focused app ({exc})",
                      file=sys.stderr)
                self.close()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _grab(self) -> None:
        from Xlib import X
        from Xlib import display as xdisplay
        from Xlib import error as xerror

        from agent.backends.pyautogui_executor import quiet_xlib

        with quiet_xlib():
            self._display = xdisplay.Display()
        root = self._display.screen().root
        refused = xerror.CatchError(xerror.BadAccess)
        for keys in self.chords:
            grab = self._keycode_and_mask(keys)
            if grab is None:
                continue
            keycode, mask = grab
            for locks in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):  # Caps, NumLock
                root.grab_key(keycode, mask | locks, True, X.GrabModeAsync, X.GrabModeAsync,
                              onerror=refused)
                self._grabs.append((keycode, mask | locks))
        self._display.sync()
        if refused.get_error() is not None:
            raise RuntimeError("another program holds one of the hotkeys")

    def _keycode_and_mask(self, keys: frozenset[str]) -> tuple[int, int] | None:
        from Xlib import XK, X

        masks = {"ctrl": X.ControlMask, "alt": X.Mod1Mask, "shift": X.ShiftMask,
                 "win": X.Mod4Mask, "command": X.Mod4Mask}
        others = [key for key in keys if key not in masks]
        if len(others) != 1:
            return None  # a chord of modifiers only, or of two keys: not a passive grab
        name = _KEYSYM_NAMES.get(others[0], others[0])
        keysym = XK.string_to_keysym(name) or (ord(name) if len(name) == 1 else 0)
        keycode = self._display.keysym_to_keycode(keysym) if keysym else 0
        if not keycode:
            return None
        mask = 0
        for key in keys & masks.keys():
            mask |= masks[key]
        return keycode, mask

    def close(self) -> None:
        if self._display is None:
            return
        root = self._display.screen().root
        for keycode, mask in self._grabs:
            root.ungrab_key(keycode, mask)
        self._grabs = []
        try:
            self._display.sync()
        finally:
            self._display.close()
            self._display = None
