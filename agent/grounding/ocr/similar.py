"""How alike a text read on the screen and a text described are: the same, a misreading of
it (OCR's look-alike letters), near (difflib's ratio), or another text however alike its
letters ("Saved" is not "Save", "Studio 1" not "Studio 3", "Volunteer" not "filter")."""

from __future__ import annotations

import difflib
import re

from agent.grounding.ocr.textforms import closed_up, spelt_out

__all__ = ["MIN_SIMILARITY", "MISREAD", "similarity"]

MIN_SIMILARITY = 0.8  # below this a run of words is not the text described ("form" vs "from")
MISREAD = 0.9  # the text with OCR's look-alike letters: a near match, not an exact one
OTHER_WORD = 0.6  # a word of four letters or more less alike than this to the one said is
# another word, not a misreading of it
_LOOKALIKE = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "!": "l", "5": "s",
                            "8": "b", "$": "s", "—": "-", "–": "-", "×": "x", "✕": "x",
                            "✖": "x", "−": "-"})


def similarity(text: str, query: str) -> float:
    """1.0 for the same (normalised) text, MISREAD for the same up to look-alike letters,
    else difflib's ratio; another form of a word ("Saved" for "Save"), another number
    ("Studio 1" for "Studio 3") or another word in a word's place ("Volunteer" for "filter")
    is 0."""
    if text == query:
        return 1.0
    text, query = closed_up(text), closed_up(query)
    if text.replace(" ", "") == query.replace(" ", ""):  # (a space read or not: "ona date")
        return 1.0
    if spelt_out(text) == query:  # "Thu 13 Jun" for "Thursday 13 June": near, not the text
        return MISREAD
    if _other_form(text, query):
        return 0.0
    if _strokes(query) and _strokes(text):  # "II" read "ll" may be "III" less a stroke
        return 0.0
    if text.translate(_LOOKALIKE) == query.translate(_LOOKALIKE):
        return MISREAD
    if _other_number(text, query) or _other_letter(text, query) or _other_word(text, query):
        return 0.0
    matcher = difflib.SequenceMatcher(None, text, query, autojunk=False)
    if matcher.real_quick_ratio() < MIN_SIMILARITY * 0.9:
        return 0.0
    return min(matcher.ratio(), MISREAD - 0.01)


def _other_form(text: str, query: str) -> bool:
    """Another word that merely starts the same: "Saved" is not "Save", "Cancelled" not "Cancel"
    (a button and the state it leads to), nor "Semi-private" "Private". OCR misreads letters
    and may read a border as a trailing l, I, i or j, but it adds no real endings or parts."""
    text_words, query_words = _worded(text), _worded(query)  # ("buildings ·" read "-")
    return len(text_words) == len(query_words) and any(
        _ending(a, b).strip("lIij|") or (a != b and (b in a.split("-") or a in b.split("-")))
        for a, b in zip(text_words, query_words, strict=True))


def _worded(text: str) -> list[str]:
    """The words of `text` without the signs at their ends, and none that is only a sign (a
    separator read as a dash: "buildings -", or "buildings-" once closed up)."""
    stripped = (re.sub(r"^[\W_]+|[\W_]+$", "", word) for word in text.split())
    return [word for word in stripped if word]


def _strokes(text: str) -> bool:
    """Whether `text` is two or more upright strokes (a Roman numeral "II", "III"), which OCR
    reads as I, l, 1 or | and may drop or add one of: only the very text is a match."""
    return len(text) >= 2 and set(text.translate(_LOOKALIKE)) == {"l"}


def _other_number(text: str, query: str) -> bool:
    """The text described holds a number the text read does not: a number names one of a
    series ("Studio 3" is neither "Studio 1" nor "Studio")."""
    wanted = re.sub(r"\D", "", query)  # its digits: "1 1/2" may be read "11/2", "1,299" "1299"
    return bool(wanted) and re.sub(r"\D", "", text) != wanted


def _other_letter(text: str, query: str) -> bool:
    """Another letter of a series: "Menu A" is not "Menu B", nor "Zone C" "Zone D"."""
    pairs = zip(text.split(), query.split(), strict=False)
    return len(text.split()) == len(query.split()) and any(
        len(a) == len(b) == 1 and a.isalpha() and b.isalpha() and a != b for a, b in pairs)


def _other_word(text: str, query: str) -> bool:
    """A word said, four letters or more, stands where the text read has another as long
    that shares few of its letters: "Community Volunteer" is not "Community filter". (Words
    are paired where the rest agrees: "agree to the …" read without its "I" pairs none.)"""
    read, said = _worded(text), _worded(query)
    if len(read) != len(said):
        return False
    blocks = difflib.SequenceMatcher(None, read, said, autojunk=False).get_opcodes()
    return any(tag == "replace" and i2 - i1 == j2 - j1 and any(
        min(len(a), len(b)) >= 4 and difflib.SequenceMatcher(None, a, b).ratio() < OTHER_WORD
        for a, b in zip(read[i1:i2], said[j1:j2], strict=True))
        for tag, i1, i2, j1, j2 in blocks)


def _ending(a: str, b: str) -> str:
    """What the longer word adds to the shorter when it starts with it ('' otherwise)."""
    short, long = sorted((a, b), key=len)
    ending = long[len(short):]
    return ending if long.startswith(short) and ending.isalpha() else ""
