"""What a description asks for, as the `ocr` grounder understands it.

"the second Submit button", "the field below Username", "the red button at the bottom right",
'the checkbox next to "Newsletter"', "the Delete button in the row with Bob": a `Query` holds the
text (quoted text first, else the words next to the kind), the kind of element, an ordinal, a
relation to another element (itself a `Query`), a part of the screen and a colour. Words that
are none of these are ignored: they never become text to look for (words after the kind that
would tell places apart, "for the outbound flight", are kept as `unread`: the answer must then
be the one place saying the text).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from agent.grounding.ocr.describe_names import (
    column_first,
    kind_of,
    marked_quotes,
    name_in,
    named_item,
    titled,
    tokenised,
)
from agent.grounding.ocr.describe_patterns import (
    DESCRIPTORS,
    FOR_NAME,
    IN_ITEM,
    INSIDE,
    KNOWN_BY,
    MARK,
    NAMED_CARD,
    NAMED_COLUMN,
    NAMED_ITEM,
    NAMED_ROW,
    NTH_ITEM,
    OF_NAME,
    ON_OFF,
    PHRASAL,
    POSSESSED,
    QUOTED,
    RELATION,
    RELATIONS,
    ROW_UNDER,
    SIDE_MENU,
    UNDER_IN_ROW,
    UNREAD_FOR,
    Relation,
    on_day,
    unquoted,
)
from agent.grounding.ocr.describe_words import (
    ARTICLES,
    CENTRES,
    COLOURS,
    CUT,
    FILLER,
    FRAME_SIDES,
    FRAMES,
    KINDS,
    LABEL_NOUNS,
    ORDINAL_FOLLOWERS,
    ORDINALS,
    PLACES,
    POLITE,
    SEARCH_KINDS,
    SECTIONS,
    SIZES,
    SUBJECTS,
    TEXT,
    one_sign,
)
from agent.grounding.ocr.textmatch import hyphenated, norm

__all__ = ["KINDS", "TEXT", "Query", "Relation", "literal", "parse", "unread_as_row",
           "whole_label"]

@dataclass(frozen=True)
class Query:
    """What to look for; every part narrows the candidates, None/empty ones do not."""

    text: str = ""  # normalised; "" when the description names none
    quoted: bool = False
    kinds: frozenset[str] = frozenset()  # widget kinds accepted (TEXT: plain words)
    kind_word: str = ""  # the phrase that named the kind, for messages
    ordinal: int | None = None  # 1-based, -1 for the last
    place: tuple[int, int] | None = None  # (dx, dy) towards a screen edge; (0, 0): the middle
    colour: str | None = None
    relation: Relation | None = None
    anchor: Query | None = None  # the element the relation is to
    soft: bool = False  # the text is a guess ("search" for "the search box"): may be dropped
    size: int | None = None  # 1: the biggest ("the big text box"), -1: the smallest
    column: Query | None = None  # a table's column heading, besides a row: a cell's element
    noun: str = ""  # said after an item's name, which may be a part of it: "Reminder settings"
    frame: Query | None = None  # "in the Child section": the part of the screen titled so,
    # which tells apart only what the rest of the description cannot
    side: bool = False  # "in the sidebar": an item of a menu down the screen's side is meant
    itemwise: bool = False  # the ordinal counts items ("in the second order"), not widgets
    unread: str = ""  # words meant to tell places apart, not understood: "for the outbound
    # flight" after a label; ignored, but then the label's words must be said in one place

    @property
    def empty(self) -> bool:
        return not self.text and not self.kinds and self.anchor is None and self.place is None


def parse(description: str) -> Query:
    """The description's text, kind, ordinal, relation, place and colour."""
    query = _parsed(description)
    unread = UNREAD_FOR.search(description) if query.text and query.relation is None else None
    if unread is None or norm(unread["words"]) in query.text or not query.kind_word or \
            query.kind_word not in description[:unread.start()].lower():
        return query  # (no words after the kind: "the Submit for approval button")
    return replace(query, unread=unread["words"])


def unread_as_row(query: Query) -> Query | None:
    """The words not understood after a label read as the row or item it is in ("the Damaged
    checkbox for the crash pad": in the row saying "Crash pad"); None without such words."""
    if not query.unread:
        return None
    words = [word for word in query.unread.split() if word.lower() not in ARTICLES]
    return replace(query, unread="", relation="for", anchor=Query(text=norm(" ".join(words))))


def _parsed(description: str) -> Query:
    nth = NTH_ITEM.search(description)
    if nth is not None and QUOTED.search(description) is None:
        query = parse(description[:nth.start()] + description[nth.end():])
        if query.ordinal is None and query.relation is None:
            return replace(query, ordinal=ORDINALS[nth["nth"].lower()], itemwise=True)
    marked, quotes = marked_quotes(hyphenated(description))
    marked = KNOWN_BY.sub(lambda m: "for " if m[1].lower() in INSIDE else f"{m[1]} ", marked)
    marked = POSSESSED.sub(r"\1", ON_OFF.sub(" ", IN_ITEM.sub("for ", on_day(marked))))
    marked = OF_NAME.sub(r"\1 for ", marked)
    marked, quotes = column_first(marked, quotes)
    if (row := name_in(NAMED_ROW, marked, 2)) is not None:  # "in Bob's row", "in the Bob row"
        marked = marked[:row.start()] + row.expand(r"\1 the row with \2") + marked[row.end():]
    cell = UNDER_IN_ROW.match(marked) or ROW_UNDER.match(marked)
    group = None if cell is None else \
        next((name for name in ("column", "named") if cell.groupdict().get(name)), None)
    if cell is not None and group is not None:
        # "the checkbox under Wed 15 Oct in the Your name row": the Wed 15 Oct column's (its
        # heading quoted or not)
        column, rest = unquoted(cell[group], marked[:cell.start(group)].count(MARK), quotes)
        query = _parse_marked(f"{cell['head']} {cell['row']}", rest)
        if query.relation == "row" and query.text:  # "the Book button in the 11:00 row
            return replace(query, column=_row_name(column))  # under Wed 15 July"
        if query.kinds and query.relation == "row":
            return replace(query, text=norm(column))
    query = _parse_marked(marked, quotes)
    if SIDE_MENU.search(marked):
        query = replace(query, side=True)
    titled = NAMED_ITEM.search(marked) if query.relation is None else None
    if titled is None or titled["noun"] not in SECTIONS:
        return query
    # (the target said before the frame: a quote naming the frame is not its text)
    head = marked[:titled.start()]
    target = _parse_marked(head, quotes[:head.count(MARK)])
    name, _rest = unquoted(titled["name"], head.count(MARK), quotes)
    return query if target.empty else replace(target, frame=Query(text=norm(name)))


def _parse_marked(marked: str, quotes: list[str]) -> Query:
    # A relation's word capitalised inside the description is a name's ("on the Under 11s
    # card", "the Next button")
    relation = next((r for r in RELATION.finditer(marked.lower())
                     if r.start() == 0 or not marked[r.start()].isupper()), None)
    kind: Relation
    noun = ""
    if relation is not None:
        head, tail = marked[:relation.start()], marked[relation.end():]
        kind = next(RELATIONS[int(name[1:])][1] for name, value in relation.groupdict().items()
                    if value is not None)
    elif (column := name_in(NAMED_COLUMN, marked, "name")) is not None:
        head, tail, kind = marked[:column.start()], column.group("name"), "column"
    elif (card := name_in(NAMED_CARD, marked, "name") or named_item(marked)) is not None:
        head, tail, kind = marked[:card.start()], card.group("name"), "for"
        noun = (card.groupdict().get("noun") or "").lower()
    elif (named := FOR_NAME.search(marked)) is not None:  # "the Delete button for Bob"
        head, tail, kind = marked[:named.start()], marked[named.end():], "for"
    else:
        return _parse_part(marked, quotes)
    head_quotes = quotes[:head.count(MARK)]
    anchor = _row_name(tail) if (kind in ("row", "column") or titled(tail)) and \
        MARK not in tail else _parse_part(tail, quotes[len(head_quotes):], inside=True)
    if anchor.empty:  # "the button on the right of the screen": not a relation
        return _parse_part(marked, quotes)
    if anchor.text in FRAMES and not anchor.kinds:  # "above the table": a frame, no words
        return _parse_part(head, head_quotes)
    target = _parse_part(head, head_quotes)
    if target.empty and PHRASAL.fullmatch(head.strip()):  # (no words of acting: the label)
        target = replace(target, text=norm(head))
    if target.empty and relation is None:  # "click on Desk 3": Desk 3 itself
        return _parse_part(marked, quotes)
    bare = all(word.lower() in ARTICLES for word in tokenised(head))  # "the" and no more
    if anchor.kinds and not target.kinds and (relation is None or bare):
        # "the Require 2FA for Admins checkbox", "the Under £25 radio button": the kind ends
        # the label; "for" or "under" is in it
        return _parse_part(marked, quotes)
    if noun and MARK not in tail:
        anchor = replace(anchor, noun=noun)
    return replace(target, relation=kind, anchor=anchor)


def literal(description: str) -> Query:
    """The description read as if it named no relation: "the Store events near me checkbox"
    is also the checkbox labelled "Store events near me"."""
    return _parse_part(*marked_quotes(description))


def whole_label(description: str) -> Query:
    """The description read with all its words before the kind as the label, small words and
    all: "the Remember me on this computer checkbox" is also the checkbox labelled "Remember
    me on this computer" (the text `parse` finds stops at "this": "Type Ada into the Name
    field" means the Name field)."""
    marked, quotes = marked_quotes(description)
    tokens = tokenised(marked)
    lower = [t.lower() for t in tokens]
    kinds, kind_word, kind_at, _ = kind_of(lower)
    start = 0
    while start < kind_at and lower[start] in FILLER and not _capital(tokens, start):
        start += 1
    if quotes or kind_at <= start:
        return Query(text="", kinds=kinds, kind_word=kind_word)
    return Query(text=norm(" ".join(tokens[start:kind_at])), kinds=kinds, kind_word=kind_word)


def _row_name(part: str) -> Query:
    """A row named by its cells' words, unquoted: "Cardboard box, large" names no box and no
    size."""
    words = tokenised(part)
    while words and words[0].lower() in ARTICLES:
        words.pop(0)
    return Query(text=norm(" ".join(words)))


def _parse_part(part: str, quotes: list[str], inside: bool = False) -> Query:
    """`inside`: the part follows other words (a relation's), so its first word's capital is
    a name's ("the field below To")."""
    tokens = tokenised(part)
    lower = [t.lower().replace("’", "'") for t in tokens]
    kinds, kind_word, kind_at, kind_len = kind_of(lower)
    if inside and kinds == {TEXT} and any(w not in FILLER for w in lower[kind_at + kind_len:]):
        kinds, kind_word, kind_at = frozenset(), "", -1  # "for Text message updates": words
    used = set(range(kind_at, kind_at + kind_len)) if kind_at >= 0 else set()
    ordinal = place_x = place_y = size = None
    colour = None
    for i, word in enumerate(lower):
        capital = _capital(tokens, i, inside)
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word in ORDINALS and not capital and _ordinal_here(after, i + 1 == kind_at):
            ordinal = ORDINALS[word]
        elif word in ("last's", "second-last", "penultimate"):
            ordinal = -1 if word == "last's" else -2
        elif word in COLOURS and not capital and not _amid_words(lower, i, kind_at):
            colour = COLOURS[word]
        elif word in PLACES and not capital:
            dx, dy = PLACES[word]
            place_x, place_y = place_x or dx, place_y or dy
        elif word in CENTRES and not capital:
            place_x, place_y = place_x or 0, place_y or 0
        elif word in SIZES and not capital and (i + 1 == kind_at or after.lower() in KINDS):
            size = SIZES[word]  # "the big text box"; "the small option" is text when it is
        else:
            continue
        used.add(i)
    place = None if place_x is None and place_y is None else (place_x or 0, place_y or 0)
    text, quoted = _text(tokens, lower, used, kind_at, quotes, inside)
    for descriptor in DESCRIPTORS if kind_at >= 0 and not quoted else ():
        if text.endswith(f" {descriptor}"):
            text = text.removesuffix(f" {descriptor}")
            break
    text = text if quoted else one_sign(text)
    soft = (kind_word in SEARCH_KINDS and not text) or (text == "search" and not quoted
                                                         and "field" in kinds)
    return Query("search" if soft else text, quoted, kinds, kind_word, ordinal, place, colour,
                 soft=soft, size=size)


def _amid_words(lower: list[str], i: int, kind_at: int) -> bool:
    """Whether the word at `i` stands between two words of a text: a colour word in a name
    ("Strong white flour") is no colour of the element."""
    return 0 < i < len(lower) - 1 and i + 1 != kind_at and lower[i - 1] not in FILLER and \
        lower[i + 1] not in FILLER and lower[i - 1].isalnum() and lower[i + 1].isalnum()


def _ordinal_here(after: str, before_kind: bool) -> bool:
    """"the first button", "the second Submit button", "the last row's" are ordinals; "the
    first name field" is the text "first name"."""
    return (before_kind or not after or after == MARK or after[:1].isupper()
            or after.lower() in ORDINAL_FOLLOWERS)


def _text(tokens: list[str], lower: list[str], used: set[int], kind_at: int,
          quotes: list[str], inside: bool) -> tuple[str, bool]:
    """Quoted text, else the words right before the kind ("the Search flights button"), else
    right after it ("the button labelled Save"), up to a word that starts another phrase."""
    for quote in quotes:
        if norm(quote):
            return norm(quote), True
    def wordy(i: int) -> bool:
        return i not in used and (lower[i] not in FILLER or _capital(tokens, i, inside) or (
            lower[i] in LABEL_NOUNS and i + 1 < kind_at and tokens[i + 1].islower()
            and lower[i + 1] not in FILLER) or (i > 0 and tokens[i - 1] in SUBJECTS))

    if kind_at < 0:  # from the first word that is no filler to the end ("Terms of use")
        start = next((i for i in range(len(tokens)) if wordy(i)), None)
        if start is None:
            return "", False
        end = next((i for i in range(start, len(tokens)) if i in used), len(tokens))
        end = next((i for i in range(start + 1, end) if _frame_follows(lower, i, end)), end)
        while end > start + 1 and (lower[end - 1] in ARTICLES or lower[end - 1] in POLITE or (
                lower[end - 1] in CUT and end < len(tokens))):  # "Submit at the bottom"
            end -= 1
        return norm(" ".join(tokens[start:end])), False

    before: list[int] = []
    pending: list[int] = []  # fillers between words: inside the text ("Sign in", "Add to cart")
    for i in range(kind_at - 1, -1, -1):
        if wordy(i):
            before, pending = [i, *pending, *before], []
        elif before and lower[i] in ARTICLES and i > 1 and lower[i - 1] == "of" \
                and wordy(i - 2):
            pending.insert(0, i)  # "the Life of a Star option": a title's "of a"
        elif i in used or (lower[i] in ARTICLES and not (before and i > 0 and wordy(i - 1))):
            if before:
                break
            pending = []  # (an article between words is the text's: "I accept the terms")
        elif before and (i == 0 or not wordy(i - 1)):
            break
        else:
            pending.insert(0, i)
    if before:
        return norm(" ".join(tokens[i] for i in before)), False
    after: list[str] = []
    for i in range(kind_at + 1, len(tokens)):
        if i in used or (lower[i] in CUT and after):
            break
        if lower[i] not in FILLER or _capital(tokens, i, inside):
            after.append(tokens[i])
    return norm(" ".join(after)), False


def _frame_follows(lower: list[str], i: int, end: int) -> bool:
    """Whether the words from `i` to `end` only say where, in a frame of the screen ("in the
    sidebar menu", "on the toolbar", "in the menu on the left"): no part of the text."""
    rest = lower[i + 1:end]
    return lower[i] in CUT and any(w in FRAMES for w in rest) and \
        all(w in FRAMES or w in ARTICLES or w in FRAME_SIDES or w in CUT for w in rest)


def _capital(tokens: list[str], i: int, inside: bool = False) -> bool:
    """A capitalised word inside the description ("the To field"): text, though "to" is not."""
    return (i > 0 or (inside and tokens[i].lower() not in ARTICLES)) and tokens[i][:1].isupper()
