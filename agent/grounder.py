"""The `Grounder` seam: a description of an element → a point in screenshot pixels.

A model family knows three things: the prompt its model was trained with, how its answer is
written, and the coordinate space of that answer. `ModelGrounder` does the rest the same way
for every family: send the image, parse, convert to screenshot pixels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

import openai
from PIL import Image

from agent.errors import GroundingError, ModelReplyError
from agent.llm import Message, chat, image_part
from agent.records import TokenUsage
from agent.screen import Screenshot, encode_png
from prompts import render

__all__ = [
    "FAMILIES",
    "Family",
    "Grounder",
    "Grounding",
    "ModelGrounder",
    "Space",
    "parse_pair",
    "register_family",
]

Space = Literal["norm1000", "norm1", "pixels"]
"""Where a family's answer lives: 0–1000 or 0–1 of the image sent, or its pixels."""


@dataclass(frozen=True)
class Grounding:
    point: tuple[float, float]  # screenshot pixels, floats until the last step
    raw: str | None  # the model's answer, verbatim (None when no model was asked)
    usage: TokenUsage = field(default_factory=TokenUsage)


class Grounder(Protocol):
    def ground(self, screenshot: Screenshot, description: str) -> Grounding: ...


@dataclass(frozen=True)
class Family:
    """A grounding-model family: its prompt, its answer format and its coordinate space."""

    name: str
    template: str  # in prompts/
    space: Space
    parse: Callable[[str], tuple[float, float]]  # answer → point in `space`
    prepare: Callable[[Image.Image], Image.Image] = lambda image: image  # resize before sending
    temperature: float = 0.0
    max_tokens: int = 64

    def messages(self, png: bytes, description: str, size: tuple[int, int]) -> list[Message]:
        text = render(self.template, description=description, width=size[0], height=size[1])
        return [{"role": "user", "content": [image_part(png), {"type": "text", "text": text}]}]

    def to_image_pixels(self, point: tuple[float, float], size: tuple[int, int]) -> tuple[
        float, float
    ]:
        """A point in this family's space → pixels of the image that was sent."""
        x, y = point
        limit = {"norm1000": 1000.0, "norm1": 1.0, "pixels": None}[self.space]
        width, height = (limit, limit) if limit is not None else (float(size[0]), float(size[1]))
        if not (0 <= x <= width and 0 <= y <= height):
            raise ModelReplyError(f"the point ({x:g}, {y:g}) lies outside the answer's range "
                                  f"[0, {width:g}] x [0, {height:g}]")
        if limit is None:
            return x, y
        return x / limit * size[0], y / limit * size[1]


_NUMBER = r"(-?\d+(?:\.\d+)?)"
_PAIR = re.compile(rf"\(\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\)|\[\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\]")
_BARE_PAIR = re.compile(rf"{_NUMBER}\s*,\s*{_NUMBER}")


def parse_pair(text: str) -> tuple[float, float]:
    """The first `(x, y)` (or `[x, y]`, or bare `x, y`) in the text, decimals kept."""
    match = _PAIR.search(text) or _BARE_PAIR.search(text)
    if match is None:
        raise ModelReplyError(f"no (x, y) point in the answer {text[:120]!r}")
    numbers = [g for g in match.groups() if g is not None]
    return float(numbers[0]), float(numbers[1])


FAMILIES: dict[str, Family] = {}


def register_family(family: Family) -> Family:
    """Make a family available to `--grounder` (user code may add its own)."""
    FAMILIES[family.name] = family
    return family


register_family(Family(name="uground", template="uground.j2", space="norm1000", parse=parse_pair))


class ModelGrounder:
    """Grounds with a model of `family` served behind an OpenAI-compatible endpoint."""

    def __init__(self, client: openai.OpenAI, model: str, family: Family) -> None:
        self.client = client
        self.model = model
        self.family = family

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        sent = self.family.prepare(screenshot.image)
        png = screenshot.png() if sent is screenshot.image else encode_png(sent)
        reply = chat(
            self.client, self.model, self.family.messages(png, description, sent.size),
            role="grounder", temperature=self.family.temperature,
            max_tokens=self.family.max_tokens,
        )
        try:
            point = self.family.to_image_pixels(self.family.parse(reply.text), sent.size)
        except ModelReplyError as exc:
            raise GroundingError(f"the {self.family.name} grounder's answer for "
                                 f"{description!r} is unusable: {exc}") from None
        x = point[0] * screenshot.size[0] / sent.size[0]
        y = point[1] * screenshot.size[1] / sent.size[1]
        return Grounding(screenshot.clamp(x, y), reply.text, reply.usage)
