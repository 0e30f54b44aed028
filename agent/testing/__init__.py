"""Fakes for testing code built on planground, without a display or a model server.

    loop = Loop(screen=StaticScreen(), planner=ScriptedPlanner([...]), grounder=FixedGrounder(),
                executor=DryRunExecutor(), recorder=MemoryRecorder(), registry=default_registry)

For end-to-end tests over real HTTP, `agent.testing.fake_server.FakeChatServer` speaks the
OpenAI API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from actions import ActionRegistry, DryRunExecutor, default_registry
from agent.errors import GroundingError
from agent.grounding.grounder import Grounding
from agent.planning.planner import PastStep, PlanResult
from agent.planning.reply import parse_reply
from agent.records import PlannerReply, RunRecord, StepRecord
from agent.screen import Monitor, Rect, Screenshot

__all__ = [
    "DryRunExecutor",
    "FixedGrounder",
    "MemoryRecorder",
    "PlannerCall",
    "ScriptedPlanner",
    "StaticScreen",
]


class StaticScreen:
    """A screen that always shows the same image (a blank one by default)."""

    def __init__(
        self,
        image: Image.Image | None = None,
        monitor: Monitor | None = None,
        desktop: Rect | None = None,
    ) -> None:
        self.image = image or Image.new("RGB", (1280, 800), "white")
        self.monitor = monitor or Monitor(1, Rect(0, 0, *self.image.size), primary=True)
        self.desktop = desktop or self.monitor.rect

    def monitors(self) -> list[Monitor]:
        return [self.monitor]

    def capture(self) -> Screenshot:
        return Screenshot(self.image.copy(), self.monitor, self.desktop)

    def grab_raw(self) -> tuple[tuple[int, int], bytes]:
        return self.image.size, self.image.convert("RGBX").tobytes()


@dataclass(frozen=True)
class PlannerCall:
    task: str
    history: tuple[PastStep, ...]
    notes: tuple[str, ...]
    size: tuple[int, int]


class ScriptedPlanner:
    """Answers with the given replies in order (JSON text as a model would write it, or objects).

    `assert_complete()` checks every reply was used.
    """

    def __init__(
        self, replies: Iterable[str | PlannerReply], registry: ActionRegistry | None = None
    ) -> None:
        self.replies = list(replies)
        self.registry = registry or default_registry
        self.calls: list[PlannerCall] = []

    def plan(
        self, task: str, history: Sequence[PastStep], screenshot: Screenshot, notes: Sequence[str]
    ) -> PlanResult:
        self.calls.append(PlannerCall(task, tuple(history), tuple(notes), screenshot.size))
        if len(self.calls) > len(self.replies):
            raise AssertionError(f"ScriptedPlanner ran out of replies after {len(self.replies)}")
        reply = self.replies[len(self.calls) - 1]
        if isinstance(reply, str):
            reply = parse_reply(reply, [], self.registry)
        return PlanResult(reply)

    def assert_complete(self) -> None:
        if len(self.calls) != len(self.replies):
            raise AssertionError(f"{len(self.replies) - len(self.calls)} scripted replies unused")


@dataclass
class FixedGrounder:
    """Grounds each description to a known point (screenshot pixels); unknown ones to `default`."""

    points: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    default: tuple[float, float] | None = (10.0, 10.0)
    asked: list[str] = field(default_factory=list)

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        self.asked.append(description)
        point = self.points.get(description, self.default)
        if point is None:
            raise GroundingError(f"FixedGrounder knows no point for {description!r}")
        return Grounding(point, raw=f"({point[0]:g}, {point[1]:g})")


@dataclass
class MemoryRecorder:
    """Keeps runs in memory instead of on disk: the current one in `run`, `steps`, ...; each
    earlier run of the same recorder, whole, in `earlier`."""

    run: RunRecord | None = None
    steps: list[StepRecord] = field(default_factory=list)
    screenshots: dict[int, bytes] = field(default_factory=dict)
    attachments: dict[str, bytes] = field(default_factory=dict)
    finished: bool = False
    earlier: list[MemoryRecorder] = field(default_factory=list)

    def start(self, run: RunRecord) -> None:
        if self.run is not None:  # a second run: the first one's record stays as it was
            self.earlier.append(MemoryRecorder(self.run, self.steps, self.screenshots,
                                               self.attachments, self.finished))
            self.steps, self.screenshots, self.attachments = [], {}, {}
            self.finished = False
        self.run = run

    def screenshot(self, index: int, png: bytes) -> None:
        self.screenshots[index] = png

    def step(self, record: StepRecord) -> None:
        self.steps.append(record)

    def attachment(self, name: str, data: bytes) -> Path | None:
        self.attachments[name] = data
        return None

    def finish(self, run: RunRecord) -> None:
        self.run = run
        self.finished = True
