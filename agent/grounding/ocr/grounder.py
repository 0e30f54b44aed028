"""The `ocr` grounder: finds the described text on the screenshot with a local OCR engine.

No model server. An `OcrEngine` reads the words and their boxes: the `tesseract` CLI (the OS
package, tesseract-ocr) or rapidocr (`pip install 'planground[ocr]'`, PP-OCR models bundled in the
wheel, offline). The description's quoted text, or else its distinctive words, is matched against
runs of words that stand together on one line; the answer is the centre of the best run's box,
or, when the description asks for a field and the text is its label, a point inside the field
beside or below it (agent/grounding/ocr/fields.py).

Several equally good matches are an error that lists them (never a silent pick), and so is no
match; both are `GroundingError`s (exit 1). A missing engine is a `UsageError` (exit 2).
"""

from __future__ import annotations

import difflib
import json
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PIL import Image

from agent.errors import GroundingError
from agent.grounding.grounder import Grounding, NotOnScreen
from agent.grounding.ocr.engines import (
    Box,
    EngineName,
    OcrEngine,
    OcrWord,
    RapidOcrEngine,
    TesseractEngine,
    dark_on_light,
    make_engine,
    rapidocr_available,
)
from agent.grounding.ocr.fields import field_point, wants_field
from agent.screen import Screenshot

__all__ = [
    "Box",
    "EngineName",
    "Match",
    "OcrEngine",
    "OcrGrounder",
    "OcrWord",
    "RapidOcrEngine",
    "TesseractEngine",
    "dark_on_light",
    "find_text",
    "make_engine",
    "phrases",
    "queries_for",
    "rapidocr_available",
]

# --------------------------------------------------------------------------- matching


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


ARTICLES = _wordset("a an the this that")
# Words that say what kind of element it is, not what it reads.
GENERIC = _wordset("""
a an the this that its button buttons btn field fields text textbox textfield input entry box
click tap press link hyperlink icon label labeled labelled tab menu item option checkbox radio
dropdown combobox element control widget on of in at for with says saying reads reading called
named titled word words placeholder area
""")
# Words that say where or how it looks; dropped in a second query, kept in the first.
DESCRIPTIVE = _wordset("""
red green blue yellow orange purple pink black white gray grey dark light big small large
top bottom left right upper lower middle centre center corner first second third last above
below near under over beside highlighted selected
""")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|‘([^’]+)’|«([^»]+)»|`([^`]+)`"
                     r"|(?<![\w'])'([^']+)'(?!\w)")

MIN_SIMILARITY = 0.8  # below this a run of words is not the text described ("form" vs "from")
MARGIN = 0.06  # scores this close are two plausible targets: an error, not a guess
GAP = 1.0  # a gap wider than this many line heights separates two phrases (two widgets)


def _norm(text: str) -> str:
    """Lower case, one space between words, punctuation at word edges dropped."""
    words = []
    for word in unicodedata.normalize("NFKC", text).casefold().split():
        stripped = re.sub(r"^[\W_]+|[\W_]+$", "", word)
        words.append(stripped or word)
    return " ".join(words)


def queries_for(description: str) -> list[str]:
    """The texts to look for: the quoted text, else the description's distinctive words."""
    quoted = _QUOTED.search(description)
    if quoted is not None:
        text = _norm(next(g for g in quoted.groups() if g is not None))
        if text:
            return [text]
    words = _norm(description).split()
    full = [w for w in words if w not in GENERIC]
    core = [w for w in full if w not in DESCRIPTIVE]
    if not full:  # "the Menu button": the capitalised words are the text
        full = [w for w in (_norm(w) for w in description.split() if any(c.isupper() for c in w))
                if w not in ARTICLES]
    queries = [" ".join(q) for q in (core, full) if q]
    return list(dict.fromkeys(queries))


@dataclass(frozen=True)
class Match:
    """A run of words that may be the described text."""

    text: str  # as read
    box: Box
    similarity: float  # difflib ratio to the best query, 0–1
    score: float  # similarity, lowered a little when the run is part of a longer phrase
    exact: bool  # the whole phrase reads exactly as a query

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2

    def describe(self) -> str:
        x, y = self.centre
        return f"{self.text!r} at ({x:.0f}, {y:.0f})"


def phrases(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    """The words of each line, left to right, cut where a gap is wider than the text is high."""
    lines: dict[tuple[int, ...], list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    result = []
    for line in lines.values():
        line.sort(key=lambda w: w.box[0])
        height = statistics.median(w.box[3] - w.box[1] for w in line)
        current = [line[0]]
        for word in line[1:]:
            if word.box[0] - current[-1].box[2] > GAP * height:
                result.append(current)
                current = []
            current.append(word)
        result.append(current)
    return result


def _candidates(words: Sequence[OcrWord], queries: Sequence[str]) -> list[Match]:
    longest = max(len(q.split()) for q in queries) + 2  # room for words OCR split in two
    matchers = [difflib.SequenceMatcher(None, "", q, autojunk=False) for q in queries]
    found = []
    for phrase in phrases(words):
        norms = [_norm(w.text) for w in phrase]
        whole = " ".join(norms)
        for start in range(len(phrase)):
            for end in range(start + 1, min(len(phrase), start + longest) + 1):
                text = " ".join(norms[start:end])
                similarity = 0.0
                for matcher, query in zip(matchers, queries, strict=True):
                    matcher.set_seq1(text)  # seq2 (the query) keeps its cached index
                    if matcher.real_quick_ratio() > similarity and not _other_form(text, query):
                        similarity = max(similarity, matcher.ratio())
                run = phrase[start:end]
                box = (min(w.box[0] for w in run), min(w.box[1] for w in run),
                       max(w.box[2] for w in run), max(w.box[3] for w in run))
                coverage = len(text) / len(whole)
                found.append(Match(" ".join(w.text for w in run), box, similarity,
                                   similarity * (0.8 + 0.2 * coverage),
                                   similarity == 1.0 and end - start == len(phrase)))
    return found


def _other_form(text: str, query: str) -> bool:
    """Another word that merely starts the same: "Saved" is not "Save", "Cancelled" not "Cancel"
    (a button and the state it leads to). OCR misreads letters and may read a border as a
    trailing l, I, i or j, but it does not add real endings."""
    return len(text.split()) == len(query.split()) and any(
        _ending(a, b).strip("lIij|") for a, b in zip(text.split(), query.split(), strict=True))


def _ending(a: str, b: str) -> str:
    """What the longer word adds to the shorter when it starts with it ('' otherwise)."""
    short, long = sorted((a, b), key=len)
    ending = long[len(short):]
    return ending if long.startswith(short) and ending.isalpha() else ""


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _distinct(matches: Iterable[Match]) -> list[Match]:
    """Best first, one per place: runs of the same words are one target, not two."""
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (-m.score, m.box[1], m.box[0])):
        if not any(_overlaps(match.box, k.box) for k in kept):
            kept.append(match)
    return kept


def _listing(matches: Sequence[Match], limit: int = 6) -> str:
    return "; ".join(f"{m.describe()} score {m.score:.2f}" for m in matches[:limit])


def find_text(words: Sequence[OcrWord], description: str) -> Match:
    """The one run of words the description names; GroundingError when none or several."""
    queries = queries_for(description)
    if not queries:
        raise GroundingError(f"the description {description!r} names no text to look for: "
                             "quote the element's visible text")
    if not words:
        raise NotOnScreen(f"no text found for {description!r}: OCR read no text on the screen")
    candidates = _candidates(words, queries)
    exact = _distinct(m for m in candidates if m.exact)
    if len(exact) == 1:  # the whole phrase, read exactly: beats any partial match
        return exact[0]
    if len(exact) > 1:
        raise GroundingError(f"{description!r} is ambiguous: {len(exact)} places read "
                             f"{exact[0].text!r}: {_listing(exact)}")
    good = _distinct(m for m in candidates if m.similarity >= MIN_SIMILARITY)
    if not good:
        closest = _distinct(sorted(candidates, key=lambda m: -m.similarity)[:50])
        raise NotOnScreen(f"no text like {queries[0]!r} on the screen for {description!r}; "
                             f"closest: {_listing(closest, 3) or 'none'}")
    close = [m for m in good if good[0].score - m.score <= MARGIN]
    if len(close) > 1:
        raise GroundingError(f"{description!r} is ambiguous: {len(close)} places match "
                             f"{queries[0]!r} about equally well: {_listing(close)}")
    return good[0]


# --------------------------------------------------------------------------- the grounder


class OcrGrounder:
    """Grounds a description on the text OCR reads from the screenshot; no model server."""

    def __init__(self, engine: EngineName | str | OcrEngine = "auto") -> None:
        # The engine is chosen now (a missing one fails before a run starts), but loads its
        # models only when it first reads a screen.
        self.engine: OcrEngine = make_engine(engine) if isinstance(engine, str) else engine
        self._last: tuple[Image.Image, list[OcrWord]] | None = None

    def read(self, image: Image.Image) -> list[OcrWord]:
        """The words on `image`; the last image's are kept (a drag grounds twice on one)."""
        if self._last is None or self._last[0] is not image:
            self._last = (image, self.engine.read(image))
        return self._last[1]

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        match = find_text(self.read(screenshot.image), description)
        found = {"engine": self.engine.name, "text": match.text,
                 "box": [round(v, 1) for v in match.box], "score": round(match.score, 3)}
        point = match.centre
        field = field_point(screenshot.image, match.box) if wants_field(description) else None
        if field is not None:  # the text is the field's label: act on the field
            point = field
            found["field"] = [round(v, 1) for v in field]
        return Grounding(screenshot.clamp(*point), json.dumps(found, ensure_ascii=False))
