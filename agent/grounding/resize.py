"""Qwen2/2.5-VL's `smart_resize`, and the rule a grounder family uses to size what it sends."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

__all__ = ["PaddedCanvas", "SmartResize", "smart_resize"]


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
    # A client-side scale to at most this many pixels before smart_resize (InfiGUI-G1's
    # eval/data.py `resize_image`: aspect kept, sides rounded); None: none.
    pre_max_pixels: int | None = None

    def size_for(self, size: tuple[int, int]) -> tuple[int, int]:
        """(width, height) sent for an image of (width, height)."""
        width, height = size
        if self.pre_max_pixels is not None and width * height > self.pre_max_pixels:
            scale = math.sqrt(self.pre_max_pixels / (width * height))
            width, height = round(width * scale), round(height * scale)
        height, width = smart_resize(height, width, self.factor, self.min_pixels,
                                     self.max_pixels)
        return width, height


@dataclass(frozen=True)
class PaddedCanvas:
    """A fixed-size white canvas with the image scaled to fit and pasted top-left
    (microsoft/Phi-Ground README `process_image`: 336·3 × 336·2, sides truncated with int())."""

    width: int = 336 * 3
    height: int = 336 * 2

    def content_size(self, size: tuple[int, int]) -> tuple[int, int]:
        """(width, height) the image of `size` takes on the canvas."""
        ratio = size[0] / size[1]
        if ratio > self.width / self.height:
            return self.width, int(self.width / ratio)
        return int(self.height * ratio), self.height

    def scale(self, size: tuple[int, int]) -> float:
        """Canvas pixels per image pixel (the reference's `reshape_ratio`, from the width)."""
        return self.content_size(size)[0] / size[0]

    def compose(self, image: Image.Image) -> Image.Image:
        canvas = Image.new("RGB", (self.width, self.height), (255, 255, 255))
        canvas.paste(image.convert("RGB").resize(self.content_size(image.size),
                                                 Image.Resampling.LANCZOS), (0, 0))
        return canvas
