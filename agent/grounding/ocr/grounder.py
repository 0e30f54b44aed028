"""The `ocr` grounder: finds the described element on the screenshot offline, no model server.

An `OcrEngine` reads the words and their boxes: the `tesseract` CLI (the OS package,
tesseract-ocr) or rapidocr (`pip install 'planground[ocr]'`, PP-OCR models bundled in the
wheel). With OpenCV (the same extra) the screen's widgets are found too (buttons, fields,
checkboxes, radio buttons, tabs, links: agent/grounding/ocr/widgets.py). Words and widgets are
one *analysis* per screenshot, kept for the next groundings on the same pixels.

A description is grounded on an analysis by ground.py; the answer carries its confidence
and rivals in `raw` (JSON). No good candidate is `NotOnScreen`, two close ones a
`GroundingError` listing them (exit 1), each after a closer look at a screen of small text
(magnify.py); a missing engine is a `UsageError` (exit 2).
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from PIL import Image

from agent.errors import GroundingError
from agent.grounding.grounder import Grounding
from agent.grounding.ocr.analysis import Analysis
from agent.grounding.ocr.describe import TEXT
from agent.grounding.ocr.engines import (
    Box,
    EngineName,
    OcrEngine,
    OcrWord,
    RapidOcrEngine,
    TesseractEngine,
    dark_on_light,
    make_engine,
    pixel_digest,
    rapidocr_available,
)
from agent.grounding.ocr.ground import described, ground_in
from agent.grounding.ocr.magnify import magnified_read, small_text
from agent.grounding.ocr.missed import short_reads, with_missed_lines
from agent.grounding.ocr.modal import with_dialog_read
from agent.grounding.ocr.ordinals import unread_slot
from agent.grounding.ocr.rank import Ambiguous, Decision, WidgetLike
from agent.grounding.ocr.readings import looked_closer, places, recounted
from agent.grounding.ocr.wordboxes import trimmed
from agent.screen import Screenshot

__all__ = [
    "Analysis",
    "Box",
    "EngineName",
    "OcrEngine",
    "OcrGrounder",
    "OcrWord",
    "RapidOcrEngine",
    "TesseractEngine",
    "dark_on_light",
    "ground_in",
    "make_engine",
    "rapidocr_available",
]

CACHED = 4  # analyses kept: the screens a run flips between (a dialog, back, …)
_warned: set[str] = set()


def _say_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        print(f"agent: {message}", file=sys.stderr, flush=True)


def _widget_finder() -> Callable[..., list[Any]] | None:
    """C1's `find_widgets`, or None (said once) when OpenCV or the module is missing."""
    try:
        module = importlib.import_module("agent.grounding.ocr.widgets")
    except ImportError as exc:
        missing = getattr(exc, "name", "") or ""
        if missing.split(".")[0] in ("cv2", "numpy"):
            _say_once("the ocr grounder reads words only: finding buttons, fields and "
                      "checkboxes needs OpenCV, in the ocr extra (pip install "
                      "'planground[ocr]')")
        else:
            _say_once(f"the ocr grounder reads words only: no widget finder ({exc})")
        return None
    finder: Callable[..., list[Any]] = module.find_widgets
    return finder


class OcrGrounder:
    """Grounds a description on the words and widgets of the screenshot; no model server."""

    def __init__(self, engine: EngineName | str | OcrEngine = "auto", *,
                 widgets: bool = True, incremental: bool = True) -> None:
        # The engine is chosen now (a missing one fails before a run starts), but loads its
        # models only when it first reads a screen.
        self.engine: OcrEngine = make_engine(engine) if isinstance(engine, str) else engine
        self.widgets = widgets
        self.incremental = incremental  # read only what changed since the last screenshot
        self._finder: Callable[..., list[Any]] | None = None
        self._looked = False
        self._last: tuple[Image.Image, Analysis] | None = None
        self._cache: OrderedDict[bytes, Analysis] = OrderedDict()
        self._read_last: tuple[Image.Image, list[OcrWord]] | None = None
        self._reads = itertools.count(1)  # numbers the reads: lines of a region keyed apart
        self._lock = threading.Lock()  # guards the cache and the analyses under way
        self._pending: dict[bytes, Future[Analysis]] = {}
        self._claimed: tuple[Image.Image, bytes] | None = None  # the last image hashed
        # Closer readings (all, and the short runs only), by the id of the first analysis
        self._closer: OrderedDict[int, tuple[Analysis, Analysis | None]] = OrderedDict()
        self._shortly: OrderedDict[int, tuple[Analysis, Analysis | None]] = OrderedDict()
        self._block: OcrEngine | None = None  # reads short runs (`closer`)

    def read(self, image: Image.Image) -> list[OcrWord]:
        """The words on `image` (from its cached analysis)."""
        return self.analyse(image).words

    def prepare(self, screenshot: Screenshot) -> None:
        """Start analysing `screenshot` in the background: `agent run` calls this while the
        planner thinks, and the grounding that follows finds the analysis done (or waits for
        it). A failure is left for that grounding to meet and report."""
        digest, known, mine = self._claim(screenshot.image)
        if mine and isinstance(known, Future):
            threading.Thread(target=self._prepared, args=(screenshot.image, digest, known),
                             daemon=True, name="ocr-prepare").start()

    def _prepared(self, image: Image.Image, digest: bytes, pending: Future[Analysis]) -> None:
        with contextlib.suppress(Exception):
            self._analysed(image, digest, pending)

    def analyse(self, image: Image.Image) -> Analysis:
        """Words and widgets of `image`, computed once per screenshot: the same image object,
        or the same pixels (a drag grounds twice; a retry sees an unchanged screen). Threads
        asking for the same pixels share one analysis (a grounding waits for the one being
        prepared); different screenshots are analysed side by side."""
        last = self._last
        if last is not None and last[0] is image:
            return last[1]
        digest, known, mine = self._claim(image)
        if isinstance(known, Future):
            known = self._analysed(image, digest, known) if mine else known.result()
        with self._lock:
            if digest in self._cache:
                self._cache.move_to_end(digest)
            self._last = (image, known)
        return known

    def _claim(self, image: Image.Image) -> tuple[bytes, Analysis | Future[Analysis], bool]:
        """`image`'s digest and its analysis, or the promise of one; True when the caller is
        the one to make it (no other thread is)."""
        claimed = self._claimed
        if claimed is not None and claimed[0] is image:  # prepared: hashed already
            digest = claimed[1]
        else:
            digest = pixel_digest(image)
            self._claimed = (image, digest)
        with self._lock:
            known: Analysis | Future[Analysis] | None = (self._cache.get(digest)
                                                         or self._pending.get(digest))
            if known is not None:
                return digest, known, False
            pending = self._pending[digest] = Future()
            return digest, pending, True

    def _analysed(self, image: Image.Image, digest: bytes, pending: Future[Analysis]
                  ) -> Analysis:
        """The analysis this thread makes for everyone waiting on `pending`, then kept."""
        try:
            analysis = self._analyse(image)
        except BaseException as exc:
            with self._lock:
                del self._pending[digest]
            pending.set_exception(exc)  # the waiting grounding reports it
            raise
        with self._lock:
            self._cache[digest] = analysis
            while len(self._cache) > CACHED:
                self._cache.popitem(last=False)
            del self._pending[digest]
        pending.set_result(analysis)
        return analysis

    def _analyse(self, image: Image.Image, words: list[OcrWord] | None = None,
                 appeared: tuple[Box, ...] = ()) -> Analysis:
        start = time.perf_counter()
        if words is None:
            words, appeared = self._words(image)
        widgets: list[WidgetLike] | None = None
        finder = self._widget_finder()
        if finder is not None:
            try:
                found = finder(image, words, self.engine)
            except (ImportError, MemoryError):
                raise
            except Exception as exc:  # a bug in finding widgets must not stop word grounding
                _say_once(f"the ocr grounder's widget finder failed, words only: {exc!r}")
            else:
                widgets = list(found)
                # What a labelled field's inside read when the whole-screen pass missed it (a
                # faint placeholder): words on the screen like any other, inside the field.
                known = {id(word) for word in words}
                words = words + [w for widget in found for w in widget.inner
                                 if id(w) not in known]
        return Analysis(words, widgets, time.perf_counter() - start, appeared)

    def _words(self, image: Image.Image) -> tuple[list[OcrWord], tuple[Box, ...]]:
        """The words on `image`: read whole, or, when it differs little from the screenshot
        read last, that one's words with the changed regions read again (incremental.py);
        and the boxes round what changed (none when read whole)."""
        update: tuple[list[OcrWord], tuple[Box, ...]] | None = None
        last = self._read_last
        if self.incremental and last is not None:
            update = _updated(last[0], last[1], image, self.engine, next(self._reads))
        if update is None:
            words = with_dialog_read(image, self.engine.read(image), self.engine.read)
            update = with_missed_lines(image, words, self.engine.read), ()
        update = trimmed(update[0]), update[1]
        self._read_last = (image, update[0])
        return update

    def _widget_finder(self) -> Callable[..., list[Any]] | None:
        if not self.widgets:
            return None
        if not self._looked:
            self._finder, self._looked = _widget_finder(), True
        return self._finder

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        image = screenshot.image
        described(description)  # a description naming nothing needs no look at the screen
        analysis = self.analyse(image)
        try:
            decision = ground_in(analysis, image, description)
        except GroundingError as exc:  # nothing like it, or two misreadings alike ("ty", "aty")
            exact = isinstance(exc, Ambiguous) and exc.exact  # places reading the very words:
            closer = None if exact else self.closer(image, analysis)  # no reading parts them
            if closer is None:
                raise
            decision = ground_in(closer, image, description)
            if described(description).ordinal is not None and \
                    places(decision.best, closer) < places(decision.best, analysis):
                raise  # (a count the closer reading made on fewer places is no surer)
            analysis = closer  # its error, from the better reading, is the one to report
        else:
            if (decision.best.kind == TEXT or decision.best.guessed) and \
                    analysis.widgets is not None and described(description).kinds - {TEXT}:
                analysis, decision = self._looked_closer(image, analysis, decision, description)
            elif described(description).ordinal is not None:
                analysis, decision = self._recounted(image, analysis, decision, description)
        return Grounding(screenshot.clamp(*decision.best.point),
                         json.dumps(self.record(decision, analysis), ensure_ascii=False))

    def _looked_closer(self, image: Image.Image, analysis: Analysis, decision: Decision,
                       description: str) -> tuple[Analysis, Decision]:
        """Words or a guessed field answered a kind: a closer reading decides (readings.py)."""
        closer = self.closer(image, analysis)
        if closer is None:
            return analysis, decision
        return looked_closer(image, analysis, decision, closer, description)

    def _recounted(self, image: Image.Image, analysis: Analysis, decision: Decision,
                   description: str) -> tuple[Analysis, Decision]:
        """An ordinal counts what was read, and a sibling the whole-screen pass dropped (a
        row's short "View details" link) moves the count on to the next one unseen: it is
        counted again (readings.py) on the closer reading when ink no word covers stands where
        a place would (`unread_slot`), else on the short runs of letters no word covers."""
        if unread_slot(image, decision.best, [decision.best, *decision.rivals], analysis.words):
            closer = self.closer(image, analysis)  # (it reads the short runs too)
        else:
            closer = self._with_short_reads(image, analysis)
        if closer is None:
            return analysis, decision
        return recounted(image, analysis, decision, closer, description)

    def closer(self, image: Image.Image, analysis: Analysis) -> Analysis | None:
        """`image` analysed again from a closer reading, once per screenshot: its words read
        magnified when they are small (magnify.py), and the short runs of letters no word
        covers read on their own (missed.py); None when that reads nothing new."""
        def made() -> Analysis | None:
            small = small_text(analysis.words)
            words = magnified_read(self.engine, image, analysis.words) if small \
                else analysis.words
            extra = self._short_reads(image, words)
            if not small and not extra:
                return None
            return self._analyse(image, words + extra, analysis.appeared)
        return self._remembered(self._closer, analysis, made)

    def _with_short_reads(self, image: Image.Image, analysis: Analysis) -> Analysis | None:
        """`analysis` with the short runs of letters no word covers read (missed.py), once per
        screenshot (an ordinal's recount; CPU-light beside `closer`); None: none read."""
        def made() -> Analysis | None:
            extra = self._short_reads(image, analysis.words)
            return self._analyse(image, analysis.words + extra, analysis.appeared) \
                if extra else None
        return self._remembered(self._shortly, analysis, made)

    def _remembered(self, memory: OrderedDict[int, tuple[Analysis, Analysis | None]],
                    analysis: Analysis, make: Callable[[], Analysis | None]
                    ) -> Analysis | None:
        """What `make` answers for `analysis`, made once while the analysis is cached."""
        with self._lock:
            known = memory.get(id(analysis))
        if known is not None and known[0] is analysis:
            return known[1]
        made = make()
        with self._lock:
            memory[id(analysis)] = (analysis, made)
            while len(memory) > CACHED:
                memory.popitem(last=False)
        return made

    def _short_reads(self, image: Image.Image, words: list[OcrWord]) -> list[OcrWord]:
        if self._block is None:
            engine = self.engine
            self._block = engine.as_block() if isinstance(engine, TesseractEngine) else engine
        try:
            return short_reads(image, words, self._block)
        except ImportError:  # the ocr extra's OpenCV and numpy
            return []

    def record(self, decision: Decision, analysis: Analysis) -> dict[str, Any]:
        """The answer as `raw` holds it: what was found, how sure, and the rivals."""
        best = decision.best
        found: dict[str, Any] = {
            "engine": self.engine.name, "kind": best.kind, "text": best.text,
            "box": _rounded(best.box), "score": round(best.score, 3),
            "confidence": decision.confidence,
            "candidates": [{"kind": c.kind, "text": c.text, "point": _rounded(c.point),
                            "score": round(c.score, 3)} for c in decision.rivals],
            "widgets": None if analysis.widgets is None else len(analysis.widgets),
        }
        if best.kind == "field":
            found["field"] = _rounded(best.point)
        return found


def _updated(before: Image.Image, words: list[OcrWord], image: Image.Image,
             engine: OcrEngine, generation: int
             ) -> tuple[list[OcrWord], tuple[Box, ...]] | None:
    """`words` of `before` brought up to date for `image` by reading what changed, and the
    boxes round what changed (incremental.py's groups); None when it is better read whole
    (much changed, another size) or OpenCV is missing."""
    try:
        from agent.grounding.ocr.incremental import changed_groups, merged, regions_to_read
    except ImportError:  # the ocr extra's OpenCV and numpy
        return None
    heights = sorted(w.box[3] - w.box[1] for w in words) or [14.0]
    groups = changed_groups(before, image)
    regions = regions_to_read(image, groups, heights[len(heights) // 2]) if groups else groups
    if regions is None:
        return None
    changed = tuple((float(a), float(b), float(c), float(d)) for a, b, c, d in groups or ())
    return merged(words, regions, engine.read, image, generation), changed


def _rounded(values: Sequence[float]) -> list[float]:
    return [round(v, 1) for v in values]
