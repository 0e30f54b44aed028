"""Small Tk desktop dialogs for the OCR page suite; each records what the user did in a JSON file.

    python tests/apps/tk_dialogs.py save|confirm|find|prefs ZOOM STATE_PATH

`save` is a "Save as" dialog (a field with its label beside, one with its label above, a
checkbox, Save and Cancel; "Save" also in a sentence); `confirm` a message box (Discard / Cancel,
both words also in the message); `find` a Find dialog (a field, Match case, Find next, Close);
`prefs` ttk widgets (notebook tabs General/Editor, Name field, a check button, Apply, OK).
ZOOM scales fonts and padding like a desktop's scale setting (tk scaling). After every change
the whole state is written to STATE_PATH (atomically): the same keys as the web pages'
window.state (value:ID, checked:ID, events, focus), plus each widget's box in screen pixels under
"boxes".
"""

from __future__ import annotations

import json
import os
import sys
import tkinter as tk
from typing import Any

FONT = "DejaVu Sans"


class Dialog:
    def __init__(self, kind: str, zoom: float, path: str) -> None:
        self.root = tk.Tk()
        self.root.tk.call("tk", "scaling", 96 / 72 * zoom)  # point sizes scale with the zoom
        self.root.configure(background="#ececec")
        self.root.geometry(f"+{round(40 * zoom)}+{round(40 * zoom)}")
        self.zoom, self.path = zoom, path
        self.state: dict[str, Any] = {"events": [], "focus": None}
        self.widgets: dict[str, tk.Widget] = {}
        self.font = (FONT, 11)
        {"save": self.save, "confirm": self.confirm, "find": self.find, "prefs": self.prefs}[kind]()
        self.root.bind_all("<FocusIn>", self._focus)
        self.root.after(10, self._ready)

    def _ready(self) -> None:
        """Once mapped: take the keyboard as a dialog does when it opens (with no window manager
        on Xvfb, Chromium would keep it), and write the state with the widgets' boxes."""
        if not self.root.winfo_ismapped():
            self.root.after(10, self._ready)
            return
        self.root.focus_force()
        self.root.update_idletasks()
        self._write()

    def pad(self, value: int) -> int:
        return round(value * self.zoom)

    def label(self, text: str, bold: bool = False, **grid: Any) -> None:
        font = (FONT, 12, "bold") if bold else self.font
        tk.Label(self.root, text=text, font=font, bg="#ececec").grid(
            sticky="w", padx=self.pad(10), pady=self.pad(3), **grid)

    def entry(self, name: str, **grid: Any) -> None:
        var = tk.StringVar(self.root)
        widget = tk.Entry(self.root, textvariable=var, font=self.font, width=22, name=name)
        widget.grid(sticky="w", padx=self.pad(10), pady=self.pad(3), **grid)
        self.state[f"value:{name}"] = ""
        var.trace_add("write", lambda *_: self._set(f"value:{name}", var.get()))
        self.widgets[name] = widget

    def button(self, text: str, event: str, frame: tk.Frame) -> None:
        widget = tk.Button(frame, text=text, font=self.font, name=event,
                           command=lambda: self._event(event))
        widget.pack(side="left", padx=self.pad(4))
        self.widgets[event] = widget

    def buttons(self, row: int, columnspan: int, *named: tuple[str, str]) -> None:
        """A row of (text, event) buttons at the dialog's bottom right."""
        frame = tk.Frame(self.root, bg="#ececec")
        frame.grid(row=row, column=0, columnspan=columnspan, sticky="e", padx=self.pad(10),
                   pady=self.pad(8))
        for text, event in named:
            self.button(text, event, frame)

    def check(self, name: str, text: str, row: int) -> None:
        var = tk.BooleanVar(self.root)
        box = tk.Checkbutton(self.root, text=text, variable=var, font=self.font,
                             bg="#ececec", name=name,
                             command=lambda: self._set(f"checked:{name}", var.get()))
        box.grid(row=row, column=0, columnspan=2, sticky="w", padx=self.pad(10))
        self.state[f"checked:{name}"] = False
        self.widgets[name] = box

    def save(self) -> None:
        self.label("Save as", bold=True, row=0, column=0, columnspan=2)
        self.label("Choose a name, then click Save.", row=1, column=0, columnspan=2)
        self.label("File name:", row=2, column=0)
        self.entry("filename", row=2, column=1)
        self.label("Folder:", row=3, column=0)
        self.entry("folder", row=4, column=0, columnspan=2)
        self.check("open", "Open after saving", row=5)
        self.buttons(6, 2, ("Cancel", "cancel"), ("Save", "save"))

    def confirm(self) -> None:
        self.label("Discard changes?", bold=True, row=0, column=0)
        self.label("Press Discard to lose your edits, or Cancel to go back.", row=1, column=0)
        self.buttons(2, 1, ("Discard", "discard"), ("Cancel", "cancel"))

    def find(self) -> None:
        self.label("Find what:", row=0, column=0)
        self.entry("findwhat", row=0, column=1)
        self.check("matchcase", "Match case", row=1)
        self.buttons(2, 2, ("Find next", "findnext"), ("Close", "close"))

    def prefs(self) -> None:
        """ttk widgets (the themed look of current Tk apps): a notebook's tabs, an entry, a check
        button, buttons."""
        from tkinter import ttk

        style = ttk.Style(self.root)
        style.configure(".", font=self.font)
        notebook = ttk.Notebook(self.root, name="tabs")
        notebook.grid(row=0, column=0, padx=self.pad(10), pady=self.pad(8), sticky="w")
        self.tabs = notebook
        general, editor = ttk.Frame(notebook), ttk.Frame(notebook)
        notebook.add(general, text="General")
        notebook.add(editor, text="Editor")
        self.state["tab"] = "General"
        notebook.bind("<<NotebookTabChanged>>", lambda _: self._set(
            "tab", str(notebook.tk.call(str(notebook), "tab", "current", "-text"))))
        ttk.Label(general, text="Name:").grid(row=0, column=0, padx=self.pad(6),
                                              pady=self.pad(6))
        var = tk.StringVar(self.root)
        entry = ttk.Entry(general, textvariable=var, width=20, font=self.font, name="name")
        entry.grid(row=0, column=1, padx=self.pad(6), pady=self.pad(6))
        self.state["value:name"] = ""
        var.trace_add("write", lambda *_: self._set("value:name", var.get()))
        self.widgets["name"] = entry
        lines = tk.BooleanVar(self.root)
        box = ttk.Checkbutton(general, text="Show line numbers", variable=lines, name="lines",
                              command=lambda: self._set("checked:lines", lines.get()))
        box.grid(row=1, column=0, columnspan=2, sticky="w", padx=self.pad(6))
        self.state["checked:lines"] = False
        self.widgets["lines"] = box
        buttons = ttk.Frame(self.root)
        buttons.grid(row=1, column=0, sticky="e", padx=self.pad(10), pady=self.pad(8))
        for text, event in (("Apply", "apply"), ("OK", "ok")):
            button = ttk.Button(buttons, text=text, name=event,
                                command=lambda e=event: self._event(e))  # type: ignore[misc]
            button.pack(side="left", padx=self.pad(4))
            self.widgets[event] = button

    def _tab_boxes(self) -> dict[str, list[int]]:
        """Each notebook tab's box in screen pixels, found by asking which tab is under x."""
        notebook = getattr(self, "tabs", None)
        if notebook is None:
            return {}
        found: dict[str, list[int]] = {}
        y = round(10 * self.zoom)
        for x in range(notebook.winfo_width()):
            try:
                index = notebook.index(f"@{x},{y}")
            except tk.TclError:
                continue
            name = "tab-" + str(notebook.tab(index, "text")).lower()
            left = found.setdefault(name, [x, x])
            left[1] = x
        top, rootx = notebook.winfo_rooty(), notebook.winfo_rootx()
        return {name: [rootx + a, top, rootx + b, top + 2 * y] for name, (a, b) in found.items()}

    def _event(self, name: str) -> None:
        self.state["events"].append(name)
        self._write()

    def _set(self, key: str, value: Any) -> None:
        self.state[key] = value
        self._write()

    def _focus(self, event: tk.Event) -> None:  # type: ignore[type-arg]
        self.state["focus"] = str(event.widget).rsplit(".", 1)[-1]
        self._write()

    def _write(self) -> None:
        boxes = {name: [w.winfo_rootx(), w.winfo_rooty(), w.winfo_rootx() + w.winfo_width(),
                        w.winfo_rooty() + w.winfo_height()] for name, w in self.widgets.items()}
        boxes.update(self._tab_boxes())
        temporary = self.path + ".tmp"
        with open(temporary, "w") as handle:
            json.dump({**self.state, "boxes": boxes}, handle)
        os.replace(temporary, self.path)


if __name__ == "__main__":
    Dialog(sys.argv[1], float(sys.argv[2]), sys.argv[3]).root.mainloop()
