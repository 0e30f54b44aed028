"""Tie-breakers a description's words ask for, among places alike: a side menu's item ("in
the sidebar"), a drop-down ("the Place of birth drop-down"), a switch ("the Offers toggle"), a
filter bar's pill ("the Weekend filter"), a search bar's own field ("the search box")."""

from __future__ import annotations

from dataclasses import replace

from PIL import Image

from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.candidate import centre, rescored, text_inside
from agent.grounding.ocr.describe import Query
from agent.grounding.ocr.describe_words import MENU_KINDS
from agent.grounding.ocr.engines import Box
from agent.grounding.ocr.listed import stacked
from agent.grounding.ocr.rank import (
    MIN_SCORE,
    NEAR_MARGIN,
    Ambiguous,
    Candidate,
    Decision,
    WidgetLike,
    decide,
    listing,
)
from agent.grounding.ocr.textmatch import norm

__all__ = ["in_side_menu", "searched_bar", "the_filter", "the_menu", "the_switch"]

SWITCH_WORDS = frozenset({"toggle", "switch"})
FILTER_WORDS = frozenset({"filter"})  # (a "tag", a "pill" may be a badge)
BAR = 3  # buttons at least in a filter bar
LONGER = 1  # buttons more in the filter bar than in any other row holding the words
SWITCH_SHAPE = 1.5  # a switch is this many times as wide as high at least; a checkbox, square


def in_side_menu(query: Query, ranked: list[Candidate], analysis: Analysis,
                 image: Image.Image, description: str) -> Decision | None:
    """"Members in the sidebar": the place reading the words that is an item of a menu (a
    column of short lines) in a third of the screen at its side, whatever its kind (a
    sidebar's links are seldom underlined), rather than a link elsewhere holding the word
    ("See all open repairs"); None when none is, an error when menus at both sides are."""
    if not query.side or not ranked:
        return None
    width = image.width
    picked = [c for c in ranked if c.exact and stacked(c.box, analysis.words)
              and not width / 3 < c.point[0] < 2 * width / 3]
    if query.place is not None and query.place[0]:  # "in the sidebar on the left"
        picked = [c for c in picked if (c.point[0] < width / 2) == (query.place[0] < 0)]
    if len(picked) > 1 and (outer := _outermost(picked, width)) is not None:
        picked = [outer]  # (a panel's list of short lines beside the sidebar: "Messages")
    if len(picked) > 1:  # a menu down the left, a list of links down the right: either may
        # be called the sidebar (not the one a link's kind lifts)
        raise Ambiguous(f"{description!r} is ambiguous: {len(picked)} menus at the screen's "
                        f"sides read it: {listing(picked)} (say which: '… on the left', "
                        "'… on the right')", close=picked)
    return _preferred(picked, ranked, query, description) if picked else None


def _outermost(picked: list[Candidate], width: int) -> Candidate | None:
    """Of places on one side of the screen, the one wholly nearer its edge than the others
    (the sidebar's item, not a panel's heading in the column beside it); None when they
    stand on both sides, or overlap across."""
    if all(c.point[0] <= width / 3 for c in picked):
        first = min(picked, key=lambda c: c.box[0])
        apart = all(first.box[2] < c.box[0] for c in picked if c is not first)
    elif all(c.point[0] >= 2 * width / 3 for c in picked):
        first = max(picked, key=lambda c: c.box[2])
        apart = all(first.box[0] > c.box[2] for c in picked if c is not first)
    else:
        return None
    return first if apart else None


def the_menu(query: Query, ranked: list[Candidate], analysis: Analysis, description: str
             ) -> Decision | None:
    """"the Place of birth drop-down", a drop-down and a text field labelled alike: the one
    that is a drop-down (its arrow seen); None unless exactly one of those alike is."""
    if query.kind_word not in MENU_KINDS or not ranked:
        return None
    menus = {w.box for w in analysis.widgets or () if w.menu}
    alike = _alike(ranked)
    picked = [c for c in alike if c.box in menus]
    if len(picked) != 1 or len(alike) < 2:
        return None
    return _preferred(picked, ranked, query, description, lift=False)


def the_switch(query: Query, ranked: list[Candidate], description: str) -> Decision | None:
    """"the Offers and news toggle" in a settings row that also holds Email and SMS checkboxes:
    of the row's marks alike, the one drawn as a switch (a pill); None unless exactly one is."""
    if query.kind_word not in SWITCH_WORDS or not ranked:
        return None
    alike = _alike(ranked)
    picked = [c for c in alike if c.kind == "checkbox"
              and c.box[2] - c.box[0] >= SWITCH_SHAPE * (c.box[3] - c.box[1])]
    if len(picked) != 1 or len(alike) < 2:
        return None
    return _preferred(picked, ranked, query, description, lift=False)


def the_filter(query: Query, ranked: list[Candidate], analysis: Analysis, description: str
               ) -> Decision | None:
    """"the Weekend filter", a pill of the filter bar over a grid of cards whose badges say
    Weekend too: of buttons alike, the one in the longest row of buttons as high, each close
    after the one before, when that row holds BAR at least and LONGER more than any other's;
    else None."""
    if query.kind_word not in FILTER_WORDS or not ranked:
        return None
    alike = _alike(ranked)
    buttons = [w.box for w in analysis.widgets or () if w.kind == "button"]
    bars = sorted(((len(_bar(c.box, buttons)), c) for c in alike if c.kind == "button"),
                  key=lambda bar: -bar[0])
    if len(alike) < 2 or not bars or bars[0][0] < BAR or \
            (len(bars) > 1 and bars[0][0] - bars[1][0] < LONGER):
        return None
    return _preferred([bars[0][1]], ranked, query, description, lift=False)


def _bar(box: Box, boxes: list[Box]) -> list[Box]:
    """The row of boxes as high as `box` and level with it, each at most a box's height
    after the one before, that holds `box`."""
    height = box[3] - box[1]
    level = sorted((b for b in boxes if abs(b[1] - box[1]) <= 3 and abs(b[3] - box[3]) <= 3),
                   key=lambda b: b[0])
    bars: list[list[Box]] = []
    for b in level:
        if bars and b[0] - bars[-1][-1][2] <= height:
            bars[-1].append(b)
        else:
            bars.append([b])
    return next((bar for bar in bars if box in bar), [])


def searched_bar(query: Query, ranked: list[Candidate], analysis: Analysis, description: str
                 ) -> Decision | None:
    """"the search box" next to a Search button: of the fields on the button's row, the one
    no label names (its words inside it: a placeholder), not one labelled beside it ("Guests"
    between the search field and the button); None unless exactly one such."""
    if query.relation != "next" or query.anchor is None:
        return None
    said = [w for w in analysis.words if norm(w.text) == query.anchor.text]
    fields = {w.box: w for w in analysis.widgets or () if w.kind == "field"}
    picked = [c for c in ranked if c.box in fields and not _labelled(fields[c.box]) and any(
        abs(centre(c.box)[1] - centre(word.box)[1]) <= c.box[3] - c.box[1] for word in said)]
    return _preferred(picked, ranked, query, description) if len(picked) == 1 else None


def _alike(ranked: list[Candidate]) -> list[Candidate]:
    """The candidates scored within a near match's lead of the best (`ranked`: not empty)."""
    top = max(c.score for c in ranked)
    return [c for c in ranked if c.score >= top - NEAR_MARGIN]


def _preferred(picked: list[Candidate], ranked: list[Candidate], query: Query,
               description: str, lift: bool = True) -> Decision:
    """The one candidate picked, the rest at half their score; `lift`: the picked at least
    as sure as a clear answer (plain words the description's frame says are the widget)."""
    one = picked[0]
    if lift:
        one = replace(one, score=max(one.score, MIN_SCORE + NEAR_MARGIN))
    return decide([one, *(rescored(c, 0.5) for c in ranked if c is not picked[0])], query,
                  description)


def _labelled(field: WidgetLike) -> bool:
    """Whether words beside or above the field name it (not a placeholder inside it)."""
    return bool(field.text) and field.text_box is not None and not text_inside(field)
