"""`Agent`: run a task from Python exactly as `agent run` does, with the same `Settings`.

    from agent import Agent, Settings

    agent = Agent(Settings(planner_base_url="http://localhost:8001/v1", approve="never"))
    result = agent.run("book a flight to Tokyo")
    print(result.status, result.answer, result.run_dir)

A run from Python is a run from the CLI: the same approval (`risky` unless the settings say
otherwise, asked on the terminal), kill and pause hotkeys, budgets, stuck detection, secrets,
run directory and report.html. `run` returns a `TaskResult` however the task ended; it raises
only when a run cannot start (`UsageError`: no planner, no display, bad settings, another run on
the display; `ModelServerError`: a server that cannot be reached to resolve its model).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions import ActionRegistry
from agent.errors import AgentError
from agent.records import RunRecord, StepRecord, Usage
from agent.run.compose import start_run
from agent.safety.approval import Approver
from agent.safety.secrets import Secrets
from agent.settings import Settings, settings_with

__all__ = ["Agent", "TaskResult"]

StepCallback = Callable[[StepRecord, Usage], None]


@dataclass(frozen=True)
class TaskResult:
    """How a task ended, and where its record is."""

    run_dir: Path
    record: RunRecord  # run.json as written
    error: AgentError | None = None  # why it did not end `done` (its `exit_code`: CONTRACTS §2)

    @property
    def ok(self) -> bool:
        return self.record.status == "done"

    @property
    def status(self) -> str:
        """`done`, `failed`, `stopped` or `error`, as in run.json."""
        return self.record.status

    @property
    def answer(self) -> str | None:
        return self.record.answer

    @property
    def reason(self) -> str | None:
        return self.record.reason

    @property
    def exit_code(self) -> int:
        """What `agent run` would have exited with."""
        return 0 if self.error is None else self.error.exit_code

    @property
    def report(self) -> Path:
        return self.run_dir / "report.html"


class Agent:
    """Runs tasks on the screen: planner, grounder and safety from one `Settings`."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        secrets: Mapping[str, str] | Secrets | None = None,
        registry: ActionRegistry | None = None,
        on_step: StepCallback | None = None,
        approver: Approver | None = None,
        **overrides: Any,
    ) -> None:
        """`settings` default to the environment and ./agent.toml, as for `agent run`;
        `overrides` are settings by name (`approve="never"`, `max_steps=10`), validated.

        `secrets` add to the `AGENT_SECRET_*` environment variables (the planner sees `{{NAME}}`
        only); `registry` is the action space (default: the built-in actions and any registered
        with `actions.default_registry`); `on_step` is called after each step; `approver`
        replaces the terminal's questions (`approve` still says which actions are asked about).
        """
        self.settings = settings_with(settings, overrides)
        self.secrets = secrets if isinstance(secrets, Secrets) else Secrets.from_environment(
            secrets)
        self.registry = registry
        self.on_step = on_step
        self.approver = approver

    def run(self, task: str) -> TaskResult:
        """Carry out `task` until done, failed, stopped or out of budget."""
        handle = start_run(task, self.settings, registry=self.registry, secrets=self.secrets,
                           approver=self.approver,
                           on_step=self.on_step or _quiet)
        command = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python",
                   "Agent.run", task]
        outcome = handle.run(task, [self.secrets.redact(part) for part in command])
        from agent.rundir.report import write_report_safely  # jinja2 only once a run ends

        write_report_safely(handle.directory.path)
        return TaskResult(handle.directory.path, outcome.record, outcome.error)


def _quiet(record: StepRecord, usage: Usage) -> None:
    return None
