"""How far a box stands from an anchor in a described relation ("below X", "next to X", "in
the X column"), in pixels; None when it is not in that relation at all (narrow.py ranks by
it)."""

from __future__ import annotations

import math

from agent.grounding.ocr.candidate import centre
from agent.grounding.ocr.engines import Box

__all__ = ["REACH", "how_far"]


SECTION = 4.5  # text heights below its heading a section's widget may start (Min, then Max)
REACH = {"below": 8.0, "above": 8.0, "right": 40.0, "left": 40.0, "next": 40.0, "under": 6.0}
"""How far (in the anchor's text heights) an element may be and still be "below X" etc.: an
element farther off is not in the relation (the one meant may be one the finder missed)."""


def how_far(relation: str, anchor: Box, box: Box, height: float, card: Box | None = None,
            *, reach: bool = True, widget: bool = True) -> float | None:
    """How far `box` is from `anchor` in the relation (px), or None when it is not in it."""
    if relation == "for":  # its card's (cards side by side share a row); else its row's, or
        # what starts under its title, a few lines down
        if card is not None:
            x, y = centre(box)
            inside = card[0] <= x <= card[2] and card[1] <= y <= card[3]
            if inside and _row(anchor, box, height):  # its row's, not the next line's
                return 0.0  # (a checkbox beside the label named, not the one under it)
            return abs(box[1] - anchor[3]) + 2 * height if inside else None
        if _measured("row", anchor, box, height) is not None:
            return 0.0
        under = anchor[0] - height <= box[0] <= anchor[2] and \
            0 <= box[1] - anchor[3] <= 6 * height
        return box[1] - anchor[3] + 2 * height if under else None
    if relation == "below" and card is not None:  # on the card under its title
        x, y = centre(box)
        inside = card[0] <= x <= card[2] and anchor[3] - 0.25 * height < y <= card[3]
        return box[1] - anchor[3] + 0.3 * abs(box[0] - anchor[0]) if inside else None
    if relation == "column" and card is not None:  # a board's column: its panel
        x, y = centre(box)
        return 0.0 if card[0] <= x <= card[2] and anchor[3] < y <= card[3] else None
    if relation == "row" and card is not None:  # a card's row, not the next card's beside it
        x, y = centre(box)
        if not (card[0] <= x <= card[2] and card[1] <= y <= card[3]):
            return None
    distance = _measured(relation, anchor, box, height, widget)
    if distance is None:
        return None
    limit = REACH.get(relation, math.inf) if reach else math.inf
    if relation in ("below", "above") and box[0] <= centre(anchor)[0] <= box[2]:
        limit *= 2  # in the anchor's column: a card's button under its heading and price
    elif relation in ("next", "right", "left") and _row(anchor, box, height):
        return distance  # on the anchor's row: a table row's button at its far end, however
        # wide the row (the nearest on it still wins)
    return None if distance > limit * height else distance


def _row(anchor: Box, box: Box, height: float) -> bool:
    """Whether `box` is on the anchor's line: their middles within half a text height."""
    return abs(centre(anchor)[1] - centre(box)[1]) <= 0.5 * max(height, box[3] - box[1])


def _measured(relation: str, anchor: Box, box: Box, height: float, widget: bool = True
              ) -> float | None:
    ay = centre(anchor)[1]
    x, y = centre(box)
    same_row = box[1] - height * 0.5 <= ay <= box[3] + height * 0.5 or \
        anchor[1] - height * 0.5 <= y <= anchor[3] + height * 0.5
    columns = box[0] < anchor[2] + 3 * height and anchor[0] - 3 * height < box[2]
    if relation == "row":
        return 0.0 if same_row else None
    if relation == "column":  # every element under the heading, in its column, alike
        return 0.0 if y > anchor[3] and columns else None
    if relation == "under":  # a heading's section: just below it, from its left edge on
        within = 0 <= box[1] - anchor[3] <= SECTION * height and box[0] >= anchor[0] - height
        return box[1] - anchor[3] + 0.1 * abs(box[0] - anchor[0]) if within else None
    if relation == "below":
        below = y > anchor[3] - 0.25 * height  # not on the anchor's own line
        gap = box[1] - anchor[3]
        if widget and below and gap <= height and box[0] >= anchor[0] - height:  # a widget
            # on the very next line, however far along it ("10:00 Fight call" over
            # "Sebastian, … Main stage Cancel"; not words, a tile's file name beyond)
            return gap + 0.1 * abs(box[0] - anchor[0])
        return gap + 0.3 * abs(box[0] - anchor[0]) if below and columns else None
    if relation == "above":
        above = y < anchor[1] + 0.25 * height
        return anchor[1] - box[3] + 0.3 * abs(box[0] - anchor[0]) if above and columns \
            else None
    if relation == "right":
        return box[0] - anchor[2] if same_row and x > anchor[2] else None
    if relation == "left":
        return anchor[0] - box[2] if same_row and x < anchor[0] else None
    gap_x = max(0.0, box[0] - anchor[2], anchor[0] - box[2])
    gap_y = max(0.0, box[1] - anchor[3], anchor[1] - box[3])
    if not same_row and math.hypot(gap_x, gap_y) > 3 * height:
        return None  # "next to" another row: only just above or below
    return math.hypot(gap_x, gap_y) + (0.0 if same_row else 2 * height)
