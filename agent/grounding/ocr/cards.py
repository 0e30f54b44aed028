"""The card a text stands on: a product's tile, a comment's box, an extension's panel — the
region of one ground colour around the text, bounded by a border or another ground.

"the Select button on the Early bird card" is the Select button inside the card whose title is
"Early bird": below its title is not enough when cards stand side by side and in rows.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from agent.grounding.ocr.engines import Box

__all__ = ["card_around", "card_under", "ruled_item", "titled_box"]

TOLERANCE = 4  # grey levels: the card's ground (a white card on #f1f3f4 differs by 14)
MARGIN = 3  # px between the text's box and where its ground is sampled
SIDE_SLACK = 4  # px: a title strip and its card's body line up within this
MAX_SHARE = 0.5  # a region taller than this share of the screen is the page; so is one
RULE_REACH = (2.0, 6.0)  # text heights above and below a list item's first line to its rules
RULE_LENGTH = 20  # text heights at least: a list's rule, not a field's border
BAND_SHARE = 0.2  # wider than MAX_SHARE and taller than this share (a list's full-width
# item, a notification, is a card)


def card_around(image: Image.Image, text: Box, *, tall: bool = False) -> Box | None:
    """The box of the card `text` stands on, or None when its ground runs on over the page
    (no card: a plain list, a page of one colour); `tall`: a column's panel (a board's) may
    run the screen's height."""
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    seed = _ground_seed(rgb, text)
    return None if seed is None else _region(rgb, seed, tall)


def card_under(image: Image.Image, strip: Box, *, tall: bool = False) -> Box | None:
    """The card whose coloured title strip is `strip`: the strip with the region just below
    it, when that region is as wide (a ticket's yellow header over its white body); None when
    it is not."""
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    body = _below(rgb, strip, tall)
    if body is None or _below(rgb, body, tall) is not None:
        return None  # a stack of cells as wide: a ruled table's column under its heading's
        # cell ("the Book button in the Wednesday column"), no card
    return min(strip[0], body[0]), strip[1], max(strip[2], body[2]), body[3]


def titled_box(image: Image.Image, title: Box) -> Box | None:
    """The box a title heads: the region of one ground just under it (a fieldset's inside
    under its legend, which stands on its border), else the card it stands on; None when
    that runs on over the page."""
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    below = _under(rgb, title, True, sealed=True)
    return below if below is not None and below[1] <= round(title[3]) + MARGIN \
        else card_around(image, title, tall=True)


def ruled_item(image: Image.Image, text: Box) -> Box | None:
    """The list item whose first line holds `text`: the band between the rules above and below
    it (a list of engineers, each a name, two lines and buttons at the right, parted by thin
    lines on one ground); None without both rules near."""
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.int16)
    left, top, _right, bottom = (round(v) for v in text)
    height = max(bottom - top, 8)
    # (from the text's left: a list's items may start flush with their rules)
    span = slice(max(0, left - 1), min(gray.shape[1], left + RULE_LENGTH * height))
    ground = gray[max(0, top - 2), left]
    rows = [range(top - 2, max(0, top - round(RULE_REACH[0] * height)) - 1, -1),
            range(bottom + 2, min(gray.shape[0], bottom + round(RULE_REACH[1] * height)))]
    rules = [next((y for y in ys if _rule(gray[y, span], ground)), None) for ys in rows]
    if rules[0] is None or rules[1] is None:
        return None
    start, end = _extent(gray[rules[0]], left)  # (as long as the rule above runs)
    return float(start), float(rules[0]), float(end), float(rules[1])


def _rule(row: np.ndarray, ground: int) -> bool:
    """Whether a row of pixels is a rule: one shade, not the ground's."""
    return int(row.max() - row.min()) <= 6 and abs(int(row.mean()) - int(ground)) >= 8


def _extent(row: np.ndarray, x: int) -> tuple[int, int]:
    """Where the line through `x` on `row` starts and ends (its shade within 6 levels)."""
    off = np.flatnonzero(np.abs(row - row[x]) > 6)
    before, after = off[off < x], off[off > x]
    return (int(before[-1]) + 1 if before.size else 0,
            int(after[0]) if after.size else row.shape[0])


def _below(rgb: np.ndarray, box: Box, tall: bool) -> Box | None:
    """The region just below `box` when it is as wide and starts where `box` ends."""
    left, _top, right, bottom = (round(v) for v in box)
    body = _under(rgb, box, tall)
    if body is None or abs(body[0] - left) > SIDE_SLACK or abs(body[2] - right) > SIDE_SLACK \
            or body[1] > bottom + SIDE_SLACK:
        return None
    return body


def _under(rgb: np.ndarray, box: Box, tall: bool, *, sealed: bool = False) -> Box | None:
    """The region of one ground just under the middle of `box` (see `_region`); `sealed`:
    not through the box's own lines and two text heights either side (a fieldset's legend
    breaks its border: the ground inside would run out to the page's through the gap)."""
    left, top, right, bottom = (round(v) for v in box)
    seed = ((left + right) // 2, bottom + MARGIN)
    reach = 2 * (bottom - top)
    seal = (left - reach, top, right + reach, bottom) if sealed else None
    return _region(rgb, seed, tall, seal) if seed[1] < rgb.shape[0] else None


def _region(rgb: np.ndarray, seed: tuple[int, int], tall: bool,
            seal: tuple[int, int, int, int] | None = None) -> Box | None:
    """The box of the region of one ground colour around `seed` (not across `seal`), or None
    when it runs on over the page."""
    height, width = rgb.shape[:2]
    mask = np.zeros((height + 2, width + 2), np.uint8)
    if seal is not None:  # (the mask is a pixel larger each side; non-zero stops the fill)
        mask[max(0, seal[1]) + 1:seal[3] + 2, max(0, seal[0]) + 1:seal[2] + 2] = 1
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (255 << 8)
    tolerance = (TOLERANCE,) * 3
    cv2.floodFill(rgb.copy(), mask, seed, (0, 0, 0), tolerance, tolerance, flags)  # (writable)
    filled = mask[1:-1, 1:-1] == 255  # (OpenCV marks the mask's own border with 1s)
    rows = np.flatnonzero(filled.any(axis=1))
    columns = np.flatnonzero(filled.any(axis=0))
    if not rows.size or not columns.size:
        return None
    left, top, right, bottom = int(columns[0]), int(rows[0]), int(columns[-1]) + 1, \
        int(rows[-1]) + 1
    wide = right - left > MAX_SHARE * width
    if bottom - top > (BAND_SHARE if wide else 1.0 if tall else MAX_SHARE) * height:
        return None
    return float(left), float(top), float(right), float(bottom)


def _ground_seed(rgb: np.ndarray, text: Box) -> tuple[int, int] | None:
    """A pixel of the ground just left of the text, or above it (the first whose colour is
    the commoner of the two: a coloured icon may stand at its left)."""
    height, width = rgb.shape[:2]
    left, top, right, bottom = (round(v) for v in text)
    middle = (top + bottom) // 2
    spots = [(left - MARGIN, middle), ((left + right) // 2, top - MARGIN),
             (right + MARGIN, middle), ((left + right) // 2, bottom + MARGIN)]
    inside = [(x, y) for x, y in spots if 0 <= x < width and 0 <= y < height]
    if not inside:
        return None
    colours = [tuple(int(c) for c in rgb[y, x]) for x, y in inside]
    common = max(colours, key=colours.count)
    return inside[colours.index(common)]
