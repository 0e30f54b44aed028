"""Marks: checkboxes, radio buttons and switches among the screen's edge blobs (square, round
or pill-shaped, alone on their row's side), what each shows (a switch's knob), whether it is
on, and the label beside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import cv2
import numpy as np

from agent.grounding.ocr.candidate import LIGHTER, label_reach, overlaps
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.widget import Widget
from agent.grounding.ocr.widgets_glyphs import glyph
from agent.grounding.ocr.widgets_ink import ink_colour, same_ink
from agent.grounding.ocr.widgets_shapes import (
    Blobs,
    Colour,
    IntBox,
    Mark,
    Pixels,
    edge_blobs,
    int_box,
    straight_sides,
)
from agent.grounding.ocr.widgets_text import SPECKS, Run, text_of

__all__ = ["faint_switches", "find_marks", "find_round_signs", "mark_state", "marked_widget",
           "ring_readings", "switch_knob"]


def switch_knob(rgb: Pixels, box: IntBox) -> bool:
    """Whether a pill has a switch's knob: along its middle row each end is of one colour and
    they differ, knob and track (a rounded button's ends are alike, its text between)."""
    left, top, right, bottom = box
    h = bottom - top
    row = rgb[top + h // 2, left:right].astype(np.int16)
    quarter, edge = max(2, h // 3), max(2, h // 6)
    parts = row[edge:edge + quarter], row[-edge - quarter:-edge]
    ends = [np.median(part, axis=0) for part in parts]
    # Most of each end of one colour: a knob's rim may cross an end's first pixels (a white
    # knob 3 px inside a light grey track, an off switch)
    flat = [float((np.abs(part - end).max(axis=1) < 30).mean()) >= 0.75
            for part, end in zip(parts, ends, strict=True)]
    return all(flat) and float(np.abs(ends[0] - ends[1]).max()) > 40


def mark_state(rgb: Pixels, box: IntBox, switch: bool) -> bool | None:
    """A tick, a dot or a coloured fill inside the mark: on; a plain inside: off. A switch is on
    when its knob (the light part) is right of its middle."""
    left, top, right, bottom = box
    h, w = bottom - top, right - left
    if switch:
        inset = max(2, h // 6)  # the box may take in a pixel of the ground around the pill
        row = rgb[top + h // 2, left + inset:right - inset].astype(np.int16).sum(axis=1)
        knob = float(np.flatnonzero(row >= row.max() - 60).mean())  # the light run's middle
        return knob + inset > w / 2
    # The middle third: a tick, a dot or a fill reaches it; a small mark's ring does not.
    inset_y, inset_x = max(2, round(h / 3)), max(2, round(w / 3))
    core = rgb[top + inset_y:bottom - inset_y, left + inset_x:right - inset_x]
    colours = core.reshape(-1, 3).astype(np.int16)
    if colours.size == 0:
        return None
    dark = colours.mean(axis=1) < 110
    coloured = colours.max(axis=1) - colours.min(axis=1) > 80
    return bool((dark | coloured).any())


def find_marks(rgb: Pixels, edges: Pixels, unit: float, blobs: Blobs,
               rings: Sequence[IntBox] = ()) -> list[Mark]:
    """Checkboxes, radio buttons and switches: closed edge blobs about a text line high that
    are square, round or pill-shaped, with clear space on their left and right (a letter O has
    its word's letters close by); or a plain ring OCR read alone as a sign (`rings`, see
    `ring_readings`), however close after words: an inline group's unticked radio button."""
    labels, stats = blobs
    x, y, w, h = (stats[:, k] for k in range(4))
    # A switch (a pill) may stand taller than a line of text: 24 px beside 15-px text, 28
    # beside small 10-px text (its knob tells it, _mark); a GOV.UK-style radio button or
    # checkbox too: 22 px beside 10-px text.
    tall = np.where(w >= h * 1.6, 3.2, 2.6)
    keep = (h >= unit * 0.55) & (h <= unit * tall) & (w >= h * 0.8) & (w <= h * 2.4)
    keep[0] = False
    marks = []
    for label in np.flatnonzero(keep):
        box = (int(x[label]), int(y[label]), int(x[label] + w[label]), int(y[label] + h[label]))
        mark = _mark(rgb, edges, labels[box[1]:box[3], box[0]:box[2]] == label, box, unit,
                     any(all(abs(a - b) <= 2 for a, b in zip(r, box, strict=True))
                         for r in rings))
        if mark is not None:
            marks.append(mark)
    return marks


def faint_switches(rgb: Pixels, edges: Pixels, unit: float, known: Sequence[Mark]
                   ) -> list[Mark]:
    """Switches whose outline broke into pieces, where no mark was found: a light track on
    white (#d1d5db: edges only a few levels over the threshold), its rounded ends' shading a
    pixel's gap in the outline. Found among the edges closed over such gaps, and only
    pills with a knob (a letter's edges closed are no switch)."""
    closed = cv2.morphologyEx(edges.view(np.uint8), cv2.MORPH_CLOSE, CLOSING).view(bool)
    return [mark for mark in find_marks(rgb, closed, unit, edge_blobs(closed))
            if mark.box[2] - mark.box[0] >= 1.6 * (mark.box[3] - mark.box[1])
            and switch_knob(rgb, mark.box) and not any(overlaps(mark.box, k.box) for k in known)]


CLOSING = np.ones((3, 3), np.uint8)


def find_round_signs(rgb: Pixels, unit: float, blobs: Blobs) -> list[tuple[IntBox, str]]:
    """Round buttons holding a sign alone (a thermostat's − and +, a close ×): circles 1.2 to
    four text heights wide, the sign inside their ring; (box, sign) each."""
    labels, stats = blobs
    x, y, w, h = (stats[:, k] for k in range(4))
    keep = (h >= 1.2 * unit) & (h <= 4 * unit) & (np.abs(w - h) <= np.maximum(2, h // 10))
    keep[0] = False
    found = []
    for label in np.flatnonzero(keep):
        left, top, width, height = int(x[label]), int(y[label]), int(w[label]), int(h[label])
        filled = _filled(labels[top:top + height, left:left + width] == label)
        if not (0.7 <= float(filled.mean()) <= 0.86 and _round(filled)):
            continue
        inset = round(0.2 * height)  # inside the ring, which a square's corners would cross
        box = (left, top, left + width, top + height)
        sign = glyph(rgb, (left + inset, top + inset, left + width - inset,
                           top + height - inset))
        if sign is not None:
            found.append((box, sign))
    return found


def _mark(rgb: Pixels, edges: Pixels, blob: Pixels, box: IntBox, unit: float,
          ring: bool = False) -> Mark | None:
    h, w = blob.shape
    # first: it lets off the letters of words, cheaply (a switch's state may be said close on
    # its left: "Off ⚪━")
    alone = _alone(edges, box) or (w >= 1.6 * h and switch_knob(rgb, box))
    if not alone and not ring:
        return None
    filled = _filled(blob)
    share = float(filled.mean())
    if share < 0.4:
        return None
    if h < 0.8 * unit and _dot(rgb, box, filled & ~blob):
        return None  # a list's bullet
    straight = straight_sides(filled)
    # A light 3D edge (ttk's clam theme) can leave a stray row or column at the box's side:
    # then a square still fills the corners of its box less one pixel all round, and all
    # within them (a letter N's notches, open at its top and bottom, leave gaps there).
    inner = filled[1:-1, 1:-1]
    cornered = inner.size > 0 and int(inner[0, 0]) + int(inner[0, -1]) + int(inner[-1, 0]) \
        + int(inner[-1, -1]) >= 3 and float(inner.mean()) >= 0.97
    if w <= h * 1.25 and ((straight and share >= 0.86) or (cornered and share >= 0.8)):
        kind: Literal["checkbox", "radio"] = "checkbox"
    elif w <= h * 1.2 and not straight and 0.4 <= share <= 0.86 and _round(filled):
        kind = "radio"  # a circle (0.79 of its box), or a diamond (0.5: ttk's default theme)
    elif (w >= h * 1.6 and not filled[0, 0] and not filled[-1, -1] and share >= 0.7
          and filled[0, w // 3:2 * w // 3].all() and filled[-1, w // 3:2 * w // 3].all()
          and filled[:, 0].mean() <= 0.6 and filled[:, -1].mean() <= 0.6
          and (h <= 2.0 * unit or switch_knob(rgb, box))):
        kind = "checkbox"  # a switch (a pill): on or off, as a checkbox is
    elif h * 1.4 <= w <= h * 2.6 and _knob_over_track(filled):
        kind = "checkbox"  # a switch whose knob stands taller than its track (Material's)
    else:
        return None
    if w < h * 1.6 and _solid(rgb, box):
        return None  # a file's coloured icon, a status dot: nothing drawn inside
    checked = mark_state(rgb, box, w >= h * 1.6)
    if not alone and (kind != "radio" or checked):
        return None  # (only a plain ring read alone stands so close after words)
    return Mark(kind, box, checked)


RING_SIGNS = frozenset("©®¢¥")  # tesseract's readings of a lone ring: no letter's, nor "@"


def ring_readings(words: Sequence[OcrWord]) -> list[IntBox]:
    """The boxes of words read as one ring sign alone ("©"): a radio button's ring, which a
    letter O is never read as."""
    return [int_box(w.box) for w in words if w.text.strip(SPECKS) in RING_SIGNS]


def _dot(rgb: Pixels, box: IntBox, hole: Pixels) -> bool:
    """Whether the blob at `box`, with `hole` inside its edges, is a solid dot: no light or
    coloured inside as a box's or a ticked box's (a list's bullet, 4 to 6 px of text colour,
    is edges all through or keeps a pixel or two of its own dark colour)."""
    left, top, right, bottom = box
    inside = rgb[top:bottom, left:right][hole].astype(np.int16)
    return bool((inside.max(axis=1) < 110).all())


def _knob_over_track(filled: Pixels) -> bool:
    """Whether the shape is a round knob at one end of a thinner bar across it: a knob the
    full height at one end, the bar 0.35–0.85 of it in the middle and at the other end, the
    middle row filled end to end, the corners empty."""
    h, w = filled.shape
    if filled[0, 0] or filled[0, -1] or filled[-1, 0] or filled[-1, -1]:
        return False
    heights = filled.sum(axis=0)
    third = max(1, w // 3)
    ends = sorted((int(heights[:third].max()), int(heights[-third:].max())))
    bar = int(heights[w // 2 - 1:w // 2 + 2].min())
    middle = np.flatnonzero(filled[:, w // 2])
    # Letters run together may fill such a box too; a switch is the same upside down (a row
    # of shadow aside) and its bar is one run down the middle
    return bool(filled[h // 2].mean() >= 0.9 and ends[1] >= 0.85 * h
                and 0.35 * h <= bar <= 0.85 * h and ends[0] <= 0.85 * h
                and (filled == filled[::-1]).mean() >= 0.9
                and middle.size and middle[-1] - middle[0] + 1 == middle.size)


def _solid(rgb: Pixels, box: IntBox) -> bool:
    """Whether the box is one flat colour, neither light nor its ground's, with no mark
    inside: an icon's square or a dot. (An empty checkbox is light or its ground's colour
    inside; a ticked one, a chosen radio button, shows a tick or a dot, or is filled inside
    a border of another colour.)"""
    left, top, right, bottom = box
    pixels = rgb[top + 2:bottom - 2, left + 2:right - 2].reshape(-1, 3).astype(np.int16)
    if top < 2 or not pixels.size:
        return False
    inside = np.median(pixels, axis=0)
    ground = np.median(rgb[top - 2, left:right].reshape(-1, 3), axis=0)
    marked = float((np.abs(pixels - inside).max(axis=1) > 60).mean())  # a tick's, a dot's
    if marked >= 0.03 or inside.min() >= 200 or np.abs(inside - ground).max() <= 60:
        return False
    # Its sides' middles a pixel in: an icon's are its fill; a box's, its border (ttk's
    # default theme fills a ticked box with one colour inside a bevelled border)
    h, w = bottom - top, right - left
    rows, columns = slice(top + h // 4, bottom - h // 4), slice(left + w // 4, right - w // 4)
    sides = np.concatenate([rgb[top + 1, columns], rgb[bottom - 2, columns],
                            rgb[rows, left + 1], rgb[rows, right - 2]]).astype(np.int16)
    return bool((np.abs(sides - inside).max(axis=1) <= 40).mean() >= 0.8)


def _filled(blob: Pixels) -> Pixels:
    """The blob with its holes filled: everything not reachable from outside its box."""
    padded = np.pad(blob.astype(np.uint8), 1)
    outside = padded.copy()
    mask = np.zeros((padded.shape[0] + 2, padded.shape[1] + 2), np.uint8)
    cv2.floodFill(outside, mask, (0, 0), 2)
    result: Pixels = (outside != 2)[1:-1, 1:-1]
    return result


def _round(filled: Pixels) -> bool:
    """Whether the corners are empty while the middles of the sides are full: a circle. (A
    middle may be a pixel off: Chromium drew a 20-px radio button at 150% whose left side
    touched its box on row 9 only.) A circle, or a diamond, is full a quarter in from each
    corner; a plus sign ("+ £120" on a card) is not."""
    h, w = filled.shape
    corners = filled[0, 0] or filled[0, -1] or filled[-1, 0] or filled[-1, -1]
    rows, columns = slice(max(0, h // 2 - 1), h // 2 + 1), slice(max(0, w // 2 - 1), w // 2 + 1)
    quarters = int(filled[h // 4, w // 4]) + int(filled[h // 4, w - 1 - w // 4]) + \
        int(filled[h - 1 - h // 4, w // 4]) + int(filled[h - 1 - h // 4, w - 1 - w // 4])
    return bool(not corners and filled[rows, 0].any() and filled[rows, -1].any()
                and filled[0, columns].any() and filled[-1, columns].any() and quarters >= 3)


def _alone(edges: Pixels, box: IntBox) -> bool:
    """Whether nothing stands close to the blob on its left (0.6 of its height: a letter in a
    sentence has a word a space away) nor touches it on its right. (A letter's neighbours in a
    word touch it, edges being two pixels wide: one blob. ttk sets a checkbox's text 0.3 of its
    height away, Chromium 0.5.)"""
    left, top, right, bottom = box
    width, size = edges.shape[1], bottom - top
    start = max(0, left - max(3, round(size * 0.6)))
    before = edges[top:bottom, start:left].any(axis=0)
    # A vertical line past the blob's rows and running on (mostly) a blob's height above or
    # below it (a panel's side near its rounded corner), or half of one both above and below
    # (a fieldset's just taller than its row of checkboxes), is no neighbour: no letter is so
    # tall. (A field's side beside its placeholder's "@" runs on above, less below.)
    through = edges[top:bottom, start:left].all(axis=0)
    above = edges[top - size:top, start:left].mean(axis=0) if top >= size else through
    below = edges[bottom:bottom + size, start:left].mean(axis=0) \
        if bottom + size <= edges.shape[0] else through
    after = edges[top:bottom, right:min(width, right + 1)]
    runs_on = (above >= 0.9) | (below >= 0.9) | ((above >= 0.45) & (below >= 0.45))
    return not (before & ~(through & runs_on)).any() and not after.any()


def marked_widget(mark: Mark, runs: Sequence[Run], used: set[int], unit: float,
                  edges: Pixels, rgb: Pixels) -> Widget:
    """A checkbox or radio button with the text just right of it on its row, no border
    between (a card's radio button at its right end is not the next card's title's): with
    the line under or over it too when the mark stands between the two (a label wrapped)."""
    left, top, right, bottom = mark.box
    size = bottom - top
    reach = label_reach(mark.box, unit)

    def walled(run: Run) -> bool:  # a line through the gap, taller than the mark: a border
        gap = edges[max(0, top - size // 2):bottom + size // 2,
                    right + 3:max(right + 3, int(run.box[0]) - 3)]
        return bool(gap.size) and bool((gap.mean(axis=0) >= 0.9).any())

    def off(run: Run) -> float:  # the nearest to the mark's middle and right: its label,
        # not the hint under it starting a pixel further left ("Pickup truck" over "Open back")
        return abs((run.box[1] + run.box[3]) / 2 - (top + bottom) / 2) + 0.5 * (run.box[0] - right)

    near = [run for run in runs if id(run) not in used
            and top - 0.6 * size <= (run.box[1] + run.box[3]) / 2 <= bottom + 0.6 * size
            and right - 2 <= run.box[0] <= right + reach and not walled(run)]
    # (a lighter line is a hint: "Vegetarian hot lunch" over "Same as hot lunch, no meat or
    # fish", the mark level with the gap between, a pixel nearer the hint)
    shades = {id(run): _shade(rgb, run) for run in near}
    darkest = min(shades.values(), default=0.0)
    best = min(near, default=None,
               key=lambda run: off(run) + (size if shades[id(run)] > darkest + LIGHTER else 0))
    box = (float(left), float(top), float(right), float(bottom))
    if best is None:
        return Widget(mark.kind, box, checked=mark.checked)
    lines = [best]
    other = _other_line(best, mark.box, runs, used, unit, rgb)
    if other is not None:
        lines = sorted((best, other), key=lambda run: run.box[1])
    used.update(id(run) for run in lines)
    words = tuple(w for run in lines for w in run.words)
    text, text_box = text_of(words)
    return Widget(mark.kind, box, text, text_box, words, mark.checked)


def _shade(rgb: Pixels, run: Run) -> float:
    """How light the run's ink is (0 black, 255 white; 255 when unknown)."""
    return _lightness(ink_colour(rgb, int_box(run.box)))


def _lightness(ink: Colour | None) -> float:
    """How light an ink is (0 black, 255 white; 255 when unknown)."""
    return 255.0 if ink is None else sum(ink) / 3


def _other_line(label: Run, mark: IntBox, runs: Sequence[Run], used: set[int], unit: float,
                rgb: Pixels) -> Run | None:
    """The other line of a label wrapped in two beside its mark, which stands between them
    ("○ Student / Unlimited" in a narrow card: its nearer line alone, "Unlimited", named
    another card's plan): starting where the label does, as tall and in the same ink (not a
    lighter hint under it); or the title over it when the nearer line is that title's lighter
    hint ("○ Varifocals / Near, middle and far"). None when there is none."""
    middle = (mark[1] + mark[3]) / 2
    height = label.box[3] - label.box[1]
    ink = ink_colour(rgb, int_box(label.box))
    for run in runs:
        if id(run) in used or run is label or abs(run.box[0] - label.box[0]) > 0.5 * unit:
            continue
        upper, lower = sorted((label, run), key=lambda r: r.box[1])
        if not 0 <= lower.box[1] - upper.box[3] <= unit:
            continue
        middles = (upper.box[1] + upper.box[3]) / 2, (lower.box[1] + lower.box[3]) / 2
        quarter = (middles[1] - middles[0]) / 4
        wrapped = abs((run.box[3] - run.box[1]) - height) <= 0.25 * height
        between = middles[0] + quarter < middle < middles[1] - quarter
        titled = upper is run and middles[0] + quarter < middle <= lower.box[3]
        if not ((wrapped and between) or titled):
            continue
        other = ink_colour(rgb, int_box(run.box))
        if wrapped and between and same_ink(ink, other):
            return run
        if titled and _lightness(other) + LIGHTER <= _lightness(ink):
            return run  # (the title darker than its hint, the mark level with either)
    return None
