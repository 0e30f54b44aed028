"""Wait until the screen stops changing after an action: bounded, never a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops

__all__ = ["IGNORE_AREA", "Frame", "Settler", "changed_area", "visibly_changed"]

IGNORE_AREA = 600
"""Changes up to this many px² (a blinking caret, a ticking clock) do not count as movement."""

Frame = tuple[tuple[int, int], bytes]
"""A cheap capture: (width, height) and raw BGRA bytes."""


def changed_area(before: Image.Image, after: Image.Image) -> int:
    """Area of the bounding box of the pixels that differ (0 when identical)."""
    box = ImageChops.difference(before, after).getbbox()
    if box is None:
        return 0
    return (box[2] - box[0]) * (box[3] - box[1])


CARET_PX = 3
"""A change at most this wide (or this tall) is a text caret blinking or moving."""


def visibly_changed(before: Image.Image, after: Image.Image) -> bool:
    """Whether an action had a visible effect: any change but a caret's, however small (one
    digit of a spinbox, one typed character)."""
    box = ImageChops.difference(before, after).getbbox()
    return box is not None and min(box[2] - box[0], box[3] - box[1]) > CARET_PX


@dataclass
class Settler:
    """Polls cheap captures until `quiet` consecutive ones show no change bigger than `ignore`.

    `ignore` (px²) lets a blinking caret or a ticking clock count as still.
    """

    grab: Callable[[], Frame]
    timeout: float = 3.0
    interval: float = 0.04
    quiet: int = 2
    ignore: int = IGNORE_AREA

    def settle(self, should_stop: Callable[[], bool] = lambda: False) -> float:
        """Seconds spent waiting; returns at `timeout` even if the screen keeps moving."""
        start = time.monotonic()
        previous = self.grab()
        calm = 0
        while calm < self.quiet and time.monotonic() - start < self.timeout and not should_stop():
            time.sleep(self.interval)
            current = self.grab()
            calm = calm + 1 if self._still(previous, current) else 0
            previous = current
        return time.monotonic() - start

    def _still(self, a: Frame, b: Frame) -> bool:
        if a[1] == b[1]:  # the common case, a memcmp
            return True
        if a[0] != b[0]:
            return False
        first = Image.frombytes("RGB", a[0], a[1], "raw", "BGRX")
        second = Image.frombytes("RGB", b[0], b[1], "raw", "BGRX")
        return changed_area(first, second) <= self.ignore
