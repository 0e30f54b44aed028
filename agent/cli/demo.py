"""`agent demo`: its parser and its handler (the demo itself is `agent.demo`)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from agent.cli.flags import DEMO_SETTINGS, Commands, Parser, add_settings, add_verbosity

if TYPE_CHECKING:
    from agent.settings import Settings

__all__ = ["add_demo_parser", "demo_command"]


def add_demo_parser(commands: Commands) -> Parser:
    """`agent demo [--real-display]` and the settings flags."""
    return commands.add_parser(
        "demo", allow_abbrev=False, help="book a flight in a sample app, offline",
        description="Open a sample flight-booking app and replay a recorded run of \"book a "
                    "flight to Tokyo\" with the offline OCR grounder; no model, no key.",
        arguments=_arguments)


def _arguments(parser: Parser) -> None:
    parser.add_argument("--real-display", action="store_true",
                        help="use your own display even when Xvfb is installed")
    add_settings(parser, DEMO_SETTINGS)
    add_verbosity(parser)
    parser.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.cli.common import run_scripted, secrets_from, settings_from
    from agent.demo import recorded_demo, run_demo

    demo, secrets = recorded_demo(), secrets_from(args)

    def replay(settings: Settings) -> int:
        return run_scripted(demo.task, demo.steps, settings, command, verbose,
                            registry=demo.registry, secrets=secrets, ending=demo.ending)

    return run_demo(settings_from(args), real_display=args.real_display, replay=replay)
