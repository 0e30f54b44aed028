"""Text the whole-screen pass dropped, read again from its own strip.

tesseract's page layout sometimes throws away a whole strip of a page that reads well alone:
a search box with a thick focus ring and the sentence beside it, at 150% (nothing read between
y 100 and 160 of a domain search page; the same rows cropped read "Find your perfect domain").
Letters that no word read covers, standing in a run long enough to be a phrase, are read again
from a strip around the run.

Short runs (a lone digit: the "3" of an open drop-down's 1–6, which tesseract's sparse-text
mode drops even from its own crop) are read only when a grounding found nothing: all at once,
each on a band of a sheet read as a block of lines (`short_reads`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PIL import Image, ImageOps

from agent.grounding.ocr.candidate import centre, inside
from agent.grounding.ocr.engines import JUNK, OcrEngine, OcrWord, dark_on_light
from agent.grounding.ocr.ink import INK

__all__ = ["short_reads", "with_missed_lines"]

MIN_LETTERS = 12  # a phrase, not a button's word (those a box's own re-read finds)
MAX_SHORT = 80  # short runs read at most (all in one call)
MAX_STRIPS = 6  # at most this many strips read again per screen (each is one OCR call)
LETTER_HEIGHT = (6, 60)  # px
WORD_GAP = 3.0  # letter heights: a wider gap ends a run


def with_missed_lines(image: Image.Image, words: Sequence[OcrWord],
                      read: Callable[[Image.Image], list[OcrWord]]) -> list[OcrWord]:
    """`words` and the words of each strip of unread letters, read from the strip alone."""
    try:  # the widget finder's dependency (the ocr extra); without it, the words as read
        strips = [strip for strip, letters in _unread_runs(image, words)
                  if letters >= MIN_LETTERS]
    except ImportError:
        return list(words)
    found = list(words)
    for index, (left, top, right, bottom) in enumerate(strips[:MAX_STRIPS]):
        for word in read(image.crop((left, top, right, bottom))):
            moved = replace(word.moved(left, top), line=(-4, index, *word.line))
            if not any(inside(centre(moved.box), w.box) for w in words):
                found.append(moved)
    return found


def short_reads(image: Image.Image, words: Sequence[OcrWord], block: OcrEngine
                ) -> list[OcrWord]:
    """The words of the runs of fewer than MIN_LETTERS letters no word of `words` holds, read
    by `block` (an engine reading each band as a block of text) in one call."""
    from agent.grounding.ocr.widgets_read import reread  # (the ocr extra's numpy)

    strips = sorted((strip for strip, letters in _unread_runs(image, words)
                     if letters < MIN_LETTERS), key=lambda s: (s[1], s[0]))[:MAX_SHORT]
    return [replace(word, line=(-5, *word.line)) for read in reread(block, image, strips)
            for word in read]


def _unread_runs(image: Image.Image, words: Sequence[OcrWord]
                 ) -> list[tuple[tuple[int, int, int, int], int]]:
    """The strips (left, top, right, bottom) around runs of letters no word's box holds, with
    their numbers of letters, longest runs first (top to bottom among equals)."""
    import cv2
    import numpy as np

    gray = np.asarray(dark_on_light(ImageOps.grayscale(image)))
    inked = (gray < INK).astype(np.uint8)
    _count, _labels, stats, _centres = cv2.connectedComponentsWithStats(inked, connectivity=8)
    x, y, w, h = (stats[1:, k].astype(int) for k in range(4))
    letters = (h >= LETTER_HEIGHT[0]) & (h < LETTER_HEIGHT[1]) & (w <= 2 * h)
    covered = np.zeros(gray.shape, bool)
    for word in words:
        if word.confidence < JUNK:
            continue  # ("Ls_" at 40% over an open list's "5": no reading of it)
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
    for run in sorted(runs, key=len, reverse=True):  # (stable: top to bottom among equals)
        size = int(h[run].max())
        pad = size if len(run) >= MIN_LETTERS else size // 2  # (not into the next line's)
        strips.append(((max(0, int(x[run].min()) - size), max(0, int(y[run].min()) - pad),
                        min(width, int((x[run] + w[run]).max()) + size),
                        min(height, int((y[run] + h[run]).max()) + pad)), len(run)))
    return strips
