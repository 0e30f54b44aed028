"""What the planner sends besides its messages, adapted for the run to what the server takes.

OpenAI's reasoning models (o1, o3, gpt-5) refuse `temperature` other than 1 and `max_tokens`
(they want `max_completion_tokens`) with a 400 naming the parameter; servers without structured
outputs refuse `response_format`. Each refusal is adapted to once, said once, and remembered.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from agent.errors import ModelAccessError
from agent.llm import ChatReply, Message, ParameterRefused, chat

if TYPE_CHECKING:
    import openai

__all__ = ["RequestOptions", "Structured"]

Structured = Literal["auto", "on", "off"]


@dataclass
class RequestOptions:
    """The planner's request options; `adapt` changes them when the server refuses one."""

    temperature: float | None = 0
    max_tokens: int | None = None
    tokens_field: str = "max_tokens"  # or max_completion_tokens, once max_tokens was refused
    reasoning_effort: str | None = None
    response_format: dict[str, Any] | None = None  # a JSON schema of the reply, or none
    structured: Structured = "auto"
    adapted: list[str] = field(default_factory=list)  # what was said, in order

    def options(self) -> dict[str, Any]:
        """The keyword arguments of one chat-completion request."""
        options: dict[str, Any] = {}
        if self.temperature is not None:
            options["temperature"] = self.temperature
        if self.max_tokens is not None:
            options[self.tokens_field] = self.max_tokens
        if self.reasoning_effort is not None:
            options["reasoning_effort"] = self.reasoning_effort
        if self.response_format is not None:
            options["response_format"] = self.response_format
        return options

    def ask(self, client: openai.OpenAI, model: str, messages: Sequence[Message]) -> ChatReply:
        """One planner reply; a parameter the server refuses is adapted to (once) and the
        request sent again. Each refusal changes the options for good, so this ends."""
        while True:
            try:
                return chat(client, model, messages, role="planner", **self.options())
            except ParameterRefused as exc:
                if not self.adapt(exc):
                    raise

    def adapt(self, refused: ParameterRefused) -> bool:
        """Stop sending what was refused, if the request can do without it; say so once."""
        name = refused.parameter
        if name == "temperature" and self.temperature is not None:
            self.temperature = None
            self._say("the planner model does not take temperature 0; using the server's "
                      "default temperature for this run")
        elif name == "max_tokens" and self.tokens_field == "max_tokens":
            self.tokens_field = "max_completion_tokens"
            self._say("the planner model does not take max_tokens; sending "
                      "max_completion_tokens instead for this run")
        elif name == "response_format" and self.response_format is not None:
            if self.structured == "on":
                raise ModelAccessError(f"{refused} (--planner-structured on needs a server with "
                                       "structured outputs: use auto or off)")
            self.response_format, self.structured = None, "off"
            self._say("the planner server does not take response_format (structured replies); "
                      "asking for JSON as text for this run")
        else:
            return False
        return True

    def _say(self, note: str) -> None:
        self.adapted.append(note)
        print(f"agent: {note}", file=sys.stderr, flush=True)
