"""Native planner formats: documented answer strings → our typed actions (nothing is run)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from actions import builtin_registry, default_registry
from agent.errors import ModelReplyError
from agent.planning.native import NATIVE_FORMATS, NativePlanner
from agent.planning.native.aguvis import parse_aguvis_answer
from agent.planning.native.base import ModelPoint, NativeAnswer, Turn, Unsupported
from agent.planning.native.calls import parse_calls
from agent.planning.native.opencua import parse_opencua_answer
from agent.planning.native.pyautogui import pyautogui_action
from agent.planning.native.qwen import parse_qwen_answer
from agent.planning.native.uitars import parse_uitars_answer
from agent.run.loop import Loop
from agent.testing import DryRunExecutor, MemoryRecorder, StaticScreen
from agent.testing.fake_server import FakeChatServer, scripted
from tests.unit_helpers import client_for

REGISTRY = builtin_registry()

UITARS_CASES: list[tuple[str, dict[str, Any]]] = [
    # bytedance/UI-TARS README.md "Usage" and README_deploy.md "Expected Output"
    ("Thought: Click the button\nAction: click(start_box='(100,200)')",
     {"name": "click", "target": ModelPoint(100, 200)}),
    ("Thought: 让我点击它看看里面有什么选项。\nAction: click(start_box='(177,549)')",
     {"name": "click", "target": ModelPoint(177, 549)}),
    # codes/ui_tars/prompt.py COMPUTER_USE_DOUBAO's action space
    ("Thought: t\nAction: click(point='<point>177 549</point>')",
     {"name": "click", "target": ModelPoint(177, 549)}),
    ("Thought: t\nAction: left_double(point='<point>10 20</point>')",
     {"name": "double_click", "target": ModelPoint(10, 20)}),
    ("Thought: t\nAction: right_single(start_box='<|box_start|>(10,20)<|box_end|>')",
     {"name": "right_click", "target": ModelPoint(10, 20)}),
    ("Thought: t\nAction: drag(start_point='<point>1 2</point>', end_point='<point>3 4</point>')",
     {"name": "drag", "source": ModelPoint(1, 2), "destination": ModelPoint(3, 4)}),
    ("Thought: t\nAction: hotkey(key='ctrl c')", {"name": "hotkey", "keys": ["ctrl", "c"]}),
    ("Thought: t\nAction: hotkey(key='enter')", {"name": "press", "keys": ["enter"]}),
    ("Thought: t\nAction: type(content='Zürich\\n')",
     {"name": "type", "text": "Zürich", "enter": True}),
    ("Thought: t\nAction: type(content='it's')", {"name": "type", "text": "it's", "enter": False}),
    ("Thought: t\nAction: scroll(point='<point>5 6</point>', direction='down')",
     {"name": "scroll", "direction": "down", "target": ModelPoint(5, 6)}),
    ("Thought: t\nAction: wait()", {"name": "wait", "seconds": 5}),
    ("Thought: t\nAction: finished(content='booked')", {"name": "done", "answer": "booked"}),
    ("Thought: I need the code.\nAction: call_user()",
     {"name": "ask_user", "question": "I need the code."}),
    # a box → its centre
    ("Thought: t\nAction: click(start_box='(10,20,30,40)')",
     {"name": "click", "target": ModelPoint(20, 30)}),
]


@pytest.mark.parametrize(("text", "action"), UITARS_CASES)
def test_uitars_answers_parse_into_our_actions(text: str, action: dict[str, Any]) -> None:
    answer = parse_uitars_answer(text)
    assert answer.action == action
    assert answer.thought == text.split("Thought: ")[1].split("\nAction:")[0]


def test_uitars_actions_we_lack_and_bad_answers() -> None:
    with pytest.raises(Unsupported, match="long_press"):
        parse_uitars_answer("Thought: t\nAction: long_press(point='<point>1 2</point>')")
    with pytest.raises(ModelReplyError, match="Action"):
        parse_uitars_answer("Thought: I will click")
    with pytest.raises(ModelReplyError):
        parse_uitars_answer("Thought: t\nAction: click(start_box=__import__('os'))")


def test_calls_are_read_as_literals_never_run() -> None:
    (call,) = parse_calls("pyautogui.click(x=1, y=2.5)")
    assert (call.name, call.args, call.kwargs) == ("pyautogui.click", [], {"x": 1, "y": 2.5})
    with pytest.raises(ModelReplyError):
        parse_calls("pyautogui.click(x=__import__('os').getpid())")
    with pytest.raises(ModelReplyError):
        parse_calls("import os")


def test_points_convert_from_the_resized_image_to_screenshot_pixels() -> None:
    planner = NativePlanner(client=None, model="m", registry=REGISTRY,  # type: ignore[arg-type]
                            native=NATIVE_FORMATS["uitars"])
    answer = NativeAnswer("", {"name": "click", "target": ModelPoint(644, 364)})
    action = planner._action(answer, (1288, 728), (1280, 720))
    assert (action.target.x, action.target.y) == pytest.approx((640, 360))
    with pytest.raises(ModelReplyError, match="outside"):
        planner._action(NativeAnswer("", {"name": "click", "target": ModelPoint(2000, 1)}),
                        (1288, 728), (1280, 720))


def _call(arguments: dict[str, Any], before: str = "") -> str:
    body = json.dumps({"name": "computer_use", "arguments": arguments})
    return f"{before}<tool_call>\n{body}\n</tool_call>"


QWEN_CASES: list[tuple[str, dict[str, Any]]] = [
    # the cookbooks' computer_use actions (QwenLM/Qwen2.5-VL, Qwen3-VL utils/agent_function_call)
    (_call({"action": "left_click", "coordinate": [230, 120]}),
     {"name": "click", "target": ModelPoint(230, 120), "button": "left"}),
    (_call({"action": "right_click", "coordinate": [1, 2]}),
     {"name": "right_click", "target": ModelPoint(1, 2)}),
    (_call({"action": "middle_click", "coordinate": [1, 2]}),
     {"name": "click", "target": ModelPoint(1, 2), "button": "middle"}),
    (_call({"action": "double_click", "coordinate": [1, 2]}),
     {"name": "double_click", "target": ModelPoint(1, 2)}),
    (_call({"action": "triple_click", "coordinate": [1, 2]}),
     {"name": "double_click", "target": ModelPoint(1, 2)}),
    (_call({"action": "mouse_move", "coordinate": [5, 6]}),
     {"name": "move", "target": ModelPoint(5, 6)}),
    (_call({"action": "type", "text": "Zürich\n"}),
     {"name": "type", "text": "Zürich", "enter": True}),
    (_call({"action": "key", "keys": ["ctrl", "s"]}), {"name": "hotkey", "keys": ["ctrl", "s"]}),
    (_call({"action": "key", "keys": ["enter"]}), {"name": "press", "keys": ["enter"]}),
    (_call({"action": "scroll", "pixels": -5}),
     {"name": "scroll", "direction": "down", "amount": 5}),
    (_call({"action": "scroll", "pixels": 300, "coordinate": [3, 4]}),
     {"name": "scroll", "direction": "up", "amount": 3, "target": ModelPoint(3, 4)}),
    (_call({"action": "wait", "time": 2}), {"name": "wait", "seconds": 2.0}),
    (_call({"action": "terminate", "status": "success"}), {"name": "done"}),
    (_call({"action": "terminate", "status": "failure"}, "No way in."),
     {"name": "fail", "reason": "No way in."}),
    (_call({"action": "answer", "text": "42"}), {"name": "done", "answer": "42"}),
]


@pytest.mark.parametrize(("text", "action"), QWEN_CASES)
def test_qwen_tool_calls_parse_into_our_actions(text: str, action: dict[str, Any]) -> None:
    assert parse_qwen_answer(text).action == action


def test_qwen_thought_actions_we_lack_and_bad_answers() -> None:
    answer = parse_qwen_answer(_call({"action": "left_click", "coordinate": [1, 2]},
                                     "The To field is empty. "))
    assert answer.thought == "The To field is empty."
    with pytest.raises(Unsupported, match="left_click_drag"):
        parse_qwen_answer(_call({"action": "left_click_drag", "coordinate": [1, 2]}))
    with pytest.raises(ModelReplyError, match="coordinate"):
        parse_qwen_answer(_call({"action": "left_click"}))
    with pytest.raises(ModelReplyError, match="tool_call"):
        parse_qwen_answer("I would click the button.")


def test_qwen3vl_points_are_relative_to_1000() -> None:
    planner = NativePlanner(client=None, model="m", registry=REGISTRY,  # type: ignore[arg-type]
                            native=NATIVE_FORMATS["qwen3vl"])
    answer = NativeAnswer("", {"name": "click", "target": ModelPoint(500, 250)})
    action = planner._action(answer, (1920, 1080), (1920, 1080))
    assert (action.target.x, action.target.y) == pytest.approx((960, 270))


OPENCUA_ANSWER = """## Thought:
The To field is empty; I click it first.

## Action:
Click the To text field.

## Code:
```python
pyautogui.click(x=342, y=178)
```
"""

PYAUTOGUI_CASES: list[tuple[str, dict[str, Any]]] = [
    ("pyautogui.click(x=342, y=178)", {"name": "click", "target": ModelPoint(342, 178)}),
    ("pyautogui.click(342, 178)", {"name": "click", "target": ModelPoint(342, 178)}),
    ("pyautogui.click(x=1, y=2, clicks=2)", {"name": "double_click", "target": ModelPoint(1, 2)}),
    ("pyautogui.doubleClick(x=1, y=2)", {"name": "double_click", "target": ModelPoint(1, 2)}),
    ("pyautogui.rightClick(x=1, y=2)", {"name": "right_click", "target": ModelPoint(1, 2)}),
    ("pyautogui.click(x=1, y=2, button='right')",
     {"name": "right_click", "target": ModelPoint(1, 2)}),
    ("pyautogui.moveTo(1, 2)", {"name": "move", "target": ModelPoint(1, 2)}),
    ("pyautogui.moveTo(1, 2)\npyautogui.dragTo(3, 4)",
     {"name": "drag", "source": ModelPoint(1, 2), "destination": ModelPoint(3, 4)}),
    ("pyautogui.click(x=1, y=2)\npyautogui.write(message='Zürich')",
     {"name": "type", "text": "Zürich", "enter": False, "target": ModelPoint(1, 2)}),
    ("pyautogui.write(message='Zürich\\n')", {"name": "type", "text": "Zürich", "enter": True}),
    ("pyautogui.typewrite('abc')", {"name": "type", "text": "abc", "enter": False}),
    ("pyautogui.press('enter')", {"name": "press", "keys": ["enter"]}),
    ("pyautogui.press('tab', presses=2)", {"name": "press", "keys": ["tab", "tab"]}),
    ("pyautogui.hotkey('ctrl', 'c')", {"name": "hotkey", "keys": ["ctrl", "c"]}),
    ("pyautogui.scroll(-5)", {"name": "scroll", "direction": "down", "amount": 5}),
    ("pyautogui.scroll(3, x=1, y=2)",
     {"name": "scroll", "direction": "up", "amount": 3, "target": ModelPoint(1, 2)}),
    ("pyautogui.hscroll(2)", {"name": "scroll", "direction": "right", "amount": 2}),
    ("computer.wait(seconds=2)", {"name": "wait", "seconds": 2.0}),
    ("computer.terminate(status='success')", {"name": "done"}),
    ("computer.terminate(status='failure')", {"name": "fail", "reason": "t"}),
]


@pytest.mark.parametrize(("code", "action"), PYAUTOGUI_CASES)
def test_pyautogui_code_becomes_our_actions(code: str, action: dict[str, Any]) -> None:
    assert pyautogui_action(code, "t") == action


def test_pyautogui_code_we_cannot_do() -> None:
    for code in ("computer.triple_click(x=1, y=2)", "mobile.home()", "pyautogui.click()",
                 "pyautogui.dragTo(3, 4)", "pyautogui.keyDown('shift')"):
        with pytest.raises(Unsupported):
            pyautogui_action(code)
    with pytest.raises(ModelReplyError):
        pyautogui_action("os.system('rm -rf /')")


def test_opencua_answer() -> None:
    answer = parse_opencua_answer(OPENCUA_ANSWER)
    assert answer.thought == "The To field is empty; I click it first."
    assert answer.action == {"name": "click", "target": ModelPoint(342, 178)}
    with pytest.raises(ModelReplyError, match="pyautogui"):
        parse_opencua_answer("## Thought:\nHmm.\n\n## Action:\nClick it.")


@pytest.mark.parametrize("text", [
    # the README's self-plan output, with and without the special tokens a server may skip
    "<|recipient|>all\nThought: The To field is empty.\nAction: Click the To field.<|im_end|>\n"
    "<|im_start|>assistant<|recipient|>os\npyautogui.click(x=0.2695, y=0.2188)",
    "all\nThought: The To field is empty.\nAction: Click the To field.\nassistant os\n"
    "pyautogui.click(x=0.2695, y=0.2188)",
])
def test_aguvis_answer(text: str) -> None:
    answer = parse_aguvis_answer(text)
    assert answer.thought == "The To field is empty."
    assert answer.action == {"name": "click", "target": ModelPoint(0.2695, 0.2188)}


def test_aguvis_sees_one_screenshot_and_its_previous_actions_as_text() -> None:
    turns = [Turn(b"png", "all\nThought: t\nAction: Click To.\nassistant os\n"
                          "pyautogui.click(x=0.1, y=0.1)", None),
             Turn(None, "pyautogui.write(message='x')", "typing failed")]
    messages = NATIVE_FORMATS["aguvis"].messages("Book it", turns, b"now", (10, 10), [])
    assert [m["role"] for m in messages] == ["system", "user"]
    text = messages[1]["content"][1]["text"]
    assert "Instruction: Book it\n\nPrevious actions:\nStep 1: Click To.\n" in text
    assert "Step 2: pyautogui.write(message='x') (failed: typing failed)" in text


def test_an_action_we_lack_is_a_step_error_the_model_is_told_about() -> None:
    """Over HTTP, through the loop: UI-TARS' long_press fails its step (its tokens counted),
    the next prompt says why, and a click's point is recorded with the raw answer."""
    click = "Thought: Click the middle.\nAction: click(point='<point>644 406</point>')"
    answers = ["Thought: Hold it.\nAction: long_press(point='<point>1 2</point>')", click,
               "Thought: Done.\nAction: finished(content='ok')"]
    recorder = MemoryRecorder()
    with FakeChatServer(scripted(answers)) as server:
        planner = NativePlanner(client_for(server), "ui-tars", default_registry,
                                NATIVE_FORMATS["uitars"])
        loop = Loop(screen=StaticScreen(), planner=planner, grounder=None,
                    executor=DryRunExecutor(), recorder=recorder, registry=default_registry)
        outcome = loop.run("t", ["agent"], {})
        second = server.requests[1]
    assert outcome.exit_code == 0
    first, clicked, done = recorder.steps
    assert first.status == "error" and "long_press" in (first.error or "")
    assert first.usage.planner.prompt_tokens > 0
    assert "The last action failed: long_press() is not an action here" in second.text()
    assert [m["content"] for m in second.messages if m["role"] == "assistant"] == [answers[0]]
    (grounding,) = clicked.grounding
    assert grounding.raw == click
    assert grounding.point == pytest.approx((640, 400))
    assert done.action == {"name": "done", "answer": "ok"}
