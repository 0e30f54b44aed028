"""Reading a box's text again from its own inside, for the boxes whose text the whole-screen
pass missed (tesseract reads nothing from a crop that includes an HTML button's border).

All such boxes are read in one engine call: each inside is scaled up to a comfortable text
size, set on a band of its own fill colour, and the bands are stacked into one image.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from PIL import Image, ImageOps

from agent.grounding.ocr.engines import OcrEngine, OcrWord, pixel_digest
from agent.grounding.ocr.widgets_shapes import IntBox, Rect

__all__ = ["label_above", "label_beside", "reread", "wants_reading"]

CROP_HEIGHT = 40  # px: insides are scaled to about this height (text ~22 px; 56 read no better)
MAX_SCALE = 4.0
PAD = 10  # px of the inside's own colour around it: OCR wants a margin
POLARITY = 40  # grey levels from the ground: a pixel of text, lighter or darker than it
REMEMBERED = 512  # boxes' readings kept per engine (a busy screen re-reads ~50)

# Per engine: what each box's pixels read as (words in the box's own pixels).
_memories: weakref.WeakKeyDictionary[OcrEngine, OrderedDict[bytes, list[OcrWord]]] = \
    weakref.WeakKeyDictionary()


def wants_reading(rect: Rect, words: Sequence[OcrWord], edges: np.ndarray) -> bool:
    """Whether the box shows something (ink inside) but no word was read from it, and is small
    enough to be one control (a line or two of text, not a panel)."""
    left, top, right, bottom = rect.inner
    if bottom - top < 6 or right - left < 6:
        return False
    if any(any(c.isalnum() for c in w.text) for w in words):
        return False
    inner = edges[top + 2:bottom - 2, left + 2:right - 2]
    return bool(inner.any()) and (right - left) <= 0.5 * edges.shape[1]


def reread(engine: OcrEngine, image: Image.Image, boxes: Sequence[IntBox]
           ) -> list[list[OcrWord]]:
    """The words inside each box of `image`, read by `engine` from the boxes' insides alone.
    A box whose pixels were read before (the screen before a click, unchanged there) is not
    read again."""
    try:
        memory = _memories.setdefault(engine, OrderedDict())
    except TypeError:  # an engine that cannot be weakly referenced or hashed: no memory
        memory = OrderedDict()
    keys = [pixel_digest(image.crop(box)) for box in boxes]
    missing = [index for index, key in enumerate(keys) if key not in memory]
    for index, words in zip(missing, _read_sheet(engine, image, [boxes[i] for i in missing]),
                            strict=True):
        memory[keys[index]] = [w.moved(-boxes[index][0], -boxes[index][1]) for w in words]
    while len(memory) > REMEMBERED:
        memory.popitem(last=False)
    return [[replace(w.moved(box[0], box[1]), line=(-1, index, *w.line[2:]))
             for w in memory[key]] for index, (box, key) in enumerate(zip(boxes, keys,
                                                                          strict=True))]


def _read_sheet(engine: OcrEngine, image: Image.Image, boxes: Sequence[IntBox]
                ) -> list[list[OcrWord]]:
    """The boxes' insides, scaled to a text size OCR reads well, stacked in one sheet and read
    in one call; the words of each, in screenshot pixels."""
    if not boxes:
        return []
    bands, slots = [], []
    for box in boxes:
        band = _dark_on_white(ImageOps.grayscale(image.crop(box)))
        scale = min(MAX_SCALE, max(1.0, CROP_HEIGHT / max(1, band.height)))
        if scale > 1.0:
            band = band.resize((round(band.width * scale), round(band.height * scale)),
                               Image.Resampling.LANCZOS)
        bands.append(band)
        slots.append(scale)
    # Every band dark on white, on one white sheet: no band's edge frames another's text
    # (tesseract read a blue band's white "Save changes" between white bands as "severe").
    width = max(b.width for b in bands) + 2 * PAD
    sheet = Image.new("L", (width, sum(b.height + 2 * PAD for b in bands)), 255)
    tops = []
    y = 0
    for band in bands:
        sheet.paste(band, (PAD, y + PAD))
        tops.append(y)
        y += band.height + 2 * PAD
    found: list[list[OcrWord]] = [[] for _ in boxes]
    for word in engine.read(sheet.convert("RGB")):
        middle = (word.box[1] + word.box[3]) / 2
        index = max(k for k, top in enumerate(tops) if top <= middle) if middle >= 0 else 0
        placed = _placed(word, boxes[index], tops[index], slots[index], index)
        if any(c.isalnum() for c in word.text) and not _in_corner(placed.box, boxes[index]):
            found[index].append(placed)
    return found


def _in_corner(word: tuple[float, float, float, float], box: IntBox) -> bool:
    """Whether the word touches a corner of the box read: no text but the ground around a
    rounded corner (an orange pill's top right corner read "N")."""
    across = word[0] <= box[0] + 1 or word[2] >= box[2] - 1
    upright = word[1] <= box[1] + 1 or word[3] >= box[3] - 1
    return across and upright


def _dark_on_white(gray: Image.Image) -> Image.Image:
    """A box's inside as dark text on white: inverted when its text is lighter than its ground
    (white on blue, white on orange: a ground of grey 135, not dark), then stretched so that its
    ground is white and its text dark."""
    pixels = np.asarray(gray)
    ground = float(np.median(pixels))
    lighter = np.count_nonzero(pixels > ground + POLARITY)
    if lighter > np.count_nonzero(pixels < ground - POLARITY):
        gray = ImageOps.invert(gray)
    pixels = np.asarray(ImageOps.autocontrast(gray, cutoff=(0, 2))).copy()
    # A line across the whole crop (a link's underline, a border's remnant) goes: tesseract
    # reads underlined "Forgot password?" as "orgot passwor".
    pixels[(pixels < 128).mean(axis=1) >= 0.85] = 255
    return Image.fromarray(pixels)


def _placed(word: OcrWord, box: IntBox, top: int, scale: float, index: int) -> OcrWord:
    """The word moved from the sheet back onto the screenshot, on a line of its own box."""
    left, upper = box[0], box[1]
    x1, y1, x2, y2 = word.box
    moved = (left + (x1 - PAD) / scale, upper + (y1 - top - PAD) / scale,
             left + (x2 - PAD) / scale, upper + (y2 - top - PAD) / scale)
    clipped = (max(moved[0], box[0]), max(moved[1], box[1]), min(moved[2], box[2]),
               min(moved[3], box[3]))
    return replace(word, box=clipped, line=(-1, index, *word.line))


def label_beside(edges: np.ndarray, field: IntBox, unit: float) -> IntBox | None:
    """The box of what is drawn just left of a field on its row (its label, when the
    whole-screen pass read nothing there: tesseract 5.5 joins a label 15 px from a field's
    border to the border and reads "OC"); None when nothing is. Blank up to twelve text
    heights may part it from the field (as for a label read); a blank one and a half text
    heights wide ends it."""
    left, top, _right, bottom = field
    start = max(0, left - round(30 * unit))
    band = edges[top:bottom, start:max(start, left - 2)]
    inked = np.flatnonzero(band.any(axis=0))
    if not inked.size or (band.shape[1] - 1 - inked[-1]) > 12 * unit:
        return None
    return _ink_box(band, (start, top), _stretch(inked[::-1], unit), unit)


def label_above(edges: np.ndarray, field: IntBox, unit: float) -> IntBox | None:
    """The box of what is drawn just above a field from its left edge on (its label, when the
    whole-screen pass read nothing there: a short bold "Bio" over a text area); None when
    nothing is. A blank one and a half text heights wide ends it."""
    left, top, right, _bottom = field
    upper, start = max(0, top - round(2.2 * unit)), max(0, left - round(0.3 * unit))
    band = edges[upper:max(upper, top - 3), start:right]
    inked = np.flatnonzero(band.any(axis=0))
    if not inked.size or inked[0] > 1.5 * unit:
        return None
    return _ink_box(band, (start, upper), _stretch(inked, unit), unit)


def _stretch(inked: np.ndarray, unit: float) -> tuple[int, int]:
    """The first and last of the inked columns (from the end to read from) that run on without
    a blank one and a half text heights wide: (low, high)."""
    reach = int(inked[0])
    for column in inked[1:]:
        if abs(int(column) - reach) > 1.5 * unit:
            break
        reach = int(column)
    return min(reach, int(inked[0])), max(reach, int(inked[0]))


def _ink_box(band: np.ndarray, origin: tuple[int, int], columns: tuple[int, int],
             unit: float) -> IntBox:
    """The box, in screenshot pixels, around the ink of `band`'s `columns`, padded."""
    (x, y), (first, last) = origin, columns
    rows = np.flatnonzero(band[:, first:last + 1].any(axis=1))
    pad = max(2, round(0.3 * unit))
    return (max(0, x + first - pad), max(0, y + int(rows[0]) - pad), x + last + 1 + pad,
            y + int(rows[-1]) + 1 + pad)
