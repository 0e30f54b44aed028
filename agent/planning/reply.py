"""Turn a planner's message into a `PlannerReply` (CONTRACTS §3). Model text is data: json only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from actions import ActionRegistry
from agent.errors import ModelReplyError
from agent.llm import ChatReply, ToolCall
from agent.records import PlannerReply

__all__ = ["answer_and_reasoning", "parse_reply", "split_thinking"]

MONOLOGUE = ("observation", "thought", "instruction")
MAX_REPLY_CHARS = 100_000
_ARGUMENT_WRAPPERS = ("arguments", "args", "parameters", "params", "input")
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
# Thinking models (Qwen3-VL-Thinking, GLM-4.5V, MAI-UI) served without a reasoning parser write
# `<think>…</think>` before the answer; when the chat template opens the block itself, only the
# closing tag appears in the output (Qwen3's template does this).
_THINK_OPEN = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think(?:ing)?>", re.IGNORECASE)
_LABEL = re.compile(r"^\s*[*#>\s]*(observation|thought|instruction)\s*[*]*\s*:\s*[*]*\s*(.*)$",
                    re.IGNORECASE)


def parse_reply(
    text: str, tool_calls: Sequence[ToolCall], registry: ActionRegistry
) -> PlannerReply:
    """Parse a reply given as JSON text or as a tool call; raise ModelReplyError saying why not."""
    if len(text) > MAX_REPLY_CHARS:  # scanning for objects is quadratic on unbalanced braces
        raise ModelReplyError(f"the reply is {len(text)} characters long; keep it to one JSON "
                              "object")
    if tool_calls:
        return _from_tool_call(text, tool_calls[0], registry)
    data = _find_reply_object(text)
    return _build(data, registry, text)


def answer_and_reasoning(reply: ChatReply) -> tuple[str, str | None]:
    """The reply's text to parse, and its thinking to record (a reasoning field, then any
    `<think>` in the text), None when it sent none."""
    thinking, text = split_thinking(reply.text)
    return text, "\n\n".join(part for part in (reply.reasoning, thinking) if part) or None


def split_thinking(text: str) -> tuple[str | None, str]:
    """(the thinking, the rest) of a reply: the thinking is recorded, only the rest is parsed."""
    thoughts: list[str] = []
    rest = text
    first_close, first_open = _THINK_CLOSE.search(rest), _THINK_OPEN.search(rest)
    if first_close and (first_open is None or first_close.start() < first_open.start()):
        thoughts.append(rest[: first_close.start()])  # opened by the chat template
        rest = rest[first_close.end():]
    kept: list[str] = []
    while (opening := _THINK_OPEN.search(rest)) is not None:
        kept.append(rest[: opening.start()])
        closing = _THINK_CLOSE.search(rest, opening.end())
        if closing is None:  # cut off while thinking: all of it is thinking
            thoughts.append(rest[opening.end():])
            rest = ""
            break
        thoughts.append(rest[opening.end(): closing.start()])
        rest = rest[closing.end():]
    kept.append(rest)
    thinking = "\n\n".join(t.strip() for t in thoughts if t.strip())
    return thinking or None, "".join(kept).strip() if thoughts else text


def _from_tool_call(text: str, call: ToolCall, registry: ActionRegistry) -> PlannerReply:
    try:
        arguments = json.loads(call.arguments or "{}")
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, huge ints, deep nesting
        problem = f"the {call.name} tool call's arguments are not JSON: {exc}"
        raise ModelReplyError(problem) from None
    if not isinstance(arguments, dict):
        raise ModelReplyError(f"the {call.name} tool call's arguments must be a JSON object")
    monologue = {key: arguments.pop(key) for key in MONOLOGUE if key in arguments}
    for key, value in _monologue_from_text(text).items():
        monologue.setdefault(key, value)
    return _build({**monologue, "action": {"name": call.name, **arguments}}, registry, text)


def _build(data: dict[str, Any], registry: ActionRegistry, raw: str) -> PlannerReply:
    action_data = _action_data(data, registry)
    try:
        action = registry.parse(action_data)
    except ValueError as exc:
        raise ModelReplyError(str(exc)) from None
    monologue = {key: _as_text(data.get(key)) for key in MONOLOGUE}
    return PlannerReply(action=action, raw=raw, **monologue)


def _action_data(data: dict[str, Any], registry: ActionRegistry) -> dict[str, Any]:
    action = data.get("action")
    if action is None and "name" in data:  # the action alone, without a monologue
        action = {k: v for k, v in data.items() if k not in MONOLOGUE}
    if isinstance(action, str):
        raise ModelReplyError('"action" must be an object like {"name": "click", "target": "..."}, '
                              f"not the string {action!r}")
    if not isinstance(action, dict):
        raise ModelReplyError('the reply has no "action" object')
    action = dict(action)
    for wrapper in _ARGUMENT_WRAPPERS:  # {"name": "click", "arguments": {...}} is common too
        inner = action.get(wrapper)
        if isinstance(inner, dict) and not _has_argument(registry, action.get("name"), wrapper):
            del action[wrapper]
            action = {**inner, **action}
    return _without_nulls(registry, action)


def _without_nulls(registry: ActionRegistry, action: dict[str, Any]) -> dict[str, Any]:
    """Null for an optional argument means its default: a structured reply (OpenAI's strict
    schemas make every argument required, the optional ones nullable) says so."""
    name = action.get("name")
    if not isinstance(name, str) or name not in registry:
        return action
    fields = registry.spec(name).model.model_fields
    return {key: value for key, value in action.items()
            if value is not None or key not in fields or fields[key].is_required()}


def _has_argument(registry: ActionRegistry, name: object, argument: str) -> bool:
    return isinstance(name, str) and name in registry and (
        argument in registry.spec(name).model.model_fields
    )


def _as_text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _find_reply_object(text: str) -> dict[str, Any]:
    candidates = list(_json_objects(text))
    for obj in candidates:
        if "action" in obj:
            return obj
    for obj in candidates:
        if "name" in obj:
            return obj
    if candidates:
        raise ModelReplyError('the JSON object in the reply has no "action"')
    raise ModelReplyError("the reply contains no JSON object; reply with exactly one JSON object "
                          'with "observation", "thought", "instruction" and "action"')


def _json_objects(text: str) -> Iterator[dict[str, Any]]:
    """Every top-level JSON object in the text: fenced blocks first, then anywhere."""
    decoder = json.JSONDecoder()
    for chunk in [m.group(1) for m in _FENCE.finditer(text)] + [text]:
        index = chunk.find("{")
        while index != -1:
            try:
                obj, end = decoder.raw_decode(chunk, index)
            except (ValueError, RecursionError):  # JSONDecodeError, huge ints, deep nesting
                index = chunk.find("{", index + 1)
                continue
            if isinstance(obj, dict):
                yield obj
            index = chunk.find("{", end)


def _monologue_from_text(text: str) -> dict[str, str]:
    """`Observation: ...` / `Thought: ...` / `Instruction: ...` lines, or the same keys as JSON."""
    for obj in _json_objects(text):
        in_json = {key: _as_text(obj[key]) for key in MONOLOGUE if key in obj}
        if in_json:
            return in_json
    found: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _LABEL.match(line)
        if match:
            current = match.group(1).lower()
            found[current] = match.group(2).strip()
        elif current is not None and line.strip():
            found[current] = (found[current] + " " + line.strip()).strip()
    return found
