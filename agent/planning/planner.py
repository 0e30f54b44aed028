"""The `Planner` seam: task + history + screenshot → a typed `PlannerReply`."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from PIL import Image

from actions import ActionRegistry, Point
from agent.errors import InvalidReplyError, ModelReplyError
from agent.llm import Message, chat, image_part
from agent.planning.reply import parse_reply
from agent.records import PlannerReply, StepRecord, TokenUsage
from agent.screen import Screenshot, encode_png
from prompts import render

if TYPE_CHECKING:  # openai takes ~0.4 s to import; only runs that talk to a model pay it
    import openai

__all__ = ["OpenAIPlanner", "PastStep", "PlanResult", "Planner", "downscale"]


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
        max_pixels: int | None = None,
        max_tokens: int | None = None,
        reasks: int = 2,
        secret_names: Sequence[str] = (),
    ) -> None:
        self.client = client
        self.model = model
        self.registry = registry
        self.history_images = history_images
        self.max_pixels = max_pixels
        self.max_tokens = max_tokens
        self.reasks = reasks
        self.secret_names = list(secret_names)

    def plan(
        self, task: str, history: Sequence[PastStep], screenshot: Screenshot, notes: Sequence[str]
    ) -> PlanResult:
        image = downscale(screenshot.image, self.max_pixels)
        png = screenshot.png() if image is screenshot.image else encode_png(image)
        messages: list[Message] = [
            {"role": "system", "content": render("planner_system.j2", actions=list(self.registry),
                                                secrets=self.secret_names)},
            {"role": "user", "content": self._user_content(task, history, png, image.size, notes)},
        ]
        usage = TokenUsage()
        reasked: list[str] = []
        for attempt in range(self.reasks + 1):
            reply = chat(self.client, self.model, messages, role="planner", temperature=0.0,
                         **({"max_tokens": self.max_tokens} if self.max_tokens else {}))
            usage = usage + reply.usage
            try:
                parsed = parse_reply(reply.text, reply.tool_calls, self.registry)
            except ModelReplyError as exc:
                if attempt == self.reasks:
                    raise InvalidReplyError(
                        f"the planner's reply stayed invalid after {self.reasks} re-asks: {exc}",
                        (usage.prompt_tokens, usage.completion_tokens),
                    ) from None
                messages += _reask(reply.text, exc)
                reasked.append(str(exc))
                continue
            return PlanResult(_to_screenshot_space(parsed, image.size, screenshot.size), usage,
                              tuple(reasked))
        raise AssertionError("unreachable")

    def _user_content(
        self,
        task: str,
        history: Sequence[PastStep],
        png: bytes,
        size: tuple[int, int],
        notes: Sequence[str],
    ) -> list[Message]:
        with_images = _recent_with_images(history, self.history_images)
        text = render(
            "planner_user.j2", task=task, history=[_summary(s.record) for s in history],
            notes=list(notes), width=size[0], height=size[1],
            shown_history=[s.record.index for s in with_images],
        )
        content: list[Message] = [{"type": "text", "text": text}]
        for step in with_images:
            assert step.png is not None
            content += [{"type": "text", "text": f"Screenshot before step {step.record.index}:"},
                        image_part(_history_png(step.png, self.max_pixels))]
        content += [{"type": "text", "text": "Current screenshot:"}, image_part(png)]
        return content


def _recent_with_images(history: Sequence[PastStep], count: int) -> list[PastStep]:
    return [step for step in history if step.png is not None][-count:] if count > 0 else []


def _summary(record: StepRecord) -> dict[str, object]:
    return {
        "index": record.index,
        "observation": record.observation,
        "thought": record.thought,
        "instruction": record.instruction,
        "action_json": json.dumps(record.action, ensure_ascii=False),
        "outcome": record.outcome or record.error or record.status,
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
