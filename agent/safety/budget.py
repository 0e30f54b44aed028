"""Budgets: steps, time, tokens and cost; reaching one ends the run and says which."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from agent.errors import TaskFailed
from agent.records import TokenUsage, Usage

__all__ = ["Limits", "ModelPrice", "Pricing", "watch_time"]


class ModelPrice(BaseModel):
    """US dollars per million tokens, as in the config file's `[prices."model"]` tables."""

    model_config = ConfigDict(extra="forbid")
    input: float = Field(ge=0)
    output: float = Field(ge=0)

    def cost(self, usage: TokenUsage) -> float:
        return (usage.prompt_tokens * self.input + usage.completion_tokens * self.output) / 1e6


@dataclass(frozen=True)
class Pricing:
    """What a run's usage costs, from the prices of its planner and grounder models."""

    planner: ModelPrice | None = None
    grounder: ModelPrice | None = None

    @classmethod
    def for_models(cls, prices: Mapping[str, ModelPrice], planner: str | None,
                   grounder: str | None) -> Pricing:
        return cls(prices.get(planner or ""), prices.get(grounder or ""))

    def known_cost(self, usage: Usage) -> float | None:
        """The cost when prices are configured at all (else None, not 0)."""
        if self.planner is None and self.grounder is None:
            return None
        return self.cost(usage)

    def cost(self, usage: Usage) -> float | None:
        """None when a model that was used has no price."""
        total = 0.0
        for price, part in ((self.planner, usage.planner), (self.grounder, usage.grounder)):
            if price is not None:
                total += price.cost(part)
            elif part.prompt_tokens or part.completion_tokens:
                return None
        return total


@dataclass(frozen=True)
class Limits:
    max_steps: int = 30
    max_time: float | None = None
    max_tokens: int | None = None
    max_cost: float | None = None
    pricing: Pricing = field(default_factory=Pricing)

    def check(self, elapsed: float, usage: Usage) -> None:
        """Raise TaskFailed naming the budget that ran out."""
        if self.max_time is not None and elapsed > self.max_time:
            raise TaskFailed(f"budget: max_time ({self.max_time:g} s) reached")
        tokens = usage.total_tokens()
        if self.max_tokens is not None and tokens >= self.max_tokens:
            raise TaskFailed(f"budget: max_tokens ({self.max_tokens}) reached: {tokens} used")
        cost = self.pricing.cost(usage)
        if self.max_cost is not None and cost is not None and cost >= self.max_cost:
            raise TaskFailed(f"budget: max_cost (${self.max_cost:g}) reached: ${cost:.4f} spent")


@contextmanager
def watch_time(limit: float | None, elapsed: Callable[[], float],
               run_out: Callable[[str], None]) -> Iterator[None]:
    """While inside, `run_out(reason)` is called once `elapsed()` passes `limit` seconds: a time
    budget also ends a step that runs over it (a long wait, a slow model reply)."""
    if limit is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if elapsed() > limit:
                run_out(f"budget: max_time ({limit:g} s) reached")
                return

    watcher = threading.Thread(target=watch, name="max_time", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
