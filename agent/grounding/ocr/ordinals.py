"""Whether an ordinal's count can be trusted: "the third View details link" counts the links
found, and one OCR misread ("View det:") shifts the count to the next one. Where the links
stand in a column at a regular step, a word that may begin their text at the step before
the first (or in a gap of two steps), not counted, is a place the count may have missed."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from itertools import pairwise

from agent.grounding.ocr.candidate import Candidate, centre
from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.textmatch import norm

__all__ = ["uncounted"]


def uncounted(best: Candidate, ranked: Sequence[Candidate], words: Sequence[OcrWord]
              ) -> list[Box]:
    """The boxes of words standing where a column of places like `best` (its kind and text)
    has a slot counted nowhere, before `best`: none when the count is sure."""
    height = max(best.box[3] - best.box[1], 8.0)
    column = sorted({centre(c.box)[1] for c in ranked if c.kind == best.kind
                     and norm(c.text) == norm(best.text)
                     and abs(c.box[0] - best.box[0]) <= 0.5 * height})
    if len(column) < 2:
        return []
    step = statistics.median(b - a for a, b in pairwise(column))
    if step < 2 * height:
        return []
    slots = [column[0] - step] + [(a + b) / 2 for a, b in pairwise(column)
                                   if abs((b - a) - 2 * step) <= 0.25 * step]
    mine = centre(best.box)[1]
    return [w.box for w in words for slot in slots
            if slot < mine and abs(centre(w.box)[1] - slot) <= 0.5 * height
            and abs(w.box[0] - best.box[0]) <= 0.5 * height and _begins(w.text, best.text)]


def _begins(read: str, text: str) -> bool:
    """Whether a word read may begin the text, misread after (not a column's heading over
    it: "Actions" over "Remove")."""
    start = "".join(c for c in norm(read) if c.isalnum())[:3]
    return len(start) == 3 and norm(text).startswith(start)
