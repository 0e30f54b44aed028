"""Qwen2/2.5-VL's `smart_resize`, and the rule a grounder family uses to size what it sends."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["SmartResize", "smart_resize"]


def smart_resize(
    height: int, width: int, factor: int = 28, min_pixels: int = 3136, max_pixels: int = 12845056
) -> tuple[int, int]:
    """(height, width) as the Qwen2-VL image processor resizes them: multiples of `factor`,
    the pixel count within [min_pixels, max_pixels], the aspect ratio nearly kept."""
    if max(height, width) / min(height, width) > 200:
        raise ValueError(f"aspect ratio of {width}x{height} exceeds 200")
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


@dataclass(frozen=True)
class SmartResize:
    """The resize a family's server applies; the runtime applies it first, so the server's is a
    no-op (a size already resized is a fixed point) and the answer's pixel space is known."""

    factor: int = 28
    min_pixels: int = 3136
    max_pixels: int = 12845056

    def size_for(self, size: tuple[int, int]) -> tuple[int, int]:
        """(width, height) sent for an image of (width, height)."""
        height, width = smart_resize(size[1], size[0], self.factor, self.min_pixels,
                                     self.max_pixels)
        return width, height
