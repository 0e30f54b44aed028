"""Candidates for a description, scored 0–1: widgets (C1's `find_widgets`) and runs of words.

A widget of the kind described beats the same words in running text; a kind with one instance
is found with no text; a field is answered with a point inside the field, never its label.
`decide` turns the scores into one answer with a confidence, or a `GroundingError` that lists
the candidates and their points: nothing weak or close to a rival is clicked silently.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image

from agent.errors import GroundingError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.candidate import (
    CLICKABLE,
    MARKS,
    Candidate,
    WidgetLike,
    centre,
    field_inside,
    inside,
    plausible_field,
    rescored,
    text_inside,
)
from agent.grounding.ocr.describe import TEXT, Query
from agent.grounding.ocr.describe_words import SIGN_NAMES
from agent.grounding.ocr.engines import SLIVER, Box, OcrWord
from agent.grounding.ocr.labels import RUN_FACTOR, labelled_fields, labelled_mark
from agent.grounding.ocr.listed import DROPPED, listed
from agent.grounding.ocr.textmatch import (
    MIN_SIMILARITY,
    MISREAD,
    Run,
    norm,
    runs,
    similarity,
    whole_phrases,
)

__all__ = ["Ambiguous", "Candidate", "Decision", "WidgetLike", "candidates", "decide", "same_place"]

MIN_SCORE = 0.5  # below this the best candidate is not what was described
MARGIN = 0.06  # a rival this close: two plausible targets, an error rather than a guess
NEAR_MARGIN = 0.15  # a near match (an OCR slip, a part of the text) needs this lead
DOUBTED = 0.5  # a guessed field whose label's text also labels nothing found elsewhere
TWIN_CONFIDENCE = 0.9  # at most this sure when a rival has the same text and kind
OUTSIDE_LIST = 0.85  # an option's words outside the drop-down list open on the screen
NEAR = 0.6  # text this similar is no answer, but a rival worth naming
UNREAD_RIVAL = 0.25  # the very words, this sure, are a rival when words said to tell places
# apart were not understood ("for the outbound flight": the other flight's link, not found)
BARE_SIGNS = frozenset({"×", "✕", "✖", "x", "+"})  # a phrase of one sign: a button drawn bare
BARE_SIGN = 0.8  # how surely such a sign is the button described
WORD_ONLY_FACTOR = 0.7  # the same when no widgets could be looked for: words are all there is
RELATED = {frozenset({"button", "tab"}): 0.8, frozenset({"button", "link"}): 0.75,
           frozenset({"tab", "link"}): 0.75, frozenset({"checkbox", "radio"}): 0.8,
           frozenset({"button", "icon"}): 0.75,
           # a size picker's toggle buttons, an open list's boxed rows: options too
           frozenset({"button", "radio"}): 0.7}


class Ambiguous(GroundingError):
    """Two or more candidates too close to tell apart (`close`); `exact`: each is of the kind
    described and reads its very text, so no better reading of the screen can tell them
    apart."""

    def __init__(self, message: str, *, exact: bool = False,
                 close: Sequence[Candidate] = ()) -> None:
        super().__init__(message)  # one argument: copies made by type(exc)(text) still work
        self.exact = exact
        self.close = list(close)


@dataclass(frozen=True)
class Decision:
    best: Candidate
    confidence: float
    rivals: list[Candidate]


def kind_factor(query: Query, kind: str, word_only: bool) -> float:
    """How well an element of `kind` fits the kinds the description names."""
    if not query.kinds or kind in query.kinds:
        return 1.0
    if kind == TEXT:
        return WORD_ONLY_FACTOR if word_only else RUN_FACTOR
    if TEXT in query.kinds:
        return 0.9  # "the Save text" on a button: the words are on the widget
    if kind == "link" and "field" in query.kinds:
        return 0.0  # a drop-down, a text box: never a link ("a collection" for "Collection
        # date")
    return max((RELATED.get(frozenset({kind, k}), 0.0) for k in query.kinds), default=0.0)


def _unslivered(words: Sequence[OcrWord]) -> list[OcrWord]:
    """The words but those boxed a few pixels high (an underline read as "View" where two
    OCR bands meet): no place to click, though still a sign of one (ordinals.py). A dash is
    as low as that, and stays."""
    usual = statistics.median([w.box[3] - w.box[1] for w in words]) if words else 0.0
    return [w for w in words if w.box[3] - w.box[1] >= SLIVER * usual
            or sum(c.isalnum() for c in w.text) < 2]


def candidates(query: Query, words: Sequence[OcrWord], widgets: Sequence[WidgetLike] | None,
               image: Image.Image, appeared: Sequence[Box] = ()) -> list[Candidate]:
    """Every plausible place for `query`'s text and kind, best first, one per place.
    `appeared`: boxes round what changed since the screenshot before (a list just opened)."""
    word_only = widgets is None
    shown = list(widgets or ())
    found: list[Candidate] = []
    words = _unslivered(words)
    if query.text:
        text_runs = runs(words, query.text, NEAR)
        if query.kinds & {"button", "icon"} and any(query.text in n for n in SIGN_NAMES.values()):
            # "the Close button": a × drawn bare, read alone (not a worded button's edge: "[x")
            text_runs += [replace(run, similarity=MISREAD) for run in whole_phrases(words)
                          if query.text in SIGN_NAMES.get(_sign(run.text), ()) and not any(
                              w.kind in ("button", "link") and inside(run.centre, w.box)
                              and sum(c.isalpha() for c in w.text) > 2 for w in shown)]
    elif not query.kinds or TEXT in query.kinds:
        text_runs = whole_phrases(words)
    else:
        text_runs = []
    for widget in shown:
        if widget.kind == "field" and not plausible_field(widget.box):
            continue
        accepted = kind_factor(query, widget.kind, word_only)
        if accepted == 0.0 or (not query.kinds and widget.kind not in CLICKABLE):
            continue
        sim, score, spot = _widget_similarity(widget, query.text, text_runs)
        if score < NEAR:
            continue
        if TEXT in query.kinds and widget.kind not in CLICKABLE and widget.text_box:
            # "the Apply label": the label's words, not the field or checkbox it names
            found.append(Candidate(TEXT, widget.text_box, widget.text, centre(widget.text_box),
                                   sim, score, score == 1.0))
        else:
            found.append(_widget_candidate(widget, sim, score, accepted, query.text, spot))
    # How surely each run is an item of an open drop-down, when an option is asked for
    items = [listed(run, words, shown, appeared) if query.kind_word == "option" and not word_only
             else 0.0 for run in text_runs]
    if any(items) and any(w.kind in ("radio", "checkbox")
                          and _own_text(w, query.text)[0] >= MIN_SIMILARITY for w in shown):
        # a radio button or checkbox says the option's words: a table's column saying them
        # too is no list to choose from ("Evening" in a price table beside the form's radio)
        items = [item if item >= DROPPED else 0.0 for item in items]
    for run, item in zip(text_runs, items, strict=True):
        found.extend(_run_candidates(query, run, shown, image, word_only, words, item))
    opened = [run.box for run, item in zip(text_runs, items, strict=True)
              if item >= DROPPED and run.similarity == 1.0 and run.whole]
    return distinct(_doubted(_open_list_first(found, opened)))


def _open_list_first(found: list[Candidate], items: Sequence[Box]) -> list[Candidate]:
    """An open drop-down's list covers the page and was opened to choose from: when one of its
    `items` reads the very words of the option described, the same words elsewhere (a radio
    button of the form beside it, a table's cell) are no rivals."""
    if not items:
        return found
    return [c if c.box in items else rescored(c, OUTSIDE_LIST) for c in found]


def _doubted(found: list[Candidate]) -> list[Candidate]:
    """A field guessed from the edges below or beside its label is doubted when the same text
    stands elsewhere as a label whose field was not found: which is the field's? (The fourth
    blind trial: a form's "IBAN" beside a field the finder missed, and a table's "IBAN" column
    header over a row, taken for the field: a silent wrong click.) So is a field holding the
    words among others (a placeholder's "Say something about your offer", under a "Your
    offer" label whose field, behind a "£" box, was not found)."""
    orphans = {norm(c.text) for c in found if c.kind == "label without a field"
               and c.similarity >= MIN_SIMILARITY}
    return [rescored(c, DOUBTED) if (c.guessed or (c.kind == "field" and not c.exact))
            and norm(c.text) in orphans else c for c in found]


Spot = tuple[float, float] | None  # where the words matched lie, when only a part matched


def _widget_similarity(widget: WidgetLike, text: str,
                       text_runs: Sequence[Run]) -> tuple[float, float, Spot]:
    """How well the widget's own text, or words read inside it, are `text`: (similarity of the
    words matched, that times the share of the widget's text they are, where those words are
    when they are only a part); (1, 1, None): no text asked."""
    if not text:
        return 1.0, 1.0, None
    best = _own_text(widget, text)
    where = widget.box if widget.kind in CLICKABLE else (widget.text_box or widget.box)
    for run in text_runs:
        part = _part(run, widget)
        if part < 1.0 and widget.kind not in CLICKABLE and widget.text_box is not None and \
                run.box[0] - widget.text_box[0] > 1.5 * (run.box[3] - run.box[1]):
            continue  # a label's later words may be the next box's label read with it
        fits = _holds(where, run.box) if widget.kind in CLICKABLE else inside(run.centre, where)
        if fits and run.similarity * part >= best[1]:
            best = run.similarity, run.similarity * part, None if part == 1.0 else run.centre
    return best


def _holds(where: Box, text: Box) -> bool:
    """Whether words at `text` may be a widget's at `where`: their middle in it, and not much
    wider (a title's "Move box" is not the text of a small "+" box among its letters)."""
    slack = 0.5 * (text[3] - text[1])
    return inside(centre(text), where) and where[0] - slack <= text[0] and \
        text[2] <= where[2] + slack


def _own_text(widget: WidgetLike, text: str) -> tuple[float, float, Spot]:
    """The best run of the widget's own words (read from its crop, maybe) for `text`; a part's
    place is estimated along the text box by character count."""
    own = norm(widget.text)
    if text in SIGN_NAMES.get(own, ()):
        return 1.0, 1.0, None  # "the close button": the ×
    words = own.split()
    best: tuple[float, float, Spot] = (similarity(own, text), similarity(own, text), None) \
        if own else (0.0, 0.0, None)
    wanted = len(text.split())
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + wanted + 2) + 1):
            part = " ".join(words[start:end])
            sim = similarity(part, text)
            score = sim * (1.0 if part == own else 0.7 + 0.2 * len(part) / len(own))
            if not (start == 0 or widget.kind in CLICKABLE or _phrase(words, start)
                    or (widget.kind == "field" and text_inside(widget))):
                continue  # (a label is matched from its start: "SMS Phone" is not the Phone
                # option; a field's placeholder is one phrase: "Write your message…")
            offset = len(" ".join(words[:start])) + (1 if start else 0)
            if score > best[1]:
                best = sim, score, _along(widget.text_box, offset, len(part), len(own))
            elif sim == 1.0 > best[0]:  # "Pending 4", a tab and its count: the very words,
                # however like the whole they are (no misread of "Pending")
                best = sim, best[1], _along(widget.text_box, offset, len(part), len(own))
    return best


def _phrase(words: Sequence[str], start: int) -> bool:
    """Whether a later word of a mark's label still names the mark: a label that is a phrase
    of words ("I agree to the Terms of Service": the terms checkbox), not two labels read as
    one ("SMS Phone")."""
    return len(words) >= 4 and all(w.isalpha() for w in words[:start])


def _along(box: Box | None, offset: int, length: int, total: int) -> Spot:
    if box is None or total == 0:
        return None
    width = box[2] - box[0]
    return box[0] + width * (offset + length / 2) / total, (box[1] + box[3]) / 2


def _part(run: Run, widget: WidgetLike | None = None) -> float:
    """1.0 for words that are all of their widget's (or phrase's) text; less for a part:
    "Book" is not the button "Seat book payment"."""
    if widget is not None and widget.text:
        whole, part = norm(widget.text), norm(run.text)
        if whole == part or len(part) >= len(whole):
            return 1.0
        return 0.7 + 0.2 * len(part) / max(len(whole), 1)
    return 1.0 if run.whole else 0.7 + 0.2 * run.coverage


def _widget_candidate(widget: WidgetLike, sim: float, score: float, factor: float,
                      text: str, spot: Spot = None) -> Candidate:
    """`spot`: where the words matched are, when they are a part of the widget's text: a link
    or tab read together with its neighbour is acted on at the words meant, not between."""
    exact = score == 1.0 and (not text or norm(widget.text) in ("", text))
    point = spot if spot is not None and widget.kind in CLICKABLE else _point(widget)
    return Candidate(widget.kind, widget.box, widget.text, point, sim, score * factor, exact)


def _point(widget: WidgetLike) -> tuple[float, float]:
    """Where to act on a widget: a link on its words (its box may take in the space around
    them), a field inside it near its left edge, anything else at its centre."""
    if widget.kind == "field":
        return field_inside(widget.box)
    if widget.kind == "link" and widget.text_box is not None:
        return centre(widget.text_box)
    return centre(widget.box)


def _sign(text: str) -> str:
    """The sign a phrase of one stands for (a × read as the letter x), else ''."""
    sign = norm(text)
    sign = "×" if sign == "x" else sign
    return sign if sign in BARE_SIGNS else ""


def _run_candidates(query: Query, run: Run, widgets: Sequence[WidgetLike], image: Image.Image,
                    word_only: bool, words: Sequence[OcrWord], item: float
                    ) -> list[Candidate]:
    """The words themselves, or the widget they belong to, or the field they label; `item`:
    how surely they are an item of an open drop-down (`listed`)."""
    # (a widget that is a part of the run is not its owner: a junk link "15" found in an open
    # list's "Sun 15 June")
    owner = next((w for w in widgets if w.kind in CLICKABLE and _holds(w.box, run.box)), None)
    if owner is None and not query.kinds:  # "Dark mode", "Name": the widget they label
        owner = next((w for w in widgets if w.kind not in CLICKABLE and w.text_box is not None
                      and inside(run.centre, w.text_box, 2)), None)
    text_sim = run.similarity * _part(run, owner)
    if owner is not None:  # the words on a button: the button (scored with its own kind)
        factor = kind_factor(query, owner.kind, word_only)
        point = _point(owner) if _part(run, owner) == 1.0 else run.centre
        return [Candidate(owner.kind, owner.box, run.text, point, run.similarity,
                          text_sim * factor, run.similarity == 1.0 and text_sim == 1.0)
                ] if factor else []
    exact = run.similarity == 1.0 and run.whole
    if "field" in query.kinds and query.text:
        return labelled_fields(run, text_sim, words, widgets, image, word_only,
                               drop_down="button" in query.kinds)
    if query.kinds and query.kinds <= MARKS and not word_only:
        return labelled_mark(run, text_sim, widgets, query.kinds, image, item)
    if run.whole and _sign(run.text) and query.kinds & {"button", "icon"}:
        # a close × or a + alone, no box drawn round it (a dialog's header): a button
        return [Candidate("button", run.box, run.text, run.centre, run.similarity,
                          text_sim * BARE_SIGN, exact)]
    factor = kind_factor(query, TEXT, word_only)
    return [Candidate(TEXT, run.box, run.text, run.centre, run.similarity, text_sim * factor,
                      exact)]


def distinct(found: Sequence[Candidate]) -> list[Candidate]:
    """Best first, one per place: a candidate whose point lies in a better one's box, or whose
    box overlaps it, is the same target."""
    kept: list[Candidate] = []
    for candidate in sorted(found, key=lambda c: (-c.score, c.box[1], c.box[0])):
        if not any(same_place(candidate, k) for k in kept):
            kept.append(candidate)
    return kept


def same_place(a: Candidate, b: Candidate) -> bool:
    """One target: most of the smaller box lies in the other (tabs that share a border are
    two), or one's point is in the other's box."""
    width = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    height = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    smaller = min(_area(a.box), _area(b.box))
    if width > 0 and height > 0 and width * height > 0.5 * smaller:
        return True
    return inside(a.point, b.box) or inside(b.point, a.box)


def _area(box: Box) -> float:
    return max(box[2] - box[0], 1.0) * max(box[3] - box[1], 1.0)


def listing(found: Sequence[Candidate], limit: int = 6) -> str:
    return "; ".join(f"{c.describe()} score {c.score:.2f}" for c in found[:limit])


def _more_words(candidate: Candidate, query: Query) -> bool:
    """Whether the candidate reads words besides the text described (not a count)."""
    said = set(query.text.split())
    return not candidate.exact and any(
        any(ch.isalpha() for ch in word) and word not in said
        for word in norm(candidate.text).split())


def decide(found: Sequence[Candidate], query: Query, description: str) -> Decision:
    """The answer, or an error naming the candidates: none good enough, or two too close."""
    ranked = sorted(found, key=lambda c: (-c.score, -c.similarity))
    what = repr(query.text) if query.text else f"a {query.kind_word or 'element'}"
    good = [c for c in ranked if c.similarity >= MIN_SIMILARITY]
    if not good:
        if query.text:
            raise NotOnScreen(f"no text like {query.text!r} on the screen for {description!r}; "
                              f"closest: {listing(ranked, 3) or 'none'}")
        raise NotOnScreen(f"no {query.kind_word or 'element'} on the screen for {description!r}")
    best = good[0]
    rivals = [c for c in ranked if c is not best]  # a weaker text may still score as high
    second = max((c.score for c in rivals), default=0.0)
    confidence = max(0.0, best.score * min(1.0, 0.5 + (best.score - second) / 0.3))
    if best.score < MIN_SCORE:
        raise NotOnScreen(f"no {query.kind_word or 'element'} like {what} on the screen for "
                          f"{description!r}, only: {listing(ranked)}")
    needed = MARGIN if best.exact else NEAR_MARGIN  # a misread or a part: a clear lead
    # a near text ("Logon" for "Login") where the very text is on the screen too: no guess;
    # other words ("Saturday" for "Sunday") do not tie with the very words
    # (a widget holding the words among other words, where they stand alone as plain words
    # too: "See all open repairs" for "the Repairs link", a sidebar's "Repairs" not seen as
    # one; a count beside them, "Pending 4", is no other words)
    close = [best, *(c for c in rivals if (best.score - c.score < needed and not
                                           best.similarity >= 1.0 > MIN_SIMILARITY > c.similarity)
                     or (best.similarity < 1.0 <= c.similarity and c.score >= MIN_SCORE)
                     or (c.kind == TEXT and c.exact and c.score >= MIN_SCORE
                         and best.kind != TEXT and _more_words(best, query))
                     or (query.unread and c.similarity >= 1.0 and c.score >= UNREAD_RIVAL))]
    if len(close) > 1:
        exact = all(c.similarity >= 1.0 and (not query.kinds or c.kind in query.kinds)
                    for c in close)
        unread = f" ({query.unread!r} was not understood)" if query.unread else ""
        raise Ambiguous(f"{description!r} is ambiguous{unread}: {len(close)} places match {what} "
                        f"about equally well: {listing(close)} (say which: quote its text, "
                        "or add 'the second …', '… next to X', '… in the row with X', "
                        "'… at the top')", exact=exact, close=close)
    if any(c.kind == best.kind and norm(c.text) == norm(best.text) for c in rivals):
        confidence = min(confidence, TWIN_CONFIDENCE)  # told apart by place, not by itself
    return Decision(best, round(confidence, 3), rivals[:5])
