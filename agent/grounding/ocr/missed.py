"""Lines of text the whole-screen pass dropped, read again from their own strip.

tesseract's page layout sometimes throws away a whole strip of a page that reads well alone:
a search box with a thick focus ring and the sentence beside it, at 150% (nothing read between
y 100 and 160 of a domain search page; the same rows cropped read "Find your perfect domain").
Letters that no word read covers, standing in a run long enough to be a phrase, are read again
from a strip around the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PIL import Image, ImageOps

from agent.grounding.ocr.candidate import centre, inside
from agent.grounding.ocr.engines import OcrWord, dark_on_light
from agent.grounding.ocr.ink import INK

__all__ = ["with_missed_lines"]

MIN_LETTERS = 12  # a phrase, not a button's word (those a box's own re-read finds)
MAX_STRIPS = 6  # at most this many strips read again per screen (each is one OCR call)
LETTER_HEIGHT = (6, 60)  # px
WORD_GAP = 3.0  # letter heights: a wider gap ends a run


def with_missed_lines(image: Image.Image, words: Sequence[OcrWord],
                      read: Callable[[Image.Image], list[OcrWord]]) -> list[OcrWord]:
    """`words` and the words of each strip of unread letters, read from the strip alone."""
    try:  # the widget finder's dependency (the ocr extra); without it, the words as read
        strips = _unread_runs(image, words)
    except ImportError:
        return list(words)
    found = list(words)
    for index, (left, top, right, bottom) in enumerate(strips[:MAX_STRIPS]):
        for word in read(image.crop((left, top, right, bottom))):
            moved = replace(word.moved(left, top), line=(-4, index, *word.line))
            if not any(inside(centre(moved.box), w.box) for w in words):
                found.append(moved)
    return found


def _unread_runs(image: Image.Image, words: Sequence[OcrWord]
                 ) -> list[tuple[int, int, int, int]]:
    """The strips (left, top, right, bottom) around runs of at least MIN_LETTERS letters no
    word's box holds, longest runs first."""
    import cv2
    import numpy as np

    gray = np.asarray(dark_on_light(ImageOps.grayscale(image)))
    inked = (gray < INK).astype(np.uint8)
    _count, _labels, stats, _centres = cv2.connectedComponentsWithStats(inked, connectivity=8)
    x, y, w, h = (stats[1:, k].astype(int) for k in range(4))
    letters = (h >= LETTER_HEIGHT[0]) & (h < LETTER_HEIGHT[1]) & (w <= 2 * h)
    covered = np.zeros(gray.shape, bool)
    for word in words:
        left, top, right, bottom = (round(v) for v in word.box)
        covered[max(0, top - 2):bottom + 2, max(0, left - 2):right + 2] = True
    middle = y + h // 2
    unread = np.flatnonzero(letters & ~covered[middle, x + w // 2])
    lines: list[list[int]] = []  # letters whose middles lie within half a letter of the first
    for k in sorted(unread.tolist(), key=lambda k: middle[k]):
        if lines and middle[k] - middle[lines[-1][0]] <= 0.5 * h[lines[-1][0]]:
            lines[-1].append(k)
        else:
            lines.append([k])
    runs: list[list[int]] = []
    for line in lines:
        line.sort(key=lambda k: x[k])
        runs.append([line[0]])
        for k in line[1:]:
            last = runs[-1][-1]
            if x[k] - (x[last] + w[last]) <= WORD_GAP * h[last]:
                runs[-1].append(k)
            else:
                runs.append([k])
    height, width = gray.shape
    strips = []
    for run in sorted((r for r in runs if len(r) >= MIN_LETTERS), key=len, reverse=True):
        size = int(h[run].max())
        strips.append((max(0, int(x[run].min()) - size), max(0, int(y[run].min()) - size),
                       min(width, int((x[run] + w[run]).max()) + size),
                       min(height, int((y[run] + h[run]).max()) + size)))
    return strips
