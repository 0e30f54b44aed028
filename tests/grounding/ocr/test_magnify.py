"""The closer look: a screen of small text read again magnified when a grounding finds nothing
like the words described (agent/grounding/ocr/magnify.py)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.grounder import OcrGrounder
from agent.grounding.ocr.magnify import FACTOR
from agent.screen import Screenshot

FIELD = (200, 16, 400, 44)


class DroppingEngine:
    """Reads the screen like tesseract at 100% zoom, dropping the start of a bold label
    ("lends" for "Dividends"), and reads it whole when the screen is given magnified."""

    name = "dropping"

    def __init__(self, screen: Image.Image, height: int) -> None:
        self.screen, self.height = screen.size, height
        self.magnified = 0

    def read(self, image: Image.Image) -> list[OcrWord]:
        top, bottom = 24.0, 24.0 + self.height
        if image.size == self.screen:
            return [OcrWord("lends", (62.0, top, 100.0, bottom), (0,), 91.0),
                    OcrWord("Notes", (20.0, top + 60, 70.0, bottom + 60), (1,), 95.0)]
        if image.size == (self.screen[0] * FACTOR, self.screen[1] * FACTOR):
            self.magnified += 1
            return [OcrWord(text, tuple(v * FACTOR for v in box), line, 96.0)  # type: ignore[misc]
                    for text, box, line in (("Dividends", (20.0, top, 100.0, bottom), (0,)),
                                            ("Notes", (20.0, top + 60, 70.0, bottom + 60), (1,)))]
        return []  # a widget's crop read again: nothing more there


def screen(height: int) -> Screenshot:
    image = Image.new("RGB", (500, 120), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", height)
    draw.text((20, 24), "Dividends", font=font, fill="#222222")
    draw.rectangle(FIELD, fill="white", outline="#767676")
    draw.text((20, 84), "Notes", font=font, fill="#222222")
    return Screenshot.from_image(image)


def test_a_label_misread_on_small_text_is_found_read_magnified_once_per_screenshot() -> None:
    shot = screen(11)
    engine = DroppingEngine(shot.image, 11)
    grounder = OcrGrounder(engine)
    x, y = grounder.ground(shot, "the Dividends field").point
    assert FIELD[0] < x < FIELD[2] and FIELD[1] < y < FIELD[3]
    with pytest.raises(NotOnScreen, match="frobnicate"):
        grounder.ground(shot, "the Frobnicate button")
    assert engine.magnified == 1
    x, y = grounder.ground(shot, "Notes").point  # read well the first time: no closer look
    assert 20 <= x <= 70 and engine.magnified == 1


def test_large_text_is_not_read_again_magnified() -> None:
    shot = screen(18)
    engine = DroppingEngine(shot.image, 18)
    with pytest.raises(NotOnScreen, match="dividends"):
        OcrGrounder(engine).ground(shot, "the Dividends field")
    assert engine.magnified == 0
