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

from agent.grounding.ocr.engines import OcrEngine, OcrWord
from agent.grounding.ocr.modal import with_dialog_read

__all__ = ["FACTOR", "SMALL_TEXT", "magnified_read", "small_text"]

SMALL_TEXT = 20.0  # px: median word height below which a screen's text is small: pages at
# 100% zoom measured 12 (a kiosk's larger type 15.5), at 150% 17 (their hints and fine print
# smaller still), at 300% 30 and more
FACTOR = 2  # 3 read no more words than 2 on the trial pages, in 1.5 times as long


def small_text(words: Sequence[OcrWord]) -> bool:
    """Whether the screen's words are small enough to read better when magnified."""
    return bool(words) and statistics.median(w.box[3] - w.box[1] for w in words) < SMALL_TEXT


def magnified_read(engine: OcrEngine, image: Image.Image) -> list[OcrWord]:
    """The words of `image` read at FACTOR times its size, their boxes in `image`'s pixels."""

    def read(part: Image.Image) -> list[OcrWord]:
        big = part.resize((part.width * FACTOR, part.height * FACTOR), Image.Resampling.LANCZOS)
        return [replace(word, box=(word.box[0] / FACTOR, word.box[1] / FACTOR,
                                   word.box[2] / FACTOR, word.box[3] / FACTOR))
                for word in engine.read(big)]

    return with_dialog_read(image, read(image), read)
