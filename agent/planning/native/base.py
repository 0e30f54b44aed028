"""A native computer-use model as the planner: its own prompt in, its own answer out.

A `NativeFormat` lays out the model's messages and reads its answer into our action JSON with
points in the model's coordinate space; `NativePlanner` sends the screenshot as the model's
processor would see it, converts the points to screenshot pixels (so no grounder is needed) and
keeps the model's past answers to show it again as its own turns.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image

from actions import ActionRegistry, Point
from agent.errors import ActionError, InvalidReplyError, ModelReplyError
from agent.grounding.resize import SmartResize
from agent.llm import Message, image_part
from agent.planning.adapt import RequestOptions
from agent.planning.planner import HISTORY_BATCH, PastStep, PlanResult, shown_screenshots
from agent.planning.reply import answer_and_reasoning
from agent.records import PlannerReply, TokenUsage
from agent.screen import Screenshot, encode_png

if TYPE_CHECKING:
    import openai

__all__ = ["ModelPoint", "NativeAnswer", "NativeFormat", "NativePlanner", "Turn", "Unsupported",
           "UnsupportedAction", "with_history"]

Space = Literal["pixels", "norm1000", "norm1"]
_LIMITS = {"norm1000": 1000.0, "norm1": 1.0}


@dataclass(frozen=True)
class ModelPoint:
    """A point as the model wrote it, in its own space."""

    x: float
    y: float


@dataclass(frozen=True)
class NativeAnswer:
    """A parsed answer: the model's thought and our action's JSON (points as `ModelPoint`)."""

    thought: str
    action: dict[str, Any]


class Unsupported(ModelReplyError):
    """The model chose an action our action space lacks: a step error it is told about."""


class UnsupportedAction(ActionError):
    """The step error for `Unsupported`; `tokens`: (prompt, completion) it cost, for budgets."""

    def __init__(self, message: str, tokens: tuple[int, int] = (0, 0)) -> None:
        super().__init__(message)
        self.tokens = tokens


@dataclass(frozen=True)
class Turn:
    """One past step as the model sees it again: its screenshot (if still shown), its answer,
    and what went wrong with it (said in the next user turn)."""

    png: bytes | None
    answer: str
    error: str | None


@dataclass(frozen=True)
class NativeFormat:
    """A model's prompt and history layout (`messages`), its answer grammar (`parse`) and the
    space of its points; `resize` is the processor's smart_resize for pixel answers."""

    name: str
    space: Space
    messages: Callable[[str, Sequence[Turn], bytes, tuple[int, int], Sequence[str]],
                       list[Message]]
    parse: Callable[[str], NativeAnswer]
    resize: SmartResize | None = None
    max_tokens: int | None = None


def with_history(head: list[Message], turns: Sequence[Turn], png: bytes,
                 notes: Sequence[str]) -> list[Message]:
    """`head`, then per past step its screenshot (while shown) in a user turn and the model's
    answer as an assistant turn, the new screenshot last; a failed step and the notes for the
    planner are said as text in the user turn after it."""
    messages = list(head)
    pending: list[str] = []
    for turn in turns:
        content = [image_part(turn.png)] if turn.png is not None else []
        if content or pending:
            messages.append({"role": "user", "content": [*_texts(pending), *content]})
        messages.append({"role": "assistant", "content": turn.answer})
        pending = [f"The last action failed: {turn.error}"] if turn.error else []
    messages.append({"role": "user", "content": [*_texts([*pending, *notes]), image_part(png)]})
    return messages


def _texts(texts: Sequence[str]) -> list[Message]:
    return [{"type": "text", "text": text} for text in texts]


class NativePlanner:
    """A planner that also points: a computer-use model behind an OpenAI-compatible endpoint."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        registry: ActionRegistry,
        native: NativeFormat,
        *,
        history_images: int = 2,
        reasks: int = 2,
        max_tokens: int | None = None,
    ) -> None:
        self.client = client
        self.model = model
        self.registry = registry
        self.native = native
        self.history_images = history_images
        self.reasks = reasks
        # no response_format: these models answer in their own grammar, never JSON
        self.request = RequestOptions(max_tokens=max_tokens or native.max_tokens,
                                      structured="off")
        self.answers: dict[int, str] = {}  # step index → the model's answer, shown again

    def plan(
        self, task: str, history: Sequence[PastStep], screenshot: Screenshot, notes: Sequence[str]
    ) -> PlanResult:
        sent = (self.native.resize.size_for(screenshot.size) if self.native.resize is not None
                else screenshot.size)
        image = screenshot.image
        png = (screenshot.png() if sent == screenshot.size
               else encode_png(image.resize(sent, Image.Resampling.BICUBIC)))
        index = history[-1].record.index + 1 if history else 1
        messages = self.native.messages(task, self._turns(history), png, sent, notes)
        usage = TokenUsage()
        reasked: list[str] = []
        for attempt in range(self.reasks + 1):
            reply = self.request.ask(self.client, self.model, messages)
            usage = usage + reply.usage
            text, reasoning = answer_and_reasoning(reply)
            self.answers[index] = text
            try:
                answer = self.native.parse(text)
                action = self._action(answer, sent, screenshot.size)
            except Unsupported as exc:  # the step fails; the next prompt tells the model why
                raise UnsupportedAction(str(exc), (usage.prompt_tokens, usage.completion_tokens)
                                        ) from None
            except ModelReplyError as exc:
                if attempt == self.reasks:
                    raise InvalidReplyError(
                        f"the planner's reply stayed invalid after {self.reasks} re-asks: {exc}",
                        (usage.prompt_tokens, usage.completion_tokens)) from None
                messages = [*messages, {"role": "assistant", "content": text or "(empty)"},
                            {"role": "user", "content": f"Your reply could not be used: {exc}. "
                                                        "Answer again in the format given."}]
                reasked.append(str(exc))
                continue
            reply_ = PlannerReply(action=action, thought=answer.thought,
                                  instruction=action.summary(), raw=text)
            return PlanResult(reply_, usage, tuple(reasked), reasoning=reasoning, raw=text)
        raise AssertionError("unreachable")

    def _turns(self, history: Sequence[PastStep]) -> list[Turn]:
        shown = set(shown_screenshots(history, self.history_images, HISTORY_BATCH))
        turns = []
        for position, step in enumerate(history):
            record = step.record
            answer = self.answers.get(record.index) or record.thought or "(no answer)"
            png = self._resized(step.png) if position in shown and step.png else None
            turns.append(Turn(png, answer, record.error))
        return turns

    def _resized(self, png: bytes) -> bytes:
        if self.native.resize is None:
            return png
        with Image.open(io.BytesIO(png)) as image:
            sent = self.native.resize.size_for(image.size)
            if sent == image.size:
                return png
            return encode_png(image.resize(sent, Image.Resampling.BICUBIC))

    def _action(self, answer: NativeAnswer, sent: tuple[int, int],
                full: tuple[int, int]) -> Any:
        data = {key: self._point(value, sent, full) if isinstance(value, ModelPoint) else value
                for key, value in answer.action.items()}
        try:
            return self.registry.parse(data)
        except ValueError as exc:
            raise Unsupported(f"the action {data.get('name')!r} is invalid here: {exc}") from None

    def _point(self, point: ModelPoint, sent: tuple[int, int],
               full: tuple[int, int]) -> dict[str, float]:
        """A point in the model's space → screenshot pixels (a Point target: no grounding)."""
        if self.native.space == "pixels":
            limit_x, limit_y = float(sent[0]), float(sent[1])
        else:
            limit_x = limit_y = _LIMITS[self.native.space]
        if not (0 <= point.x <= limit_x and 0 <= point.y <= limit_y):
            raise ModelReplyError(f"the point ({point.x:g}, {point.y:g}) is outside the image "
                                  f"(0–{limit_x:g}, 0–{limit_y:g})")
        x = point.x / limit_x * full[0]
        y = point.y / limit_y * full[1]
        return Point(x=min(x, full[0] - 1), y=min(y, full[1] - 1)).model_dump()
