"""A tiny Tk app for keyboard tests: one focused Entry (or Text) echoed to a file.

Usage: python echo_entry.py OUT_PATH [--text] [--delay-ms N]

Every change of the widget's contents is written atomically to OUT_PATH (UTF-8, exactly the
widget's text). Once the window is mapped and the widget holds the keyboard focus, the app
creates OUT_PATH + ".ready". It runs until terminated. `--delay-ms N` makes it a slow app: each
change blocks the event loop for N milliseconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tkinter as tk

_delay_s = 0.0


def _write(path: str, content: str) -> None:
    if _delay_s:
        time.sleep(_delay_s)
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(content)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    global _delay_s
    parser = argparse.ArgumentParser()
    parser.add_argument("out_path")
    parser.add_argument("--text", action="store_true", help="a Text widget instead of an Entry")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    out_path, use_text = args.out_path, args.text
    root = tk.Tk()
    root.title("echo_entry")
    root.geometry("+20+20")
    widget: tk.Entry | tk.Text
    if use_text:
        text = tk.Text(root, width=60, height=10)
        widget = text

        def on_modified(_event: object) -> None:
            _write(out_path, text.get("1.0", "end-1c"))
            text.edit_modified(False)  # re-arm <<Modified>>

        text.bind("<<Modified>>", on_modified)
    else:
        var = tk.StringVar(root)
        widget = tk.Entry(root, textvariable=var, width=60)
        var.trace_add("write", lambda *_: _write(out_path, var.get()))
    widget.pack(padx=10, pady=10)
    _write(out_path, "")
    _delay_s = args.delay_ms / 1000

    def wait_for_focus() -> None:
        if root.focus_get() is widget:
            _write(f"{out_path}.ready", str(os.getpid()))
            return
        root.focus_force()
        widget.focus_set()
        root.after(20, wait_for_focus)

    root.wait_visibility(widget)
    root.focus_force()
    widget.focus_set()
    root.update()
    root.after(0, wait_for_focus)
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
