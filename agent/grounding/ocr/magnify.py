"""A closer look: a screen of small text read again at twice its size, for a grounding that
found nothing like the words described.

At 100% zoom a page's words are 9–12 px tall, and tesseract drops or garbles some of them
(blind trials: a bold "Dividends" read "lends", "Mushrooms" beside a checkbox not read at all,
"Special instructions" read "Special instruc"); the same screen scaled up twice read them all,
in about as long again as the first reading (0.3 s on such a page). Only a grounding that
would otherwise fail pays for it, once per screenshot.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace

from PIL import Image

from agent.grounding.ocr.candidate import overlaps
from agent.grounding.ocr.engines import OcrEngine, OcrWord
from agent.grounding.ocr.modal import with_dialog_read

__all__ = ["FACTOR", "SMALL_TEXT", "magnified_read", "small_text"]

SMALL_TEXT = 20.0  # px: median word height below which a screen's text is small: pages at
# 100% zoom measured 12 (a kiosk's larger type 15.5), at 150% 17 (their hints and fine print
# smaller still), at 300% 30 and more
FACTOR = 2  # 3 read no more words than 2 on the trial pages, in 1.5 times as long
SURER = 30  # a word of the first reading this much surer (of 100) stays: "Book" at 97, "Boca" 13


def small_text(words: Sequence[OcrWord]) -> bool:
    """Whether the screen's words are small enough to read better when magnified."""
    return bool(words) and statistics.median(w.box[3] - w.box[1] for w in words) < SMALL_TEXT


def magnified_read(engine: OcrEngine, image: Image.Image, words: Sequence[OcrWord]
                   ) -> list[OcrWord]:
    """The words of `image` read at FACTOR times its size, their boxes in `image`'s pixels;
    where a word of `words` (the first reading) was read surer, that one: magnified, large
    text may read worse (a bold title's "Book" read "Boca" at 13%, and an ambiguous
    description looked sure)."""

    def read(part: Image.Image) -> list[OcrWord]:
        big = part.resize((part.width * FACTOR, part.height * FACTOR), Image.Resampling.LANCZOS)
        return [replace(word, box=(word.box[0] / FACTOR, word.box[1] / FACTOR,
                                   word.box[2] / FACTOR, word.box[3] / FACTOR))
                for word in engine.read(big)]

    closer: list[OcrWord] = []
    taken: set[int] = set()
    for word in with_dialog_read(image, read(image), read):
        first = max((w for w in words if overlaps(w.box, word.box)),
                    key=lambda w: w.confidence, default=None)
        if first is None or first.confidence - word.confidence < SURER:
            closer.append(word)
        elif id(first) not in taken:  # in the closer reading's line, with its neighbours,
            taken.add(id(first))  # over the ink it read ("I am" read "am" at first: no gap)
            box = (min(first.box[0], word.box[0]), min(first.box[1], word.box[1]),
                   max(first.box[2], word.box[2]), max(first.box[3], word.box[3]))
            closer.append(replace(first, line=word.line, box=box))
    # Lines of their own: a line key of the first reading must not join one of the closer's.
    kept = [replace(w, line=(-3, *w.line)) for w in words
            if not any(overlaps(w.box, c.box) for c in closer)]
    return closer + kept
