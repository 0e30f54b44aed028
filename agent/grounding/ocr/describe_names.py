"""Words and names in a description, as the `ocr` grounder reads them (describe.py): its
tokens as the screen keeps them, its quoted texts set aside, its kind's phrase, and the names of
the rows, columns, cards and items it is about."""

from __future__ import annotations

import re

from agent.grounding.ocr.describe_patterns import (
    COLUMN_OF_ROW,
    MARK,
    NAMED_ITEM,
    NUMBERED,
    QUOTED,
    SWALLOWED,
    unquoted,
)
from agent.grounding.ocr.describe_words import ARTICLES, FRAMES, KINDS, SYMBOLS, TEXT

__all__ = ["column_first", "kind_of", "marked_quotes", "name_in", "named_item", "titled",
           "tokenised"]


def marked_quotes(description: str) -> tuple[str, list[str]]:
    """The description with each quoted text replaced by MARK, and the quoted texts."""
    quotes = [next(g for g in m.groups() if g is not None) for m in QUOTED.finditer(description)]
    return QUOTED.sub(lambda _m: f" {MARK} ", description), quotes


def tokenised(part: str) -> list[str]:
    # A dot, slash or at sign inside a word is the word's ("brightfern.io", "ann@lee.dev",
    # "4.9.86", "l/ha", "1/2": the screen's text keeps them), and a colon between digits (a
    # time: "15:30") or a comma (a thousands' separator: "1,204.60"), a hyphen between digits
    # (a range: "10:00-13:00"); an ampersand, a plus or a slash alone is a word of a name
    # ("Hollis & Daughters", "Hours / week")
    return re.findall(rf"{MARK}|[\w'’-]+(?:[./@][\w'’-]+|(?<=\d)[:,]\d+|(?<=\d)-\d[\w'’]*)*"
                      rf"|[{SYMBOLS}&+]|(?<=\s)/(?=\s)", part)


def kind_of(lower: list[str]) -> tuple[frozenset[str], str, int, int]:
    """The last kind phrase (the noun: "the Search box button" is a button): kinds, phrase,
    index, length; index -1 when none."""
    for i in range(len(lower) - 1, -1, -1):
        for length in (2, 1):
            phrase = " ".join(lower[i:i + length])
            if len(lower[i:i + length]) == length and phrase in KINDS:
                if length == 1 and i > 0 and " ".join(lower[i - 1:i + 1]) in KINDS:
                    phrase, i, length = " ".join(lower[i - 1:i + 1]), i - 1, 2
                return KINDS[phrase], phrase, i, length
    return frozenset(), "", -1, 0


def column_first(marked: str, quotes: list[str]) -> tuple[str, list[str]]:
    """"… in the "4" column of the Communication row" said as "… under 4 in the
    Communication row" (a quoted heading unquoted: the cell's own words)."""
    cell = COLUMN_OF_ROW.search(marked)
    if cell is None:
        return marked, quotes
    column, quotes = unquoted(cell["column"], marked[:cell.start("column")].count(MARK), quotes)
    said = f"under {column} in the {cell['row']} row"
    return marked[:cell.start()] + said + marked[cell.end():], quotes


def name_in(pattern: re.Pattern[str], marked: str, name: int | str) -> re.Match[str] | None:
    """The first match of `pattern` whose `name` group holds no part of the target's own words:
    "the Check in button in the Priya Nair row" names the row "Priya Nair", not "button in
    the Priya Nair"."""
    start = 0
    while (found := pattern.search(marked, start)) is not None:
        if SWALLOWED.search(found[name]) is None:
            return found
        start = found.start() + 1
    return None


def titled(part: str) -> bool:
    """Whether the part is a title starting with a kind's word, capitalised ("under Link a
    physical card", "below Button styles"): words to find, no link or button."""
    words = [t for t in tokenised(part) if t.lower() not in ARTICLES]
    return len(words) > 1 and words[0][:1].isupper() and words[0].lower() in KINDS and \
        words[1].lower() not in KINDS and not words[1][:1].isupper()


def named_item(marked: str) -> re.Match[str] | None:
    found = NAMED_ITEM.search(marked)
    # (no frame, no kind: "the second of the Delete buttons" names the buttons, no item; but
    # "the Archive button on the Nurse Kate message": a widget's kind said, a message is one)
    if found is not None and KINDS.get(found["noun"]) == frozenset({TEXT}) and \
            kind_of(marked[:found.start()].lower().split())[0] - {TEXT}:
        return found
    if found is None or {found["noun"], found["noun"].removesuffix("s")} & (FRAMES | KINDS.keys()):
        return NUMBERED.search(marked)
    return found
