"""Whether an ordinal's count can be trusted: "the third View details link" counts the links
found, and one OCR misread ("View det:", "Recei" at 40%) shifts the count to the next one.
A word that may begin their text, in their column before the one chosen and counted
nowhere, is a place the count may have missed."""

from __future__ import annotations

from collections.abc import Sequence

from agent.grounding.ocr.candidate import Candidate, centre, overlaps
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.textmatch import norm

__all__ = ["uncounted"]


def uncounted(best: Candidate, ranked: Sequence[Candidate], words: Sequence[OcrWord]
              ) -> list[OcrWord]:
    """The words that may begin the text of `best` (chosen by an ordinal among the
    places reading its text), standing before it in their column but counted nowhere: none
    when the count is sure."""
    height = max(best.box[3] - best.box[1], 8.0)
    counted = [c.box for c in ranked if norm(c.text) == norm(best.text)]  # (a missed link's
    # words count with the links found)
    return [w for w in words
            if centre(w.box)[1] < centre(best.box)[1] - 0.5 * height
            and any(abs(w.box[0] - box[0]) <= 0.5 * height for box in counted)
            and not any(overlaps(w.box, box) for box in counted)
            and norm(w.text) != norm(best.text) and _begins(w.text, best.text)]


def _begins(read: str, text: str) -> bool:
    """Whether a word read may begin the text, misread after (not a column's heading over
    it: "Actions" over "Remove"; a word reading it whole is no misreading: "Book" of a "Book a
    room" link in the header, over a card's Book button)."""
    start = "".join(c for c in norm(read) if c.isalnum())[:3]
    return len(start) == 3 and norm(text).startswith(start)
