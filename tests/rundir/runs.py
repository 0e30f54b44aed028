"""Run directories as the loop leaves them, for the tests of reading them back."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from agent.records import GroundingRecord, RunRecord, StepRecord, Timings, TokenUsage, Usage
from agent.rundir.recorder import RunDirectory

BACKGROUND = (236, 238, 241)


def png(size: tuple[int, int] = (1920, 1080), color: tuple[int, int, int] = BACKGROUND) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def usage(planner: int = 1000, grounder: int = 500) -> Usage:
    return Usage(planner=TokenUsage(prompt_tokens=planner, completion_tokens=planner // 10),
                 grounder=TokenUsage(prompt_tokens=grounder, completion_tokens=grounder // 50))


def ground(argument: str, x: float, y: float, target: str = "the Search button") -> GroundingRecord:
    return GroundingRecord(argument=argument, target=target, raw=f"({x:.0f}, {y:.0f})",
                           point=(x, y), screen_point=(round(x), round(y)))


def click_step(
    index: int, point: tuple[float, float] = (960.0, 540.0), **update: Any
) -> StepRecord:
    fields: dict[str, Any] = {
        "index": index, "observation": f"screen {index}", "thought": f"thought {index}",
        "instruction": f"Click the Search button ({index})",
        "action": {"name": "click", "target": "the Search button", "button": "left"},
        "grounding": [ground("target", *point)], "outcome": f"clicked {index}",
        "timings_ms": Timings(capture=12.5, plan=1830.0, ground=410.2, approve=0.0, execute=35.0,
                              settle=220.0),
        "usage": usage(),
    }
    fields.update(update)
    return StepRecord(**fields)


def run_record(**update: Any) -> RunRecord:
    fields: dict[str, Any] = {
        "task": "Book a flight to Tokyo", "command": ["agent", "run", "Book a flight to Tokyo"],
        "settings": {"max_steps": 30, "planner_model": "gpt-4o", "approve": "risky"},
        "started_at": "2025-03-04T05:06:07+00:00",
    }
    fields.update(update)
    return RunRecord(**fields)


def make_run(
    tmp_path: Path,
    steps: Sequence[StepRecord],
    *,
    shots: dict[int, bytes] | None = None,
    finish: dict[str, Any] | None = None,
    run: RunRecord | None = None,
) -> Path:
    """A run directory as the loop leaves it: run.json, steps.jsonl, step PNGs."""
    run = run or run_record()
    directory = RunDirectory.create(tmp_path / "runs", run.task)
    directory.start(run)
    shots = {s.index: png() for s in steps} if shots is None else shots
    for step in steps:
        if step.index in shots:
            directory.screenshot(step.index, shots[step.index])
        directory.step(step)
    if finish is not None:
        directory.finish(run.model_copy(update=finish))
    return directory.path


FINISHED = {"status": "done", "answer": "Booked flight JL 5",
            "ended_at": "2025-03-04T05:09:31+00:00", "steps": 3, "usage": usage(3000, 1500)}
