"""The `agent` command. Every way out ends with one line on stderr and a CONTRACTS §2 exit code."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from agent import __version__
from agent.cli.demo import add_demo_parser
from agent.cli.flags import (
    GROUND_SETTINGS,
    GROUNDER_SETTINGS,
    Parser,
    add_secret_flag,
    add_settings,
    add_verbosity,
    at_least_one,
)
from agent.cli.mcp import add_mcp_parser
from agent.cli.replay import add_export_parser, add_replay_parser
from agent.cli.script import add_script_parser
from agent.cli.tasks import tasks_arguments
from agent.errors import AgentError

__all__ = ["entry", "main"]

EXIT_STOPPED = 130


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(args_list)  # exits 2 on bad flags, with one line
    verbose: int = args.verbose - args.quiet
    tracebacks = args.verbose > 0  # -v asks for them, even with -q
    try:
        code: int = args.handler(args, ["agent", *args_list], verbose)
        return code
    except AgentError as exc:
        return _fail(exc, exc.exit_code, tracebacks)
    except KeyboardInterrupt:
        print("agent: stopped by the user", file=sys.stderr)
        return EXIT_STOPPED
    except Exception as exc:  # a bug: still one line unless -v
        return _fail(exc, 1, tracebacks, prefix="unexpected error: ")


def entry() -> None:
    """The `agent` command: `main`, then a quick exit once everything is written.

    Interpreter shutdown (tearing down openai, pydantic, threads) costs ~250 ms, which a stopped
    run should not make its user wait; every file is closed and every stream flushed first.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe: nothing more can be said there
            stream.flush()
    os._exit(code)


def _fail(exc: BaseException, code: int, tracebacks: bool, prefix: str = "") -> int:
    if tracebacks:
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    hint = "" if tracebacks or not prefix else " (run with -v for the traceback)"
    print(f"agent: {prefix}{exc}{hint}", file=sys.stderr)
    return code


def _parser() -> argparse.ArgumentParser:
    """The whole command line; each subcommand's arguments are added when it is used."""
    # allow_abbrev=False everywhere: `--planner-api sk-...` must not set a key that the record's
    # redaction (which knows full flag names) would then miss.
    parser = Parser(prog="agent", allow_abbrev=False,
                    description="Drive a desktop with a planner model and a grounding model.")
    parser.add_argument("--version", action="version", version=f"planground {__version__}")
    add_verbosity(parser)
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    commands.add_parser("run", allow_abbrev=False, help="carry out a task on the screen",
                        description="Carry out a task on the screen, step by step.",
                        arguments=_run_arguments)
    commands.add_parser("ground", allow_abbrev=False, help="find an element: print its point",
                        description="Ground a description on the screen or an image.",
                        arguments=_ground_arguments)
    for add in (add_script_parser, add_replay_parser, add_export_parser, add_demo_parser,
                add_mcp_parser):
        add(commands)
    commands.add_parser("report", allow_abbrev=False, help="rebuild a run's report.html",
                        description="Rebuild RUN_DIR/report.html from the run record.",
                        arguments=_report_arguments)
    commands.add_parser("eval", allow_abbrev=False, help="evaluate a grounder or a task suite",
                        arguments=_eval_arguments)
    return parser


def _run_arguments(run: Parser) -> None:
    run.add_argument("task", help='what to do, e.g. "book a flight to Tokyo"')
    add_secret_flag(run)
    add_settings(run)
    add_verbosity(run)
    run.set_defaults(handler=_run)


def _ground_arguments(ground: Parser) -> None:
    ground.add_argument("description", help='e.g. "the Search flights button"')
    ground.add_argument("--image", type=Path, metavar="FILE",
                        help="ground on this image instead of the screen")
    ground.add_argument("--json", action="store_true", help="print JSON")
    ground.add_argument("--out", type=Path, metavar="PNG", help="save the image with a crosshair")
    add_settings(ground, GROUND_SETTINGS)
    add_verbosity(ground)
    ground.set_defaults(handler=_ground)


def _report_arguments(report: Parser) -> None:
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    add_verbosity(report)
    report.set_defaults(handler=_report)


def _eval_arguments(evaluate: Parser) -> None:
    kinds = evaluate.add_subparsers(title="what", required=True, metavar="WHAT")
    kinds.add_parser(
        "grounding", allow_abbrev=False, help="score a grounder on DATA.jsonl",
        description="Score a grounder on DATA.jsonl (one record per line: instruction, img_size, "
                    "bbox, polygon or refusal, image; raw_response for --replay).",
        arguments=_eval_grounding_arguments)
    kinds.add_parser(
        "tasks", allow_abbrev=False, help="run a task suite (SUITE.yaml), each episode on its "
        "own display", description="Run a task suite: each task's setup, `agent run` and "
        "check on a fresh private display per episode; results.jsonl, index.html, a summary.",
        arguments=tasks_arguments)


def _eval_grounding_arguments(grounding: Parser) -> None:
    grounding.add_argument("data", type=Path, metavar="DATA.jsonl")
    grounding.add_argument("--images", type=Path, metavar="DIR",
                           help="where the records' images are (default: DATA's folder)")
    grounding.add_argument("--replay", action="store_true",
                           help="re-score the records' saved raw_response; no model is called")
    grounding.add_argument("--concurrency", type=at_least_one, default=4, metavar="N",
                           help="requests in flight at once (default 4)")
    grounding.add_argument("--group-by", metavar="A,B",
                           help="any fields to break accuracy down by, a list field by each "
                                "item (default platform,ui_type,group)")
    grounding.add_argument("--out", type=Path, metavar="PRED.jsonl",
                           help="write one prediction per record")
    grounding.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_settings(grounding, GROUNDER_SETTINGS)
    add_verbosity(grounding)
    grounding.set_defaults(handler=_eval_grounding)


def _run(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.cli.common import finish_run, secrets_from, settings_from
    from agent.cli.console import StepPrinter
    from agent.run.compose import start_run

    settings = settings_from(args)
    secrets = secrets_from(args)
    printer = StepPrinter(verbose)
    handle = start_run(args.task, settings, secrets=secrets, on_step=printer.step)
    return finish_run(handle, args.task, command, printer, secrets)


def _report(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.rundir.report import main_report

    return main_report(args.run_dir)


def _ground(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.cli.common import settings_from
    from agent.cli.grounding import ground_command

    return ground_command(args, settings_from(args))


def _eval_grounding(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.cli.common import settings_from
    from agent.cli.grounding import eval_grounding_command

    return eval_grounding_command(args, settings_from(args))
