"""The interactive elements on a screenshot, found by classic image analysis, with their text.

`find_widgets` takes the screenshot and the words the whole-screen OCR pass read and returns
buttons, text fields, checkboxes, radio buttons, tabs and links. The shapes come from
widgets_shapes.py (boxes bounded by straight edges, square or round marks); this module decides
what each shape is and which text belongs to it:

- a box that is light (as light as what surrounds it), bordered and holds at most a line of text
  is a *field*; its text is the label nearest to its left on its row or just above it (else its
  placeholder). A filled box, or a light one with short centred text, is a *button*. A box with
  no text and no ink (a panel) or one that holds other boxes (a window, a dialog) is nothing.
- a small box with a drawing inside and no text: an *icon* (an icon button); a + or − alone
  in it: a button with that text.
- two or more boxes side by side, touching, one of them unlike the others: *tabs*.
- a square, round or pill-shaped mark: a *checkbox* or *radio* button, its text to its right.
- words outside every box that are underlined or blue, or light words in a row on a dark bar (a
  navigation bar): a *link* (widgets_links.py).

tesseract often reads nothing inside a bordered button (../shared/DESIGN.md): with an `engine`,
such boxes are read again from their own inside, all in one call (widgets_inside.py,
widgets_read.py).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from PIL import Image

from agent.grounding.ocr.candidate import holds, overlaps
from agent.grounding.ocr.engines import Box, OcrEngine, OcrWord
from agent.grounding.ocr.widget import Widget, WidgetKind
from agent.grounding.ocr.widgets_cells import table_cells
from agent.grounding.ocr.widgets_glyphs import glyph
from agent.grounding.ocr.widgets_inside import box_words
from agent.grounding.ocr.widgets_kind import box_kind, inked, line_count, menu, text_areas
from agent.grounding.ocr.widgets_labels import (
    Labels,
    ShortReads,
    label,
    label_column,
    read_labels,
)
from agent.grounding.ocr.widgets_links import find_links, inked_box, padded, wrapped_links
from agent.grounding.ocr.widgets_marks import (
    faint_switches,
    find_marks,
    find_round_signs,
    marked_widget,
    ring_readings,
)
from agent.grounding.ocr.widgets_read import reread
from agent.grounding.ocr.widgets_shapes import (
    IntBox,
    Rect,
    edge_blobs,
    edge_map,
    find_rects,
    int_box,
    without_containers,
)
from agent.grounding.ocr.widgets_tabbar import underlined_tabs
from agent.grounding.ocr.widgets_text import (
    Run,
    border_read,
    initials,
    letters,
    mark_in_box,
    mark_in_word,
    off_marks,
    runs_of,
    text_of,
    touching,
)

__all__ = ["Widget", "WidgetKind", "find_widgets"]  # Widget, WidgetKind: from widget.py


UNIT_SAMPLE = 60  # words measured for the text height
UNSURE = 75  # a button's word read less sure than this is read again from the button's inside


def find_widgets(image: Image.Image, words: Sequence[OcrWord],
                 engine: OcrEngine | None = None) -> list[Widget]:
    """Every interactive element found on `image`, whose whole-screen OCR words are `words`;
    with `engine`, a box whose text those words miss is read again from its own inside."""
    if min(image.size) < 8:
        return []  # no room for a widget (and OpenCV has no difference of a 1-px image)
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))  # no 6-MB copy
    unit = text_unit(words, rgb)
    edges = edge_map(rgb)
    blobs = edge_blobs(edges)
    boxes = find_rects(rgb, edges, unit, blobs)
    rects = _one_per_box(without_containers(boxes, unit))
    rects = [r for r, closed in zip(rects, letters(rects, words), strict=True) if not closed]
    cells = table_cells(rects, boxes, words, unit)
    # (a table's cell is no text area either: a heading band's grey words are no placeholder)
    areas = text_areas(boxes, rects, words, rgb, unit)  # fields holding a button
    rects = [r for r in rects if id(r) not in cells]
    signs = find_round_signs(rgb, unit, blobs)
    found = find_marks(rgb, edges, unit, blobs, ring_readings(words))
    found += faint_switches(rgb, edges, unit, found)
    marks = [m for m in found if not mark_in_word(m.box, words, edges)
             and not initials(m.box, words)
             and not mark_in_box(m, rects, words, edges, found)
             and not any(overlaps(m.box, box) for box, _sign in signs)]
    rects = [r for r in rects if not any(overlaps(r.outer, m.box) for m in marks)
             and not any(holds(padded(box, 2, rgb.shape), r.outer) for box, _sign in signs)]
    words = off_marks(words, marks, edges, unit)
    on_box = touching(rects, words)
    inside = box_words(image, rects, on_box, edges, unit, engine)
    kinds = {id(rect): box_kind(rect, inside[id(rect)], edges, unit, rgb) for rect in rects}
    # (a panel's words are the page's: a card's title, a row of tabs over the card's rule)
    claimed = {id(w) for rect in rects if kinds[id(rect)] is not None
               for w in on_box[id(rect)]} | \
        {id(w) for _area, placeholder in areas for w in placeholder}
    paneled = {id(w) for rect in rects if kinds[id(rect)] is None for w in on_box[id(rect)]}
    runs = runs_of([w for w in words if id(w) not in claimed
                    and not border_read(w, rects)], unit)
    used: set[int] = set()  # runs taken as some widget's text
    widgets, tabs = _tabs(rects, inside, runs, used, edges, unit, rgb)
    for rect in rects:
        kind = "tab" if id(rect) in tabs else kinds[id(rect)]
        width, height = rect.outer[2] - rect.outer[0], rect.outer[3] - rect.outer[1]
        small = width <= 4 * unit and height <= 3 * unit
        sign = glyph(rgb, rect.inner) if kind == "icon" or (kind and small) else None
        if sign is not None:  # a stepper's + or −, a close ×: a button with that text
            left, top, right, bottom = (float(v) for v in rect.outer)
            box = (left, top, right, bottom)
            widgets.append(Widget("button", box, sign, box))
        elif kind is not None:
            widget = _boxed(kind, rect, inside[id(rect)])
            if kind == "field" and menu(rect, inside[id(rect)], edges, unit):
                widget = replace(widget, menu=True)
            widgets.append(widget)
    widgets += [_boxed("field", area, placeholder) for area, placeholder in areas]
    widgets += [marked_widget(mark, runs, used, unit, edges, rgb) for mark in marks]
    for (left, top, right, bottom), sign in signs:  # round buttons: a sign is their text
        box = (float(left), float(top), float(right), float(bottom))
        # (not among a word's letters: a serif title's "e", "Museum", read as a "−")
        if not any(overlaps(w.box, box) for w in widgets) and not _in_word(box, words):
            widgets.append(Widget("button", box, sign, box))
    labels = Labels(rgb, runs, unit)
    labelled = [label(w, labels, used, widgets, unit) if w.kind == "field" else w
                for w in widgets]
    label_column(labelled, [k for k, w in enumerate(labelled) if w is widgets[k]
                            and w.kind == "field"], labels, used, unit)
    if engine is not None:
        # Fields with no label, or whose label was read short: their labels read again.
        short = ShortReads(words)
        again = [k for k, w in enumerate(labelled) if w.kind == "field"
                 and (w is widgets[k] or short(w.words))]
        read_labels(engine, image, edges, labelled, again, words, unit)
    widgets = labelled
    widgets += underlined_tabs(rgb, runs, used, unit)
    links = find_links(rgb, runs, used, unit, paneled)
    widgets += [Widget("link", run.box, run.text, run.box, run.words) for run in links]
    if engine is not None:
        widgets = _reread_texts(engine, image, rgb, widgets, unit)
    widgets += wrapped_links(widgets, unit)
    return sorted(widgets, key=lambda w: (w.box[1], w.box[0]))


def _reread_texts(engine: OcrEngine, image: Image.Image, rgb: np.ndarray,
                  widgets: list[Widget], unit: float) -> list[Widget]:
    """The widgets with texts read again from their own crops, in one call: links OCR read
    unsure (underlined words, light words on a dark bar); buttons, tabs, checkboxes' and radio
    buttons' texts read unsure, whose crop's reading is kept when surer."""
    jobs: list[tuple[int, IntBox]] = []
    for index, widget in enumerate(widgets):
        if widget.kind == "link" and min(w.confidence for w in widget.words) < 60:
            # Half a text height either side: OCR drops a link's first or last letter.
            jobs.append((index, padded(inked_box(rgb, widget.box), 3, rgb.shape,
                                       round(unit * 0.5))))
        elif widget.kind in ("button", "tab") and widget.words and \
                min(w.confidence for w in widget.words) < UNSURE:  # "Add" read as "Aad"
            left, top, right, bottom = (round(v) for v in widget.box)
            jobs.append((index, (left + 2, top + 2, right - 2, bottom - 2)))
        elif widget.kind in ("checkbox", "radio") and widget.text_box is not None and \
                widget.words and min(w.confidence for w in widget.words) < UNSURE:
            # Its text read along with the mark ("DAI day" for "All day", "AI" at 0%): the
            # text alone, from just right of the mark.
            left, top, right, bottom = padded(inked_box(rgb, widget.text_box), 3, rgb.shape,
                                              round(unit * 0.5))
            jobs.append((index, (max(left, round(widget.box[2]) + 2), top, right, bottom)))
        elif widget.kind == "field" and widget.text_box is not None and widget.words and \
                min(w.confidence for w in widget.words) < UNSURE:
            # A label read along with a focused field's thick ring ("To" read "7%" at 49%)
            jobs.append((index, _off_box(padded(inked_box(rgb, widget.text_box), 3, rgb.shape,
                                                round(unit * 0.5)), widget.box)))
    found = reread(engine, image, [box for _, box in jobs]) if jobs else []
    for (index, _), read in zip(jobs, found, strict=True):
        if read and (widgets[index].kind == "link" or _surer(read, widgets[index].words)):
            text, box = text_of(read)
            widget = widgets[index]
            widgets[index] = replace(widget, text=text, text_box=box, words=tuple(read),
                                     box=box if widget.kind == "link" else widget.box)
    return widgets


def _off_box(crop: IntBox, box: Box) -> IntBox:
    """`crop` cut back from the side of `box` it reaches into (a label's crop from its
    field's border)."""
    left, top, right, bottom = crop
    if right > box[0] > left and crop[2] <= box[2]:
        right = max(left + 1, round(box[0]) - 2)
    elif bottom > box[1] > top and crop[3] <= box[3]:
        bottom = max(top + 1, round(box[1]) - 2)
    return left, top, right, bottom


def _in_word(box: Box, words: Sequence[OcrWord]) -> bool:
    """Whether `box` lies among the letters of a word read surely, at least twice as wide."""
    return any(w.confidence >= 80 and len(w.text) >= 3
               and w.box[2] - w.box[0] >= 2 * (box[2] - box[0])
               and holds((w.box[0] - 2, w.box[1] - 2, w.box[2] + 2, w.box[3] + 2), box)
               for w in words)


def _surer(read: Sequence[OcrWord], before: Sequence[OcrWord]) -> bool:
    return statistics.mean(w.confidence for w in read) > \
        statistics.mean(w.confidence for w in before)


def _one_per_box(rects: Sequence[Rect]) -> list[Rect]:
    """One rect per outer box, the one with the widest inside: a faint ring round a border
    (anti-aliased rounded corners at 300%) outlines the same box again."""
    kept: dict[IntBox, Rect] = {}
    for rect in rects:
        known = kept.get(rect.outer)
        if known is None or _area(rect.inner) > _area(known.inner):
            kept[rect.outer] = rect
    return [r for r in rects if kept[r.outer] is r]


def _area(box: IntBox) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _tabs(rects: Sequence[Rect], inside: dict[int, list[OcrWord]], runs: Sequence[Run],
          used: set[int], edges: np.ndarray, unit: float, rgb: np.ndarray
          ) -> tuple[list[Widget], set[int]]:
    """The selected tabs that have no box of their own, and the ids of the boxes that are
    tabs: rows of touching boxes with one unlike the others, or with the selected tab's text
    (in no box) just before or after them."""
    rows = _tab_rows(rects, inside, edges, unit, rgb)
    selected_tabs: list[Widget] = []
    tabs: set[int] = set()
    for row, distinct in rows:
        repeated = any(other is not row and abs(other[0].outer[0] - row[0].outer[0]) <= unit
                       and abs(other[-1].outer[2] - row[-1].outer[2]) <= unit
                       for other, _ in rows)  # [Edit][Delete] on every row of a table
        selected = (None if distinct or repeated
                    else _selected_tab(row, inside, runs, used, unit))
        # (a table's [Edit][Check out] on every row, one outlined, one filled: no tabs)
        if (distinct and not repeated) or selected is not None:
            tabs.update(id(r) for r in row)
            selected_tabs += [selected] if selected is not None else []
    return selected_tabs, tabs


def text_unit(words: Sequence[OcrWord], rgb: np.ndarray | None = None) -> float:
    """The screen's text height: the median height of words read with confidence (14 px, the
    usual at 100%, when there are none). With the screenshot, of the ink in their boxes: engines
    box words differently (rapidocr's boxes are a third taller than tesseract's)."""
    sure = [w for w in words if w.confidence >= 60 and any(c.isalpha() for c in w.text)]
    heights: list[float]
    if rgb is not None:
        heights = [h for h in (_ink_height(rgb, w.box) for w in sure[:UNIT_SAMPLE]) if h]
    else:
        heights = [w.box[3] - w.box[1] for w in sure]
    return float(statistics.median(heights)) if heights else 14.0


def _ink_height(rgb: np.ndarray, box: Box) -> int:
    """How many rows of `box` hold ink (pixels far from its median colour), first to last."""
    left, top, right, bottom = int_box(box)
    area = rgb[max(0, top):bottom, max(0, left):right].astype(np.int16)
    if not area.size:
        return 0
    rows = np.flatnonzero((np.abs(area - np.median(area.reshape(-1, 3), axis=0)).max(axis=2)
                           > 90).any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def _tab_rows(rects: Sequence[Rect], inside: dict[int, list[OcrWord]], edges: np.ndarray,
              unit: float, rgb: np.ndarray) -> list[tuple[list[Rect], bool]]:
    """Rows of two or more boxes with something inside, each touching the next, left to right,
    and whether one of them is unlike the others (lighter, darker or taller: a selected tab)."""
    # (a field with a button touching its side, "[email    ][Subscribe]", is no row of tabs;
    # nor is an open list of five lines over the card beside it)
    ordered = sorted((r for r in rects if (inside[id(r)] or inked(r, edges))
                      and box_kind(r, inside[id(r)], edges, unit, rgb) != "field"
                      and line_count(inside[id(r)], unit) <= 2),
                     key=lambda r: r.outer[0])
    rows: list[tuple[list[Rect], bool]] = []
    taken: set[int] = set()
    for start, first in enumerate(ordered):
        if id(first) in taken:
            continue
        row = [first]
        for rect in ordered[start + 1:]:
            last = row[-1]
            if rect.outer[0] - last.outer[2] > 0.45 * unit:
                break  # and so are all after it (ordered by their left side)
            if (-0.5 * unit <= rect.outer[0] - last.outer[2]
                    and _same_row(rect.outer, last.outer) and _alike_heights(rect, last)):
                row.append(rect)
        if len(row) >= 2:
            taken.update(id(r) for r in row)
            heights = {r.outer[3] - r.outer[1] for r in row}
            rows.append((row, len({r.fill for r in row}) > 1 or max(heights) - min(heights) >= 2))
    return rows


def _selected_tab(row: Sequence[Rect], inside: dict[int, list[OcrWord]], runs: Sequence[Run],
                  used: set[int], unit: float) -> Widget | None:
    """The selected tab of a row of alike boxes: text just before or after the row, on its
    line, in no box of its own (the selected tab is open to the page below it)."""
    top, bottom = min(r.outer[1] for r in row), max(r.outer[3] for r in row)
    start, end = row[0].outer[0], row[-1].outer[2]
    for run in runs:
        middle = (run.box[1] + run.box[3]) / 2
        if id(run) in used or not top <= middle <= bottom:
            continue
        if -0.5 * unit <= start - run.box[2] <= 1.5 * unit:
            beside = row[0]
        elif -0.5 * unit <= run.box[0] - end <= 1.5 * unit:
            beside = row[-1]
        else:
            continue
        own = inside.get(id(beside), [])
        if not own or abs((own[0].box[1] + own[0].box[3]) / 2 - middle) > 0.25 * unit:
            continue  # a tab's text stands on its neighbours' line
        pad = min(w.box[0] for w in own) - beside.outer[0]
        used.add(id(run))
        box = (run.box[0] - pad, float(top), run.box[2] + pad, float(bottom))
        return Widget("tab", box, run.text, run.box, run.words)
    return None


def _alike_heights(a: Rect, b: Rect) -> bool:
    """Tabs' heights: a selected tab may stand a little taller (an open list beside the rows
    of the table it hangs over is no tab)."""
    heights = a.outer[3] - a.outer[1], b.outer[3] - b.outer[1]
    return max(heights) <= 1.5 * min(heights)


def _same_row(a: IntBox, b: IntBox) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= 0.7 * min(a[3] - a[1], b[3] - b[1])


def _boxed(kind: WidgetKind, rect: Rect, words: Sequence[OcrWord]) -> Widget:
    box = tuple(float(v) for v in rect.outer)
    if not words:
        return Widget(kind, box)  # type: ignore[arg-type]
    text, text_box = text_of(words)
    return Widget(kind, box, text, text_box, tuple(words))  # type: ignore[arg-type]
