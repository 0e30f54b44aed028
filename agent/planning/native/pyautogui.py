"""pyautogui code as OpenCUA and Aguvis write it → one of our actions. The calls are read as
literals (calls.py), never run; a click then `write` is a typed target, `moveTo` then `dragTo`
a drag."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.errors import ModelReplyError
from agent.planning.native.base import ModelPoint, Unsupported
from agent.planning.native.calls import Call, parse_calls

__all__ = ["code_lines", "pyautogui_action"]

_PREFIXES = ("pyautogui.", "computer.", "mobile.", "browser.")
_CLICKS = {"click": None, "leftClick": None, "doubleClick": "double_click",
           "rightClick": "right_click", "middleClick": "click"}
_FENCE = re.compile(r"^```\w*$")


def code_lines(text: str) -> str:
    """The lines holding calls (OpenCUA's agentnetbench agent/opencua.py `parse_response`: those
    starting with `pyautogui.` / `computer.`, else the call found inside a line)."""
    lines = [line.strip() for line in text.splitlines()]
    found = [line for line in lines if line.startswith(_PREFIXES)]
    if not found:
        for line in lines:
            for prefix in _PREFIXES:
                if prefix in line and not _FENCE.match(line):
                    found.append(prefix + line.split(prefix, 1)[1].strip())
                    break
    if not found:
        raise ModelReplyError("the answer has no pyautogui call")
    return "\n".join(found)


def pyautogui_action(code: str, thought: str = "") -> dict[str, Any]:
    """The calls of `code` as one action of ours (Unsupported when they are not one)."""
    calls = parse_calls(code)
    names = [call.name.split(".", 1)[1] if "." in call.name else call.name for call in calls]
    if len(calls) == 2 and names == ["moveTo", "dragTo"]:
        return {"name": "drag", "source": _point(calls[0]), "destination": _point(calls[1])}
    if len(calls) == 2 and names[0] in ("click", "leftClick") and names[1] in (
            "write", "typewrite"):
        return {**_one(calls[1], thought), "target": _point(calls[0])}
    if len(calls) != 1:
        raise Unsupported(f"{len(calls)} calls in one step: give one action per step")
    return _one(calls[0], thought)


def _one(call: Call, thought: str) -> dict[str, Any]:
    module, _, name = call.name.rpartition(".")
    if module == "pyautogui" and name in _CLICKS:
        return _click(call, name)
    if module == "pyautogui" and name == "moveTo":
        return {"name": "move", "target": _point(call)}
    if module == "pyautogui" and name in ("write", "typewrite"):
        text = _arg(call, 0, "message")
        text = "".join(text) if isinstance(text, list) else str(text)
        return {"name": "type", "text": text.removesuffix("\n"), "enter": text.endswith("\n")}
    if module == "pyautogui" and name == "press":
        keys = _arg(call, 0, "keys")
        keys = [str(k) for k in keys] if isinstance(keys, list) else [str(keys)]
        presses = call.kwargs.get("presses", 1)
        count = presses if isinstance(presses, int) and 1 <= presses <= 50 else 1
        return {"name": "press", "keys": keys * count}
    if module == "pyautogui" and name == "hotkey":
        keys = [str(k) for k in call.args] or [str(k) for k in call.kwargs.get("keys", [])]
        return {"name": "hotkey" if len(keys) > 1 else "press", "keys": keys}
    if module == "pyautogui" and name in ("scroll", "hscroll"):
        return _scroll(call, name)
    if name == "wait" or (module == "pyautogui" and name == "sleep"):
        seconds = _arg(call, 0, "seconds", default=3)
        return {"name": "wait", "seconds": min(60.0, max(0.0, _number(seconds)))}
    if module == "computer" and name == "terminate":
        if call.kwargs.get("status", call.args[0] if call.args else "success") == "failure":
            return {"name": "fail", "reason": thought or "the model ended the task as failed"}
        return {"name": "done"}
    raise Unsupported(f"{call.name}() is not an action here; use another action")


def _click(call: Call, name: str) -> dict[str, Any]:
    button = call.kwargs.get("button", "left")
    clicks = call.kwargs.get("clicks", 1)
    if name == "middleClick" or button == "middle":
        return {"name": "click", "target": _point(call), "button": "middle"}
    if name == "rightClick" or button == "right":
        return {"name": "right_click", "target": _point(call)}
    if name == "doubleClick" or clicks == 2:
        return {"name": "double_click", "target": _point(call)}
    if clicks not in (1, None):
        raise Unsupported(f"a click with clicks={clicks!r} is not an action here")
    return {"name": "click", "target": _point(call)}


def _scroll(call: Call, name: str) -> dict[str, Any]:
    """pyautogui: positive scrolls up (hscroll: right), one unit a wheel notch."""
    clicks = _number(_arg(call, 0, "clicks"))
    if name == "scroll":
        direction = "up" if clicks > 0 else "down"
    else:
        direction = "right" if clicks > 0 else "left"
    action: dict[str, Any] = {"name": "scroll", "direction": direction,
                              "amount": min(50, max(1, round(abs(clicks))))}
    if "x" in call.kwargs and "y" in call.kwargs:
        action["target"] = ModelPoint(_number(call.kwargs["x"]), _number(call.kwargs["y"]))
    return action


def _arg(call: Call, position: int, name: str, default: object = None) -> Any:
    if name in call.kwargs:
        return call.kwargs[name]
    if len(call.args) > position:
        return call.args[position]
    if default is not None:
        return default
    raise ModelReplyError(f"{call.name}() needs {name}")


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelReplyError(f"expected a number, not {value!r}")
    return float(value)


def _point(call: Call) -> ModelPoint:
    """x and y, by keyword or position (`click(x=1, y=2)`, `moveTo(1, 2)`, `click((1, 2))`)."""
    values: Sequence[object]
    if "x" in call.kwargs or "y" in call.kwargs:
        values = (call.kwargs.get("x"), call.kwargs.get("y"))
    elif len(call.args) == 1 and isinstance(call.args[0], (tuple, list)):
        values = call.args[0]
    else:
        values = call.args[:2]
    if len(values) != 2 or any(v is None for v in values):
        raise Unsupported(f"{call.name}() without x and y acts where the pointer is: give x=, y=")
    return ModelPoint(_number(values[0]), _number(values[1]))
