"""The `Screen` seam: list monitors and capture one as a `Screenshot` that knows its geometry.

Coordinates travel one chain: a point in screenshot pixels (floats) → divided by the capture scale
(HiDPI: captured pixels per input-backend unit) → plus the monitor's offset → the nearest pixel,
clamped inside the monitor and kept off pyautogui's fail-safe corners.
"""

from __future__ import annotations

import math
import os
import struct
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PIL import Image

from agent.errors import DisplayError

__all__ = ["Monitor", "Rect", "Screen", "Screenshot", "check_display", "encode_png"]


@dataclass(frozen=True)
class Rect:
    """A rectangle in input-backend coordinates."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width - 1

    @property
    def bottom(self) -> int:
        return self.top + self.height - 1

    def corners(self) -> set[tuple[int, int]]:
        return {(self.left, self.top), (self.right, self.top),
                (self.left, self.bottom), (self.right, self.bottom)}


@dataclass(frozen=True)
class Monitor:
    """One monitor as mss lists it; `index` is 1-based, `rect` in input-backend coordinates."""

    index: int
    rect: Rect
    primary: bool = False


@dataclass
class Screenshot:
    """An RGB capture of one monitor, with what it takes to map its pixels onto the screen."""

    image: Image.Image
    monitor: Monitor
    desktop: Rect  # all monitors together: pyautogui's fail-safe corners are this rect's corners
    _png: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_image(cls, image: Image.Image) -> Screenshot:
        """An image file treated as a screen at the origin (for `agent ground --image`, eval)."""
        rect = Rect(0, 0, image.width, image.height)
        return cls(image.convert("RGB"), Monitor(0, rect), rect)

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    @property
    def scale(self) -> tuple[float, float]:
        """Captured pixels per input-backend unit (2.0 on a Retina display, else 1.0)."""
        return (self.image.width / self.monitor.rect.width,
                self.image.height / self.monitor.rect.height)

    def png(self) -> bytes:
        """PNG bytes, encoded once and shared by the record, the planner and the grounder."""
        if self._png is None:
            self._png = encode_png(self.image)
        return self._png

    def clamp(self, x: float, y: float) -> tuple[float, float]:
        """The point moved inside the image (edges included)."""
        return (min(max(x, 0.0), self.image.width - 1.0), min(max(y, 0.0), self.image.height - 1.0))

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        """Screenshot pixels → the input-backend pixel to act on."""
        sx, sy = self.scale
        rect = self.monitor.rect
        px = min(max(_nearest(rect.left + x / sx), rect.left), rect.right)
        py = min(max(_nearest(rect.top + y / sy), rect.top), rect.bottom)
        return _off_corners(px, py, rect, self.desktop)


def _nearest(value: float) -> int:
    return math.floor(value + 0.5)  # halves go up, unlike round()'s banker's rounding


def _off_corners(x: int, y: int, monitor: Rect, desktop: Rect) -> tuple[int, int]:
    # pyautogui raises FailSafeException when the pointer sits on a corner of the desktop; a
    # monitor's own corners are kept free too, so a click never lands where the user aims to stop.
    if (x, y) in monitor.corners() | desktop.corners():
        x += 1 if x in (monitor.left, desktop.left) else -1
        y += 1 if y in (monitor.top, desktop.top) else -1
    return x, y


class Screen(Protocol):
    def monitors(self) -> list[Monitor]: ...

    def capture(self) -> Screenshot:
        """Capture the selected monitor."""
        ...

    def grab_raw(self) -> tuple[tuple[int, int], bytes]:
        """A cheap capture of the selected monitor: size and BGRA bytes (for settle checks)."""
        ...


def encode_png(image: Image.Image) -> bytes:
    """PNG without row filters at zlib level 1 (as mss writes them): on a busy 1080p screen
    ~18 ms against Pillow's ~42 ms at level 1 (its adaptive filtering is the cost), ~6% larger."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    width, height = rgb.size
    data, line = rgb.tobytes(), width * 3
    rows = b"".join(b"\0" + data[y * line:(y + 1) * line] for y in range(height))  # filter 0
    header = struct.pack(">2I5B", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, 1)) + _png_chunk(b"IEND", b""))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def check_display() -> None:
    """Fail early, in words, when there is no X display to drive (exit 2)."""
    if sys.platform in ("win32", "darwin"):
        return
    if not os.environ.get("DISPLAY"):
        if os.environ.get("WAYLAND_DISPLAY"):
            raise DisplayError(
                "this is a Wayland session without X: log in with an X11 session, or run under "
                "XWayland with DISPLAY set (screen capture and input need X)"
            )
        raise DisplayError(
            "no display: DISPLAY is not set; run on a desktop session, or on a virtual one with "
            "`xvfb-run -s '-screen 0 1920x1080x24' agent run ...`"
        )
    _ensure_xauthority()


def _ensure_xauthority() -> None:
    # python-xlib (under pyautogui) raises XauthError when ~/.Xauthority is missing even though the
    # server needs no cookie; an empty file is what X's own clients would treat it as.
    if os.environ.get("XAUTHORITY") or (Path.home() / ".Xauthority").exists():
        return
    os.environ["XAUTHORITY"] = os.devnull
