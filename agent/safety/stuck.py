"""Notice a run going nowhere: the same action with no visible effect, or an A-B-A-B ping-pong."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from agent.errors import TaskFailed

__all__ = ["StuckDetector"]


@dataclass
class StuckDetector:
    """Fed one (action signature, did the screen change) per executed step.

    The first time a pattern shows, `observe` returns a note for the planner; if the pattern
    goes on at the next step, it raises TaskFailed.
    """

    repeats: int = 3
    _steps: list[tuple[str, bool]] = field(default_factory=list)
    _warned: str | None = None

    def fresh(self) -> StuckDetector:
        """A detector like this one that has seen nothing yet (one per run)."""
        return replace(self, _steps=[], _warned=None)

    def observe(self, signature: str, screen_changed: bool) -> str | None:
        self._steps.append((signature, screen_changed))
        problem = self._problem()
        if problem is None:
            self._warned = None
            return None
        if self._warned is not None:
            raise TaskFailed(f"stuck: {problem}, even after being told")
        self._warned = problem
        return (f"You seem to be stuck: {problem}. Do something different: check the screen, "
                "use another element or approach, or reply with fail if the task cannot be done.")

    def _problem(self) -> str | None:
        last = self._steps[-self.repeats:]
        if len(last) == self.repeats and len({s for s, _ in last}) == 1 and not any(
            changed for _, changed in last
        ):
            return f"the same action ({last[0][0]}) changed nothing {self.repeats} times in a row"
        pattern = [s for s, _ in self._steps[-4:]]
        if len(pattern) == 4 and pattern[0] == pattern[2] != pattern[1] == pattern[3]:
            return f"the actions alternate between {pattern[0]} and {pattern[1]}"
        return None
