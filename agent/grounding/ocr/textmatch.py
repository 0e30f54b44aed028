"""Text matching for the `ocr` grounder: how well a run of words OCR read is a text described.

Runs of words that stand together on one line (a phrase: a gap wider than the text is high
separates two widgets) are compared with the text (similar.py); OCR's usual letter slips (O for
0, l for I) count as a near match, never as the text itself.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.similar import MIN_SIMILARITY, MISREAD, similarity
from agent.grounding.ocr.textforms import MARKS, closed_up, dated, glyph_ends, hint_start

__all__ = ["GAP", "MIN_SIMILARITY", "MISREAD", "Run", "closed_up", "hyphenated", "norm", "phrases",
           "row_runs", "row_sets", "runs", "similarity", "union", "whole_phrases"]

JOINERS = frozenset(["-", "–", "—", "&", "/", "+"])  # signs set between words of one phrase
GAP = 1.0  # a gap wider than this many line heights separates two phrases (two widgets)
_DASHES = re.compile("[\u2010-\u2015\u2212]")


def hyphenated(text: str) -> str:
    """Dashes and minus signs as hyphens: one to whoever types a description ("the - button")
    and to OCR ("24 Aug – 28 Aug" is read "24 Aug - 28 Aug")."""
    return _DASHES.sub("-", text)


def norm(text: str) -> str:
    """Lower case, one space between words, punctuation at word edges dropped."""
    words: list[str] = []
    text = unicodedata.normalize("NFKC", text).casefold().replace("¢", "c")  # "700x25¢": a c
    for word in hyphenated(text).split():
        stripped = re.sub(r"^[\W_]+|[\W_]+$", "", word)
        if stripped or word.strip(".…") or not words:  # "Browse …": no word of its own
            words.append(stripped or word)
    return " ".join(words)


def union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def span(words: Sequence[OcrWord]) -> Box:
    """The box round a run's words; a sign read much taller than the words beside it (a dash
    boxed two lines high) widens it but makes it no taller: a row named by the run is one
    line, not the one above too."""
    heights = sorted(w.box[3] - w.box[1] for w in words)
    typical = heights[len(heights) // 2]
    tall = [w for w in words if len(w.text) <= 1 and w.box[3] - w.box[1] > 1.5 * typical]
    if not tall or len(tall) == len(words):
        return union([w.box for w in words])
    left, top, right, bottom = union([w.box for w in words if w not in tall])
    return (min(left, *(w.box[0] for w in tall)), top, max(right, *(w.box[2] for w in tall)),
            bottom)


@dataclass(frozen=True)
class Run:
    """A run of words on one line that may be the described text."""

    text: str  # as read
    box: Box
    similarity: float  # to the text described, 0–1
    whole: bool  # the run is its whole phrase (not a few words of a sentence)
    coverage: float  # share of its phrase's characters the run holds

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


def phrases(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    """The words of each line, left to right, cut where a gap is wider than the text is high."""
    lines: dict[tuple[int, ...], list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    result = []
    for line in lines.values():
        line.sort(key=lambda w: w.box[0])
        lettered = [w for w in line if any(c.isalnum() for c in w.text)] or line
        height = statistics.median(w.box[3] - w.box[1] for w in lettered)  # not a dash's
        current = [line[0]]
        for index, word in enumerate(line[1:], start=1):
            if norm(word.text) in MARKS and index < len(line) - 1 and len(line) > 2:
                result.append(current)  # "SMS © Phone": a radio button's mark between labels
                current = []
                continue
            # "Zone B - Harbour": a dash or "&" stands in a phrase with spaces around it
            joined = JOINERS.intersection((norm(word.text), norm(current[-1].text))) \
                if current else set()
            if current and word.box[0] - current[-1].box[2] > GAP * height * (
                    1.5 if joined else 1.0):
                result.append(current)
                current = []
            current.append(word)
        result.append(current)
    return [phrase for phrase in result if phrase]


def runs(words: Sequence[OcrWord], query: str, floor: float = MIN_SIMILARITY) -> list[Run]:
    """Every run of words (within one phrase) at least `floor` similar to `query`."""
    found = []
    for phrase in phrases(words):
        norms = [norm(w.text) for w in phrase]
        first, last = glyph_ends(norms, [w.confidence for w in phrase])
        ends, last = last, hint_start(phrase, first, last)
        whole = " ".join(norms[first:last])
        for start, end, score in _windows(norms, query, floor, shortest=1):
            run = phrase[start:end]
            # a label's hint in brackets is drawn with it: nothing beside it to click
            drawn = phrase[start:ends] if end == last < ends else run
            found.append(Run(" ".join(w.text for w in run), span(drawn),
                             score, start <= first and end >= last,
                             min(1.0, len(" ".join(norms[start:end])) / max(len(whole), 1))))
    if len(query.split()) > 1:
        found.extend(_wrapped(words, query, floor))
    if len(query.split()) > 2:
        found.extend(_gapped(words, query))
    if len(query.split()) > 1:
        found.extend(_skipping(words, query))
    return found


SKIPPING = 0.85  # the words described in order, a date between: a near match
SKIPPED = 3  # at most this many words between them
ALTERNATIVES = frozenset(["or", "and", "/", "&"])  # "Promo or gift card code": a promo code


def _skipping(words: Sequence[OcrWord], query: str) -> list[Run]:
    """The words described, in order, in a phrase that holds a date between them ("the
    Saturday afternoon option": "Saturday 11 January, afternoon"), or a whole short phrase's
    first and last words, an alternative after the first ("the promo code box": "Promo or
    gift card code"): a near match, which a rival with the very words beats and a second
    such phrase makes ambiguous."""
    wanted = query.split()
    found = []
    for phrase in phrases(words):
        norms = [norm(w.text) for w in phrase]
        first, last = glyph_ends(norms, [w.confidence for w in phrase])
        last = hint_start(phrase, first, last)  # (a hint in brackets after it: still whole)
        for start in (i for i, n in enumerate(norms) if n == wanted[0]):
            matched, end, undated = 1, start + 1, False
            while matched < len(wanted) and end < len(norms) and \
                    end - start - matched <= SKIPPED:
                if norms[end] == wanted[matched]:
                    matched += 1
                elif not dated(norms[end]):
                    undated = True  # ("Saturday sessions and afternoon": no slot of a day,
                    if start != first or norms[start + 1] not in ALTERNATIVES:  # but "Promo
                        break  # or gift card code" is a promo code)
                end += 1
            skipped = end - start - len(wanted)
            if undated and end != last:
                continue
            if matched == len(wanted) and 0 < skipped <= SKIPPED:
                run = phrase[start:end]
                found.append(Run(" ".join(w.text for w in run), span(run), SKIPPING,
                                 start <= first and end >= last, 1.0))
    return found


def _gapped(words: Sequence[OcrWord], query: str) -> list[Run]:
    """The text with one short word OCR dropped ("Flag [for] review": tesseract read none of
    a small underlined link's "for"), where the gap left is about that word's width: a near
    match, never the text itself."""
    wanted = query.split()
    found = []
    for line in _screen_rows(words):  # (tesseract may put the words on two lines of its own)
        norms = [norm(w.text) for w in line]
        for k, missing in enumerate(wanted[1:-1], start=1):
            if len(missing) > 3:
                continue
            before, after = wanted[:k], wanted[k + 1:]
            for start in range(len(line) - len(before) - len(after) + 1):
                middle = start + len(before)
                if norms[start:middle] != before or \
                        norms[middle:middle + len(after)] != after:
                    continue
                left, right = line[middle - 1], line[middle]
                letter = (left.box[2] - left.box[0]) / max(1, len(left.text))
                if 0.5 <= (right.box[0] - left.box[2]) / (letter * (len(missing) + 2)) <= 1.5:
                    run = line[start:middle + len(after)]
                    found.append(Run(" ".join(w.text for w in run),
                                     union([w.box for w in run]), MISREAD, True, 1.0))
    return found


def row_runs(words: Sequence[OcrWord], query: str, floor: float = MIN_SIMILARITY) -> list[Run]:
    """Runs across the cells of a screen row, whatever the gaps: "the 18:45 Spin row" names a
    time and a class that stand in two cells of a table row."""
    found = []
    for row in _screen_rows(words):
        norms = [norm(w.text) for w in row]
        for start, end, score in _windows(norms, query, floor, shortest=2):
            run = row[start:end]
            if score == 1.0 or _cells_read_words(run, query, floor):
                found.append(Run(" ".join(w.text for w in run), span(run), score, True, 1.0))
    return found


CELL_GAP = 1.5  # line heights between two words: another cell of the row


def _cells_read_words(run: Sequence[OcrWord], query: str, floor: float) -> bool:
    """Whether each cell of a run across a row's cells (one, or more) reads whole words of the
    query, in order, maybe among others ("Biscuit (dog)", "Kennel cough"), and so every word
    of it: a word OCR garbled is not made up with another cell's ("Marsh har -" and the far
    "View" of the row's link matched "Marsh harrier", and the link was taken for part of the
    row's name), nor is a run lacking a word a row's name ("I Midi coach", a filter's label on
    the first result's screen row, for "the Ripon midi coach")."""
    cells: list[list[OcrWord]] = [[run[0]]]
    for before, word in itertools.pairwise(run):
        height = max(before.box[3] - before.box[1], word.box[3] - word.box[1], 1.0)
        if word.box[0] - before.box[2] > CELL_GAP * height:
            cells.append([])
        cells[-1].append(word)
    wanted = query.split()
    for cuts in itertools.combinations(range(1, len(wanted)), len(cells) - 1):
        parts = [" ".join(wanted[a:b]) for a, b in zip((0, *cuts), (*cuts, len(wanted)),
                                                        strict=True)]
        if all(all(any(similarity(norm(w.text), said) >= floor for w in cell)
                   for said in part.split()) for cell, part in zip(cells, parts, strict=True)):
            return True
    return False


def row_sets(words: Sequence[OcrWord], query: str) -> list[Run]:
    """Screen rows holding every word of the query, in any order ("the failed develop row
    (#411)": the row reads "failed #411 develop"); a code-like name ("hooks.slack.com") may
    stand inside a longer token ("https://hooks.slack.com/services/…")."""
    wanted = closed_up(query).split()
    coded = len(wanted) == 1 and len(wanted[0]) >= 5 and any(c in "./@" for c in wanted[0])
    if len(wanted) < 2 and not coded:
        return []
    found = []
    for row in _screen_rows(words):
        held = _inside_tokens(row, wanted[0]) if coded else _closest_set(row, set(wanted))
        if held:
            found.append(Run(" ".join(w.text for w in held), union([w.box for w in held]),
                             1.0, True, 1.0))
    return found


def _closest_set(row: Sequence[OcrWord], wanted: set[str]) -> list[OcrWord]:
    """The wanted words of the narrowest stretch of the row holding them all (a word said
    twice on the row, "Mar" of the card beside, is taken where the others are); [] when the row
    lacks one."""
    norms = [norm(w.text) for w in row]
    best: list[OcrWord] = []
    for start in (i for i, n in enumerate(norms) if n in wanted):
        seen: set[str] = set()
        for end in range(start, len(row)):
            seen |= {norms[end]} & wanted
            if seen == wanted:
                held = [w for w, n in zip(row[start:end + 1], norms[start:end + 1],
                                          strict=True) if n in wanted]
                if not best or held[-1].box[2] - held[0].box[0] < best[-1].box[2] - best[0].box[0]:
                    best = held
                break
    return best


def _inside_tokens(row: Sequence[OcrWord], code: str) -> list[OcrWord]:
    """The words of a row whose text, run together, holds `code` (OCR splits a URL at its
    dots and slashes): those the code's letters fall on; [] when it is not there."""
    spans, joined = [], ""
    for word in row:
        text = word.text.casefold()
        spans.append((len(joined), len(joined) + len(text)))
        joined += text
    start = joined.find(code)
    if start < 0:
        return []
    end = start + len(code)
    return [w for w, (a, b) in zip(row, spans, strict=True) if a < end and start < b]


def _windows(norms: Sequence[str], query: str, floor: float, shortest: int
             ) -> Iterator[tuple[int, int, float]]:
    """(start, end, similarity) of each window of at least `shortest` of the words, up to two
    more than the query has (room for words OCR split in two), at least `floor` similar."""
    longest = len(query.split()) + 2
    for start in range(len(norms)):
        for end in range(start + shortest, min(len(norms), start + longest) + 1):
            score = similarity(" ".join(norms[start:end]), query)
            if score >= floor:
                yield start, end, score


def _screen_rows(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    """The words in rows across the screen (centres within half a height, the taller's: a
    dash read two pixels high is on its words' row), left to right."""
    rows: list[list[OcrWord]] = []
    for word in sorted(words, key=lambda w: w.box[1] + w.box[3]):
        middle, height = (word.box[1] + word.box[3]) / 2, word.box[3] - word.box[1]
        first = rows[-1][0].box if rows else word.box
        if rows and abs(middle - (first[1] + first[3]) / 2) < max(height, first[3] - first[1]) / 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w.box[0]) for row in rows]


WRAPPED_WORDS = 6  # a label wrapped over two lines beside its field: at most so many words


def _wrapped(words: Sequence[OcrWord], query: str, floor: float) -> list[Run]:
    """A short label wrapped onto two lines ("Coupon" over "code"; set flush right beside its
    field, "Vehicle registration" over "number", "Why should we" over "show it?"), read as one
    run."""
    lines = [(union([w.box for w in p]), p) for p in phrases(words) if len(p) < WRAPPED_WORDS]
    lines.sort(key=lambda line: line[0][1])
    tops = [box[1] for box, _p in lines]
    found = []
    for top, upper in lines:
        height = top[3] - top[1]
        # only the lines starting in the band just under this one
        for below, lower in lines[bisect.bisect_left(tops, top[3]):
                                  bisect.bisect_right(tops, top[3] + 0.8 * height)]:
            aligned = min(abs(below[0] - top[0]), abs(below[2] - top[2]))  # left or right
            if aligned > 0.5 * height or len(upper) + len(lower) > WRAPPED_WORDS:
                continue
            text = " ".join(norm(w.text) for w in (*upper, *lower))
            score = similarity(text, query)
            if score >= floor:
                found.append(Run(" ".join(w.text for w in (*upper, *lower)),
                                 union([top, below]), score, True, 1.0))
    return found


def whole_phrases(words: Sequence[OcrWord]) -> list[Run]:
    """Each phrase as one run (the candidates of a description that names no text)."""
    return [Run(" ".join(w.text for w in phrase), union([w.box for w in phrase]), 1.0, True, 1.0)
            for phrase in phrases(words)]
