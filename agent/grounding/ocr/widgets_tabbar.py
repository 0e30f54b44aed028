"""Tabs drawn as words on a line with a bar under the selected one ("All  Pending  Shipped",
"All" underlined in colour): no box around any of them, so the box-based tab finder of
widgets.py cannot see them. A row of short runs of words, close together, exactly one of them
underlined by a thick line about its own width a little below its words: those runs are tabs.
(A link's underline hugs its words; a table header's rule runs under all of them alike.)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from agent.grounding.ocr.widget import Widget
from agent.grounding.ocr.widgets_shapes import Pixels
from agent.grounding.ocr.widgets_text import Run

__all__ = ["underlined_tabs"]

STRONG = 60  # a grey level this far from the ground: the selected tab's bar, not a faint rule
GAP = 6.0  # text heights: tabs stand closer together than this
BAR_ROWS = 2  # the selected tab's bar is at least this thick
WORDS = 6  # a tab's name is this short at most ("Day 2 · Wed 11 June")
BAR_HEIGHT = 0.6  # text heights: a selected tab's bar is thinner than this


def underlined_tabs(rgb: Pixels, runs: Sequence[Run], used: set[int], unit: float
                    ) -> list[Widget]:
    """The tabs among the runs no widget took (see the module's docstring)."""
    tabs: list[Widget] = []
    for row in _rows([r for r in runs if id(r) not in used and len(r.words) <= WORDS], unit):
        bars = [_bar(rgb, run, unit) for run in row]
        selected = [k for k, bar in enumerate(bars) if bar is not None]
        if len(selected) != 1:
            continue
        bottom = bars[selected[0]]
        assert bottom is not None
        pad = 0.8 * unit
        for run in row:
            used.add(id(run))
            tabs.append(Widget("tab", (run.box[0] - pad, run.box[1] - pad, run.box[2] + pad,
                                       float(bottom)), run.text, run.box, run.words))
    return tabs


def _rows(runs: Sequence[Run], unit: float) -> list[list[Run]]:
    """Runs on one line, left to right, two or more, each within GAP of the next (a line's
    runs farther apart are rows of their own: a side panel's "Deposit" level with the tabs)."""
    rows: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: ((r.box[1] + r.box[3]) / 2, r.box[0])):
        middle = (run.box[1] + run.box[3]) / 2
        last = rows[-1][-1] if rows else None
        if last is not None and abs((last.box[1] + last.box[3]) / 2 - middle) <= 0.5 * unit:
            rows[-1].append(run)
        else:
            rows.append([run])
    result = []
    for row in rows:
        row.sort(key=lambda r: r.box[0])
        parts = [[row[0]]]
        for a, b in itertools.pairwise(row):
            if b.box[0] - a.box[2] <= GAP * unit:
                parts[-1].append(b)
            else:
                parts.append([b])
        result += [part for part in parts if len(part) >= 2]
    return result


def _bar(rgb: Pixels, run: Run, unit: float) -> int | None:
    """The bottom row of a thick line under the run, from about its left to its right and no
    further than a tab's padding beyond (a selected tab's bar); None when there is none."""
    left, top, right, bottom = (round(v) for v in run.box)
    pad = round(2.5 * unit)
    start, end = max(0, left - pad), min(rgb.shape[1], right + pad)
    area = rgb[bottom + 2:min(rgb.shape[0], bottom + round(1.6 * unit)), start:end]
    if area.size == 0 or bottom <= top:  # (a word read with no height: no ground to measure)
        return None
    grey = area.astype(np.int16).mean(axis=2)
    ground = np.median(rgb[top:bottom, start:end].astype(np.int16).mean(axis=2))
    strong = np.abs(grey - ground) > STRONG
    under = strong[:, left - start:right - start].mean(axis=1) >= 0.9  # rows under the words
    beyond = strong[:, :max(1, left - start - round(unit))].mean(axis=1) <= 0.5
    rows = np.flatnonzero(under & beyond)
    if rows.size < BAR_ROWS or rows[-1] - rows[0] >= rows.size + 1 or rows[0] < 0.25 * unit:
        return None  # thinner than a bar, two lines apart, or hugging the words (a link's)
    after = strong[rows[-1] + 1:rows[-1] + 3, left - start:right - start]
    if rows.size > BAR_HEIGHT * unit or (after.size and after.mean() >= 0.5):
        return None  # a band, no bar: an open list's highlighted item (its words in it) under
        # a drop-down's text
    return int(bottom + 2 + rows[-1] + 1)
