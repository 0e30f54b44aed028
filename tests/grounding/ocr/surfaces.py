"""What the page suite shows: a web page in Chromium, or a Tk desktop dialog, behind one interface.

A page named `tk-KIND` is tests/apps/tk_dialogs.py KIND at the suite's zoom (tk scaling), shown
over a blank Chromium; every other name is an HTML page of pages/. Both record what the user did
with the same keys (value:ID, checked:ID, events, focus) and report where each element is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

from tests.grounding.ocr.chromium import Browser, State
from tests.xvfb import VirtualDisplay

TK_APP = Path(__file__).resolve().parents[2] / "apps" / "tk_dialogs.py"
TK_PREFIX = "tk-"
TK_KINDS = ("save", "confirm", "find", "prefs")


class Surface(Protocol):
    @property
    def page(self) -> str: ...

    @property
    def zoom(self) -> float: ...

    def open(self, page: str) -> None: ...

    def reset(self, painted: bool = True) -> None: ...

    def state(self) -> State: ...

    def box(self, where: str) -> tuple[int, int, int, int]: ...

    def wait_state(self, expect: dict[str, Any], timeout: float) -> State: ...


class TkDialog:
    """A Tk dialog app in its own process; reset = start it again (same pixels, fresh state)."""

    def __init__(self, display: VirtualDisplay, zoom: float) -> None:
        self.display, self.zoom, self.page = display, zoom, ""
        self._dir = tempfile.TemporaryDirectory(prefix="planground-tk-")
        self._path = Path(self._dir.name) / "state.json"
        self._proc: subprocess.Popen[bytes] | None = None

    def open(self, page: str) -> None:
        kind = page.removeprefix(TK_PREFIX)
        if kind not in TK_KINDS:
            raise ValueError(f"no Tk dialog {kind!r} (dialogs: {', '.join(TK_KINDS)})")
        self.page = page
        self.reset()

    def reset(self, painted: bool = True) -> None:
        self.close()
        self._path.unlink(missing_ok=True)
        self._proc = subprocess.Popen(
            [sys.executable, str(TK_APP), self.page.removeprefix(TK_PREFIX), f"{self.zoom:g}",
             str(self._path)], env=self.display.env)
        deadline = time.monotonic() + 10
        while not self._path.exists():
            if time.monotonic() > deadline or self._proc.poll() is not None:
                raise RuntimeError(f"the Tk dialog {self.page!r} did not start")
            time.sleep(0.02)
        time.sleep(0.05)  # the first frame is drawn by the time the state is first written

    def state(self) -> State:
        state: State = json.loads(self._path.read_text())
        state.pop("boxes", None)  # where things are is not what happened
        return state

    def box(self, where: str) -> tuple[int, int, int, int]:
        boxes: dict[str, list[int]] = json.loads(self._path.read_text())["boxes"]
        left, top, right, bottom = boxes[where]
        return left, top, right, bottom

    def wait_state(self, expect: dict[str, Any], timeout: float) -> State:
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if all(state.get(k) == v for k, v in expect.items()):
                time.sleep(0.05)  # a stray second effect of the same click shows by now
                return self.state()
            if time.monotonic() > deadline:
                return state
            time.sleep(0.02)

    def close(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=5)
            self._proc = None

    def dispose(self) -> None:
        self.close()
        self._dir.cleanup()


class Stage:
    """The surface showing the current page: Chromium, or a Tk dialog over a blank Chromium."""

    def __init__(self, display: VirtualDisplay, browser: Browser) -> None:
        self.display, self.browser = display, browser
        self.current: Surface = browser
        self.tk: TkDialog | None = None

    @property
    def page(self) -> str:
        return self.current.page

    @property
    def zoom(self) -> float:
        return self.browser.zoom

    def open(self, page: str) -> None:
        if page.startswith(TK_PREFIX):
            self.browser.driver.get("about:blank")  # no other page's words behind the dialog
            self.tk = self.tk or TkDialog(self.display, self.zoom)
            self.current = self.tk
        else:
            self.close()
            self.current = self.browser
        self.current.open(page)

    def reset(self, painted: bool = True) -> None:
        self.current.reset(painted)

    def state(self) -> State:
        return self.current.state()

    def box(self, where: str) -> tuple[int, int, int, int]:
        return self.current.box(where)

    def wait_state(self, expect: dict[str, Any], timeout: float) -> State:
        return self.current.wait_state(expect, timeout)

    def close(self) -> None:
        if self.tk is not None:
            self.tk.dispose()
            self.tk = None

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
