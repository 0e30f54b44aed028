"""The ink of text on a screenshot: its colour, and the line under it (a link's underline)."""

from __future__ import annotations

import numpy as np

from agent.grounding.ocr.widgets_shapes import Colour, IntBox, Pixels, colour

__all__ = ["ink_colour", "joined", "same_ink", "underline", "underlined"]


def ink_colour(rgb: Pixels, box: IntBox) -> Colour | None:
    """The colour of the text in `box`: the median of the pixels far from its ground."""
    left, top, right, bottom = box
    area = rgb[top:bottom, left:right].reshape(-1, 3).astype(np.int16)
    if area.size == 0:
        return None
    # The ground round the box too: a short bold word's tight box ("No" of a "No reply" link)
    # is more ink than ground
    pad = max(2, (bottom - top) // 3)
    around = rgb[max(0, top - pad):bottom + pad, max(0, left - pad):right + pad]
    ground = np.median(around.reshape(-1, 3), axis=0)
    far = np.abs(area - ground).max(axis=1) > 90
    if far.sum() < 4:
        return None
    return colour(np.median(area[far], axis=0))


def same_ink(one: Colour | None, other: Colour | None, tolerance: int = 40) -> bool:
    """Whether two texts' ink colours (ink_colour) are one: neither unknown, each channel
    within `tolerance`."""
    return one is not None and other is not None and \
        max(abs(a - b) for a, b in zip(one, other, strict=True)) <= tolerance


def underlined(rgb: Pixels, box: IntBox, unit: float, span: tuple[int, int]) -> bool:
    """Whether a line runs under the text in `box` along its whole width (a link's underline).
    `span` is where the text's line of words starts and ends: a line that runs on past either
    (a rule, a window's edge, the top of a field under its label) is no underline."""
    found = underline(rgb, box, unit)
    if found is None:
        return False
    row, ground = found
    start, end = span
    return not (_ruled(rgb, row, start - round(unit), start - round(unit * 0.3), ground)
                or _ruled(rgb, row, end + round(unit * 0.3), end + round(unit), ground))


def underline(rgb: Pixels, box: IntBox, unit: float) -> tuple[int, Pixels] | None:
    """The row of the line under the text in `box`, and the text's ground colour: a row near
    the text's foot inked across most of it, while the text's middle rows have gaps
    between letters (which no row of letters alone has). None without such a line."""
    left, top, right, bottom = box
    if right - left < unit * 0.6:
        return None
    area = rgb[top:bottom + round(unit * 0.45), left:right].astype(np.int16)
    # The ground round the box too: a short bold word's tight box ("an" of a "Create an
    # account" link) is so much ink that its median is no ground, and the page beside the
    # line differed from it as a rule would
    pad = max(2, (bottom - top) // 3)
    around = rgb[max(0, top - pad):bottom + round(unit * 0.45) + pad,
                 max(0, left - pad):right + pad]
    ground = np.median(around.reshape(-1, 3), axis=0)
    coverage = (np.abs(area - ground).max(axis=2) > 80).mean(axis=1)
    height = bottom - top
    middle = coverage[height // 4:max(height // 4 + 1, height * 2 // 3)]
    foot = coverage[max(0, height - round(unit * 0.5)):]
    # 0.8, not all: browsers break an underline around descenders (text-decoration-skip-ink)
    if not (foot.size and foot.max() >= 0.8 and middle.size and middle.min() <= 0.6):
        return None
    return top + max(0, height - round(unit * 0.5)) + int(np.argmax(foot)), ground


def joined(rgb: Pixels, row: int, start: int, end: int, ground: Pixels) -> bool:
    """Whether the line at `row` runs on from `start` to `end` (one link's underline goes on
    under the space between its words; two links' underlines stop between them)."""
    return end <= start or _ruled(rgb, row, start, end, ground)


def _ruled(rgb: Pixels, row: int, start: int, end: int, ground: Pixels, share: float = 0.5
           ) -> bool:
    """Whether the line at `row` goes on from `start` to `end`: a rule or a window's edge,
    which runs on past the text on both sides; an underline stops with it."""
    start, end = max(0, start), min(rgb.shape[1], end)
    if end <= start or not 0 <= row < rgb.shape[0]:
        return False
    stretch = rgb[row, start:end].astype(np.int16)
    return bool((np.abs(stretch - ground).max(axis=1) > 80).mean() >= share)
