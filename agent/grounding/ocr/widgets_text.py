"""Words for the widgets of widgets.py: the words on a box (and what of them its border made),
and runs, the words of one OCR line that stand close together (a label, a link's text)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.widgets_shapes import IntBox, Mark, Rect

__all__ = ["FRAME_CHARS", "Run", "centre_in", "clean", "letters", "mark_in_box", "mark_in_word",
           "misread", "runs_of", "text_of", "touching", "words_inside"]

RUN_GAP = 1.5  # text heights: a wider gap than this between words on a line ends a run


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
    runs: list[Run] = []
    for line in lines.values():
        line.sort(key=lambda w: w.box[0])
        current = [line[0]]
        for word in line[1:]:
            if word.box[0] - current[-1].box[2] > RUN_GAP * unit:
                runs.append(_run(current))
                current = []
            current.append(word)
        runs.append(_run(current))
    return runs


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


def clean(words: Sequence[OcrWord]) -> list[OcrWord]:
    """The words of a box without what its border added: "(Save" is "Save"; "CO)" read with no
    confidence, or a lone bracket, is no word at all."""
    kept = []
    for word in words:
        text = word.text.strip(FRAME_CHARS)
        if word.confidence >= 50 and any(c.isalnum() for c in text):
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


def letters(rect: Rect, words: Sequence[OcrWord]) -> bool:
    """Whether a box is letters of a word read with confidence (their outline closed)."""
    middle = ((rect.outer[0] + rect.outer[2]) / 2, (rect.outer[1] + rect.outer[3]) / 2)
    return any(w.confidence >= 80 and w.box[0] <= middle[0] <= w.box[2]
               and w.box[1] <= middle[1] <= w.box[3]
               and w.box[2] - w.box[0] > 1.3 * (rect.outer[2] - rect.outer[0]) for w in words)


def mark_in_box(mark: Mark, rects: Sequence[Rect]) -> bool:
    """Whether a round mark lies inside a box four times its size: a letter O on a button (a
    square one inside a box is a Tk checkbutton's frame round its box and text)."""
    if mark.kind != "radio":
        return False
    box = mark.box
    area = (box[2] - box[0]) * (box[3] - box[1])
    return any(r.inner[0] <= box[0] and r.inner[1] <= box[1] and box[2] <= r.inner[2]
               and box[3] <= r.inner[3]
               and (r.inner[2] - r.inner[0]) * (r.inner[3] - r.inner[1]) > 4 * area
               for r in rects)


def mark_in_word(mark: IntBox, words: Sequence[OcrWord]) -> bool:
    """Whether a mark is a letter of a word read with confidence (the O of "Open", an "a")."""
    box = (float(mark[0]), float(mark[1]), float(mark[2]), float(mark[3]))
    return any(w.confidence >= 75 and len(w.text.strip(FRAME_CHARS)) >= 2
               and w.text.strip(FRAME_CHARS) not in MARK_READS and centre_in(box, w.box)
               for w in words)
