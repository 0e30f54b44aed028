"""The `ocr` grounder with real OCR: real Tk apps on Xvfb captured with mss, and drawn text.

tesseract comes from the OS (apt install tesseract-ocr): without it these tests skip, except in
CI (AGENT_REQUIRE_GUI=1), where they fail. rapidocr is optional (`planground[ocr]`): its test
skips without it, except in CI, which installs the extra.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.backends.mss_screen import MssScreen
from agent.errors import GroundingError
from agent.grounding.ocr.grounder import OcrGrounder, rapidocr_available
from agent.screen import Screenshot
from agent.testing import StaticScreen
from tests.gui import form_app, need, tk_script
from tests.xvfb import VirtualDisplay, using_display

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
Box = tuple[float, float, float, float]  # left, top, right, bottom, edges included


def inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def widget_box(widget: dict[str, int]) -> Box:
    return (widget["x"], widget["y"], widget["x"] + widget["width"] - 1,
            widget["y"] + widget["height"] - 1)


def capture(display: VirtualDisplay) -> Screenshot:
    with using_display(display):  # this process's DISPLAY: the virtual one, never the real one
        screen = MssScreen()
        try:
            return screen.capture()
        finally:
            screen.close()


def places(message: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"at \((\d+), (\d+)\)", message)]


# ---------------------------------------------------------------- drawn text, no display


def drawn(items: list[tuple[str, tuple[int, int], str, str | None]],
          size: tuple[int, int] = (900, 360)) -> tuple[Image.Image, list[Box]]:
    """An image with each (text, position, ink, ground or None) drawn in DejaVu Sans 16 px."""
    image = Image.new("RGB", size, "#f2f2f2")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 16)
    boxes = []
    for text, (x, y), ink, ground in items:
        box = draw.textbbox((x, y), text, font=font)
        if ground is not None:  # a filled button around the text
            draw.rectangle((box[0] - 14, box[1] - 9, box[2] + 14, box[3] + 9), fill=ground)
        draw.text((x, y), text, font=font, fill=ink)
        boxes.append(tuple(float(v) for v in box))
    return image, boxes  # type: ignore[return-value]


SYNTHETIC = [
    ("Flight search", (40, 30), "black", None),
    ("From", (40, 90), "black", None),
    ("To", (40, 140), "black", None),
    ("Search flights", (60, 220), "black", "#d9d9d9"),
    ("Book now", (300, 220), "white", "#1a5fb4"),  # a primary button: white on blue
    ("Prices include taxes and fees", (40, 300), "#333333", None),
    ("Help", (800, 30), "black", None),
]


@pytest.mark.parametrize(("description", "index"), [
    ("the Search flights button", 3),
    ('the "Book now" button', 4),
    ("the From label", 1),
    ("click ‘Help’", 6),
    ("the text 'taxes and fees'", 5),
])
def test_tesseract_finds_drawn_text(tesseract: None, description: str, index: int) -> None:
    image, boxes = drawn(SYNTHETIC)
    grounding = OcrGrounder("tesseract").ground(StaticScreen(image).capture(), description)
    assert inside(grounding.point, boxes[index]), (grounding, boxes[index])
    assert json.loads(grounding.raw or "")["engine"] == "tesseract"


def test_a_field_asked_for_beside_a_label_with_no_field_is_an_error_not_the_label(
        tesseract: None) -> None:
    image, _boxes = drawn(SYNTHETIC)
    with pytest.raises(GroundingError, match=r"no text field like 'to'.*label without a field"):
        OcrGrounder("tesseract").ground(StaticScreen(image).capture(), "the To text field")


def test_tesseract_reports_drawn_duplicates_and_misses(tesseract: None) -> None:
    image, boxes = drawn([("Save", (60, 60), "black", "#d9d9d9"),
                          ("Save", (500, 260), "black", "#d9d9d9"),
                          ("Cancel", (300, 160), "black", "#d9d9d9")])
    grounder = OcrGrounder("tesseract")
    shot = StaticScreen(image).capture()
    with pytest.raises(GroundingError, match="ambiguous") as info:
        grounder.ground(shot, 'the "Save" button')
    found = places(str(info.value))
    assert any(inside(p, boxes[0]) for p in found) and any(inside(p, boxes[1]) for p in found)
    with pytest.raises(GroundingError, match="no text like 'delete account'"):
        grounder.ground(shot, "the Delete account button")
    assert inside(grounder.ground(shot, "the Cancel button").point, boxes[2])


def test_rapidocr_finds_drawn_text_offline() -> None:
    need(rapidocr_available(), "rapidocr is not installed (pip install 'planground[ocr]')")
    image, boxes = drawn(SYNTHETIC)
    grounder = OcrGrounder("rapidocr")
    shot = StaticScreen(image).capture()
    for description, index in (("the Search flights button", 3), ('the "Book now" button', 4),
                                ("the From label", 1)):
        grounding = grounder.ground(shot, description)
        assert inside(grounding.point, boxes[index]), (description, grounding)
        assert json.loads(grounding.raw or "")["engine"] == "rapidocr"
    with pytest.raises(GroundingError, match="no text like"):
        grounder.ground(shot, "the Delete account button")


# ---------------------------------------------------------------- real apps on Xvfb


@pytest.mark.gui
def test_the_form_app_on_xvfb(tesseract: None, make_display: Callable[[int, int], VirtualDisplay],
                              tmp_path: Path) -> None:
    display = make_display(1280, 800)
    with form_app(display, tmp_path) as app:
        time.sleep(0.3)  # the last expose events paint
        shot = capture(display)
        state = app.state()
    widgets, window = state["widgets"], state["window"]
    grounder = OcrGrounder()
    for description, widget in (("the Search flights button", "Search flights"),
                                ('the "Book now" button', "Book now")):
        grounding = grounder.ground(shot, description)
        assert inside(shot.to_screen(*grounding.point), widget_box(widgets[widget])), (
            description, grounding, widgets[widget])
    # The app reports its entries, not their labels: the From label is left of the From entry,
    # on its row.
    entry = widget_box(widgets["From"])
    point = shot.to_screen(*grounder.ground(shot, "the From label").point)
    assert inside(point, (window["x"], entry[1], entry[0] - 1, entry[3])), (point, entry)


SAME_LABEL_TWICE = r"""
import json, tkinter as tk
root = tk.Tk()
root.geometry("+60+50")
root.configure(background="white", padx=30, pady=30)
buttons = {}
for row, (name, text, colours) in enumerate((
        ("save-top", "Save", {}), ("cancel", "Cancel", {}), ("save-bottom", "Save", {}),
        ("sign-in", "Sign in", {"bg": "#1a5fb4", "fg": "white"}))):
    tk.Label(root, text=f"Row {row + 1}", font=("DejaVu Sans", 12), bg="white").grid(
        row=row, column=0, padx=(0, 60), pady=20)
    button = tk.Button(root, text=text, font=("DejaVu Sans", 14), padx=12, pady=4, **colours)
    button.grid(row=row, column=1, pady=20)
    buttons[name] = button
root.update()
root.after(300, lambda: print(json.dumps({n: {"x": b.winfo_rootx(), "y": b.winfo_rooty(),
    "width": b.winfo_width(), "height": b.winfo_height()} for n, b in buttons.items()}),
    flush=True))
root.mainloop()
"""


@pytest.mark.gui
def test_a_label_twice_on_xvfb_is_ambiguous_and_a_missing_one_not_found(
        tesseract: None, make_display: Callable[[int, int], VirtualDisplay]) -> None:
    display = make_display(1280, 800)
    with tk_script(display, SAME_LABEL_TWICE) as buttons:
        shot = capture(display)
    grounder = OcrGrounder()
    with pytest.raises(GroundingError, match="ambiguous") as info:
        grounder.ground(shot, 'the "Save" button')
    found = [shot.to_screen(*p) for p in places(str(info.value))]
    assert any(inside(p, widget_box(buttons["save-top"])) for p in found), (info.value, buttons)
    assert any(inside(p, widget_box(buttons["save-bottom"])) for p in found), (info.value,
                                                                                buttons)
    with pytest.raises(GroundingError, match="no text like 'delete account'"):
        grounder.ground(shot, "the Delete account button")
    for description, name in (("the Cancel button", "cancel"), ("the Sign in button", "sign-in")):
        point = shot.to_screen(*grounder.ground(shot, description).point)
        assert inside(point, widget_box(buttons[name])), (description, point, buttons[name])


LABELLED_FIELDS = r"""
import json, tkinter as tk
root = tk.Tk()
root.geometry("+80+60")
root.configure(padx=30, pady=30)
font = ("DejaVu Sans", 12)
fields = {}
for row, name in enumerate(("Name", "Email")):
    tk.Label(root, text=name + ":", font=font).grid(row=row, column=0, sticky="w", pady=8)
    fields[name] = tk.Entry(root, font=font, width=30)
    fields[name].grid(row=row, column=1, padx=(40, 0), pady=8)
tk.Label(root, text="Comments", font=font).grid(row=2, column=0, sticky="w", pady=(16, 0))
fields["Comments"] = tk.Text(root, font=font, width=40, height=4)
fields["Comments"].grid(row=3, column=0, columnspan=2, sticky="w", pady=(4, 0))
root.update()
root.after(300, lambda: print(json.dumps({n: {"x": w.winfo_rootx(), "y": w.winfo_rooty(),
    "width": w.winfo_width(), "height": w.winfo_height()} for n, w in fields.items()}),
    flush=True))
root.mainloop()
"""


@pytest.mark.gui
@pytest.mark.parametrize("widgets", [True, False], ids=["widgets", "words-only"])
def test_a_field_named_by_its_label_is_found_beside_or_below_it(
        tesseract: None, make_display: Callable[[int, int], VirtualDisplay],
        widgets: bool) -> None:
    """With the widget finder (OpenCV), and without it (edges beside the label)."""
    display = make_display(1280, 800)
    with tk_script(display, LABELLED_FIELDS) as fields:
        shot = capture(display)
    grounder = OcrGrounder(widgets=widgets)
    for description, field in (("the Name text field", "Name"), ("the Email field", "Email"),
                               ("the Comments text box", "Comments")):  # label above its field
        grounding = grounder.ground(shot, description)
        assert inside(shot.to_screen(*grounding.point), widget_box(fields[field])), (
            description, grounding, fields[field])
        raw = json.loads(grounding.raw or "")
        assert raw["kind"] == "field" and "field" in raw
        assert (raw["widgets"] is None) is not widgets


ROWS_AND_WIDGETS = r"""
import json, tkinter as tk
root = tk.Tk()
root.geometry("+60+40")
root.configure(background="white", padx=30, pady=20)
font = ("DejaVu Sans", 12)
placed = {}
tk.Label(root, text="Fill in the form and then click Submit.", font=font, bg="white").grid(
    row=0, column=0, columnspan=4, sticky="w", pady=(0, 16))
for row, name in enumerate(("Alice", "Bob", "Carol"), start=1):
    tk.Label(root, text=name, font=font, bg="white", width=8, anchor="w").grid(row=row, column=0)
    for column, action in enumerate(("Edit", "Delete"), start=1):
        placed[f"{action}:{name}"] = tk.Button(root, text=action, font=font, padx=8)
        placed[f"{action}:{name}"].grid(row=row, column=column, padx=12, pady=6)
placed["news"] = tk.Checkbutton(root, text="Newsletter", font=font, bg="white")
placed["news"].grid(row=4, column=0, columnspan=2, sticky="w", pady=(16, 0))
placed["offers"] = tk.Checkbutton(root, text="Offers", font=font, bg="white")
placed["offers"].grid(row=5, column=0, columnspan=2, sticky="w")
placed["entry"] = tk.Entry(root, font=font, width=30)
placed["entry"].grid(row=6, column=0, columnspan=4, sticky="w", pady=16)
placed["submit"] = tk.Button(root, text="Submit", font=font, padx=12, pady=4)
placed["submit"].grid(row=7, column=0, sticky="w")
root.update()
root.after(300, lambda: print(json.dumps({n: {"x": w.winfo_rootx(), "y": w.winfo_rooty(),
    "width": w.winfo_width(), "height": w.winfo_height()} for n, w in placed.items()}),
    flush=True))
root.mainloop()
"""


@pytest.mark.gui
def test_kinds_ordinals_rows_and_neighbours_on_a_real_tk_window(
        tesseract: None, make_display: Callable[[int, int], VirtualDisplay]) -> None:
    """C1's widgets and C2's descriptions together, on a real Tk window on Xvfb."""
    display = make_display(1280, 800)
    with tk_script(display, ROWS_AND_WIDGETS) as placed:
        shot = capture(display)
    grounder = OcrGrounder()
    for description, name in (
            ("the Submit button", "submit"),  # not "Submit." in the sentence above
            ("the second Delete button", "Delete:Bob"),
            ("the last Edit button", "Edit:Carol"),
            ("the Delete button in the row with Alice", "Delete:Alice"),
            ("the Edit button in Carol's row", "Edit:Carol"),
            ("the text field", "entry"),  # the only one, no label
            ("the checkbox next to Offers", "offers"),
            ("the Newsletter checkbox", "news"),
            ("the checkbox below Newsletter", "offers"),
    ):
        grounding = grounder.ground(shot, description)
        point = shot.to_screen(*grounding.point)
        assert inside(point, widget_box(placed[name])), (description, grounding, placed[name])
        assert json.loads(grounding.raw or "")["confidence"] >= 0.5
    with pytest.raises(GroundingError, match="ambiguous: 3 places") as info:
        grounder.ground(shot, "the Delete button")
    found = [shot.to_screen(*p) for p in places(str(info.value))]
    for name in ("Delete:Alice", "Delete:Bob", "Delete:Carol"):
        assert any(inside(p, widget_box(placed[name])) for p in found), (name, info.value)


FILLED_FORM = r"""
import json, tkinter as tk
root = tk.Tk()
root.geometry("+60+40")
root.configure(padx=30, pady=20)
font = ("DejaVu Sans", 12)
placed = {}
for row, (name, value) in enumerate((("Name", "Margaret Hamilton"),
                                     ("Email", "margaret@example.org"), ("Password", ""))):
    tk.Label(root, text=name, font=font).grid(row=row, column=0, sticky="w", pady=6)
    placed[name] = tk.Entry(root, font=font, width=30, show="*" if name == "Password" else "")
    placed[name].insert(0, value)
    placed[name].grid(row=row, column=1, padx=(20, 0), pady=6)
placed["terms"] = tk.Checkbutton(root, text="I accept the terms", font=font)
placed["terms"].grid(row=3, column=0, columnspan=2, sticky="w", pady=(12, 0))
placed["Email"].focus_force()
placed["Email"].icursor("end")
root.update()
root.after(300, lambda: print(json.dumps({n: {"x": w.winfo_rootx(), "y": w.winfo_rooty(),
    "width": w.winfo_width(), "height": w.winfo_height()} for n, w in placed.items()}),
    flush=True))
root.mainloop()
"""


@pytest.mark.gui
def test_filled_and_focused_fields_and_an_unquoted_checkbox_label_on_xvfb(
        tesseract: None, make_display: Callable[[int, int], VirtualDisplay]) -> None:
    """The eval suite's sign-up form: a field with text typed in (and the focus) is still the
    field its label names; "the I accept the terms checkbox" needs no quotes, though OCR drops
    the lone "I"."""
    display = make_display(1280, 800)
    with tk_script(display, FILLED_FORM) as placed:
        shot = capture(display)
    grounder = OcrGrounder()
    for description, name in (("the Password text field", "Password"),
                              ("the Email text field", "Email"), ("the Name field", "Name"),
                              ("the I accept the terms checkbox", "terms")):
        grounding = grounder.ground(shot, description)
        point = shot.to_screen(*grounding.point)
        assert inside(point, widget_box(placed[name])), (description, grounding, placed[name])
