"""Whether an ordinal's count can be trusted: "the third View details link" counts the links
found, and one OCR misread ("View det:", "Recei" at 40%) shifts the count to the next one.
A word that may begin their text, in their column or on their row (a grid of cards, counted
in reading order), before the one chosen and counted nowhere, is a place the count may have
missed; so is ink no word covers where their column's next place would stand (`unread_slot`:
then the screen is read again closer)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PIL import Image

from agent.grounding.ocr.candidate import Candidate, WidgetLike, centre, inside, overlaps
from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.textmatch import norm

__all__ = ["rowless", "uncounted", "unread_slot"]

NEARBY = 12  # text heights across at most between a counted place and its row's own action


def uncounted(best: Candidate, ranked: Sequence[Candidate], words: Sequence[OcrWord]
              ) -> list[OcrWord]:
    """The words that may begin the text of `best` (chosen by an ordinal among the
    places reading its text), standing before it in their column or on their row but
    counted nowhere: none when the count is sure."""
    height = max(best.box[3] - best.box[1], 8.0)
    same = [c for c in ranked if norm(c.text) == norm(best.text)]
    counted = [c.box for c in same]  # (a missed link's words count with the links found)
    steps = [c.box for c in same if c.kind == best.kind]  # (where the places counted stand:
    # not a sentence's "cancel", whose row holds "You can edit")

    def lined_up(box: Box) -> bool:  # in a counted place's column, or on its row
        return any(abs(box[0] - other[0]) <= 0.5 * height
                   or abs(centre(box)[1] - centre(other)[1]) <= 0.5 * height
                   for other in steps)

    def before(box: Box) -> bool:  # in reading order
        dy = centre(box)[1] - centre(best.box)[1]
        return dy < -0.5 * height or (abs(dy) <= 0.5 * height and box[2] <= best.box[0])

    return [w for w in words if before(w.box) and lined_up(w.box)
            and not any(overlaps(w.box, box) for box in counted)
            and norm(w.text) != norm(best.text) and _begins(w.text, best.text)]


def _begins(read: str, text: str) -> bool:
    """Whether a word read may begin the text, misread after ("Recei", "Diss" of Dispute),
    not a column's heading over it ("Actions" over "Remove") nor another word alike in its
    first letters: longer ("booking." by Book, "Rentals" by Renew) or apart after them
    ("results" by Reschedule). A word reading it whole is no misreading: "Book" of a "Book
    a room" link in the header, over a card's Book button."""
    read, text = ("".join(c for c in norm(s) if c.isalnum()) for s in (read, text))
    if len(read) < 3 or not text.startswith(read[:3]) or len(read) > len(text) + 1:
        return False
    return sum(a != b for a, b in zip(read, text, strict=False)) <= max(1, len(read) // 4)


def rowless(best: Candidate, ranked: Sequence[Candidate], widgets: Sequence[WidgetLike],
            backwards: bool = False) -> list[WidgetLike]:
    """For "the Track button in the second order", which counts orders, not Track buttons:
    the widgets alike the ones beside the counted places (an order's Reorder button; a
    button in their column) on a row of the list before `best` that has no such place (an
    order not dispatched, no Track button): none when every row before it is counted.
    `backwards` ("the Decline button in the last row", counted from the end): the rows
    after it."""
    sign = -1.0 if backwards else 1.0

    def down(box: Box) -> float:  # how far down the list, in the order counted
        return sign * centre(box)[1]

    height = max(best.box[3] - best.box[1], 8.0)
    rows = sorted(down(c.box) for c in ranked if norm(c.text) == norm(best.text)
                  and c.kind == best.kind and down(c.box) <= down(best.box) + 1)
    if not rows:
        return []

    def counted_row(box: Box) -> bool:
        return any(abs(down(box) - y) <= 0.5 * height for y in rows)

    beside = [w for w in widgets
              if counted_row(w.box) and not overlaps(w.box, best.box) and w.text]

    def alike(w: WidgetLike) -> bool:  # its words, or its kind in their column close by the
        # counted places: each row's own action ("Write estimate" where the rows below say
        # "Mark ready", "Notify"), not a sidebar's checkbox level with the rows
        return any(o.kind == w.kind and (norm(o.text) == norm(w.text) or (
            abs(o.box[0] - w.box[0]) <= 0.5 * height
            and abs(centre(o.box)[0] - centre(best.box)[0]) <= NEARBY * height))
            for o in beside)

    pitch = min((b - a for a, b in pairwise(rows) if b - a > height),
                default=4 * height)
    return [w for w in widgets if w.text and alike(w) and not counted_row(w.box)
            and rows[0] - 1.5 * pitch <= down(w.box) < down(best.box)]


INKED = 0.02  # a share of a slot's pixels this much darker than its ground: written on
DARKER = 60  # grey levels below the ground's


def unread_slot(image: Image.Image, best: Candidate, ranked: Sequence[Candidate],
                words: Sequence[OcrWord]) -> bool:
    """Whether a place like `best` may stand unread where its count ran: its column's places
    stand a pitch apart, and a pitch before the first, or in a gap of two pitches before
    `best`, is ink no word read covers (a row's "View details" link the whole-screen pass
    dropped, letters and underline one blob, so no short run to read again)."""
    height = max(best.box[3] - best.box[1], 8.0)
    column = sorted({c.box for c in ranked if c.kind == best.kind
                     and norm(c.text) == norm(best.text)
                     and c.box[0] < best.box[2] and best.box[0] < c.box[2]}, key=lambda b: b[1])
    steps = [b[1] - a[1] for a, b in pairwise(column) if b[1] - a[1] > height / 2]
    if not steps:
        return False
    pitch = min(steps)
    slots = [_shifted(column[0], -pitch)] + [
        _shifted(a, pitch) for a, b in pairwise(column)
        if b[1] - a[1] >= 1.5 * pitch and b[1] <= best.box[1]]
    return any(slot[1] >= 0 and _inked(image, slot)
               and not any(inside(centre(w.box), slot) for w in words) for slot in slots)


def _shifted(box: Box, dy: float) -> Box:
    return box[0], box[1] + dy, box[2], box[3] + dy


def _inked(image: Image.Image, box: Box) -> bool:
    """Whether something darker than the ground is drawn in `box`."""
    left, top, right, bottom = (round(v) for v in box)
    shades = image.crop((left, top, right, bottom)).convert("L").histogram()
    ground = max(range(256), key=shades.__getitem__)  # the commonest shade
    return sum(shades[:max(0, ground - DARKER)]) >= INKED * max(1, sum(shades))
