"""What a `Desktop` call returns and takes: the step it made, and targets as Python values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

from actions import Point
from agent.records import StepRecord

__all__ = ["StepResult", "TargetLike", "VerifyWarning", "target_json"]


class VerifyWarning(UserWarning):
    """A step's action changed nothing on the screen (`Settings.verify = "warn"`)."""

TargetLike = Union[str, tuple[float, float], Point, Mapping[str, float]]  # noqa: UP007
"""A description to ground ("the Save button"), or a point in screenshot pixels."""

@dataclass(frozen=True)
class StepResult:
    """What one call did: the step as recorded, and where it acted."""

    record: StepRecord

    @property
    def index(self) -> int:
        return self.record.index

    @property
    def status(self) -> str:
        return self.record.status

    @property
    def outcome(self) -> str | None:
        """What the action reported (e.g. `found`, or a custom action's text), if anything."""
        return self.record.outcome

    @property
    def warnings(self) -> list[str]:
        """What the step noticed but did not fail on (e.g. the screen did not change)."""
        return self.record.warnings

    @property
    def point(self) -> tuple[float, float] | None:
        """The first target's point in screenshot pixels (None: the action had no target)."""
        return self.record.grounding[0].point if self.record.grounding else None

    @property
    def screen_point(self) -> tuple[int, int] | None:
        """The pixel acted on, in the input backend's screen coordinates."""
        return self.record.grounding[0].screen_point if self.record.grounding else None


def target_json(value: TargetLike | None) -> str | dict[str, float] | None:
    """A target as the action space writes it: the description, or `{"x", "y"}`."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Point):
        return {"x": value.x, "y": value.y}
    if isinstance(value, Mapping):
        return {"x": float(value["x"]), "y": float(value["y"])}
    x, y = value
    return {"x": float(x), "y": float(y)}
