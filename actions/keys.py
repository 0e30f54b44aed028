"""Key names: pyautogui's, with the aliases models write ("Enter", "Ctrl", "cmd", "Return")."""

from __future__ import annotations

import string

__all__ = ["KEY_NAMES", "normalize_key"]

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
