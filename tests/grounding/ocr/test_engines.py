"""The OCR engines' reading of what web pages and apps show (agent/grounding/ocr/engines.py):
bold headings at 300% zoom, light text on a dark bar, and re-reading boxes from their insides
(agent/grounding/ocr/widgets_read.py), with the real tesseract."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps

from agent.backends.mss_screen import MssScreen
from agent.grounding.ocr.engines import TesseractEngine, dark_on_light
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


def test_tesseract_reads_a_bold_heading_at_300_percent(tesseract: None) -> None:
    words = [w.text for w in TesseractEngine().read(heading_at_300_percent())]
    assert words[0] == "Settings", words


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
