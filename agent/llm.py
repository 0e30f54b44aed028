"""One chat-completion call to an OpenAI-compatible server, with its failures turned into ours."""

from __future__ import annotations

import base64
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.errors import ModelAccessError, ModelServerError
from agent.records import TokenUsage

if TYPE_CHECKING:  # imported when first used: ~0.4 s that `agent --help` and replays skip
    import openai

__all__ = [
    "ChatReply",
    "ParameterRefused",
    "ToolCall",
    "chat",
    "image_part",
    "make_client",
    "resolve_model",
]

Message = dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str  # JSON text, as the server sent it


@dataclass(frozen=True)
class ChatReply:
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: TokenUsage = field(default_factory=TokenUsage)
    reasoning: str | None = None  # a thinking model's separate reasoning, never the reply


class ParameterRefused(ModelServerError):
    """A 400 naming a request parameter the server does not take (or not with this value)."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def make_client(base_url: str | None, api_key: str, timeout: float) -> openai.OpenAI:
    import openai

    # The client's own retries cover connection errors, 408/409/429 and 5xx with backoff.
    return openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=2)


def image_part(png: bytes) -> Message:
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return {"type": "image_url", "image_url": {"url": url}}


def chat(
    client: openai.OpenAI, model: str, messages: Sequence[Message], *, role: str, **options: Any
) -> ChatReply:
    """Send `messages`; `role` ("planner", "grounder") names the server in error messages."""
    import openai

    try:
        completion = client.chat.completions.create(
            model=model, messages=list(messages), **options  # type: ignore[arg-type]
        )
    except openai.BadRequestError as exc:
        raise _refused(exc, options, role, client) or _translate(exc, role, client, model) from None
    except openai.APIError as exc:
        raise _translate(exc, role, client, model) from None
    if not isinstance(getattr(completion, "choices", None), list):  # an HTML page, say
        raise _not_openai(role, client, "a chat completion", completion)
    if not completion.choices:
        raise ModelServerError(f"the {role} server answered with no choices")
    message = completion.choices[0].message
    calls = [
        ToolCall(call.function.name, call.function.arguments or "{}")
        for call in (message.tool_calls or [])
        if call.type == "function"
    ]
    usage = completion.usage
    tokens = TokenUsage(
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
        cached_tokens=_cached_tokens(usage),
    )
    return ChatReply(message.content or "", calls, tokens, _reasoning(message))


def _cached_tokens(usage: Any) -> int:
    """`usage.prompt_tokens_details.cached_tokens` (OpenAI; vLLM and SGLang when asked to report
    it); 0 when the server says nothing, or says null."""
    cached = getattr(getattr(usage, "prompt_tokens_details", None), "cached_tokens", None)
    return cached if isinstance(cached, int) and cached > 0 else 0


def _reasoning(message: Any) -> str | None:
    """`reasoning_content` (vLLM's and SGLang's reasoning parsers, DeepSeek) or `reasoning`
    (OpenRouter, Ollama): fields beyond OpenAI's schema, kept by the client as extras."""
    for name in ("reasoning_content", "reasoning"):
        value = getattr(message, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


_REFUSAL = re.compile(r"unsupported|not supported|invalid parameter|unrecognized|not permitted|"
                      r"extra (?:inputs|fields)", re.IGNORECASE)


def _refused(
    exc: openai.BadRequestError, options: dict[str, Any], role: str, client: openai.OpenAI
) -> ParameterRefused | None:
    """The parameter a 400 refuses: OpenAI names it in `param`; servers that do not (OpenAI's
    own response_format refusal has `param: null`) name it in a message saying it is unsupported.
    None: the 400 is about something else (a context too long, say)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    message = str(body.get("message") or exc.message)
    named = exc.param if isinstance(exc.param, str) and exc.param in options else None
    if named is None:  # any 400 naming response_format: its schema cannot be served there
        named = next((name for name in options if _names(message, name) and (
            name == "response_format" or _REFUSAL.search(message))), None)
    if named is None:
        return None
    return ParameterRefused(f"the {role} server at {client.base_url} refused {named!r} (400): "
                            f"{_short(message)}", named)


def _names(message: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message) is not None


def _translate(exc: openai.APIError, role: str, client: openai.OpenAI, model: str) -> Exception:
    import openai

    where = f"the {role} server at {client.base_url}"
    if isinstance(exc, openai.APITimeoutError):
        return ModelServerError(f"{where} timed out (raise --timeout if the model is slow)")
    if isinstance(exc, openai.APIConnectionError):
        return ModelServerError(f"{where} is unreachable: {_cause(exc)}")
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return ModelAccessError(f"{where} refused the API key ({exc.status_code}): check "
                                f"--{role}-api-key / AGENT_{role.upper()}_API_KEY")
    if isinstance(exc, openai.NotFoundError):
        return ModelAccessError(f"{where} does not know model {model!r} (404): check "
                                f"--{role}-model")
    status = getattr(exc, "status_code", None)
    return ModelServerError(f"{where} failed ({status or 'error'}): {_short(exc)}")


def _not_openai(role: str, client: openai.OpenAI, expected: str, body: object) -> Exception:
    shown = f": {_short(str(body))!r}" if body else ""
    return ModelServerError(f"the {role} server at {client.base_url} did not answer with "
                            f"{expected}{shown} (is it an OpenAI-compatible API? base URLs "
                            "usually end in /v1)")


def _cause(exc: BaseException) -> str:
    root: BaseException = exc
    while root.__cause__ is not None:
        root = root.__cause__
    return _short(root) if root is not exc else "connection failed"


def _short(exc: object) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + ("…" if len(text) > 200 else "")


def resolve_model(client: openai.OpenAI, model: str | None, role: str) -> str:
    """The configured model, or the server's only model (vLLM serves one) when none is set.

    A server that lists no models (no ``GET /v1/models``: many single-model servers) is sent
    `UNLISTED_MODEL`, with a warning: such servers answer whatever name they get.
    """
    import openai

    if model:
        return model
    try:
        ids = [m.id for m in client.models.list()]
    except openai.APIStatusError as exc:
        if exc.status_code in _NO_LISTING:
            return _unlisted(role, f"does not list its models (GET /models: {exc.status_code})")
        raise _translate(exc, role, client, "?") from None
    except openai.APIError as exc:
        raise _translate(exc, role, client, "?") from None
    except (AttributeError, TypeError):  # the body was not an OpenAI model list
        raise _not_openai(role, client, "a model list", "") from None
    if len(ids) == 1:
        return ids[0]
    if not ids:  # also a listing in another shape than OpenAI's
        return _unlisted(role, "lists no models")
    listed = ", ".join(ids[:10])
    raise ModelAccessError(f"set --{role}-model: the {role} server offers {len(ids)} models "
                           f"({listed})")


UNLISTED_MODEL = "default"
_NO_LISTING = {404, 405, 422, 501}  # the server has no model listing, as opposed to failing


def _unlisted(role: str, why: str) -> str:
    print(f"agent: warning: the {role} server {why}; sending the model name "
          f"{UNLISTED_MODEL!r} (set --{role}-model to choose)", file=sys.stderr)
    return UNLISTED_MODEL
