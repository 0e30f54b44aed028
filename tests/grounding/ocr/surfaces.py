"""What the page suite shows: a web page in Chromium, or a Tk or GTK desktop dialog, behind one
interface.

A page named `tk-KIND` is tests/apps/tk_dialogs.py KIND at the suite's zoom (tk scaling), one
named `gtk-KIND` tests/apps/gtk_dialogs.py KIND (GTK 3 through the system's PyGObject, text
scaled by GDK_DPI_SCALE), each shown over a blank Chromium; every other name is an HTML page of
pages/. All record what the user did with the same keys (value:ID, checked:ID, events, focus)
and report where each element is.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

from tests.grounding.ocr.chromium import Browser, State
from tests.xvfb import VirtualDisplay

APPS = Path(__file__).resolve().parents[2] / "apps"
TK_APP = APPS / "tk_dialogs.py"
TK_PREFIX = "tk-"
TK_KINDS = ("save", "confirm", "find", "prefs")
GTK_APP = APPS / "gtk_dialogs.py"
GTK_PREFIX = "gtk-"
GTK_KINDS = ("save", "confirm")
SYSTEM_PYTHON = "/usr/bin/python3"  # PyGObject is the OS's (python3-gi), not in the venv


@functools.cache
def gtk_available() -> bool:
    """Whether the system's Python can show a GTK 3 window (python3-gi, gir1.2-gtk-3.0)."""
    try:
        done = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Gtk', "
                               "'3.0'); from gi.repository import Gtk"],
                              capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


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


class DialogApp:
    """A desktop dialog app in its own process (Tk or GTK, by the page's prefix); reset = start
    it again (same pixels, fresh state)."""

    def __init__(self, display: VirtualDisplay, zoom: float) -> None:
        self.display, self.zoom, self.page = display, zoom, ""
        self._dir = tempfile.TemporaryDirectory(prefix="planground-dialog-")
        self._path = Path(self._dir.name) / "state.json"
        self._proc: subprocess.Popen[bytes] | None = None

    def open(self, page: str) -> None:
        prefix = GTK_PREFIX if page.startswith(GTK_PREFIX) else TK_PREFIX
        kinds = GTK_KINDS if prefix == GTK_PREFIX else TK_KINDS
        if page.removeprefix(prefix) not in kinds:
            raise ValueError(f"no dialog {page!r} (dialogs: "
                             f"{', '.join(prefix + kind for kind in kinds)})")
        self.page = page
        self.reset()

    def reset(self, painted: bool = True) -> None:
        self.close()
        self._path.unlink(missing_ok=True)
        self._proc = subprocess.Popen([*self._command(), f"{self.zoom:g}", str(self._path)],
                                      env=self._env())
        deadline = time.monotonic() + 10
        while not self._path.exists():
            if time.monotonic() > deadline or self._proc.poll() is not None:
                raise RuntimeError(f"the dialog {self.page!r} did not start")
            time.sleep(0.02)
        time.sleep(0.05)  # the first frame is drawn by the time the state is first written

    def _command(self) -> list[str]:
        if self.page.startswith(GTK_PREFIX):
            return [SYSTEM_PYTHON, str(GTK_APP), self.page.removeprefix(GTK_PREFIX)]
        return [sys.executable, str(TK_APP), self.page.removeprefix(TK_PREFIX)]

    def _env(self) -> dict[str, str]:
        if not self.page.startswith(GTK_PREFIX):
            return self.display.env
        # GTK scales text by GDK_DPI_SCALE (a desktop's text scaling); no accessibility bus here
        return {**self.display.env, "GDK_DPI_SCALE": f"{self.zoom:g}", "NO_AT_BRIDGE": "1"}

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
    """The surface showing the current page: Chromium, or a dialog over a blank Chromium."""

    def __init__(self, display: VirtualDisplay, browser: Browser) -> None:
        self.display, self.browser = display, browser
        self.current: Surface = browser
        self.dialog: DialogApp | None = None

    @property
    def page(self) -> str:
        return self.current.page

    @property
    def zoom(self) -> float:
        return self.browser.zoom

    def open(self, page: str) -> None:
        if page.startswith((TK_PREFIX, GTK_PREFIX)):
            self.browser.driver.get("about:blank")  # no other page's words behind the dialog
            self.dialog = self.dialog or DialogApp(self.display, self.zoom)
            self.current = self.dialog
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
        if self.dialog is not None:
            self.dialog.dispose()
            self.dialog = None

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
