"""The `Grounder` seam: a description of an element → a point in screenshot pixels.

A model family knows three things: the prompt its model was trained with, how its answer is
written, and the coordinate space of that answer. `ModelGrounder` does the rest the same way
for every family: send the image, parse, convert to screenshot pixels.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

from PIL import Image

from agent.errors import GroundingError, ModelReplyError, UsageError
from agent.grounding.points import Located, TargetNotFound
from agent.grounding.resize import PaddedCanvas, SmartResize
from agent.llm import ChatReply, Message, chat, image_part
from agent.records import TokenUsage
from agent.screen import Screenshot, encode_png
from prompts import render

if TYPE_CHECKING:  # openai takes ~0.4 s to import; only runs that talk to a model pay it
    import openai

__all__ = ["Family", "Grounder", "Grounding", "ModelGrounder", "NotOnScreen", "Preparing",
           "Space", "prepare"]

Space = Literal["norm1000", "norm999", "norm1", "pixels"]
"""Where a family's answer lives: 0–1000, 0–999 or 0–1 of the image sent, or its pixels."""
_LIMITS: dict[str, float | None] = {"norm1000": 1000.0, "norm999": 999.0, "norm1": 1.0,
                                    "pixels": None}


@dataclass(frozen=True)
class Grounding:
    point: tuple[float, float]  # screenshot pixels, floats until the last step
    raw: str | None  # the model's answer, verbatim (None when no model was asked)
    usage: TokenUsage = field(default_factory=TokenUsage)


class Grounder(Protocol):
    def ground(self, screenshot: Screenshot, description: str) -> Grounding: ...


class Preparing(Protocol):
    """A grounder that can start on a screenshot before it is asked to ground on it (the
    offline OCR reads the screen while the planner thinks); `prepare` returns at once."""

    def prepare(self, screenshot: Screenshot) -> None: ...


def prepare(grounder: Grounder | None, screenshot: Screenshot) -> None:
    """Let `grounder` start on `screenshot` now, if it can (most answer only when asked)."""
    start = getattr(grounder, "prepare", None)
    if callable(start):
        start(screenshot)


class NotOnScreen(GroundingError):
    """The grounder's answer is that the target is not there: the right answer to a benchmark's
    refusal item (CONTRACTS §8), where an unreadable answer is not."""


@dataclass(frozen=True)
class Family:
    """A grounding-model family: its prompt, its answer format and its coordinate space."""

    name: str
    template: str | None  # the user text after the image, in prompts/; gets `description`,
    # `width`, `height` (as sent); None: no text after the image
    space: Space
    parse: Callable[[str], tuple[float, float]]  # answer → point in `space`; ModelReplyError
    resize: SmartResize | None = None  # None: the screenshot is sent as captured
    system_template: str | None = None
    temperature: float = 0.0
    max_tokens: int = 128
    preamble_template: str | None = None  # user text before the image (Gelato, MAI-UI)
    # request fields beyond OpenAI's (Holo2's `chat_template_kwargs` turning thinking off)
    extra_body: dict[str, Any] | None = field(default=None, compare=False)
    axes: Literal["xy", "yx"] = "xy"  # "yx": answers write y first (Gemini's [y, x], box_2d)
    canvas: PaddedCanvas | None = None  # the image goes scaled onto this canvas (Phi-Ground)
    # jinja2 text used instead of the template files (families declared in agent.toml)
    prompt_text: str | None = None

    def with_pixels(self, min_pixels: int | None, max_pixels: int | None) -> Family:
        """This family with `--min-pixels` / `--max-pixels` applied to its resize."""
        if self.resize is None or (min_pixels is None and max_pixels is None):
            return self
        resize = replace(self.resize, **{k: v for k, v in (("min_pixels", min_pixels),
                                                            ("max_pixels", max_pixels)) if v})
        if resize.min_pixels > resize.max_pixels:  # smart_resize would leave the bounds silently
            raise UsageError(f"min_pixels {resize.min_pixels} is larger than max_pixels "
                             f"{resize.max_pixels} (--min-pixels / --max-pixels, "
                             f"family {self.name})")
        return replace(self, resize=resize)

    def sent_size(self, size: tuple[int, int]) -> tuple[int, int]:
        """(width, height) of the image sent for a screenshot of `size`; GroundingError for a
        size the family's processor refuses (an aspect ratio over 200)."""
        if self.canvas is not None:
            return self.canvas.width, self.canvas.height
        if self.resize is None:
            return size
        try:
            return self.resize.size_for(size)
        except ValueError as exc:
            raise GroundingError(f"the {self.name} family cannot take this image: {exc} "
                                 "(its image processor refuses it)") from None

    def messages(self, png: bytes, description: str, size: tuple[int, int]) -> list[Message]:
        context = {"description": description, "width": size[0], "height": size[1]}
        user: list[dict[str, Any]] = [image_part(png)]
        if self.prompt_text is not None:
            user.append({"type": "text", "text": _render_text(self.prompt_text, context)})
        elif self.template is not None:
            user.append({"type": "text", "text": render(self.template, **context)})
        if self.preamble_template is not None:
            user.insert(0, {"type": "text", "text": render(self.preamble_template, **context)})
        messages: list[Message] = [{"role": "user", "content": user}]
        if self.system_template is not None:
            messages.insert(0, {"role": "system",
                                "content": render(self.system_template, **context)})
        return messages

    def to_original(
        self, raw: str, size: tuple[int, int], strict: bool = True
    ) -> tuple[float, float]:
        """The answer `raw` about a screenshot of `size` → a point in that screenshot's pixels.

        `strict` rejects a point outside the image (before acting on it); scoring passes False,
        so a model that points off the image is scored wrong at the point it gave.
        """
        sent = self.sent_size(size)
        x, y = self.to_image_pixels(self.read(raw), sent, strict)
        if self.canvas is not None:
            scale = self.canvas.scale(size)
            x, y = x / scale, y / scale
            if strict and not (0 <= x <= size[0] and 0 <= y <= size[1]):
                raise ModelReplyError(f"the point ({x:g}, {y:g}) lies on the canvas' padding, "
                                      f"outside the {size[0]}x{size[1]} image")
            return x, y
        return x * size[0] / sent[0], y * size[1] / sent[1]

    def read(self, raw: str) -> tuple[float, float]:
        """The answer's point (or box centre) in the family's space, x first."""
        point = self.parse(raw)
        if self.axes == "xy":
            return point
        box = getattr(point, "box", None)
        return Located(point[1], point[0],
                       None if box is None else (box[1], box[0], box[3], box[2]))

    def to_image_pixels(
        self, point: tuple[float, float], size: tuple[int, int], strict: bool = True
    ) -> tuple[float, float]:
        """A point in this family's space → pixels of the image that was sent."""
        x, y = point
        limit = _LIMITS[self.space]
        width, height = (limit, limit) if limit is not None else (float(size[0]), float(size[1]))
        box = getattr(point, "box", None)  # a box answer: all of it must be in range
        corners = [(x, y)] if box is None else [(box[0], box[1]), (box[2], box[3])]
        if strict and not all(0 <= cx <= width and 0 <= cy <= height for cx, cy in corners):
            what = (f"the point ({x:g}, {y:g}) lies" if box is None else
                    f"the box ({', '.join(f'{v:g}' for v in box)}) reaches")
            raise ModelReplyError(f"{what} outside the answer's range "
                                  f"[0, {width:g}] x [0, {height:g}]")
        if limit is None:
            return x, y
        return x / limit * size[0], y / limit * size[1]


def _render_text(text: str, context: dict[str, Any]) -> str:
    import jinja2

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    try:
        return environment.from_string(text).render(**context)
    except jinja2.TemplateError as exc:
        raise UsageError(f"the grounder prompt cannot be rendered: {exc}") from None


class ModelGrounder:
    """Grounds with a model of `family` served behind an OpenAI-compatible endpoint."""

    def __init__(self, client: openai.OpenAI, model: str, family: Family) -> None:
        self.client = client
        self.model = model
        self.family = family

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        sent = self.family.sent_size(screenshot.size)
        if self.family.canvas is not None:
            png = encode_png(self.family.canvas.compose(screenshot.image))
        elif sent == screenshot.size:
            png = screenshot.png()
        else:
            png = encode_png(screenshot.image.resize(sent, Image.Resampling.BICUBIC))
        extra = {} if self.family.extra_body is None else {"extra_body": self.family.extra_body}
        reply = chat(
            self.client, self.model, self.family.messages(png, description, sent),
            role="grounder", temperature=self.family.temperature,
            max_tokens=self.family.max_tokens, **extra,
        )
        raw = answer_text(reply)
        try:
            x, y = self.family.to_original(raw, screenshot.size)
        except TargetNotFound:
            raise NotOnScreen(f"not found: the {self.family.name} grounder says "
                                 f"{description!r} is not on the screen",
                                 (reply.usage.prompt_tokens, reply.usage.completion_tokens),
                                 raw) from None
        except ModelReplyError as exc:
            raise GroundingError(f"the {self.family.name} grounder's answer for "
                                 f"{description!r} is unusable: {exc}",
                                 (reply.usage.prompt_tokens, reply.usage.completion_tokens),
                                 raw) from None
        return Grounding(screenshot.clamp(x, y), raw, reply.usage)


def answer_text(reply: ChatReply) -> str:
    """The model's answer as it wrote it. A server with a tool-call parser (vLLM's
    ``--tool-call-parser hermes`` for Qwen2.5-VL) moves ``<tool_call>`` blocks out of the text
    into ``tool_calls``; they are put back, in the model's own format, after the text."""
    calls = [
        f'<tool_call>\n{{"name": {json.dumps(call.name)}, "arguments": {call.arguments}}}\n'
        "</tool_call>"
        for call in reply.tool_calls
    ]
    return "\n".join(part for part in [reply.text, *calls] if part)
