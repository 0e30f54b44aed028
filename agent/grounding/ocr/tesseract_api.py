"""tesseract inside this process, through tesserocr (in the `ocr` extra), when it can run here.

The CLI starts a process and loads the model for every read (~80 ms each). Through the API the
model loads once per process and stays, in a pool of one instance per thread that reads at
the same time (tesserocr releases the GIL while recognising, so bands run on all cores). The
wheel bundles tesseract 5.5, which read the busy 1080p bench screen's upper half in 0.60 s
against 0.82 s for Debian's 5.3 library in-process and 0.96 s for its CLI (2026-12-05, same
image and model, one core each). The model files are the system's (apt's tesseract-ocr-eng):
tesserocr ships none.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from agent.errors import GroundingError, UsageError

__all__ = ["TesseractApi", "api_available", "tessdata_dir"]

# Where distributions put the models, newest first (Debian/Ubuntu, Fedora, Homebrew, source).
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/opt/homebrew/share/tessdata",
                 "/usr/local/share/tessdata")


@cache
def tessdata_dir(lang: str = "eng") -> str | None:
    """The folder holding `lang`.traineddata: $TESSDATA_PREFIX, where the tesseract CLI looks,
    or a distribution's usual place; None when there is none."""
    places = [os.environ.get("TESSDATA_PREFIX", ""), _cli_tessdata(), *TESSDATA_DIRS]
    for place in places:
        if place and (Path(place) / f"{lang}.traineddata").is_file():
            return place
    return None


def _cli_tessdata() -> str:
    """The folder `tesseract --list-langs` names ('List of available languages in "DIR/"')."""
    binary = shutil.which("tesseract")
    if binary is None:
        return ""
    try:
        done = subprocess.run([binary, "--list-langs"], capture_output=True, timeout=10,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    found = re.search(r'languages in "([^"]+)"', done.stdout.decode(errors="replace"))
    return found.group(1) if found else ""


def api_available(lang: str = "eng") -> bool:
    """Whether tesserocr is importable and finds `lang`'s model."""
    return importlib.util.find_spec("tesserocr") is not None and tessdata_dir(lang) is not None


PoolKey = tuple[str, str, tuple[tuple[str, str], ...]]  # model folder, language, variables


class TesseractApi:
    """Reads images to tesseract's TSV in this process; instances are shared by everyone who
    asks for the same model and settings, so the model is loaded once per thread in use."""

    _pools: ClassVar[dict[PoolKey, queue.SimpleQueue[Any]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, lang: str, variables: Mapping[str, str]) -> None:
        folder = tessdata_dir(lang)
        if folder is None:
            raise GroundingError(f"tesseract's model for {lang!r} is not installed "
                                 f"(apt install tesseract-ocr-{lang})")
        self.folder = folder
        self.lang = lang
        # debug_file: not "Estimating resolution as 146" on the user's terminal for each read.
        self.variables = {"debug_file": os.devnull, **variables}
        key = (folder, lang, tuple(sorted(self.variables.items())))
        with self._lock:
            self._pool = self._pools.setdefault(key, queue.SimpleQueue())

    def tsv(self, image: Image.Image, psm: int, timeout: float) -> str:
        """tesseract's TSV for a greyscale `image` read with page segmentation mode `psm`."""
        gray = image if image.mode == "L" else image.convert("L")
        with self._borrowed() as api:
            api.SetPageSegMode(psm)
            # The API keeps a pointer to these bytes, not a copy: `pixels` outlives the read.
            pixels = gray.tobytes()
            api.SetImageBytes(pixels, gray.width, gray.height, 1, gray.width)
            if not api.Recognize(round(timeout * 1000)):
                api.Clear()
                raise GroundingError(f"tesseract stopped without an answer (time limit "
                                     f"{timeout:g} s)")
            table: str = api.GetTSVText(0)  # the CLI's table without its header row
            api.Clear()
        return table

    @contextmanager
    def _borrowed(self) -> Iterator[Any]:
        try:
            api = self._pool.get_nowait()
        except queue.Empty:
            api = self._load()
        try:
            yield api
        finally:
            self._pool.put(api)

    def _load(self) -> Any:
        """A new instance with the model loaded; a broken install is the user's to fix."""
        try:
            import tesserocr  # type: ignore[import-untyped,import-not-found,unused-ignore]

            return tesserocr.PyTessBaseAPI(path=self.folder.rstrip("/") + "/", lang=self.lang,
                                           variables=self.variables,
                                           set_only_non_debug_params=False)
        except (ImportError, RuntimeError) as exc:
            raise UsageError(f"tesseract (tesserocr) cannot load {self.lang!r} from "
                             f"{self.folder}: {exc}") from None
