"""Qwen2.5-VL and Qwen3-VL as the planner: the computer-use cookbooks' `computer_use` function
(QwenLM/Qwen2.5-VL and QwenLM/Qwen3-VL cookbooks/computer_use.ipynb, utils/agent_function_call.py)
called as `<tool_call>{"name": "computer_use", "arguments": {"action": …}}</tool_call>`.

Qwen2.5-VL points in pixels of the smart-resized screenshot, whose size the tool states;
Qwen3-VL in 0–1000 of the screenshot (its tool states a 1000x1000 screen).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from agent.errors import ModelReplyError
from agent.grounding.resize import SmartResize
from agent.llm import Message
from agent.planning.native.base import (
    ModelPoint,
    NativeAnswer,
    NativeFormat,
    Turn,
    Unsupported,
    with_history,
)
from prompts import render

__all__ = ["QWEN3VL", "QWEN25VL", "parse_qwen_answer"]

_TOOL_CALL = re.compile(r"<tool_call>(.*?)(?:</tool_call>|\Z)", re.DOTALL)
_CLICKS = {"left_click": ("click", "left"), "right_click": ("right_click", None),
           "middle_click": ("click", "middle"), "double_click": ("double_click", None),
           "triple_click": ("double_click", None)}  # Qwen3-VL's tool: triple "as double-click"


def _messages(tool_template: str, fixed: tuple[int, int] | None) -> Any:
    def messages(task: str, turns: Sequence[Turn], png: bytes, size: tuple[int, int],
                 notes: Sequence[str]) -> list[Message]:
        """The tool in the system prompt, the task as the user's query, then the past steps."""
        width, height = fixed or size
        system = render("native_qwen_system.j2", tool_template=tool_template, width=width,
                        height=height)
        head: list[Message] = [{"role": "system", "content": system},
                               {"role": "user", "content": [{"type": "text", "text": task}]}]
        return with_history(head, turns, png, notes)

    return messages


def parse_qwen_answer(text: str) -> NativeAnswer:
    """The first `computer_use` tool call → our action; the text before it is the thought."""
    match = _TOOL_CALL.search(text)
    body = match.group(1) if match else text
    thought = text[: match.start()].strip() if match else ""
    start = body.find("{")
    try:
        call, _ = json.JSONDecoder().raw_decode(body, max(start, 0))
    except (ValueError, RecursionError):
        raise ModelReplyError("the answer has no <tool_call>{\"name\": \"computer_use\", "
                              "\"arguments\": {…}}</tool_call>") from None
    arguments = call.get("arguments") if isinstance(call, dict) else None
    if isinstance(arguments, str):  # some servers send the arguments as a JSON string
        try:
            arguments = json.loads(arguments)
        except ValueError:
            arguments = None
    if not isinstance(arguments, dict) or not isinstance(arguments.get("action"), str):
        raise ModelReplyError("the tool call has no \"arguments\" with an \"action\"")
    return NativeAnswer(thought, _action(arguments, thought))


def _action(args: dict[str, Any], thought: str) -> dict[str, Any]:
    action = args["action"]
    if action in _CLICKS:
        name, button = _CLICKS[action]
        ours: dict[str, Any] = {"name": name, "target": _point(args, action)}
        if button is not None:
            ours["button"] = button
        return ours
    if action == "mouse_move":
        return {"name": "move", "target": _point(args, action)}
    if action == "type":
        text = str(args.get("text", ""))
        return {"name": "type", "text": text.removesuffix("\n"), "enter": text.endswith("\n")}
    if action == "key":
        keys = args.get("keys")
        keys = [str(key) for key in keys] if isinstance(keys, list) else [str(keys)]
        return {"name": "hotkey" if len(keys) > 1 else "press", "keys": keys}
    if action in ("scroll", "hscroll"):
        return _scroll(args, action)
    if action == "wait":
        return {"name": "wait", "seconds": min(60.0, max(0.0, _number(args.get("time", 1))))}
    if action == "terminate":
        if args.get("status") == "failure":
            return {"name": "fail", "reason": thought or "the model ended the task as failed"}
        return {"name": "done"}
    if action == "answer":  # Qwen3-VL's tool: the answer to a question ends the task
        return {"name": "done", "answer": str(args.get("text", ""))}
    raise Unsupported(f"the action {action!r} is not available here (left_click_drag from the "
                      "pointer's position is not supported); use another action")


def _scroll(args: dict[str, Any], action: str) -> dict[str, Any]:
    """`pixels`: positive scrolls up (left), negative down (right); taken as wheel notches,
    large values as hundreds of pixels."""
    pixels = _number(args.get("pixels", -3))
    notches = abs(pixels) if abs(pixels) <= 20 else abs(pixels) / 100
    if action == "scroll":
        direction = "up" if pixels > 0 else "down"
    else:
        direction = "left" if pixels > 0 else "right"
    ours: dict[str, Any] = {"name": "scroll", "direction": direction,
                            "amount": min(50, max(1, math.ceil(notches)))}
    if args.get("coordinate") is not None:
        ours["target"] = _point(args, action)
    return ours


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelReplyError(f"expected a number, not {value!r}")
    return float(value)


def _point(args: dict[str, Any], action: str) -> ModelPoint:
    coordinate = args.get("coordinate")
    if not isinstance(coordinate, list) or len(coordinate) != 2:
        raise ModelReplyError(f"{action} needs \"coordinate\": [x, y], not {coordinate!r}")
    return ModelPoint(_number(coordinate[0]), _number(coordinate[1]))


# Qwen2.5-VL's processor defaults (factor 28, 3136 … 12845056 pixels): the cookbook
# smart-resizes the screenshot with the processor's min/max pixels and states that size.
QWEN25VL = NativeFormat(
    name="qwen25vl", space="pixels", messages=_messages("native_qwen25vl_tool.j2", None),
    parse=parse_qwen_answer, resize=SmartResize(factor=28, min_pixels=3136,
                                                max_pixels=12845056))
QWEN3VL = NativeFormat(name="qwen3vl", space="norm1000",
                       messages=_messages("native_qwen3vl_tool.j2", (1000, 1000)),
                       parse=parse_qwen_answer)
