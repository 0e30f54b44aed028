"""Lines the whole-screen pass dropped, read again from their own strip (missed.py); the
eleventh blind trial's domain search page at 150%, where tesseract read nothing of a search
box's placeholder nor of the sentence beside it."""

from __future__ import annotations

from PIL import Image

from agent.grounding.ocr.engines import OcrWord, TesseractEngine
from agent.grounding.ocr.missed import short_reads, with_missed_lines
from tests.grounding.ocr.test_widgets import Canvas


class StripReader:
    """An engine's `read` that notes each crop and reads "Find your perfect domain" in it."""

    def __init__(self) -> None:
        self.crops: list[tuple[int, int]] = []

    def __call__(self, image: Image.Image) -> list[OcrWord]:
        self.crops.append(image.size)
        return [OcrWord("Find", (12.0, 10.0, 50.0, 30.0), (0, 1, 1, 1), 95.0),
                OcrWord("domain", (160.0, 10.0, 230.0, 30.0), (0, 1, 1, 1), 95.0)]


def test_a_phrase_no_word_covers_is_read_from_its_strip_and_placed_on_the_screen() -> None:
    canvas = Canvas()
    canvas.text(40, 40, "Domains and hosting")  # read by the whole-screen pass
    canvas.text(60, 120, "Find your perfect domain", read=False)  # dropped by it
    read = StripReader()
    words = with_missed_lines(canvas.image, canvas.words, read)
    assert len(read.crops) == 1
    added = words[len(canvas.words):]
    assert [w.text for w in added] == ["Find", "domain"]
    first = added[0].box
    assert 40 <= first[0] <= 80 and 110 <= first[1] <= 140  # in screen pixels, on its row
    assert all(w.line[0] == -4 for w in added)  # lines of their own


def test_a_screen_whose_words_were_all_read_and_a_short_word_are_not_read_again() -> None:
    canvas = Canvas()
    canvas.text(40, 40, "Domains and hosting")
    canvas.text(60, 120, "Search", read=False)  # a button's word: the box's own re-read
    read = StripReader()
    assert with_missed_lines(canvas.image, canvas.words, read) == canvas.words
    assert read.crops == []


def test_lone_digits_no_word_covers_are_read_as_blocks_when_asked(tesseract: None) -> None:
    """The fifteenth trial's open drop-downs: the list's "3" read by no pass in sparse
    mode; its block reading (psm 6) reads each short run, placed on the screen."""
    canvas = Canvas()
    canvas.text(40, 40, "Guests")
    for index in range(1, 7):
        canvas.text(300, 60 + 24 * index, str(index), read=False)
    engine = TesseractEngine()
    found = short_reads(canvas.image, canvas.words, engine.as_block())
    assert [w.text for w in found] == [str(k) for k in range(1, 7)]
    three = found[2].box
    assert 296 <= three[0] <= 306 and 130 <= three[1] <= 140  # in screen pixels
    assert all(w.line[0] == -5 for w in found)  # lines of their own
    assert engine.as_block().psm == 6 and engine.psm == 11
