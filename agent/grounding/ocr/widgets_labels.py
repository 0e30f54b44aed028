"""A field's label: the text nearest to its left on its row or just above it, or, where the
whole-screen pass read nothing there, the text drawn beside it read again from its own crop."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from agent.grounding.ocr.candidate import holds, overlaps
from agent.grounding.ocr.engines import JUNK, Box, OcrEngine, OcrWord
from agent.grounding.ocr.textforms import without_hint
from agent.grounding.ocr.widget import Widget
from agent.grounding.ocr.widgets_links import ink_density
from agent.grounding.ocr.widgets_read import label_above, label_beside, reread
from agent.grounding.ocr.widgets_shapes import IntBox, int_box
from agent.grounding.ocr.widgets_text import Run, text_of

__all__ = ["LABEL_WORDS", "Labels", "ShortReads", "label", "label_column", "read_labels"]

LABEL_WORDS = 5  # a label is a few words
PANEL_GAP = 3  # text heights: a label this far left of its field may be another panel's
PANEL_REACH = 4  # text heights a panel's side runs above and below a label and its field
PANEL_CONTRAST = 12  # grey levels between a panel's side, or its background, and the next
HINT_GAP = 1.6  # text heights at most between a label, its hint and its field, one above another


class Labels:
    """The runs that could be a field's label: a few words, no sentence, no heading. Headings
    are measured at most once per screen, and only for runs close to some field (measuring a
    heading's ink is the costly part of labelling)."""

    def __init__(self, rgb: np.ndarray, runs: Sequence[Run], unit: float) -> None:
        self._rgb, self._unit = rgb, unit
        # (a hint in brackets after a label is not counted: "Quick message to your
        # coordinator (Priya Shah)")
        self._runs = [run for run in runs if not run.text.endswith(".")
                      and len(without_hint(run.text).split()) <= LABEL_WORDS]
        kept = {id(run) for run in self._runs}
        self._hints = [run for run in runs if id(run) not in kept]  # sentences: no labels
        self._boxes = np.array([run.box for run in self._runs]).reshape(-1, 4)
        self._headings: dict[int, bool] = {}  # by id of the run

    def near(self, box: Box) -> list[Run]:
        """The runs across the rows of `box` or a little above it, in order: a first cut, all
        runs at once (a busy screen has dozens of fields and hundreds of runs)."""
        top, bottom = box[1], box[3]
        near = (self._boxes[:, 3] >= top - 2 * self._unit) & (self._boxes[:, 1] <= bottom + 2)
        return [self._runs[k] for k in np.flatnonzero(near)]

    def over_hint(self, box: Box) -> Run | None:
        """The label over a hint that stands just above the field at its left edge (a GOV.UK
        form's label, then its hint, "This is 8 digits and is on your bill", then its input);
        None when no sentence stands there."""
        reach = HINT_GAP * self._unit
        hints = [r for r in self._hints if 0 <= box[1] - r.box[3] <= reach
                 and abs(r.box[0] - box[0]) <= self._unit]
        if not hints:
            return None
        hint = min(hints, key=lambda r: box[1] - r.box[3])
        above = [r for r in self._runs if 0 <= hint.box[1] - r.box[3] <= reach
                 and abs(r.box[0] - hint.box[0]) <= 0.5 * self._unit]
        return min(above, key=lambda r: hint.box[1] - r.box[3], default=None)

    def apart(self, text: Box, field: Box) -> bool:
        """Whether a panel's side stands between a text and the field on its right: a line,
        or a change of background, down from well above both to well below."""
        reach = PANEL_REACH * self._unit
        top, bottom = max(0.0, min(text[1], field[1]) - reach), max(text[3], field[3]) + reach
        ys = np.linspace(top, min(bottom, self._rgb.shape[0] - 1), 5).round().astype(int)
        band = self._rgb[ys, round(text[2]) + 2:round(field[0]) - 2].astype(np.int16)
        if band.shape[1] < 2:
            return False
        differs = np.abs(band - band[:, :1]).max(axis=2) > PANEL_CONTRAST
        return bool(differs.all(axis=0).any())

    def heading(self, run: Run) -> bool:
        """Whether the run is a heading (measured on the first asking)."""
        if id(run) not in self._headings:
            self._headings[id(run)] = _heading(self._rgb, run, self._unit)
        return self._headings[id(run)]


def label(field: Widget, labels: Labels, used: set[int], widgets: Sequence[Widget],
              unit: float) -> Widget:
    """The field with the text nearest to its left on its row, or just above it, as its label;
    with no label, the text inside it (a placeholder) stays its text."""
    best: tuple[float, Run] | None = None
    near = labels.near(field.box)
    for run in near:
        if id(run) in used:
            continue
        gap = _gap(field, run, widgets, unit)
        beside = field.box[1] <= (run.box[1] + run.box[3]) / 2 <= field.box[3]
        if gap is None or (best is not None and gap >= best[0]) or \
                (not beside and labels.heading(run)):
            continue  # not beside the field, or no nearer; a heading above is no label either
        if beside and gap > PANEL_GAP * unit and labels.apart(run.box, field.box):
            continue  # a sidebar's item beside a card's header band: another panel's words
        best = (gap, run)
    bridged = labels.over_hint(field.box)
    if bridged is not None and id(bridged) not in used and \
            (best is None or best[0] > 1.5 * (field.box[1] - bridged.box[3])):
        best = (0.0, bridged)
    if best is None:
        return field
    run = _upper(best[1], near, used, unit)
    used.add(id(run))
    return Widget("field", field.box, run.text, run.box, run.words, inner=field.words,
                  menu=field.menu)


def _upper(run: Run, near: Sequence[Run], used: set[int], unit: float) -> Run:
    """The label over a hint set under it at the same left edge ("Charitable donations" over
    "Cash gifts to qualified organizations"): the upper line, when it is just above."""
    above = [r for r in near if id(r) not in used and abs(r.box[0] - run.box[0]) <= 0.5 * unit
             and 0 <= run.box[1] - r.box[3] <= 0.8 * unit]
    return min(above, key=lambda r: run.box[1] - r.box[3]) if above else run


def _gap(field: Widget, run: Run, widgets: Sequence[Widget], unit: float
               ) -> float | None:
    """How far the run is from the field as its label: on its row to its left, or just above
    it with no other widget between (that counts half again); None when it is neither."""
    left, top, right, bottom = field.box
    middle = (run.box[1] + run.box[3]) / 2
    if top <= middle <= bottom and run.box[2] <= left + 2:
        gap = left - run.box[2]
        if gap <= 12 * unit:  # near, unless another field is nearer ("Desk [All desks] [Search]")
            return gap if _clear(field, run, [w for w in widgets if w.kind == "field"]) else None
        # A form's label column: far left, with nothing between but what touches the field
        # (an input group's "$"); not for a field whose placeholder names it (a table's
        # "Your name" box, far right of its row's "Campfire night")
        worded = any(c.isalpha() for w in field.words for c in w.text)
        return gap if gap <= 30 * unit and not worded and _clear(field, run, widgets) else None
    if (run.box[3] <= top + 2 and top - run.box[3] <= 1.6 * unit
            and left - unit <= run.box[0] <= (left + right) / 2):
        between = (run.box[0], run.box[3], right, top)
        if any(w is not field and overlaps(w.box, between) for w in widgets):
            return None
        return 1.5 * (top - run.box[3])
    return None


def _clear(field: Widget, run: Run, widgets: Sequence[Widget]) -> bool:
    """Whether nothing lies between a label on the field's row and the field, but what
    touches the field (an input group's "$")."""
    left, top, _, bottom = field.box
    between = (run.box[2] + 2, top, left - 3, bottom)
    return not any(w is not field and overlaps(w.box, between) and w.box[2] < left - 3
                   for w in widgets)


def label_column(labelled: list[Widget], bare: Sequence[int], labels: Labels, used: set[int],
                 unit: float) -> None:
    """Labels the fields at `bare` (indices in `labelled`, fields with no label) from their
    form's label column: a run on the field's row starting where the labels beside the other
    fields of its column start, however far left (a tax form's long labels end 25 text
    heights from their "$" boxes, its short ones 35)."""
    columns = [(w.box[0], w.text_box[0]) for k, w in enumerate(labelled)
               if w.kind == "field" and k not in bare and w.text_box is not None
               and w.text_box[2] <= w.box[0]
               and w.box[1] <= (w.text_box[1] + w.text_box[3]) / 2 <= w.box[3]]
    for index in bare:
        field = labelled[index]
        starts = [start for left, start in columns if abs(left - field.box[0]) <= unit]
        row = [run for run in labels.near(field.box) if id(run) not in used
               and field.box[1] <= (run.box[1] + run.box[3]) / 2 <= field.box[3]
               and run.box[2] <= field.box[0] + 2
               and any(abs(run.box[0] - start) <= 0.5 * unit for start in starts)
               and _clear(field, run, labelled)]
        if row:  # the upper line: a label over its hint
            run = min(row, key=lambda r: r.box[1])
            used.add(id(run))
            labelled[index] = Widget("field", field.box, run.text, run.box, run.words,
                                     inner=field.words, menu=field.menu)


def read_labels(engine: OcrEngine, image: Image.Image, edges: np.ndarray,
                widgets: list[Widget], fields: Sequence[int], words: Sequence[OcrWord],
                unit: float) -> None:
    """Reads again, from its own crop, the text drawn just left of each field at `fields`
    (indices in `widgets`), or just above one with no label: of a field with no label, where
    the whole-screen pass read nothing there; of a field whose label beside it was read short
    ("File nam" for "File name:": the word's box holds more letters than were read), kept
    when it reads more."""
    jobs: list[tuple[int, IntBox]] = []
    for index in fields:
        field = widgets[index]
        boxes = [label_beside(edges, int_box(field.box), unit)]
        if field.text_box is None or holds(field.box, field.text_box):
            boxes.append(label_above(edges, int_box(field.box), unit))
        own = {id(w) for w in field.words}
        # (a reading too unsure to be a word, "id" at 43% over a focus ring and a label, is
        # no text that takes the place)
        taken = [w.box for w in words if id(w) not in own and w.confidence >= JUNK] + \
            [w.box for w in widgets if w is not field]
        jobs += [(index, box) for box in boxes if box is not None and _line_sized(box, unit)
                 and not any(overlaps(box, other) for other in taken)]
    found = reread(engine, image, [box for _, box in jobs]) if jobs else []
    done: set[int] = set()  # beside, then above: the first crop that reads a label wins
    for (index, _box), read in zip(jobs, found, strict=True):
        if index in done:
            continue
        field = widgets[index]
        labelled = field.text_box is not None and not holds(field.box, field.text_box)
        enough = (_letters(read) > _letters(field.words) if labelled
                  else sum(c.isalpha() for w in read for c in w.text) >= 2)
        if read and enough:
            text, text_box = text_of(read)
            widgets[index] = Widget("field", field.box, text, text_box, tuple(read),
                                    inner=field.inner if labelled else field.words,
                                    menu=field.menu)
            done.add(index)


class ShortReads:
    """Tells a label's word that holds more letters than were read: its box three quarters
    of a letter wider than its text, at the screen's usual letter width for text of its
    height (tesseract read "nam" in a box as wide as "name:", 0.9 of a letter more)."""

    def __init__(self, words: Sequence[OcrWord]) -> None:
        sure = [w for w in words if len(w.text) >= 3 and w.confidence >= 80]
        self._heights = np.array([w.box[3] - w.box[1] for w in sure])
        self._letters = np.array([(w.box[2] - w.box[0]) / len(w.text) for w in sure])

    def __call__(self, label: Sequence[OcrWord]) -> bool:
        if not label:
            return False
        height = max(w.box[3] for w in label) - min(w.box[1] for w in label)
        alike = (self._heights >= 0.6 * height) & (self._heights <= 1.6 * height)
        if alike.sum() < 3:
            return False  # too few words to know a letter's width
        letter = float(np.median(self._letters[alike]))
        return any((w.box[2] - w.box[0]) / letter >= len(w.text) + 0.75 for w in label)


def _line_sized(box: IntBox, unit: float) -> bool:
    """Whether ink found beside or above a field may be a label: a line of text, not a
    panel's side running down past the field (tesseract then read nothing of the other crops
    read with it)."""
    return box[3] - box[1] <= 3 * unit and box[2] - box[0] >= unit


def _letters(words: Sequence[OcrWord]) -> int:
    return sum(c.isalnum() for w in words for c in w.text)


def _heading(rgb: np.ndarray, run: Run, unit: float) -> bool:
    """Whether the run is a heading: taller text than the screen's, and bold (denser ink;
    labels measured 0.28-0.35 of their extent inked, bold headings 0.38-0.77)."""
    return run.box[3] - run.box[1] >= 1.2 * unit and ink_density(rgb, run.box) >= 0.37
