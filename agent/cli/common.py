"""What every run-like subcommand shares: settings from flags, secrets, the recorded command
line, and running to the end (SIGTERM, report.html, the closing lines)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from agent.cli.console import StepPrinter
from agent.run.compose import RunHandle
from agent.rundir.report import write_report_safely
from agent.safety.secrets import WHOLE_WORD_BELOW, Secrets, parse_secret_flags
from agent.settings import Settings, load_settings

if TYPE_CHECKING:
    from actions import ActionRegistry
    from agent.automation.scripted import ScriptStep

__all__ = [
    "finish_run",
    "redacted_command",
    "run_scripted",
    "secrets_from",
    "settings_from",
]

_KEY_FLAGS = ("--planner-api-key", "--grounder-api-key")


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the flags given (plus environment and config file)."""
    flags = {name: getattr(args, name) for name in Settings.model_fields if hasattr(args, name)}
    return load_settings(flags, getattr(args, "config", None))


def secrets_from(args: argparse.Namespace) -> Secrets:
    interactive = sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty()
    secrets = Secrets.from_environment(parse_secret_flags(getattr(args, "secret", []),
                                                          interactive))
    for name in secrets.short_names():
        print(f"agent: warning: secret {name} is shorter than {WHOLE_WORD_BELOW} characters: it "
              "is hidden in output and records only where it stands alone", file=sys.stderr)
    return secrets


def redacted_command(command: Sequence[str], secrets: Secrets | None = None) -> list[str]:
    """The command line as recorded: API keys and `--secret NAME=value` values hidden."""
    shown: list[str] = []
    for arg in command:
        previous = shown[-1] if shown else ""
        if previous in _KEY_FLAGS:
            arg = "***"
        elif previous == "--secret" or arg.startswith("--secret="):
            arg = re.sub(r"=.*", "=***", arg, flags=re.DOTALL)  # a bare NAME stays
        elif arg.startswith(tuple(flag + "=" for flag in _KEY_FLAGS)):
            arg = arg.split("=", 1)[0] + "=***"
        shown.append(secrets.redact(arg) if secrets else arg)
    return shown


def finish_run(handle: RunHandle, task: str, command: Sequence[str], printer: StepPrinter,
               secrets: Secrets | None = None) -> int:
    """Run to the end as the CLI does: report.html is written, the run directory printed; the
    exit code of CONTRACTS §2."""
    printer.pricing = handle.loop.limits.pricing
    outcome = handle.run(task, redacted_command(command, secrets))
    write_report_safely(handle.directory.path)
    printer.finish(outcome, handle.directory.path)
    return outcome.exit_code


def run_scripted(
    task: str,
    steps: Sequence[ScriptStep],
    settings: Settings,
    command: list[str],
    verbose: int,
    *,
    registry: ActionRegistry,
    secrets: Secrets,
    ending: ScriptStep | None = None,
) -> int:
    """Run `steps` as the CLI does: a line per step, the run directory, the exit code."""
    from agent.automation.script_run import start_scripted_run

    printer = StepPrinter(verbose)
    handle = start_scripted_run(task, settings, steps, registry=registry, secrets=secrets,
                                on_step=printer.step, ending=ending)
    return finish_run(handle, task, command, printer, secrets)
