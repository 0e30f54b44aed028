"""A candidate for a description (a widget, or words) and the geometry the ranking shares."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from agent.grounding.ocr.engines import Box, OcrWord

__all__ = ["CLICKABLE", "LIGHTER", "MARKS", "Candidate", "WidgetLike", "centre", "field_inside",
           "gap", "holds", "inside", "label_reach", "overlaps", "plausible_field", "rescored",
           "text_inside"]

CLICKABLE = frozenset({"button", "tab", "link", "icon"})  # text inside the widget is the widget
MARKS = frozenset({"checkbox", "radio"})  # a box or circle beside its label


class WidgetLike(Protocol):
    """What the ranking reads of C1's `Widget` (agent/grounding/ocr/widgets.py)."""

    @property
    def kind(self) -> str: ...
    @property
    def box(self) -> Box: ...
    @property
    def text(self) -> str: ...
    @property
    def text_box(self) -> Box | None: ...
    @property
    def menu(self) -> bool: ...
    @property
    def words(self) -> tuple[OcrWord, ...]: ...


@dataclass(frozen=True)
class Candidate:
    """One place the description may mean."""

    kind: str  # a widget kind, or "text" for plain words
    box: Box  # the element: the widget's box, or the words' box
    text: str  # as read ("" for a widget without text)
    point: tuple[float, float]  # where to act: inside the widget, a field, or the words
    similarity: float  # of its text to the text described (1.0 when none was described)
    score: float  # 0–1, after the kind, place, colour, relation and ordinal
    exact: bool = False  # reads exactly the text described, as a whole
    guessed: bool = False  # a field found by the edges beside or below its label (or a line
    # under its placeholder), no widget

    def describe(self) -> str:
        return f"{self.kind} {self.text!r} at ({self.point[0]:.0f}, {self.point[1]:.0f})"


LIGHTER = 40  # grey levels a hint's ink is at least lighter than its label's


def label_reach(mark: Box, unit: float) -> float:
    """How far right of a checkbox, radio button or switch (`mark`) its label may start, text
    `unit` px high: a switch's label, when on its right, is as close as a checkbox's (text
    further off is the next column's: a settings grid's, whose own switch ends its row)."""
    width, height = mark[2] - mark[0], mark[3] - mark[1]
    return max((1.0 if width >= 1.6 * height else 2.5) * height, 1.5 * unit)


def centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def overlaps(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether two boxes (left, top, right, bottom) share some area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(point: tuple[float, float], box: Box, slack: float = 0.0) -> bool:
    return (box[0] - slack <= point[0] <= box[2] + slack
            and box[1] - slack <= point[1] <= box[3] + slack)


def holds(outer: Sequence[float], inner: Sequence[float]) -> bool:
    """Whether box `outer` holds box `inner` whole."""
    return (outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2]
            and inner[3] <= outer[3])


def gap(a: Box, b: Box) -> float:
    dx = max(0.0, b[0] - a[2], a[0] - b[2])
    dy = max(0.0, b[1] - a[3], a[1] - b[3])
    return math.hypot(dx, dy)


def text_inside(widget: WidgetLike) -> bool:
    """Whether the widget's words stand inside it (a button's, a placeholder, a value typed),
    not beside or over it (a label)."""
    return widget.text_box is not None and inside(centre(widget.text_box), widget.box)


def field_inside(box: Box) -> tuple[float, float]:
    """Inside a field: its middle row, a little in from its left edge (a long field's centre
    is still inside, but text typed lands the same either way)."""
    x, y = centre(box)
    return min(x, box[0] + max(12.0, (box[3] - box[1]))), y


def plausible_field(box: Box) -> bool:
    """A text field is wide: a small square "field" is a letter or a mark taken for one."""
    return box[2] - box[0] >= 1.5 * (box[3] - box[1])


def rescored(candidate: Candidate, factor: float) -> Candidate:
    return replace(candidate, score=candidate.score * factor)
