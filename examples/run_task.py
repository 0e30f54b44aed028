"""Run a task from Python with `Agent`: the same settings, safety and run record as `agent run`.

    python -m agent.demo.flight_app /tmp/form-state.json &          # the test form, on your display
    AGENT_PLANNER_BASE_URL=http://localhost:8001/v1 \\
    AGENT_GROUNDER_BASE_URL=http://localhost:8000/v1 \\
        python examples/run_task.py "book a flight from Boston to Tokyo for Ada Lovelace"

Planner, grounder, budgets and approval come from AGENT_* variables or ./agent.toml, as for
`agent run`; keyword arguments to `Agent` override them. Risky actions are asked about on the
terminal (`approve="never"` runs unattended); the kill hotkey (ctrl+alt+esc) stops the run.
"""

from __future__ import annotations

import sys

from agent import Agent, AgentError, StepRecord, Usage


def show(step: StepRecord, usage: Usage) -> None:
    where = f" @{step.grounding[0].screen_point}" if step.grounding else ""
    print(f"[{step.index}] {step.instruction} -> {step.action}{where} {step.status}", flush=True)


def main(argv: list[str] | None = None) -> int:
    task = " ".join(sys.argv[1:] if argv is None else argv) or "book a flight to Tokyo"
    try:
        result = Agent(max_steps=20, on_step=show).run(task)
    except AgentError as exc:  # the run could not start: one line, `agent`'s exit codes
        print(f"run_task: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"{result.status}: {result.answer or result.reason}")
    print(f"report: {result.report}")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
