"""Settler: wait until the screen stops changing, ignoring caret-sized changes, never unbounded."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PIL import Image, ImageDraw

from agent.run.settle import Frame, Settler, changed_area, visibly_changed

SIZE = (160, 100)


def frame(boxes: Sequence[tuple[int, int, int, int]] = ()) -> Frame:
    """A white frame with black rectangles, as (size, BGRA bytes) like MssScreen.grab_raw."""
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    for box in boxes:
        draw.rectangle(box, fill="black")
    return image.size, image.convert("RGBX").tobytes()


class FakeGrab:
    """Returns the scripted frames in order, then repeats the last one; counts the grabs."""

    def __init__(self, frames: Sequence[Frame]) -> None:
        self.frames = list(frames)
        self.count = 0

    def __call__(self) -> Frame:
        self.count += 1
        return self.frames[min(self.count, len(self.frames)) - 1]


BLANK = frame()
CARET = frame([(50, 40, 51, 59)])  # 2x20 px: a blinking text caret
DIALOG = frame([(20, 10, 140, 90)])  # a window opening


def settler(grab: FakeGrab, **options: float) -> Settler:
    options.setdefault("interval", 0.001)
    options.setdefault("timeout", 5.0)
    return Settler(grab, **options)  # type: ignore[arg-type]


def test_a_still_screen_settles_after_quiet_still_frames() -> None:
    grab = FakeGrab([BLANK])
    settler(grab, quiet=2).settle()
    assert grab.count == 3  # the first frame, then two that match it


def test_quiet_sets_how_many_still_frames_are_needed() -> None:
    grab = FakeGrab([BLANK])
    settler(grab, quiet=5).settle()
    assert grab.count == 6


def test_a_caret_sized_change_counts_as_still() -> None:
    grab = FakeGrab([BLANK, CARET, BLANK, CARET, BLANK, CARET])
    settler(grab, quiet=2).settle()
    assert grab.count == 3


def test_a_big_change_resets_the_count() -> None:
    grab = FakeGrab([BLANK, BLANK, DIALOG])  # still once, then a window opens, then still
    settler(grab, quiet=2).settle()
    assert grab.count == 5  # BLANK, BLANK(1), DIALOG(0), DIALOG(1), DIALOG(2)


def test_the_ignore_threshold_decides_what_counts_as_a_change() -> None:
    strict = FakeGrab([BLANK, CARET, CARET])
    settler(strict, quiet=2, ignore=0).settle()
    assert strict.count == 4  # the caret appearing reset the count

    lenient = FakeGrab([BLANK, DIALOG, DIALOG])
    settler(lenient, quiet=2, ignore=SIZE[0] * SIZE[1]).settle()
    assert lenient.count == 3


def test_a_change_of_frame_size_is_a_change() -> None:
    small = ((80, 50), Image.new("RGBX", (80, 50), "white").tobytes())
    grab = FakeGrab([BLANK, small])
    settler(grab, quiet=2).settle()
    assert grab.count == 4


class Flicker(FakeGrab):
    """A screen that never stops changing (a video, a spinner)."""

    def __call__(self) -> Frame:
        self.count += 1
        return DIALOG if self.count % 2 else BLANK


def test_a_screen_that_keeps_changing_is_bounded_by_the_timeout() -> None:
    grab = Flicker([])
    start = time.monotonic()
    waited = settler(grab, quiet=2, timeout=0.1).settle()
    elapsed = time.monotonic() - start
    assert 0.1 <= waited <= elapsed < 2.0
    assert grab.count > 3  # it kept looking until the bound


def test_a_zero_timeout_returns_at_once() -> None:
    grab = Flicker([])
    assert settler(grab, timeout=0.0).settle() < 1.0
    assert grab.count == 1


def test_should_stop_ends_the_wait() -> None:
    grab = Flicker([])
    start = time.monotonic()
    settler(grab, timeout=30.0).settle(should_stop=lambda: grab.count >= 4)
    assert time.monotonic() - start < 5.0
    assert grab.count == 4


def test_changed_area_is_the_bounding_box_of_the_differences() -> None:
    blank = Image.new("RGB", SIZE, "white")
    dotted = blank.copy()
    dotted.putpixel((10, 10), (0, 0, 0))
    dotted.putpixel((19, 14), (0, 0, 0))
    assert changed_area(blank, blank.copy()) == 0
    assert changed_area(blank, dotted) == 10 * 5


def image(boxes: Sequence[tuple[int, int, int, int]] = ()) -> Image.Image:
    size, data = frame(boxes)
    return Image.frombytes("RGB", size, data, "raw", "RGBX")


def test_visibly_changed_ignores_only_a_caret() -> None:
    """What stuck detection counts as an effect: a digit's worth of pixels is one, a caret
    blinking or an unchanged screen is not."""
    assert not visibly_changed(image(), image())
    assert not visibly_changed(image(), image([(50, 40, 51, 59)]))  # caret on
    assert visibly_changed(image(), image([(70, 40, 77, 49)]))  # an 8x10 digit
    assert visibly_changed(image([(50, 40, 51, 59)]), image([(50, 40, 59, 59)]))  # a character
