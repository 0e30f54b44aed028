"""What `agent run` prints: one line per step as it happens, and how the run ended."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from agent.records import StepRecord, Usage
from agent.run.loop import RunOutcome
from agent.safety.budget import Pricing

__all__ = ["StepPrinter"]


class StepPrinter:
    def __init__(self, verbose: int = 0, out: TextIO | None = None,
                 pricing: Pricing | None = None) -> None:
        self.verbose = verbose
        self.out: TextIO | None = out or sys.stdout
        self.pricing = pricing or Pricing()

    def _say(self, text: str) -> None:
        if self.out is None:
            return
        try:
            print(text, file=self.out, flush=True)
        except BrokenPipeError:  # the reader went away (`| head`): the run goes on unprinted
            self.out = None

    def step(self, record: StepRecord, total: Usage) -> None:
        if self.verbose < 0:
            return
        if record.action is None:  # the step ended before the planner chose an action
            self._say(f"[{record.index}] {record.status}: {record.error or ''}")
            return
        timings = record.timings_ms
        action = _action_text(record.action)
        where = " ".join(f"@{tuple(g.screen_point)}" for g in record.grounding)
        why = record.error or (record.approval.feedback if record.approval else None)
        status = "" if record.status == "ok" else f"  [{record.status}: {why or 'no reason given'}]"
        took = (f"{timings.total() / 1000:.2f}s (plan {timings.plan:.0f} ms, ground "
                f"{timings.ground:.0f} ms, act {timings.execute:.0f} ms, settle "
                f"{timings.settle:.0f} ms)")
        self._say(f"[{record.index}] {record.instruction or action}")
        self._say(f"    {action} {where}  {took}  {self._usage(total)}{status}".rstrip())
        if record.approval is not None and record.approval.edited:
            edits = ", ".join(f"{k}={_shortened(v)}" for k, v in record.approval.edited.items())
            self._say(f"    (edited at the approval prompt: {edits})")
        if record.reasked:
            first = record.reasked[0].splitlines()[0]
            self._say(f"    (the planner's reply was invalid {len(record.reasked)}x and sent "
                      f"back: {first})")
        for warning in record.warnings:
            self._say(f"    warning: {warning}")
        if self.verbose > 0 and record.thought:
            self._say(f"    thought: {record.thought}")

    def _usage(self, total: Usage) -> str:
        cost = self.pricing.cost(total)
        return f"[{_tokens(total)}" + (f", ${cost:.4f}]" if cost else "]")

    def finish(self, outcome: RunOutcome, directory: Path) -> None:
        """The run's end: the answer on stdout, a failure as one line on stderr."""
        run = outcome.record
        if run.status == "done":
            answer = f": {run.answer}" if run.answer else ""
            dry = " (dry run: nothing was performed)" if run.settings.get("dry_run") else ""
            self._say(f"done in {run.steps} step(s){dry}{answer}")
        self._say(f"run record: {directory}  ({_tokens(run.usage)})")
        if (directory / "report.html").exists():
            self._say(f"report: {directory / 'report.html'}")
        if outcome.error is not None:
            print(f"agent: {outcome.error}", file=sys.stderr, flush=True)


def _tokens(usage: Usage) -> str:
    """The run's tokens; how many prompt tokens the servers' caches served, when they say."""
    cached = usage.cached_tokens()
    return f"{usage.total_tokens()} tokens" + (f", {cached} cached" if cached else "")


SHOWN_CHARS = 80  # of a long argument (a typed text) on a step's line; the record keeps it all


def _action_text(action: dict[str, object]) -> str:
    args = ", ".join(f"{k}={_shortened(v)}" for k, v in action.items()
                     if k != "name" and v is not None)
    return f"{action.get('name')}({args})"


def _shortened(value: object) -> str:
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return f"{value[:SHOWN_CHARS]!r}… ({len(value)} characters)"
    return repr(value)
