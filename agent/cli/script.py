"""`agent script FILE.yaml` (CONTRACTS §9): its parser and its handler."""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.cli.flags import (
    SCRIPTED_SETTINGS,
    Commands,
    Parser,
    add_secret_flag,
    add_settings,
    add_verbosity,
)

__all__ = ["add_script_parser", "script_command"]


def add_script_parser(commands: Commands) -> Parser:
    """`agent script FILE.yaml [--var NAME=VALUE] [--secret NAME]` and the settings flags."""
    return commands.add_parser(
        "script", allow_abbrev=False, help="run a YAML script of actions (no planner)",
        description="Run the actions of a YAML script in order, grounding each target on the "
                    "screen; the file is checked completely first. Approval defaults to never.",
        arguments=_arguments)


def _arguments(parser: Parser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE.yaml")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="set a ${NAME} variable (overrides the file's vars:)")
    add_secret_flag(parser)
    add_settings(parser, SCRIPTED_SETTINGS)
    parser.add_argument("--strict", dest="verify", action="store_const", const="strict",
                        default=argparse.SUPPRESS, help="a step after which the screen did not "
                        "change fails the script (same as --verify strict)")
    add_verbosity(parser)
    parser.set_defaults(handler=script_command)


def script_command(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    """`agent script`: validate the whole file, then run it through the loop."""
    from agent.automation.script import load_script, parse_vars
    from agent.automation.script_run import warn
    from agent.automation.scripted import script_registry
    from agent.cli.common import run_scripted, secrets_from, settings_from

    secrets = secrets_from(args)
    registry = script_registry()
    variables = parse_vars(args.var)
    script = load_script(args.file, variables, registry=registry, secrets=secrets)
    for name in variables:
        if name not in script.used_vars:  # most likely a typo, or the wrong script
            warn(f"--var {name} is not used by {args.file}")
    settings = settings_from(args)
    return run_scripted(script.name, script.steps, settings, command, verbose,
                        registry=registry, secrets=secrets)
