"""Words for the widgets of widgets.py: the words on a box (and what of them its border made),
and runs, the words of one OCR line that stand close together (a label, a link's text)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from agent.grounding.ocr.candidate import holds, overlaps
from agent.grounding.ocr.engines import JUNK, Box, OcrWord
from agent.grounding.ocr.widgets_shapes import IntBox, Mark, Rect, int_box

__all__ = ["FRAME_CHARS", "SPECKS", "Run", "border_read", "centre_in", "clean", "initials",
           "letters", "mark_in_box", "mark_in_word", "misread", "off_marks", "runs_of",
           "text_of", "touching", "words_inside"]

RUN_GAP = 1.5  # text heights: a wider gap than this between words on a line ends a run
WORD_GAP = 0.9  # ... and at most this one joins runs the engine read as two lines


@dataclass(frozen=True)
class Run:
    """Words read on one line, each close to the next."""

    words: tuple[OcrWord, ...]
    text: str
    box: Box


def text_of(words: Iterable[OcrWord]) -> tuple[str, Box]:
    """The words' text in reading order (line by line, left to right) and the box around them."""
    ordered = sorted(words, key=lambda w: (w.line, w.box[0]))
    box = (min(w.box[0] for w in ordered), min(w.box[1] for w in ordered),
           max(w.box[2] for w in ordered), max(w.box[3] for w in ordered))
    return " ".join(w.text for w in ordered), box


def runs_of(words: Sequence[OcrWord], unit: float) -> list[Run]:
    """The runs of `words`: per line, left to right, cut where the gap is wide."""
    lines: dict[tuple[int, ...], list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    parts: list[list[OcrWord]] = []
    for line in lines.values():
        line.sort(key=lambda w: w.box[0])
        parts.append([line[0]])
        for word in line[1:]:
            if word.box[0] - parts[-1][-1].box[2] > RUN_GAP * unit:
                parts.append([])
            parts[-1].append(word)
    return [_run(part) for part in _rejoined(parts, unit)]


def _rejoined(parts: list[list[OcrWord]], unit: float) -> list[list[OcrWord]]:
    """Runs the engine parted into two lines though they stand a word's space apart on one
    row ("Email me when new" and "rewards arrive", a checkbox's label): one run again."""
    def band(word: OcrWord) -> int:  # twice the word's middle, in text heights
        return round((word.box[1] + word.box[3]) / unit)

    ends: dict[int, list[list[OcrWord]]] = {}  # runs by the row band their last word is in
    joined: list[list[OcrWord]] = []
    for part in sorted(parts, key=lambda p: p[0].box[0]):
        first, row = part[0], band(part[0])
        before = next((p for b in (row - 1, row, row + 1) for p in ends.get(b, ())
                       if 0 <= first.box[0] - p[-1].box[2] <= WORD_GAP * unit
                       and abs(first.box[1] + first.box[3] - p[-1].box[1] - p[-1].box[3])
                       <= 0.6 * unit), None)
        if before is not None:
            ends[band(before[-1])].remove(before)
            before.extend(part)
        else:
            joined.append(part)
            before = part
        ends.setdefault(band(before[-1]), []).append(before)
    return joined


def _run(words: list[OcrWord]) -> Run:
    text, box = text_of(words)
    return Run(tuple(words), text, box)


def touching(rects: Sequence[Rect], words: Sequence[OcrWord]) -> dict[int, list[OcrWord]]:
    """Per box (by id), the words whose centre is on it, its border included (a border read as
    "(" or "O")."""
    if not words:
        return {id(r): [] for r in rects}
    boxes = np.array([w.box for w in words])
    xs, ys = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    found = {}
    for rect in rects:
        left, top, right, bottom = rect.outer
        on = np.flatnonzero((xs >= left) & (xs <= right) & (ys >= top) & (ys <= bottom))
        found[id(rect)] = [words[int(k)] for k in on]
    return found


def words_inside(rect: Rect, words: Sequence[OcrWord]) -> list[OcrWord]:
    """The words wholly inside the box: what it says. A word that reaches over its border is a
    misreading of border and text together and left out (the box is read again instead)."""
    left, top, right, bottom = rect.inner
    return [w for w in words
            if w.box[0] >= left - 2 and w.box[1] >= top - 2 and w.box[2] <= right + 2
            and w.box[3] <= bottom + 2]


FRAME_CHARS = "([{|)]}"
STROKES = "-_—–~.,:;'\"`‘’“”"  # a border's or a rule's stroke read as a sign
SURE = 80  # a sign read this surely is drawn there
LINE_BOX = 4  # mark heights: a box at most this tall may hold a letter O taken for a mark


def border_read(word: OcrWord, rects: Sequence[Rect]) -> bool:
    """Whether a word is a box's side read as a letter: a letter or two, read unsure, on a
    box's edge ("J" at 58% between two fields at 150%: one's side, the other's label?), or
    across the sides of two boxes however sure (no letter is drawn over both: "J" at 64%)."""
    if len(word.text) > 2:
        return False
    edges = sum(overlaps(word.box, r.outer) for r in rects)
    return edges >= 2 or (edges == 1 and word.confidence < 60)


def clean(words: Sequence[OcrWord]) -> list[OcrWord]:
    """The words of a box without what its border added: "(Save" is "Save"; "CO)" read with no
    confidence, or a lone bracket, is no word at all; a sign read surely stays ("@ or
    subdomain": a placeholder's @ starts it at its field's side)."""
    kept = []
    for word in words:
        text = word.text.strip(FRAME_CHARS)
        if word.confidence >= JUNK and (any(c.isalnum() for c in text) or (
                word.confidence >= SURE and text.strip(STROKES))):
            kept.append(replace(word, text=text) if text != word.text else word)
    return kept


def misread(rect: Rect, words: Sequence[OcrWord]) -> bool:
    """Whether OCR read some of the box's border as text ("(Save", a word as wide as the box),
    or read it unsure: worth reading again from the inside alone."""
    left, top, right, bottom = rect.inner
    return any(w.confidence < 60 or w.text != w.text.strip(FRAME_CHARS)
               or w.box[0] < left - 2 or w.box[1] < top - 2 or w.box[2] > right + 2
               or w.box[3] > bottom + 2 for w in words)


def centre_in(box: Box, area: Sequence[float]) -> bool:
    """Whether the centre of `box` lies in `area`."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return area[0] <= x <= area[2] and area[1] <= y <= area[3]


# What OCR makes of a checkbox or a radio button.
MARK_READS = frozenset(["O", "o", "0", "Q", "©", "®", "@", "¥", "¢", "()"])
RINGS = frozenset("Oo0Q©®@¥¢()")  # the characters of those readings
SPECKS = ".,:;'`°º"  # a speck beside a mark read after it (a ring's shading: "O°")
SQUARES = frozenset("Cc[]")  # a rounded square read as a ring's half: "CO", "CO)"


def letters(rects: Sequence[Rect], words: Sequence[OcrWord]) -> list[bool]:
    """For each box, whether it is letters of a word read with confidence (their outline
    closed): its middle on a word much wider than it. All pairs at once (a busy screen has
    hundreds of each)."""
    sure = [w.box for w in words if w.confidence >= 80]
    if not rects or not sure:
        return [False] * len(rects)
    boxes = np.array(sure)[None]  # one row of words...
    outer = np.array([r.outer for r in rects])[:, None]  # ...against a column of boxes
    middle_x = (outer[..., 0] + outer[..., 2]) / 2
    middle_y = (outer[..., 1] + outer[..., 3]) / 2
    on_word = ((boxes[..., 0] <= middle_x) & (middle_x <= boxes[..., 2])
               & (boxes[..., 1] <= middle_y) & (middle_y <= boxes[..., 3]))
    wider = boxes[..., 2] - boxes[..., 0] > 1.3 * (outer[..., 2] - outer[..., 0])
    return [bool(found) for found in (on_word & wider).any(axis=1)]


def mark_in_box(mark: Mark, rects: Sequence[Rect], words: Sequence[OcrWord],
                edges: np.ndarray, marks: Sequence[Mark] = ()) -> bool:
    """Whether a mark is part of a box's text: a round mark inside a box four times its size,
    unless its text is a little way off on its right (a letter O on a button; a radio button
    in a fare's card) or it stands in a row of `marks` alike (a table row's radio buttons,
    its rules taken for a box's sides), or any mark on a word inside the box,
    however unsure the reading (the S of a white-on-blue "Sign in", read at 57%). A square
    one beside the text in a box is a Tk checkbutton's frame round its box and text."""
    box = mark.box
    area, size = (box[2] - box[0]) * (box[3] - box[1]), box[3] - box[1]
    holders = [r.inner for r in rects if holds(r.inner, box)]
    # (a box one line of text high: a panel holding a grid of radio buttons is no button)
    if mark.kind == "radio" and any((r[2] - r[0]) * (r[3] - r[1]) > 4 * area
                                    and r[3] - r[1] <= LINE_BOX * size for r in holders) \
            and not _labelled(mark.box, words, edges) and not _spaced_row(mark, marks):
        return True
    return any(_is_letter(box, w) and any(holds(r, w.box) for r in holders) for w in words)


def _spaced_row(mark: Mark, marks: Sequence[Mark]) -> bool:
    """Whether the mark is round and two more round marks of its size stand on its line, each
    two sizes or more away (a word's letters O stand closer, "BOOK"; a digit 0 is taller than
    wide: a stepper's "0" beside its "+" and a cell's "0")."""
    left, top, _right, bottom = mark.box
    size = bottom - top
    mates = [m for m in marks if _round(m) and abs(m.box[1] - top) <= 2
             and abs(m.box[3] - m.box[1] - size) <= 2 and abs(m.box[0] - left) >= 2 * size]
    return _round(mark) and len(mates) >= 2


def _round(mark: Mark) -> bool:
    """Whether the mark is a radio button as wide as high."""
    left, top, right, bottom = mark.box
    return mark.kind == "radio" and abs((right - left) - (bottom - top)) <= 1


def _labelled(box: IntBox, words: Sequence[OcrWord], edges: np.ndarray) -> bool:
    """Whether the mark has its text a little way off on its right, as a radio button has:
    nothing within a third of its height (the next letter of a word is a tenth away, a radio
    button's text half), a word starting within twice its height (a "+" in a stepper's
    button, round to the finder, has none)."""
    _left, top, right, bottom = box
    size = bottom - top
    gap = max(3, round(size / 3))
    return not edges[top:bottom, right:right + gap].any() and any(
        right + gap <= w.box[0] <= right + 2 * size and w.box[1] < bottom and w.box[3] > top
        for w in words)


def _is_letter(mark: Box, word: OcrWord) -> bool:
    """Whether the mark is one of the word's letters: on it, and the word more than a mark (or
    than marks side by side: a radio button and a colour swatch read "O@")."""
    text = word.text.strip(FRAME_CHARS)
    # (its whole width on the word: a word's box drawn from a radio button's middle, "Deny"
    # read with the right half of its mark, leaves the mark's left half out; a ring read with
    # a speck beside it, "©.", or a checkbox read "CO" is the mark's reading; a lone digit is
    # a word: a drop-down's "8")
    wordy = len(text) >= 2 or (text.isdigit() and text not in RINGS)
    return wordy and not set(text.rstrip(SPECKS)) <= RINGS | SQUARES and \
        centre_in(mark, word.box) and word.box[0] - 2 <= mark[0] and mark[2] <= word.box[2] + 2


def mark_in_word(mark: IntBox, words: Sequence[OcrWord], edges: np.ndarray) -> bool:
    """Whether a mark is a letter of a word read with confidence (the O of "Open", an "a"),
    not a mark read as the first letter of its text after it ("Gon" for a ticked box and
    "On" at 100%: a gap wider than letters keep follows the mark)."""
    box = (float(mark[0]), float(mark[1]), float(mark[2]), float(mark[3]))
    gap = max(3, round((mark[3] - mark[1]) / 4))
    return any(w.confidence >= 75 and _is_letter(box, w) and not (
        abs(w.box[0] - mark[0]) <= 2 and _after_gap(
            edges[int_box(w.box)[1]:int_box(w.box)[3], mark[2]:int_box(w.box)[2]], gap)
        is not None) for w in words)


def initials(mark: IntBox, words: Sequence[OcrWord]) -> bool:
    """Whether a mark no wider than a switch holds a word of two letters or more: a person's
    initials in an avatar's ring ("MS" on a task card), no radio button or checkbox (a dot
    or a tick is read as one sign at most)."""
    left, top, right, bottom = mark
    if right - left >= 1.6 * (bottom - top):
        return False  # (a switch may say "ON" along its track)
    return any(w.confidence >= JUNK and sum(c.isalpha() and c not in RINGS | SQUARES
                                            for c in w.text) >= 2
               and holds((left - 1.0, top - 1.0, right + 1.0, bottom + 1.0), w.box)
               for w in words)  # (a ring or a rounded square's own readings: "CO", "(J")


def off_marks(words: Sequence[OcrWord], marks: Sequence[Mark], edges: np.ndarray,
              unit: float) -> list[OcrWord]:
    """The words with the marks taken out: a word on a mark goes, but one that starts on a
    mark and goes on past it after a gap is the mark's text read together with it ("DAI day"
    for a checkbox and "All day"; "Small" boxed from its radio button's left): it stays, cut
    to what follows the gap, without a first character read for the mark."""
    kept = []
    gap = max(3, round(0.2 * unit))
    for word in words:
        box = int_box(word.box)
        on = [m for m in marks if overlaps(box, m.box)]
        if not on:
            kept.append(word)
            continue
        mark = on[0].box
        if len(on) > 1 or (mark[0] + mark[2]) / 2 > (box[0] + box[2]) / 2:
            continue  # the word is a mark's reading, or ends on one
        start = _after_gap(edges[box[1]:box[3], mark[2]:box[2]], gap)
        if start is None:
            continue
        text = word.text
        if text[:1] in MARK_GLYPHS and len(text) > 1 and box[0] <= mark[0] + \
                (mark[2] - mark[0]) / 3:
            text = text[1:]  # the mark read as a letter: "D" of "DAI" (not the D of "Deny"
            # whose box starts in the mark's middle)
        if set(text) <= RINGS:
            continue  # what followed was a drawing too: a colour swatch ("O@")
        kept.append(replace(word, text=text, box=(float(mark[2] + start), word.box[1],
                                                  word.box[2], word.box[3])))
    return kept


MARK_GLYPHS = frozenset("DGOoQ0©®@¥¢&([|{Il")  # a mark read as a word's first letter


def _after_gap(band: np.ndarray, gap: int) -> int | None:
    """The first inked column of `band` after a blank run at least `gap` wide from its start
    (None: ink goes on without one, or nothing follows it)."""
    inked = np.asarray(band.any(axis=0), dtype=bool)
    blank = 0
    for index, value in enumerate(inked):
        if value and blank >= gap:
            return index
        blank = 0 if value else blank + 1
    return None
