"""A radio button in a card, its ring read as a word of its own: the mark stays a radio button
(agent/grounding/ocr/widgets_text.py's `_is_letter`)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.widgets_text import mark_in_word
from tests.grounding.ocr.test_widgets import Canvas, of_kind


def ring(size: int) -> Image.Image:
    """A radio button's ring, anti-aliased (drawn 4x, scaled down), its inside too small for
    a box of text, as Chromium's at 150%."""
    big = Image.new("RGB", (4 * size, 4 * size), "white")
    ImageDraw.Draw(big).ellipse((2, 2, 4 * size - 3, 4 * size - 3), outline="#555555", width=12)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def test_a_ring_read_with_a_speck_in_a_card_is_still_a_radio_button() -> None:
    """Trial 94's radio cards: tesseract read each ring "©." (a full stop for a speck), a word
    no wider than the ring, inside the card's box; the ring was taken for a letter of the
    card's text and no radio button was found."""
    canvas = Canvas()
    canvas.box((40, 40, 600, 130), border="#cfd6e0")  # the card
    canvas.text(90, 55, "Life of a Star")
    canvas.image.paste(ring(20), (60, 86))
    canvas.text(90, 86, "Key Stage 3 45 min. From nebula to white dwarf")
    canvas.words.append(OcrWord("©.", (60.0, 86.0, 81.0, 107.0), (9,), 66.0))
    radios = of_kind(canvas.find(), "radio")
    assert len(radios) == 1 and radios[0].text.startswith("Key Stage 3")


@pytest.mark.parametrize(("text", "letters"), [("IP", True), ("©.", False), ("O", False),
                                               ("CO", False), ("CO)", False), ("8", True)])
def test_a_word_as_wide_as_a_mark_is_letters_unless_it_reads_a_ring(text: str,
                                                                     letters: bool) -> None:
    """Trial 30's DNS form: a field's grey "IP address or target" whose "IP" the finder took
    for a square mark: a word of letters over it, as wide as it, keeps it a letter (the
    field stays a field), and so does a lone digit (trial 100's drop-down showing "8"); a
    ring's reading with a speck, "©.", does not, nor its checkboxes read "CO"."""
    mark = (359, 186, 372, 198)
    word = OcrWord(text, (358.0, 185.0, 373.0, 199.0), (1,), 90.0)
    assert mark_in_word(mark, [word], np.zeros((300, 600), dtype=bool)) is letters
