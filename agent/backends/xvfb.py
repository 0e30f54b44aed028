"""A private Xvfb display: for `agent demo` and the GUI tests (never the user's real screen)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "VirtualDisplay",
    "using_display",
    "virtual_display",
    "xvfb_available",
]


@dataclass(frozen=True)
class VirtualDisplay:
    name: str  # ":99"
    width: int
    height: int
    env: dict[str, str]  # os.environ plus DISPLAY/XAUTHORITY for subprocesses


def xvfb_available() -> bool:
    return shutil.which("Xvfb") is not None


@contextmanager
def virtual_display(width: int = 1280, height: int = 800) -> Iterator[VirtualDisplay]:
    """A fresh Xvfb screen; `-noreset` keeps the pointer where it was when clients disconnect."""
    tmp = tempfile.mkdtemp(prefix="planground-xvfb-")
    xauth = os.path.join(tmp, "Xauthority")
    open(xauth, "w").close()  # python-xlib raises XauthError when the file is missing
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-noreset", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        number = _read_display_number(read_fd, proc)
        env = dict(os.environ, DISPLAY=f":{number}", XAUTHORITY=xauth)
        env.pop("WAYLAND_DISPLAY", None)
        yield VirtualDisplay(f":{number}", width, height, env)
    finally:
        os.close(read_fd)
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def _read_display_number(fd: int, proc: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 10
    data = b""
    while not data.endswith(b"\n"):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("Xvfb did not start")
        chunk = os.read(fd, 16)
        if not chunk:
            raise RuntimeError("Xvfb exited before reporting its display")
        data += chunk
    return int(data)


@contextmanager
def using_display(display: VirtualDisplay) -> Iterator[None]:
    """Point this process at `display` (for in-process GUI tests), then restore."""
    saved = {k: os.environ.get(k) for k in ("DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY")}
    os.environ["DISPLAY"] = display.name
    os.environ["XAUTHORITY"] = display.env["XAUTHORITY"]
    os.environ.pop("WAYLAND_DISPLAY", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
