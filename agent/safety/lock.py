"""One run drives a display at a time: an advisory lock per display, released when we exit."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import IO

from agent.errors import UsageError

__all__ = ["DisplayLock", "display_key"]


_DISPLAY = re.compile(r"^(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?$")
_LOCAL = {"", "unix", "localhost", "127.0.0.1", "::1"}


def display_key(name: str) -> str:
    """One name per X server: ":84", ":84.0", "unix:84" and "localhost:84" are one display (the
    screen number and the local transport do not make another one)."""
    match = _DISPLAY.match(name.strip())
    if match is None:
        return name
    host = match["host"] if match["host"] not in _LOCAL else "local"
    return f"{host}-{match['number']}"


class DisplayLock:
    """Held for a run's lifetime; the OS drops it if the process dies, even by SIGKILL."""

    def __init__(self, display: str | None = None) -> None:
        name = display if display is not None else os.environ.get("DISPLAY", "default")
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", display_key(name)) or "default"
        uid = os.getuid() if hasattr(os, "getuid") else 0
        self.path = Path(tempfile.gettempdir()) / f"planground-{uid}-display-{safe}.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> DisplayLock:
        try:
            import fcntl
        except ImportError:  # Windows: one desktop per session; nothing to coordinate
            return self
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise UsageError(f"another agent run ({holder}) is driving this display; "
                             "wait for it or stop it") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the flock
            self._handle = None
