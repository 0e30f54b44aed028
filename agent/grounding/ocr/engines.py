"""OCR engines for the `ocr` grounder: read the words on an image and their boxes, offline.

`TesseractEngine` runs the `tesseract` CLI (the OS package tesseract-ocr) on the inked part of
the image, in bands read in parallel; `RapidOcrEngine` uses rapidocr (`pip install
'planground[ocr]'`), whose PP-OCR models ship in the wheel. `make_engine` picks one.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from PIL import Image, ImageOps

from agent.errors import GroundingError, UsageError
from agent.grounding.ocr.ink import (
    dark_on_light,
    inked_area,
    pixel_digest,
    text_height,
    text_rows,
    text_scale,
)
from agent.grounding.ocr.tesseract_api import TesseractApi, api_available

__all__ = [
    "INSTALL_HINT",
    "JUNK",
    "SLIVER",
    "Box",
    "EngineName",
    "OcrEngine",
    "OcrWord",
    "RapidOcrEngine",
    "TesseractEngine",
    "dark_on_light",
    "make_engine",
    "pixel_digest",
    "rapidocr_available",
]

EngineName = Literal["auto", "tesseract", "rapidocr"]
JUNK = 50.0  # a reading less sure than this (of 100) is no word: a border, a ring, an icon
SLIVER = 0.3  # of a line's height: a word boxed lower is an underline or a garbled word's
# foot read as text ("View", 1 px high): no place to click, though a sign of one
Backend = Literal["auto", "api", "cli"]
"""How tesseract runs: in this process through tesserocr (`api`), as the CLI, or `auto`."""
Box = tuple[float, float, float, float]
"""left, top, right, bottom in pixels of the image read."""

INSTALL_HINT = ("install tesseract (apt install tesseract-ocr) or the rapidocr extra "
                "(pip install 'planground[ocr]')")


@dataclass(frozen=True)
class OcrWord:
    """One word as the engine read it; words with the same `line` were read as one line."""

    text: str
    box: Box
    line: tuple[int, ...]
    confidence: float = 100.0  # 0–100

    def moved(self, dx: float, dy: float) -> OcrWord:
        """The same word with its box shifted by (dx, dy): from a crop's pixels to the image's."""
        left, top, right, bottom = self.box
        return replace(self, box=(left + dx, top + dy, right + dx, bottom + dy))


class OcrEngine(Protocol):
    name: str

    def read(self, image: Image.Image) -> list[OcrWord]:
        """Every word on `image`, boxes in its pixels."""
        ...


# --------------------------------------------------------------------------- engines


class TesseractEngine:
    """tesseract's TSV output, one horizontal band per core, read in parallel: in this process
    through tesserocr when it is installed (`backend="auto"`; tesseract_api.py), else by the
    `tesseract` CLI, one process per band.

    tesseract recognises line after line on one core (the CLI with OMP_THREAD_LIMIT=1: its own
    OpenMP threads make it ~5x slower on 2 busy cores), so the screen is cut into overlapping
    bands, one per core, and each line is kept from the band that owns its centre.
    """

    name = "tesseract"

    def __init__(self, binary: str | None = None, *, lang: str = "eng", psm: int = 11,
                 scale: float | None = None, jobs: int | None = None, timeout: float = 60.0,
                 dark_on_light: bool = True, options: Sequence[str] = (),
                 backend: Backend = "auto") -> None:
        self.lang = lang
        self.psm = psm
        self.scale = scale  # None: per image, from the size of its text (text_scale)
        self.jobs = jobs if jobs is not None else _cpus()
        self.timeout = timeout
        self.dark_on_light = dark_on_light
        self.options = list(options)
        self._api = self._in_process(backend, binary)
        self.backend: Backend = "api" if self._api is not None else "cli"
        found = binary or shutil.which("tesseract")
        if self._api is None and found is None:
            raise UsageError("the OCR grounder needs tesseract, which is not on PATH: "
                             "apt install tesseract-ocr (or pip install 'planground[ocr]' and "
                             "use the rapidocr engine)")
        self.binary = found or "tesseract"

    def _in_process(self, backend: Backend, binary: str | None) -> TesseractApi | None:
        """The API when `backend` allows it and it can run; `api` insists (an error if not)."""
        variables = _variables(self.options)
        usable = binary is None and variables is not None and api_available(self.lang)
        if backend == "api" and not usable:
            raise UsageError("tesseract in-process needs tesserocr (pip install "
                             "'planground[ocr]'), the language's model, no other binary and "
                             "only -c options")
        if backend == "cli" or not usable or variables is None:
            return None
        if self.dark_on_light:  # as in _run: no light-on-dark text is left to re-read
            variables = {"tessedit_do_invert": "0", **variables}
        return TesseractApi(self.lang, variables)

    def read(self, image: Image.Image) -> list[OcrWord]:
        # Grey is what tesseract binarises anyway, and a third of the bytes to pipe; PGM costs
        # no compression time.
        gray = ImageOps.grayscale(image)
        if self.dark_on_light:
            gray = dark_on_light(gray)
        area = inked_area(gray if self.dark_on_light else dark_on_light(gray))
        if area is None:
            return []
        left, top = area[0], area[1]
        gray = gray.crop(area)
        scale = self.scale if self.scale is not None else text_scale(text_height(gray))
        if scale != 1.0:
            size = (round(gray.width * scale), round(gray.height * scale))
            gray = gray.resize(size, Image.Resampling.LANCZOS)
        bands = _bands(text_rows(gray), self.jobs)
        if len(bands) == 1:
            tables = [self._run(gray)]
        else:
            with ThreadPoolExecutor(len(bands)) as pool:
                tables = list(pool.map(
                    lambda band: self._run(gray.crop((0, band[0], gray.width, band[1]))), bands))
        words: list[OcrWord] = []
        for index, ((band_top, _bottom, own_top, own_bottom), table) in enumerate(
                zip(bands, tables, strict=True)):
            for line in _tsv_lines(table, index, band_top, scale):
                centre = (min(w.box[1] for w in line) + max(w.box[3] for w in line)) / 2
                if own_top <= centre * scale < own_bottom:
                    words.extend(w.moved(left, top) for w in line)
        return words

    def _run(self, image: Image.Image) -> str:
        if self._api is not None:
            return self._api.tsv(image, self.psm, self.timeout)
        buffer = io.BytesIO()
        image.save(buffer, format="PPM")
        env = dict(os.environ)
        env.setdefault("OMP_THREAD_LIMIT", "1")
        command = [self.binary, "stdin", "stdout", "-l", self.lang, "--psm", str(self.psm)]
        if self.dark_on_light:  # no light-on-dark text is left: skip re-reading lines inverted
            command += ["-c", "tessedit_do_invert=0"]
        command += [*self.options, "tsv"]
        try:
            done = subprocess.run(command, input=buffer.getvalue(), capture_output=True, env=env,
                                  timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise GroundingError(f"tesseract took longer than {self.timeout:g} s") from None
        except OSError as exc:
            raise UsageError(f"cannot run {self.binary}: {exc}") from None
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
            raise UsageError(f"tesseract failed (exit {done.returncode}): {' / '.join(detail)}")
        return done.stdout.decode("utf-8", errors="replace")

    def as_block(self) -> TesseractEngine:
        """This engine reading each image as one block of text (psm 6): the sparse mode
        (psm 11) drops a lone digit that the block mode reads ("3" of a list's 1–6)."""
        return TesseractEngine(self.binary if self.backend == "cli" else None, lang=self.lang,
                               psm=6, scale=self.scale, jobs=1, timeout=self.timeout,
                               dark_on_light=self.dark_on_light, options=self.options,
                               backend=self.backend)


def _variables(options: Sequence[str]) -> dict[str, str] | None:
    """CLI options as the API's variables: only `-c name=value` pairs have one (else None)."""
    found: dict[str, str] = {}
    pairs = list(options)
    while pairs:
        flag = pairs.pop(0)
        if flag != "-c" or not pairs or "=" not in pairs[0]:
            return None
        name, value = pairs.pop(0).split("=", 1)
        found[name] = value
    return found


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


BAND_OVERLAP = 48  # px each side of a cut: lines up to twice this tall are whole in one band
MIN_BAND = 300  # px: thinner bands cost more in per-process start-up than they save
GAP = 3  # blank rows: a gap between lines where bands can meet without overlapping
GAP_REACH = 96  # px: how far from the balanced cut such a gap is looked for


def _bands(ink: Sequence[float], jobs: int) -> list[tuple[int, int, int, int]]:
    """(top, bottom, own_top, own_bottom) of each band: what is read, and what it owns.

    `ink` is how much text each row holds (ink.text_rows; 0: a blank row): each band gets about
    as much, since tesseract's time grows with the text it reads, not with the pixels around
    it. A cut goes into the nearest blank gap between lines, if one is near: the bands then
    share only blank rows (where they overlapped, ~10% of a busy screen's lines were read
    twice).
    """
    height = len(ink)
    count = max(1, min(jobs, height // MIN_BAND))
    total, running, cuts = sum(ink), 0.0, [0]
    for row, amount in enumerate(ink):
        running += amount
        while len(cuts) < count and running * count >= total * len(cuts) > 0:
            cuts.append(row + 1)
    cuts = sorted({*cuts, height})  # all the ink on a few rows: fewer bands
    edges = [(0, 0, 0)]
    for meeting in [_meeting(ink, cut) for cut in cuts[1:-1]]:
        if meeting[0] > edges[-1][0]:  # two cuts drawn to one gap make one
            edges.append(meeting)
    edges.append((height, height, height))
    count = len(edges) - 1
    return [(edges[k][1], edges[k + 1][2], edges[k][0] if k else -(2**31),
             edges[k + 1][0] if k < count - 1 else 2**31) for k in range(count)]


def _meeting(ink: Sequence[float], cut: int) -> tuple[int, int, int]:
    """Where two bands meet near `cut`: (the cut, where the lower band starts, where the upper
    ends). In the middle of the nearest gap of GAP blank rows, each band reading all of it;
    failing one, at `cut` with BAND_OVERLAP rows each way."""
    height = len(ink)
    for reach in range(GAP_REACH + 1):
        for row in (cut - reach, cut + reach):
            if 0 < row < height and not any(ink[row:row + GAP]) and row + GAP <= height:
                start, end = row, row + GAP
                while start > 0 and not ink[start - 1]:
                    start -= 1
                while end < height and not ink[end]:
                    end += 1
                return (start + end) // 2, start, end
    return cut, max(0, cut - BAND_OVERLAP), min(height, cut + BAND_OVERLAP)


_BORDER = " \t|[](){}_"


def _tsv_lines(table: str, band: int, top: int, scale: float) -> list[list[OcrWord]]:
    """tesseract's TSV of a band starting at `top` → its lines of words, boxes unscaled."""
    lines: dict[tuple[int, ...], list[OcrWord]] = {}
    for row in table.splitlines():
        cells = row.split("\t")
        if len(cells) != 12 or cells[0] != "5" or not cells[11].strip(_BORDER):
            continue  # the header, no text, or a widget's border read as "|" or "["
        block, par, line = int(cells[2]), int(cells[3]), int(cells[4])
        left, y, width, height = (float(c) for c in cells[6:10])
        text, left, width = _without_bars(cells[11].strip(), left, width)
        y += top
        key = (band, block, par, line)
        box = (left / scale, y / scale, (left + width) / scale, (y + height) / scale)
        lines.setdefault(key, []).append(OcrWord(text, box, key, float(cells[10])))
    return list(lines.values())


def _without_bars(text: str, left: float, width: float) -> tuple[str, float, float]:
    """A word without a box's side read as "|" stuck to it ("Name|" for a label 3 px left of
    its field), its box narrowed by the bars' share of its characters."""
    bare = text.strip("|")
    if bare == text or not bare:
        return text, left, width
    per_char = width / len(text)
    cut_left = len(text) - len(text.lstrip("|"))
    return bare, left + cut_left * per_char, len(bare) * per_char


class RapidOcrEngine:
    """rapidocr 3.x with the PP-OCR models its wheel bundles (no download), on onnxruntime."""

    name = "rapidocr"

    def __init__(self) -> None:
        if not rapidocr_available():
            raise UsageError("the rapidocr engine is not installed: pip install 'planground[ocr]'")
        self._ocr: Any = None

    def _engine(self) -> Any:
        if self._ocr is None:  # loading the models takes a while: only when a screen is read
            module: Any = importlib.import_module("rapidocr")
            # Screen text is upright: the angle classifier would only cost time.
            self._ocr = module.RapidOCR(params={"Global.use_cls": False,
                                                "Global.log_level": "error"})
        return self._ocr

    def read(self, image: Image.Image) -> list[OcrWord]:
        area = inked_area(dark_on_light(ImageOps.grayscale(image)))
        if area is None:
            return []
        crop = image.convert("RGB").crop(area)
        return [w.moved(area[0], area[1]) for w in self._read(crop)]

    def _read(self, image: Image.Image) -> list[OcrWord]:
        result = self._engine()(image, return_word_box=True)
        if result.boxes is None or result.txts is None:
            return []
        words: list[OcrWord] = []
        per_line = result.word_results or [()] * len(result.txts)
        for index, (quad, text, score, parts) in enumerate(
                zip(result.boxes, result.txts, result.scores, per_line, strict=False)):
            key = (index,)
            if parts:
                words.extend(OcrWord(str(t), _quad_box(q), key, float(s) * 100)
                             for t, s, q in parts if str(t).strip())
            else:
                words.extend(_split_line(str(text), _quad_box(quad), key, float(score) * 100))
        return words


def rapidocr_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))


def _quad_box(quad: Iterable[Iterable[float]]) -> Box:
    points = [(float(p[0]), float(p[1])) for p in (list(q) for q in quad)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _split_line(text: str, box: Box, key: tuple[int, ...], confidence: float) -> list[OcrWord]:
    """A line without word boxes → words with boxes shared out by character count."""
    left, top, right, bottom = box
    per_char = (right - left) / max(len(text), 1)
    words = []
    for match in re.finditer(r"\S+", text):
        words.append(OcrWord(match.group(), (left + match.start() * per_char, top,
                                             left + match.end() * per_char, bottom),
                             key, confidence))
    return words


def make_engine(engine: EngineName | str = "auto") -> OcrEngine:
    """The named engine; `auto`: tesseract when it can run (the CLI on PATH, or tesserocr with
    the language's model), else rapidocr when importable.

    `auto` is chosen by measurement (2026-12-05, this 2-core machine shared with other jobs,
    load ~6): D's page suite (bench/ocr_pages.py: 12 pages, Chromium and Tk, at 100/150/300% on
    a 1920x1080 screen, 156 scripted steps judged by the page's own state), with widgets found
    and their boxes re-read from their insides by the same engine:
      tesseract  156/156 right, 0 wrong; OCR + widgets 0.72 s median per screenshot (max 1.3)
      rapidocr   155/156 right (1 error), 0 wrong; 3.0 s median (max 8.1)
    and on the suite's first 8 pages (108 widgets, kind + text): tesseract 108/108, rapidocr
    101/108, tesseract for the screen with rapidocr for the re-read boxes 108/108 but at 2.4x
    tesseract's time. Re-reading boxes from their insides fixed what tesseract used to miss,
    so it is as accurate or more, and ~4x the faster here: rapidocr only without tesseract.
    """
    if engine == "tesseract":
        return TesseractEngine()
    if engine == "rapidocr":
        return RapidOcrEngine()
    if engine != "auto":
        raise UsageError(f"unknown OCR engine {engine!r}; known: auto, tesseract, rapidocr")
    if shutil.which("tesseract") or api_available():
        return TesseractEngine()
    if rapidocr_available():
        return RapidOcrEngine()
    raise UsageError(f"the OCR grounder has no OCR engine: {INSTALL_HINT}")
