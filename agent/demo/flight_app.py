"""A small real Tk flight-booking form for end-to-end tests.

    python -m agent.demo.flight_app STATE.json [--geometry +X+Y]

Fields "From", "To", "Passenger"; buttons "Search flights" and "Book now" (booking works only
after a search with From and To filled in); a status label. Whenever anything changes the app
rewrites STATE.json atomically (tmp file + os.replace):

    {"ready": true, "pid": 123, "fields": {"From": "", "To": "", "Passenger": ""},
     "presses": {"Search flights": 0, "Book now": 0}, "status": "...", "searched": false,
     "booked": false, "focus": "To" | null,
     "widgets": {"From": {"x", "y", "width", "height"}, ...}, "window": {...}}

Widget geometry is in screen coordinates (winfo_rootx/rooty/width/height), written once mapped.
No window manager runs under Xvfb, so the window is placed with --geometry and has no decorations.
"""

from __future__ import annotations

import argparse
import json
import os
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIELDS = ("From", "To", "Passenger")
BUTTONS = ("Search flights", "Book now")
FONT = ("DejaVu Sans", 14)


class StateReporter:
    """A Tk app that rewrites its state file atomically whenever its `state()` changes."""

    def __init__(self, root: tk.Tk, state_path: Path) -> None:
        self.root = root
        self.state_path = state_path
        self.ready = False
        self.widgets: dict[str, tk.Widget] = {}
        self._last_written = ""

    def state(self) -> dict[str, Any]:
        raise NotImplementedError

    def layout(self) -> dict[str, Any]:
        """Every widget's and the window's box in screen coordinates, once mapped."""
        mapped = self.ready and bool(self.root.winfo_ismapped())
        return {
            "widgets": {n: self.geometry(w) for n, w in self.widgets.items()} if mapped else {},
            "window": self.geometry(self.root) if mapped else None,
        }

    def mark_ready(self) -> None:
        self.root.update_idletasks()
        self.root.update()
        self.ready = True
        self.write_state()

    def geometry(self, widget: tk.Misc) -> dict[str, int]:
        return {
            "x": widget.winfo_rootx(),
            "y": widget.winfo_rooty(),
            "width": widget.winfo_width(),
            "height": widget.winfo_height(),
        }

    def write_state(self) -> None:
        text = json.dumps(self.state(), ensure_ascii=False, indent=1)
        if text == self._last_written:
            return
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.state_path)
        self._last_written = text


def run_app(
    make: Callable[[tk.Tk, Path], StateReporter], default_geometry: str, description: str
) -> None:
    """`python app.py STATE.json [--geometry +X+Y]`: show the app and report until killed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("state", type=Path, help="where to write the state JSON")
    parser.add_argument("--geometry", default=default_geometry, help="Tk geometry, e.g. +100+80")
    args = parser.parse_args()
    root = tk.Tk()
    root.geometry(args.geometry)
    app = make(root, args.state)
    app.write_state()
    root.wait_visibility(root)
    root.after(50, app.mark_ready)
    root.mainloop()


class FormApp(StateReporter):
    def __init__(self, root: tk.Tk, state_path: Path) -> None:
        super().__init__(root, state_path)
        self.searched = False
        self.booked = False
        self.focus: str | None = None
        self.presses = dict.fromkeys(BUTTONS, 0)
        self.status = tk.StringVar(value="Fill in the form and search")
        self.values = {name: tk.StringVar() for name in FIELDS}

        root.title("Flight booking")
        root.configure(padx=24, pady=24, background="white")
        tk.Label(
            root, text="Book a flight", font=("DejaVu Sans", 18, "bold"), background="white"
        ).grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, 16))
        for row, name in enumerate(FIELDS, start=1):
            label = tk.Label(root, text=name, font=FONT, background="white", anchor="w", width=10)
            label.grid(row=row, column=0, sticky="w", pady=6)
            entry = tk.Entry(root, textvariable=self.values[name], font=FONT, width=24)
            _focus_on_click(label, entry)
            entry.grid(row=row, column=1, sticky="we", pady=6)
            self._report_focus(entry, name)
            entry.bind("<FocusOut>", lambda _e: self._focused(None))
            self.values[name].trace_add("write", lambda *_: self.write_state())
            self.widgets[name] = entry
        buttons = tk.Frame(root, background="white")
        buttons.grid(row=len(FIELDS) + 1, column=0, columnspan=2, sticky="w", pady=(16, 8))
        for column, (name, command) in enumerate(
            zip(BUTTONS, (self.search, self.book), strict=True)
        ):
            button = tk.Button(buttons, text=name, font=FONT, command=command, padx=12, pady=4)
            button.grid(row=0, column=column, padx=(0, 16))
            self.widgets[name] = button
        status = tk.Label(
            root, textvariable=self.status, font=FONT, background="white", anchor="w", width=40
        )
        status.grid(row=len(FIELDS) + 2, column=0, columnspan=2, sticky="we", pady=(8, 0))
        self.widgets["status"] = status
        root.bind("<Configure>", lambda _e: self.write_state())

    def _report_focus(self, entry: tk.Entry, name: str) -> None:
        entry.bind("<FocusIn>", lambda _event: self._focused(name))

    def _focused(self, name: str | None) -> None:
        self.focus = name
        self.write_state()

    def field(self, name: str) -> str:
        return self.values[name].get()

    def search(self) -> None:
        self.presses["Search flights"] += 1
        origin, destination = self.field("From").strip(), self.field("To").strip()
        if origin and destination:
            self.searched = True
            self.status.set(f"3 flights found: {origin} → {destination}")
        else:
            self.searched = False
            self.status.set("Enter From and To first")
        self.write_state()

    def book(self) -> None:
        self.presses["Book now"] += 1
        if not self.searched:
            self.status.set("Search flights first")
        else:
            self.booked = True
            self.status.set(
                f"Booked: {self.field('From').strip()} → {self.field('To').strip()} "
                f"for {self.field('Passenger').strip()}"
            )
        self.write_state()

    def state(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "pid": os.getpid(),
            "fields": {name: self.field(name) for name in FIELDS},
            "presses": dict(self.presses),
            "status": self.status.get(),
            "searched": self.searched,
            "booked": self.booked,
            "focus": self.focus,
            **self.layout(),
        }


def _focus_on_click(label: tk.Label, entry: tk.Entry) -> None:
    """Clicking a label focuses its field, as <label for=…> does in a browser."""
    label.bind("<Button-1>", lambda _event: entry.focus_set())


def main() -> None:
    run_app(FormApp, "+40+40", (__doc__ or "").splitlines()[0])


if __name__ == "__main__":
    main()
