"""The `agent` command. Every way out ends with one line on stderr and a CONTRACTS §2 exit code."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from agent import __version__
from agent.cli.common import add_secret_flag, finish_run, secrets_from, settings_from
from agent.errors import AgentError
from agent.settings import Settings

__all__ = ["entry", "main"]

EXIT_USAGE = 2
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


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr (CONTRACTS §2), not the usage."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(EXIT_USAGE, f"agent: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    # allow_abbrev=False everywhere: `--planner-api sk-...` must not set a key that the record's
    # redaction (which knows full flag names) would then miss.
    parser: argparse.ArgumentParser = _Parser(
        prog="agent", description="Drive a desktop with a planner model and a grounding model.",
        allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"planground {__version__}")
    _add_verbosity(parser)
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    run = commands.add_parser("run", allow_abbrev=False, help="carry out a task on the screen",
                              description="Carry out a task on the screen, step by step.")
    run.add_argument("task", help='what to do, e.g. "book a flight to Tokyo"')
    add_secret_flag(run)
    _add_settings(run)
    _add_verbosity(run)
    run.set_defaults(handler=_run)

    ground = commands.add_parser("ground", allow_abbrev=False,
                                 help="find an element: print its point",
                                 description="Ground a description on the screen or an image.")
    ground.add_argument("description", help='e.g. "the Search flights button"')
    ground.add_argument("--image", type=Path, metavar="FILE",
                        help="ground on this image instead of the screen")
    ground.add_argument("--json", action="store_true", help="print JSON")
    ground.add_argument("--out", type=Path, metavar="PNG", help="save the image with a crosshair")
    _add_settings(ground, (*GROUNDER_SETTINGS, "monitor"))
    _add_verbosity(ground)
    ground.set_defaults(handler=_ground)

    from agent.automation.replay import add_export_parser, add_replay_parser
    from agent.automation.script import add_script_parser
    from agent.automation.script_run import SCRIPTED_SETTINGS
    from agent.demo import SETTINGS as DEMO_SETTINGS
    from agent.demo import add_demo_parser

    for add, names in ((add_script_parser, SCRIPTED_SETTINGS),
                       (add_replay_parser, SCRIPTED_SETTINGS), (add_export_parser, None),
                       (add_demo_parser, DEMO_SETTINGS)):
        command = add(commands)  # handler set by the module
        if names is not None:
            _add_settings(command, names)
        _add_verbosity(command)

    report = commands.add_parser("report", allow_abbrev=False,
                                 help="rebuild a run's report.html",
                                 description="Rebuild RUN_DIR/report.html from the run record.")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    _add_verbosity(report)
    report.set_defaults(handler=_report)

    evaluate = commands.add_parser("eval", allow_abbrev=False,
                                   help="evaluate a grounder on a benchmark")
    kinds = evaluate.add_subparsers(title="what", required=True, metavar="WHAT")
    grounding = kinds.add_parser(
        "grounding", allow_abbrev=False, help="score a grounder on DATA.jsonl",
        description="Score a grounder on DATA.jsonl (one record per line: instruction, img_size, "
                    "bbox, image; raw_response for --replay).")
    grounding.add_argument("data", type=Path, metavar="DATA.jsonl")
    grounding.add_argument("--images", type=Path, metavar="DIR",
                           help="where the records' images are (default: DATA's folder)")
    grounding.add_argument("--replay", action="store_true",
                           help="re-score the records' saved raw_response; no model is called")
    grounding.add_argument("--concurrency", type=_at_least_one, default=4, metavar="N",
                           help="requests in flight at once (default 4)")
    grounding.add_argument("--group-by", metavar="A,B",
                           help="fields to break accuracy down by (default platform,ui_type,"
                                "group)")
    grounding.add_argument("--out", type=Path, metavar="PRED.jsonl",
                           help="write one prediction per record")
    grounding.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_settings(grounding, GROUNDER_SETTINGS)
    _add_verbosity(grounding)
    grounding.set_defaults(handler=_eval_grounding)
    return parser


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    default = argparse.SUPPRESS if parser.prog != "agent" else 0
    parser.add_argument("-v", "--verbose", action="count", default=default,
                        help="more output (tracebacks on errors)")
    parser.add_argument("-q", "--quiet", action="count", default=default,
                        help="less output (no per-step lines)")


GROUNDER_SETTINGS = ("grounder", "grounder_model", "grounder_base_url", "grounder_api_key",
                     "ocr_engine", "min_pixels", "max_pixels", "timeout")


def _add_settings(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="TOML file of settings (default: ./agent.toml when present)")
    group = parser.add_argument_group("settings (each also AGENT_<NAME> and a TOML key)")
    for name, info in Settings.model_fields.items():
        if names is not None and name not in names:
            continue
        group.add_argument(f"--{name.replace('_', '-')}", dest=name, default=argparse.SUPPRESS,
                           help=info.description, **_flag_options(info))


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _flag_options(info: FieldInfo) -> dict[str, Any]:
    kind = _unwrap_optional(info.annotation)
    if kind is bool:
        return {"action": argparse.BooleanOptionalAction}
    if typing.get_origin(kind) is Literal:
        return {"choices": typing.get_args(kind)}
    if kind in (int, float, Path):
        return {"type": kind, "metavar": "N" if kind in (int, float) else "DIR"}
    if kind not in (str, SecretStr):  # tables (prices, risk): JSON, as in the environment
        return {"type": _json_flag, "metavar": "JSON"}
    return {"metavar": "VALUE"}


def _json_flag(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(options) == 1:
            return options[0]
    return annotation


def _run(args: argparse.Namespace, command: list[str], verbose: int) -> int:
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
    from agent.cli.grounding import ground_command

    return ground_command(args, settings_from(args))


def _eval_grounding(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.cli.grounding import eval_grounding_command

    return eval_grounding_command(args, settings_from(args))


