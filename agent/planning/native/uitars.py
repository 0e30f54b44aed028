"""UI-TARS-1.5 as the planner: `Thought: …` then `Action: click(point='<point>x y</point>')`,
points in pixels of the smart-resized screenshot (bytedance/UI-TARS codes/ui_tars/prompt.py
COMPUTER_USE_DOUBAO and codes/ui_tars/action_parser.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.errors import ModelReplyError
from agent.grounding.points import parse_uitars
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
from agent.planning.native.calls import Call, parse_calls
from prompts import render

__all__ = ["UITARS", "parse_uitars_answer", "uitars_messages"]

# action_parser.py: IMAGE_FACTOR 28, MIN_PIXELS 100·28², MAX_PIXELS 16384·28²
RESIZE = SmartResize(factor=28, min_pixels=100 * 28 * 28, max_pixels=16384 * 28 * 28)
# action_parser.py parse_action_to_structure_output: the thought before `Action: `
_THOUGHT = re.compile(r"(?:Thought|Reflection|Action_Summary):\s*(.*?)\s*(?=Action:|\Z)",
                      re.DOTALL)
_CONTENT = re.compile(r"^\s*(\w+)\(\s*content\s*=\s*'(.*)'\s*\)\s*$", re.DOTALL)


def uitars_messages(task: str, turns: Sequence[Turn], png: bytes, size: tuple[int, int],
                    notes: Sequence[str]) -> list[Message]:
    """The prompt as the first user turn, then the past steps and the new screenshot
    (README_deploy.md: the model's past answers are assistant messages)."""
    head: list[Message] = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": [{"type": "text", "text": render("native_uitars.j2",
                                                                      task=task)}]},
    ]
    return with_history(head, turns, png, notes)


def parse_uitars_answer(text: str) -> NativeAnswer:
    """`Thought: … Action: name(arg='…')` → our action (the first, when several are given)."""
    if "Action:" not in text:
        raise ModelReplyError("the answer has no `Action: …` line")
    thought = _THOUGHT.search(text)
    code = text.split("Action:")[-1].strip().split(")\n\n")[0].strip()
    if not code.endswith(")"):
        code += ")"
    said = thought.group(1).strip() if thought else ""
    action = _action(_one_call(code))
    if action["name"] == "ask_user" and said:  # call_user() takes no text: its thought asks
        action["question"] = said
    return NativeAnswer(said, action)


def _one_call(code: str) -> Call:
    try:
        return parse_calls(code)[0]
    except ModelReplyError:
        # type/finished content with an unescaped quote: read between the outer quotes as
        # action_parser.py does for type(content='…')
        match = _CONTENT.match(code)
        if match is None:
            raise
        content = match.group(2).replace("\\n", "\n").replace("\\'", "'").replace('\\"', '"')
        return Call(match.group(1), kwargs={"content": content})


def _point(value: object) -> ModelPoint:
    if not isinstance(value, str):
        raise ModelReplyError(f"a point must be written '<point>x y</point>', not {value!r}")
    x, y = parse_uitars(value)
    return ModelPoint(x, y)


def _action(call: Call) -> dict[str, Any]:
    kw = {key.replace("_point", "_box").replace("point", "start_box"): value
          for key, value in call.kwargs.items()}
    name = call.name
    if name in ("click", "left_single", "left_double", "right_single"):
        ours = {"click": "click", "left_single": "click", "left_double": "double_click",
                "right_single": "right_click"}[name]
        return {"name": ours, "target": _point(_required(kw, "start_box", name))}
    if name == "drag":
        return {"name": "drag", "source": _point(_required(kw, "start_box", name)),
                "destination": _point(_required(kw, "end_box", name))}
    if name == "type":
        content = str(kw.get("content", ""))
        enter = content.endswith("\n")  # the prompt: "use \n at the end of content" to submit
        return {"name": "type", "text": content.removesuffix("\n"), "enter": enter}
    if name == "hotkey":
        keys = str(_required(kw, "key", name)).split()
        return {"name": "hotkey" if len(keys) > 1 else "press", "keys": keys}
    if name == "scroll":
        action: dict[str, Any] = {"name": "scroll",
                                  "direction": str(kw.get("direction", "down")).strip()}
        if kw.get("start_box"):
            action["target"] = _point(kw["start_box"])
        return action
    if name == "wait":
        return {"name": "wait", "seconds": 5}  # the prompt: "Sleep for 5s"
    if name == "finished":
        return {"name": "done", "answer": str(kw.get("content", "")) or None}
    if name == "call_user":  # the earlier COMPUTER_USE prompt's way to ask for help
        return {"name": "ask_user", "question": "The agent needs your help to go on."}
    raise Unsupported(f"{name}() is not an action here; use one of the actions listed")


def _required(kwargs: dict[str, Any], key: str, name: str) -> Any:
    if key not in kwargs:
        raise ModelReplyError(f"{name}() needs {key}=")
    return kwargs[key]


UITARS = NativeFormat(name="uitars", space="pixels", messages=uitars_messages,
                      parse=parse_uitars_answer, resize=RESIZE,
                      max_tokens=1000)  # README_deploy.md's 400 can cut a long Thought short
