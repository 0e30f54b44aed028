"""Plug a new action into planground from your own code: `open_url`, a model and how to do it.

    python examples/custom_action.py --show-prompt                 # the planner's prompt, with it
    python examples/custom_action.py "open the planground docs"    # a run, configured as agent run

Registering the action in a registry is all it takes: the planner's prompt is rendered from the
registry given to `Agent(registry=...)` (so the model learns `open_url(url)` and its docstring),
replies that name it are validated into `OpenUrl`, and the run performs, approves and records it
like any built-in action, with the same run directory and report.html as `agent run`. Nothing in
the package is edited.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from typing import ClassVar

from pydantic import field_validator

from actions import Action, ActionContext, default_registry


class OpenUrl(Action):
    """Open a web address (http or https) in the default web browser."""

    name: ClassVar[str] = "open_url"
    url: str

    @field_validator("url")
    @classmethod
    def _web_address_only(cls, url: str) -> str:
        # The value comes from a model: accept web pages, not file:// or other schemes.
        if not url.startswith(("http://", "https://")):
            raise ValueError("only http:// and https:// addresses can be opened")
        return url


def open_url(action: OpenUrl, ctx: ActionContext) -> str:
    """Perform the action; the returned text is the outcome the planner reads next step."""
    if not webbrowser.open(action.url):
        raise RuntimeError("no web browser could be started")
    return f"opened {action.url}"


# The default registry: the built-in actions, and now open_url; main() hands it to Agent.
default_registry.register(OpenUrl, open_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="`agent run` with an extra open_url action")
    parser.add_argument("task", nargs="?", help="what to do (settings: AGENT_* or agent.toml)")
    parser.add_argument("--show-prompt", action="store_true", help="print the planner's prompt")
    args = parser.parse_args(argv)
    if args.show_prompt or args.task is None:
        from prompts import render

        print(render("planner_system.j2", actions=list(default_registry)))
        return 0

    from agent import Agent, AgentError, RunOutcome
    from agent.cli.console import StepPrinter

    printer = StepPrinter()
    try:  # registry=: the action space of the run (here the default one, with open_url added)
        result = Agent(registry=default_registry, on_step=printer.step).run(args.task)
    except AgentError as exc:  # the run could not start: one line, `agent`'s exit codes
        print(f"agent: {exc}", file=sys.stderr)
        return exc.exit_code
    printer.finish(RunOutcome(result.record, result.error), result.run_dir)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
