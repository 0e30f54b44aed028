"""Small helpers shared by the unit tests (tests/test_unit_*.py). No display, no network."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

import openai
import pytest
from PIL import Image

from agent.planning.planner import PastStep, PlanResult
from agent.records import TokenUsage
from agent.screen import Monitor, Rect, Screenshot
from agent.testing import ScriptedPlanner
from agent.testing.fake_server import FakeChatServer


def reply_json(action: dict[str, Any], **monologue: str) -> str:
    """A planner reply as a model writes it (CONTRACTS §3)."""
    body = {
        "observation": monologue.get("observation", "a screen"),
        "thought": monologue.get("thought", "a reason"),
        "instruction": monologue.get("instruction", "a step"),
        "action": action,
    }
    return json.dumps(body)


def screenshot(
    width: int = 1280,
    height: int = 800,
    monitor: Rect | None = None,
    desktop: Rect | None = None,
    color: str = "white",
) -> Screenshot:
    """A screenshot of a monitor at `monitor` (default: the image's own size at the origin)."""
    rect = monitor or Rect(0, 0, width, height)
    return Screenshot(Image.new("RGB", (width, height), color), Monitor(1, rect, True),
                      desktop or rect)


# UGround-V1's prompt, verbatim from its model card / README (format_openai_template).
UGROUND_PROMPT = (
    "Your task is to help the user identify the precise coordinates (x, y) of a specific area/"
    "element/object on the screen based on a description.\n\n"
    "- Your response should aim to point to the center or a representative point within the "
    "described area/element/object as accurately as possible.\n"
    "- If the description is unclear or ambiguous, infer the most relevant area or element "
    "based on its likely context or purpose.\n"
    "- Your answer should be a single string (x, y) corresponding to the point of the interest.\n"
    "\nDescription: {description}\n\nAnswer:"
)


def client_for(server: FakeChatServer) -> openai.OpenAI:
    """An openai client for a fake server, without retries (tests see every request)."""
    return openai.OpenAI(base_url=server.base_url, api_key="EMPTY", max_retries=0, timeout=10)


class CountingPlanner(ScriptedPlanner):
    """A ScriptedPlanner whose every call reports `usage` tokens (ScriptedPlanner reports 0)."""

    def __init__(self, replies: Sequence[str], usage: TokenUsage) -> None:
        super().__init__(replies)
        self.usage = usage

    def plan(self, task: str, history: Sequence[PastStep], screenshot: Screenshot,
             notes: Sequence[str]) -> PlanResult:
        result = super().plan(task, history, screenshot, notes)
        return PlanResult(result.reply, self.usage)


def clear_agent_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every AGENT_* variable and OPENAI_API_KEY so the host's environment cannot leak in."""
    for name in list(os.environ):
        if name.upper().startswith("AGENT_") or name.upper() == "OPENAI_API_KEY":
            monkeypatch.delenv(name, raising=False)
