"""What people mean by words a screen does not say as such, tried when nothing fits: a
field's own words under a heading ("the Max price field"), a table's cell by its row and column,
a code after a noun ("seat 14C"), a widget's label and a noun for its value ("the To language
drop-down"), an item under its group's heading ("the Recipes notebook"), a booking grid's cell
by its column and a time ("for Court 3 at 18:20")."""

from __future__ import annotations

import re
from dataclasses import replace

from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.candidate import inside
from agent.grounding.ocr.describe import TEXT, Query
from agent.grounding.ocr.rank import Candidate
from agent.grounding.ocr.textforms import unmarked
from agent.grounding.ocr.textmatch import MIN_SIMILARITY, closed_up, norm, runs, similarity

__all__ = [
    "at_time",
    "beside_its_field",
    "by_its_row",
    "coded",
    "described_value",
    "grouped",
    "labelled_by",
    "labels_one",
    "number_box",
    "own_label_said",
    "reads_whole",
    "row_and_column",
    "timed",
    "under_heading",
    "unsaid",
    "without_role",
]


def grouped(query: Query, analysis: Analysis) -> Query | None:
    """"the Recipes notebook", "the Design channel": an item's title and the noun its group's
    heading says ("Notebooks", "CHANNELS"); the title under that heading. None for other
    descriptions, or when no heading says the noun."""
    head, _, noun = query.text.rpartition(" ")
    if query.kinds - {TEXT} or query.quoted or query.relation or not head or len(noun) < 3 \
            or not noun.isalpha():  # (a noun: "the Mill Hill 14:32 row" names no heading)
        return None
    heading = next((run for form in (noun, f"{noun}s") for run in runs(analysis.words, form)
                    if run.whole and run.similarity == 1.0), None)
    if heading is None:
        return None
    return replace(query, text=head, relation="below", anchor=Query(text=norm(heading.text)))


def unsaid(query: Query, analysis: Analysis) -> bool:
    """Whether the description names a field, drop-down, checkbox or radio button by a word
    for it that the screen says nowhere (what it holds: a role, a status). (A button or link
    is named by its own words: one the screen does not say is not there.)"""
    kinds = query.kinds - {TEXT}
    if query.quoted or not query.text or not kinds \
            or not ("field" in kinds or kinds <= {"checkbox", "radio"}) \
            or not all(word.isalpha() and len(word) >= 4 for word in query.text.split()):
        return False  # (a number or a code is a cell's, a heading's: maybe read unsure; so
        # is a short label, "CVC", "PIN": its own words misread, no noun for what it holds)
    return not any(similarity(norm(w.text), query.text) >= MIN_SIMILARITY
                   for w in analysis.widgets or ()) and not runs(analysis.words, query.text)


def labels_one(words: str, kinds: frozenset[str], analysis: Analysis) -> bool:
    """Whether `words` are the label of a widget of one of `kinds` (so no row's words: the
    White radio button's "White" is not the row of the Navy one under "Colour"; a pill's
    mark read as a letter, "O 5-6", is no word of its label)."""
    return any(w.kind in kinds and similarity(unmarked(norm(w.text)), words) >= MIN_SIMILARITY
               for w in analysis.widgets or ())


def row_and_column(query: Query) -> list[tuple[str, str | None]]:
    """(words of the row, its column's heading or None) the description may mean."""
    if query.relation in ("row", "for") and query.anchor is not None and query.text \
            and not query.anchor.kinds:
        return [(query.anchor.text, query.text)]
    words = query.text.split()
    if query.relation or query.quoted or len(words) < 2:
        return []
    splits = [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]
    pairs: list[tuple[str, str | None]] = [p for a, b in splits for p in ((a, b), (b, a))]
    # "10:30 train" (read "10 30 train"): the row with the time, and no column says "train"
    coded = [(a, None) for a, b in splits if " " not in b and len(a.replace(" ", "")) >= 3
             and all(any(c.isdigit() for c in w) for w in a.split())]
    return pairs + coded


def coded(query: Query) -> Query | None:
    """"seat 14C", "room 4B": a noun the screen may not say before a code (a token with a
    digit); the code alone, which only a widget reading exactly it answers. None otherwise."""
    parts = closed_up(query.text).split()  # "the 8am - 10am slot": the code "8am-10am"
    if query.quoted or len(parts) != 2:
        return None
    code = next((p for p in (parts[1], parts[0]) if len(p) >= 2 and any(c.isdigit() for c in p)
                 and any(c.isalpha() for c in p)), None)
    return replace(query, text=code) if code is not None else None


def described_value(query: Query, analysis: Analysis) -> Query | None:
    """"the To language drop-down", "the White colour option": a widget's label and a noun
    for what it holds, which the screen says nowhere but in a field ("Detect language"), or
    as the heading the widget stands under ("Colour"); the label alone, which only a widget
    labelled exactly so answers. ("the Max surface field" is no Max field under no Surface.)
    "the quantity field next to Rye flour", the noun said nowhere: the Rye flour field."""
    words = query.text.split()
    if query.relation in ("next", "right") and query.anchor is not None and \
            unsaid(query, analysis):
        return replace(query, text=query.anchor.text, relation=None, anchor=None)
    if (query.kinds and not query.kinds - {TEXT}) or query.quoted or len(words) < 2:
        return None  # (no kind said, "the Gold package": a widget's, when one reads Gold)
    label = replace(query, text=" ".join(words[:-1]))  # ("the Sage green colour option")
    if query.relation in ("row", "for") or not query.kinds:  # "the start time field in the
        return label  # Saturday row": the row's field saying Start; "the Gold package": Gold
    if query.relation:
        return None
    fields = [w.box for w in analysis.widgets or () if w.kind == "field"]
    if any(run.similarity >= MIN_SIMILARITY and not any(inside(run.centre, f) for f in fields)
           for run in runs(analysis.words, words[-1])):
        return replace(label, relation="under", anchor=Query(text=words[-1]))
    return label


# Nouns for what a widget does or how it looks, said after its words ("the N gauge filter
# button", "the 11:00 slot") and not written on it
ROLE_NOUNS = ("time slot", "timeslot", "slot", "filter", "pill", "chip", "tag", "sort", "category")
ROLE_KINDS = frozenset({"button", "checkbox", "radio"})
# What a time slot is for, said between its time and "slot" (not a day: "the 10:30 Tuesday
# slot" is no 10:30 slot of another day)
SLOTS_FOR = frozenset({"collection", "delivery", "pickup", "appointment", "arrival",
                       "departure", "visit", "viewing", "session", "booking", "class"})


def without_role(query: Query) -> Query | None:
    """"the N gauge filter button", "the 11:00 slot": a widget's words and a noun for its
    role, when the screen says them nowhere together; the words alone, which only a widget
    reading exactly them answers. None for other descriptions."""
    text, said = query.text, []
    while (noun := next((n for n in ROLE_NOUNS if text.endswith(f" {n}")), None)) is not None:
        text = text.removesuffix(f" {noun}")  # ("the Part-time filter pill")
        said.append(noun)
    head, _, noun = text.rpartition(" ")
    if said and said[0].endswith("slot") and noun in SLOTS_FOR and head[-1:].isdigit():
        text = head  # "the 9:00 – 10:00 collection slot": a time, what it is for, "slot"
    if query.quoted or text == query.text:
        return None
    # (no kind said: a filter, a slot is something to press or choose, not words; the noun
    # names its kind then)
    return replace(query, text=text, kinds=query.kinds or ROLE_KINDS,
                   kind_word=query.kind_word or said[-1])


def beside_its_field(query: Query) -> Query | None:
    """"the Apply button next to Promo code", the words a label over a field and nothing
    beside them: next to the field they label. None for other descriptions."""
    anchor = query.anchor
    if query.relation != "next" or anchor is None or anchor.kinds or not anchor.text:
        return None
    return replace(query, anchor=replace(anchor, kinds=frozenset({"field"}), kind_word="field"))


CLOCK = re.compile(r"\d{1,2}[:.]\d{2}(?:\s?[ap]m)?")


def timed(guess: Query, read: str) -> bool:
    """Whether a widget reading `read` is the slot a time names: "the 11:30 time slot" is
    the button reading "11:30" over its state ("Available"); other words say one widget
    only when it reads exactly them."""
    return CLOCK.fullmatch(guess.text) is not None and norm(read).startswith(f"{guess.text} ")


def by_its_row(query: Query) -> Query | None:
    """"the Thursday 17 Apr 8am – 12pm option": a radio button or checkbox named by the words
    of its row's cells (its label, then a time beside it); the one in the row so worded.
    None for other descriptions."""
    kinds = query.kinds - {TEXT}
    if query.relation or query.quoted or not kinds or not kinds <= {"radio", "checkbox"} or \
            len(query.text.split()) < 2:
        return None
    return replace(query, text="", relation="row", anchor=Query(text=query.text))


def own_label_said(guess: Query, read: str) -> bool:
    """For a mark found by its row's words (`by_its_row`): whether its own label, if it has
    one, shares words with those said ("Thursday 17 Apr" of "the Thursday 17 Apr 8am – 12pm
    option", "5GB" of "the 5 GB quota option"). The radio button labelled "President" is not
    the one named "Welfare Officer" on its row, whose own ring went unfound."""
    own = norm(read)
    if guess.text or guess.anchor is None or not own:
        return True
    said = guess.anchor.text
    return bool(set(own.split()) & set(said.split())) or \
        own.replace(" ", "") in said.replace(" ", "")


def under_heading(query: Query) -> list[Query]:
    """"the Max price field": its own words ("Max", a placeholder) under a heading ("Price"),
    split either way; nothing for other descriptions."""
    words = query.text.split()
    if "field" not in query.kinds or query.relation or query.quoted or len(words) < 2:
        return []
    splits = [(words[:k], words[k:]) for k in range(1, len(words))]
    return [replace(query, text=" ".join(own), relation="under",
                    anchor=Query(text=" ".join(heading)))
            for first, last in splits for own, heading in ((first, last), (last, first))]


def reads_whole(analysis: Analysis, text: str) -> bool:
    """Whether `text` stands on the screen exactly, as a whole."""
    return any(run.similarity == 1.0 and run.whole for run in runs(analysis.words, text))


AT_TIME = re.compile(r"(?P<name>.+?) at (?P<time>\d{1,2}[:.]\d{2}(?: ?[ap]m)?|\d{1,2} ?[ap]m)")


def at_time(query: Query, analysis: Analysis) -> Query | None:
    """"the Book button for Court 3 at 18:20": a booking grid's cell, in the row of one and
    under the heading of the other; which is which, the screen tells (a heading stands above
    the rows and right of their names). None for other descriptions, or when the screen does
    not say each once, whole."""
    anchor = query.anchor
    said = AT_TIME.fullmatch(anchor.text) if anchor is not None and not anchor.kinds else None
    if said is None or query.relation not in ("row", "for") or not query.kinds - {TEXT}:
        return None
    places = [[run.box for run in runs(analysis.words, text) if run.similarity == 1.0
               and run.whole] for text in (said["name"], said["time"])]
    if any(len(boxes) != 1 for boxes in places):
        return None
    (name,), (time,) = places
    if name[3] <= time[1] and name[0] >= time[2]:  # the name heads a column
        row, column = said["time"], said["name"]
    elif time[3] <= name[1] and time[0] >= name[2]:  # the time heads a column
        row, column = said["name"], said["time"]
    else:
        return None
    return replace(query, relation="row", anchor=Query(text=row), column=Query(text=column))


def labelled_by(query: Query) -> Query | None:
    """"the checkbox next to Newsletter": the checkbox Newsletter labels, whichever other mark
    stands nearer its words (the next row's box, a line under a long label). None unless a
    kind and the words it is next to are said, and nothing of its own."""
    anchor = query.anchor
    if query.relation != "next" or query.text or not query.kinds - {TEXT} or anchor is None \
            or anchor.kinds - {TEXT} or not anchor.text or anchor.relation is not None:
        return None
    return replace(query, text=anchor.text, quoted=anchor.quoted, relation=None, anchor=None)


def number_box(candidate: Candidate, kinds: frozenset[str]) -> bool:
    """Whether a button of `kinds` is a number box: it reads a number alone."""
    return candidate.kind == "button" and "button" in kinds and \
        norm(candidate.text).replace(".", "", 1).isdigit()
