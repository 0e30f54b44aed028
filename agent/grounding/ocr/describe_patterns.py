"""The phrases a description's relations, rows, columns, cards and quotes are found by
(describe.py reads a description with them)."""

from __future__ import annotations

import re
from typing import Literal

from agent.grounding.ocr.describe_words import FILLER, KINDS, ORDINALS

__all__ = [
    "COLUMN_OF_ROW",
    "DESCRIPTORS",
    "FOR_NAME",
    "INSIDE",
    "IN_ITEM",
    "KNOWN_BY",
    "MARK",
    "NAMED_CARD",
    "NAMED_COLUMN",
    "NAMED_ITEM",
    "NAMED_ROW",
    "NTH_ITEM",
    "NUMBERED",
    "OF_NAME",
    "ON_OFF",
    "POSSESSED",
    "QUOTED",
    "RELATION",
    "RELATIONS",
    "ROW_UNDER",
    "SIDE_MENU",
    "SWALLOWED",
    "UNDER_IN_ROW",
    "UNREAD_FOR",
    "Relation",
    "on_day",
    "unquoted",
]

# "under": in the section a heading opens (no description says it: the fallback for "the Max
# price field", a field's own words under a heading's)
# "for": "the Delete button for Bob", its row, or in a card under Bob
# "column": in the column a heading heads ("the Add card button in the To do column")
Relation = Literal["below", "above", "right", "left", "next", "row", "under", "for", "column"]
RELATIONS: list[tuple[str, Relation]] = [
    (r"(?:directly |just |right |immediately )?(?:below|under|underneath|beneath)", "below"),
    (r"(?:directly |just |right |immediately )?above", "above"),
    (r"(?:to the |on the )?right of", "right"), (r"(?:to the |on the )?left of", "left"),
    (r"next to|beside|alongside|near|nearest to|closest to", "next"),
    (r"(?:in|on|from) (?:the )?(?:same )?(?:table )?row (?:with|of|for|as|containing|that "
     r"(?:says|contains|has)|where|which (?:says|contains|has))", "row"),
]
RELATION = re.compile(r"\b(?:" + "|".join(f"(?P<r{i}>{p})" for i, (p, _r) in
                                          enumerate(RELATIONS)) + r")\b")
# A word of a row's name, signs and all: "budget.xlsx", "/blog/launch-week", "(L)", "&", "+",
# "£1,204.60", "50%", "A/B", "Anne's" (but "Bob's row" is Bob's), "tape," ("in the Packing
# tape, brown row"): a sign the pattern did not know dropped the row, and the button answered
# was another row's
ROW_WORD = r"(?:(?:[^\s'’]|['’](?!s\s+row\b))+)"
NAMED_ROW = re.compile(
    r"\b(in|on|from)\s+(?:the\s+)?(?!(?:the|a|an|same|last|first|second|third|next|top|bottom|"
    r"this|that|selected|current|highlighted)\s)(" + ROW_WORD + r"(?:\s+" + ROW_WORD
    + r"){0,4}?)(?:'s|’s)?\s+row\b", re.IGNORECASE)
# "in the To do column", "in the Admin column": under the column's heading, however far
NAMED_COLUMN = re.compile(
    r"\b(?:in|on|from|within)\s+(?:the\s+)?(?!(?:the|same|this|that|first|second|last|next|left|"
    r"right|selected|current)\b)(?P<name>\S+(?:\s+\S+){0,4}?)(?:'s|’s)?\s+column\b",
    re.IGNORECASE)
# "on the Early bird card", "in the Dark Reader tile": in the card its title names
NAMED_CARD = re.compile(
    r"\b(?:on|in|inside|within|from|of)\s+(?:the\s+)?(?!(?:same|this|that|first|second|last|"
    r"next|top|bottom|selected|current)\b)(?P<name>\S+(?:\s+\S+){0,5}?)(?:'s|’s)?\s+"
    r"(?P<noun>card|tile|panel|listing)\b(?!\s+(?:dialog|window|modal|popup|pop-up|form|page)\b)",
    re.IGNORECASE)  # (not "in the Replace key card dialog": a dialog's title)
# A name that ran on over the target's kind or into its own "in the": it began too early
SWALLOWED = re.compile(r"\b(?:in|on|from|within|inside)\s+the\b|\b(?:"
                        + "|".join(re.escape(k) for k in KINDS) + r")\s+(?:in|on|from)\b",
                        re.IGNORECASE)
# "under the comment by Maria Lopez": the comment is known by the name it shows
KNOWN_BY = re.compile(
    r"\b(below|under|underneath|beneath|above|on|in|for|to|beside|near)\s+(?:the\s+)?"
    r"(?:comment|message|post|review|reply|email|answer|question|entry|item|episode|order|"
    r"ticket|file|task|event|product|card)\s+(?:by|from|called|named|titled)\s+",
    re.IGNORECASE)
# "the 10:30 slot on Thursday 13 March": a slot under its day's heading (a day, a date, to
# the end: "on the Friday row" is a row)
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = rf"(?:{_DAY}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?)"
ON_DAY = re.compile(rf"\bon\s+(?:the\s+)?(?={_DATE}(?:[\s,]+(?:\d{{1,4}}(?:st|nd|rd|th)?|"
                    rf"{_MONTH}))*\W*$)", re.IGNORECASE)


def on_day(marked: str) -> str:
    """"the 10:30 slot on Thursday 13 March" said as "… under Thursday 13 March"; not "click
    on Monday", where the day is the target."""
    found = ON_DAY.search(marked)
    if found is None or all(w.lower() in FILLER for w in marked[:found.start()].split()):
        return marked
    return f"{marked[:found.start()]}under {marked[found.end():]}"
# "next to Priya's review": the review shows the name (a capitalised one), not those words
POSSESSOR = (r"((?:\x00|[A-Z][\w.-]*)(?:\s+[A-Z][\w.-]*){0,3})(?:'s|’s)\s+(?:comment|message|"
              r"post|review|reply|email|answer|question|entry|item|order|ticket|file|task|"
              r"event|notification|listing|profile|request|booking|application)\b")
# (not before a kind's word: "the Recipient's email field" is the field so labelled)
POSSESSED = re.compile(r"\b" + POSSESSOR + r"(?!\s+(?i:"
                       + "|".join(re.escape(k) for k in KINDS) + r")\b)")
# "in Maria Lopez's comment": what is in the item its name shows, as "for Maria Lopez" is
IN_ITEM = re.compile(r"\b(?:in|on|inside|within|from)\s+(?:the\s+)?(?=" + POSSESSOR + ")")
INSIDE = frozenset({"in", "on", "inside", "within", "from"})
# "on the Comfort ride", "of the UX Design cohort": a titled item, when the noun is no part of
# the screen's frame ("in the Settings dialog" names no item)
NAMED_ITEM = re.compile(
    r"\b(?:on|in|inside|within|from|of)\s+(?:the\s+)?(?P<name>(?:\x00|[A-Z0-9#])\S*(?:\s+\S+){0,5}?)"
    r"(?:'s|’s)?\s+(?P<noun>[a-z]+)\W*$")
# "the checkbox under Wed 15 Oct in the row with Your name": a cell by its column and row
UNDER_IN_ROW = re.compile(
    r"^(?P<head>.*?)\b(?:under|below|beneath|underneath)\s+(?:the\s+)?(?P<column>\S.*?)\s+"
    r"(?P<row>(?:in|on|from)\s+the\s+row\s+with\s+.+)$", re.IGNORECASE)
# "the Book button in the 11:00 row under Wednesday 15 July", "… in the Wed 15 July column"
ROW_UNDER = re.compile(
    r"^(?P<head>.*?)\s+(?P<row>(?:in|on|from)\s+the\s+row\s+with\s+\S.*?),?\s+"
    r"(?:(?:under|below|beneath|underneath)\s+(?:the\s+)?(?P<column>\S.*?)(?:\s+column)?"
    r"|(?:in|on)\s+the\s+(?P<named>\S.*?)\s+column)$", re.IGNORECASE)
# "in the "4" column of the Communication row": the same cell, said column first
COLUMN_OF_ROW = re.compile(
    r"\b(?:in|on|under)\s+the\s+(?P<column>\S.*?)\s+column\s+(?:of|in|on|for)\s+the\s+"
    r"(?P<row>\S.*?)\s+row\b", re.IGNORECASE)
DESCRIPTORS = ("time slot", "timeslot", "slot")  # "the 15:30 time slot button": "15:30"
ON_OFF = re.compile(r"\bon\s*/\s*off\b|\bon-off\b", re.IGNORECASE)  # a switch's, no text
QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|‘([^’]+)’|«([^»]+)»|`([^`]+)`"
                     r"|(?<![\w'])'([^']+)'(?!\w)")
MARK = "\x00"  # stands for quoted text in the description while it is parsed
# "Check in for Chloe Martin": a label that is a verb of acting and its particle, said alone
PHRASAL = re.compile(r"(?:check|fill)\s+in", re.IGNORECASE)
# "for Bob", "for "Bob"", "for #1044", "for bakery-lee.com", "for ann@lee.dev": a name
FOR_NAME = re.compile(r"\bfor\b(?=\s+(?:the\s+)?(?:[a-z]+\s+(?=\S*\d))?"
                      r"(?:\x00|[A-Z#]|\d+\b|[\w-]+[.@]\w))")
# "the Details link of Research Pod B": a kind's word, then "of" and a name to the end, said as
# "for" (not "Terms of Use", no kind's word; not "of the Settings dialog", a frame)
OF_NAME = re.compile(r"\b(" + "|".join(sorted(map(re.escape, KINDS), key=len, reverse=True))
                     + r")\s+of\s+(?=(?:the\s+)?[A-Z#\d\x00][\w'’.-]*"
                     r"(?:\s+[A-Z\d\x00][\w'’.-]*)*\s*[.!]?\s*$)")
# "the Add bags link for the outbound flight": lowercase words after "for" at the end, no name
UNREAD_FOR = re.compile(r"\bfor\s+(?P<words>[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*)*)\s*[.!]?\s*$")
# "on Desk 3", "in Room 12": an item whose name ends in its number, the noun capitalised
NUMBERED = re.compile(r"\b(?:on|in|at)\s+(?:the\s+)?(?P<name>[A-Z][a-z]+\s+\d+)\W*$")
# "in the sidebar", "in the side menu", "in the menu on the left": an item of a menu down the
# screen's side
SIDE_MENU = re.compile(r"\b(?:side\s?bar|side\s+(?:menu|nav|navigation|panel))\b|"
                       r"\b(?:left|right)(?:-hand)?\s+(?:menu|nav|navigation)\b|"
                       r"\b(?:menu|nav|navigation)\s+(?:on|at|down)\s+the\s+(?:left|right)\b",
                       re.IGNORECASE)
# "the Directions link in the third result": the third of them, each result holding one
NTH_ITEM = re.compile(
    r"\s*\b(?:in|on|of|for|from|under)\s+the\s+(?P<nth>" + "|".join(ORDINALS) + r")\s+"
    r"(?:result|row|card|item|entry|listing|line|booking|order|match|hit|tile|post|message)"
    r"\b", re.IGNORECASE)


def unquoted(part: str, first: int, quotes: list[str]) -> tuple[str, list[str]]:
    """`part` with its quoted texts (the `first`-th on) put back, and the quotes left."""
    count = part.count(MARK)
    for quote in quotes[first:first + count]:
        part = part.replace(MARK, quote, 1)
    return part, quotes[:first] + quotes[first + count:]
