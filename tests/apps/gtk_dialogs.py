"""Small GTK 3 desktop dialogs for the OCR page suite; each records what the user did in a JSON
file, as tests/apps/tk_dialogs.py does.

    /usr/bin/python3 tests/apps/gtk_dialogs.py save|confirm ZOOM STATE_PATH

Run by the system's Python: PyGObject comes from the OS (python3-gi, gir1.2-gtk-3.0), not pip.
`save` is a "Save as" dialog in GTK's default theme (Adwaita): a field with its label beside, one
with its label above, a check button, Cancel and Save ("Save" also in a sentence); `confirm` a
message (Discard / Cancel, both words also in the message). ZOOM scales the text like a
desktop's text-scaling setting (GDK_DPI_SCALE, set by the caller). After every change the whole
state is written to STATE_PATH (atomically): value:NAME, checked:NAME, events, focus, and each
widget's box in screen pixels under "boxes".
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk  # noqa: E402


class Dialog:
    def __init__(self, kind: str, zoom: float, path: str) -> None:
        self.zoom, self.path = zoom, path
        self.state: dict[str, Any] = {"events": [], "focus": None}
        self.widgets: dict[str, Gtk.Widget] = {}
        self.window = Gtk.Window(title="Dialog")
        self.window.move(round(40 * zoom), round(40 * zoom))
        self.grid = Gtk.Grid(row_spacing=round(6 * zoom), column_spacing=round(10 * zoom),
                             margin=round(14 * zoom))
        self.window.add(self.grid)
        {"save": self.save, "confirm": self.confirm}[kind]()
        self.window.connect("destroy", Gtk.main_quit)
        self.window.show_all()
        GLib.timeout_add(50, self._ready)

    def _ready(self) -> bool:
        if not self.window.get_mapped():
            return True  # asked again
        self.window.present()
        self._write()
        return False

    def label(self, text: str, row: int, column: int = 0, width: int = 1,
              bold: bool = False) -> None:
        label = Gtk.Label(xalign=0)
        label.set_markup(f"<b>{text}</b>" if bold else GLib.markup_escape_text(text))
        self.grid.attach(label, column, row, width, 1)

    def entry(self, name: str, row: int, column: int = 1, width: int = 1) -> None:
        entry = Gtk.Entry(width_chars=22)
        entry.connect("changed", lambda e: self._set(f"value:{name}", e.get_text()))
        entry.connect("focus-in-event", lambda *_: self._set("focus", name) or False)
        self.state[f"value:{name}"] = ""
        self.grid.attach(entry, column, row, width, 1)
        self.widgets[name] = entry

    def buttons(self, row: int, *named: tuple[str, str]) -> None:
        box = Gtk.Box(spacing=round(8 * self.zoom), halign=Gtk.Align.END)
        for text, event in named:
            button = Gtk.Button(label=text)
            button.connect("clicked", lambda _b, e=event: self._event(e))
            box.pack_start(button, False, False, 0)
            self.widgets[event] = button
        self.grid.attach(box, 0, row, 2, 1)

    def save(self) -> None:
        self.label("Save as", 0, width=2, bold=True)
        self.label("Choose a name, then click Save.", 1, width=2)
        self.label("File name:", 2)
        self.entry("filename", 2)
        self.label("Folder:", 3)
        self.entry("folder", 4, column=0, width=2)
        check = Gtk.CheckButton(label="Open after saving")
        check.connect("toggled", lambda c: self._set("checked:open", c.get_active()))
        self.state["checked:open"] = False
        self.grid.attach(check, 0, 5, 2, 1)
        self.widgets["open"] = check
        self.buttons(6, ("Cancel", "cancel"), ("Save", "save"))

    def confirm(self) -> None:
        self.label("Discard changes?", 0, bold=True)
        self.label("Press Discard to lose your edits, or Cancel to go back.", 1)
        self.buttons(2, ("Discard", "discard"), ("Cancel", "cancel"))

    def _set(self, key: str, value: Any) -> None:
        self.state[key] = value
        self._write()

    def _event(self, event: str) -> None:
        self.state["events"].append(event)
        self._write()

    def _write(self) -> None:
        origin = self.window.get_window().get_origin()
        boxes = {}
        for name, widget in self.widgets.items():
            area = widget.get_allocation()
            x, y = widget.translate_coordinates(self.window, 0, 0) or (area.x, area.y)
            left, top = origin.x + x, origin.y + y
            boxes[name] = [left, top, left + area.width, top + area.height]
        temporary = f"{self.path}.tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump({**self.state, "boxes": boxes}, file)
        os.replace(temporary, self.path)


if __name__ == "__main__":
    Dialog(sys.argv[1], float(sys.argv[2]), sys.argv[3])
    Gtk.main()
