"""A bordered table's cells, told from widgets: a box that shares a whole side with a box
beside it and another with a box above or below it (a lattice of ruled cells) and whose text
stands at one side is a cell of a table, not a button or a filled field; so is every box of a
lattice some of whose cells hold buttons or fields (a booking grid's "Wednesday" heading and
"11:00" over and beside cells holding Book buttons), whatever their text's alignment. Its
words are then a heading or a row's words, like the same table's words without rules. (A
calendar's or a seat map's joined buttons centre their text, and hold none; tabs and button
groups touch on one axis only.)"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.widgets_shapes import IntBox, Rect

__all__ = ["table_cells"]

SHARED = 2  # px: two boxes' sides this close are one rule (a 1-px rule between cells)


def table_cells(rects: Sequence[Rect], boxes: Sequence[Rect], words: Sequence[OcrWord],
                unit: float) -> set[int]:
    """The ids of those `rects` that are cells of a ruled table; `boxes` are all the boxes
    found (a cell holding a field is a box too, though no widget, if it is found at all)."""
    if len(boxes) < 3:
        return set()
    outer = np.array([b.outer for b in boxes])
    lattice = {r.outer for r in rects if _beside(r.outer, outer).any()
               and _stacked(r.outer, outer).any()}
    tables = _holding_lattices(boxes, outer)
    cells: set[int] = set()
    for rect in rects:
        # A box touching a cell of the lattice on its row is a cell too (the header over a
        # column of fields, whose cells are rings round them: no boxes)
        row = {(int(a), int(b), int(c), int(d)) for a, b, c, d in outer[_beside(rect.outer, outer)]}
        if rect.outer in tables or (
                (rect.outer in lattice or row & lattice) and _aside(rect.outer, words, unit)):
            cells.add(id(rect))
    return cells


def _holding_lattices(boxes: Sequence[Rect], outer: np.ndarray) -> set[IntBox]:
    """The boxes of each set of boxes joined side to side, in rows and columns (a lattice),
    that holds a box inside one of them: a table's cells, some holding its buttons."""
    group = list(range(len(boxes)))  # union-find over boxes sharing a whole side

    def root(k: int) -> int:
        while group[k] != k:
            group[k] = group[group[k]]
            k = group[k]
        return k

    crossed = set()  # boxes with a neighbour beside them and one above or below: a lattice's
    for k, box in enumerate(boxes):
        beside, stacked = _beside(box.outer, outer), _stacked(box.outer, outer)
        if beside.any() and stacked.any():
            crossed.add(k)
        for other in np.flatnonzero(beside | stacked):
            group[root(int(other))] = root(k)
    inner = np.array([b.inner for b in boxes])
    holding = {root(k) for k in range(len(boxes)) if bool(
        ((outer[:, 0] >= inner[k, 0]) & (outer[:, 1] >= inner[k, 1]) & (outer[:, 2] <= inner[k, 2])
         & (outer[:, 3] <= inner[k, 3])).any())}
    sizes: dict[int, int] = {}
    for k in range(len(boxes)):
        sizes[root(k)] = sizes.get(root(k), 0) + 1
    latticed = {root(k) for k in crossed}  # (a row of joined tabs, one holding a box, is none)
    return {boxes[k].outer for k in range(len(boxes))
            if root(k) in holding and root(k) in latticed and sizes[root(k)] >= 4}


def _beside(box: IntBox, outer: np.ndarray) -> np.ndarray:
    """Which of the boxes `outer` share a whole side with `box` on its row."""
    left, top, right, bottom = box
    row = _at(outer[:, 1], top) & _at(outer[:, 3], bottom)
    found: np.ndarray = row & (_at(outer[:, 0], right) | _at(outer[:, 2], left))
    return found


def _stacked(box: IntBox, outer: np.ndarray) -> np.ndarray:
    """Which of the boxes `outer` share a whole side with `box` in its column."""
    left, top, right, bottom = box
    column = _at(outer[:, 0], left) & _at(outer[:, 2], right)
    found: np.ndarray = column & (_at(outer[:, 1], bottom) | _at(outer[:, 3], top))
    return found


def _at(sides: np.ndarray, side: int) -> np.ndarray:
    near: np.ndarray = np.abs(sides - side) <= SHARED
    return near


def _aside(box: IntBox, words: Sequence[OcrWord], unit: float) -> bool:
    """Whether the words inside `box` stand at one side, clearly more room on the other (a
    cell's text, however long; a column of amounts), rather than centred (a button's)."""
    left, top, right, bottom = box
    held = [w.box for w in words if left <= (w.box[0] + w.box[2]) / 2 <= right
            and top <= (w.box[1] + w.box[3]) / 2 <= bottom]
    if not held:
        return False
    before = min(b[0] for b in held) - left
    after = right - max(b[2] for b in held)
    return abs(after - before) >= 0.5 * unit
