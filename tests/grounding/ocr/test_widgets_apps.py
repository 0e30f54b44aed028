"""Widgets found on real screens (agent/grounding/ocr/widgets.py): Tk and ttk windows on Xvfb
(geometry from Tk itself) and the Chromium page suite at 100/150/300% zoom (geometry from the
page's own element rects), read with the real tesseract."""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from agent.backends.mss_screen import MssScreen
from agent.grounding.ocr.engines import TesseractEngine
from agent.grounding.ocr.widgets import Widget, find_widgets
from tests.grounding.ocr.chromium import SCREEN, ZOOMS, chromium, chromium_available, page_names
from tests.grounding.ocr.test_widgets import centre_in, covers, of_kind
from tests.gui import form_app, need, tk_script
from tests.xvfb import VirtualDisplay, using_display, virtual_display

# ---------------------------------------------------------------- real Tk windows on Xvfb

GALLERY = r"""
import json, sys, tkinter as tk
from tkinter import ttk
root = tk.Tk()
root.geometry("+60+40")
plain = {} if sys.argv[1] == "grey" else {"bg": "white"}  # Tk's own grey, or a white window
root.configure(padx=24, pady=20, **plain)
font = ("DejaVu Sans", 12)
found, variables = {}, {}
def place(name, widget, **grid):
    widget.grid(**grid)
    found[name] = widget
tk.Label(root, text="Account settings", font=("DejaVu Sans", 16, "bold"), **plain).grid(
    row=0, column=0, columnspan=3, sticky="w", pady=(0, 12))
tk.Label(root, text="Name", font=font, **plain).grid(row=1, column=0, sticky="w", pady=6)
place("Name", tk.Entry(root, font=font, width=24), row=1, column=1, sticky="w", pady=6)
tk.Label(root, text="Email address", font=font, **plain).grid(
    row=2, column=0, columnspan=2, sticky="w", pady=(10, 0))
place("Email address", tk.Entry(root, font=font, width=34), row=3, column=0, columnspan=2,
      sticky="w", pady=(2, 6))
for column, (name, on) in enumerate((("Newsletter", 1), ("Remember me", 0))):
    variables[name] = tk.IntVar(value=on)
    place(name, tk.Checkbutton(root, text=name, variable=variables[name], font=font,
                               highlightthickness=0, **plain), row=4, column=column, sticky="w")
choice = tk.StringVar(value="Economy")
for column, name in enumerate(("Economy", "Business")):
    place(name, tk.Radiobutton(root, text=name, value=name, variable=choice, font=font,
                               highlightthickness=0, **plain), row=5, column=column, sticky="w")
place("Forgot password?", tk.Label(root, text="Forgot password?", font=font + ("underline",),
                                   fg="#1a5fb4", **plain), row=6, column=0, sticky="w", pady=8)
place("panel", tk.Frame(root, bg="#c8c8c8", width=160, height=90), row=1, column=2, rowspan=3,
      padx=(20, 0))
notebook = ttk.Notebook(root)
for title in ("General", "Privacy", "Advanced"):
    notebook.add(tk.Frame(notebook, width=300, height=40, **plain), text=title)
place("notebook", notebook, row=7, column=0, columnspan=3, sticky="w", pady=8)
buttons = tk.Frame(root, **plain)
buttons.grid(row=8, column=0, columnspan=3, sticky="w", pady=(10, 0))
for column, (name, colours) in enumerate((("Save", {}), ("Cancel", {}),
                                          ("Sign in", {"bg": "#1a5fb4", "fg": "white"}))):
    place(name, tk.Button(buttons, text=name, font=font, padx=12, pady=4, **colours),
          row=0, column=column, padx=(0, 12))
def box(widget):
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    return [x, y, x + widget.winfo_width(), y + widget.winfo_height()]
def tab_boxes():
    # ttk tells which tab is at a point, not where a tab is: ask at every point of its top.
    x0, y0, boxes = notebook.winfo_rootx(), notebook.winfo_rooty(), {}
    for y in range(0, 40):
        for x in range(0, notebook.winfo_width()):
            try:
                index = notebook.index(f"@{x},{y}")
            except tk.TclError:
                continue
            name = notebook.tab(index, "text")
            a = boxes.setdefault(name, [x0 + x, y0 + y, x0 + x + 1, y0 + y + 1])
            a[:] = [min(a[0], x0 + x), min(a[1], y0 + y), max(a[2], x0 + x + 1),
                    max(a[3], y0 + y + 1)]
    return boxes
def report():
    out = {name: box(widget) for name, widget in found.items()}
    out["tabs"] = tab_boxes()
    out["checked"] = {**{n: bool(v.get()) for n, v in variables.items()},
                      "Economy": choice.get() == "Economy", "Business": choice.get() == "Business"}
    print(json.dumps(out), flush=True)
root.update()
root.after(300, report)
root.mainloop()
"""


def capture(display: VirtualDisplay) -> Image.Image:
    with using_display(display):  # this process's DISPLAY: the virtual one, never the real one
        screen = MssScreen()
        try:
            return screen.capture().image
        finally:
            screen.close()


def squeezed(text: str) -> str:
    """Text as OCR may space it ("Signin"), lowercased."""
    return "".join(text.split()).lower()


def inside(widget: Widget, real: Sequence[float], slack: float = 2) -> bool:
    return (widget.box[0] >= real[0] - slack and widget.box[1] >= real[1] - slack
            and widget.box[2] <= real[2] + slack and widget.box[3] <= real[3] + slack)


def the_one(widgets: Sequence[Widget], kind: str, real: Sequence[float]) -> Widget:
    """The single found widget of `kind` on the real element's centre (for a checkbox or a
    radio button: inside the real element, which holds the mark and its text)."""
    marks = kind in ("checkbox", "radio")
    found = [w for w in widgets if w.kind == kind
             and (inside(w, real) if marks else centre_in(real, w))]
    assert len(found) == 1, (kind, real, [(w.kind, w.text, w.box) for w in widgets])
    return found[0]


@pytest.mark.gui
@pytest.mark.parametrize("theme", ["white", "grey"])
def test_the_widgets_of_a_tk_window(tesseract: None, theme: str,
                                    make_display: Callable[[int, int], VirtualDisplay]) -> None:
    display = make_display(1280, 800)
    with tk_script(display, GALLERY, theme) as real:
        image = capture(display)
    engine = TesseractEngine()
    widgets = find_widgets(image, engine.read(image), engine)
    for name in ("Name", "Email address"):
        field = the_one(widgets, "field", real[name])
        assert covers(field, real[name]) and field.text == name, (field, real[name])
    for kind, names in (("checkbox", ("Newsletter", "Remember me")),
                        ("radio", ("Economy", "Business"))):
        for name in names:
            mark = the_one(widgets, kind, real[name])
            assert (mark.text, mark.checked) == (name, real["checked"][name]), mark
    for name in ("Save", "Cancel", "Sign in"):
        assert squeezed(the_one(widgets, "button", real[name]).text) == squeezed(name)
    for name, box in real["tabs"].items():
        assert the_one(widgets, "tab", box).text == name
    assert the_one(widgets, "link", real["Forgot password?"]).text.startswith("Forgot")
    panel = real["panel"]
    assert not [w for w in widgets if w.box[0] < panel[2] and panel[0] < w.box[2]
                and w.box[1] < panel[3] and panel[1] < w.box[3]], "the panel is no widget"
    assert len(of_kind(widgets, "field")) == 2


TTK = r"""
import json, sys, tkinter as tk
from tkinter import ttk
root = tk.Tk()
root.geometry("+60+40")
ttk.Style().theme_use(sys.argv[1])
frame = ttk.Frame(root, padding=20)
frame.grid()
found = {}
for row, name in enumerate(("Name", "City")):
    ttk.Label(frame, text=name).grid(row=row, column=0, sticky="w", pady=6)
    found[name] = (ttk.Entry(frame, width=30) if name == "Name"
                   else ttk.Combobox(frame, values=["Paris", "Rome"], width=28))
    found[name].grid(row=row, column=1, pady=6)
subscribe = tk.IntVar(value=1)
found["Subscribe"] = ttk.Checkbutton(frame, text="Subscribe", variable=subscribe)
found["Subscribe"].grid(row=2, column=0, columnspan=2, sticky="w")
size = tk.StringVar(value="Small")
for row, name in enumerate(("Small", "Large"), start=3):
    found[name] = ttk.Radiobutton(frame, text=name, value=name, variable=size)
    found[name].grid(row=row, column=0, columnspan=2, sticky="w")
buttons = ttk.Frame(frame)
buttons.grid(row=5, column=0, columnspan=2, sticky="w", pady=10)
for column, name in enumerate(("OK", "Cancel")):
    found[name] = ttk.Button(buttons, text=name)
    found[name].grid(row=0, column=column, padx=4)
root.update()
def box(widget):
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    return [x, y, x + widget.winfo_width(), y + widget.winfo_height()]
root.after(300, lambda: print(json.dumps({n: box(w) for n, w in found.items()}), flush=True))
root.mainloop()
"""


@pytest.mark.gui
@pytest.mark.parametrize("theme", ["clam", "default", "alt"])
def test_the_widgets_of_a_ttk_window(tesseract: None, theme: str,
                                     make_display: Callable[[int, int], VirtualDisplay]) -> None:
    """Themed Tk: a diamond radio button (default), a crossed box (clam), 3D marks (alt)."""
    display = make_display(1280, 800)
    with tk_script(display, TTK, theme) as real:
        image = capture(display)
    engine = TesseractEngine()
    widgets = find_widgets(image, engine.read(image), engine)
    for name in ("Name", "City"):
        field = the_one(widgets, "field", real[name])
        assert squeezed(field.text) == squeezed(name), field
    for kind, name, checked in (("checkbox", "Subscribe", True), ("radio", "Small", True),
                                ("radio", "Large", False)):
        mark = the_one(widgets, kind, real[name])
        # as the fields: squeezed (tesseract 5.5 reads alt's "Small" as "small"; text
        # matching ignores case)
        assert (squeezed(mark.text), mark.checked) == (squeezed(name), checked), mark
    for name in ("OK", "Cancel"):
        assert the_one(widgets, "button", real[name]).text == name


FILLED = r"""
import json, tkinter as tk
root = tk.Tk()
root.geometry("+40+40")
root.configure(background="white", padx=24, pady=24)
font = ("DejaVu Sans", 14)
found = {}
for row, (name, value) in enumerate((("Name", "Margaret Hamilton"),
                                     ("Email", "margaret@example.org"), ("Password", ""))):
    tk.Label(root, text=name, font=font, background="white", anchor="w", width=10).grid(
        row=row, column=0, sticky="w", pady=6)
    found[name] = tk.Entry(root, font=font, width=24)
    found[name].insert(0, value)
    found[name].grid(row=row, column=1, pady=6)
found["Email"].focus_force()  # the focus ring: a black frame round the entry
found["Email"].icursor("end")  # the blinking text cursor, from the field's top to its bottom
root.update()
def box(widget):
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    return [x, y, x + widget.winfo_width(), y + widget.winfo_height()]
root.after(400, lambda: print(json.dumps({n: box(w) for n, w in found.items()}), flush=True))
root.mainloop()
"""


@pytest.mark.gui
def test_filled_and_focused_fields_keep_their_labels(
        tesseract: None, make_display: Callable[[int, int], VirtualDisplay]) -> None:
    """Text that fills a field, the focus ring round it and the text cursor in it still leave
    one field (the text touching the border, or the cursor, split its inside: the field was
    lost, and the next field below took the email address for its label). Shots 0.2 s apart:
    the cursor blinks (on 0.6 s, off 0.3 s), some have it."""
    display = make_display(1024, 768)
    with tk_script(display, FILLED) as real:
        images = []
        for _ in range(4):
            images.append(capture(display))
            time.sleep(0.2)
    engine = TesseractEngine()
    for image in images:
        widgets = find_widgets(image, engine.read(image), engine)
        for name in ("Name", "Email", "Password"):
            assert the_one(widgets, "field", real[name]).text == name, widgets
        assert len(of_kind(widgets, "field")) == 3


@pytest.mark.gui
def test_the_flight_form_fields_and_buttons(
        tesseract: None, make_display: Callable[[int, int], VirtualDisplay],
        tmp_path: Path) -> None:
    display = make_display(1280, 800)
    with form_app(display, tmp_path) as app:
        time.sleep(0.3)
        image = capture(display)
        state = app.state()
    engine = TesseractEngine()
    widgets = find_widgets(image, engine.read(image), engine)

    def real(name: str) -> tuple[int, int, int, int]:
        box = state["widgets"][name]
        return box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]

    for name in ("From", "To", "Passenger"):
        field = the_one(widgets, "field", real(name))
        assert covers(field, real(name)) and field.text == name
    for name in ("Search flights", "Book now"):
        assert the_one(widgets, "button", real(name)).text == name
    assert len(of_kind(widgets, "field")) == 3 and len(of_kind(widgets, "button")) == 2


# ---------------------------------------------------------------- the Chromium page suite

ELEMENTS = """
const labelOf = e => (e.closest('label') || document.querySelector(`label[for="${e.id}"]`)
                      || e.nextElementSibling || {}).innerText || '';
return [...document.querySelectorAll('input, button, a, textarea, select, label')]
  .filter(e => e.getBoundingClientRect().width > 0)
  .map(e => { const r = e.getBoundingClientRect();
    return {tag: e.tagName.toLowerCase(), type: e.type || '', id: e.id,
            role: e.getAttribute('role') || '', checked: !!e.checked,
            text: (e.tagName === 'INPUT' ? labelOf(e) : e.innerText || '').trim(),
            box: [r.left, r.top, r.right, r.bottom]}; });
"""
# The pages' fields whose label is beside or above them, or whose placeholder is their text.
FIELD_LABELS = {"name": "Name", "email": "Email", "address": "Address", "username": "Username",
                "password": "Password", "first": "First name", "last": "Last name",
                "about": "About you"}


def kind_of(element: dict[str, Any]) -> str | None:
    """The widget kind a page element is, None for one find_widgets need not report."""
    tag, kind = element["tag"], element["type"]
    if tag == "input":
        return {"checkbox": "checkbox", "radio": "radio", "text": "field", "password": "field",
                "search": "field", "email": "field", "": "field"}.get(kind)
    if tag == "button":
        return "tab" if element["role"] == "tab" else "button"
    return {"a": "link", "textarea": "field"}.get(tag)


def alike(found: str, meant: str) -> bool:
    return difflib.SequenceMatcher(None, squeezed(found), squeezed(meant)).ratio() >= 0.8


@pytest.mark.gui
@pytest.mark.parametrize("zoom", ZOOMS)
def test_the_widgets_of_every_page_in_chromium(tesseract: None, zoom: float) -> None:
    """Every page's buttons, fields, checkboxes, radio buttons, tabs and links are found, of the
    right kind, with their text (a field's label, a checkbox's own text), and nothing else is."""
    need(chromium_available(), "chromium and chromedriver are not installed")
    engine = TesseractEngine()
    problems: list[str] = []
    with virtual_display(*SCREEN) as display, chromium(display, zoom) as browser:
        for page in page_names():
            browser.open(page)
            elements = browser.driver.execute_script(ELEMENTS)
            image = capture(display)
            widgets = find_widgets(image, engine.read(image), engine)
            problems += [f"{page}@{zoom:g}: {p}" for p in _misses(widgets, elements, zoom)]
    assert not problems, "\n".join(problems)


def _misses(widgets: Sequence[Widget], elements: Sequence[dict[str, Any]], zoom: float
            ) -> list[str]:
    problems, matched = [], set()
    for element in elements:
        kind = kind_of(element)
        real = [v * zoom for v in element["box"]]
        if kind is None:
            continue
        marks = kind in ("checkbox", "radio")
        found = [w for w in widgets if w.kind == kind
                 and (inside(w, real, 3) if marks else centre_in(real, w))]
        if len(found) != 1:
            problems.append(f"{kind} {element['id'] or element['text']!r}: found {found}")
            continue
        widget = found[0]
        matched.add(id(widget))
        meant = FIELD_LABELS.get(element["id"]) if kind == "field" else element["text"]
        if meant is not None and not alike(widget.text, meant):
            problems.append(f"{kind} {element['id']!r}: text {widget.text!r}, meant {meant!r}")
        if marks and widget.checked != element["checked"]:
            problems.append(f"{kind} {element['id']!r}: checked {widget.checked}")
    problems += [f"extra {w.kind} {w.text!r} at {w.box}" for w in widgets if id(w) not in matched]
    return problems


WIDE_SEARCH = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body { font-family: "DejaVu Sans", sans-serif; margin: 24px; }
input { border: 1px solid #bbb; border-radius: 3px; padding: 7px 9px; font-size: 15px;
        width: 66vw; font-family: inherit; }
</style></head><body><h1>Catalogue</h1>
<input type="search" id="q" placeholder="Title, author or keyword"></body></html>"""


@pytest.mark.gui
def test_a_search_box_two_thirds_of_the_screen_wide_is_a_field(tesseract: None,
                                                                 tmp_path: Path) -> None:
    """The third blind trial's library search at 150%: a 1270-px box with a light, rounded
    border round its placeholder (its corners leave gaps in the edges: found as an outline,
    which was looked for only up to half the screen's width)."""
    need(chromium_available(), "chromium and chromedriver are not installed")
    page = tmp_path / "search.html"
    page.write_text(WIDE_SEARCH)
    engine = TesseractEngine()
    with virtual_display(*SCREEN) as display, chromium(display, 1.5) as browser:
        browser.driver.get(page.as_uri())
        browser.reset()
        real = browser.box("#q")
        image = capture(display)
    fields = of_kind(find_widgets(image, engine.read(image), engine), "field")
    assert real[2] - real[0] > 0.6 * SCREEN[0]
    assert len(fields) == 1 and covers(fields[0], real, slack=4), (fields, real)


PILL_BUTTONS = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body { margin: 0; padding: 40px 26px; font-family: "Helvetica Neue", Helvetica, Arial,
       sans-serif; font-size: 14px; color: #20242a; background: #f7f7f5; }
.foot { display: flex; gap: 12px; align-items: center; }
#sign { background: #ff6a13; color: #fff; border: none; border-radius: 20px; padding: 9px 24px;
        font: inherit; font-size: 15px; font-weight: bold; }
#back { background: #fff; border: 1px solid #999; border-radius: 20px; padding: 8px 18px;
        font: inherit; }
p { font-size: 13px; color: #666; margin: 0 0 0 10px; }
</style></head><body><div class="foot">
<button id="sign">Sign release</button><button id="back">Return to planning</button>
<p>To sign release you confirm the fuel figures, the alternate and every MEL item.</p>
</div></body></html>"""


@pytest.mark.gui
@pytest.mark.parametrize("zoom", ZOOMS)
def test_pill_shaped_buttons_are_buttons_with_their_whole_text(
        tesseract: None, tmp_path: Path, zoom: float) -> None:
    """The thirty-seventh blind trial's dispatch release: white on an orange pill, read from
    its inside, came back with its round corner read "N" (a second line: no button), and the
    outlined pill's round end was taken for a drop-down's arrow (a field). At 300% both wrap
    onto two lines: "Return to" went unread over "planning", and "Sign / release" was taller
    than one line's button."""
    need(chromium_available(), "chromium and chromedriver are not installed")
    page = tmp_path / "release.html"
    page.write_text(PILL_BUTTONS)
    engine = TesseractEngine()
    with virtual_display(*SCREEN) as display, chromium(display, zoom) as browser:
        browser.driver.get(page.as_uri())
        browser.reset()
        real = {name: browser.box(f"#{name}") for name in ("sign", "back")}
        image = capture(display)
    buttons = of_kind(find_widgets(image, engine.read(image), engine), "button")
    assert [w.text for w in buttons] == ["Sign release", "Return to planning"], buttons
    for widget, name in zip(buttons, ("sign", "back"), strict=True):
        assert covers(widget, real[name], slack=4), (widget, real[name])
