"""A scripted fake planner for task suites: one OpenAI-compatible server for many episodes.

    python -m agent.testing.task_planner REPLIES.yaml --port 8765 [--delay 2]

REPLIES.yaml (or .json) maps each task's instruction to the planner replies (CONTRACTS §3) of
its steps, in order::

    tasks:
      - task: Book a flight from Boston to Tokyo        # the exact instruction, or
        # pattern: "^Book a flight .* Tokyo$"           # a regular expression searched in it
        replies:
          - {observation: ..., thought: ..., instruction: ...,
             action: {name: type, text: Boston, target: the From text field}}
          - {observation: ..., thought: ..., instruction: ..., action: {name: done}}

The reply is chosen from the request alone, never from what the server saw before: the task is
read from the task message (prompts/planner_task.j2) and the step number from the past steps
the request carries (one "Step N:" message each, prompts/planner_step.j2). So any number of
episodes, repeats and retries can share one server at once. Past the end of a task's replies,
or for a task the file does not name, the answer is a ``fail`` action saying why.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agent.testing.fake_server import ChatRequest, FakeChatServer

__all__ = ["ScriptedTask", "TaskReplies", "load_replies", "main", "task_planner"]

_TASK = re.compile(r"^# Task\n(.*?)\n\n# Previous steps", re.DOTALL)
_PAST_STEP = re.compile(r"^Step (\d+):", re.MULTILINE)


@dataclass(frozen=True)
class ScriptedTask:
    """The replies of one task, named by its exact instruction or by a regular expression."""

    replies: tuple[str, ...]
    task: str | None = None
    pattern: re.Pattern[str] | None = None

    def matches(self, instruction: str) -> bool:
        if self.pattern is not None:
            return self.pattern.search(instruction) is not None
        return _squeeze(self.task or "") == _squeeze(instruction)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _fail(reason: str) -> str:
    return json.dumps({
        "observation": "", "thought": reason, "instruction": "give up",
        "action": {"name": "fail", "reason": reason},
    })


class TaskReplies:
    """The reply function: request → the scripted reply for its task and step (stateless)."""

    def __init__(self, tasks: Sequence[ScriptedTask]) -> None:
        self.tasks = tuple(tasks)

    def __call__(self, request: ChatRequest) -> str:
        instruction = task_of(request)
        if instruction is None:
            return _fail("the fake planner found no task in the request")
        scripted = next((t for t in self.tasks if t.matches(instruction)), None)
        if scripted is None:
            return _fail(f"the fake planner has no replies for the task {instruction!r}")
        step = step_of(request)
        if step > len(scripted.replies):
            return _fail(f"the fake planner's script ends after {len(scripted.replies)} steps")
        return scripted.replies[step - 1]


def task_of(request: ChatRequest) -> str | None:
    """The instruction, from the task message the planner sends (prompts/planner_task.j2)."""
    for text in request.texts():
        match = _TASK.match(text)
        if match:
            return match.group(1).strip()
    return None


def step_of(request: ChatRequest) -> int:
    """1-based number of the step being planned: one more than the last past step sent."""
    past = [int(n) for m in request.messages if m.get("role") == "user"
            for n in _PAST_STEP.findall(_user_text(m))]
    return max(past, default=0) + 1


def _user_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content
                         if isinstance(p, dict) and p.get("type") == "text")
    return ""


def load_replies(path: Path) -> TaskReplies:
    """Read REPLIES.yaml / .json; ValueError with a one-line reason for a bad file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read {path}: {exc}".splitlines()[0]) from None
    entries = data.get("tasks") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a mapping with a 'tasks' list")
    return TaskReplies([_scripted(entry, f"{path}: task {n}") for n, entry in
                        enumerate(entries, start=1)])


def _scripted(entry: Any, where: str) -> ScriptedTask:
    if not isinstance(entry, dict) or not isinstance(entry.get("replies"), list):
        raise ValueError(f"{where}: expected a mapping with a 'replies' list")
    replies = tuple(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
                    for r in entry["replies"])
    if isinstance(entry.get("pattern"), str):
        try:
            return ScriptedTask(replies, pattern=re.compile(entry["pattern"]))
        except re.error as exc:
            raise ValueError(f"{where}: bad pattern: {exc}") from None
    if isinstance(entry.get("task"), str):
        return ScriptedTask(replies, task=entry["task"])
    raise ValueError(f"{where}: give 'task' (the instruction) or 'pattern' (a regex)")


def task_planner(path: Path, *, delay: float = 0.0, port: int = 0) -> FakeChatServer:
    """A (not yet started) fake planner server answering from the replies file at `path`."""
    return FakeChatServer(load_replies(path), latency=delay, port=port, model="task-planner")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agent.testing.task_planner",
        description="Serve scripted planner replies for a task suite (OpenAI-compatible).")
    parser.add_argument("replies", type=Path, help="REPLIES.yaml: task → replies")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds slept per reply")
    args = parser.parse_args(argv)
    try:
        server = task_planner(args.replies, delay=args.delay, port=args.port).start()
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(server.base_url, flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
