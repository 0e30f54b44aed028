"""The shapes behind a screen's widgets, by classic image analysis (numpy + OpenCV, no model).

An *edge* pixel differs clearly from a neighbour. Regions of non-edge pixels bounded by edges on
all four straight sides are *boxes* (a button's or a field's inside); small closed edge blobs
that are square or round are *marks* (checkboxes, radio buttons, switches: widgets_marks.py).
Sizes are measured
in `unit`, the height of the screen's text, so that the same rules hold at 100% and 300% zoom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np

__all__ = ["Blobs", "Colour", "IntBox", "Mark", "Pixels", "Rect", "colour", "edge_blobs",
           "edge_map", "find_rects", "int_box", "straight_sides", "without_containers"]

Pixels = Any  # numpy arrays: numpy's own generics add nothing the names do not say
IntBox = tuple[int, int, int, int]  # left, top, right, bottom (exclusive), pixels
Colour = tuple[int, int, int]
Blobs = tuple[Pixels, Pixels]  # labels image, stats rows (x, y, w, h, area)

EDGE = 24  # a channel this far from its neighbour's makes an edge (light grey on white: 16)
# ... or from the pixel two steps on, closing a box: a faint border's rounded corner (#d4d4d8
# on white at 150%) shades 255, 231, 255 across its arc
SEAL = 20
FAINT = 12  # ... and this far, along a straight line at least FAINT_RUN px long
FAINT_RUN = 24
SIDE_FULL = 0.9  # share of a side's middle that must be the region itself: a straight side
SIDE_ONE = 0.75  # the least full side's share (an arrow or a letter close to it)


def int_box(box: tuple[float, float, float, float]) -> IntBox:
    """A box in whole pixels."""
    return round(box[0]), round(box[1]), round(box[2]), round(box[3])


@dataclass(frozen=True)
class Rect:
    """A region bounded by four straight edges: a button's, field's or tab's inside."""

    inner: IntBox  # the region of non-edge pixels (inside the border)
    outer: IntBox  # inner grown by the border's thickness
    fill: Colour  # the region's median colour
    around: Colour  # the colour just outside the border
    border: Colour | None  # the border's colour (the pixel most unlike the inside), if any


@dataclass(frozen=True)
class Mark:
    """A checkbox (square), radio button (circle) or switch (pill) and whether it is on."""

    kind: Literal["checkbox", "radio"]
    box: IntBox
    checked: bool | None


def edge_map(rgb: Pixels) -> Pixels:
    """Whether each pixel differs by more than EDGE from its right or lower neighbour (both
    pixels of such a pair are edges: a 1-px border then separates regions for sure)."""
    # cv2 on uint8 channels: ~10 ms at 1080p, where numpy's int16 diff and max take ~170 ms.
    channels = cv2.split(rgb)  # once for both directions, planes OpenCV takes without copies
    across_by = _strongest(channels, np.s_[:, 1:], np.s_[:, :-1])
    down_by = _strongest(channels, np.s_[1:], np.s_[:-1])
    # A faint border is an edge where it runs straight and long: a field's 1-px light border
    # drawn 2 px wide and fainter at 150% (#dcdde1 as 237 on white), which no letter is
    across = (across_by > EDGE) | _straight(across_by > FAINT, (1, FAINT_RUN))  # upright
    down = (down_by > EDGE) | _straight(down_by > FAINT, (FAINT_RUN, 1))
    edges = np.zeros(rgb.shape[:2], dtype=bool)
    edges[:, :-1] |= across
    edges[:, 1:] |= across
    edges[:-1, :] |= down
    edges[1:, :] |= down
    return edges


def _straight(mask: Pixels, shape: tuple[int, int]) -> Pixels:
    """The marked pixels that lie on a straight run of `shape` (columns, rows) of them."""
    kernel = np.ones(shape[::-1], np.uint8)
    return cv2.morphologyEx(mask.view(np.uint8), cv2.MORPH_OPEN, kernel).view(bool)


def _sealed(rgb: Pixels, edges: Pixels) -> Pixels:
    """The edges and pixels that differ by more than SEAL from the pixel two steps on: a
    rounded corner's anti-aliasing (255, 236, 218, 239) steps from a grey box's inside to the
    white around it by less than EDGE at a time, a gap its inside would leak through."""
    channels = cv2.split(rgb)
    across = _strongest(channels, np.s_[:, 2:], np.s_[:, :-2]) > SEAL
    down = _strongest(channels, np.s_[2:], np.s_[:-2]) > SEAL
    sealed = edges.copy()
    sealed[:, :-2] |= across
    sealed[:, 2:] |= across
    sealed[:-2, :] |= down
    sealed[2:, :] |= down
    return sealed


def _strongest(channels: Sequence[Pixels], here: Any, there: Any) -> Pixels:
    """The largest of the three channels' differences between the pixels at `here` and at
    `there` (two slices of the screen, a pixel apart)."""
    strongest = cv2.absdiff(channels[0][here], channels[0][there])
    for channel in channels[1:]:
        # In place: fewer fresh screen-sized arrays, each of which costs its page faults.
        cv2.max(strongest, cv2.absdiff(channel[here], channel[there]), dst=strongest)
    return strongest


LEAK = 0.2  # an edge row or column this sparse is a leak through a corner, not a side


def find_rects(rgb: Pixels, edges: Pixels, unit: float, blobs: Blobs) -> list[Rect]:
    """Every box on the screen: a region bounded by straight edges, at least half a text line
    high (`without_containers` leaves out those holding others: a window, a panel, a
    dialog)."""
    height, width = edges.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (~_sealed(rgb, edges)).view(np.uint8), connectivity=4)  # bools: bytes of 0 and 1
    x, y, w, h, area = (stats[:, k] for k in range(5))
    least = max(4, round(unit * 0.45))
    keep = ((w >= least) & (h >= least) & (x > 0) & (y > 0) & (x + w < width)
            & (y + h < height) & (area >= 0.4 * w * h) & (h <= 0.7 * height)
            & (w <= 0.95 * width))
    keep[0] = keep[0] and count > 0
    rects: list[Rect] = []
    for label in np.flatnonzero(keep):
        box = (int(x[label]), int(y[label]), int(x[label] + w[label]), int(y[label] + h[label]))
        region = labels[box[1]:box[3], box[0]:box[2]] == label
        box, region = _tight(box, region)
        if region.size and (straight_sides(region) or _pill(region, unit)):
            rects.append(_rect(rgb, box, region, unit))
    outlined, fragments = _outlined(rgb, edges, blobs, unit, rects)
    return [r for k, r in enumerate(rects) if k not in fragments] + outlined


def edge_blobs(edges: Pixels) -> Blobs:
    """The 8-connected blobs of edge pixels: (labels, stats) as OpenCV gives them."""
    _count, labels, stats, _ = cv2.connectedComponentsWithStats(
        edges.view(np.uint8), connectivity=8)  # bools are bytes of 0 and 1: no copy
    return labels, stats


def _outlined(rgb: Pixels, edges: Pixels, blobs: Blobs, unit: float, found: list[Rect]
              ) -> tuple[list[Rect], set[int]]:
    """Boxes whose text touches their border (a "g" on a tight button's bottom edge, an "L" on
    its top splits the inside in two): edge blobs with four straight sides, a line or two high,
    where no box was found yet, or only a fragment of one (the part of a field right of a text
    cursor that runs from its top to its bottom). Returns them and the fragments' indices."""
    labels, stats = blobs
    x, y, w, h = (stats[:, k] for k in range(4))
    keep = (h >= unit * 1.1) & (h <= unit * 4) & (w >= h) & (w <= 0.8 * edges.shape[1])
    keep[0] = False
    candidates = np.flatnonzero(keep)
    boxes = np.stack([x, y, x + w, y + h], axis=1)[candidates]
    blocked, parts = _among(boxes, found)
    rects: list[Rect] = []
    fragments: set[int] = set()
    for label, outline, busy, part in zip(candidates, boxes, blocked, parts, strict=True):
        if busy:
            continue  # another box there; or boxes side by side (tabs), not one box split
        box = (int(outline[0]), int(outline[1]), int(outline[2]), int(outline[3]))
        blob = labels[box[1]:box[3], box[0]:box[2]] == label
        trimmed = _trimmed(blob, box)
        if not straight_sides(blob[trimmed[1] - box[1]:trimmed[3] - box[1],
                                    trimmed[0] - box[0]:trimmed[2] - box[0]]):
            continue
        inner = _inside_border(edges, trimmed)
        region = ~edges[inner[1]:inner[3], inner[0]:inner[2]]
        if region.size and region.mean() >= 0.4:
            rects.append(_rect(rgb, inner, region, unit))
            fragments.update(int(k) for k in np.flatnonzero(part))
    return rects, fragments


def _among(boxes: Pixels, found: list[Rect]) -> tuple[Pixels, Pixels]:
    """For outlines' boxes (rows of left, top, right, bottom) among the boxes `found`: whether
    another box is there already, and which found boxes are fragments of each (the part of a
    field right of a text cursor: as high as the outline, not as wide), all pairs at once."""
    taken = np.array([r.outer for r in found] or [(0, 0, 0, 0)])
    left, top, right, bottom = (boxes[:, k, None] for k in range(4))  # a column per outline
    t_left, t_top, t_right, t_bottom = (taken[None, :, k] for k in range(4))  # a row per box
    overlap = (t_left < right) & (left < t_right) & (t_top < bottom) & (top < t_bottom)
    around = ((t_left <= left) & (t_top <= top) & (t_right >= right)
              & (t_bottom >= bottom))  # a window or panel around it: no conflict
    part = ((t_left >= left) & (t_right <= right) & (np.abs(t_top - top) <= 4)
            & (np.abs(t_bottom - bottom) <= 4)
            & (t_right - t_left < 0.8 * (right - left)))  # not all of it
    blocked = (overlap & ~around & ~part).any(axis=1) | ((overlap & part).sum(axis=1) > 1)
    return blocked, overlap & part


def _trimmed(blob: Pixels, box: IntBox) -> IntBox:
    """`box` less up to 3 sparse rows or columns at each side: a letter's descender below a
    field's light bottom border (Tk's sunken entry on its grey window) is not the box's side."""
    cut = [_sparse(blob.T), _sparse(blob), _sparse(blob.T[::-1]), _sparse(blob[::-1])]
    return box[0] + cut[0], box[1] + cut[1], box[2] - cut[2], box[3] - cut[3]


def _sparse(lines: Pixels) -> int:
    """How many of the first `lines` (rows) are less than half full: up to 3, never all.
    (Measured one by one, as far as needed: screens have hundreds of outlines to trim.)"""
    cut = 0
    while (cut < 3 and cut < len(lines) - 1
           and np.count_nonzero(lines[cut]) / lines[cut].size < 0.5):
        cut += 1
    return cut


def _inside_border(edges: Pixels, box: IntBox) -> IntBox:
    """`box` (an outline's bounding box) less its border's thickness: the thinnest run of edge
    pixels met going in from any side, at a quarter, half and three quarters of it (text that
    fills a field runs on from the border where a line crosses it)."""
    left, top, right, bottom = box
    reach = max(2, (bottom - top) // 4)
    runs = []
    for share in (0.25, 0.5, 0.75):
        y, x = top + round((bottom - top - 1) * share), left + round((right - left - 1) * share)
        runs += [_edge_run(edges[y, left:], reach), _edge_run(edges[top:, x], reach),
                 _edge_run(edges[y, right - 1::-1], reach),
                 _edge_run(edges[bottom - 1::-1, x], reach)]
    thickness = min(runs)
    return left + thickness, top + thickness, right - thickness, bottom - thickness


def _tight(box: IntBox, region: Pixels) -> tuple[IntBox, Pixels]:
    """The region less up to two sparse rows or columns at each side: where a rounded corner's
    anti-aliased edge has a gap, the inside leaks a pixel or two outwards."""
    cut = [0, 0, 0, 0]  # left, top, right, bottom
    for side in range(4):
        while cut[side] < 2:
            rest = region[cut[1]:region.shape[0] - cut[3], cut[0]:region.shape[1] - cut[2]]
            line = (rest[:, 0], rest[0], rest[:, -1], rest[-1])[side] if rest.size else rest
            if not line.size or line.mean() >= LEAK:
                break
            cut[side] += 1
    rest = region[cut[1]:region.shape[0] - cut[3], cut[0]:region.shape[1] - cut[2]]
    return (box[0] + cut[0], box[1] + cut[1], box[2] - cut[2], box[3] - cut[3]), rest


def straight_sides(region: Pixels) -> bool:
    """Whether the middle of each side of the region's bounding box belongs to the region (one
    side may be less full: a drop-down's arrow drawn close to it)."""
    h, w = region.shape
    cut_y, cut_x = max(1, h // 5), max(1, w // 5)  # rounded corners are not sides
    sides = (region[0, cut_x:w - cut_x], region[-1, cut_x:w - cut_x],
             region[cut_y:h - cut_y, 0], region[cut_y:h - cut_y, -1])
    if not all(side.size for side in sides):
        return False
    # A share by counting: as exact as mean(), and a fraction of its cost (called per region).
    shares = sorted((np.count_nonzero(side) / side.size, k) for k, side in enumerate(sides))
    (least, k), (second, _k) = shares[:2]
    if second < SIDE_FULL:
        return False
    # One obstruction on the least full side, whatever its share: a drop-down's chevron drawn
    # so close to the right border that the edges seal the gap (Chromium's <select> at 100%)
    return least >= SIDE_ONE or _one_notch(sides[k], h if k >= 2 else w)


def _one_notch(side: Pixels, length: int) -> bool:
    """Whether the pixels of `side` missing from the region form one run of at most half the
    side's whole `length`."""
    missing = np.flatnonzero(~side)
    return bool(missing.size <= length // 2 and missing[-1] - missing[0] + 1 == missing.size)


def _pill(region: Pixels, unit: float) -> bool:
    """Whether the region is a pill: straight along its top and bottom, round at both ends (a
    search field or a button with fully rounded ends), at least three times as wide as high,
    or twice when a line of text high (a short word's button: "Add" in a 58x25 pill; not a
    pocket between a letter and a box's side)."""
    h, w = region.shape
    if w < (2 if h >= unit else 3) * h:
        return False
    middle = slice(max(0, h // 2 - 1), h // 2 + 1)
    flat = (region[0, h:w - h], region[-1, h:w - h])
    return all(np.count_nonzero(side) >= SIDE_FULL * side.size for side in flat) and \
        bool(region[middle, 0].any() and region[middle, -1].any())


def _rect(rgb: Pixels, inner: IntBox, region: Pixels, unit: float) -> Rect:
    """The box around `inner`: its border (when it has one of its own colour), its fill, and
    the colour around it, read along lines from the middle of each side outwards."""
    left, top, right, bottom = inner
    mid_y, mid_x = (top + bottom) // 2, (left + right) // 2
    reach = max(3, round(unit * 0.25))  # a border is at most this thick (3 px at 300%: 9)
    lines = (rgb[mid_y, left::-1], rgb[top::-1, mid_x], rgb[mid_y, right - 1:],
             rgb[bottom - 1:, mid_x])
    lines = tuple(line[:2 * reach + 4] for line in lines)
    frames = [_frame(line, steps, reach) for line, steps in zip(lines, _steps(lines), strict=True)]
    height, width = rgb.shape[:2]
    grow = [f[0] for f in frames]
    outer = (max(0, left - grow[0]), max(0, top - grow[1]), min(width, right + grow[2]),
             min(height, bottom + grow[3]))
    fill = _median_colour(rgb[top:bottom, left:right], region)
    borders = [f[1] for f in frames if f[1] is not None]
    border = None
    if len(borders) >= 2:  # a frame (a sunken one is light on two sides); a filled box: none
        pixels = np.concatenate(borders).astype(np.int16)
        border = colour(pixels[int(np.argmax(np.abs(pixels - np.array(fill)).max(axis=1)))])
    around = np.concatenate([f[2] for f in frames if f[2].size] or [np.zeros((1, 3))])
    return Rect(inner, outer, fill, _median_of_few(around), border)


def _steps(lines: tuple[Pixels, ...]) -> list[list[int]]:
    """Where along each line the colour changes by more than FAINT (at i: from pixel i to i + 1:
    a faint border is a border too). All lines in one pass: they are short, and a screen has
    hundreds of boxes, four lines each."""
    joined = np.concatenate(lines).astype(np.int16)
    change = np.abs(np.diff(joined, axis=0)).max(axis=1) > FAINT
    changes = change.tolist()  # a few dozen: plain Python is quicker than numpy from here
    found, start = [], 0
    for line in lines:
        end = start + max(0, len(line) - 1)  # not on into the next line
        found.append([at - start for at in range(start, end) if changes[at]])
        start += len(line)
    return found


def _median_colour(area: Pixels, mask: Pixels) -> Colour:
    """The median colour of `area`'s pixels where `mask` is set, per channel and in whole
    numbers: what int() makes of np.median's, found in histograms (no copy of the pixels: a
    box's inside may hold thousands, and a screen hundreds of boxes)."""
    count = int(np.count_nonzero(mask))
    middle = [(count - 1) // 2, count // 2]  # the one middle value, or the two to average
    values = []
    for channel in range(3):
        histogram = cv2.calcHist([area], [channel], mask.view(np.uint8), [256], [0, 256])
        low, high = np.searchsorted(np.cumsum(histogram.ravel()), middle, side="right")
        values.append((int(low) + int(high)) // 2)
    return values[0], values[1], values[2]


def _median_of_few(pixels: Pixels) -> Colour:
    """What int() makes of np.median's colour of a few pixels (the 2 px around a box's sides),
    by sorting in plain Python: for so few, np.median's own overhead is most of its cost."""
    colour = []
    for values in zip(*pixels.tolist(), strict=True):  # per channel
        ordered = sorted(values)
        count = len(ordered)  # the middle value, or the mean of the two middle ones
        colour.append(int((ordered[(count - 1) // 2] + ordered[count // 2]) // 2))
    return colour[0], colour[1], colour[2]


def _frame(line: Pixels, steps: list[int], reach: int) -> tuple[int, Pixels | None, Pixels]:
    """Along `line` (from a box's inside outwards), whose colour changes at `steps`: how far out
    its border ends, the border's pixels (None when the first change of colour is already the
    outside), and 2 px beyond."""
    if not steps:
        return 0, None, line[1:3]
    first = steps[0]
    within = [step for step in steps if first < step <= first + reach]
    if not within:
        return first, None, line[first + 1:first + 3]
    last = within[-1]
    return last, line[first + 1:last + 1], line[last + 1:last + 3]


def _edge_run(line: Pixels, reach: int) -> int:
    """How many edge pixels `line` starts with, at most `reach`."""
    stretch = line[:reach]
    return int(np.argmin(stretch)) if not stretch.all() else int(stretch.size)


def colour(values: Pixels) -> Colour:
    return int(values[0]), int(values[1]), int(values[2])


def without_containers(rects: list[Rect], unit: float) -> list[Rect]:
    """The rects that hold no other rect of a text line's size (a container is no widget)."""
    if not rects:
        return rects
    boxes = np.array([r.inner for r in rects])
    sizable = ((boxes[:, 2] - boxes[:, 0]) >= unit * 0.8) & ((boxes[:, 3] - boxes[:, 1])
                                                             >= unit * 0.6)
    kept = []
    for rect in rects:
        left, top, right, bottom = rect.inner
        inside = (sizable & (boxes[:, 0] >= left) & (boxes[:, 1] >= top) & (boxes[:, 2] <= right)
                  & (boxes[:, 3] <= bottom)
                  & ~((boxes[:, 0] == left) & (boxes[:, 1] == top) & (boxes[:, 2] == right)
                      & (boxes[:, 3] == bottom)))
        if not inside.any():
            kept.append(rect)
    return kept
