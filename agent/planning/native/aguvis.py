"""Aguvis as the planner (its self-plan mode): an inner monologue, then pyautogui calls with
coordinates as fractions of the screenshot (xlang-ai/aguvis src/aguvis/serve/cli.py and
src/aguvis/constants.py).

Its reference sends one screenshot, the current one, with the past steps as "Previous actions"
text in the user turn (no assistant turns), and opens the answer with `<|recipient|>` itself;
through a chat endpoint the model writes the recipient (`all` for its monologue, `os` before
the code), or a server that skips special tokens leaves bare words: both are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.llm import Message, image_part
from agent.planning.native.base import NativeAnswer, NativeFormat, Turn
from agent.planning.native.pyautogui import code_lines, pyautogui_action
from prompts import render

__all__ = ["AGUVIS", "aguvis_messages", "parse_aguvis_answer"]

_THOUGHT = re.compile(r"Thought:\s*(.*?)\s*(?=\n\s*Action:|<\|im_end\|>|<\|recipient\|>|"
                      r"\n\s*(?:assistant\s*)?os\s*\n|\n\s*(?:pyautogui|computer|mobile)\.|\Z)",
                      re.DOTALL)
_ACTION = re.compile(r"^\s*Action:\s*(.+)$", re.MULTILINE)


def aguvis_messages(task: str, turns: Sequence[Turn], png: bytes, size: tuple[int, int],
                    notes: Sequence[str]) -> list[Message]:
    """System prompt; the screenshot and the instruction with the previous actions."""
    steps = []
    for number, turn in enumerate(turns, start=1):
        step = f"Step {number}: {_low_level(turn.answer)}"
        steps.append(step + (f" (failed: {turn.error})" if turn.error else ""))
    text = render("native_aguvis_user.j2", task=task,
                  previous_actions="\n".join(steps) or "None") + "\n"
    content = [image_part(png), {"type": "text", "text": text},
               *({"type": "text", "text": note} for note in notes)]
    return [{"role": "system", "content": render("native_aguvis_system.j2") + "\n"},
            {"role": "user", "content": content}]


def _low_level(answer: str) -> str:
    """A past step as Aguvis' data writes it: its `Action:` line, else its code."""
    match = _ACTION.search(answer)
    if match:
        return match.group(1).strip()
    try:
        return code_lines(answer).replace("\n", "; ")
    except ValueError:
        return answer.strip()[:200]


def parse_aguvis_answer(text: str) -> NativeAnswer:
    """The monologue's `Thought:` (else its `Action:`), the action from the pyautogui lines."""
    thought = _THOUGHT.search(text)
    low_level = _ACTION.search(text)
    said = (thought.group(1) if thought else low_level.group(1) if low_level else "").strip()
    code = code_lines(text.split("<|recipient|>os", 1)[-1])
    return NativeAnswer(said, pyautogui_action(code, said))


AGUVIS = NativeFormat(name="aguvis", space="norm1", messages=aguvis_messages,
                      parse=parse_aguvis_answer, max_tokens=1024)  # cli.py max_new_tokens
