"""One description grounded on one analysed screenshot: the description parsed
(describe.py), ranked against the screen's widgets and runs of words (rank.py, labels.py,
narrow.py) and decided; when nothing fits, what people mean by such words (a search box by
the word Search, a field under a heading, a table's cell by its row and column, a code after a
noun the screen lacks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image

from agent.errors import GroundingError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.candidate import centre, inside
from agent.grounding.ocr.columns import headed
from agent.grounding.ocr.describe import TEXT, Query, literal, parse, whole_label
from agent.grounding.ocr.describe_words import SEARCH_KINDS
from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.modal import behind_modal, modal_box
from agent.grounding.ocr.narrow import anchor_role, narrow
from agent.grounding.ocr.rank import (
    MIN_SCORE,
    NEAR_MARGIN,
    Ambiguous,
    Candidate,
    Decision,
    WidgetLike,
    candidates,
    decide,
)
from agent.grounding.ocr.textmatch import (
    MIN_SIMILARITY,
    Run,
    closed_up,
    norm,
    row_runs,
    row_sets,
    runs,
    similarity,
)

__all__ = ["Analysis", "described", "ground_in"]

# What a table's row may be called after the words it shows ("the running pipeline row")
ITEM_NOUNS = frozenset({
    "pipeline", "job", "build", "run", "webhook", "hook", "record", "entry", "order", "item",
    "request", "booking", "appointment", "ticket", "task", "issue", "invoice", "payment",
    "transaction", "file", "user", "account", "subscription", "rule", "flag", "key", "token",
    "event", "message", "review", "comment", "revision", "version", "release", "deployment",
    "backup", "report", "line", "product", "plan", "package", "tier", "bundle", "policy",
    "quote", "listing", "session", "class", "course", "slot", "shift", "visit", "claim", "case",
    "group", "team", "lesson", "trip", "tour", "route",
})


@dataclass(frozen=True)
class Analysis:
    """What one screenshot holds: its words, and its widgets (None: not looked for)."""

    words: list[OcrWord]
    widgets: list[WidgetLike] | None
    seconds: float  # how long reading and widget finding took
    appeared: tuple[Box, ...] = ()  # boxes round what changed since the screenshot before


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
    except NotOnScreen as exc:
        if not str(exc).endswith("closest: none"):
            raise
        raise NotOnScreen(f"{exc}; {_on_screen(query, analysis, image)}") from None


def _on_screen(query: Query, analysis: Analysis, image: Image.Image) -> str:
    """The elements of the kind described that are on the screen (what to say instead), for
    an error that found nothing like the text."""
    kinds = query.kinds - {TEXT}
    plain = Query(kinds=kinds, kind_word=query.kind_word)
    found = [c for c in candidates(plain, analysis.words, analysis.widgets, image)
             if c.kind != TEXT and c.text]
    found.sort(key=lambda c: (c.point[1], c.point[0]))
    what = f"of the kind '{query.kind_word}'" if kinds and query.kind_word else "at all"
    shown = "; ".join(c.describe() for c in found[:8])
    return f"on the screen, {what}: {shown}" if shown else f"nothing on the screen {what}"


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
    ranked: list[Candidate] | None = None  # (None: the anchor itself could not be told)
    try:
        ranked = _ranked(query, analysis, image)
        return decide(ranked, query, description)
    except Ambiguous:  # (the row's words in two places: which holds a widget of the kind?)
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
            return decide(_ranked(plain, analysis, image), plain, description)
        headed = [d for q in _under_heading(query) if (d := _tried(q, analysis, image))]
        if len(headed) == 1:
            return headed[0]
        cell = _in_cell(query, analysis, image, description)
        if cell is not None:
            return cell
        for guess in (_coded(query), _described_value(query, analysis)):
            named = _tried(guess, analysis, image) if guess is not None else None
            if named is not None and named.best.kind != TEXT and named.best.similarity >= 1.0:
                return named
        grouped = _grouped(query, analysis)  # "the Recipes notebook": "Recipes" under
        named = _tried(grouped, analysis, image) if grouped is not None else None  # NOTEBOOKS
        if named is not None and named.best.exact:
            return named
        kind_only = _kind_only(query, analysis, image, description)
        if kind_only is None:
            raise  # (a closer reading may yet find the words)
        return kind_only


def _grouped(query: Query, analysis: Analysis) -> Query | None:
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


def _kind_only(query: Query, analysis: Analysis, image: Image.Image, description: str
               ) -> Decision | None:
    """"the role drop-down in the Leo Park row": the row's one drop-down, when the words
    for it are said nowhere (`_unsaid`); else None."""
    if query.relation not in ("row", "for") or not _unsaid(query, analysis):
        return None
    plain = replace(query, text="", soft=False)
    try:
        return decide(_ranked(plain, analysis, image), plain, description)
    except GroundingError:
        return None


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


def _unsaid(query: Query, analysis: Analysis) -> bool:
    """Whether the description names a field, drop-down, checkbox or radio button by a word
    for it that the screen says nowhere (what it holds: a role, a status). (A button or link
    is named by its own words: one the screen does not say is not there.)"""
    kinds = query.kinds - {TEXT}
    if query.quoted or not query.text or not kinds \
            or not ("field" in kinds or kinds <= {"checkbox", "radio"}) \
            or not all(word.isalpha() and len(word) >= 3 for word in query.text.split()):
        return False  # (a number or a code is a cell's, a heading's: maybe read unsure)
    return not any(similarity(norm(w.text), query.text) >= MIN_SIMILARITY
                   for w in analysis.widgets or ()) and not runs(analysis.words, query.text)


def _in_cell(query: Query, analysis: Analysis, image: Image.Image, description: str
             ) -> Decision | None:
    """A widget in a table named by its row and its column's heading ("the Fri field in the
    Internal meetings row", "the 6x4 quantity field"), or by a code in its row when that row
    holds one of its kind ("the 10:30 train radio button"); None unless exactly one fits."""
    kinds = query.kinds - {TEXT}
    pairs = _row_and_column(query) if kinds else []
    named_row = query.relation in ("row", "for")  # (its heading may label the first row's
    if not pairs or (not named_row and _labels_one(query.text, kinds, analysis)):  # field)
        return None  # (a widget's own words misread, "Send refer", are no row and column)
    # A column's heading is plain text: a button's own words above another are no heading
    # ("Move to basket" over the row's Remove button); a link may be (a sortable column's,
    # or grey-blue words taken for one)
    plain = [w for w in analysis.words if not any(inside(centre(w.box), x.box)
                                                  for x in analysis.widgets or ()
                                                  if x.kind not in (TEXT, "link"))]
    found: dict[Box, Candidate] = {}
    for row, heading in pairs:
        if not named_row and _labels_one(row, kinds, analysis):
            continue  # "the White colour option": the option labelled White, not a cell
        in_row = replace(query, text="", quoted=False, relation="row", anchor=Query(text=row))
        try:
            ranked = _ranked(in_row, analysis, image)
        except GroundingError:  # no such row, or two
            continue
        fits = [c for c in ranked if c.kind in kinds and c.score >= MIN_SCORE
                and (heading is None or headed(c.box, heading, plain))]
        if len(fits) == 1:
            found[fits[0].box] = fits[0]
    if len(found) != 1:
        return None
    return decide(list(found.values()), query, description)


def _labels_one(words: str, kinds: frozenset[str], analysis: Analysis) -> bool:
    """Whether `words` are the label of a widget of one of `kinds` (so no row's words: the
    White radio button's "White" is not the row of the Navy one under "Colour")."""
    return any(w.kind in kinds and similarity(norm(w.text), words) >= MIN_SIMILARITY
               for w in analysis.widgets or ())


def _row_and_column(query: Query) -> list[tuple[str, str | None]]:
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


def _coded(query: Query) -> Query | None:
    """"seat 14C", "room 4B": a noun the screen may not say before a code (a token with a
    digit); the code alone, which only a widget reading exactly it answers. None otherwise."""
    parts = closed_up(query.text).split()  # "the 8am - 10am slot": the code "8am-10am"
    if query.quoted or len(parts) != 2:
        return None
    code = next((p for p in (parts[1], parts[0]) if len(p) >= 2 and any(c.isdigit() for c in p)
                 and any(c.isalpha() for c in p)), None)
    return replace(query, text=code) if code is not None else None


def _described_value(query: Query, analysis: Analysis) -> Query | None:
    """"the To language drop-down", "the White colour option": a widget's label and a noun
    for what it holds, which the screen says nowhere but in a field ("Detect language"), or
    as the heading the widget stands under ("Colour"); the label alone, which only a widget
    labelled exactly so answers. ("the Max surface field" is no Max field under no Surface.)
    "the quantity field next to Rye flour", the noun said nowhere: the Rye flour field."""
    words = query.text.split()
    if query.relation in ("next", "right") and query.anchor is not None and \
            _unsaid(query, analysis):
        return replace(query, text=query.anchor.text, relation=None, anchor=None)
    if not query.kinds - {TEXT} or query.quoted or len(words) != 2:
        return None
    label = replace(query, text=words[0])
    if query.relation in ("row", "for"):  # "the start time field in the Saturday row": the
        return label  # row's field saying Start
    if query.relation:
        return None
    fields = [w.box for w in analysis.widgets or () if w.kind == "field"]
    if any(run.similarity >= MIN_SIMILARITY and not any(inside(run.centre, f) for f in fields)
           for run in runs(analysis.words, words[1])):
        return replace(label, relation="under", anchor=Query(text=words[1]))
    return label


def _under_heading(query: Query) -> list[Query]:
    """"the Max price field": its own words ("Max", a placeholder) under a heading ("Price"),
    split either way; nothing for other descriptions."""
    words = query.text.split()
    if "field" not in query.kinds or query.relation or query.quoted or len(words) < 2:
        return []
    splits = [(words[:k], words[k:]) for k in range(1, len(words))]
    return [replace(query, text=" ".join(own), relation="under",
                    anchor=Query(text=" ".join(heading)))
            for first, last in splits for own, heading in ((first, last), (last, first))]


def _tried(query: Query, analysis: Analysis, image: Image.Image) -> Decision | None:
    try:
        return decide(_ranked(query, analysis, image), query, _said(query))
    except GroundingError:
        return None


def _ranked(query: Query, analysis: Analysis, image: Image.Image) -> list[Candidate]:
    found = candidates(query, analysis.words, analysis.widgets, image, analysis.appeared)

    def anchor_of(anchor: Query) -> list[Candidate]:
        if not anchor.kinds:  # "below Username": the words, not the field they label
            anchor = replace(anchor, kinds=frozenset({TEXT}))
        try:
            try:
                return [_decide(anchor, analysis, image, _said(anchor)).best]
            except NotOnScreen:
                if query.relation not in ("row", "for"):
                    raise
                cells = _across_row(anchor.text, analysis.words)
                if not cells:
                    raise
                try:
                    return [decide(cells, anchor, _said(anchor)).best]
                except Ambiguous:
                    return [_one_row(cells)]
        except GroundingError as exc:
            if isinstance(exc, Ambiguous) and exc.close:
                return exc.close  # the words in several places: narrow tells which is meant
            raise type(exc)(f"{anchor_role(query.relation)} cannot be told: {exc}") from None

    return behind_modal(narrow(query, found, image, anchor_of), modal_box(image))


def _one_row(found: list[Candidate]) -> Candidate:
    """The best of candidates that all lie on one row (a row's words read as overlapping
    runs: "15:00 Riverside v Harbour City", "Riverside v Harbour City Mill"): it names the
    row as well as any; else the ambiguity stands."""
    best = max(found, key=lambda c: c.score)
    rivals = [c for c in found if c.score >= best.score - NEAR_MARGIN]
    height = max(best.box[3] - best.box[1], 8.0)
    if any(abs(centre(c.box)[1] - centre(best.box)[1]) > 0.5 * height for c in rivals):
        # (each row's best: the row relation keeps the one where the element described is)
        rows: list[Candidate] = []
        for rival in sorted(rivals, key=lambda c: -c.score):
            if all(abs(centre(rival.box)[1] - centre(r.box)[1]) > 0.5 * height for r in rows):
                rows.append(rival)
        raise Ambiguous(f"the rows of {len(rivals)} places match about equally well: "
                        + "; ".join(c.describe() for c in rivals[:6]), close=rows)
    return best


def _across_row(name: str, words: Sequence[OcrWord]) -> list[Candidate]:
    """The row named by words in its cells: in order across two cells ("in the 18:45 Spin
    row"), in any order ("the failed develop row (#411)"), a code inside a longer token
    ("the hooks.slack.com row"); else without a last word no row holds, a noun for the row's
    item ("the running pipeline row"); else a value under its column's heading ("the row for
    cycle 2287": "2287" under "Cycle"). The cells' words."""
    found = (row_runs(words, name) if " " in name else []) or row_sets(words, name)
    head, _, noun = name.rpartition(" ")
    if not found and head and noun in ITEM_NOUNS:
        if " " in head:
            found = row_sets(words, head)
        else:  # a title ("Complete" over its card) rather than a sentence's first word
            exact = [run for run in runs(words, head) if run.similarity == 1.0]
            found = [run for run in exact if run.whole] or exact
    if not found:
        found = _under_its_heading(name, words)
    return [Candidate(TEXT, run.box, run.text, run.centre, run.similarity, run.similarity,
                      run.similarity == 1.0) for run in found]


def _under_its_heading(name: str, words: Sequence[OcrWord]) -> list[Run]:
    """The cells reading the end of `name` under a column headed by its start ("cycle 2287":
    "2287" under "Cycle"); else a code after a noun the screen does not say ("job JT-4121")."""
    parts = name.split()
    found = [run for k in range(1, len(parts)) for run in runs(words, " ".join(parts[k:]))
             if run.similarity == 1.0 and run.whole and headed(run.box, " ".join(parts[:k]), words)]
    if found or len(parts) < 2 or not parts[0].isalpha() or not any(c.isdigit() for c in parts[1]):
        return found
    return [run for run in runs(words, " ".join(parts[1:])) if run.similarity == 1.0]


def _said(query: Query) -> str:
    return " ".join(p for p in (repr(query.text) if query.text else "", query.kind_word) if p)
