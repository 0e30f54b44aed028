"""Widgets found on drawn screenshots (agent/grounding/ocr/widgets.py): the edge cases, each
drawn with the words an OCR pass would read. Real Tk windows and Chromium pages:
test_widgets_apps.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.grounding.ocr import widgets_marks, widgets_shapes
from agent.grounding.ocr.engines import Box, OcrWord, TesseractEngine
from agent.grounding.ocr.grounder import Analysis, OcrGrounder, ground_in
from agent.grounding.ocr.widgets import Widget, find_widgets
from agent.grounding.ocr.widgets_labels import ShortReads
from agent.testing import StaticScreen

FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 16)


class Canvas:
    """A drawn screen and the words an OCR pass would read from it (one line per text)."""

    def __init__(self, size: tuple[int, int] = (900, 500), ground: str = "white") -> None:
        self.image = Image.new("RGB", size, ground)
        self.draw = ImageDraw.Draw(self.image)
        self.words: list[OcrWord] = []

    def text(self, x: int, y: int, text: str, ink: str = "#222222", *, read: bool = True,
             underline: bool = False) -> Box:
        """Draw `text` at (x, y); its words are read unless `read` is False."""
        line = (len(self.words) + 1000,)
        left, top, right, bottom = self.draw.textbbox((x, y), text, font=FONT)
        self.draw.text((x, y), text, font=FONT, fill=ink)
        if underline:
            self.draw.line((left, bottom + 2, right, bottom + 2), fill=ink, width=1)
        cursor = x
        for word in text.split(" "):
            box = self.draw.textbbox((cursor, y), word, font=FONT)
            if read:
                x1, y1, x2, y2 = (float(v) for v in box)
                self.words.append(OcrWord(word, (x1, y1, x2, y2), line, 95.0))
            cursor = round(self.draw.textbbox((cursor, y), word + " ", font=FONT)[2])
        return float(left), float(top), float(right), float(bottom)

    def box(self, box: tuple[int, int, int, int], fill: str = "white",
            border: str | None = "#767676") -> None:
        self.draw.rectangle(box, fill=fill, outline=border)

    def find(self, engine: Any = None) -> list[Widget]:
        return find_widgets(self.image, self.words, engine)


def of_kind(widgets: Sequence[Widget], kind: str) -> list[Widget]:
    return [w for w in widgets if w.kind == kind]


def covers(widget: Widget, box: Sequence[float], slack: float = 3) -> bool:
    """Whether the widget's box is `box` (a real element's), give or take `slack` px."""
    return all(abs(a - b) <= slack for a, b in zip(widget.box, box, strict=True))


def centre_in(box: Sequence[float], widget: Widget) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return widget.box[0] <= x <= widget.box[2] and widget.box[1] <= y <= widget.box[3]


# ---------------------------------------------------------------- drawn screens


def test_a_grey_panel_beside_or_below_a_label_is_no_field() -> None:
    """The old fields.py mistake: the edge of a grey panel next to a label taken for a field."""
    canvas = Canvas()
    canvas.text(20, 30, "Username")
    canvas.box((150, 10, 420, 120), fill="#d9d9d9", border=None)  # a panel beside the label
    canvas.text(20, 160, "Notes")
    canvas.box((20, 190, 420, 300), fill="#e6e6e6", border=None)  # a panel below it
    canvas.text(500, 30, "Email")
    canvas.box((570, 24, 860, 52))  # the one real field
    fields = of_kind(canvas.find(), "field")
    assert [(f.text, f.box) for f in fields] == [("Email", (570.0, 24.0, 861.0, 53.0))]


def test_the_window_edge_is_no_field() -> None:
    """A light window on a dark desktop, a label at its left edge: no field, although the
    window is a light box and the label sits inside it."""
    canvas = Canvas(ground="#202020")
    canvas.box((40, 40, 700, 400), fill="white", border=None)
    canvas.text(46, 60, "Name")
    canvas.text(46, 120, "Welcome to the flight booking app.")
    assert canvas.find() == []
    canvas.box((120, 54, 400, 82))
    fields = of_kind(canvas.find(), "field")
    assert [f.text for f in fields] == ["Name"]


def test_a_notice_in_a_box_is_no_field_and_no_button() -> None:
    canvas = Canvas()
    canvas.box((20, 20, 520, 80))  # a bordered white card holding a sentence
    canvas.text(40, 40, "Your changes were saved.")
    canvas.box((20, 100, 520, 160), fill="#fde2e1", border="#e5534b")  # an alert, centred
    canvas.text(150, 120, "Something went wrong!")
    canvas.box((20, 180, 300, 208))  # a field
    canvas.box((20, 230, 520, 300))  # a text area with a sentence typed in
    canvas.text(24, 236, "Call me after six.")
    assert [(w.kind, w.text) for w in canvas.find()] == [("field", ""),
                                                         ("field", "Call me after six.")]


def test_fields_take_the_label_beside_or_above_and_never_a_sentence() -> None:
    canvas = Canvas()
    canvas.text(20, 24, "Name")
    canvas.box((120, 18, 400, 46))
    canvas.text(20, 70, "Email address")
    canvas.box((20, 96, 400, 124))
    canvas.text(20, 150, "Type a dish and press the button to find it.")
    canvas.box((20, 176, 400, 204))
    canvas.box((20, 214, 400, 242))  # a second field under the first: not labelled "Email"
    canvas.text(30, 220, "Search recipes", ink="#888888")  # its placeholder
    fields = sorted(of_kind(canvas.find(), "field"), key=lambda f: f.box[1])
    assert [f.text for f in fields] == ["Name", "Email address", "", "Search recipes"]
    assert fields[0].text_box is not None and fields[0].text_box[2] < fields[0].box[0]


def test_a_heading_above_a_field_is_not_its_label() -> None:
    """A page's bold title just above a field with a placeholder: the placeholder names it."""
    canvas = Canvas()
    heading = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 21)
    canvas.draw.text((20, 10), "Profile", font=heading, fill="#222222")
    left, top, right, bottom = canvas.draw.textbbox((20, 10), "Profile", font=heading)
    canvas.words.append(OcrWord("Profile", (left, top, right, bottom), (1,), 95.0))
    canvas.box((20, 44, 300, 72))
    canvas.text(28, 50, "First name", ink="#757575")
    canvas.text(20, 90, "About you")  # a label above its field
    canvas.box((20, 112, 300, 180))
    fields = sorted(of_kind(canvas.find(), "field"), key=lambda f: f.box[1])
    assert [f.text for f in fields] == ["First name", "About you"]


def test_filled_outlined_and_dark_buttons_hold_their_text() -> None:
    canvas = Canvas()
    canvas.box((20, 20, 120, 56), fill="#efefef")
    canvas.text(44, 28, "Save")
    canvas.box((140, 20, 260, 56), fill="white")  # an outlined button: centred short text
    canvas.text(168, 28, "Cancel")
    canvas.box((280, 20, 400, 56), fill="#1a5fb4", border=None)
    canvas.text(306, 28, "Sign in", ink="white")
    buttons = sorted(of_kind(canvas.find(), "button"), key=lambda b: b.box[0])
    assert [b.text for b in buttons] == ["Save", "Cancel", "Sign in"]
    assert of_kind(canvas.find(), "field") == []


def test_a_small_box_with_a_drawing_and_no_text_is_an_icon() -> None:
    canvas = Canvas()
    canvas.box((20, 20, 52, 52), fill="#efefef")
    canvas.draw.ellipse((27, 27, 40, 40), outline="#222222", width=2)  # a magnifier
    canvas.draw.line((38, 38, 45, 45), fill="#222222", width=3)
    canvas.box((80, 20, 180, 52), fill="#efefef")
    canvas.text(104, 26, "Close")
    canvas.box((220, 20, 252, 52), fill="#efefef")
    canvas.draw.line((228, 28, 244, 44), fill="#222222", width=3)  # a close cross: its sign
    canvas.draw.line((228, 44, 244, 28), fill="#222222", width=3)
    assert [(w.kind, w.text) for w in canvas.find()] == [
        ("icon", ""), ("button", "Close"), ("button", "×")]


def test_checkboxes_and_radio_buttons_with_their_text_and_state() -> None:
    canvas = Canvas()
    canvas.box((20, 20, 34, 34))
    canvas.text(44, 18, "Newsletter")
    canvas.box((20, 60, 34, 74), fill="#0075ff", border="#0075ff")
    canvas.draw.line((23, 67, 26, 71, 31, 63), fill="white", width=2)  # the tick
    canvas.text(44, 58, "Accept terms")
    canvas.draw.ellipse((20, 100, 34, 114), fill="white", outline="#767676")
    canvas.text(44, 98, "Small")
    canvas.draw.ellipse((20, 140, 34, 154), fill="white", outline="#0075ff", width=2)
    canvas.draw.ellipse((24, 144, 30, 150), fill="#0075ff")
    canvas.text(44, 138, "Large")
    found = [(w.kind, w.text, w.checked) for w in canvas.find()]
    assert found == [("checkbox", "Newsletter", False), ("checkbox", "Accept terms", True),
                     ("radio", "Small", False), ("radio", "Large", True)]


def test_a_lists_bullets_are_no_checkboxes() -> None:
    """The forty-fifth trial's fraud flags: a card's bulleted list ("• Multiple claims in 12
    months", Chromium's 4-px dot, anti-aliased) over a list of checkboxes with the same texts:
    each bullet, its edges one solid blob, was taken for a ticked checkbox (an ambiguity)."""
    canvas = Canvas()
    for row, text in enumerate(("Multiple claims in 12 months", "Late notification")):
        y = 20 + 22 * row
        for dx in range(5):
            for dy in range(5):
                rim = (dx in (0, 4)) + (dy in (0, 4))  # 0: the core, 1: its rim, 2: a corner
                grey = (80, 106, 196)[rim]
                canvas.image.putpixel((30 + dx, y + 7 + dy), (grey, grey, grey))
        canvas.text(44, y, text)
        canvas.box((20, 120 + 30 * row, 34, 134 + 30 * row))
        canvas.text(44, 118 + 30 * row, text)
    found = [(w.kind, w.text, w.box[1]) for w in canvas.find() if w.kind == "checkbox"]
    assert found == [("checkbox", "Multiple claims in 12 months", 119),
                     ("checkbox", "Late notification", 149)], found


def test_a_checkbox_close_inside_a_fieldsets_side_is_a_checkbox() -> None:
    """The forty-fifth trial's Circumstances fieldset: its side 12 px left of the first
    checkbox and only ten pixels taller than it above and below. The side was a neighbour
    (it ran a whole box's height neither above nor below) and the box became a field."""
    canvas = Canvas()
    canvas.draw.rounded_rectangle((60, 50, 600, 98), radius=4, outline="#c8ccd2")
    canvas.draw.rectangle((68, 46, 200, 54), fill="white")  # the legend breaks the top
    canvas.text(72, 40, "Circumstances")
    for x, text in ((72, "Police report filed"), (320, "Injuries reported")):
        canvas.box((x, 66, x + 16, 82))
        canvas.text(x + 24, 64, text)
    found = [(w.kind, w.text) for w in canvas.find()]
    assert [f for f in found if f[0] != "text"] == [
        ("checkbox", "Police report filed"), ("checkbox", "Injuries reported")], found


def test_an_open_list_over_a_card_beside_it_is_no_row_of_tabs() -> None:
    """The forty-ninth trial's Severity filter: its open list (five items in a box) hangs
    over a card, whose box it cuts at its own right side: two boxes touching, unlike each
    other, were a row of tabs, the list one tab reading all five items (no option left)."""
    canvas = Canvas(size=(900, 400))
    canvas.box((40, 60, 660, 260), fill="#fbfbfb", border="#dddddd")  # the card behind
    canvas.text(340, 80, "Sector 2 down")
    canvas.text(340, 110, "sectors 1 and 3 carrying traffic")
    canvas.text(340, 140, "since 02:10 this morning")
    canvas.box((60, 40, 320, 270))  # the open list, over the card
    for row, item in enumerate(("All", "Critical", "Major", "Minor", "Warning")):
        canvas.text(76, 52 + 44 * row, item)
    widgets = canvas.find()
    assert not of_kind(widgets, "tab"), widgets
    found = ground_in(Analysis(canvas.words, widgets, 0.0), canvas.image, 'the "Major" option')
    assert found.best.text == "Major"


def test_an_outlined_and_a_filled_button_on_every_row_are_no_tabs() -> None:
    """The forty-third trial's props table: an outlined Edit and a filled Check out button on
    every row, 7 px apart (here 4), unlike each other as a selected tab is unlike its row's
    others: tabs."""
    canvas = Canvas(size=(700, 300))
    for row in range(3):
        y = 30 + 60 * row
        canvas.text(20, y + 8, f"Prop {row + 1}")
        canvas.box((400, y, 470, y + 36))
        canvas.text(418, y + 8, "Edit")
        canvas.box((475, y, 605, y + 36), fill="#c0762a", border=None)
        canvas.text(493, y + 8, "Check out", ink="white")
    kinds = [(w.kind, w.text) for w in canvas.find() if w.kind in ("tab", "button")]
    assert kinds == [("button", "Edit"), ("button", "Check out")] * 3, kinds


def test_links_are_blue_or_underlined_text_not_the_same_words_in_a_sentence() -> None:
    canvas = Canvas()
    canvas.text(20, 20, "Read our Privacy policy and the Terms of use first.")
    policy = canvas.text(20, 60, "Privacy policy", ink="#0000ee", underline=True)
    terms = canvas.text(200, 60, "Terms of use", ink="#222222", underline=True)
    contact = canvas.text(360, 60, "Contact us", ink="#1a5fb4")
    links = of_kind(canvas.find(), "link")
    assert [link.text for link in links] == ["Privacy policy", "Terms of use", "Contact us"]
    assert all(covers(link, box) for link, box in zip(links, (policy, terms, contact),
                                                      strict=True))


def test_a_row_of_touching_boxes_with_one_unlike_the_others_is_tabs() -> None:
    canvas = Canvas()
    for index, (name, fill) in enumerate((("General", "white"), ("Privacy", "#eeeeee"),
                                          ("Advanced", "#eeeeee"))):
        canvas.box((20 + 120 * index, 20, 137 + 120 * index, 56), fill=fill)
        canvas.text(36 + 120 * index, 28, name)
    for index, name in enumerate(("Edit", "Delete", "Export")):  # spaced out: buttons
        canvas.box((20 + 120 * index, 120, 120 + 120 * index, 156), fill="#efefef")
        canvas.text(36 + 120 * index, 128, name)
    found = sorted(canvas.find(), key=lambda w: (w.box[1], w.box[0]))
    assert [(w.kind, w.text) for w in found] == [
        ("tab", "General"), ("tab", "Privacy"), ("tab", "Advanced"),
        ("button", "Edit"), ("button", "Delete"), ("button", "Export")]


class CountingEngine:
    """Reads "Submit" at the middle of whatever it is given, and counts its calls."""

    name = "counting"

    def __init__(self) -> None:
        self.images: list[Image.Image] = []

    def read(self, image: Image.Image) -> list[OcrWord]:
        self.images.append(image)
        return [OcrWord("Submit", (20.0, 20.0, 60.0, 36.0), (0,), 90.0)]


def test_only_boxes_whose_text_was_missed_are_read_again_in_one_call() -> None:
    canvas = Canvas()
    canvas.box((20, 20, 120, 56), fill="#efefef")
    canvas.text(44, 28, "Save")
    canvas.box((200, 20, 300, 56), fill="#efefef")
    canvas.text(220, 28, "Submit", read=False)  # the whole-screen pass missed it
    engine = CountingEngine()
    buttons = sorted(of_kind(canvas.find(engine), "button"), key=lambda b: b.box[0])
    assert len(engine.images) == 1 and engine.images[0].height < 200  # one small sheet
    assert [b.text for b in buttons] == ["Save", "Submit"]
    assert all(200 <= v <= 301 for v in (buttons[1].words[0].box[0], buttons[1].words[0].box[2]))


class ReadingEngine:
    """Reads `text` at the middle of whatever it is given, and counts its calls."""

    name = "reading"

    def __init__(self, text: str) -> None:
        self.text, self.calls = text, 0

    def read(self, image: Image.Image) -> list[OcrWord]:
        self.calls += 1
        words, x = [], 20.0
        for word in self.text.split():
            words.append(OcrWord(word, (x, 20.0, x + 12.0 * len(word), 36.0), (0,), 96.0))
            x += 12.0 * len(word) + 8
        return words


def _green_button(canvas: Canvas) -> None:
    """The twentieth blind trial's webhook form: white bold text on a green button."""
    canvas.box((20, 60, 180, 96), fill="#1f883d", border="#1a7f37")
    canvas.text(36, 68, "Add webhook", ink="white", read=False)


def test_a_button_whose_word_was_read_in_two_pieces_is_read_again() -> None:
    """"webhook" read as "w" and "hook" with its middle letters unread, each word sure of
    itself: the ink between them that no word covers sends the button to be read again."""
    canvas = Canvas()
    _green_button(canvas)
    words = canvas.draw.textbbox((36, 68), "Add webhook", font=FONT)
    add = canvas.draw.textbbox((36, 68), "Add", font=FONT)
    w_end = canvas.draw.textbbox((36, 68), "Add w", font=FONT)[2]
    hook = canvas.draw.textbbox((36, 68), "Add webhook", font=FONT)[2] - \
        canvas.draw.textlength("hook", font=FONT)
    for text, left, right in (("Add", add[0], add[2]), ("w", w_end - 12, w_end),
                              ("hook", hook, words[2])):
        canvas.words.append(OcrWord(text, (float(left), float(words[1]), float(right),
                                           float(words[3])), (7,), 95.0))
    engine = ReadingEngine("Add webhook")
    assert [b.text for b in of_kind(canvas.find(engine), "button")] == ["Add webhook"]
    assert engine.calls == 1
    spaced = Canvas()  # words read whole, their spaces blank: nothing to read again
    _green_button(spaced)
    for text, box in (("Add", add), ("webhook", (add[2] + 5, words[1], words[2], words[3]))):
        spaced.words.append(OcrWord(text, tuple(float(v) for v in box), (7,), 95.0))
    quiet = ReadingEngine("Add webhook")
    assert [b.text for b in of_kind(spaced.find(quiet), "button")] == ["Add webhook"]
    assert quiet.calls == 0


def test_a_button_is_one_row_of_words_whatever_lines_the_engine_numbered() -> None:
    """A region read again after a change around it: tesseract put "hook" on a line of its
    own though it stands on the row of "Add w". One row in the box's middle: a button."""
    canvas = Canvas()
    canvas.box((20, 60, 180, 96), fill="#1f883d", border="#1a7f37")
    canvas.text(36, 68, "Add", ink="white")
    canvas.text(76, 68, "webhook", ink="white")  # a line key of its own
    assert len({w.line for w in canvas.words}) == 2
    assert [(w.kind, w.text) for w in canvas.find()] == [("button", "Add webhook")]


def test_tesseract_reads_a_bordered_button_from_its_inside(tesseract: None) -> None:
    """tesseract reads nothing from the whole screen inside an HTML-like bordered button."""
    canvas = Canvas()
    canvas.text(20, 20, "Fill in the form and then click Submit.")
    canvas.box((20, 60, 88, 82), fill="#efefef")
    canvas.text(27, 62, "Submit", ink="black", read=False)
    buttons = of_kind(canvas.find(TesseractEngine()), "button")
    assert [b.text for b in buttons] == ["Submit"]


def test_a_busy_1080p_screen_has_every_field_and_button() -> None:
    """96 labelled fields and 96 buttons (bench/ocr_latency.py times this screen)."""
    canvas = Canvas((1920, 1080))
    for row in range(16):
        for column in range(6):
            x, y = 20 + 310 * column, 20 + 64 * row
            canvas.text(x, y + 6, f"Label {row}")
            canvas.box((x + 90, y, x + 290, y + 28))
            canvas.box((x + 90, y + 34, x + 160, y + 58), fill="#efefef")
            canvas.text(x + 100, y + 38, "Go")
    widgets = find_widgets(canvas.image, canvas.words)
    assert len(of_kind(widgets, "field")) == 96 and len(of_kind(widgets, "button")) == 96


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (7, 300), (300, 7), (64, 64)])
@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA"])
def test_tiny_and_blank_screens_have_no_widgets(size: tuple[int, int], mode: str) -> None:
    word = OcrWord("ab", (0.0, 0.0, 2.0, 2.0), (0,), 90.0)
    assert find_widgets(Image.new(mode, size), [word]) == []


def test_a_switch_taller_than_the_text_at_the_end_of_its_row_is_a_checkbox() -> None:
    """CSS switches (issue 13's trial): a 44x24 pill with a knob, grey (off, knob left) or
    coloured (on, knob right), far right of its row's text; a plain pill as tall is not one."""
    canvas = Canvas()
    for y, track, knob_x, text in ((40, "#c5cad1", 603, "Dark mode"),
                                   (100, "#3367d6", 623, "Compact view")):
        canvas.text(20, y + 3, text)
        canvas.draw.rounded_rectangle((600, y, 644, y + 24), radius=12, fill=track)
        canvas.draw.ellipse((knob_x, y + 3, knob_x + 18, y + 21), fill="white")
    canvas.draw.rounded_rectangle((600, 160, 644, 184), radius=12, fill="#c5cad1")  # no knob
    switches = [(w.box[1] // 10, w.checked) for w in of_kind(canvas.find(), "checkbox")]
    assert switches == [(3, False), (9, True)]


def test_a_field_with_a_button_touching_its_side_is_a_field_not_a_tab() -> None:
    """A newsletter form: "Email" above [you@example.com][Subscribe], the two boxes touching."""
    canvas = Canvas()
    canvas.text(40, 40, "Email")
    canvas.box((40, 66, 350, 100), border="#b9c0c8")
    canvas.text(50, 74, "you@example.com", ink="#888888")
    canvas.box((354, 66, 462, 100), fill="#3367d6", border="#2b59c3")
    canvas.text(370, 74, "Subscribe", ink="white")
    kinds = {w.text: w.kind for w in canvas.find()}
    assert kinds.get("Email") == "field" and kinds.get("Subscribe") == "button"


def test_a_button_word_read_unsure_is_read_again_from_the_buttons_inside() -> None:
    """Issue 13's trial: tesseract read a blue "Add" button as "Aad" (confidence 66) beside a
    focused field; its crop reads "Add". A surer reading replaces the unsure one."""
    canvas = Canvas()
    canvas.box((20, 20, 120, 56), fill="#efefef")
    box = canvas.text(44, 28, "Submit", read=False)
    canvas.words.append(OcrWord("Sabmit", box, (7,), 50.0))
    canvas.box((200, 20, 300, 56), fill="#efefef")
    canvas.text(224, 28, "Save")  # read sure: not read again
    engine = CountingEngine()
    buttons = sorted(of_kind(canvas.find(engine), "button"), key=lambda b: b.box[0])
    assert [b.text for b in buttons] == ["Submit", "Save"] and len(engine.images) == 1


def test_a_checkbox_text_read_unsure_is_read_again_from_right_of_its_mark(
        tesseract: None) -> None:
    """The blind trial's "All day": tesseract read the checkbox and its text together as "DAI"
    (confidence 0); the text alone, cropped from just right of the box, reads "All day". A
    label read sure is left as it is."""
    canvas = Canvas()
    canvas.box((20, 20, 36, 36))
    whole = canvas.text(46, 18, "All day", read=False)
    box = canvas.draw.textbbox((46, 18), "All", font=FONT)
    day = canvas.draw.textbbox((46, 18), "All day", font=FONT)[2] - \
        canvas.draw.textlength("day", font=FONT)
    canvas.words += [OcrWord("DAI", (20.0, whole[1], box[2], whole[3]), (7,), 0.0),
                     OcrWord("day", (day, whole[1], whole[2], whole[3]), (7,), 92.0)]
    canvas.box((20, 60, 36, 76))
    canvas.text(46, 58, "Newsletter")
    checkboxes = sorted(of_kind(canvas.find(TesseractEngine()), "checkbox"),
                        key=lambda w: w.box[1])
    assert [w.text for w in checkboxes] == ["All day", "Newsletter"]
    assert checkboxes[0].text_box is not None and checkboxes[0].text_box[0] > 36
    engine = CountingEngine()
    canvas.words[0] = OcrWord("All", (46.0, *whole[1:2], box[2], whole[3]), (7,), 95.0)
    canvas.find(engine)
    assert engine.images == []


def test_a_radio_button_whose_sides_touch_its_box_a_row_off_centre_is_round() -> None:
    """Chromium's 20-px radio button at 150% (the blind trial's "Can edit"): its left side
    touches its box on row 9 only, not on the middle row 10."""
    rows = [".......#######.......", "......##########.....", "....#############....",
            "...###############...", "...################..", "..##################.",
            ".###################.", ".####################", ".####################",
            "#####################", ".####################", ".####################",
            ".####################", ".###################.", "..##################.",
            "...################..", "...###############...", "....#############....",
            "......##########.....", ".......#######......."]
    filled = np.array([[c == "#" for c in row] for row in rows])
    assert widgets_marks._round(filled)
    assert not widgets_marks._round(np.ones_like(filled))  # a square's corners are full


class MissingInside:
    """tesseract, except that reading the whole canvas misses the text inside `box` (as it
    missed the holdout todo page's faint placeholder); crops are read as they are."""

    name = "tesseract"

    def __init__(self, canvas_size: tuple[int, int], box: tuple[int, int, int, int]) -> None:
        self.engine, self.size, self.box = TesseractEngine(), canvas_size, box

    def read(self, image: Image.Image) -> list[OcrWord]:
        words = self.engine.read(image)
        if image.size != self.size:
            return words
        left, top, right, bottom = self.box
        return [w for w in words if not (left <= (w.box[0] + w.box[2]) / 2 <= right
                                         and top <= (w.box[1] + w.box[3]) / 2 <= bottom)]


def test_a_labelled_fields_placeholder_read_from_its_inside_names_the_field(
        tesseract: None) -> None:
    canvas = Canvas()
    canvas.text(20, 20, "Task")
    field = (80, 14, 400, 44)
    canvas.box(field)
    canvas.text(88, 20, "What needs to be done?", ink="#757575", read=False)
    canvas.text(20, 80, "Notes")
    canvas.box((80, 74, 400, 104))
    grounder = OcrGrounder(MissingInside(canvas.image.size, field))
    shot = StaticScreen(canvas.image).capture()
    analysis = grounder.analyse(canvas.image)
    assert [w.text for w in analysis.widgets or [] if w.kind == "field"] == ["Task", "Notes"]
    point = grounder.ground(shot, 'the "What needs to be done?" field').point
    assert field[0] < point[0] < field[2] and field[1] < point[1] < field[3]
    assert grounder.ground(shot, "the Task field").point == point


def test_a_label_read_short_beside_its_field_is_read_again_from_its_own_crop(
        tesseract: None) -> None:
    """GTK's Save dialog at 100%: tesseract read "File name:" as "File nam" (confidence 95) in
    a box as wide as "name:", when the field beside it was focused."""
    canvas = Canvas()
    canvas.text(20, 20, "Choose a name, then click Save.")
    whole = canvas.text(20, 60, "File name:", read=False)
    file = canvas.draw.textbbox((20, 60), "File", font=FONT)
    name_left = canvas.draw.textbbox((20, 60), "File ", font=FONT)[2]
    canvas.words += [OcrWord("File", (float(file[0]), whole[1], float(file[2]), whole[3]), (9,),
                             96.0),
                     OcrWord("nam", (float(name_left), whole[1], whole[2], whole[3]), (9,), 95.0)]
    canvas.box((140, 52, 420, 84))
    fields = of_kind(canvas.find(TesseractEngine()), "field")
    assert [f.text for f in fields] == ["File name:"]


@pytest.mark.parametrize(("text", "width", "short"), [
    ("nam", 27.0, True),  # "name:" is 5 letters of ~6.9 px
    ("name:", 33.0, False),
    ("File", 21.0, False),
])
def test_a_word_read_short_is_one_whose_box_holds_more_letters(
        text: str, width: float, short: bool) -> None:
    screen = [OcrWord(t, (0.0, 100.0, 6.9 * len(t), 111.0), (1,), 95.0)
              for t in ("Choose", "name,", "then", "click", "Cancel")]
    label = [OcrWord(text, (82.0, 110.0, 82.0 + width, 121.0), (2,), 95.0)]
    assert ShortReads(screen)(label) is short
    assert ShortReads(screen[:2])(label) is False  # too few words to know a letter's width


def test_a_steppers_plus_and_minus_buttons_are_buttons_with_that_text() -> None:
    """The third blind trial's cart: "the + button in the Linen tea towel row". tesseract read
    no lone "+" or "−" from a crop; their strokes tell them. An icon of another drawing stays
    an icon."""
    canvas = Canvas()
    for y, label in ((20, "Ceramic mug"), (70, "Linen tea towel")):
        canvas.text(20, y + 6, label)
        canvas.box((200, y, 234, y + 26), fill="#efefef")  # −
        canvas.draw.line((210, y + 13, 224, y + 13), fill="#222222", width=2)
        canvas.box((292, y, 326, y + 26), fill="#efefef")  # +
        canvas.draw.line((302, y + 13, 316, y + 13), fill="#222222", width=2)
        canvas.draw.line((309, y + 6, 309, y + 20), fill="#222222", width=2)
    canvas.box((400, 20, 434, 46), fill="#efefef")  # a menu's three bars: no sign
    for y in (26, 32, 38):
        canvas.draw.line((409, y, 425, y), fill="#222222", width=2)
    found = canvas.find()
    signs = sorted((w.box[1], w.box[0], w.text) for w in of_kind(found, "button"))
    assert [(top, text) for top, _left, text in signs] == [
        (20, "−"), (20, "+"), (70, "−"), (70, "+")]
    assert len(of_kind(found, "icon")) == 1
    read = list(canvas.words)
    shot = StaticScreen(canvas.image).capture()
    grounder = OcrGrounder(FixedWords(read))
    point = grounder.ground(shot, "the + button in the Linen tea towel row").point
    assert 292 < point[0] < 326 and 70 < point[1] < 96
    assert 200 < grounder.ground(shot, "the - button in the Ceramic mug row").point[0] < 234


class FixedWords:
    """An engine that reads the same words from any image (the canvas's)."""

    name = "fixed"

    def __init__(self, words: list[OcrWord]) -> None:
        self.words = words

    def read(self, image: Image.Image) -> list[OcrWord]:
        return list(self.words) if image.width > 600 else []



def test_a_field_whose_long_placeholder_fills_most_of_it_is_a_field_not_a_button() -> None:
    """The fourth blind trial's IBAN field: "e.g. DE89 3704 0044 0532 0130 00" from its left
    padding to three quarters of its width read as text "in its middle": a button. An outlined
    button's short text, as far from either side, still is one."""
    canvas = Canvas()
    canvas.text(20, 28, "IBAN")
    canvas.box((100, 20, 460, 52))
    canvas.text(113, 28, "e.g. DE89 3704 0044 0532 0130 00", ink="#757575")
    canvas.box((100, 80, 220, 112))
    canvas.text(133, 88, "Cancel")
    found = canvas.find()
    assert [(w.kind, w.text) for w in found if w.box[1] < 60] == [("field", "IBAN")]
    assert [(w.kind, w.text) for w in found if w.box[1] > 60] == [("button", "Cancel")]


def test_a_drop_down_with_its_choice_padded_like_a_buttons_text_is_a_field() -> None:
    """The fourth trial's Country <select> at 100%: "United Kingdom" 16 px from its left and
    its arrow alone at the right end; without the arrow, the same box is an outlined button."""
    canvas = Canvas()
    canvas.text(100, 0, "Country")
    canvas.box((100, 24, 270, 60))
    canvas.text(116, 32, "United Kingdom")
    canvas.draw.line((246, 39, 251, 45, 256, 39), fill="#222222", width=2)
    canvas.box((100, 100, 270, 136))
    canvas.text(116, 108, "United Kingdom")
    found = canvas.find()
    assert [(w.kind, w.text, w.menu) for w in found if w.box[1] < 80] == \
        [("field", "Country", True)]
    assert [w.kind for w in found if w.box[1] > 80] == ["button"]


def test_a_radio_button_near_a_panels_rounded_corner_is_a_radio_button() -> None:
    """The fourth trial's "Click & Collect" at 100%: the last radio button of a panel, 12 px
    from its side, which bends into its rounded corner just below the button."""
    canvas = Canvas((600, 200))
    canvas.draw.rounded_rectangle((44, 10, 560, 104), radius=6, outline="#dddddd", fill="white")
    canvas.draw.line((45, 58, 559, 58), fill="#eeeeee")  # the rows' separator meets the side
    for top, text in ((30, "Express"), (80, "Click & Collect from a store")):
        canvas.draw.ellipse((53, top - 3, 69, top + 13), outline="#767676", width=1)
        canvas.text(78, top - 2, text)
    found = [(w.kind, w.text) for w in canvas.find()]
    assert ("radio", "Click & Collect from a store") in found and ("radio", "Express") in found


def test_a_close_sign_in_a_small_box_is_the_close_button_whatever_ocr_read() -> None:
    """A dialog's × button: tesseract read it with its border as "Lx"; its strokes tell it,
    and "the close button" names it."""
    canvas = Canvas()
    canvas.text(20, 28, "Book an appointment")
    canvas.box((400, 20, 446, 53))
    canvas.draw.line((417, 30, 429, 42), fill="#222222", width=2)
    canvas.draw.line((417, 42, 429, 30), fill="#222222", width=2)
    canvas.words.append(OcrWord("Lx", (400, 24, 446, 49), (7,), 40.0))
    found = canvas.find()
    assert [(w.kind, w.text) for w in found if w.box[0] >= 400] == [("button", "×")]
    grounder = OcrGrounder(FixedWords(list(canvas.words)))
    shot = StaticScreen(canvas.image).capture()
    assert 400 < grounder.ground(shot, "the close button").point[0] < 446


@pytest.mark.parametrize(("arrow", "line"), [("v", None), ("Vv", (-5, -1, 0))])
def test_a_grey_drop_down_whose_arrow_ocr_read_as_v_is_a_field_named_by_its_label(
        arrow: str, line: tuple[int, ...] | None) -> None:
    """Chromium's <select> given padding is grey like a button; OCR reads its arrow "v", or
    "Vv" on a line of its own when a closer look read it alone (the fourteenth trial's leave
    type drop-down, open: its list's items were then no drop-down's)."""
    canvas = Canvas()
    canvas.text(20, 0, "Department")
    canvas.box((20, 24, 240, 56), fill="#efefef")
    canvas.text(30, 32, "General practice")
    canvas.draw.line((220, 38, 225, 43, 230, 38), fill="#222222", width=2)
    canvas.words.append(OcrWord(arrow, (219, 37, 231, 44), line or canvas.words[-1].line, 60.0))
    found = canvas.find()
    assert [(w.kind, w.text, w.menu) for w in found] == [("field", "Department", True)]


def test_the_top_of_a_field_under_a_label_is_no_underline() -> None:
    """A bold label 7 px over a wider box's top border was taken for a link."""
    canvas = Canvas()
    canvas.text(20, 20, "Department")
    canvas.box((18, 44, 260, 76), fill="#e0e0e0")
    canvas.text(100, 52, "Choose")
    canvas.text(300, 20, "Help", ink="#222222", underline=True)
    kinds = {w.text: w.kind for w in canvas.find()}
    assert "Department" not in kinds and kinds.get("Help") == "link"



def test_rounded_grey_drop_downs_text_areas_and_pill_search_fields_are_fields() -> None:
    """Chromium draws a <select> given a border and a radius grey, its corners anti-aliased
    in steps smaller than an edge (its inside leaked into the page), its arrow close to its
    right side; a text area's corner leaks a pixel; a search field may be a pill."""
    canvas = Canvas((1000, 400))
    canvas.text(20, 10, "Language")
    drop_down(canvas, (20, 34, 900, 70))
    canvas.text(34, 44, "English (UK)")
    canvas.draw.line((886, 48, 891, 53, 896, 48), fill="#000000", width=2)
    canvas.text(20, 100, "Short bio")
    canvas.draw.rounded_rectangle((20, 124, 900, 190), radius=4, fill="white", outline="#cccccc")
    canvas.text(30, 134, "A sentence or two about you", ink="#757575")
    canvas.draw.rounded_rectangle((600, 240, 820, 272), radius=16, fill="white", outline="#cccccc")
    canvas.text(616, 248, "Search", ink="#757575")
    fields = [(w.box[1], w.text) for w in of_kind(canvas.find(), "field")]
    assert [top for top, _text in fields] == [34, 124, 240], fields
    assert [text for _top, text in fields][:2] == ["Language", "Short bio"]
    assert [w.menu for w in of_kind(canvas.find(), "field")] == [True, False, False]


# A top-left corner of Chromium's grey <select> at 100% (screen pixels, 2026-12-05): grey
# levels from its corner inwards; its border 204, its inside 239.
CORNER = [[255, 255, 255, 236, 217, 208, 204], [255, 255, 223, 219, 229, 235, 239],
          [255, 223, 220, 239, 239, 239, 239], [236, 218, 239, 239, 239, 239, 239],
          [217, 229, 239, 239, 239, 239, 239], [208, 235, 239, 239, 239, 239, 239],
          [204, 239, 239, 239, 239, 239, 239]]


def drop_down(canvas: Canvas, box: tuple[int, int, int, int]) -> None:
    """A grey box with a 1-px border and those anti-aliased corners, mirrored to all four."""
    left, top, right, bottom = box
    canvas.box(box, fill="#efefef", border="#cccccc")
    for dy, row in enumerate(CORNER):
        for dx, level in enumerate(row):
            for x, y in ((left + dx, top + dy), (right - dx, top + dy), (left + dx, bottom - dy),
                         (right - dx, bottom - dy)):
                canvas.image.putpixel((x, y), (level, level, level))


def test_one_side_of_a_box_may_be_broken_by_an_arrow_close_to_it_but_not_two() -> None:
    region = np.ones((30, 300), dtype=bool)
    region[12:16, -1] = False  # a drop-down's arrow joined to its right side: 80% of it left
    assert widgets_shapes.straight_sides(region)
    region[12:16, 0] = False
    assert not widgets_shapes.straight_sides(region)


def test_a_white_field_without_a_border_on_a_dark_bar_is_a_field_and_the_bars_links_stay() -> None:
    """A shop's header: brand, search field (white, no border), Search button, "Cart (2)"."""
    canvas = Canvas((1000, 120), ground="#232f3e")
    canvas.text(20, 18, "Shoply", ink="#ffffff")
    canvas.box((100, 10, 600, 42), fill="white", border=None)
    canvas.text(112, 18, "Search Shoply", ink="#757575")
    canvas.box((620, 10, 700, 42), fill="#febd69", border=None)
    canvas.text(632, 18, "Search")
    canvas.text(760, 18, "Cart (2)", ink="#ffffff")
    found = [(w.kind, w.text) for w in canvas.find()]
    assert ("field", "Shoply") in found or ("field", "Search Shoply") in found, found
    assert ("button", "Search") in found and ("link", "Cart (2)") in found, found


def test_words_in_a_row_with_a_bar_under_the_selected_one_are_tabs_a_headers_row_is_not() -> None:
    """The fifth blind trial's order tabs: "All" underlined by a green bar on the tab bar's
    grey rule; "the Shipped tab" tied with two "Shipped" table cells until they were tabs. A
    table header over its rule, none underlined apart, stays words."""
    canvas = Canvas((900, 300))
    lefts = (20, 80, 180, 290)
    for left, name in zip(lefts, ("All", "Pending", "Shipped", "Cancelled"), strict=True):
        canvas.text(left, 20, name)
    canvas.draw.line((0, 52, 899, 52), fill="#dddddd")
    canvas.draw.rectangle((8, 50, 52, 52), fill="#1a7f37")  # the selected tab's bar
    for left, name in zip(lefts, ("Order", "Customer", "Total", "Status"), strict=True):
        canvas.text(left, 120, name)
    canvas.draw.line((0, 146, 899, 146), fill="#999999", width=2)
    tabs = [w.text for w in of_kind(canvas.find(), "tab")]
    assert tabs == ["All", "Pending", "Shipped", "Cancelled"], tabs
    # The fifty-sixth trial's finance applications: a side panel's words level with the tabs,
    # far right, made the row no tab bar at all
    canvas.text(760, 20, "Deposit")
    tabs = [w.text for w in of_kind(canvas.find(), "tab")]
    assert tabs == ["All", "Pending", "Shipped", "Cancelled"], tabs


def test_a_label_column_far_left_of_money_fields_labels_them_over_its_hints() -> None:
    """The sixth blind trial's tax form: bold labels 25 text heights left of fields behind a
    "$" box, each with a grey hint under it nearer the field's middle."""
    canvas = Canvas((1000, 200))
    bold = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 17)
    for top, name, hint in ((20, "Employment income", "Box 1 of your W-2"),
                            (100, "Charitable donations", "Cash gifts to organizations")):
        canvas.draw.text((20, top), name, font=bold, fill="#222222")
        canvas.words += [OcrWord(word, (x, top + 3, x + 11 * len(word), top + 17), (top,), 95.0)
                         for x, word in zip((20, 20 + 11 * (len(name.split()[0]) + 1)),
                                            name.split(), strict=True)]
        canvas.text(20, top + 22, hint, ink="#777777")
        canvas.box((500, top, 530, top + 34), fill="#eeeeee")
        canvas.text(510, top + 8, "$")
        canvas.box((530, top, 720, top + 34))
    fields = [w.text for w in of_kind(canvas.find(), "field")]
    assert fields == ["Employment income", "Charitable donations"], fields


def test_short_labels_in_a_far_label_column_label_their_fields_too() -> None:
    """The same form's "Dividends" ends 31 text heights from its field, past how far a label
    is looked for; it starts where the column's other labels start, so it is the label."""
    canvas = Canvas((1000, 270))
    bold = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 17)
    for top, name, hint in ((20, "Employment income", "Box 1 of your W-2"),
                            (85, "Dividends", ""),
                            (150, "Interest income", "Form 1099-INT"),
                            (215, "Charitable donations", "")):
        canvas.draw.text((20, top), name, font=bold, fill="#222222")
        canvas.words += [OcrWord(word, (x, top + 3, x + 11 * len(word), top + 17), (top,), 95.0)
                         for x, word in zip((20, 20 + 11 * (len(name.split()[0]) + 1)),
                                            name.split(), strict=False)]
        if hint:
            canvas.text(20, top + 22, hint, ink="#777777")
        canvas.box((530, top, 560, top + 40), fill="#eeeeee")
        canvas.text(540, top + 10, "$")
        canvas.box((560, top, 760, top + 40))
    fields = [w.text for w in of_kind(canvas.find(), "field")]
    assert fields == ["Employment income", "Dividends", "Interest income",
                      "Charitable donations"], fields


def test_a_radio_button_in_a_bordered_card_is_a_radio_button_not_a_letter_o() -> None:
    """A fare picker's cards at 150%: "( ) Off-Peak Single" over its price in a box. The round
    mark is a radio button (its text more than half its size away), and the card no field."""
    canvas = Canvas((900, 160))
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 22)
    for left, name, price in ((20, "Advance Single", "£12.40"), (440, "Off-Peak Single",
                                                                 "£18.90")):
        canvas.draw.rounded_rectangle((left, 20, left + 399, 132), radius=12, outline="#cccccc",
                                      width=3)
        canvas.draw.ellipse((left + 35, 46, left + 53, 64), outline="#767676", width=2)
        for x, y, text in ((left + 66, 44, name), (left + 29, 84, price)):
            canvas.draw.text((x, y), text, font=font, fill="#222222")
            right, bottom = canvas.draw.textbbox((x, y), text, font=font)[2:]
            canvas.words.append(OcrWord(text, (x, y + 4, right, bottom), (y, left), 95.0))
    found = canvas.find()
    radios = sorted(of_kind(found, "radio"), key=lambda w: w.box[0])
    assert [r.text for r in radios] == ["Advance Single", "Off-Peak Single"], found
    assert not of_kind(found, "field"), found


def test_a_letter_o_on_a_button_is_no_radio_button() -> None:
    canvas = Canvas((400, 100))
    canvas.box((20, 20, 160, 60), fill="#efefef")
    canvas.text(50, 30, "Open", read=False)  # the whole-screen pass missed the button's text
    assert not of_kind(canvas.find(), "radio")


def test_a_steppers_plus_in_its_button_is_no_radio_button() -> None:
    """A quantity stepper at 150%: a field, then "+" in its button. The plus is round to the
    mark finder (empty corners, full side middles), but has no text beside it: the button's
    sign."""
    canvas = Canvas((400, 100))
    canvas.box((79, 14, 148, 63))
    canvas.text(106, 28, "1")
    canvas.draw.rounded_rectangle((174, 20, 224, 58), radius=5, fill="#efefef", outline="#999999")
    plus = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 20)
    canvas.draw.text((199, 39), "+", font=plus, fill="#222222", anchor="mm")
    found = canvas.find()
    assert not of_kind(found, "radio"), found
    assert any(w.kind == "button" and w.text == "+" for w in found), found


def test_a_long_placeholder_filling_its_box_is_a_field_not_a_button() -> None:
    """The sixteenth trial's Buddy field: "Colleague who shows them around" runs on to the
    field's end, a few px each side, as centred as a button's text; a button's padding is
    wider."""
    canvas = Canvas()
    canvas.text(40, 40, "Buddy")
    right = canvas.draw.textbbox((48, 74), "Colleague who shows them", font=FONT)[2]
    canvas.box((36, 66, round(right) + 12, 98))  # 9 px inside either side: 0.75 text heights
    canvas.text(48, 74, "Colleague who shows them", ink="#888888")
    canvas.box((40, 140, 200, 172))
    canvas.text(62, 148, "Save a draft")
    fields, buttons = of_kind(canvas.find(), "field"), of_kind(canvas.find(), "button")
    assert [f.text for f in fields] == ["Buddy"] and [b.text for b in buttons] == ["Save a draft"]


def test_a_radio_button_and_a_colour_swatch_read_as_one_word_are_marks() -> None:
    """The fifteenth trial's colour picker at 150%: "( ) (●) Olive", a radio button and
    a swatch read together as "O@" at 86%; a word of ring-like glyphs only is no word whose
    letters the marks would be."""
    canvas = Canvas((600, 100))
    canvas.draw.ellipse((40, 40, 58, 58), outline="#767676", width=2)
    canvas.draw.ellipse((66, 40, 84, 58), fill="#6b7b3a")
    canvas.text(96, 40, "Olive")
    canvas.words.append(OcrWord("O@", (40.0, 40.0, 85.0, 60.0), (9,), 86.0))
    radios = of_kind(canvas.find(), "radio")
    assert [r.text for r in radios] == ["Olive"] and radios[0].box[0] < 45, radios


def test_a_label_under_a_junk_reading_is_read_again_from_its_own_crop(
        tesseract: None) -> None:
    """The fourteenth trial's leave request at 150%, after typing into From: the changed
    region (a thick focus ring, then "To") read as junk, "id" at 43%, over the To label; a
    reading so unsure does not stop the label's own crop from being read."""
    canvas = Canvas()
    canvas.text(20, 20, "From")
    canvas.box((20, 52, 200, 84))
    canvas.draw.rectangle((18, 50, 202, 86), outline="#111111", width=3)  # its focus ring
    canvas.text(224, 60, "To", read=False)
    canvas.words.append(OcrWord("id", (150.0, 52.0, 252.0, 86.0), (9,), 43.0))
    canvas.box((290, 52, 500, 84))
    fields = of_kind(canvas.find(TesseractEngine()), "field")
    assert [f.text for f in sorted(fields, key=lambda f: f.box[0])] == ["From", "To"]


@pytest.mark.parametrize("confidence", [58.0, 64.0])
def test_a_side_read_as_a_letter_between_two_fields_labels_neither(confidence: float) -> None:
    """The sixteenth trial's firewall form at 150%: "J" at 58% read from the Source
    field's right side and the Port field's left, on their row; the Port field's label is
    the "Port" above it, not that letter beside it. The forty-fifth trial's deduction form
    read it at 64% (only the typed-into field read again), as sure as a real letter."""
    canvas = Canvas()
    canvas.text(20, 20, "Source")
    canvas.text(240, 20, "Port")
    canvas.box((20, 44, 220, 76))
    canvas.box((240, 44, 340, 76))
    canvas.words.append(OcrWord("J", (219.0, 44.0, 241.0, 77.0), (9,), confidence))
    fields = sorted(of_kind(canvas.find(), "field"), key=lambda f: f.box[0])
    assert [f.text for f in fields] == ["Source", "Port"]


def test_an_open_list_beside_the_table_rows_it_hangs_over_is_no_row_of_tabs() -> None:
    """The fourteenth trial's Team drop-down, open over a fixtures table: the list's box
    touches the rows' boxes it covers, on their row; no tabs of such unlike heights."""
    canvas = Canvas((900, 400), ground="#f2f5f2")
    canvas.box((240, 66, 880, 99), fill="#d8e2d8", border=None)  # the table's header row
    canvas.text(300, 74, "Home")
    canvas.text(600, 74, "Away")
    canvas.box((80, 60, 241, 205), fill="#efefef")
    for index, team in enumerate(("Riverside", "Millbrook United", "Kingsmead")):
        canvas.text(92, 70 + 24 * index, team)
    assert not of_kind(canvas.find(), "tab")


def test_a_word_box_drawn_from_a_radio_buttons_middle_leaves_the_radio_button() -> None:
    """The sixteenth trial's firewall form at 100%, read again after typing: "Deny" at 97%
    in a box starting at its radio button's middle; the mark is no letter of the word (its
    left half is off it), and the word keeps its D."""
    canvas = Canvas((400, 100))
    canvas.draw.ellipse((40, 40, 55, 55), outline="#767676", width=1)
    right = canvas.text(64, 41, "Deny", read=False)[2]
    canvas.words.append(OcrWord("Deny", (47.0, 41.0, right, 55.0), (9,), 97.0))
    radios = of_kind(canvas.find(), "radio")
    assert [r.text for r in radios] == ["Deny"] and 38 <= radios[0].box[0] <= 41, radios


def test_a_light_box_with_a_placeholder_holding_a_button_is_a_field() -> None:
    """The fourteenth trial's translator: a text area whose grey "Enter text" starts at its
    top left and whose Clear button is drawn inside it; a chat composer's Send button inside
    its one line. A panel whose dark heading stands over its buttons stays a panel."""
    canvas = Canvas((900, 400))
    canvas.box((20, 20, 420, 180))  # the text area
    canvas.text(34, 32, "Enter text", ink="#8a8a8a")
    canvas.box((32, 140, 92, 168), fill="#efefef")
    canvas.text(44, 145, "Clear")
    canvas.box((460, 20, 860, 180), fill="#f7f8fa")  # the translation panel
    canvas.text(474, 32, "Translation")
    canvas.box((472, 140, 532, 168), fill="#e0e0e0")
    canvas.text(484, 145, "Copy")
    canvas.box((20, 260, 520, 300))  # a chat composer
    canvas.text(34, 270, "Type a message", ink="#8a8a8a")
    canvas.box((440, 266, 512, 294), fill="#1a73e8", border=None)
    canvas.text(456, 271, "Send", ink="white")
    found = canvas.find()
    fields = sorted(of_kind(found, "field"), key=lambda w: w.box[1])
    assert [f.box for f in fields] == [(20.0, 20.0, 421.0, 181.0), (20.0, 260.0, 521.0, 301.0)]
    assert sorted(b.text for b in of_kind(found, "button")) == ["Clear", "Copy", "Send"]


def test_a_ticked_box_read_as_the_first_letter_of_its_text_is_a_checkbox() -> None:
    """The eighteenth trial's feature flags at 100%: Chromium's ticked box (blue, a white
    tick) and "On" read as one word, "Gon" at 79%; a gap wider than letters keep follows the
    mark, so it is a checkbox whose text is "on", not a letter."""
    canvas = Canvas((400, 100))
    canvas.draw.rounded_rectangle((40, 40, 56, 56), radius=2, fill="#0075ff")
    canvas.draw.line((43, 48, 47, 52, 53, 44), fill="white", width=2)
    right = canvas.text(64, 41, "On", read=False)[2]
    canvas.words.append(OcrWord("Gon", (41.0, 41.0, right, 56.0), (9,), 79.0))
    boxes = of_kind(canvas.find(), "checkbox")
    assert [(b.text, b.checked) for b in boxes] == [("on", True)], boxes  # (its letters as read)


def test_a_placeholder_starting_with_a_sign_is_a_fields_not_a_buttons_centred_text() -> None:
    """The eighteenth trial's DNS form: "@ or subdomain" in the Name field; without its "@"
    (no letter in it) the rest stood about the field's middle, as a button's text does."""
    canvas = Canvas()
    canvas.text(20, 20, "Name")
    right = canvas.draw.textbbox((27, 48), "@ or subdomain", font=FONT)[2]
    after_sign = canvas.draw.textbbox((27, 48), "@ ", font=FONT)[2] - 23  # "or" from the side
    canvas.box((20, 40, round(right + 1.6 * after_sign), 72))
    canvas.text(27, 48, "@ or subdomain", ink="#757575")
    fields = of_kind(canvas.find(), "field")
    assert [f.text for f in fields] == ["Name"], canvas.find()


def test_a_buttons_label_wrapped_onto_two_lines_is_a_button() -> None:
    """The eighteenth trial's charger cards: "Start / charging" on two lines in a narrow green
    button, and the same in an outlined one; a panel's two lines of a notice are no button."""
    canvas = Canvas()
    canvas.box((20, 20, 140, 70), fill="#0b8457", border=None)
    canvas.text(58, 24, "Start", ink="white")
    canvas.text(46, 44, "charging", ink="white")
    canvas.box((200, 20, 320, 70))
    canvas.text(238, 24, "Start")
    canvas.text(226, 44, "charging")
    canvas.box((20, 120, 420, 170), fill="#fde8e8", border=None)
    canvas.text(32, 124, "Your card was declined by the bank.")
    canvas.text(32, 144, "Try another card.")
    buttons = sorted(of_kind(canvas.find(), "button"), key=lambda b: b.box[0])
    assert [(b.text, b.box[1]) for b in buttons] == [("Start charging", 20.0)] * 2, buttons


def test_a_label_over_its_hint_over_its_field_labels_the_field() -> None:
    """The seventeenth trial's GOV.UK-style form at 150%: a label, a hint sentence under it,
    then the field, all at one left edge; the side menu's "Council tax support" far left on
    the field's row is no label."""
    canvas = Canvas((900, 400))
    canvas.text(240, 20, "Council tax account number")
    canvas.text(240, 42, "This is 8 digits and is on your bill, for example 40098765",
                ink="#505a5f")
    canvas.box((240, 66, 520, 100))
    canvas.text(20, 76, "Council tax support", ink="#1d70b8")
    fields = of_kind(canvas.find(), "field")
    assert [f.text for f in fields] == ["Council tax account number"]


def test_a_button_whose_dark_words_crowd_it_is_a_button() -> None:
    """The nineteenth trial's wishlist at 100%: "Move to basket" 8 px from either side of its
    outlined button, as close as a long placeholder comes to its field's sides, but dark."""
    canvas = Canvas()
    right = canvas.draw.textbbox((48, 74), "Move to basket", font=FONT)[2]
    canvas.box((36, 66, round(right) + 12, 98))
    canvas.text(48, 74, "Move to basket")
    assert [(w.kind, w.text) for w in canvas.find()] == [("button", "Move to basket")]


def test_a_label_just_under_a_title_is_its_fields_label_not_the_title() -> None:
    """The page suite's sign-in dialog at 100%: "Sign in to continue", then "User" 11 px
    under it, then the field; the title is no hint's label to lift to."""
    canvas = Canvas()
    canvas.text(40, 20, "Sign in to continue")
    canvas.text(40, 44, "User")
    canvas.box((40, 64, 340, 88))
    assert [f.text for f in of_kind(canvas.find(), "field")] == ["User"]


def test_two_items_of_an_open_list_are_no_wrapped_button() -> None:
    """The twenty-first trial's bowling page: a drop-down's open list, "1 game" highlighted
    above a grey box holding "2 games" over "3 games" at one left edge, spaced as list items
    are: no button reading "2 games 3 games" to take the item's place."""
    canvas = Canvas()
    canvas.box((20, 20, 120, 66), fill="#efefef", border="#767676")
    canvas.text(32, 22, "2 games")
    canvas.text(32, 44, "3 games")
    canvas.box((200, 20, 300, 66), fill="#efefef", border="#767676")  # lines of one label
    canvas.text(222, 22, "Start")
    canvas.text(212, 38, "charging")
    assert [(w.kind, w.text) for w in canvas.find()] == [("button", "Start charging")]


def test_a_link_wrapped_onto_two_lines_is_one_link_clicked_on_its_first_line() -> None:
    """The twenty-first trial's power cut table: "Follow / updates" wrapped in a narrow column,
    each line underlined; a side list's links, farther apart than a paragraph's lines, stay
    apart."""
    canvas = Canvas()
    canvas.text(40, 40, "Follow", ink="#1d5fa8", underline=True)
    canvas.text(40, 58, "updates", ink="#1d5fa8", underline=True)
    canvas.text(400, 40, "Find your bin day", ink="#1d5fa8", underline=True)
    canvas.text(400, 66, "Recycling centres", ink="#1d5fa8", underline=True)
    canvas.text(700, 40, "View", ink="#1d5fa8", underline=True)  # two cards' links side by
    canvas.text(700, 58, "PIN", ink="#1d5fa8", underline=True)  # side, one left of the other
    canvas.text(860, 40, "View", ink="#1d5fa8", underline=True)
    canvas.text(860, 58, "PIN", ink="#1d5fa8", underline=True)
    found = of_kind(canvas.find(), "link")
    links = {w.text: w for w in found}
    assert {"Follow", "updates", "Follow updates", "Find your bin day",
            "Recycling centres"} <= set(links)
    assert "Find your bin day Recycling centres" not in links
    assert sorted(w.box[0] for w in found if w.text == "View PIN") == [700, 860]
    wrapped = links["Follow updates"]
    assert wrapped.text_box is not None and wrapped.text_box[3] < 58  # its first line
    assert centre_in(wrapped.text_box, wrapped)


def test_a_tables_header_band_is_no_button() -> None:
    """The fifteenth trial's payroll table: a grey band of headings far apart on one row (a
    line each, as the engine read them) is no button; its headings head their columns."""
    canvas = Canvas()
    canvas.box((20, 20, 600, 54), fill="#efefef")
    for x, heading in ((32, "EMPLOYEE"), (200, "DEPARTMENT"), (400, "HOURS")):
        canvas.text(x, 28, heading)
    assert of_kind(canvas.find(), "button") == []


def test_a_field_with_a_faint_border_at_150_percent_is_a_field() -> None:
    """The twenty-second trial's page setup dialog at 150%: a 1-px #dcdde1 border drawn as two
    pixels of 237 on white, fainter than any edge of a letter; the field is found by its long
    straight sides, and its text at its left makes it a field, not a button."""
    canvas = Canvas()
    canvas.text(20, 30, "Left")
    canvas.draw.rectangle((100, 20, 250, 62), outline=(237, 238, 240), width=2)
    canvas.text(114, 30, "2.54", ink="#757575")
    assert [(w.kind, w.text) for w in canvas.find()] == [("field", "Left")]


def test_a_checkbox_label_the_engine_read_as_two_lines_is_one_label() -> None:
    """The twenty-first trial's rewards page at 150%: tesseract put "rewards arrive" on a line
    of its own, a space after "Email me when new" on the same row; two columns' texts far
    apart on a row stay apart."""
    canvas = Canvas()
    canvas.box((20, 24, 34, 38))
    left = canvas.text(44, 20, "Email me when new")
    canvas.text(round(left[2]) + 5, 20, "rewards arrive")
    canvas.text(600, 20, "Points")
    texts = [(w.kind, w.text) for w in canvas.find()]
    assert ("checkbox", "Email me when new rewards arrive") in texts


def test_a_drop_downs_text_over_its_open_lists_highlighted_item_is_no_tab() -> None:
    """The twentieth trial's email signature settings: an open drop-down's "Work" over its
    list's first item, highlighted by a blue band as tall as a line of text, beside the label
    "Default for new emails": a band, not a selected tab's bar."""
    canvas = Canvas()
    canvas.text(20, 20, "Default for new emails")
    canvas.text(250, 20, "Work")
    canvas.draw.rectangle((240, 42, 380, 64), fill="#1967d2")
    canvas.text(250, 44, "Work", ink="white")
    assert of_kind(canvas.find(), "tab") == []


def test_large_radio_buttons_and_checkboxes_beside_small_text_are_marks() -> None:
    """The twenty-third trial's GOV.UK-style passport form: round radio buttons and square
    checkboxes over twice as tall as their labels' text, not empty fields."""
    canvas = Canvas()
    canvas.draw.ellipse((20, 20, 48, 48), fill="white", outline="#0b0c0c", width=2)
    canvas.text(58, 26, "Fast Track, 1 week (£155)")
    canvas.draw.rectangle((20, 70, 48, 98), fill="white", outline="#0b0c0c", width=2)
    canvas.text(58, 76, "Send my old passport back")
    found = [(w.kind, w.text) for w in canvas.find()]
    assert found == [("radio", "Fast Track, 1 week (£155)"),
                     ("checkbox", "Send my old passport back")], found


def test_a_label_beside_a_drop_down_labels_it_not_the_field_after_it() -> None:
    """The forty-sixth trial's newsroom filter bar at 150%: "Desk", its drop-down, then a
    search field a pixel higher (met first): "Desk" labels the drop-down beside it, and the
    search field keeps its placeholder."""
    canvas = Canvas(size=(700, 120))
    canvas.text(20, 38, "Desk")
    canvas.box((66, 28, 166, 64))
    canvas.text(74, 36, "All desks")
    canvas.draw.line((148, 43, 153, 49, 158, 43), fill="#222222", width=2)
    canvas.box((176, 27, 466, 64), border="#111111")
    canvas.text(188, 36, "Search headlines", ink="#777777")
    fields = sorted(of_kind(canvas.find(), "field"), key=lambda f: f.box[0])
    assert [f.text for f in fields] == ["Desk", "Search headlines"]
