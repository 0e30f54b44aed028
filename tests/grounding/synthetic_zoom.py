"""A synthetic high-resolution grounding set and a fake grounder that is worse on larger images.

Each screen is a white 2560x1440 … 5120x2880 image with one red target of 14–40 px. The fake
finds the target's red pixels and answers its centre plus an offset proportional to the width
of the image it is given (a fixed share per item, in a fixed direction): a model that sees a
screen shrunk to its pixel budget misses by more on a larger screen. A crop of half of each side
halves the offset. Used by tests/grounding/test_refine.py and bench/zoom_refine.py.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageDraw

from agent.grounding.grounder import Grounder, Grounding, NotOnScreen
from agent.screen import Screenshot

SIZES = [(2560, 1440), (3840, 2160), (5120, 2880)]
RED = (220, 0, 0)
ERROR_SHARE = 0.01  # the largest offset, as a share of the seen image's width


@dataclass(frozen=True)
class Item:
    description: str
    size: tuple[int, int]
    box: tuple[int, int, int, int]  # x1, y1, x2, y2: the target, edges included

    def image(self) -> Image.Image:
        image = Image.new("RGB", self.size, "white")
        ImageDraw.Draw(image).rectangle(self.box, fill=RED)
        return image

    def hit(self, point: tuple[float, float]) -> bool:
        x1, y1, x2, y2 = self.box
        return x1 <= point[0] <= x2 and y1 <= point[1] <= y2


def synthetic_set(n: int, seed: int = 11) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for index in range(n):
        width, height = SIZES[index % len(SIZES)]
        side = rng.randint(14, 40)
        x, y = rng.randint(0, width - side - 1), rng.randint(0, height - side - 1)
        items.append(Item(f"target {index}", (width, height), (x, y, x + side, y + side)))
    return items


class SizeBlindGrounder:
    """Finds the red target; misses by up to ERROR_SHARE of the seen image's width."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []  # the sizes it was given, in order

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        self.seen.append(screenshot.size)
        red = screenshot.image.getchannel("G").point(lambda v: 255 if v < 100 else 0)
        box = red.getbbox()
        if box is None:
            raise NotOnScreen(f"not found: no {description!r} here", raw="none")
        rng = random.Random(description)  # the same share and direction on every image
        share, angle = rng.uniform(0.1, 1.0) * ERROR_SHARE, rng.uniform(0, 2 * math.pi)
        offset = share * screenshot.size[0]
        # getbbox's right and bottom are exclusive: the last red pixel is one before them
        x = (box[0] + box[2] - 1) / 2 + offset * math.cos(angle)
        y = (box[1] + box[3] - 1) / 2 + offset * math.sin(angle)
        return Grounding(screenshot.clamp(x, y), f"({x:.1f}, {y:.1f})")


def accuracy(grounder: Grounder, items: list[Item]) -> float:
    return sum(item.hit(grounder.ground(Screenshot.from_image(image), item.description).point)
               for item, image in _with_images(items)) / len(items)


def _with_images(items: list[Item]) -> Iterator[tuple[Item, Image.Image]]:
    for item in items:  # one large image at a time
        yield item, item.image()
