"""Key names: pyautogui's, with the aliases models write ("Enter", "Ctrl", "cmd", "Return")."""

from __future__ import annotations

import string
from collections.abc import Iterable

__all__ = ["KEY_NAMES", "MODIFIERS", "chord", "normalize_key", "parse_chord"]

_NAMED = {
    "enter", "return", "tab", "space", "backspace", "delete", "del", "esc", "escape", "insert",
    "home", "end", "pageup", "pagedown", "up", "down", "left", "right", "shift", "shiftleft",
    "shiftright", "ctrl", "ctrlleft", "ctrlright", "alt", "altleft", "altright", "win", "winleft",
    "winright", "command", "option", "capslock", "numlock", "scrolllock", "printscreen",
    "prntscrn", "pause", "apps", "volumeup", "volumedown", "volumemute", "playpause",
    "nexttrack", "prevtrack", "fn", "clear", "select", "menu",
    *(f"f{i}" for i in range(1, 25)),
    *(f"num{i}" for i in range(10)),
}
KEY_NAMES: frozenset[str] = frozenset(
    _NAMED | set(string.ascii_lowercase) | set(string.digits) | set(string.punctuation) | {" "}
)

_ALIASES = {
    "control": "ctrl", "ctl": "ctrl", "cmd": "command", "super": "win", "meta": "win",
    "windows": "win", "opt": "option", "esc": "escape", "del": "delete", "pgup": "pageup",
    "pgdn": "pagedown", "page_up": "pageup", "page_down": "pagedown", "arrowup": "up",
    "arrowdown": "down", "arrowleft": "left", "arrowright": "right", "spacebar": "space",
    "return": "enter", "caps_lock": "capslock",
}


def normalize_key(key: str) -> str:
    """pyautogui's name for `key`; raises ValueError for a name it would silently ignore."""
    name = key if len(key) == 1 else key.strip().lower().replace(" ", "").replace("-", "")
    if len(name) == 1:
        name = name.lower() if name.isalpha() else name
    name = _ALIASES.get(name, name)
    if name not in KEY_NAMES:
        chord = " (keys pressed together are a hotkey: [\"ctrl\", \"a\"])" if "+" in name.strip(
            "+") else ""
        raise ValueError(f"unknown key {key!r} (use pyautogui names: enter, ctrl, alt, f1, a, "
                         f"...){chord}")
    return name


# Left and right variants are one key in a chord: ctrlleft+w closes a tab as ctrl+w does.
_SIDES = {"ctrlleft": "ctrl", "ctrlright": "ctrl", "altleft": "alt", "altright": "alt",
          "option": "alt", "shiftleft": "shift", "shiftright": "shift", "winleft": "win",
          "winright": "win"}
MODIFIERS = frozenset({"ctrl", "alt", "shift", "win", "command"})


def chord(keys: Iterable[str]) -> frozenset[str]:
    """Keys pressed together, whichever way they are written: normalized, sides merged, order
    ignored. ValueError for an unknown key."""
    return frozenset(_SIDES.get(name, name) for name in map(normalize_key, keys))


def parse_chord(text: str) -> frozenset[str]:
    """`ctrl+alt+esc` as a chord; ValueError when a part is not a key."""
    parts = [part for part in text.split("+") if part.strip()]
    if not parts:
        raise ValueError(f"no keys in {text!r}")
    return chord(parts)
