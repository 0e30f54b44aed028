"""Two readings of one screenshot, one answer: when the grounder looked closer (magnify.py,
missed.py) after a first answer, which of the two answers stands, or an error naming both."""

from __future__ import annotations

from PIL import Image

from agent.errors import GroundingError
from agent.grounding.grounder import NotOnScreen
from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.describe import TEXT
from agent.grounding.ocr.ground import ground_in
from agent.grounding.ocr.rank import Ambiguous, Candidate, Decision, same_place
from agent.grounding.ocr.textmatch import norm

__all__ = ["looked_closer", "places", "recounted"]


def looked_closer(image: Image.Image, analysis: Analysis, decision: Decision,
                  closer: Analysis, description: str) -> tuple[Analysis, Decision]:
    """Words standing in for the widget described, or a field guessed from edges by its
    label (its own were not read, or it was not found): the closer reading decides, when it
    finds the widget or the same words elsewhere too (then it is an error: a legend's "Add
    webhook" is no button); when it finds less, the first answer stands (an open list's
    item read magnified as nothing, and only rivals it beat tie); words again, elsewhere and
    no surer: an error naming both."""
    try:
        looked = ground_in(closer, image, description)
    except NotOnScreen:
        return analysis, decision
    except Ambiguous as exc:
        beaten = all(any(same_place(c, r) for r in decision.rivals) for c in exc.close)
        if beaten and not any(same_place(c, decision.best) for c in exc.close):
            return analysis, decision
        raise
    if looked.best.kind == TEXT and decision.best.kind == TEXT and \
            looked.best.score <= decision.best.score and \
            not same_place(looked.best, decision.best):
        # only words again, elsewhere, no surer: the readings disagree ("£6.99 Remove" read
        # as one phrase put the Remove link next to Fast Track under it instead)
        raise _two_places(description, "answer", decision.best, looked.best)
    return closer, looked


def recounted(image: Image.Image, analysis: Analysis, decision: Decision, closer: Analysis,
              description: str) -> tuple[Analysis, Decision]:
    """An ordinal's count made again on the closer reading (a sibling the whole-screen pass
    dropped moves a count on to the next one unseen): where it answers elsewhere, the count
    over more places of the kind stands; else the readings disagree: an error naming both."""
    try:
        looked = ground_in(closer, image, description)
    except Ambiguous:
        raise  # (the closer reading doubts the count)
    except GroundingError:  # it counts fewer, or finds none: the first count stands
        return analysis, decision
    if same_place(looked.best, decision.best):
        return analysis, decision
    counted, recount = places(decision.best, analysis), places(looked.best, closer)
    if recount > counted:  # (more places read: the dropped sibling)
        return closer, looked
    if recount < counted and looked.best.kind == decision.best.kind:
        return analysis, decision  # (places the closer reading lost: "Edit edit")
    raise _two_places(description, "count to", decision.best, looked.best)


def places(best: Candidate, analysis: Analysis) -> int:
    """How many widgets of the answer's kind read its text (what an ordinal counted)."""
    return sum(1 for w in analysis.widgets or () if w.kind == best.kind
               and norm(w.text) == norm(best.text))


def _two_places(description: str, verb: str, first: Candidate, second: Candidate) -> Ambiguous:
    listed = "; ".join(c.describe() for c in (first, second))
    return Ambiguous(f"{description!r} is ambiguous: two readings of the screen {verb} two "
                     f"places: {listed}", close=[first, second])
