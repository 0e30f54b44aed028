"""The closer look: a screen of small text read again magnified when a grounding finds nothing
like the words described, or two misreadings alike (agent/grounding/ocr/magnify.py)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.errors import GroundingError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.grounder import OcrGrounder
from agent.grounding.ocr.magnify import FACTOR, magnified_read
from agent.screen import Screenshot

FIELDS = ((200, 16, 400, 44), (200, 76, 400, 104))
Read = list[tuple[str, Box]]


class MisreadingEngine:
    """Reads the screen as tesseract did small text at 100% zoom (`small`: a bold "Dividends"
    read "lends"), and as it read the screen magnified (`whole`)."""

    name = "misreading"

    def __init__(self, screen: Image.Image, small: Read, whole: Read) -> None:
        self.screen, self.small, self.whole = screen.size, small, whole
        self.magnified = self.reads = 0

    def read(self, image: Image.Image) -> list[OcrWord]:
        self.reads += 1
        if image.size == self.screen:
            return [OcrWord(text, box, (k,), 91.0) for k, (text, box) in enumerate(self.small)]
        if image.size == (self.screen[0] * FACTOR, self.screen[1] * FACTOR):
            self.magnified += 1
            return [OcrWord(text, (box[0] * FACTOR, box[1] * FACTOR, box[2] * FACTOR,
                                   box[3] * FACTOR), (k,), 96.0)
                    for k, (text, box) in enumerate(self.whole)]
        return []  # a widget's crop read again: nothing more there


def form(labels: tuple[str, str], height: int) -> Screenshot:
    """Two fields, each with its label at its left."""
    image = Image.new("RGB", (500, 120), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", height)
    for label, field in zip(labels, FIELDS, strict=True):
        draw.text((20, field[1] + 8), label, font=font, fill="#222222")
        draw.rectangle(field, fill="white", outline="#767676")
    return Screenshot.from_image(image)


def inside(point: tuple[float, float], box: tuple[int, int, int, int]) -> bool:
    return box[0] < point[0] < box[2] and box[1] < point[1] < box[3]


def test_a_label_misread_on_small_text_is_found_read_magnified_once_per_screenshot() -> None:
    shot = form(("Dividends", "Notes"), 11)
    notes = ("Notes", (20, 84, 60, 95))
    engine = MisreadingEngine(shot.image, [("lends", (62, 24, 100, 35)), notes],
                              [("Dividends", (20, 24, 100, 35)), notes])
    grounder = OcrGrounder(engine)
    assert inside(grounder.ground(shot, "the Dividends field").point, FIELDS[0])
    with pytest.raises(NotOnScreen, match="frobnicate"):
        grounder.ground(shot, "the Frobnicate button")
    assert engine.magnified == 1
    assert inside(grounder.ground(shot, "the Notes field").point, FIELDS[1])
    assert engine.magnified == 1


def test_two_misreadings_alike_are_told_apart_read_magnified() -> None:
    """The fourth blind trial's invoice at 100%: "City" and "Qty" read "ty" and "aty",
    both alike "Qty"."""
    shot = form(("City", "Qty"), 11)
    small = [("ty", (28, 24, 44, 35)), ("aty", (20, 84, 44, 95))]
    engine = MisreadingEngine(shot.image, small,
                              [("City", (20, 24, 44, 35)), ("Qty", (20, 84, 44, 95))])
    assert inside(OcrGrounder(engine).ground(shot, "the Qty field").point, FIELDS[1])
    unsure = MisreadingEngine(shot.image, small, small)
    with pytest.raises(GroundingError, match="ambiguous"):
        OcrGrounder(unsure).ground(shot, "the Qty field")
    assert unsure.magnified == 1


def test_two_places_reading_the_very_words_are_ambiguous_without_a_closer_look() -> None:
    """Two fields labelled "Notes", both read exactly: magnified, they read the same, so the
    error comes at once (it had cost a second reading of the whole screen)."""
    shot = form(("Notes", "Notes"), 11)
    both = [("Notes", (20, 24, 60, 35)), ("Notes", (20, 84, 60, 95))]
    engine = MisreadingEngine(shot.image, both, both)
    with pytest.raises(GroundingError, match="ambiguous: 2 places"):
        OcrGrounder(engine).ground(shot, "the Notes field")
    assert engine.magnified == 0


def test_a_description_naming_nothing_is_refused_before_the_screen_is_read() -> None:
    shot = form(("City", "Qty"), 11)
    engine = MisreadingEngine(shot.image, [("City", (20, 24, 44, 35))], [])
    with pytest.raises(GroundingError, match="names no text or kind"):
        OcrGrounder(engine).ground(shot, "it")
    assert engine.reads == 0


def test_large_text_is_not_read_again_magnified() -> None:
    shot = form(("Dividends", "Notes"), 24)  # 300% zoom
    engine = MisreadingEngine(shot.image, [("lends", (90, 24, 170, 48))],
                              [("Dividends", (20, 24, 170, 48))])
    with pytest.raises(NotOnScreen, match="dividends"):
        OcrGrounder(engine).ground(shot, "the Dividends field")
    assert engine.magnified == 0


class Magnified:
    """Reads the screen magnified as given: (text, box in the screen's pixels, confidence)."""

    name = "magnified"

    def __init__(self, read: list[tuple[str, Box, float]]) -> None:
        self.words = read

    def read(self, image: Image.Image) -> list[OcrWord]:
        return [OcrWord(text, (box[0] * FACTOR, box[1] * FACTOR, box[2] * FACTOR,
                               box[3] * FACTOR), (1,), confidence)
                for text, box, confidence in self.words]


def test_a_word_read_much_surer_at_first_is_kept_in_the_closer_readings_line() -> None:
    """A bold title's "Book" read "Boca" at 13% magnified: the first reading's "Book" stays
    (else "the Book text" lost its rival and looked sure), over the ink both read (a word it
    kept narrower split a checkbox's label in two); "lends" gives way to "Dividends"."""
    first = [OcrWord("Book", (20, 10, 70, 30), (0,), 97.0),
             OcrWord("now", (160, 10, 190, 30), (0,), 96.0),
             OcrWord("lends", (62, 60, 100, 72), (5,), 91.0),
             OcrWord("Notes", (20, 90, 60, 102), (6,), 95.0)]
    engine = Magnified([("Boca", (20, 10, 70, 30), 13.0), ("a", (76, 14, 84, 30), 96.0),
                        ("flight", (90, 10, 140, 30), 96.0), ("I-now", (148, 10, 190, 30), 40.0),
                        ("Dividends", (20, 60, 100, 72), 97.0)])
    words = magnified_read(engine, Image.new("RGB", (500, 120), "white"), first)
    assert sorted(w.text for w in words) == ["Book", "Dividends", "Notes", "a", "flight", "now"]
    book = next(w for w in words if w.text == "Book")
    assert book.line == (1,)  # with "a flight": one phrase, as the screen draws it
    now = next(w for w in words if w.text == "now")  # over the ink the closer reading saw
    assert now.box == (148, 10, 190, 30)


def test_words_standing_in_for_a_widget_are_checked_on_a_closer_reading() -> None:
    """The twentieth trial's wrong click: "the Add webhook button" answered with a legend's
    words "Add webhook" when the button's own words were not read; a closer reading reads
    them, and the button is the answer (or, when it cannot tell the two, an error)."""
    image = Image.new("RGB", (500, 160), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 11)
    draw.text((20, 10), "Add webhook", font=font, fill="#222222")
    button = (20, 100, 140, 130)
    draw.rectangle(button, fill="#1f883d")
    draw.text((38, 108), "Add webhook", font=font, fill="white")
    legend = ("Add webhook", (20, 12, 100, 23))
    engine = MisreadingEngine(image, [legend], [legend, ("Add webhook", (38, 110, 118, 121))])
    grounder = OcrGrounder(engine)
    shot = Screenshot.from_image(image)
    assert inside(grounder.ground(shot, 'the "Add webhook" button').point, button)
    assert engine.magnified == 1
    assert inside(grounder.ground(shot, "the Add webhook text").point, (20, 10, 100, 25))


def test_a_field_guessed_under_a_near_text_is_checked_on_a_closer_reading() -> None:
    """The forty-fifth trial's wrong click: its Building label read "Bi ing", and a notice's
    grey "All buildings -" over a divider, taken for a placeholder over its field's line
    (0.55), was the answer; a closer reading reads the label, and its field is the answer."""
    image = Image.new("RGB", (500, 170), "white")
    image.paste(form(("Postcode", "Notes"), 11).image)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 11)
    draw.text((20, 136), "Post code", font=font, fill="#888888")
    draw.line((20, 153, 420, 153), fill="#dddddd")
    shot = Screenshot.from_image(image)
    near = ("Post code", (20, 138, 74, 149))
    notes = ("Notes", (20, 84, 60, 95))
    engine = MisreadingEngine(shot.image, [("ode", (58, 24, 78, 35)), notes, near],
                              [("Postcode", (20, 24, 78, 35)), notes, near])
    assert inside(OcrGrounder(engine).ground(shot, "the Postcode field").point, FIELDS[0])
    assert engine.magnified == 1


def open_list() -> tuple[Screenshot, Read, Box]:
    """A grower drop-down open over a form at 100%, and a table of loads on the right that
    names the same grower twice. The words as read, and the list item's box."""
    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 11)
    draw.rectangle((20, 40, 260, 66), fill="white", outline="#767676")
    draw.line((240, 50, 245, 55, 250, 50), fill="#222222", width=2)
    draw.rectangle((20, 66, 260, 166), fill="white", outline="#767676")
    read: Read = [("Grower", (20, 20, 62, 31)), ("Hillside", (30, 48, 75, 59))]
    for k, name in enumerate(("Hillside", "Kowalski", "Redgate", "Ridgeback")):
        read.append((name, (30, 74 + 24 * k, 90, 85 + 24 * k)))
    read += [("Kowalski" if y != 84 else "Hillside", (600, y, 660, y + 11)) for y in (60, 84, 108)]
    for text, box in read:
        draw.text(box[:2], text, font=font, fill="#222222")
    return Screenshot.from_image(image), read, (30, 98, 90, 109)


def test_an_open_lists_item_lost_by_the_closer_look_is_still_the_answer() -> None:
    """The ninety-ninth trial's grape intake: "the Kowalski Family option", an item of the
    list just opened, and the table's two beaten by it; magnified, the item read garbled and
    the table's two tied: the first answer stands (it had been an error)."""
    shot, read, item = open_list()
    # Magnified, the item read as its last letters only ("amily" for "Kowalski Family")
    magnified = [w if w[1][1] != item[1] else ("lski", (60, 98, 90, 109)) for w in read]
    engine = MisreadingEngine(shot.image, read, magnified)
    point = OcrGrounder(engine).ground(shot, 'the "Kowalski" option').point
    assert inside(point, (item[0] - 2, item[1] - 2, item[2] + 2, item[3] + 2))
    assert engine.magnified == 1
