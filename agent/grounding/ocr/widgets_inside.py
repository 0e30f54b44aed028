"""A box's words: the whole-screen pass's inside it, or, where those missed or misread its
text or left some of it unread, what its own inside reads (widgets_read.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from agent.grounding.ocr.engines import OcrEngine, OcrWord
from agent.grounding.ocr.widgets_kind import inked
from agent.grounding.ocr.widgets_read import reread, wants_reading
from agent.grounding.ocr.widgets_shapes import Rect
from agent.grounding.ocr.widgets_text import clean, misread, words_inside

__all__ = ["box_words"]


def box_words(image: Image.Image, rects: Sequence[Rect], on_box: dict[int, list[OcrWord]],
              edges: np.ndarray, unit: float, engine: OcrEngine | None
              ) -> dict[int, list[OcrWord]]:
    """Each box's words (by id of the box): the whole-screen words wholly inside it, or, with
    an engine, what its inside reads when those missed or misread it (one call for all)."""
    inside = {id(r): clean(words_inside(r, on_box[id(r)])) for r in rects}
    if engine is None:
        return inside
    needy = [r for r in rects if wants_reading(r, inside[id(r)], edges)
             or (misread(r, on_box[id(r)]) and inked(r, edges))
             or _partly_read(r, inside[id(r)], edges, unit)]
    for rect, read in zip(needy, reread(engine, image, [r.inner for r in needy]), strict=True):
        if read:
            inside[id(rect)] = read
    return inside


def _partly_read(rect: Rect, words: Sequence[OcrWord], edges: np.ndarray, unit: float
                 ) -> bool:
    """Whether the words read cover less than half the width of what is drawn in the box
    ("an" of "Cancel"), leave letters unread between them ("w" and "hook" of "webhook"), or
    leave a line unread above or below them ("Return to" over "planning" at 300%)."""
    if not words:
        return False
    left, top, right, bottom = rect.inner
    if _line_unread(edges[top + 2:bottom - 2], words, top + 2, unit):
        return True
    inked = edges[top + 2:bottom - 2, left + 2:right - 2].any(axis=0)
    columns = np.flatnonzero(inked)
    if not columns.size:
        return False
    start, end = min(w.box[0] for w in words), max(w.box[2] for w in words)
    if end - start < 0.5 * (columns[-1] - columns[0] + 1):
        return True
    unread = inked.copy()  # inked columns between the first word and the last that none covers
    unread[:max(0, round(start) - left - 2)] = False
    unread[max(0, round(end) - left - 2):] = False
    slack = round(0.3 * unit)  # letters' ink reaches a little past a word's box
    for word in words:
        unread[max(0, round(word.box[0]) - left - 2 - slack):
               max(0, round(word.box[2]) - left - 2 + slack)] = False
    return _longest_run(unread) >= unit


def _line_unread(band: np.ndarray, words: Sequence[OcrWord], top: int, unit: float) -> bool:
    """Whether `band` (rows of the edge map from `top` on) holds ink as tall as a line of text
    above or below the words, under their own columns (a rounded box's corners are beside
    them)."""
    start, end = round(min(w.box[0] for w in words)), round(max(w.box[2] for w in words))
    rows: np.ndarray = np.asarray(band[:, start:end].any(axis=1))
    slack = round(0.3 * unit)
    for word in words:
        rows[max(0, round(word.box[1]) - top - slack):max(0, round(word.box[3]) - top + slack)] \
            = False
    return _longest_run(rows) >= 0.6 * unit


def _longest_run(flags: np.ndarray) -> int:
    padded_flags = np.concatenate([[False], flags, [False]]).astype(np.int8)
    changes = np.flatnonzero(np.diff(padded_flags))
    return int((changes[1::2] - changes[::2]).max()) if changes.size else 0
