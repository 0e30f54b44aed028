"""The parts of a description that narrow its candidates: colour, place on the screen, a
relation to another element, an ordinal. Each lowers the scores of the candidates that do not
fit (`rank.decide` then picks, or says why it cannot)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from PIL import Image

from agent.errors import GroundingError
from agent.grounding.ocr.candidate import MARKS, Candidate, centre, inside, overlaps, rescored
from agent.grounding.ocr.describe import TEXT, Query
from agent.grounding.ocr.engines import Box
from agent.grounding.ocr.rank import MIN_SCORE, Ambiguous
from agent.grounding.ocr.relations import how_far
from agent.grounding.ocr.textmatch import norm, similarity

__all__ = ["anchor_role", "colours", "narrow"]

MISFIT = 0.4  # a candidate that does not fit a part of the description keeps this share
KIND_LEAD = 0.3  # an anchor's place where the kind described fits this much better is meant
# PIL's hue (0–255) → colour names, upper bounds.
HUES = [(11, "red"), (28, "orange"), (46, "yellow"), (120, "green"), (185, "blue"),
        (213, "purple"), (242, "pink"), (256, "red")]

# The element a relation is to: one, or the places an ambiguous anchor's words stand in
Anchor = Callable[[Query], list[Candidate]]
AREAS = frozenset({"text area", "textarea", "area", "editor"})  # fields of several lines


def narrow(query: Query, found: Sequence[Candidate], image: Image.Image,
           anchor_of: Anchor) -> list[Candidate]:
    """`found` rescored by the description's colour, place, relation and ordinal."""
    result = list(found)
    if query.colour is not None:
        fits = [query.colour in colours(image, c.box) for c in result]
        if any(fits):  # no candidate of that colour: the colour was misjudged, not the rest
            result = [c if fit else rescored(c, MISFIT)
                      for c, fit in zip(result, fits, strict=True)]
    if query.kind_word in AREAS:
        result = _tall(result)
    if query.size is not None:
        result = _sized(query.size, result)
    if query.relation is not None and query.anchor is not None:
        result = _in_relation(query, result, image, anchor_of(query.anchor))
    if query.column is not None:  # and in the column under that heading: a table's cell
        heading = replace(query, relation="column", anchor=query.column, column=None)
        result = _in_relation(heading, result, image, anchor_of(query.column), cards=False)
    if query.ordinal is not None:  # "the second tab from the right": counted from there
        backwards = query.ordinal > 0 and query.place is not None and max(query.place) > 0
        result = _ordinal(-query.ordinal if backwards else query.ordinal, result, query)
    elif query.place is not None:
        result = _placed(query.place, result, image.size)
    return sorted(result, key=lambda c: -c.score)


def colours(image: Image.Image, box: Box) -> set[str]:
    """The colour names of a box: its saturated hues when there are enough of them, else black,
    white or grey."""
    left, top, right, bottom = (round(v) for v in box)
    if right <= left or bottom <= top:
        return set()
    crop = image.crop((left, top, right, bottom)).convert("HSV")
    crop.thumbnail((48, 48))
    data = crop.tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    saturated = [h for h, s, v in pixels if s > 90 and v > 60]
    if len(saturated) >= 0.08 * len(pixels):
        names: dict[str, int] = {}
        for hue in saturated:
            name = next(n for bound, n in HUES if hue < bound)
            names[name] = names.get(name, 0) + 1
        return {n for n, count in names.items() if count >= 0.3 * len(saturated)}
    values = sorted(v for _h, _s, v in pixels)
    median = values[len(values) // 2]
    return {"black" if median < 60 else "white" if median > 215 else "grey"}


def _tall(found: list[Candidate]) -> list[Candidate]:
    """A text area is taller than a one-line field: when some fields are, the others lose."""
    heights = [c.box[3] - c.box[1] for c in found if c.kind == "field"]
    if not heights or max(heights) < 1.8 * min(heights):
        return found
    return [c if c.kind != "field" or c.box[3] - c.box[1] >= 1.8 * min(heights)
            else rescored(c, MISFIT) for c in found]


def _sized(size: int, found: list[Candidate]) -> list[Candidate]:
    """The biggest (or smallest) of the good candidates by area; the others lose with how much
    smaller (bigger) they are."""
    good = [c for c in found if c.score >= MIN_SCORE]
    if len(good) < 2:
        return found
    areas = {id(c): (c.box[2] - c.box[0]) * (c.box[3] - c.box[1]) for c in found}
    extreme = max(areas[id(c)] for c in good) if size > 0 else min(areas[id(c)] for c in good)
    return [c if areas[id(c)] * size >= extreme * size else
            rescored(c, 1.0 - min(0.5, abs(areas[id(c)] - extreme) / max(extreme, areas[id(c)])))
            for c in found]


def _ordinal(ordinal: int, found: list[Candidate], query: Query) -> list[Candidate]:
    """The n-th (or last) of the good candidates in reading order; the rest lose."""
    if not found:
        return found
    top = max(c.score for c in found)
    # The same words standing alone count too: a link or button the widget finder missed is
    # still one of "the Remove links" (the second is not the third because one was missed).
    eligible = [c for c in found if c.score >= max(MIN_SCORE, top - 0.15)
                or (c.kind == TEXT and c.exact and query.text)]
    ordered = _reading_order(eligible)
    index = ordinal - 1 if ordinal > 0 else len(ordered) + ordinal
    if not 0 <= index < len(ordered):
        what = query.kind_word or "match"
        raise GroundingError(f"there is no {_nth(ordinal)} {what}: {len(ordered)} on the "
                             f"screen match ({'; '.join(c.describe() for c in ordered[:6])})")
    chosen = ordered[index]
    # (another word near the one said, counted before the chosen, makes the count unsure: a
    # "Massage" filter chip over the cards' "Message" buttons)
    counted = ordered[:index] if ordinal > 0 else ordered[index + 1:]
    near = [c for c in counted if c.similarity < 1.0 <= chosen.similarity]
    if near:
        raise Ambiguous(f"the {_nth(ordinal)} {query.kind_word or 'match'} cannot be counted "
                        f"surely: {near[0].describe()} may or may not be one (say which: "
                        "'… in the row with X')", close=[chosen, *near])
    if chosen.kind == TEXT and chosen.score < top:  # a missed widget's words: the element
        chosen_now = replace(chosen, score=top)
        return [chosen_now if c is chosen else rescored(c, 0.5) for c in found]
    return [c if c is chosen else rescored(c, 0.5) for c in found]


def _nth(ordinal: int) -> str:
    if ordinal == -1:
        return "last"
    if ordinal < 0:
        return f"{-ordinal}th from last"
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(ordinal, f"{ordinal}th")


def _reading_order(found: Sequence[Candidate]) -> list[Candidate]:
    """Top to bottom by rows (centres within half a height are one row), left to right."""
    by_y = sorted(found, key=lambda c: centre(c.box)[1])
    rows: list[list[Candidate]] = []
    for candidate in by_y:
        height = candidate.box[3] - candidate.box[1]
        if rows and centre(candidate.box)[1] - centre(rows[-1][0].box)[1] < max(height, 8) / 2:
            rows[-1].append(candidate)
        else:
            rows.append([candidate])
    return [c for row in rows for c in sorted(row, key=lambda c: c.box[0])]


def _placed(place: tuple[int, int], found: list[Candidate],
            size: tuple[int, int]) -> list[Candidate]:
    """Towards a screen edge or corner (or the middle): the most extreme candidate keeps its
    score, the others lose with their distance from it."""
    if not found:
        return found
    width, height = size
    dx, dy = place

    def key(c: Candidate) -> float:
        x, y = c.point
        if place == (0, 0):
            return -math.hypot((x - width / 2) / width, (y - height / 2) / height)
        return dx * x / width + dy * y / height

    good = [c for c in found if c.score >= MIN_SCORE] or found
    best = max(key(c) for c in good)
    return [rescored(c, 1.0 - min(0.5, max(0.0, best - key(c)) * 4)) for c in found]


def _card(image: Image.Image, text: Box, *, tall: bool, under: bool = False) -> Box | None:
    """The card `text` stands on (cards.py), or, `under`, the card whose title strip `text`
    is; None when there is none, or without OpenCV (the `ocr` extra)."""
    try:
        from agent.grounding.ocr.cards import card_around, card_under
    except ImportError:
        return None
    return (card_under if under else card_around)(image, text, tall=tall)


def _ruled(image: Image.Image, text: Box) -> Box | None:
    """The list item `text` heads, between two rules (cards.py); None without OpenCV."""
    try:
        from agent.grounding.ocr.cards import ruled_item
    except ImportError:
        return None
    return ruled_item(image, text)


def _in_relation(query: Query, found: list[Candidate], image: Image.Image,
                 anchors: list[Candidate], *, cards: bool = True) -> list[Candidate]:
    """`found` rescored by their relation to the anchor. Words the anchor names standing in
    several places ("next to Rovers": a checkbox's label, a table's cell) mean the one place
    where something good fits; when more than one has, the anchor cannot be told. `cards`:
    a column may be a board's panel (not a table's, whose panel holds every column)."""
    fitting = [related for anchor in anchors
               if (related := _related_to(query, found, image, anchor, cards)) is not None]
    holding = [r for r in fitting if max((c.score for c in r), default=0.0) >= MIN_SCORE]
    if not holding and query.text and query.relation in ("next", "below"):  # "the High
        # radio button next to Likelihood": nothing good beside the words, which head a group
        # of options (one named by its own words: under a heading reaches far right)
        under = _in_relation(replace(query, relation="under"), found, image, anchors)
        if query.relation == "below" or (query.kinds and query.kinds <= {"radio", "checkbox"}):
            return under
        # A button or link next to a row's name: on the line just under it at most (a basket
        # item's Save for later under its Remove), not the next row's (the Chai row's Add
        # when this row's was read "(add")
        return [c if any(_just_under(c.box, a.box) for a in anchors)
                else rescored(c, MISFIT * 0.5) for c in under]
    if len(holding) > 1 and query.kinds:  # where the kind described fits best, not words
        # alike ("High" under the table's Likelihood: a badge; the form's: a radio button)
        kinded = sorted(((max((c.score for c in r if c.kind in query.kinds), default=0.0), r)
                         for r in holding), key=lambda fit: -fit[0])
        (top, best), (second, _r) = kinded[:2]
        if top >= MIN_SCORE and top - second >= KIND_LEAD:
            holding = [best]
    if len(anchors) == 1 or len(holding) == 1:
        return (holding or fitting or [[rescored(c, MISFIT * 0.5) for c in found]])[0]
    # The words twice in one row (a label's pill and its description): both anchors point at
    # the same element, which is then told
    bests = [max(r, key=lambda c: c.score) for r in holding]
    if len({best.point for best in bests}) == 1:
        return max(holding, key=lambda r: max(c.score for c in r))
    places = "; ".join(a.describe() for a in anchors[:6])
    raise Ambiguous(f"{anchor_role(query.relation)} cannot be told: its words stand in "
                    f"{len(anchors)} places and {len(holding)} fit: {places} (say which: "
                    "quote more of its text, or add '… in the row with X', '… at the top')")


def anchor_role(relation: str | None) -> str:
    """What the anchor is to the element described, for messages."""
    if relation in ("row", "for"):
        return "the row it is in"
    if relation == "column":
        return "the column it is in"
    words = {"right": "right of", "left": "left of", "next": "next to"}
    return f"the element it is {words.get(relation or 'next', relation)}"


def _related_to(query: Query, found: list[Candidate], image: Image.Image, anchor: Candidate,
                cards: bool = True) -> list[Candidate] | None:
    """`found` in the relation to `anchor`, inside the card it stands on for "for"; None when
    none fits."""
    tall = query.relation == "column"
    card = _card(image, anchor.box, tall=tall) \
        if cards and query.relation in ("for", "column", "row") else None
    if card is None and cards and query.relation == "for":  # a panel over half the screen
        # high (zoomed in), short of its top and bottom: no sidebar
        panel = _card(image, anchor.box, tall=True)
        card = panel if panel is not None and panel[1] > 0 and panel[3] < image.height else None
    titled = _card(image, anchor.box, tall=False) if card is None and cards and \
        query.relation == "below" else None  # "the Details link under Solar panels": on
    # the card it titles, however far down or along (not the next card's, nearer its title)
    in_titled = _related(query, found, anchor, titled) if titled is not None else None
    if any(c.score >= MIN_SCORE for c in in_titled or ()):
        return in_titled
    if card is None:
        related = _related(query, found, anchor, None)
        if any(c.score >= MIN_SCORE for c in related or ()):
            return related
        item = _ruled(image, anchor.box) if cards and query.relation == "for" else None
        in_item = _related(query, found, anchor, item) if item is not None else None
        if any(c.score >= MIN_SCORE for c in in_item or ()):
            return in_item  # "the Message button for Theo": at the right of its list item
        if query.relation in ("row", "column"):
            return _in_cells(query, found, image, anchor) or related
        return in_titled or related
    # Nothing of the kind in the card: the region was a title's coloured strip, over the
    # card's body or on a card (a bank card's picture over its Freeze button), or no card
    if inside := _related(query, found, anchor, card):
        return inside
    for outer in (_card(image, card, tall=tall, under=True), _card(image, card, tall=tall)):
        if outer is not None and outer != card and \
                (inside := _related(query, found, anchor, outer)):
            return inside
    return _related(query, found, anchor, None)


def _in_cells(query: Query, found: Sequence[Candidate], image: Image.Image,
              anchor: Candidate) -> list[Candidate] | None:
    """`found` in a row or column of a grid of cards: those of the kind described on a card
    beside the row's name whose height spans its line, or under the column's heading,
    spanning its middle, when another card of the grid lines up with it ("Sign up" under "No
    one yet" in the card of the Afternoon appointments row, Wed 9 column; not a side panel's
    button beside a table's row); None when none is."""
    x, y = centre(anchor.box)
    row = query.relation == "row"
    # (the cards of every element of the kind: the grid's other cells, however they scored)
    cards = [_card(image, c.box, tall=False) if not query.kinds or c.kind in query.kinds
             else None for c in found]
    sides = (1, 3) if row else (0, 2)  # a row's cards share their top and bottom

    def placed(card: Box) -> bool:  # beside the row's name across its line, or under the heading
        if row:
            beside = card[0] >= anchor.box[2] or card[2] <= anchor.box[0]
            return card[1] <= y <= card[3] and beside
        return card[0] <= x <= card[2] and card[1] >= anchor.box[3]

    def gridded(card: Box) -> bool:  # another card of the grid lines up with it
        return any(other is not None and other != card
                   and all(abs(card[k] - other[k]) <= 3 for k in sides) for other in cards)

    fits = [card is not None and candidate.score >= MIN_SCORE and placed(card) and gridded(card)
            for candidate, card in zip(found, cards, strict=True)]
    if not any(fits):
        return None
    return [c if fit else rescored(c, MISFIT * 0.5) for c, fit in zip(found, fits, strict=True)]


def _related(query: Query, found: Sequence[Candidate], anchor: Candidate, card: Box | None
             ) -> list[Candidate] | None:
    """Candidates in the relation to `anchor` (inside its `card`, when it stands on one); the
    nearest fitting one keeps its score. None when none fits."""
    height = max(anchor.box[3] - anchor.box[1], 8.0)
    named = query.anchor.text if query.anchor is not None else ""
    fits: dict[int, float] = {}
    for index, candidate in enumerate(found):
        if anchor.kind != TEXT and (overlaps(candidate.box, anchor.box)
                                    or candidate.point == anchor.point):
            continue  # the anchor itself
        if query.relation in ("row", "for") and inside(centre(anchor.box), candidate.box):
            continue  # the box the row's name stands in (a table's bordered cell) is no
            # widget of the row
        if query.relation == "column" and anchor.kind != TEXT and (
                candidate.box[0] >= anchor.box[2] or candidate.box[2] <= anchor.box[0]):
            continue  # a heading's own box (a table's header cell) is as wide as its column
        # A candidate reading the very words described is told apart by the relation's
        # direction alone ("the Rovers checkbox under Follow teams", the list's fifth)
        own = bool(query.text) and candidate.exact and candidate.kind != TEXT
        distance = how_far(query.relation or "next", anchor.box, candidate.box, height,
                           card, reach=not own, widget=candidate.kind != TEXT)
        if distance is not None and anchor.kind == TEXT and named and candidate.text and \
                candidate.kind != TEXT and similarity(norm(candidate.text), named) >= 0.8:
            # The widget the anchor's text labels: "the checkbox next to X" when it is of the
            # kind asked for; else it is X itself ("the box next to Custom": not Custom's
            # radio button, the field beside it)
            if not query.kinds or candidate.kind in query.kinds:
                fits[index] = 0.0
            continue
        if _shares(candidate.box, anchor.box):
            if anchor.kind == TEXT and candidate.kind in MARKS and \
                    candidate.box[0] <= anchor.box[0] + 2 and candidate.kind in query.kinds:
                fits[index] = 0.0  # the words start with the mark they label, its ring or box
            continue  # read as a word ("(© Laccept the fare rules"); else the anchor itself
        if distance is not None:
            fits[index] = distance
    if not fits:
        return None
    if query.relation == "below":  # "the field below Street address": the field it labels
        # (reading it, or just under it), or, with an unlabelled one just under that (an
        # address's second line), that one
        for index in [i for i, d in fits.items() if found[i].kind == "field" and (
                d == 0.0 or _just_under(found[i].box, anchor.box))]:
            fits.update({k: 0.0 for k, c in enumerate(found) if c.kind == "field"
                         and not c.text and _just_under(c.box, found[index].box)})
    # The nearest of those that could be meant: a sentence's stray word nearer the anchor
    # does not push the described element away, nor gain by being nearer (a heading's
    # "Callback" over the row's "Ben Carter" had its score raised seventeenfold); nor does a
    # near match, when the very words stand in the relation too (a card's "Unconfirmed"
    # badge over its Confirm button)
    likely = [d for i, d in fits.items() if found[i].score >= MIN_SCORE]
    very = [d for i, d in fits.items() if found[i].score >= MIN_SCORE and found[i].exact]
    nearest = min(very or likely or fits.values())
    result = []
    for index, candidate in enumerate(found):
        if index in fits:
            farther = max(0.0, fits[index] - nearest)
            result.append(rescored(candidate, 1.0 - min(0.45, farther / (6 * height))))
        else:
            result.append(rescored(candidate, MISFIT * 0.5))
    return result


def _shares(a: Box, b: Box) -> bool:
    """Whether two boxes share a third of the smaller one's area or more."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width > 0 and height > 0 and width * height >= smaller / 3


def _just_under(box: Box, anchor: Box) -> bool:
    """Whether `box` starts within a line height under the anchor's foot."""
    return 0 <= box[1] - anchor[3] <= anchor[3] - anchor[1]
