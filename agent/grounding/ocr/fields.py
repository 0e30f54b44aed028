"""From a label OCR found to the input field it names: "the Name field" means the box beside
the text "Name", not the text.

OCR reads a field's label, not the field. When the description asks for a field (field, box,
input, entry, text area…) and the text found is not itself inside a box (a placeholder: box
sides left and right of it with the same background beyond both; a window's edge beside a label
is no box side), the point moves into the nearest box edge to the right of the label on its row,
else just below it:
an edge is a change from the background that spans the label's whole height (a box's side), or
runs along under it (a box's top). With no such edge nearby there is no answer (the caller
says so): the label itself is not a field.

This is the word-only path (no OpenCV); with it, the widget finder's field boxes are used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PIL import Image

from agent.grounding.ocr.engines import Box

__all__ = ["field_point", "no_side_between", "underlined_field", "wants_field"]

FIELD_WORDS = frozenset({
    "field", "fields", "box", "textbox", "textfield", "input", "entry", "area", "textarea",
    "combobox", "combo", "dropdown", "editor",
})
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|«[^»]*»|`[^`]*`|'[^']*'")

CONTRAST = 40  # a channel differing this much from the background is an edge
RIGHT_REACH = 320  # px right of a label where its field may start
BELOW_REACH = 40  # px below a label where its field may start
INSIDE_REACH = 16  # a box edge this close left of the text: the text is inside a box
INSET = 8  # px past the field's edge: inside its border and focus ring
PLACEHOLDER = (90, 200)  # the darkest grey of a placeholder's letters (Chromium's: 117)
PLACEHOLDER_INK = 50  # a letter's darkest pixels differ this much from the ground, at least
CORNER = 6  # px a rounded box's side may lie left of where its top edge ends
FAINT = 12  # a line this much darker than the background (an underline of #ddd: 34)
DASH_GAP = 3  # px: a dashed or dotted line's gaps are at most this wide
LIGHT = 200  # a field's inside: every channel at least this (white, a light grey or tint)


def wants_field(description: str) -> bool:
    """Whether the description names an input field (its quoted text aside)."""
    words = re.findall(r"[a-z]+", _QUOTED.sub(" ", description.lower()))
    return not FIELD_WORDS.isdisjoint(words)


def field_point(image: Image.Image, label: Box, others: Sequence[Box] = ()
                ) -> tuple[float, float] | None:
    """A point inside the field that `label` (text OCR found) names: beside or below it, or
    the text's own centre when it is inside a box (a placeholder); None: no field near it
    (never the label's centre: clicking a label rarely focuses its field). `others`: the
    boxes of the screen's other words, whose letters are no box sides."""
    rgb = image.convert("RGB")
    x1, y1, _, y2 = (round(v) for v in label)
    row = (y1 + y2) // 2
    left = _side_edge(rgb, range(x1 - 3, x1 - 3 - INSIDE_REACH, -1), y1, y2)
    right = _right_side(rgb, label, others)
    if left is not None and (right is None or _one_box(rgb, left, right, row)):
        return (label[0] + label[2]) / 2, float(row)  # a placeholder: already in its field
    if right is not None:
        return float(right + INSET), float(row)
    below = _top_edge(rgb, x1 + 2, range(y2 + 3, y2 + 3 + BELOW_REACH))
    if below is not None and below + 2 * INSET < rgb.height and \
            _box_top(rgb, x1 + 2, below, y2 - y1) and _empty_under(rgb, x1, below):
        return float(x1 + 2 * INSET), float(below + INSET)
    return None


def no_side_between(image: Image.Image, left: float, right: float, top: float,
                    bottom: float) -> bool:
    """Whether no box side (a panel's border, a column rule) stands between `left` and `right`
    over rows `top`…`bottom`."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    xs = range(round(left) + 2, round(right) - 2)
    return len(xs) == 0 or _side_edge(rgb, xs, round(top), round(bottom)) is None


def _empty_under(image: Image.Image, x: int, top: int) -> bool:
    """Whether just under the top edge at `top` lies a field's inside: light and blank, above
    any text it holds (not a filled button's colour, not the next row's label under a rule
    between rows)."""
    strip = [_pixel(image, x + dx, top + 3) for dx in range(INSET, 3 * INSET)]
    first = strip[0]
    return first is not None and min(first) >= LIGHT and all(
        p is not None and not _differs(p, first, FAINT) for p in strip)


def underlined_field(image: Image.Image, text: Box) -> Box | None:
    """The field a placeholder stands in when a line under it is all its frame (a title
    field with only a bottom border): grey text over a faint line from its left edge to well
    past its end (a link's underline ends with its text; a heading's rule is under dark text)."""
    x1, y1, x2, y2 = (round(v) for v in text)
    height, reach = y2 - y1, min(image.width, x2 + 3 * (x2 - x1))
    # Only the text and the rows under it, in grey: not the whole screenshot on each call.
    grey = image.crop((x1, y1, reach, min(image.height, y2 + 1 + height))).convert("L")
    darkest = min(grey.crop((0, 0, x2 - x1, y2 - y1)).tobytes(), default=0)
    if not PLACEHOLDER[0] <= darkest <= PLACEHOLDER[1] or reach <= x2 or grey.height <= height + 1:
        return None
    background = grey.getpixel((0, height + 1))
    assert isinstance(background, int)
    for y in range(height + 1, grey.height):
        end = _line_end([abs(v - background) >= FAINT
                         for v in grey.crop((0, y, grey.width, y + 1)).tobytes()])
        if end - (x2 - x1) >= 3 * height:  # on well past the text's end, and no box's top
            rgb = image if image.mode == "RGB" else image.convert("RGB")
            if _box_top(rgb, x1 + 2, y1 + y, height) or \
                    _runs_on_left(image, x1, y1 + y, height, background) or \
                    _text_along(grey, x2 - x1 + height, end, height, background):
                return None  # (a label over a drop-down whose top border starts under it; a
            # table's column heading over the rule under the header, from the table's side,
            # or with the next heading over it: a placeholder stands alone on its field's line)
            return float(x1), float(y1 - height // 2), float(x1 + end), float(y1 + y)
    return None


def _text_along(grey: Image.Image, start: int, end: int, height: int, background: int) -> bool:
    """Whether ink stands on the text's rows of `grey` between `start` and `end` (x)."""
    band = grey.crop((start, 0, end, height)).tobytes() if end > start else b""
    return any(abs(v - background) >= PLACEHOLDER_INK for v in band)


def _runs_on_left(image: Image.Image, x: int, y: int, height: int, background: int) -> bool:
    """Whether the line at row `y` also runs a text height and more left of `x`, where a
    field's border starts (its placeholder stands a few pixels in)."""
    start, end = max(0, x - 2 * height), max(0, x - height)
    left = image.crop((start, y, end, y + 1)).convert("L").tobytes()
    return bool(left) and all(abs(v - background) >= FAINT for v in left)


def _line_end(inked: Sequence[bool]) -> int:
    """Where a line starting at the row's first pixels ends (0: none starts there): solid, or
    dashed or dotted (an "Add tag" field's dashed bottom border), its dashes at least half of
    it."""
    last, blank = -1, 0
    for x, ink in enumerate(inked):
        if ink:
            last, blank = x, 0
        elif (blank := blank + 1) > DASH_GAP:
            break
    end = last + 1
    return end if end and sum(inked[:end]) >= 0.5 * end else 0


def _right_side(image: Image.Image, label: Box, others: Sequence[Box]) -> int | None:
    """The first box side right of `label` on its row, past the letters of words there ("6x4
    in" in a table cell: the "i" of "in" spans the label's height, and is no field's side)."""
    _, y1, x2, y2 = (round(v) for v in label)
    start, end = x2 + 3, x2 + 3 + RIGHT_REACH
    while start < end:
        side = _side_edge(image, range(start, end), y1, y2)
        if side is None:
            return None
        word = next((box for box in others if box[0] - 1 <= side <= box[2] + 1
                     and box[1] < y2 and y1 < box[3]), None)
        if word is None:  # (the screen's edge is no field's: no room for one; a dialog's
            # edge has no field's top and bottom beyond it)
            framed = side + 2 * INSET < image.width and \
                _framed(image, side + INSET, (y1 + y2) // 2, y2 - y1)
            return side if framed else None
        start = round(word[2]) + 3
    return None


def _box_top(image: Image.Image, x: int, top: int, height: int) -> bool:
    """Whether the edge along row `top` through `x` is a box's top, not a rule across a table
    or a page: at its left end a side goes down, at least half a text height."""
    background = _pixel(image, x, top - 2)
    if background is None:
        return False
    left = x
    while left > 0 and _differs(_pixel(image, left - 1, top) or background, background):
        left -= 1
    if left <= CORNER:  # (from the screen's side: the foot of a band, a header's, no box)
        return False
    # The side: any of a few columns about the end, a rounded corner's curve taking it left
    return all(any((p := _pixel(image, left + dx, top + dy)) is not None
                   and _differs(p, background) for dx in range(-CORNER, 3))
               for dy in range(2, max(3, height // 2)))


def _one_box(image: Image.Image, left: int, right: int, row: int) -> bool:
    """Whether the edges left and right of the text are one box's sides (a placeholder inside
    a field) rather than a window's edge and the field beside the label: outside both sides is
    the same background, where a field's inside differs from what lies beyond a window."""
    beyond_left = _pixel(image, left - INSET, row)
    beyond_right = _pixel(image, right + INSET, row)
    if beyond_left is None or beyond_right is None:
        return True  # cannot tell: the text itself is the safer answer
    return not _differs(beyond_left, beyond_right)


def _framed(image: Image.Image, x: int, row: int, height: int) -> bool:
    """Whether the colour at (x, row) ends above and below within a text height and a half of
    the row, as a field's inside does at its top and bottom borders."""
    inside = _pixel(image, x, row)
    if inside is None:
        return False
    reach = round(1.5 * height) + INSET
    return all(any((p := _pixel(image, x, row + step * dy)) is None
                   or _differs(p, inside, FAINT) for dy in range(1, reach)) for step in (-1, 1))


def _differs(a: tuple[int, ...], b: tuple[int, ...], contrast: int = CONTRAST) -> bool:
    return max(abs(p - q) for p, q in zip(a, b, strict=True)) > contrast


def _pixel(image: Image.Image, x: int, y: int) -> tuple[int, ...] | None:
    if 0 <= x < image.width and 0 <= y < image.height:
        pixel = image.getpixel((x, y))
        assert isinstance(pixel, tuple)
        return pixel
    return None


def _side_edge(image: Image.Image, xs: range, top: int, bottom: int) -> int | None:
    """The first x in `xs` where a vertical edge spans rows `top`…`bottom` (a box's side)."""
    rows = (top, (top + bottom) // 2, bottom)
    start = [p for y in rows if (p := _pixel(image, xs.start, y)) is not None]
    if len(start) < len(rows):
        return None
    # Where two of the three agree: the middle one may be a letter's ink the text's box cut
    # off ("6x4": the 4's last columns), and every white column after it an "edge".
    background = next((p for p in start if sum(not _differs(p, q) for q in start) >= 2),
                      start[1])
    for x in xs:
        column = [_pixel(image, x, y) for y in rows]
        if any(p is None for p in column):
            return None
        if all(_differs(p, background) for p in column if p is not None):
            return x
    return None


def _top_edge(image: Image.Image, x: int, ys: range) -> int | None:
    """The first y in `ys` where a horizontal edge runs from `x` to its right (a box's top)."""
    background = _pixel(image, x, ys.start)
    if background is None:
        return None
    for y in ys:
        line = [_pixel(image, x + dx, y) for dx in (0, 2 * INSET, 4 * INSET)]
        if any(p is None for p in line):
            return None
        if all(_differs(p, background) for p in line if p is not None):
            return y
    return None
