"""The OCR engines' reading of what web pages and apps show (agent/grounding/ocr/engines.py):
bold headings at 300% zoom, light text on a dark bar, and re-reading boxes from their insides
(agent/grounding/ocr/widgets_read.py), with the real tesseract."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps

from agent.backends.mss_screen import MssScreen
from agent.errors import GroundingError
from agent.grounding.ocr import ink as ink_module
from agent.grounding.ocr.engines import Backend, TesseractEngine, dark_on_light
from agent.grounding.ocr.tesseract_api import api_available
from agent.grounding.ocr.widgets import find_widgets
from agent.grounding.ocr.widgets_read import reread
from tests.grounding.ocr.chromium import SCREEN, chromium, chromium_available
from tests.gui import need
from tests.xvfb import using_display, virtual_display

DEJAVU = "/usr/share/fonts/truetype/dejavu/"


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(DEJAVU + ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"), size)


def heading_at_300_percent() -> Image.Image:
    """A bold 19-px heading at 300% zoom (57 px, 10-px strokes) above ordinary text."""
    image = Image.new("RGB", (1200, 260), "white")
    draw = ImageDraw.Draw(image)
    draw.text((48, 30), "Settings", font=font(57, bold=True), fill="#222222")
    draw.text((48, 150), "Privacy options moved to the Privacy tab.", font=font(45),
              fill="#222222")
    return image


def test_a_bold_heading_is_not_taken_for_a_dark_ground() -> None:
    """dark_on_light inverts dark grounds (white on blue); thick bold strokes are no ground."""
    gray = ImageOps.grayscale(heading_at_300_percent())
    assert dark_on_light(gray) is gray


def backend(name: Backend) -> TesseractEngine:
    """The engine with `name`'s way of running tesseract; the API needs the ocr extra."""
    if name == "api":
        need(api_available(), "tesserocr is not installed (pip install 'planground[ocr]')")
    return TesseractEngine(backend=name)


@pytest.mark.parametrize("name", ["cli", "api"])
def test_tesseract_reads_a_bold_heading_at_300_percent(tesseract: None, name: Backend) -> None:
    engine = backend(name)
    assert engine.backend == name
    words = [w.text for w in engine.read(heading_at_300_percent())]
    assert words[0] == "Settings", words


def test_in_process_tesseract_is_quiet_shares_its_model_and_keeps_a_time_limit(
        tesseract: None, capfd: pytest.CaptureFixture[str]) -> None:
    """Read through the API, nothing reaches the terminal ("Estimating resolution as 146"
    did), a second engine reuses the loaded model instead of loading its own, and a read
    past its time limit stops with an error."""
    first, second = backend("api"), backend("api")
    for engine in (first, second):
        assert next(w.text for w in engine.read(heading_at_300_percent())) == "Settings"
    assert capfd.readouterr().err == ""
    assert first._api is not None and second._api is not None
    assert first._api._pool is second._api._pool
    loaded = first._api._pool.qsize()
    assert 1 <= loaded <= first.jobs  # one per band read at once, not one per engine or read
    page = Image.new("RGB", (1600, 1000), "white")
    draw = ImageDraw.Draw(page)
    for row in range(40):
        draw.text((10, 10 + 24 * row), "Departure arrival return economy business " * 3,
                  font=font(14), fill="black")
    with pytest.raises(GroundingError, match=r"tesseract stopped .*time limit 0\.01 s"):
        TesseractEngine(backend="api", timeout=0.01).read(page)


@pytest.mark.gui
def test_tesseract_reads_light_words_on_a_dark_bar(tesseract: None) -> None:
    """The suite's navigation bar at 100% in Chromium: inverted, the bar is a light grey that
    filled most of a band, and tesseract's threshold blackened its text ("Products" read as
    "mente", "Pricing" as "ng") until light greys were made white."""
    need(chromium_available(), "chromium and chromedriver are not installed")
    with virtual_display(*SCREEN) as display, chromium(display, 1.0) as browser:
        browser.open("navbar")
        with using_display(display):
            screen = MssScreen()
            try:
                image = screen.capture().image
            finally:
                screen.close()
    words = [w.text for w in TesseractEngine(jobs=2).read(image) if w.box[3] < 46]
    assert {"Home", "Products", "Pricing"} <= set(words), words


def test_boxes_are_reread_from_their_insides_in_one_sheet(tesseract: None) -> None:
    """White on blue, dark on grey and dark on white insides, read in one call; each word comes
    back inside its own box, in screenshot pixels."""
    image = Image.new("RGB", (700, 200), "white")
    draw = ImageDraw.Draw(image)
    boxes = [(20, 20, 220, 60), (260, 20, 400, 60), (20, 100, 200, 130)]
    for box, text, ground, ink in ((boxes[0], "Save changes", "#1a66d2", "white"),
                                   (boxes[1], "Discard", "#efefef", "#222222"),
                                   (boxes[2], "Submit", "white", "black")):
        draw.rectangle(box, fill=ground)
        draw.text((box[0] + 12, box[1] + 6), text, font=font(18 if box[3] - box[1] > 32 else 15),
                  fill=ink)
    read = reread(TesseractEngine(), image, boxes)
    assert [" ".join(w.text for w in words) for words in read] == [
        "Save changes", "Discard", "Submit"]
    for box, words in zip(boxes, read, strict=True):
        assert all(box[0] <= w.box[0] < w.box[2] <= box[2] and box[1] <= w.box[1] < w.box[3]
                   <= box[3] for w in words), (box, words)


def test_a_label_the_whole_screen_pass_missed_is_read_beside_its_field(tesseract: None) -> None:
    """Chromium's "User name:" 15 px left of its field came back from tesseract 5.5 as "OC";
    a field with no label found gets the text drawn just left of it, read from its own crop."""
    image = Image.new("RGB", (700, 160), "white")
    draw = ImageDraw.Draw(image)
    for row, label in enumerate(("User name:", "Password:")):
        top = 30 + 60 * row
        draw.text((60, top + 6), label, font=font(16), fill="#222222")
        draw.rectangle((200, top, 480, top + 30), fill="white", outline="#767676")
    fields = [w for w in find_widgets(image, [], TesseractEngine()) if w.kind == "field"]
    assert [w.text for w in fields] == ["User name:", "Password:"]
    assert all(w.text_box is not None and w.text_box[2] < 200 for w in fields)
    alone = Image.new("RGB", (700, 100), "white")
    ImageDraw.Draw(alone).rectangle((200, 30, 480, 60), fill="white", outline="#767676")
    assert [w.text for w in find_widgets(alone, [], TesseractEngine())] == [""]


@pytest.mark.parametrize("size", [(1, 1), (3, 7), (64, 48), (479, 270)])
def test_rank_filters_through_opencv_are_pillows_pixel_for_pixel(
        size: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(size[0] * 1000 + size[1])
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for _ in range(40):  # dark bars, strokes and specks on light, as a screen's sample has
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.rectangle((x, y, x + rng.randrange(30), y + rng.randrange(12)),
                       fill=rng.randrange(256))
    for op, radius in (("median", 7), ("min", 5), ("max", 5), ("max", 3), ("min", 3)):
        through_opencv = ink_module._rank(image, op, radius)
        with monkeypatch.context() as patch:
            patch.setattr(ink_module, "_opencv", lambda: None)
            through_pillow = ink_module._rank(image, op, radius)
        assert through_opencv.tobytes() == through_pillow.tobytes(), (op, radius)
    with monkeypatch.context() as patch:
        patch.setattr(ink_module, "_opencv", lambda: None)
        assert ink_module.text_rows(image) != [] and len(ink_module.text_rows(image)) == size[1]


def test_text_rows_count_letters_and_leave_only_blank_rows_at_zero() -> None:
    image = Image.new("L", (400, 60), 255)
    draw = ImageDraw.Draw(image)
    draw.text((10, 5), "Save changes", fill=0, font=ImageFont.load_default(size=14))
    draw.line((0, 45, 399, 45), fill=0)  # a rule: one more shape
    rows = ink_module.text_rows(image)
    inked = [y for y in range(60)
             if image.crop((0, y, 400, y + 1)).getextrema()[0] < ink_module.INK]
    assert [y for y, weight in enumerate(rows) if weight > 0] == inked
    assert 10 <= sum(rows) <= 15  # the 11 letters and the rule, give or take a touching pair


def test_tesseract_reads_dark_words_on_a_yellow_bar(tesseract: None) -> None:
    """The fifth blind trial's car rental header: dark grey links on a yellow bar (grey 196)
    over a white page; tesseract's threshold blackened the bar and read none of it until
    mid-grey grounds were made white."""
    image = Image.new("RGB", (1920, 1080), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1919, 43), fill="#ffcc00")
    draw.text((30, 12), "DriveAway", font=font(19, bold=True), fill="#222222")
    for x, word in ((186, "Cars"), (244, "Deals"), (310, "Manage booking"), (458, "Help")):
        draw.text((x, 14), word, font=font(15), fill="#444444")
    for row, line in enumerate(("Find a rental car", "Pick-up location", "Return date")):
        draw.text((80, 120 + 60 * row), line, font=font(16), fill="#222222")
    words = {w.text for w in TesseractEngine(jobs=2).read(image) if w.box[3] < 44}
    assert {"Cars", "Deals", "Help"} <= words, words


def test_a_short_label_the_whole_screen_pass_missed_is_read_above_its_field(
        tesseract: None) -> None:
    """The fifth blind trial's bold "Bio" over a text area, read by no pass; a panel's side
    left of the field is no label to read (read with it, tesseract read neither)."""
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.line((60, 20, 60, 190), fill="#cccccc", width=1)  # the panel's side
    draw.text((92, 40), "Bio", font=font(13, bold=True), fill="#222222")
    draw.rectangle((90, 62, 800, 130), fill="white", outline="#767676")
    fields = [w for w in find_widgets(image, [], TesseractEngine()) if w.kind == "field"]
    assert [w.text for w in fields] == ["Bio"], fields


def test_white_words_on_an_orange_button_are_read_from_its_inside(tesseract: None) -> None:
    """The sixth blind trial's "Submit application": white on orange (#ef6c00, grey 135: not
    a dark ground) read as "are ote" from its crop until light text decided the inversion."""
    image = Image.new("RGB", (700, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 40, 214, 76), radius=4, fill="#ef6c00")
    draw.text((58, 49), "Submit application", font=font(15), fill="white")
    draw.rounded_rectangle((226, 40, 362, 76), radius=4, fill="#eeeeee", outline="#bbbbbb")
    draw.text((244, 49), "Save for later", font=font(15), fill="#222222")
    texts = [w.text for w in find_widgets(image, [], TesseractEngine()) if w.kind == "button"]
    assert texts == ["Submit application", "Save for later"], texts
