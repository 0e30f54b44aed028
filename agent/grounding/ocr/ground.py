"""One description grounded on one analysed screenshot: the description parsed
(describe.py), ranked against the screen's widgets and runs of words (rank.py, labels.py,
narrow.py) and decided; when nothing fits, what people mean by such words (guesses.py; a
search box by the word Search, a table's cell by its row (rows.py) and column)."""

from __future__ import annotations

from dataclasses import replace

from PIL import Image

from agent.errors import GroundingError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.candidate import centre, inside, overlaps, text_inside
from agent.grounding.ocr.cards import titled_box
from agent.grounding.ocr.columns import headed, said_level, said_over
from agent.grounding.ocr.describe import TEXT, Query, literal, parse, unread_as_row, whole_label
from agent.grounding.ocr.describe_words import MENU_KINDS, SEARCH_KINDS
from agent.grounding.ocr.doubts import doubted, on_screen, read_elsewhere
from agent.grounding.ocr.engines import Box
from agent.grounding.ocr.guesses import (
    at_time,
    beside_its_field,
    by_its_row,
    coded,
    described_value,
    grouped,
    labelled_by,
    labels_one,
    number_box,
    own_label_said,
    reads_whole,
    row_and_column,
    timed,
    under_heading,
    unsaid,
    without_role,
)
from agent.grounding.ocr.modal import behind_modal, modal_box
from agent.grounding.ocr.narrow import anchor_role, narrow
from agent.grounding.ocr.preferences import (
    in_side_menu,
    searched_bar,
    the_filter,
    the_menu,
    the_switch,
)
from agent.grounding.ocr.rank import (
    MIN_SCORE,
    NEAR_MARGIN,
    Ambiguous,
    Candidate,
    Decision,
    WidgetLike,
    candidates,
    decide,
    same_place,
)
from agent.grounding.ocr.rows import across_row, one_row, under_its_heading
from agent.grounding.ocr.textmatch import MIN_SIMILARITY, norm, runs

__all__ = ["described", "ground_in"]


def described(description: str) -> Query:
    """`description` parsed; GroundingError when it names nothing to look for."""
    query = parse(description)
    if query.empty:
        raise GroundingError(f"the description {description!r} names no text or kind of "
                             "element to look for: quote the element's visible text")
    return query


def ground_in(analysis: Analysis, image: Image.Image, description: str) -> Decision:
    """The element `description` names in an analysed screenshot; GroundingError if unsure."""
    query = described(description)
    if not analysis.words and not analysis.widgets:
        raise GroundingError(f"nothing found for {description!r}: OCR read no text on the "
                             "screen")
    try:
        return _decide(query, analysis, image, description)
    except Ambiguous:  # "the Damaged checkbox for the crash pad": in the row saying Crash pad
        row = unread_as_row(query)
        named = _tried(row, analysis, image) if row is not None else None
        if named is None or named.best.kind == TEXT or named.best.similarity < 1.0:
            raise
        return named
    except NotOnScreen as exc:
        if not str(exc).endswith("closest: none"):
            raise
        raise NotOnScreen(f"{exc}; {on_screen(query, analysis, image)}") from None


def _decide(query: Query, analysis: Analysis, image: Image.Image, description: str) -> Decision:
    """The answer for `query`, unless the screen says the whole description as one label
    ("near me" in it); when nothing fits, what people mean by such words: a search box by the
    word Search, a field under a heading, a table's cell by its row and column, a code after a
    noun the screen lacks."""
    # "the Store events near me checkbox": a label so worded, when the screen says it exactly
    said = literal(description) if query.relation is not None else whole_label(description)
    # (the label holds the target's words: "the Add button next to the Part number field" is
    # no field labelled "Part number")
    if said.text != query.text and said.kinds - {TEXT} and query.text and \
            f" {query.text} " in f" {said.text} ":
        named = _tried(said, analysis, image)
        if named is not None and named.best.kind != TEXT and named.best.similarity >= 1.0:
            return named
    own = labelled_by(query)  # "the checkbox next to Newsletter": the one it labels
    if own is not None and (named := _tried(own, analysis, image)) is not None and \
            named.best.kind in own.kinds and named.best.similarity >= 1.0:
        return named
    ranked: list[Candidate] | None = None  # (None: the anchor itself could not be told)
    try:
        ranked = _ranked(query, analysis, image)
        decision = in_side_menu(query, ranked, analysis, image, description) or \
            decide(ranked, query, description)
        if (doubt := doubted(query, decision.best, ranked, analysis, description)) is not None:
            raise doubt
        if query.relation in ("row", "for") and query.text and decision.best.kind == "field":
            # "the quantity field for Invert syrup": a row's unlabelled field under the
            # Quantity heading, not the one field the heading labels, rows above
            cell = _in_cell(query, analysis, image, description)
            if cell is not None and cell.best.kind == "field" and \
                    not same_place(cell.best, decision.best):
                return cell
        return decision
    except Ambiguous:  # (the row's words in two places: which holds a widget of the kind?)
        framed = _framed(query, ranked or [], analysis, image, description) or \
            the_menu(query, ranked or [], analysis, description) or \
            the_switch(query, ranked or [], description)
        if framed is not None:
            return framed
        kind_only = _kind_only(query, analysis, image, description) or \
            _searched(query, ranked, analysis, description)
        if kind_only is None:
            raise
        return kind_only
    except NotOnScreen:
        if query.soft:  # "the search box", and no field says "Search": the field next to
            # the word (a Search button's) where it is on the screen, else the only field
            plain = replace(query, text="", soft=False)
            if any(run.similarity >= MIN_SIMILARITY for run in runs(analysis.words, query.text)):
                plain = replace(plain, relation="next", anchor=Query(text=query.text))
            ranked = _ranked(plain, analysis, image)
            return searched_bar(plain, ranked, analysis, description) or \
                decide(ranked, plain, description)
        if query.kind_word in SEARCH_KINDS and "search" not in query.text.split():
            # "the student search box": its placeholder says Search before the words said
            named = _tried(replace(query, text=f"search {query.text}"), analysis, image)
            if named is not None and named.best.kind != TEXT:
                return named
        headed = [d for q in under_heading(query) if (d := _tried(q, analysis, image))]
        if len(headed) == 1:
            return headed[0]
        cell = _in_cell(query, analysis, image, description)
        if cell is not None:
            return cell
        # (a label guessed from the words, "Junior" of "the Junior Jazz option", only from a
        # widget labelled exactly so and read nowhere else; by its row's words, only a mark)
        for guess, whole in ((coded(query), False), (described_value(query, analysis), True),
                             (without_role(query), True), (by_its_row(query), False),
                             (beside_its_field(query), True), (at_time(query, analysis), False)):
            if guess is None or (named := _headed(guess, analysis, image)) is None:
                continue
            if named.best.kind != TEXT and named.best.similarity >= 1.0 \
                    and (guess.relation != "row" or named.best.kind in guess.kinds) \
                    and own_label_said(guess, named.best.text) \
                    and (named.best.exact or not whole or timed(guess, named.best.text)) \
                    and not (whole and read_elsewhere(guess, named.best, analysis)):
                return named
        by_group = grouped(query, analysis)  # "the Recipes notebook": "Recipes" under
        named = _tried(by_group, analysis, image) if by_group is not None else None  # NOTEBOOKS
        if named is not None and named.best.exact:
            return named
        kind_only = _kind_only(query, analysis, image, description)
        if kind_only is None:
            raise  # (a closer reading may yet find the words)
        return kind_only


def _framed(query: Query, ranked: list[Candidate], analysis: Analysis, image: Image.Image,
            description: str) -> Decision | None:
    """"In the Child section": of candidates alike, the one inside the box whose title says
    so (a fieldset's legend, a panel's heading: plain words, not a drop-down's "Mother");
    None when no such box is found or it does not tell them apart."""
    if query.frame is None:
        return None
    boxes = [box for run in runs(analysis.words, query.frame.text)
             if run.similarity == 1.0 and run.whole and not any(
                 inside(run.centre, w.box) for w in analysis.widgets or ())
             if (box := titled_box(image, run.box)) is not None]
    framed = [c for c in ranked if any(inside(c.point, box) for box in boxes)]
    try:
        return decide(framed, query, description) if framed else None
    except GroundingError:
        return None


def _kind_only(query: Query, analysis: Analysis, image: Image.Image, description: str
               ) -> Decision | None:
    """"the role drop-down in the Leo Park row": the row's one drop-down, when the words
    for it are said nowhere (`unsaid`), or said only as no drop-down's label ("the size
    drop-down in the Hoodie card", "One size" on another card): then of the drop-downs only
    one with no label of words of its own; else None."""
    said = not unsaid(query, analysis)
    if query.relation not in ("row", "for") or (said and query.kind_word not in MENU_KINDS):
        return None
    plain = replace(query, text="", soft=False)
    try:
        ranked = _ranked(plain, analysis, image)
        if query.kind_word in MENU_KINDS:  # the row's one drop-down, not its amount field
            menus = {w.box for w in analysis.widgets or () if w.menu and not (said and _named(w))}
            ranked = [c for c in ranked if c.box in menus] or ([] if said else ranked)
        return decide(ranked, plain, description)
    except GroundingError:
        return None


def _named(widget: WidgetLike) -> bool:
    """Whether a widget has a label of words of its own (not its value, not a price over it)."""
    return widget.text_box is not None and not text_inside(widget) \
        and any(c.isalpha() for c in widget.text)


def _searched(query: Query, ranked: list[Candidate] | None, analysis: Analysis,
              description: str) -> Decision | None:
    """"the Chip number search box", two fields alike (`ranked`): the one a Search button or
    word stands just after on its row (not a register form's Chip number field); else None."""
    if query.kind_word not in SEARCH_KINDS or not query.text or ranked is None:
        return None
    top = max((c.score for c in ranked), default=0.0)
    # (a button's word may be read from its inside only: then its box)
    said = [r.box for r in runs(analysis.words, "search") if r.similarity >= 1.0] + \
        [w.box for w in analysis.widgets or () if w.kind == "button" and norm(w.text) == "search"]
    fit = [c for c in ranked if c.kind == "field" and c.score >= top - NEAR_MARGIN and any(
        c.box[1] <= centre(w)[1] <= c.box[3] and 0 <= w[0] - c.box[2] <= 5 * (w[3] - w[1])
        for w in said)]
    return decide(fit, query, description) if len(fit) == 1 else None


def _in_cell(query: Query, analysis: Analysis, image: Image.Image, description: str
             ) -> Decision | None:
    """A widget in a table named by its row and its column's heading ("the Fri field in the
    Internal meetings row", "the 6x4 quantity field"), or by a code in its row when that row
    holds one of its kind ("the 10:30 train radio button"); None unless exactly one fits."""
    kinds = query.kinds - {TEXT}
    pairs = row_and_column(query) if kinds else []
    named_row = query.relation in ("row", "for")  # (its heading may label the first row's
    if not pairs or (not named_row and labels_one(query.text, kinds, analysis)):  # field)
        return None  # (a widget's own words misread, "Send refer", are no row and column)
    # A column's heading is plain text: a button's own words above another are no heading
    # ("Move to basket" over the row's Remove button); a link may be (a sortable column's,
    # or grey-blue words taken for one)
    plain = [w for w in analysis.words if not any(inside(centre(w.box), x.box)
                                                  for x in analysis.widgets or ()
                                                  if x.kind not in (TEXT, "link"))]
    found: dict[Box, Candidate] = {}
    for row, heading in pairs:
        if not named_row and labels_one(row, kinds | {"button"}, analysis):
            continue  # "the White colour option": the option labelled White, not a cell
            # (a pill's words too: "the 5-6 party size option" is the pill reading 5-6)
        # (a number box shows its value centred, as a button its words: "0" under Quantity)
        looked = kinds | {"button"} if "field" in kinds and heading is not None else kinds
        in_row = replace(query, text="", quoted=False, relation="row", anchor=Query(text=row),
                         kinds=looked)
        try:
            ranked = _ranked(in_row, analysis, image)
        except GroundingError:  # no such row, or two
            continue
        fits = [c for c in ranked if (c.kind in kinds or number_box(c, looked)) and
                c.score >= MIN_SCORE and not said_level(c.box, heading, analysis.words)]
        # (a named row's one widget of the kind, under a heading ending in the word said: "the
        # notes field in the Table 4 row" under "Condition notes")
        loose = named_row and len(fits) == 1 and heading is not None and \
            said_over(fits[0].box, heading, plain)
        fits = [c for c in fits if (heading is None or loose or headed(c.box, heading, plain))
                and (named_row or heading is None or _named_left(c.box, row, analysis))]
        if len(fits) == 1:
            found[fits[0].box] = fits[0]
    if len(found) != 1:
        return None
    return decide(list(found.values()), query, description)


def _named_left(box: Box, row: str, analysis: Analysis) -> bool:
    """Whether the words that may name a row stand left of `box` on it, as a table's first
    cells do ("Email" of a side panel's "Email the secretary", right of the Password field)."""
    return any(run.similarity >= MIN_SIMILARITY and run.box[2] <= box[0] + 2
               and box[1] <= run.centre[1] <= box[3] for run in runs(analysis.words, row))


def _headed(query: Query, analysis: Analysis, image: Image.Image) -> Decision | None:
    """A guess's answer; a guess of the widget under its heading ("the White colour option"
    under "Colour") from the heading's column, or else from its row after it, as after a
    row's label ("Genre: [Indie] [Electronic]"), or else just under it (a row of radio
    buttons under "Colour"): a badge rows below "Genre:" and far off is none."""
    named = _tried(query, analysis, image)
    if named is None or query.relation != "under" or query.anchor is None or \
            headed(named.best.box, query.anchor.text, analysis.words):
        return named
    beside = _tried(replace(query, relation="right"), analysis, image)
    if beside is not None:
        return beside
    heading = [run.box for run in runs(analysis.words, query.anchor.text)
               if run.similarity == 1.0 and run.box[3] <= named.best.box[1]]
    near = any(named.best.box[1] - box[3] <= 3 * (box[3] - box[1]) for box in heading)
    return named if near else None


def _tried(query: Query, analysis: Analysis, image: Image.Image) -> Decision | None:
    ranked: list[Candidate] = []
    try:
        ranked = _ranked(query, analysis, image)
        return decide(ranked, query, _said(query))
    except Ambiguous:
        return the_switch(query, ranked, _said(query)) or \
            the_filter(query, ranked, analysis, _said(query))
    except GroundingError:
        return None


def _ranked(query: Query, analysis: Analysis, image: Image.Image) -> list[Candidate]:
    found = candidates(query, analysis.words, analysis.widgets, image, analysis.appeared)

    def anchor_of(anchor: Query) -> list[Candidate]:
        if not anchor.kinds:  # "below Username": the words, not the field they label
            anchor = replace(anchor, kinds=frozenset({TEXT}))
        named = f"{anchor.text} {anchor.noun}"  # "in Reminder settings": the panel's title
        if anchor.noun and reads_whole(analysis, named):
            anchor = replace(anchor, text=named)
        titled = f"{anchor.text} {anchor.kind_word}"  # "under the Salad Box", "by text message"
        if anchor.text and anchor.kind_word and reads_whole(analysis, titled):
            anchor = replace(anchor, text=titled, kinds=frozenset({TEXT}), kind_word="")
        try:
            try:
                best = _decide(anchor, analysis, image, _said(anchor)).best
                if anchor.text.isdigit() and best.kind == TEXT and not best.exact:
                    # a number names a row only standing alone ("tap 6": not the 6 of a
                    # "56%" read apart)
                    raise NotOnScreen(f"no {anchor.text!r} standing alone on the screen")
                if best.kind != TEXT or best.exact or query.relation not in ("row", "for"):
                    return [best]
                # Words inside a sentence ("Kick In goes on channel 1 before…"): a row with
                # the name's value under a heading saying its noun may be meant too ("1"
                # under "Ch")
                cells = [Candidate(TEXT, run.box, run.text, run.centre, 1.0, 1.0, True)
                         for run in under_its_heading(anchor.text, analysis.words)
                         if not overlaps(run.box, best.box)]
                return [best, *cells] if len(cells) == 1 else [best]
            except Ambiguous:
                across = _read_across(anchor, analysis) if query.relation in ("row", "for") \
                    else None
                if across is None:
                    raise
                return [across]
            except NotOnScreen:
                if query.relation not in ("row", "for"):
                    raise
                cells = across_row(anchor.text, analysis.words)
                if not cells:
                    raise
                try:
                    return [decide(cells, anchor, _said(anchor)).best]
                except Ambiguous:
                    return [one_row(cells)]
        except GroundingError as exc:
            if isinstance(exc, Ambiguous) and exc.close:  # the words in several places:
                said = [c for c in exc.close if c.similarity >= 1.0]  # (not "Dock Street")
                return said or exc.close  # narrow tells which is meant
            raise type(exc)(f"{anchor_role(query.relation)} cannot be told: {exc}") from None

    return behind_modal(narrow(query, found, image, anchor_of), modal_box(image))


CONNECTORS = frozenset({"for", "with", "and", "at", "by", "from"})


def _read_across(anchor: Query, analysis: Analysis) -> Candidate | None:
    """The one row whose cells read the whole name, in order, where its first words stand in
    several rows ("the Software Engineering Intern row for Arm": the intern role at Arm, not
    at Sky); None unless exactly that."""
    name = " ".join(word for word in anchor.text.split() if word not in CONNECTORS)
    if " " not in name:
        return None
    exact = [c for c in across_row(name, analysis.words) if c.similarity == 1.0]
    rows = {round(centre(c.box)[1]) for c in exact}
    return exact[0] if len(rows) == 1 else None


def _said(query: Query) -> str:
    return " ".join(p for p in (repr(query.text) if query.text else "", query.kind_word) if p)
