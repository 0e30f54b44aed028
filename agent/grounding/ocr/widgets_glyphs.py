"""Signs drawn in a box. A drop-down's arrow at its right end, read as "v" or only drawn. A
small button's only content, told from its strokes: + and − (a quantity stepper's buttons), ×
(a close button). OCR reads none of these alone: tesseract read nothing from a crop of + or −,
and in the whole-screen pass a lone "+" now and then; a × with its button's border as "Lx"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.widgets_shapes import IntBox, Pixels, Rect

__all__ = ["arrow_read", "at_arrow", "drop_down", "glyph"]

ARROWS = frozenset({"v", "⌄", "▾", "▼", "˅", "⌵"})  # a drop-down's arrow read as a word
INK = 60  # grey levels from the button's fill: a stroke
BAR = 0.8  # a stroke row (or column) is inked over this share of the sign's width (height)
STRAY = 0.15  # at most this share of the ink lies off the strokes


def glyph(rgb: Pixels, inner: IntBox) -> str | None:
    """The sign drawn alone inside the box (inside its border), "+", "−" or "×"; None for
    anything else."""
    left, top, right, bottom = inner
    grey = rgb[top + 2:bottom - 2, left + 2:right - 2].astype(np.int16).mean(axis=2)
    if grey.size == 0:
        return None
    ink = np.abs(grey - np.median(grey)) > INK
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    sign = ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    height, width = sign.shape
    if width < 5:
        return None
    across = sign.mean(axis=1) >= BAR  # rows of a horizontal stroke
    down = sign.mean(axis=0) >= BAR  # columns of a vertical stroke
    if height <= 0.35 * width and across.all():
        return "−"
    if not 0.7 <= height / width <= 1.4:
        return None
    if not across.any() or not down.any():
        return "×" if _crossed(sign) else None
    middle_row = abs(float(np.flatnonzero(across).mean()) - (height - 1) / 2) <= 0.15 * height
    middle_column = abs(float(np.flatnonzero(down).mean()) - (width - 1) / 2) <= 0.15 * width
    strokes = across[:, None] | down[None, :]
    stray = float((sign & ~strokes).sum()) / max(1, int(sign.sum()))
    return "+" if middle_row and middle_column and stray <= STRAY else None


def _crossed(sign: np.ndarray) -> bool:
    """Whether the ink is two diagonals corner to corner (×): most of it within a stroke's
    width of one, and both drawn along their whole length."""
    height, width = sign.shape
    rows, columns = np.mgrid[0:height, 0:width]
    along = rows * (width - 1) / max(height - 1, 1)  # the column of the main diagonal per row
    reach = max(1.5, 0.15 * width)
    near_main = np.abs(columns - along) <= reach
    near_anti = np.abs(columns - (width - 1 - along)) <= reach
    on_strokes = float((sign & (near_main | near_anti)).sum()) / max(1, int(sign.sum()))
    drawn = [float((sign & near).any(axis=1).mean()) for near in (near_main, near_anti)]
    return on_strokes >= 1 - STRAY and min(drawn) >= BAR


def drop_down(rect: Rect, words: Sequence[OcrWord], edges: np.ndarray, unit: float) -> bool:
    """Whether a small mark stands alone at the box's right end past its text: a drop-down's
    arrow (Chromium's <select> pads its choice like a button's text)."""
    left, top, right, bottom = rect.inner
    text = [w.box[2] for w in words if w.text.strip().lower() not in ARROWS]
    start = round(max(text, default=left) + 0.5 * unit)
    band = edges[top + 2:bottom - 2, start:right - 2]
    columns = np.flatnonzero(band.any(axis=0))
    if columns.size == 0 or columns[-1] - columns[0] > 1.5 * unit:
        return False
    third = band.shape[0] // 3
    if not band[third:band.shape[0] - third].any():
        return False  # nothing at mid height: a pill's round end crossing the band's corners
    # Apart from the box's side: a pill's round end curves in to the text's rows from the
    # band's top and bottom; a mark clear of both may stand closer (Chromium's at 150%)
    rows = np.flatnonzero(band.any(axis=1))
    floating = bool(rows[0] > 0 and rows[-1] < band.shape[0] - 1)
    least = min(3.0, 0.25 * unit) if floating else 0.25 * unit
    return bool(least <= right - (start + columns[-1]) <= 2.5 * unit)


def at_arrow(rect: Rect, word: OcrWord, unit: float) -> bool:
    """Whether `word` is a drop-down's arrow read as a word ("v", "Vv" read up close), at the
    box's right end."""
    text = word.text.strip("()|").lower()
    return 0 < len(text) <= 2 and all(c in ARROWS for c in text) and \
        rect.inner[2] - word.box[2] <= 2 * unit


def arrow_read(rect: Rect, words: Sequence[OcrWord], unit: float) -> bool:
    """Whether OCR read a drop-down's arrow as a word ("v") set apart at the box's right end,
    after its choice."""
    ordered = sorted(words, key=lambda w: w.box[0])
    if len(ordered) < 2 or not at_arrow(rect, ordered[-1], unit):
        return False
    return ordered[-1].box[0] - ordered[-2].box[2] >= 0.5 * unit
