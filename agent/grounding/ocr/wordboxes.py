"""Word boxes tesseract grew: a word whose box reaches far above its line's other words took
in ink over it (a radio button's circle drawn just over a card's title: "Under" boxed from the
circle's top). Such a box stands on rows it is not on, so its top comes down to its line's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from agent.grounding.ocr.engines import OcrWord

__all__ = ["trimmed"]

GROWN = 1.8  # a box this many times as tall as its line's tallest other word has grown


def trimmed(words: Sequence[OcrWord]) -> list[OcrWord]:
    """`words` with each grown box's top brought down to its line's tallest other word's."""
    lines: dict[tuple[int, ...], list[OcrWord]] = defaultdict(list)
    for word in words:
        lines[word.line].append(word)
    tallest: dict[int, OcrWord] = {}
    for line in lines.values():
        for word in line:
            others = [w for w in line if w is not word and sum(c.isalnum() for c in w.text) >= 2]
            if others:
                tallest[id(word)] = max(others, key=lambda w: w.box[3] - w.box[1])
    result = []
    for word in words:
        other = tallest.get(id(word))
        if other is not None and _grown(word, other):
            left, _top, right, bottom = word.box
            word = replace(word, box=(left, bottom - (other.box[3] - other.box[1]), right, bottom))
        result.append(word)
    return result


def _grown(word: OcrWord, other: OcrWord) -> bool:
    """Whether `word` reaches far above `other`, a word of its line, and ends where it does."""
    height, beside = word.box[3] - word.box[1], other.box[3] - other.box[1]
    level = abs(word.box[3] - other.box[3]) <= 0.3 * beside
    return beside > 0 and height > GROWN * beside and level
