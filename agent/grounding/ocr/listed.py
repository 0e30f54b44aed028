"""Whether a text is an item of an open list: a drop-down's, hanging from its field, or another
list's (a table's column), from how the words at its left edge stack up."""

from __future__ import annotations

from collections.abc import Sequence

from agent.grounding.ocr.candidate import WidgetLike, centre, holds, inside
from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.textmatch import Run

__all__ = ["DROPPED", "LISTED", "listed", "stacked"]

LISTED = 0.8  # an item of a list hanging from no field (a table's column): less surely an
# option than an open drop-down's, which covers the page (a table's "25 mm" came within 0.09)
DROPPED = 1.0  # an item of a list that hangs from a field: an open drop-down's


MENU_ITEMS = 3  # lines at least in a menu down the screen's side
MENU_STEP = 3.5  # text heights at most from one of its items to the next


def stacked(box: Box, words: Sequence[OcrWord]) -> bool:
    """Whether the text at `box` is an item of a menu: a column of at least MENU_ITEMS short
    lines starting at its left edge, each close under the one before (a sidebar's links; not
    a label wrapped once)."""
    height = max(box[3] - box[1], 1.0)
    starts = sorted({round(centre(w.box)[1]) for w in words
                     if abs(w.box[0] - box[0]) <= 0.5 * height})
    middle = centre(box)[1]
    column = [y for y in starts if abs(y - middle) <= 0.5 * height]
    for step in (-1, 1):  # up the column, then down it
        here = middle
        while (near := [y for y in starts if 0.5 * height < step * (y - here)
                        <= MENU_STEP * height]):
            here = min(near, key=lambda y: abs(y - here))
            column.append(here)
    return len(column) >= MENU_ITEMS


def listed(run: Run, words: Sequence[OcrWord], widgets: Sequence[WidgetLike],
           appeared: Sequence[Box] = ()) -> float:
    """How surely the text is an item of an open drop-down: DROPPED when its list hangs just
    under a field (the drop-down's box) or `appeared` (boxes round what changed since the
    screenshot before) hold its list; LISTED for another list (a table's column) when the text
    is all its line says (not "Twins" starting a paragraph's line); else 0."""
    height = max(run.box[3] - run.box[1], 1.0)
    own = [w for w in words if inside(centre(w.box), run.box)]
    new = bool(own) and all(_changed(w, appeared) for w in own)
    if not new and any(w.kind == "field" and inside(run.centre, w.box)
                       and w.box[3] - w.box[1] <= 3 * height for w in widgets):
        return 0.0  # a closed drop-down's value (a row's "Jack" under an open list's "Jack"),
        # not an item of a list just opened over another row's drop-down
    # (an item highlighted white on blue may be read only from its band's own crop: a
    # button's words)
    known = {id(w) for w in words}
    read = [*words, *(x for w in widgets if w.kind == "button" for x in w.words
                      if id(x) not in known)]
    stack = [w for w in read if abs(w.box[0] - run.box[0]) <= 0.3 * height
             and not inside(centre(w.box), run.box)]
    middles = [centre(w.box)[1] for w in stack]
    # Two more lines within reach: the list's last item has both above it, its lines spaced
    # 2.4 heights of a word in capitals ("B3" under "B2" under "A4" in Chromium's list)
    reach = [w for w in stack if abs(centre(w.box)[1] - run.centre[1]) <= 5.5 * height]
    if len({round(centre(w.box)[1] / height) for w in reach}) < 2:
        return 0.0
    # (a list hangs at its field's left edge: a table's header band taken for a field is
    # no drop-down of the column's cells under its middle)
    fields = [w.box for w in widgets if w.kind == "field"
              and w.box[0] - 1.5 * height <= run.box[0] <= w.box[0] + 3 * height]
    # Unchanged under items that appeared: a closed drop-down's value just under a list opened
    # over the row above (no field found round it), aligned with the list's items
    under = not new and any(_changed(w, appeared) for w in stack
                            if centre(w.box)[1] < run.centre[1])
    item = run.centre[1]  # climb the items stacked at the text's left edge to a field's foot
    while True:
        if any(item - 3 * height <= box[3] <= item for box in fields):
            return LISTED if under else DROPPED
        above = [y for y in middles if item - 3 * height <= y < item - 0.5 * height]
        if not above:
            if not run.whole:
                return 0.0
            # No field found over it (an open drop-down's own box joins its list's border):
            # a list that appeared with the screen's last change was opened by the step before
            lines = {round(centre(w.box)[1] / height) for w in reach if _changed(w, appeared)}
            return DROPPED if new and len(lines) >= 2 else LISTED
        item = min(above)


def _changed(word: OcrWord, appeared: Sequence[Box]) -> bool:
    """Whether the word lies inside what changed since the screenshot before."""
    return any(holds(region, word.box) for region in appeared)
