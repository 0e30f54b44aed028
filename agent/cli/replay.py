"""`agent replay RUN_DIR` and `agent export RUN_DIR`: their parsers and their handlers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agent.cli.flags import (
    SCRIPTED_SETTINGS,
    Commands,
    Parser,
    add_secret_flag,
    add_settings,
    add_verbosity,
)

if TYPE_CHECKING:
    from agent.automation.replay import RecordedRun

__all__ = ["add_export_parser", "add_replay_parser", "export_command", "replay_command"]


def add_replay_parser(commands: Commands) -> Parser:
    """`agent replay RUN_DIR [--exact] [--secret NAME]` and the settings flags."""
    return commands.add_parser(
        "replay", allow_abbrev=False, help="perform a recorded run's actions again",
        description="Perform a recorded run's actions again, re-grounding each target on the "
                    "screen as it is now (or, with --exact, at the recorded points). Approval "
                    "defaults to never.",
        arguments=_replay_arguments)


def _replay_arguments(parser: Parser) -> None:
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--exact", action="store_true",
                        help="act at the recorded points (no grounder; checks are skipped)")
    add_secret_flag(parser)
    add_settings(parser, SCRIPTED_SETTINGS)
    add_verbosity(parser)
    parser.set_defaults(handler=replay_command)


def add_export_parser(commands: Commands) -> Parser:
    """`agent export RUN_DIR [--exact] > flow.yaml`."""
    return commands.add_parser(
        "export", allow_abbrev=False, help="write a recorded run as a YAML script",
        description="Write a recorded run's actions as a script for `agent script` (stdout).",
        arguments=_export_arguments)


def _export_arguments(parser: Parser) -> None:
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--exact", action="store_true",
                        help="targets as the recorded points instead of descriptions")
    add_verbosity(parser)
    parser.set_defaults(handler=export_command)


def replay_command(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    """`agent replay`: read the record, check every step, then run them through the loop."""
    from agent.automation.replay import read_run, recorded_ending, recorded_steps
    from agent.automation.scripted import check_secrets, script_registry
    from agent.cli.common import run_scripted, secrets_from, settings_from
    from agent.errors import UsageError

    recorded = read_run(args.run_dir)
    _warn_about(recorded, "replayed")
    registry = script_registry()
    steps = recorded_steps(recorded, registry, args.exact)
    secrets = secrets_from(args)
    for step in steps:
        try:
            check_secrets(step.action, secrets)
        except ValueError as exc:
            raise UsageError(f"{args.run_dir}: {step.label}: {exc}") from None
    task = f"replay of {recorded.run.task}"
    return run_scripted(task, steps, settings_from(args), command, verbose, registry=registry,
                        secrets=secrets, ending=recorded_ending(recorded, registry))


def export_command(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    """`agent export`: the run as YAML on stdout."""
    from agent.automation.replay import export_script, read_run
    from agent.automation.scripted import script_registry

    recorded = read_run(args.run_dir)
    _warn_about(recorded, "exported")
    sys.stdout.write(export_script(recorded, script_registry(), args.exact))
    return 0


def _warn_about(recorded: RecordedRun, verb: str) -> None:
    from agent.automation.replay import skipped_warning, unfinished_warning
    from agent.automation.script_run import warn

    more = (unfinished_warning(recorded, verb), skipped_warning(recorded, verb))
    for text in [*recorded.warnings, *(text for text in more if text)]:
        warn(text)
