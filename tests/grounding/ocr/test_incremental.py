"""Reading only what changed between two screenshots (agent/grounding/ocr/incremental.py) and
remembering boxes already re-read (widgets_read.py), with the real tesseract."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.grounding.ocr.engines import OcrWord, TesseractEngine
from agent.grounding.ocr.grounder import OcrGrounder
from agent.grounding.ocr.incremental import changed_groups, changed_regions, merged
from agent.grounding.ocr.rank import Ambiguous
from agent.grounding.ocr.widgets_read import reread
from agent.screen import Screenshot
from agent.testing import StaticScreen

FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 15)
FIELDS = [(200, 60 + 50 * row, 480, 90 + 50 * row) for row in range(6)]


def form(typed: dict[int, str] | None = None) -> Image.Image:
    """Six labelled fields in a column, two buttons beside each; `typed`: text per field."""
    image = Image.new("RGB", (1280, 400), "#f4f4f4")
    draw = ImageDraw.Draw(image)
    for row, box in enumerate(FIELDS):
        draw.text((30, box[1] + 6), ["Name", "Email", "Phone", "City", "Country", "Postcode"][row],
                  font=FONT, fill="black")
        draw.rectangle(box, fill="white", outline="#8a8a8a")
        draw.text((box[0] + 8, box[1] + 6), (typed or {}).get(row, ""), font=FONT, fill="black")
        for index, label in enumerate(("Clear", "Check")):
            button = (520 + 110 * index, box[1], 610 + 110 * index, box[3])
            draw.rectangle(button, fill="#e0e0e0", outline="#6a6a6a")
            draw.text((button[0] + 18, button[1] + 6), label, font=FONT, fill="black")
    return image


class CountingEngine:
    """tesseract, noting the size of each image it is given."""

    name = "tesseract"

    def __init__(self) -> None:
        self.engine = TesseractEngine()
        self.sizes: list[tuple[int, int]] = []

    def read(self, image: Image.Image) -> list[OcrWord]:
        self.sizes.append(image.size)
        return self.engine.read(image)


def texts(words: list[OcrWord]) -> list[tuple[str, tuple[int, ...]]]:
    return sorted((w.text, tuple(round(v) for v in w.box)) for w in words)


def test_nothing_changed_much_changed_and_another_size() -> None:
    before = form()
    assert changed_regions(before, before.copy(), 14) == []
    assert changed_regions(before, before.resize((1000, 400)), 14) is None
    assert changed_regions(before, Image.new("RGB", before.size, "white"), 14) is None


def test_a_field_typed_into_is_one_region_ending_in_blank_space() -> None:
    before, after = form(), form({2: "Zurich"})
    regions = changed_regions(before, after, 14)
    assert regions is not None and len(regions) == 1
    left, top, right, bottom = regions[0]
    field = FIELDS[2]
    assert left <= field[0] and top <= field[1] and right > field[2] and bottom > field[3]
    # its own row only: not the fields above and below, nor the label 170 px to the left
    assert top > FIELDS[1][3] and bottom < FIELDS[3][1] and left > 30 + 60


def test_words_outside_the_regions_are_kept_and_the_regions_read_again() -> None:
    kept = OcrWord("Name", (30, 66, 72, 80), (0, 1, 1, 1))
    stale = OcrWord("old", (210, 166, 240, 180), (0, 1, 3, 1))
    fresh = OcrWord("Zurich", (10, 8, 60, 22), (0, 1, 1, 1))
    seen: list[tuple[int, int]] = []

    def read(image: Image.Image) -> list[OcrWord]:
        seen.append(image.size)
        return [fresh]

    words = merged([kept, stale], [(200, 150, 500, 200)], read, form(), generation=3)
    assert seen == [(300 + 16, 50 + 16)]  # the region and a margin of 8 px round it
    assert [w.text for w in words] == ["Name", "Zurich"]
    assert words[1].box == (202, 150, 252, 164)  # crop pixels → screen pixels
    assert words[1].line == (-2, 3, 0, 0, 1, 1, 1)  # never the line of a word kept


def test_after_a_change_only_the_change_is_read_and_the_words_are_a_whole_reading(
        tesseract: None) -> None:
    engine = CountingEngine()
    grounder = OcrGrounder(engine)
    grounder.analyse(form())
    after = form({2: "Zurich airport"})
    update = grounder.analyse(after)
    assert len(engine.sizes) >= 2
    read_after = engine.sizes[1]
    assert read_after[0] * read_after[1] < 0.1 * after.width * after.height
    whole = OcrGrounder(TesseractEngine(), incremental=False).analyse(after)
    assert texts(update.words) == texts(whole.words)
    assert {"Zurich", "airport"} <= {w.text for w in update.words}
    point = grounder.ground(_shot(after), "the Phone field").point
    assert FIELDS[2][0] <= point[0] <= FIELDS[2][2] and FIELDS[2][1] <= point[1] <= FIELDS[2][3]


def test_boxes_read_before_are_not_read_again(tesseract: None) -> None:
    engine = CountingEngine()
    image = form({0: "Ada"})
    boxes = [(521, 61, 609, 89), (631, 111, 719, 139)]
    first = reread(engine, image, boxes)
    assert [" ".join(w.text for w in words) for words in first] == ["Clear", "Check"]
    calls = len(engine.sizes)
    # the same pixels elsewhere (the Clear button two rows down), and one box read before
    again = reread(engine, image, [(521, 161, 609, 189), (631, 111, 719, 139)])
    assert len(engine.sizes) == calls
    assert [" ".join(w.text for w in words) for words in again] == ["Clear", "Check"]
    clear = again[0][0].box
    assert 521 <= clear[0] < clear[2] <= 609 and 161 <= clear[1] < clear[3] <= 189


def _shot(image: Image.Image) -> Screenshot:
    return StaticScreen(image).capture()


def dispatch_board(open_list: bool) -> Image.Image:
    """An "Assign" menu button and a side panel naming the technicians, stacked at one left
    edge; `open_list`: the button's list of technicians open under it (no field it hangs
    from: the thirtieth trial's open <select> joined its list's border and was not found)."""
    image = Image.new("RGB", (1280, 400), "#f4f6f8")
    draw = ImageDraw.Draw(image)
    names = ["Aisha Khan", "Marcus Lee", "Dev Patel", "Sofia Rossi"]
    for row, name in enumerate(names):
        draw.text((900, 60 + 56 * row), name, font=FONT, fill="#1b1f23")
    draw.rounded_rectangle((300, 60, 420, 89), 4, fill="#0b5cad")
    draw.text((312, 66), "Assign \u25be", font=FONT, fill="white")
    if open_list:
        draw.rectangle((300, 94, 450, 94 + 24 * 4 + 6), fill="white", outline="#767676")
        for row, item in enumerate(names):
            draw.text((310, 99 + 24 * row), item, font=FONT, fill="black")
    return image


def test_an_option_in_the_list_that_just_opened_wins_over_the_same_words_shown_all_along(
        tesseract: None) -> None:
    closed, opened = dispatch_board(False), dispatch_board(True)
    grounder = OcrGrounder(TesseractEngine())
    grounder.analyse(closed)
    point = grounder.ground(_shot(opened), 'the "Marcus Lee" option').point
    assert 300 <= point[0] <= 450 and 123 <= point[1] <= 141
    # Seen without the screen before it, the list hangs from no field: either list may be the
    # one meant, and the grounder says so
    with pytest.raises(Ambiguous, match="Marcus Lee"):
        OcrGrounder(TesseractEngine()).ground(_shot(opened), 'the "Marcus Lee" option')


def test_what_changed_is_the_box_round_the_changed_pixels_only() -> None:
    """The open list, not the page around it that a region to read again is grown into."""
    groups = changed_groups(dispatch_board(False), dispatch_board(True))
    assert groups is not None and len(groups) == 1
    left, top, right, bottom = groups[0]
    assert left <= 300 and right >= 450 and top <= 94 and bottom >= 196 and right < 900
