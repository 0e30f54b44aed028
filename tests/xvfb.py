"""The tests' virtual displays: the package's (`agent demo` uses the same code), and test-only
helpers around them."""

from __future__ import annotations

import subprocess

from agent.backends.xvfb import VirtualDisplay, using_display, virtual_display, xvfb_available

__all__ = ["VirtualDisplay", "split_monitors", "using_display", "virtual_display", "xvfb_available"]


def split_monitors(display: VirtualDisplay, widths: list[int]) -> None:
    """Split the one wide screen into side-by-side monitors (xrandr --setmonitor), left to right.

    mss then lists each as its own monitor; Xinerama with two Xvfb screens would show mss one.
    """
    if sum(widths) != display.width:  # checked first: xrandr would leave a half-split screen
        raise ValueError(f"monitor widths add up to {sum(widths)}, "
                         f"the screen is {display.width} wide")
    left = 0
    for number, width in enumerate(widths):
        # Physical size in mm only matters for DPI; ~96 dpi keeps toolkits' defaults.
        geometry = f"{width}/{width * 254 // 960}x{display.height}/{display.height * 254 // 960}"
        output = "screen" if number == 0 else "none"
        subprocess.run(
            ["xrandr", "--setmonitor", f"M{number + 1}", f"{geometry}+{left}+0", output],
            env=display.env, check=True, capture_output=True,
        )
        left += width
