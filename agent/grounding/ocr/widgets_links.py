"""Links among the words no widget claimed: underlined or blue words, a stretch of coloured
words in a line of grey ones, and light words in a row on a dark bar (a navigation bar's)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import cv2
import numpy as np

from agent.grounding.ocr.engines import SLIVER, Box, OcrWord
from agent.grounding.ocr.widget import Widget
from agent.grounding.ocr.widgets_ink import ink_colour, joined, underline, underlined
from agent.grounding.ocr.widgets_shapes import IntBox, Pixels, int_box
from agent.grounding.ocr.widgets_text import Run, text_of

__all__ = ["Cues", "find_links", "ink_density", "inked_box", "link_runs", "nav_runs", "padded",
           "wrapped_links"]

LINE = 1.5  # text heights: an underline is at least this long (shorter words: checked anyway)
DARK_BAR = 100  # text on a ground darker than this (luma) is on a bar: a navigation bar
TINTED = 60  # channels at least this far apart: coloured ink
PLAIN = 30  # at most this far apart: grey or black ink
PLAIN_LIGHT = 200  # and no channel this light (a box round no ink measures the ground)
WRAP_GAP = 0.6  # text heights at most between a link's lines when its text wraps (a list of
# links stands farther apart)


class Cues:
    """Masks of the whole screen that spare most words the checks of their own pixels: how
    many coloured pixels (blue text), horizontal-line pixels (underlines) and dark pixels (a
    dark bar) a box holds. (Counted in the box's slice of a mask: integral images would make
    each count constant-time, but their three 8-MB tables cost more to fill than the few
    hundred counts a screen asks for.)"""

    def __init__(self, rgb: Pixels, unit: float) -> None:
        self.coloured = _spread(rgb) > 60
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        line = np.ones((1, max(3, round(unit * LINE))), np.uint8)
        # Erosion alone: what survives lies on a horizontal run of dark ink at least this long
        # (a run of edges would not do: letters' edges touch along a line of text).
        self.lines = cv2.erode((gray < 170).view(np.uint8), line)  # bools: bytes of 0 and 1
        self.dark = gray < DARK_BAR

    @staticmethod
    def count(mask: Pixels, box: Box) -> int:
        """How many marked pixels `box` holds (`mask`: one of the masks)."""
        height, width = mask.shape
        x1, y1 = min(max(0, round(box[0])), width), min(max(0, round(box[1])), height)
        x2, y2 = min(max(x1, round(box[2])), width), min(max(y1, round(box[3])), height)
        return int(np.count_nonzero(mask[y1:y2, x1:x2]))


def _spread(rgb: Pixels) -> Pixels:
    """How far apart each pixel's strongest and weakest channels are: 0 for greys."""
    red, green, blue = cv2.split(rgb)
    # In place where it can be: fewer fresh screen-sized arrays, each costing page faults.
    strongest = cv2.max(red, green)
    cv2.max(strongest, blue, dst=strongest)
    weakest = cv2.min(red, green, dst=red)
    cv2.min(weakest, blue, dst=weakest)
    return cv2.subtract(strongest, weakest, dst=strongest)


def find_links(rgb: Pixels, runs: Sequence[Run], used: set[int], unit: float,
               paneled: set[int]) -> list[Run]:
    """The links among the runs no widget took: underlined or blue words, and the light words
    of a dark navigation bar. On a panel (words of `paneled`: an open list, a table's row
    boxed), only words both blue and underlined: a list's digits' flat feet in a row look
    underlined."""
    cues = Cues(rgb, unit)
    boxed = {id(r) for r in runs if any(id(w) in paneled for w in r.words)}
    free = [r for r in runs if id(r) not in boxed]
    return link_runs(rgb, cues, free, used, unit) + \
        link_runs(rgb, cues, [r for r in runs if id(r) in boxed], used, unit, both=True) + \
        nav_runs(rgb, cues, free, used, unit)


def link_runs(rgb: Pixels, cues: Cues, runs: Sequence[Run], used: set[int], unit: float,
              *, both: bool = False) -> list[Run]:
    """Runs of words outside every widget that are underlined or blue (`both`: and), one
    link per run of such words (a gap wider than a space, or a plain word, ends a link)."""
    links: list[Run] = []
    for run in runs:
        if id(run) in used:
            continue
        span = round(run.box[0]), round(run.box[2])
        words = run.words
        likes = [_link_like(rgb, cues, word, unit, span, both) for word in words]
        if not both and cues.count(cues.coloured, run.box) >= 4:  # "New to Hollybank? Create
            # an account"
            likes = [a or b for a, b in zip(likes, _tinted_part(rgb, words), strict=True)]
        # "Give a gift": the "a" OCR boxed 3 px wide, or where it is not, is the link's when
        # the underline runs on under it (then it joins both sides)
        bridged = {k for k in range(1, len(words) - 1) if likes[k - 1] and likes[k + 1]
                   and _bridged(rgb, words[k - 1], words[k], words[k + 1], unit)}
        current: list[OcrWord] = []
        for k, word in enumerate((*words, None)):
            like = word is not None and (k in bridged or likes[k])
            if like and word is not None and (not current or bridged & {k - 1, k} or
                                              _one_link(rgb, current[-1], word, unit)):
                current.append(word)
                continue
            if current:
                text, box = text_of(current)
                links.append(Run(tuple(current), text, box))
                used.add(id(run))
            current = [word] if like and word is not None else []
    return links


def wrapped_links(widgets: Sequence[Widget], unit: float) -> list[Widget]:
    """Links whose text wraps onto the next line ("Follow / updates" in a narrow column): each
    line was found as a link; both lines together are one more, acted on at its first line.
    (Not a link wrapped at a sentence's end, "Cancel a" over "collection": its lines do not
    overlap, as two cards' links side by side do not either.)"""
    links = [w for w in widgets if w.kind == "link"]
    found = []
    for first in links:
        for second in links:
            gap = second.box[1] - first.box[3]
            if second is not first and -0.2 * unit <= gap <= WRAP_GAP * unit and \
                    second.box[0] <= first.box[0] + 0.3 * unit < second.box[2] and \
                    not first.text.endswith((".", ":")):
                box = (min(first.box[0], second.box[0]), first.box[1],
                       max(first.box[2], second.box[2]), second.box[3])
                found.append(Widget("link", box, f"{first.text} {second.text}", first.box,
                                    first.words + second.words))
    return found


def _one_link(rgb: Pixels, before: OcrWord, after: OcrWord, unit: float) -> bool:
    """Whether two link-like words next to each other are one link: close (a space apart), and
    if underlined, the underline goes on under the space between them."""
    if after.box[0] - before.box[2] > 0.9 * unit:
        return False
    found = underline(rgb, int_box(before.box), unit)
    if found is None:
        return True
    row, ground = found
    return joined(rgb, row, round(before.box[2]) + 1, round(after.box[0]) - 1, ground)


def _bridged(rgb: Pixels, before: OcrWord, word: OcrWord, after: OcrWord, unit: float
             ) -> bool:
    """Whether a short word between two link words is the link's too: the underline of the
    word before runs on under it to the word after (one letter is too little to tell)."""
    if len(word.text) > 2 or after.box[0] - before.box[2] > 2.5 * unit:
        return False
    found = underline(rgb, int_box(before.box), unit)
    return found is not None and joined(rgb, found[0], round(before.box[2]) + 1,
                                        round(after.box[0]) - 1, found[1])


def padded(box: IntBox, pad: int, shape: tuple[int, ...], side: int = 0) -> IntBox:
    """`box` grown by `pad` (and `side` more left and right), within an image of `shape`."""
    return (max(0, box[0] - pad - side), max(0, box[1] - pad), min(shape[1], box[2] + pad + side),
            min(shape[0], box[3] + pad))


def nav_runs(rgb: Pixels, cues: Cues, runs: Sequence[Run], used: set[int], unit: float
             ) -> list[Run]:
    """Light words on a dark bar, in a row of two or more runs (one may be another widget's
    text: a search field's label): a navigation bar's links. The bar's bold title (a brand, a
    heading) is no link: its ink is denser than the others'."""
    dark = [(run, ink_density(rgb, run.box)) for run in runs if _on_dark(rgb, cues, run.box)]
    links = []
    for run, density in dark:
        if id(run) in used:
            continue
        row = [(other, d) for other, d in dark
               if abs((other.box[1] + other.box[3]) / 2 - (run.box[1] + run.box[3]) / 2)
               <= 0.5 * unit]
        usual = statistics.median(d for _, d in row)
        if len(row) >= 2 and density <= 1.3 * usual:
            links.append(run)
    return links


def _on_dark(rgb: Pixels, cues: Cues, box: Box) -> bool:
    """Whether the box's ground (its median colour) is dark; most boxes are let off by their
    count of dark pixels (text on a light ground: a fraction of the box)."""
    area = max(1.0, (box[2] - box[0]) * (box[3] - box[1]))
    if cues.count(cues.dark, box) < 0.4 * area:
        return False
    left, top, right, bottom = int_box(box)
    pixels = rgb[top:bottom, left:right].reshape(-1, 3)
    return bool(pixels.size) and float(np.median(pixels.mean(axis=1))) < DARK_BAR


def ink_density(rgb: Pixels, box: Box) -> float:
    """How much of the text's own extent is ink (far from the ground): bold text has more."""
    left, top, right, bottom = inked_box(rgb, box)
    area = rgb[top:bottom, left:right].reshape(-1, 3).astype(np.int16)
    ground = np.median(rgb[round(box[1]):round(box[3]), round(box[0]):round(box[2])]
                       .reshape(-1, 3), axis=0)
    return float((np.abs(area - ground).max(axis=1) > 90).mean()) if area.size else 0.0


def inked_box(rgb: Pixels, box: Box) -> IntBox:
    """The part of `box` that holds its ink (OCR's boxes on a dark bar span the whole bar)."""
    left, top, right, bottom = int_box(box)
    area = rgb[top:bottom, left:right].astype(np.int16)
    if not area.size:
        return left, top, right, bottom
    ground = np.median(area.reshape(-1, 3), axis=0)
    # Only the rows on that ground: a box reaching past a dark bar's edge holds page, not ink.
    on_ground = np.abs(np.median(area, axis=1) - ground).max(axis=1) <= 40
    ink = (np.abs(area - ground).max(axis=2) > 90) & on_ground[:, None]
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not rows.size:
        return left, top, right, bottom
    return (left + int(columns[0]), top + int(rows[0]), left + int(columns[-1]) + 1,
            top + int(rows[-1]) + 1)


def _tinted_part(rgb: Pixels, words: Sequence[OcrWord]) -> list[bool]:
    """The words of one coloured stretch in a line of grey ones ("New to Maison Blanche?
    Create an account" in rose): a link in a brand's colour, whatever the colour; none when
    the whole line is coloured (a heading, a price) or it is coloured in several places."""
    inks = [ink_colour(rgb, int_box(word.box)) for word in words]
    tinted = [ink is not None and max(ink) - min(ink) >= TINTED for ink in inks]
    plain = [ink is not None and max(ink) - min(ink) <= PLAIN and max(ink) < PLAIN_LIGHT
             for ink in inks]
    for k in range(1, len(words) - 1):  # (a letter or two boxed apart, "a count": too little
        if tinted[k - 1] and tinted[k + 1] and len(words[k].text) <= 2 and not plain[k]:
            tinted[k] = True  # ink to measure; but a grey "or" between two links is no link)
    starts = [k for k in range(len(words)) if tinted[k] and (k == 0 or not tinted[k - 1])]
    if len(starts) != 1 or not any(p and not t for p, t in zip(plain, tinted, strict=True)):
        return [False] * len(words)
    return tinted


def _link_like(rgb: Pixels, cues: Cues, word: OcrWord, unit: float, span: tuple[int, int],
               both: bool = False) -> bool:
    if sum(c.isalnum() for c in word.text) < 2 or word.box[2] - word.box[0] < 0.4 * unit:
        return False  # a lone stroke: a border read as "I" or "l"
    if word.box[3] - word.box[1] < SLIVER * unit:
        return False  # a word boxed a pixel or two high: an underline read as text, or the
        # foot of a word garbled (still evidence of a place there: ordinals.py)
    # No confidence asked: OCR reads underlined words badly ("passwor<" at 35%), and the line
    # or the colour is the evidence here.
    box = int_box(word.box)
    foot = (box[0], box[3] - unit * 0.5, box[2], box[3] + unit * 0.45)
    lined = (box[2] - box[0] < LINE * unit + 2 or cues.count(cues.lines, foot) > 0) \
        and underlined(rgb, box, unit, span)
    if lined and not both:
        return True
    if (both and not lined) or cues.count(cues.coloured, word.box) < 4:
        return False
    colour = ink_colour(rgb, box)
    return colour is not None and colour[2] >= 120 and colour[2] - max(colour[:2]) >= 50
