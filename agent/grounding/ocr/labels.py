"""From a text to the control it labels: the field beside or below it, the checkbox, switch or
radio button on its row (or under it, in a grid's column). Never the text itself when a
control was asked for and another's is there: clicking a label rarely acts on its control."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from PIL import Image

from agent.grounding.ocr.candidate import (
    LIGHTER,
    Candidate,
    WidgetLike,
    centre,
    field_inside,
    gap,
    inside,
    label_reach,
    overlaps,
    plausible_field,
    text_inside,
)
from agent.grounding.ocr.describe import TEXT
from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.fields import field_point, no_side_between, underlined_field
from agent.grounding.ocr.listed import DROPPED
from agent.grounding.ocr.textforms import unmarked, without_hint
from agent.grounding.ocr.textmatch import Run, norm, similarity

__all__ = ["labelled_fields", "labelled_mark"]

RUN_FACTOR = 0.55  # the described kind's words in running text (widgets were looked for)
LEGACY_FIELD = 0.8  # a field found beside its label by edges, not as a widget
GRID = 0.9  # a mark under its column's header, not beside its own label
TITLED = 0.9  # a mark named by words over its own text (a card's title), or under it
GRID_GAP = 5.0  # text heights at most between a grid's header and its rows, or two rows
SELECT_WIDTH = 8  # text heights: a drop-down looking like a button is at least this wide
SUFFIX = 0.9  # a field named by what follows it on its row, not by a label before it
ROW_END = 0.9  # a field at the far end of its label's row, nothing between
OWN_WORDS = frozenset({"button", "field", "link", "tab"})  # widgets whose words are theirs
SAME_LABEL = 0.9  # a field's label read again may differ by a letter ("File nam", "File name")


def labelled_mark(run: Run, text_sim: float, widgets: Sequence[WidgetLike],
                   kinds: frozenset[str], image: Image.Image | None = None,
                   listed: float = 0.0) -> list[Candidate]:
    """The checkbox, switch or radio button a text names: the nearest on its row (a settings
    list puts the switch far right of its label). A row with another's mark only: an error,
    not the text, whose click would toggle nothing. A row with no mark found: the text, as
    plain words, only when something mark-like stands just left of it (a checkbox whose box
    was not found toggles from its label in Tk, GTK and HTML); else an error. `listed`: how
    surely the text is an item of an open drop-down (see `listed`) when an option, not a radio
    button, was asked for: the item, scored by it."""
    height = run.box[3] - run.box[1]
    # (or off its row, a mark whose label the text is: "○" level with a card's lighter hint
    # under its title)
    row = [w for w in widgets if w.kind in kinds
           and (abs(centre(w.box)[1] - run.centre[1]) <= 0.75 * max(height, w.box[3] - w.box[1])
                or (w.text_box is not None and overlaps(w.text_box, run.box)))]
    own = [w for w in row if _may_label(run, w.text)]
    # (the one whose label the text holds, not an unlabelled one nearer: "○ Hand / delivered",
    # wrapped, beside FedEx's mark, whose label is under it)
    own = [w for w in own if w.text_box is not None and overlaps(w.text_box, run.box)] or own
    # (not past another mark: two columns of switches, the left one's taken for the label of
    # the right column's text, is the text's; the right one is the right column's)
    own = [w for w in own if not any(_between(o.box, run.box, w.box) for o in row if o is not w)
           and not _switch_left(w.box, run.box)]
    if listed >= DROPPED:  # an open list covers the page: only a mark of its own, just left
        # of its item (a multi-select's checkbox), is the item's; not a grid's unlabelled
        # mark behind the list, nor a table's avatar of that name on its row far off
        own = [w for w in own if w.text and gap(run.box, w.box) <= 2 * height]
    if len(own) > 1 and image is not None:  # radio cards side by side, each mark at its
        own = _in_its_card(image, run.box, own) or own  # card's far end: its title's card's
    if own:
        nearest = min(own, key=lambda w: gap(run.box, w.box))
        return [Candidate(nearest.kind, nearest.box, run.text, centre(nearest.box),
                          run.similarity, text_sim * 0.95)]
    column = [] if row else _column(run, widgets, kinds)
    if column:  # a grid's column header: one candidate per row, which a row relation picks
        return [Candidate(w.kind, w.box, run.text, centre(w.box), run.similarity,
                          text_sim * GRID) for w in column]
    beside, drawn = (False, None) if row else _mark_beside(image, run.box)
    # (not a label beside a mark of its own the finder missed: the next item's mark is not its)
    titled = [] if row or listed or beside \
        else _titled(run, widgets, kinds) or _over(run, widgets, kinds)
    if len(titled) == 1:
        return [Candidate(titled[0].kind, titled[0].box, run.text, centre(titled[0].box),
                          run.similarity, text_sim * TITLED)]
    # "the Referral option" of an open drop-down list: its words (hanging under its field, the
    # list covers the page: a radio button beside it is the page's)
    if listed >= DROPPED or (listed and not row):
        return [Candidate(TEXT, run.box, run.text, run.centre, run.similarity,
                          text_sim * listed, run.similarity == 1.0 and run.whole)]
    if row or not beside:
        return [Candidate(f"label without a {'/'.join(sorted(kinds))}", run.box, run.text,
                          run.centre, run.similarity, 0.0)]
    # The drawing itself, not its label: a page's label may be no <label> ("Pay in full
    # [switch] Pay monthly", words that toggle nothing)
    return [Candidate(TEXT, run.box, run.text, centre(drawn) if drawn else run.centre,
                      run.similarity, text_sim * RUN_FACTOR, run.similarity == 1.0 and run.whole)]


def _between(mark: Box, text: Box, other: Box) -> bool:
    """Whether `mark` stands between `text` and `other` along their row."""
    ends = sorted((centre(text)[0], centre(other)[0]))
    return ends[0] < centre(mark)[0] < ends[1] and not overlaps(mark, text)


def _switch_left(mark: Box, text: Box) -> bool:
    """Whether `mark` is a switch left of the text, too far off to be labelled by it."""
    width, height = mark[2] - mark[0], mark[3] - mark[1]
    return width >= 1.6 * height and mark[2] <= text[0] and \
        text[0] - mark[2] > label_reach(mark, text[3] - text[1])


def _titled(run: Run, widgets: Sequence[WidgetLike], kinds: frozenset[str]
            ) -> list[WidgetLike]:
    """The marks whose own text starts on the line just under the text, at its left edge:
    a radio card's ("Life of a Star" over "○ Key Stage 3 · 45 min. From nebula…"). (A group's
    heading stands over the marks, not over their texts.)"""
    height = run.box[3] - run.box[1]
    return [w for w in widgets if w.kind in kinds and w.text_box is not None
            and abs(w.text_box[0] - run.box[0]) <= 0.5 * height and w.box[2] <= run.box[0]
            and -0.2 * height <= w.text_box[1] - run.box[3] <= 1.2 * height]


def _over(run: Run, widgets: Sequence[WidgetLike], kinds: frozenset[str]) -> list[WidgetLike]:
    """The unlabelled marks just over the text: a label wrapped under its mark in a narrow
    form ("○" over "FedEx"), or centred under it on a card ("○" over "Detached house")."""
    height = run.box[3] - run.box[1]
    return [w for w in widgets if w.kind in kinds and not w.text
            and run.box[0] - 0.25 * height <= centre(w.box)[0] <= max(run.box[0] + 2 * height,
                                                                      run.box[2])
            and -0.2 * height <= run.box[1] - w.box[3] <= height]


def _in_its_card(image: Image.Image, text: Box, marks: Sequence[WidgetLike]
                 ) -> list[WidgetLike]:
    """The marks on the card the text stands on; none without a card (or OpenCV)."""
    try:
        from agent.grounding.ocr.cards import card_around
    except ImportError:
        return []
    card = card_around(image, text)
    return [] if card is None else [w for w in marks if inside(centre(w.box), card)]


def _column(run: Run, widgets: Sequence[WidgetLike], kinds: frozenset[str]
            ) -> list[WidgetLike]:
    """The unlabelled marks below a text and under it: a grid of radio buttons or checkboxes
    whose columns the text heads (a survey's "Excellent ... Poor", one row per question).
    None under a widget's own words: a pill's "Chemistry" over the "90 minutes" radio button
    whose label OCR missed heads no column."""
    height = run.box[3] - run.box[1]
    if any(w.kind in OWN_WORDS and inside(run.centre, w.box) for w in widgets):
        return []
    below = sorted((w for w in widgets if w.kind in kinds and not w.text
                    and w.box[1] >= run.box[3] - 2
                    and run.box[0] - height <= centre(w.box)[0] <= run.box[2] + height),
                   key=lambda w: w.box[1])
    column, foot = [], run.box[3]
    for widget in below:  # rows follow their header and each other closely: a grid's
        if widget.box[1] - foot > GRID_GAP * height:
            break
        column.append(widget)
        foot = widget.box[3]
    return column


def _mark_beside(image: Image.Image | None, box: Box) -> tuple[bool, Box | None]:
    """Whether something mark-sized stands just left of the text, as a checkbox stands beside
    its label (Tk, GTK and HTML labels toggle their box): a text alone on its row, or with its
    control far off, is no control to click; and, when it is one drawing with no gap across
    it (a switch's track; not a panel's edge and a tiny Tk box apart), its box: where to
    click."""
    if image is None or importlib.util.find_spec("numpy") is None:
        return True, None  # no pixels to look at (words only; numpy is the ocr extra's,
        # without it no widgets were looked for either): the label, as before
    found = _mark_left(image, box)
    if found is None:
        return False, None
    return True, found[0] if found[1] else None


def _mark_left(image: Image.Image, box: Box) -> tuple[Box, bool] | None:
    """The box of the mark-sized drawing just left of the text (a checkbox or switch the
    finder missed), and whether its ink runs with no gap across it; None when there is none
    (also without numpy)."""
    try:
        import numpy as np
    except ImportError:
        return None
    height = box[3] - box[1]
    left = max(0, round(box[0] - 2.2 * height))
    right = max(0, round(box[0] - 0.15 * height))
    if right - left < 3:
        return None
    top, bottom = round(box[1] - 0.2 * height), round(box[3] + 0.2 * height)
    grey = np.asarray(image.crop((left, max(0, top), right, bottom)).convert("L"), np.int16)
    if grey.size == 0:
        return None
    # the ground the text stands on (a switch's track may fill most of the strip left of it)
    ground = int(np.median(np.asarray(image.crop(box).convert("L"), np.float32)))
    ink = np.abs(grey - ground) > 30
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    if cols.size == 0:
        return None
    extent_x, extent_y = cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1
    # (a Tk checkbox keeps its size at any scale: at 300% it is a fifth of the text high)
    if not (extent_y >= 0.2 * height and 0.2 * height <= extent_x <= 2.2 * height):
        return None
    drawn = (float(left + cols[0]), float(max(0, top) + rows[0]), float(left + cols[-1]),
             float(max(0, top) + rows[-1]))
    return drawn, bool((np.diff(cols) <= 1).all())


def labelled_fields(run: Run, text_sim: float, words: Sequence[OcrWord],
                    widgets: Sequence[WidgetLike], image: Image.Image, word_only: bool,
                    drop_down: bool = False) -> list[Candidate]:
    """The field `run` labels: a field widget whose text box it is or that lies right of or
    below it; else, with no such widget, a box edge found beside or below the label. A
    `drop_down` may look like a button (GOV.UK's grey <select>, its choice in the middle)."""
    height = run.box[3] - run.box[1]
    fields = [w for w in widgets if w.kind == "field" and plausible_field(w.box)]
    if drop_down and not _labelled(run, fields, height, image):
        # (its choice in the middle, or none read: a "—" for no choice yet)
        fields += [w for w in widgets if w.kind == "button"
                   and (w.text_box is None or text_inside(w))
                   and plausible_field(w.box)
                   and w.box[2] - w.box[0] >= SELECT_WIDTH * height  # (no status pill)
                   and not _text_between(run.box, w.box, words)]
    holder = next((w for w in fields if inside(run.centre, w.box)), None)
    if holder is not None:  # a placeholder, or text typed in: the field itself
        return [Candidate("field", holder.box, run.text, field_inside(holder.box),
                          run.similarity, text_sim)]
    near = _labelled(run, fields, height, image, widgets)
    if near:
        closest = min(near, key=lambda w: gap(run.box, w.box))
        return [Candidate("field", closest.box, run.text, field_inside(closest.box),
                          run.similarity, text_sim)]
    after = [w for w in fields if _suffixes(run.box, w.box, height)]
    if after:  # what the field holds, said after it: "Lock account after [ ] failed attempts"
        closest = min(after, key=lambda w: gap(run.box, w.box))
        return [Candidate("field", closest.box, run.text, field_inside(closest.box),
                          run.similarity, text_sim * SUFFIX)]
    end = _row_end(run, fields, words, widgets, image)
    if end is not None:
        return [Candidate("field", end.box, run.text, field_inside(end.box), run.similarity,
                          text_sim * ROW_END)]
    line = underlined_field(image, run.box)
    if line is not None:  # a placeholder whose field is framed by a line under it only
        return [Candidate("field", line, run.text, run.centre, run.similarity,
                          text_sim * LEGACY_FIELD, guessed=True)]
    # No field widget for this label (the finder may miss one: a focused Tk entry): a box edge
    # beside or below the label, unless that point is on another widget (a panel's border,
    # a button) — then an error, never the label's own centre.
    point = field_point(image, run.box, [w.box for w in words if not overlaps(w.box, run.box)])
    if point is not None and any(inside(point, w.box) for w in widgets if w.kind != "field"):
        point = None
    if point is None or (not word_only and inside(point, run.box)):
        return [Candidate("label without a field", run.box, run.text, run.centre,
                          run.similarity, 0.0)]
    factor = LEGACY_FIELD if word_only else LEGACY_FIELD * 0.85
    return [Candidate("field", run.box, run.text, point, run.similarity, text_sim * factor,
                      guessed=True)]


def _text_between(label: Box, box: Box, words: Sequence[OcrWord]) -> bool:
    """Whether words stand between a label and a box below it, in the columns they share (a
    heading's "Subcontractor", a sentence under it, then a week's pill button: no drop-down
    the heading labels)."""
    left, right = max(label[0], box[0]), min(label[2], box[2])
    return box[1] > label[3] and any(
        w.box[0] < right and w.box[2] > left and label[3] <= centre(w.box)[1] <= box[1]
        for w in words)


def _row_end(run: Run, fields: Sequence[WidgetLike], words: Sequence[OcrWord],
             widgets: Sequence[WidgetLike], image: Image.Image) -> WidgetLike | None:
    """The field at the far end of the label's row with nothing between them, no label of its
    own (a panel of figures: "Extra fuel" at the left, its box at the right, 30 text heights
    on); None when another field, widget, word or a panel's border stands between, or none
    is there."""
    height = run.box[3] - run.box[1]
    row = [w for w in fields if w.box[1] < run.centre[1] < w.box[3] and w.box[0] > run.box[2]
           and not _label_of(w)]
    if not row:
        return None
    field = min(row, key=lambda w: w.box[0])
    between = (run.box[2] + 1, run.box[1] - 0.5 * height, field.box[0] - 1,
               run.box[3] + 0.5 * height)
    if any(overlaps(w.box, between) for w in words) or \
            any(w is not field and overlaps(w.box, between) for w in widgets):
        return None
    return field if no_side_between(image, run.box[2], field.box[0], run.box[1],
                                    run.box[3]) else None


def _labelled(run: Run, fields: Sequence[WidgetLike], height: float,
              image: Image.Image, widgets: Sequence[WidgetLike] = ()) -> list[WidgetLike]:
    """The fields `run` labels: the one the finder gave this label to; else those it may
    label (a field with its own label is that label's, not this text's because it lies
    nearby)."""
    return [w for w in fields if _given(run.box, w)] \
        or [w for w in fields if _labels(run.box, _grouped(w.box, widgets), height)
            and (_may_label(run, _label_of(w)) or _over_hint(run.box, w, height, image))]


def _grouped(field: Box, widgets: Sequence[WidgetLike]) -> Box:
    """The field's box reaching left over a box joined to it, as tall: an input group's "£"
    or "https://" before the field, which its label above starts over."""
    joined = [w.box for w in widgets if w.kind != "field" and abs(w.box[2] - field[0]) <= 2
              and abs(w.box[1] - field[1]) <= 3 and abs(w.box[3] - field[3]) <= 3
              and w.box[2] - w.box[0] < field[2] - field[0]]
    return (min(box[0] for box in joined), *field[1:]) if joined else field


def _over_hint(label: Box, field: WidgetLike, height: float, image: Image.Image) -> bool:
    """Whether the text the finder took for the field's label is a hint set just under
    `label`, at its left edge and in lighter ink ("Crime reference number", then a grey "If
    you have one", then the field): the label over it names the field too. (A heading over a
    field's label is as dark as the label.)"""
    hint = field.text_box
    return hint is not None and bool(_label_of(field)) and \
        abs(hint[0] - label[0]) <= 0.5 * height and 0 <= hint[1] - label[3] <= height and \
        _darkest(image, hint) - _darkest(image, label) >= LIGHTER


def _darkest(image: Image.Image, box: Box) -> int:
    """The darkest grey level inside `box`: its text's ink."""
    crop = image.crop((round(box[0]), round(box[1]), round(box[2]), round(box[3]))).convert("L")
    return min(crop.tobytes(), default=255)


def _may_label(run: Run, own: str) -> bool:
    """Whether a field whose label was read as `own` may be the one `run` labels: no label, the
    same but for a misread letter or a hint in brackets, or its first or last line (a label
    wrapped over two lines). "Moving date" is not "Moving to", though 0.8 alike. A sign
    before the field ("£") is no label."""
    own, text = unmarked(norm(without_hint(own))), unmarked(norm(run.text))
    return not any(ch.isalnum() for ch in own) or similarity(own, text) >= SAME_LABEL or \
        (len(own) >= 3 and (text.startswith(own + " ") or text.endswith(" " + own)))


def _label_of(field: WidgetLike) -> str:
    """The label the finder read for `field`: not its text when that lies inside it (a
    drop-down's "Select one", a value typed), which names no field."""
    return "" if text_inside(field) else field.text


def _given(label: Box, widget: WidgetLike) -> bool:
    """Whether the finder gave the field `widget` the text at `label`: it is its text box."""
    return widget.text_box is not None and inside(centre(label), widget.text_box, 2)


def _suffixes(text: Box, field: Box, height: float) -> bool:
    """Whether text at `text` follows the field on its row, close after it (a unit, "minutes",
    or the rest of a sentence the field stands in)."""
    return field[1] < centre(text)[1] < field[3] and 0 <= text[0] - field[2] <= 1.5 * height


def _labels(label: Box, box: Box, height: float) -> bool:
    """Whether text at `label` may name the field at `box`: right of it on its row, or just
    below it."""
    row = box[1] - height < centre(label)[1] < box[3] + height * 0.2
    right = row and -0.5 * height <= box[0] - label[2] <= 20 * height  # ">" read from a border
    # (a label's box may reach a little into the field's: "Copies" read with the top border
    # of its small field 3 px under it)
    below = (-0.3 * height <= box[1] - label[3] <= 3 * height and centre(label)[1] < box[1]
             and box[0] - 2 * height <= label[0] <= box[2] and label[0] < box[2])
    return right or below
