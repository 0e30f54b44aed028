"""A small field's grey placeholder is no outlined button's label (agent/grounding/ocr/
widgets_kind.py's `_hint`): trial 98's gas safety record, "mbar" in each row's pressure field."""

from __future__ import annotations

from PIL import ImageFont

from agent.grounding.ocr.engines import OcrWord
from tests.grounding.ocr.test_widgets import FONT, Canvas, covers, of_kind

FIELD = (300, 40, 396, 81)
BUTTON = (300, 120, 420, 161)


def test_a_short_grey_placeholder_at_a_small_fields_left_is_a_field() -> None:
    canvas = Canvas()
    canvas.box(FIELD, border="#8f8f8f")
    canvas.text(FIELD[0] + 15, FIELD[1] + 11, "mbar", ink="#757575")  # Chromium's grey
    found = canvas.find()
    assert [covers(w, FIELD) for w in of_kind(found, "field")] == [True]
    assert not of_kind(found, "button")


def test_an_outlined_buttons_grey_label_in_its_middle_stays_a_button() -> None:
    """A secondary button's "Cancel" in #666: grey, but centred."""
    canvas = Canvas()
    canvas.box(BUTTON, border="#8f8f8f")
    width = canvas.draw.textlength("Cancel", font=FONT)
    canvas.text(round((BUTTON[0] + BUTTON[2] - width) / 2), BUTTON[1] + 11, "Cancel", ink="#666666")
    found = canvas.find()
    assert [covers(w, BUTTON) for w in of_kind(found, "button")] == [True]
    assert not of_kind(found, "field")


def test_a_link_opening_with_a_short_word_is_one_link_with_it() -> None:
    """The ninety-second trial's "No reply" beside a row's buttons: OCR's tight box round a
    short bold word ("No", 13 px) is more ink than ground: the ground is read round it."""
    canvas = Canvas()
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 13)
    x = 40
    for word in ("No", "reply"):
        canvas.draw.text((x, 40), word, font=font, fill="#1d5fa8")
        left, top, right, bottom = canvas.draw.textbbox((x, 40), word, font=font)
        ink = canvas.image.crop((left, top, right, bottom)).convert("L").point(
            lambda v: 255 if v < 200 else 0).getbbox()  # OCR's box: the ink's own
        assert ink is not None
        box = (left + ink[0], top + ink[1], left + ink[2], top + ink[3])
        canvas.words.append(OcrWord(word, tuple(float(v) for v in box), (1,), 95.0))
        x = right + 5
    assert [w.text for w in of_kind(canvas.find(), "link")] == ["No reply"]
