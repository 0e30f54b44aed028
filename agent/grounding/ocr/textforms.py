"""How pages and OCR dress a phrase's words beyond the text itself: a checkbox's mark read as a
letter at either end, a sign beside a button's words, a hint in brackets after a label, and
days and months shortened ("Thu 13 Jun"). textmatch.py reads phrases through these."""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.grounding.ocr.engines import OcrWord

__all__ = ["GLYPHS", "MARKS", "SHORT_NAMES", "SIGNS", "UNSURE", "closed_up", "dated", "glyph_ends",
           "hint_start", "spelt_out", "unmarked", "without_hint"]

GLYPHS = frozenset([  # a checkbox or radio button read as a letter or sign
    "o", "0", "©", "®", "°", "@", "*", "•", "·", "[", "]", "|", "(", ")", "x", "v", "✓", "✔", "☐",
    "☑", "◯", "○", "●", ">", "<", "»",
])


MARKS = GLYPHS - {"0", "x", "v", "*", "(", ")"}  # inside a line too ("Page 1 of 10": no)


SIGNS = frozenset(["+", "›", "‹", "→", "←", "«"])  # drawn beside a text button's words ("+ Add")


# A square mark read as a stroke, and unsure: tesseract 5.5 reads Tk's checkbox as "I" (45%).
UNSURE_GLYPHS = frozenset(["i", "l", "1"])
UNSURE = 60


def glyph_ends(norms: Sequence[str], confidences: Sequence[float]) -> tuple[int, int]:
    """The phrase without a checkbox's or radio button's mark read as a letter at either end
    ("O Newsletter"), or a sign drawn beside a button's words ("+ Add line"): (first, end)
    indices of its words."""
    def mark(index: int) -> bool:
        return norms[index] in GLYPHS or norms[index] in SIGNS or (
            norms[index] in UNSURE_GLYPHS and confidences[index] < UNSURE)

    first, last = 0, len(norms)
    if last - first > 1 and mark(first):
        first += 1
    if last - first > 1 and mark(last - 1):
        last -= 1
    return first, last


def unmarked(text: str) -> str:
    """A normalised phrase without a mark read as a letter at either end ("o hand delivered")."""
    words = text.split()
    first, last = glyph_ends(words, [100.0] * len(words))
    return " ".join(words[first:last])


_HINT = re.compile(r"\s*\([^()]*\)\s*$")  # "Moving to (postcode)": a label's hint in brackets


def without_hint(text: str) -> str:
    """A label's text without its hint in brackets at the end ("Moving to (postcode)")."""
    return _HINT.sub("", text)


def hint_start(phrase: Sequence[OcrWord], first: int, last: int) -> int:
    """Where a label's hint in brackets at its end starts ("Moving to (postcode)", "Amount
    (£)"): the label is whole without it. `last` when there is none."""
    if last - first < 2 or not phrase[last - 1].text.endswith(")"):
        return last
    for index in range(last - 1, first, -1):
        if phrase[index].text.startswith("("):
            return index
    return last


# Days and months as pages shorten them (a timetable's "Thu 13 Jun"), by their full names
SHORT_NAMES = {short: name for name, shorts in {
    "monday": "mon", "tuesday": "tue tues", "wednesday": "wed weds", "thursday": "thu thur thurs",
    "friday": "fri", "saturday": "sat", "sunday": "sun", "january": "jan", "february": "feb",
    "march": "mar", "april": "apr", "june": "jun", "july": "jul", "august": "aug",
    "september": "sep sept", "october": "oct", "november": "nov", "december": "dec",
}.items() for short in shorts.split()}


def spelt_out(text: str) -> str:
    """The text with its days' and months' short names spelt out (the screen's side only: a
    description's "Sun" is a word, not Sunday)."""
    return " ".join(SHORT_NAMES.get(word.rstrip("."), word) for word in text.split(" "))


def dated(word: str) -> bool:
    """Whether a word is a date's or a time's: a number, a day's or a month's name."""
    return any(c.isdigit() for c in word) or word in SHORT_NAMES or \
        word in SHORT_NAMES.values() or word == "may"


_DASHED = re.compile(r"\s*([-/])\s*")  # a dash or slash with spaces around it, or none


def closed_up(text: str) -> str:
    """The text with no spaces around its dashes and slashes: "8am - 10am" as "8am-10am"."""
    return _DASHED.sub(r"\1", text)
