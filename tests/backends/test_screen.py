"""Screenshot pixels → the screen pixel to act on (CONTRACTS §5), and the display check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.errors import DisplayError, UsageError
from agent.screen import Rect, check_display
from tests.unit_helpers import screenshot
from tests.xvfb import split_monitors

# ------------------------------------------------------------------ offsets and scale


def test_a_primary_monitor_at_the_origin_maps_pixels_one_to_one() -> None:
    shot = screenshot(1280, 800)
    assert shot.scale == (1.0, 1.0)
    assert shot.to_screen(640, 200) == (640, 200)


def test_a_monitor_offset_is_added() -> None:
    right = Rect(1280, 0, 1024, 800)
    shot = screenshot(1024, 800, monitor=right, desktop=Rect(0, 0, 2304, 800))
    assert shot.to_screen(100, 50) == (1380, 50)


def test_a_negative_monitor_offset_is_added() -> None:
    left = Rect(-1920, 0, 1920, 1080)
    shot = screenshot(1920, 1080, monitor=left, desktop=Rect(-1920, 0, 3840, 1080))
    assert shot.to_screen(100, 50) == (-1820, 50)
    assert shot.to_screen(960, 540) == (-960, 540)


def test_a_vertical_offset_is_added() -> None:
    below = Rect(0, 1080, 1920, 1080)
    shot = screenshot(1920, 1080, monitor=below, desktop=Rect(0, 0, 1920, 2160))
    assert shot.to_screen(10, 10) == (10, 1090)


def test_hidpi_scale_2_halves_screenshot_pixels() -> None:
    shot = screenshot(2880, 1800, monitor=Rect(0, 0, 1440, 900))
    assert shot.scale == (2.0, 2.0)
    assert shot.to_screen(1000, 600) == (500, 300)
    assert shot.to_screen(2000, 1201) == (1000, 601)  # 600.5 → 601


def test_hidpi_scale_and_offset_together() -> None:
    shot = screenshot(2880, 1800, monitor=Rect(-1440, 0, 1440, 900),
                      desktop=Rect(-1440, 0, 3360, 1080))
    assert shot.to_screen(1000, 600) == (-940, 300)


# ------------------------------------------------------------------ rounding and clamping


@pytest.mark.parametrize("x, expected", [
    (10.4, 10), (10.5, 11), (10.6, 11), (11.5, 12), (12.5, 13), (0.49, 0), (0.5, 1),
])
def test_the_nearest_pixel_is_chosen_with_halves_going_up(x: float, expected: int) -> None:
    shot = screenshot(1280, 800)
    assert shot.to_screen(x, 100) == (expected, 100)  # y = 100: off the corners


def test_halves_go_up_on_negative_screen_coordinates_too() -> None:
    shot = screenshot(1920, 1080, monitor=Rect(-1920, 0, 1920, 1080),
                      desktop=Rect(-1920, 0, 3840, 1080))
    assert shot.to_screen(100.5, 50.5) == (-1819, 51)  # -1819.5 → -1819, not -1820


@pytest.mark.parametrize("point, expected", [
    ((-50, 400), (0, 400)),
    ((5000, 400), (1279, 400)),
    ((640, -3), (640, 0)),
    ((640, 9999), (640, 799)),
])
def test_points_outside_are_clamped_inside_the_monitor(
    point: tuple[float, float], expected: tuple[int, int]
) -> None:
    assert screenshot(1280, 800).to_screen(*point) == expected


def test_clamping_stays_inside_an_offset_monitor() -> None:
    right = Rect(1280, 0, 1024, 800)
    shot = screenshot(1024, 800, monitor=right, desktop=Rect(0, 0, 2304, 800))
    assert shot.to_screen(-100, 400) == (1280, 400)
    assert shot.to_screen(99999, 400) == (2303, 400)


@pytest.mark.parametrize("point, expected", [
    ((0, 0), (1, 1)),
    ((1279, 0), (1278, 1)),
    ((0, 799), (1, 798)),
    ((1279, 799), (1278, 798)),
    ((-10, -10), (1, 1)),
    ((1279.4, 799.4), (1278, 798)),
])
def test_a_desktop_corner_is_moved_one_pixel_inward(
    point: tuple[float, float], expected: tuple[int, int]
) -> None:
    assert screenshot(1280, 800).to_screen(*point) == expected


def test_corners_of_a_secondary_monitor_are_moved_inward_too() -> None:
    right = Rect(1280, 0, 1024, 800)
    shot = screenshot(1024, 800, monitor=right, desktop=Rect(0, 0, 2304, 800))
    assert shot.to_screen(0, 0) == (1281, 1)  # the monitor's corner
    assert shot.to_screen(1023, 0) == (2302, 1)  # the desktop's top-right corner
    assert shot.to_screen(0, 799) == (1281, 798)
    assert shot.to_screen(1023, 799) == (2302, 798)


def test_corners_of_a_negative_offset_monitor_are_moved_inward() -> None:
    left = Rect(-1920, 0, 1920, 1080)
    shot = screenshot(1920, 1080, monitor=left, desktop=Rect(-1920, 0, 3840, 1080))
    assert shot.to_screen(0, 0) == (-1919, 1)
    assert shot.to_screen(1919, 1079) == (-2, 1078)


def test_an_edge_point_that_is_not_a_corner_stays_on_the_edge() -> None:
    assert screenshot(1280, 800).to_screen(0, 400) == (0, 400)
    assert screenshot(1280, 800).to_screen(640, 799) == (640, 799)


MONITORS = st.builds(
    lambda left, top, width, height, scale: (Rect(left, top, width, height), scale),
    st.integers(-4000, 4000), st.integers(-3000, 3000), st.integers(3, 4000),
    st.integers(3, 3000), st.sampled_from([1, 2]),
)


@given(MONITORS, st.floats(-1e5, 1e5, allow_nan=False), st.floats(-1e5, 1e5, allow_nan=False))
def test_to_screen_is_always_inside_the_monitor_and_off_every_corner(
    monitor: tuple[Rect, int], x: float, y: float
) -> None:
    rect, scale = monitor
    desktop = Rect(rect.left - 100, rect.top, rect.width + 100, rect.height)
    shot = screenshot(rect.width * scale, rect.height * scale, monitor=rect, desktop=desktop)
    sx, sy = shot.to_screen(x, y)
    assert rect.left <= sx <= rect.right and rect.top <= sy <= rect.bottom
    assert (sx, sy) not in rect.corners() | desktop.corners()


# ------------------------------------------------------------------ clamp


@pytest.mark.parametrize("point, expected", [
    ((-5.5, 10.25), (0.0, 10.25)),
    ((1280.0, 800.0), (1279.0, 799.0)),
    ((640.5, 200.5), (640.5, 200.5)),
    ((1e9, -1e9), (1279.0, 0.0)),
])
def test_clamp_keeps_a_point_inside_the_image_with_decimals(
    point: tuple[float, float], expected: tuple[float, float]
) -> None:
    assert screenshot(1280, 800).clamp(*point) == expected


# ------------------------------------------------------------------ the display check


def test_check_display_without_display_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(DisplayError, match="DISPLAY is not set") as info:
        check_display()
    assert isinstance(info.value, UsageError) and info.value.exit_code == 2
    assert "xvfb-run" in str(info.value)


def test_check_display_on_wayland_without_x_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    with pytest.raises(DisplayError, match="Wayland") as info:
        check_display()
    assert info.value.exit_code == 2


def test_check_display_treats_an_empty_display_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", "")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(DisplayError):
        check_display()


def test_check_display_with_display_set_passes_and_sets_an_xauthority(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")  # XWayland: X is there, that is enough
    monkeypatch.setenv("XAUTHORITY", "placeholder")  # so that monkeypatch restores it after
    monkeypatch.delenv("XAUTHORITY")
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.Xauthority here
    check_display()
    assert os.environ.get("XAUTHORITY")


# ------------------------------------------------------------------ two monitors on one Xvfb


def test_split_monitors_makes_mss_list_each_monitor(make_display: Callable[..., Any]) -> None:
    display = make_display(2304, 800)
    split_monitors(display, [1280, 1024])
    listed = subprocess.run(
        [sys.executable, "-c", "import json, mss; print(json.dumps(mss.MSS().monitors[1:]))"],
        env=display.env, check=True, capture_output=True, text=True, timeout=30)
    monitors = sorted(json.loads(listed.stdout), key=lambda m: m["left"])
    assert [(m["left"], m["top"], m["width"], m["height"]) for m in monitors] == [
        (0, 0, 1280, 800), (1280, 0, 1024, 800)]
    with pytest.raises(ValueError, match="add up to 2000, the screen is 2304 wide"):
        split_monitors(display, [1000, 1000])
