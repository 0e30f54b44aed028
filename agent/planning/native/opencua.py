"""OpenCUA-7B/32B/72B as the planner: its L2 system prompt, `## Thought`, `## Action` and
`## Code` with pyautogui calls in pixels of the smart-resized screenshot (xlang-ai/OpenCUA
evaluation/agentnetbench/agent/opencua.py, the defaults of its evaluation: l_number "l2",
history "action", coord_type "qwen25", smart_resize 28, 3136 … 12845056)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.grounding.resize import SmartResize
from agent.llm import Message, image_part
from agent.planning.native.base import NativeAnswer, NativeFormat, Turn
from agent.planning.native.pyautogui import code_lines, pyautogui_action
from prompts import render

__all__ = ["OPENCUA", "opencua_messages", "parse_opencua_answer"]

MAX_HISTORY_LENGTH = 10  # past steps shown as text (opencua.py max_history_length)
_SECTION = re.compile(r"^##\s*(Observation|Thought|Action|Code)\s*:?\s*$", re.MULTILINE)


def sections(text: str) -> dict[str, str]:
    """The `## Thought:`, `## Action:` and `## Code:` sections of an answer, by name."""
    marks = list(_SECTION.finditer(text))
    return {mark.group(1): text[mark.end(): marks[i + 1].start() if i + 1 < len(marks)
                                else len(text)].strip() for i, mark in enumerate(marks)}


def opencua_messages(task: str, turns: Sequence[Turn], png: bytes, size: tuple[int, int],
                     notes: Sequence[str]) -> list[Message]:
    """System prompt; per past step its screenshot (the last `history` of them: opencua.py's
    image_3 is two) in a user turn and `# Step N:\\n## Action:\\n…` as an assistant turn (the
    last 10 steps: ACTION_HISTORY_TEMPLATE); then the screenshot and the task instruction."""
    messages: list[Message] = [{"role": "system", "content": render("native_opencua_system.j2")}]
    first = max(0, len(turns) - MAX_HISTORY_LENGTH)
    pending: list[str] = []
    for number, turn in enumerate(turns, start=1):
        if turn.png is not None or pending:
            images = [image_part(turn.png)] if turn.png is not None else []
            messages.append({"role": "user", "content": [*_texts(pending), *images]})
        if number > first:
            action = sections(turn.answer).get("Action") or turn.answer
            messages.append({"role": "assistant",
                             "content": f"# Step {number}:\n## Action:\n{action}\n"})
        pending = [f"The last action failed: {turn.error}"] if turn.error else []
    instruction = "\n" + render("native_opencua_user.j2", task=task) + "\n"
    content = [image_part(png), *_texts([*pending, *notes]), {"type": "text", "text": instruction}]
    messages.append({"role": "user", "content": content})
    return messages


def _texts(texts: Sequence[str]) -> list[Message]:
    return [{"type": "text", "text": text} for text in texts]


def parse_opencua_answer(text: str) -> NativeAnswer:
    """The thought from `## Thought`, the action from the pyautogui lines (of `## Code`)."""
    parts = sections(text)
    thought = parts.get("Thought") or parts.get("Action") or ""
    code = code_lines(parts.get("Code") or text)
    return NativeAnswer(thought, pyautogui_action(code, thought))


OPENCUA = NativeFormat(
    name="opencua", space="pixels", messages=opencua_messages, parse=parse_opencua_answer,
    resize=SmartResize(factor=28, min_pixels=3136, max_pixels=12845056))
