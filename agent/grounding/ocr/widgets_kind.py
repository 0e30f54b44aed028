"""What a box is, from its fill, border and text: a field, a button, an icon, or nothing
(a panel, a card, a notice). widgets.py finds the boxes and gives each its words."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from agent.grounding.ocr.candidate import holds, overlaps
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.fields import PLACEHOLDER
from agent.grounding.ocr.widget import WidgetKind
from agent.grounding.ocr.widgets_glyphs import arrow_read, at_arrow, drop_down
from agent.grounding.ocr.widgets_labels import LABEL_WORDS
from agent.grounding.ocr.widgets_shapes import Rect

__all__ = ["box_kind", "inked", "line_count", "menu", "text_areas"]

AREA_HOLDS = 3  # boxes a text area may hold (a Clear button, a Send button, an emoji one)

LIGHT = 235  # a field's inside is at least this light in every channel (light themes)
DARKER = 10  # a box this much darker than its surroundings is filled: a button, not a field
BORDER = 15  # a field's border differs this much from its inside and from what is around it
ON_DARK = 80  # a light box this much lighter than a dark surround is a field without a border
PHRASE_GAP = 2.5  # text heights between words that part a row into phrases
LIST_SPACING = 1.6  # text heights between lines' middles beyond which they are a list's items
# Words whose full stop ends no sentence ("Search by name, email or member no.")
ABBREVIATIONS = frozenset({"no.", "nos.", "etc.", "e.g.", "i.e.", "incl.", "approx.", "ref.",
                           "tel."})


def box_kind(rect: Rect, words: Sequence[OcrWord], edges: np.ndarray, unit: float,
             rgb: np.ndarray) -> WidgetKind | None:
    """Field, button or nothing, from the box's fill, border and text."""
    top, bottom = rect.inner[1], rect.inner[3]
    # (a drop-down's arrow read as a "v" may be a line of its own)
    lines = _rows([w for w in words if not at_arrow(rect, w, unit)], unit)
    last = max(words, key=lambda w: (w.line, w.box[0]), default=None)
    sentence = len(words) > 2 * LABEL_WORDS or (  # ("Choose...", "member no." end none)
        last is not None and last.text.endswith((".", "!")) and not last.text.endswith("..")
        and last.text.lower() not in ABBREVIATIONS)
    # A sentence set off from the box's side is a notice, a card: no control. (What is typed
    # into a field starts close to its side.)
    if sentence and min(w.box[0] for w in words) - rect.inner[0] >= 0.9 * unit:
        return None
    if len(lines) == 1 and (arrow_read(rect, words, unit) or (
            words and not _centred(rect, words, unit) and drop_down(rect, words, edges, unit))):
        return "field"  # a drop-down, filled like a button (Chromium's grey <select>)
    light = min(rect.fill) >= LIGHT and min(rect.fill) >= min(rect.around) - DARKER
    if light and not _bordered(rect) and min(rect.fill) - max(rect.around) >= ON_DARK \
            and len(lines) <= 1 and not (words and _centred(rect, words, unit)):
        return "field"  # a white field with no border on a dark bar (a site's search)
    if light and _bordered(rect) and len(lines) <= 2 and bottom - top >= 0.8 * unit:
        if words and (len(lines) == 1 or _wrapped(rect, words, unit)) \
                and _centred(rect, words, unit) and not drop_down(rect, words, edges, unit) \
                and not _brimming(rect, words, unit, rgb) and not _hint(rect, words, unit, rgb):
            return "button"  # an outlined button: short text in its middle
        return "field"
    tallest = (6 if len(lines) == 2 else 4) * unit  # two lines: a label wrapped ("Sign / release")
    if not inked(rect, edges) or bottom - top > tallest or \
            (len(lines) > 1 and not _wrapped(rect, words, unit)):
        return None  # a panel, a card: not one control
    left, right = rect.outer[0], rect.outer[2]
    if not words and right - left <= 3 * unit and rect.outer[3] - rect.outer[1] <= 3 * unit:
        return "icon"  # a small box with a drawing and no text: an icon button
    return "button"


def menu(rect: Rect, words: Sequence[OcrWord], edges: np.ndarray, unit: float) -> bool:
    """Whether a field is a drop-down: its arrow at its right end, read as a "v" or seen as a
    small mark alone past its text."""
    return arrow_read(rect, words, unit) or drop_down(rect, words, edges, unit)


def _wrapped(rect: Rect, words: Sequence[OcrWord], unit: float) -> bool:
    """Whether the box's text is a button's label wrapped onto two lines ("Start / charging"
    in a narrow card): a few words, each line in the box's middle."""
    lines = _rows(words, unit)
    if len(lines) != 2 or len(words) > 4 or not all(_centred(rect, line, unit) for line in lines):
        return False
    # Two items of an open list (a drop-down's "2 games" over "3 games"): one left edge, and
    # spaced wider than a wrapped label's lines
    lefts = [min(w.box[0] for w in line) for line in lines]
    middles = [sum(w.box[1] + w.box[3] for w in line) / (2 * len(line)) for line in lines]
    height = max(w.box[3] - w.box[1] for w in words)
    return abs(lefts[0] - lefts[1]) > 2 or middles[1] - middles[0] <= LIST_SPACING * height


def line_count(words: Sequence[OcrWord], unit: float) -> int:
    """How many lines of text the words stand on."""
    return len(_rows(words, unit))


def _rows(words: Sequence[OcrWord], unit: float) -> list[list[OcrWord]]:
    """The words in lines as they stand, top to bottom: the engine's line numbers may part one
    ("Add w" and "hook" of a button read again with what changed around it). Phrases far
    apart on a row are lines of their own (a table's header band: no button)."""
    rows: list[list[OcrWord]] = []
    for word in sorted(words, key=lambda w: (w.box[1] + w.box[3]) / 2):
        middle = (word.box[1] + word.box[3]) / 2
        if rows and rows[-1][-1].box[1] <= middle <= rows[-1][-1].box[3]:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines: list[list[OcrWord]] = []
    for row in rows:
        row.sort(key=lambda w: w.box[0])
        lines.append([row[0]])
        for before, word in itertools.pairwise(row):
            if word.box[0] - before.box[2] > PHRASE_GAP * unit:
                lines.append([])
            lines[-1].append(word)
    return lines


def inked(rect: Rect, edges: np.ndarray) -> bool:
    """Whether anything is drawn inside the box (text, an icon)."""
    left, top, right, bottom = rect.inner
    return bool(edges[top + 2:bottom - 2, left + 2:right - 2].any())


def _bordered(rect: Rect) -> bool:
    """Whether a line of its own colour frames the box (a field has a border; a light panel on
    a grey window, or a window on the desktop, only a change of colour)."""
    return rect.border is not None and all(
        max(abs(a - b) for a, b in zip(rect.border, other, strict=True)) >= BORDER
        for other in (rect.fill, rect.around))


def _centred(rect: Rect, words: Sequence[OcrWord], unit: float) -> bool:
    """Whether the text sits in the middle of the box, as a button's does: neither side's gap
    three times the other's (a field's long placeholder starts a padding from its left, its
    right gap still a quarter of the box: "e.g. DE89 3704 0044 0532 0130 00" in a 540-px
    field, 14 and 120 px)."""
    gaps = _gaps(rect, words)
    return min(gaps) >= 0.6 * unit and \
        abs(gaps[0] - gaps[1]) <= max(0.6 * unit, 0.5 * (gaps[0] + gaps[1]))


def _brimming(rect: Rect, words: Sequence[OcrWord], unit: float, rgb: np.ndarray) -> bool:
    """Whether a phrase fills the box to a padding of less than a text height each side: a
    long placeholder run on to the field's end ("Colleague who shows them aroun|"), which a
    button's padding does not crowd."""
    return len(words) >= 3 and max(_gaps(rect, words)) < 0.9 * unit and _grey(rgb, words)


def _hint(rect: Rect, words: Sequence[OcrWord], unit: float, rgb: np.ndarray) -> bool:
    """Whether a short grey placeholder starts at the box's left padding, its right gap
    clearly the wider: a small field's unit ("mbar" in a pressure field), which `_centred`
    allows; a button's label is dark or coloured, and centred to a pixel or two."""
    before, after = _gaps(rect, words)
    return after - before >= 0.5 * unit and _grey(rgb, words)


def _gaps(rect: Rect, words: Sequence[OcrWord]) -> tuple[float, float]:
    """The room inside the box left and right of its words."""
    left, _top, right, _bottom = rect.inner
    return min(w.box[0] for w in words) - left, right - max(w.box[2] for w in words)


def _grey(rgb: np.ndarray, words: Sequence[OcrWord]) -> bool:
    """Whether the words are drawn in a placeholder's grey (a button's "Move to basket" may
    crowd its box as much, in dark ink)."""
    darkest = min(int(rgb[round(w.box[1]):round(w.box[3]), round(w.box[0]):round(w.box[2])]
                      .min(initial=255)) for w in words)
    return PLACEHOLDER[0] <= darkest <= PLACEHOLDER[1]


def text_areas(boxes: Sequence[Rect], kept: Sequence[Rect], words: Sequence[OcrWord],
               rgb: np.ndarray, unit: float) -> list[tuple[Rect, list[OcrWord]]]:
    """The boxes holding others that are fields, with their placeholders: light, bordered,
    holding a button or few, a grey placeholder starting at the top left clear of them (a
    translator's text area with its Clear button inside; a chat line with its Send button).
    A panel's heading is dark; a card holding a form holds more boxes."""
    plain = {id(r) for r in kept}
    found = []
    for box in boxes:
        if id(box) in plain or min(box.fill) < LIGHT or not _bordered(box):
            continue
        held = [r for r in boxes if r is not box and holds(box.inner, r.outer)]
        if len(held) <= AREA_HOLDS:
            placeholder = _placeholder(box, held, words, rgb, unit)
            if placeholder:
                found.append((box, placeholder))
    return found


def _placeholder(box: Rect, held: Sequence[Rect], words: Sequence[OcrWord], rgb: np.ndarray,
                 unit: float) -> list[OcrWord]:
    """The grey line of words at the box's top left, clear of the boxes it holds; [] if none."""
    left, top = box.inner[:2]
    inner = [w for w in words if holds(box.inner, w.box)]
    if not inner:
        return []
    first = min(inner, key=lambda w: (w.box[1], w.box[0]))
    if first.box[0] - left > 1.5 * unit or first.box[1] - top > 1.5 * unit:
        return []
    line = [w for w in inner if w.line == first.line]
    if any(overlaps(w.box, r.outer) for w in line for r in held):
        return []
    return line if _grey(rgb, line) else []
