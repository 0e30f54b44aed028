"""What the fake OpenAI-compatible server receives and answers: requests as records, replies
(text, tool calls, forced HTTP errors), and reply functions for common fakes."""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from PIL import Image

__all__ = [
    "OPENAI_REFUSALS",
    "ChatRequest",
    "FakeReply",
    "FakeToolCall",
    "JSONDict",
    "ReplyFunction",
    "ScriptExhausted",
    "cached_tokens",
    "estimate_tokens",
    "refusal",
    "scripted",
    "uground_description",
    "uground_reply_from",
]

JSONDict = dict[str, Any]


class ScriptExhausted(RuntimeError):
    """A scripted fake was asked for more replies than it was given."""


@dataclass(frozen=True)
class FakeToolCall:
    """One OpenAI tool call in a fake reply; ``arguments`` is a dict (sent as JSON) or raw text."""

    name: str
    arguments: JSONDict | str = field(default_factory=dict)
    id: str | None = None

    def to_json(self, index: int) -> JSONDict:
        arguments = (
            self.arguments
            if isinstance(self.arguments, str)
            else json.dumps(self.arguments, ensure_ascii=False)
        )
        return {
            "id": self.id or f"call_{index}_{uuid.uuid4().hex[:12]}",
            "type": "function",
            "function": {"name": self.name, "arguments": arguments},
        }


@dataclass(frozen=True)
class FakeReply:
    """What the fake answers to one request.

    ``status`` other than 200 answers an OpenAI-style error body with ``error`` as its message
    (for 401, 404, 429, 500, ... tests). ``finish_reason`` defaults to ``"tool_calls"`` when there
    are tool calls, else ``"stop"``. ``reasoning`` is a thinking model's reasoning, sent in the
    message's ``reasoning_field`` (``reasoning_content`` as vLLM and SGLang, or ``reasoning``).
    """

    content: str | None = None
    tool_calls: Sequence[FakeToolCall] = ()
    status: int = 200
    error: str | None = None
    finish_reason: str | None = None
    reasoning: str | None = None
    reasoning_field: str = "reasoning_content"

    @classmethod
    def http_error(cls, status: int, message: str | None = None) -> FakeReply:
        return cls(status=status, error=message)


@dataclass(frozen=True)
class ChatRequest:
    """One request the fake received: the parsed JSON body plus a few helpers."""

    body: JSONDict
    path: str = "/v1/chat/completions"
    headers: dict[str, str] = field(default_factory=dict)
    received_at: float = 0.0

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[JSONDict]:
        messages = self.body.get("messages", [])
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    @property
    def api_key(self) -> str | None:
        """The bearer token sent, if any (to check which key a client used)."""
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None

    def texts(self) -> list[str]:
        """Every text part of every message, in order (string contents count as one part)."""
        return [text for message in self.messages for text in _message_texts(message)]

    def text(self) -> str:
        """All texts joined by newlines (handy for ``"..." in request.text()``)."""
        return "\n".join(self.texts())

    def last_user_text(self) -> str:
        """The text of the last user message (its text parts joined by newlines); "" if none."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return "\n".join(_message_texts(message))
        return ""

    def image_urls(self) -> list[str]:
        """Every ``image_url`` URL of every message, in order."""
        return [url for message in self.messages for url in _message_image_urls(message)]

    @cached_property
    def _images(self) -> tuple[Image.Image | bytes, ...]:
        decoded: list[Image.Image | bytes] = []
        for url in self.image_urls():
            data = _decode_data_url(url)
            if data is not None:
                decoded.append(_open_image(data))
        return tuple(decoded)

    def images(self) -> list[Image.Image | bytes]:
        """The images sent as ``data:`` URLs, in order: a PIL image, or raw bytes if undecodable."""
        return list(self._images)

    def last_image(self) -> Image.Image | bytes:
        """The last image sent; raises ``LookupError`` when the request has none."""
        if not self._images:
            raise LookupError("the request contains no data: image")
        return self._images[-1]

    def last_image_size(self) -> tuple[int, int]:
        """``(width, height)`` of the last image; raises ``LookupError`` if it is not decodable."""
        image = self.last_image()
        if isinstance(image, bytes):
            raise LookupError("the last image could not be decoded")
        return image.size


# OpenAI's 400 bodies for parameters a model does not take, as OpenAI sends them (quoted in
# github.com/griptape-ai/ComfyUI-Griptape/issues/312 (gpt-5, max_tokens),
# github.com/gabrii/Cursor-Azure-GPT-5/issues/33 (temperature) and
# github.com/langchain-ai/langchain/issues/31490 (response_format: `param` is null)).
# `{value}` is the value sent, as JSON.
OPENAI_REFUSALS: dict[str, JSONDict] = {
    "max_tokens": {
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
        "'max_completion_tokens' instead.",
        "type": "invalid_request_error",
        "param": "max_tokens",
        "code": "unsupported_parameter",
    },
    "temperature": {
        "message": "Unsupported value: 'temperature' does not support {value} with this model. "
        "Only the default (1) value is supported.",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": "unsupported_value",
    },
    "response_format": {
        "message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported "
        "with this model. Learn more about supported models at the Structured Outputs guide: "
        "https://platform.openai.com/docs/guides/structured-outputs",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    },
}


def refusal(body: JSONDict, rejects: Iterable[str]) -> JSONDict | None:
    """OpenAI's 400 body for the first parameter of ``rejects`` the request carries, else None.

    ``temperature`` is refused unless it is 1 (the only value reasoning models take); a name
    without a body of OpenAI's above gets one in OpenAI's `unsupported_parameter` shape.
    """
    for name in rejects:
        if name not in body or (name == "temperature" and body[name] == 1):
            continue
        error = dict(OPENAI_REFUSALS.get(name) or {
            "message": f"Unsupported parameter: '{name}' is not supported with this model.",
            "type": "invalid_request_error", "param": name, "code": "unsupported_parameter"})
        error["message"] = str(error["message"]).replace("{value}", json.dumps(body[name]))
        return {"error": error}
    return None


ReplyFunction = Callable[[ChatRequest], "str | FakeReply"]
"""What a fake answers with: the message text, or a ``FakeReply``."""


def estimate_tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4)


def cached_tokens(previous: ChatRequest | None, current: ChatRequest) -> int:
    """The prompt tokens a prefix cache would serve: those of the leading message parts
    ``current`` shares with ``previous`` (texts as estimated, images 85 each), as vLLM's and
    OpenAI's caches serve only an identical prefix."""
    if previous is None:
        return 0
    cached = 0
    for old, new in zip(_parts(previous.messages), _parts(current.messages), strict=False):
        if old != new:
            break
        cached += 85 if new.startswith('{"type": "image_url"') else estimate_tokens(new)
    return cached


def _parts(messages: list[JSONDict]) -> Iterator[str]:
    """Each message's role, then each of its parts as JSON: a new message differs from its role."""
    for message in messages:
        yield str(message.get("role"))
        content = message.get("content")
        for part in content if isinstance(content, list) else [content]:
            yield json.dumps(part, ensure_ascii=False)


def _message_texts(message: JSONDict) -> list[str]:
    content = message.get("content")
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        ]
    return []


def _message_image_urls(message: JSONDict) -> list[str]:
    content = message.get("content")
    if not isinstance(content, list):
        return []
    urls: list[str] = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "image_url":
            image_url = part.get("image_url")
            url = image_url.get("url") if isinstance(image_url, dict) else image_url
            if isinstance(url, str):
                urls.append(url)
    return urls


def _decode_data_url(url: str) -> bytes | None:
    if not url.startswith("data:") or "," not in url:
        return None
    header, payload = url[5:].split(",", 1)
    try:
        if header.endswith(";base64"):
            return base64.b64decode(payload, validate=False)
        return payload.encode("latin-1")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def _open_image(data: bytes) -> Image.Image | bytes:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:  # Pillow raises many types for bad data; the caller gets the raw bytes
        return data
    return image


# --------------------------------------------------------------------------- reply helpers


def scripted(replies: Iterable[str | FakeReply]) -> ReplyFunction:
    """A reply function that answers ``replies`` in order, one per request.

    When the script runs out it raises ``ScriptExhausted``, which the server answers as HTTP 500
    with a message saying so (a runaway loop then fails loudly instead of hanging).
    """
    script = list(replies)
    lock = threading.Lock()
    position = itertools.count()

    def reply(request: ChatRequest) -> str | FakeReply:
        with lock:
            index = next(position)
        if index >= len(script):
            raise ScriptExhausted(
                f"fake server script exhausted: request {index + 1} but only "
                f"{len(script)} scripted replies"
            )
        return script[index]

    return reply


def uground_description(text: str) -> str | None:
    """The description in a UGround prompt (between ``Description: `` and ``\\n\\nAnswer:``)."""
    start_marker, end_marker = "Description: ", "\n\nAnswer:"
    end = text.rfind(end_marker)
    if end < 0:
        return None
    start = text.rfind(start_marker, 0, end)
    if start < 0:
        return None
    return text[start + len(start_marker) : end].strip()


def uground_reply_from(
    locate: Callable[[str], tuple[float, float]],
    monitor_origin: tuple[float, float] = (0, 0),
) -> ReplyFunction:
    """A reply function that answers like UGround-V1: ``"(x, y)"``, integers in [0, 1000).

    ``locate(description)`` returns the target's centre in screen coordinates; the point is made
    relative to ``monitor_origin`` (the captured monitor's top-left on the virtual screen) and
    normalised to the size of the image in the request, as UGround does.
    """

    def reply(request: ChatRequest) -> str:
        text = request.last_user_text()
        description = uground_description(text)
        if description is None:
            raise ValueError(
                "not a UGround prompt: no 'Description: ...\\n\\nAnswer:' in the last user "
                f"message {text[-200:]!r}"
            )
        width, height = request.last_image_size()
        sx, sy = locate(description)
        x = _to_thousandths(sx - monitor_origin[0], width)
        y = _to_thousandths(sy - monitor_origin[1], height)
        return f"({x}, {y})"

    return reply


def _to_thousandths(value: float, size: int) -> int:
    return min(999, max(0, round(value / size * 1000)))
