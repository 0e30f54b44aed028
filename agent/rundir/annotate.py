"""Draw where the runtime will act (or acted): a crosshair on a copy of the screenshot."""

from __future__ import annotations

from PIL import Image, ImageDraw

__all__ = ["crosshair"]


def crosshair(
    image: Image.Image, point: tuple[float, float], color: str = "#ff1f5a"
) -> Image.Image:
    """A copy of `image` with a crosshair and a ring centred on `point`."""
    marked = image.convert("RGB")
    draw = ImageDraw.Draw(marked)
    x, y = point
    arm = max(12, min(marked.size) // 40)
    ring = arm // 2
    width = max(2, arm // 8)
    draw.line([(x - arm, y), (x - ring // 2, y)], fill=color, width=width)
    draw.line([(x + ring // 2, y), (x + arm, y)], fill=color, width=width)
    draw.line([(x, y - arm), (x, y - ring // 2)], fill=color, width=width)
    draw.line([(x, y + ring // 2), (x, y + arm)], fill=color, width=width)
    draw.ellipse([(x - ring, y - ring), (x + ring, y + ring)], outline=color, width=width)
    return marked
