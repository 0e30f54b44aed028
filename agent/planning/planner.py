"""The `Planner` seam: task + history + screenshot → a typed `PlannerReply`."""

from __future__ import annotations

import functools
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from PIL import Image

from actions import ActionRegistry, Point
from agent.errors import InvalidReplyError, ModelReplyError
from agent.llm import Message, image_part
from agent.planning.adapt import RequestOptions, Structured
from agent.planning.reply import answer_and_reasoning, parse_reply
from agent.planning.schema import reply_format
from agent.records import PlannerReply, StepRecord, TokenUsage
from agent.screen import Screenshot, encode_png
from prompts import render

if TYPE_CHECKING:  # openai takes ~0.4 s to import; only runs that talk to a model pay it
    import openai

__all__ = [
    "HISTORY_BATCH",
    "OpenAIPlanner",
    "PastStep",
    "PlanResult",
    "Planner",
    "downscale",
    "shown_screenshots",
]

# Past screenshots beyond `history` dropped at once (see `shown_screenshots`): the planner sees
# `history` to `history + HISTORY_BATCH - 1` of them.
HISTORY_BATCH = 5


@dataclass(frozen=True)
class PastStep:
    """A finished step as the planner sees it: the record, and the screenshot it saw."""

    record: StepRecord
    png: bytes | None = None


@dataclass(frozen=True)
class PlanResult:
    reply: PlannerReply
    usage: TokenUsage = field(default_factory=TokenUsage)
    reasked: tuple[str, ...] = ()  # why each invalid reply before this one was sent back
    review: bool = True  # False: the approver is not asked (a script's closing `done`)
    reasoning: str | None = None  # the model's thinking before the reply, never parsed
    raw: str | None = None  # a native model's answer: recorded as its points' grounding raw
    verify: bool = True  # False: this step's effect is not checked (a script step says so)


class Planner(Protocol):
    def plan(
        self, task: str, history: Sequence[PastStep], screenshot: Screenshot, notes: Sequence[str]
    ) -> PlanResult:
        """Decide the next step; `notes` are messages for the planner (feedback, answers)."""
        ...


class OpenAIPlanner:
    """A planner behind any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, OpenRouter)."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        registry: ActionRegistry,
        *,
        history_images: int = 2,
        history_batch: int = HISTORY_BATCH,
        max_pixels: int | None = None,
        max_tokens: int | None = None,
        reasks: int = 2,
        secret_names: Sequence[str] = (),
        reasoning_effort: str | None = None,
        structured: Structured = "auto",
    ) -> None:
        self.client = client
        self.model = model
        self.registry = registry
        self.history_images = history_images
        self.history_batch = history_batch
        self.max_pixels = max_pixels
        self.reasks = reasks
        self.secret_names = list(secret_names)
        # kept for the run: what the server refused stays adapted to (agent/planning/adapt.py)
        self.request = RequestOptions(max_tokens=max_tokens, reasoning_effort=reasoning_effort,
                                      structured=structured)

    def plan(
        self, task: str, history: Sequence[PastStep], screenshot: Screenshot, notes: Sequence[str]
    ) -> PlanResult:
        image = downscale(screenshot.image, self.max_pixels)
        png = screenshot.png() if image is screenshot.image else encode_png(image)
        messages = self._messages(task, history, png, image.size, notes)
        usage = TokenUsage()
        reasked: list[str] = []
        if self.request.structured != "off":  # the registry as it is now: user actions too
            self.request.response_format = reply_format(self.registry)
        for attempt in range(self.reasks + 1):
            reply = self.request.ask(self.client, self.model, messages)
            usage = usage + reply.usage
            text, reasoning = answer_and_reasoning(reply)
            try:
                parsed = parse_reply(text, reply.tool_calls, self.registry)
            except ModelReplyError as exc:
                if attempt == self.reasks:
                    raise InvalidReplyError(
                        f"the planner's reply stayed invalid after {self.reasks} re-asks: {exc}",
                        (usage.prompt_tokens, usage.completion_tokens),
                    ) from None
                messages += _reask(text, exc)
                reasked.append(str(exc))
                continue
            return PlanResult(_to_screenshot_space(parsed, image.size, screenshot.size), usage,
                              tuple(reasked), reasoning=reasoning)
        raise AssertionError("unreachable")

    def _messages(
        self,
        task: str,
        history: Sequence[PastStep],
        png: bytes,
        size: tuple[int, int],
        notes: Sequence[str],
    ) -> list[Message]:
        """System prompt, task, each past step in order, then the current screen and the notes.

        Each request begins with the previous one up to the end of its current screenshot (a
        prefix that prompt caches reuse) except when a batch of old screenshots is dropped.
        """
        shown = set(shown_screenshots(history, self.history_images, self.history_batch))
        messages: list[Message] = [
            {"role": "system", "content": render("planner_system.j2", actions=list(self.registry),
                                                secrets=self.secret_names)},
            {"role": "user", "content": render("planner_task.j2", task=task)},
        ]
        for position, step in enumerate(history):
            content: list[Message] = []
            if position in shown:
                assert step.png is not None
                content = _screenshot(step.record.index, _history_png(step.png, self.max_pixels))
            text = render("planner_step.j2", step=_summary(step.record))
            messages.append({"role": "user", "content": [*content, _text(text)]})
        indexes = [history[position].record.index for position in sorted(shown)]
        text = render("planner_user.j2", first=not history, notes=list(notes), width=size[0],
                      height=size[1], shown_history=indexes)
        # The current screen opens its message exactly as its step's message will next time.
        current = _screenshot(history[-1].record.index + 1 if history else 1, png)
        messages.append({"role": "user", "content": [*current, _text(text.strip())]})
        return messages


def shown_screenshots(history: Sequence[PastStep], keep: int, batch: int) -> list[int]:
    """Positions in `history` of the past screenshots the planner sees: at least the last `keep`.

    Older ones are dropped `batch` at a time, not one per step: dropping one from the middle of
    the request changes everything after it, so dropping seldom keeps the prefix the same for
    longer (as `_maybe_filter_to_n_most_recent_images` in Anthropic's computer-use demo,
    anthropic-quickstarts computer-use-demo/computer_use_demo/loop.py, removes images in chunks
    of `min_removal_threshold`). Up to `keep + batch - 1` are seen.
    """
    if keep <= 0:
        return []
    with_png = [position for position, step in enumerate(history) if step.png is not None]
    dropped = max(0, len(with_png) - keep)
    return with_png[dropped - dropped % max(1, batch):]


def _text(text: str) -> Message:
    return {"type": "text", "text": text}


def _screenshot(index: int, png: bytes) -> list[Message]:
    return [_text(f"Screenshot before step {index}:"), image_part(png)]


def _summary(record: StepRecord) -> dict[str, object]:
    return {
        "index": record.index,
        "observation": record.observation,
        "thought": record.thought,
        "instruction": record.instruction,
        "action_json": json.dumps(record.action, ensure_ascii=False),
        "outcome": "; ".join([record.outcome or record.error or record.status,
                              *record.warnings]),
    }


def _reask(text: str, error: ModelReplyError) -> list[Message]:
    return [
        {"role": "assistant", "content": text or "(empty reply)"},
        {"role": "user", "content": f"Your reply could not be used: {error}. Reply again with "
                                    f"exactly one JSON object as specified."},
    ]


def downscale(image: Image.Image, max_pixels: int | None) -> Image.Image:
    """The image shrunk to at most `max_pixels` pixels (aspect kept), or itself."""
    if not max_pixels or image.width * image.height <= max_pixels:
        return image
    factor = math.sqrt(max_pixels / (image.width * image.height))
    size = (max(1, int(image.width * factor)), max(1, int(image.height * factor)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


@functools.lru_cache(maxsize=16)  # each past screenshot is sent again at every step
def _history_png(png: bytes, max_pixels: int | None) -> bytes:
    if not max_pixels:
        return png
    return encode_png(downscale(Image.open(io.BytesIO(png)), max_pixels))


def _to_screenshot_space(
    reply: PlannerReply, seen: tuple[int, int], full: tuple[int, int]
) -> PlannerReply:
    """Points the planner gave are in the image it saw; bring them to screenshot pixels."""
    if seen == full:
        return reply
    fx, fy = full[0] / seen[0], full[1] / seen[1]
    updates = {
        argument: Point(x=value.x * fx, y=value.y * fy)
        for argument, value in reply.action.targets().items()
        if isinstance(value, Point)
    }
    if not updates:
        return reply
    return reply.model_copy(update={"action": reply.action.model_copy(update=updates)})
