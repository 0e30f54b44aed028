"""A small real Tk app for the human-in-the-loop and safety tests (tests/test_safety*.py).

    python tests/apps/safety_app.py STATE.json [--geometry +X+Y]

Entry fields "From", "Passenger", "Password" (shown as dots) and "Notes" (wide, for long typing);
an inert label "Nothing happens here" whose clicks are counted but change nothing on screen; a
status label. Whenever anything changes the app rewrites STATE.json atomically (tmp file +
os.replace):

    {"ready": true, "pid": 123,
     "fields": {"From": "", "Passenger": "", "Password": "", "Notes": ""},
     "focus": "Notes" | null, "inert_clicks": 0, "changed_at": 1700000000.123,
     "keys": [{"keysym": "q", "char": "q", "state": 16}, ...],   # the last 64 key presses
     "widgets": {"From": {"x", "y", "width", "height"}, ...}, "window": {...}}

`keys` are the key presses the entry fields got, with the X modifier state at that moment
(Shift 0x1, Lock 0x2, Control 0x4, Mod1/Alt 0x8, Mod4/Super 0x40): a letter typed while a modifier
is stuck arrives with that modifier's bit set.
`changed_at` is the wall-clock time (time.time()) of the last change to any field: when the last
typed character arrived. Widget geometry is in screen coordinates, written once mapped. No window
manager runs under Xvfb, so the window is placed with --geometry and has no decorations.
"""

from __future__ import annotations

import os
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.demo.flight_app import StateReporter, run_app

FIELDS = ("From", "Passenger", "Password", "Notes")
INERT = "Nothing happens here"
FONT = ("DejaVu Sans", 13)
KEPT_KEYS = 64


class SafetyApp(StateReporter):
    def __init__(self, root: tk.Tk, state_path: Path) -> None:
        super().__init__(root, state_path)
        self.focus: str | None = None
        self.inert_clicks = 0
        self.changed_at: float | None = None
        self.keys: list[dict[str, Any]] = []
        self.values = {name: tk.StringVar() for name in FIELDS}

        root.title("Safety test app")
        root.configure(padx=20, pady=20, background="white")
        for row, name in enumerate(FIELDS):
            tk.Label(root, text=name, font=FONT, background="white", anchor="w", width=10).grid(
                row=row, column=0, sticky="w", pady=5
            )
            entry = tk.Entry(
                root,
                textvariable=self.values[name],
                font=FONT,
                width=60 if name == "Notes" else 28,
                show="•" if name == "Password" else "",
            )
            entry.grid(row=row, column=1, sticky="w", pady=5)
            entry.bind("<FocusIn>", self._focus_handler(name))
            entry.bind("<FocusOut>", lambda _e: self._focused(None))
            # On the widget itself: Tk's own <Alt-Key> bindings (menu traversal, the Entry class)
            # would hide alt chords from a binding on `all` or on the class.
            entry.bind("<KeyPress>", self._key, add="+")
            self.values[name].trace_add("write", lambda *_: self._changed())
            self.widgets[name] = entry
        inert = tk.Label(root, text=INERT, font=FONT, background="#eeeeee", padx=10, pady=6)
        inert.grid(row=len(FIELDS), column=0, columnspan=2, sticky="w", pady=(14, 0))
        inert.bind("<Button-1>", self._inert_click)
        self.widgets["Inert"] = inert
        root.bind("<Configure>", lambda _e: self.write_state())

    def _changed(self) -> None:
        self.changed_at = time.time()
        self.write_state()

    def _focus_handler(self, name: str) -> Callable[[object], None]:
        return lambda _event: self._focused(name)

    def _focused(self, name: str | None) -> None:
        self.focus = name
        self.write_state()

    def _inert_click(self, _event: object) -> None:
        self.inert_clicks += 1  # counted for the test; nothing on screen changes
        self.write_state()

    def _key(self, event: tk.Event) -> None:
        self.keys = [
            *self.keys[-(KEPT_KEYS - 1) :],
            {"keysym": event.keysym, "char": event.char, "state": int(event.state)},
        ]
        self.write_state()

    def state(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "pid": os.getpid(),
            "fields": {name: self.values[name].get() for name in FIELDS},
            "focus": self.focus,
            "inert_clicks": self.inert_clicks,
            "changed_at": self.changed_at,
            "keys": self.keys,
            **self.layout(),
        }


def main() -> None:
    run_app(SafetyApp, "+60+60", (__doc__ or "").splitlines()[0])


if __name__ == "__main__":
    main()
