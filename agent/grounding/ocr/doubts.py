"""Doubts about an answer already chosen: reasons the choice may rest on a misreading, which
make grounding an error that names the choice rather than a click on it. A count that may
have missed a misread place (ordinals.py) or that crosses a grid's cards standing a line
apart, an item counted that has no such widget, a row's widget that only partly reads the
words said while widgets of its kind read them whole in other rows, and a widget guessed by
its words alone that a missed pill may say too."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image

from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.candidate import Candidate, centre, gap, overlaps
from agent.grounding.ocr.describe import TEXT, Query
from agent.grounding.ocr.engines import Box
from agent.grounding.ocr.ordinals import rowless, uncounted
from agent.grounding.ocr.rank import Ambiguous, candidates
from agent.grounding.ocr.textmatch import norm, runs

__all__ = ["doubted", "on_screen", "read_elsewhere"]

ASK_ROW = "(say which: '… in the row with X')"
LEVEL_GAP = 4.0  # text heights at most between a row's pill and the words of one missed


def doubted(query: Query, best: Candidate, ranked: Sequence[Candidate], analysis: Analysis,
            description: str) -> Ambiguous | None:
    """The error to raise instead of answering `best`, or None when nothing casts doubt."""
    if query.ordinal is not None and query.ordinal > 0 and \
            (missed := uncounted(best, ranked, analysis.words)):
        return Ambiguous(f"{description!r} cannot be counted surely: {missed[0].text!r} at "
                         f"{_at(missed[0].box)} may be another, misread {ASK_ROW}", close=[best])
    if query.ordinal is not None and query.relation not in ("row", "for") and \
            (unsure := unsure_order(best, ranked)):  # (in a row said, counted along it)
        return Ambiguous(f"{description!r} cannot be counted surely: {unsure[0].describe()} "
                         f"stands neither on {best.describe()}'s row nor clearly above or "
                         f"below it (cards of a grid?) {ASK_ROW}", close=[best, *unsure])
    backwards = query.ordinal is not None and query.ordinal < 0
    if query.itemwise and (bare := rowless(best, ranked, analysis.widgets or (), backwards)):
        return Ambiguous(f"{description!r} counts items, and one "
                         f"{'after' if backwards else 'before'} it has no "
                         f"{best.text!r}: its {bare[0].text!r} at {_at(bare[0].box)} "
                         f"{ASK_ROW}", close=[best])
    if query.relation in ("row", "for") and (whole := said_whole_elsewhere(best, ranked)):
        return Ambiguous(f"{description!r}: the row found holds only {best.describe()}, and "
                         f"{len(whole)} other rows a {best.kind} reading {query.text!r} whole, "
                         f"as {whole[0].describe()}: the row may be misread {ASK_ROW}",
                         close=[best, *whole])
    return None


UNSURE_ROWS = 2.5  # heights apart at most that two places may be on one row of a grid


def unsure_order(best: Candidate, ranked: Sequence[Candidate]) -> list[Candidate]:
    """The places alike `best` (its kind and words) that a count may put before or after it:
    beside it, but lower or higher by a line or two, as the links of a grid's cards whose
    texts run to more lines or fewer ("the second Read story link": Pip's, though Luna's, in
    the third card, stands higher)."""
    height = max(best.box[3] - best.box[1], 8.0)
    read = norm(best.text)
    return [c for c in ranked if c is not best and c.kind == best.kind and norm(c.text) == read
            and height / 2 <= abs(centre(c.box)[1] - centre(best.box)[1]) < UNSURE_ROWS * height
            and (c.box[2] <= best.box[0] or best.box[2] <= c.box[0])]


def said_whole_elsewhere(best: Candidate, ranked: Sequence[Candidate]) -> list[Candidate]:
    """For "the Add button in the Bubble wrap row" answered by an "Add kit to basket" button:
    the widgets of its kind reading the words whole ("Add") in other rows. The row's words
    were then likely found in the wrong place (a sentence's "bubble wrap", the row's own name
    misread "Bubble wra,"); none when `best` reads them whole, or only misread, or reads what
    they read (a column's heading naming each row's checkbox, "48V")."""
    if best.exact or best.similarity < 1.0:
        return []
    read = norm(best.text)
    return [c for c in ranked if c.exact and c.kind == best.kind and norm(c.text) != read]


def read_elsewhere(guess: Query, best: Candidate, analysis: Analysis) -> bool:
    """Whether the answer's words stand elsewhere whole, in no widget but level with widgets of
    its kind, as a row of pills' one the finder missed, or in another widget of its kind with
    a count: a widget guessed by its words alone (no relation said) is then unsure ("the Open
    24h filter": a card's "Open 24h" badge, and the filter bar's first pill, not found; "the
    Ready filter button": a row's "Ready" badge, and the filter bar's "Ready 2")."""
    if guess.relation is not None:
        return False
    widgets = analysis.widgets or ()
    read = norm(best.text)
    if any(w.kind == best.kind and not overlaps(w.box, best.box) and norm(w.text) != read
           and " ".join(p for p in norm(w.text).split() if not p.isdigit()) == read
           for w in widgets):
        return True
    for run in runs(analysis.words, read):
        height = run.box[3] - run.box[1]
        if run.similarity < 1.0 or not run.whole or overlaps(run.box, best.box) or any(
                overlaps(w.box, run.box) or (w.text_box and overlaps(w.text_box, run.box))
                for w in widgets):
            continue  # (not another widget's words, nor its label)
        if any(w.kind == best.kind and abs(centre(w.box)[1] - run.centre[1]) <= height
               and gap(w.box, run.box) <= LEVEL_GAP * height for w in widgets):
            return True
    return False


def _at(box: Box) -> tuple[int, ...]:
    return tuple(round(v) for v in centre(box))


def on_screen(query: Query, analysis: Analysis, image: Image.Image) -> str:
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
