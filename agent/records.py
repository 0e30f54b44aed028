"""Typed records: what the planner replied, what was grounded, what a step and a run were."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from actions import Action

__all__ = [
    "SCHEMA_VERSION",
    "Approval",
    "GroundingRecord",
    "PlannerReply",
    "RunRecord",
    "StepRecord",
    "Timings",
    "TokenUsage",
    "Usage",
]

SCHEMA_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenUsage(_Record):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # of prompt_tokens, served from the server's prompt cache

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
        )


class Usage(_Record):
    planner: TokenUsage = Field(default_factory=TokenUsage)
    grounder: TokenUsage = Field(default_factory=TokenUsage)

    def __add__(self, other: Usage) -> Usage:
        return Usage(planner=self.planner + other.planner, grounder=self.grounder + other.grounder)

    def total_tokens(self) -> int:
        return sum(
            u.prompt_tokens + u.completion_tokens for u in (self.planner, self.grounder)
        )

    def cached_tokens(self) -> int:
        return self.planner.cached_tokens + self.grounder.cached_tokens


class PlannerReply(BaseModel):
    """The planner's inner monologue and its typed action (CONTRACTS §3)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    observation: str = ""
    thought: str = ""
    instruction: str = ""
    action: Action
    raw: str = Field(default="", exclude=True, repr=False)


class GroundingRecord(_Record):
    argument: str
    target: str | dict[str, float]
    raw: str | None
    point: tuple[float, float]
    screen_point: tuple[int, int]


class Approval(_Record):
    decision: Literal["approved", "rejected", "edited", "aborted"]
    feedback: str | None = None
    edited: dict[str, Any] | None = None


class Timings(_Record):
    capture: float = 0.0
    plan: float = 0.0
    ground: float = 0.0
    approve: float = 0.0
    execute: float = 0.0
    settle: float = 0.0

    def total(self) -> float:
        return self.capture + self.plan + self.ground + self.approve + self.execute + self.settle


StepStatus = Literal["ok", "error", "rejected", "stopped"]
RunStatus = Literal["running", "done", "failed", "stopped", "error"]


class StepRecord(_Record):
    """One line of steps.jsonl (CONTRACTS §6)."""

    schema_version: int = SCHEMA_VERSION
    index: int
    observation: str = ""
    thought: str = ""
    instruction: str = ""
    action: dict[str, Any] | None = None
    grounding: list[GroundingRecord] = Field(default_factory=list)
    approval: Approval | None = None
    status: StepStatus = "ok"
    error: str | None = None
    outcome: str | None = None
    reasked: list[str] = Field(default_factory=list)  # invalid planner replies sent back, why
    timings_ms: Timings = Field(default_factory=Timings)
    usage: Usage = Field(default_factory=Usage)
    reasoning: str | None = None  # the planner's thinking, when it sent any (older records: none)
    warnings: list[str] = Field(default_factory=list)  # e.g. a click that changed nothing


class RunRecord(_Record):
    """run.json (CONTRACTS §6)."""

    schema_version: int = SCHEMA_VERSION
    task: str
    command: list[str]
    settings: dict[str, Any]
    started_at: str
    ended_at: str | None = None
    status: RunStatus = "running"
    answer: str | None = None
    reason: str | None = None
    steps: int = 0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None  # with prices configured for the models used (beyond §6)
