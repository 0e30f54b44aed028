"""The `agent` command. Every way out ends with one line on stderr and a CONTRACTS §2 exit code."""

from __future__ import annotations

import argparse
import json
import re
import signal
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
from agent.errors import AgentError
from agent.secrets import Secrets, parse_secret_flags
from agent.settings import Settings, load_settings

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_STOPPED = 130


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(args_list)  # argparse exits 2 on bad flags, with one usage line
    verbose: int = args.verbose - args.quiet
    try:
        code: int = args.handler(args, ["agent", *args_list], verbose)
        return code
    except AgentError as exc:
        return _fail(exc, exc.exit_code, verbose)
    except KeyboardInterrupt:
        print("agent: stopped by the user", file=sys.stderr)
        return EXIT_STOPPED
    except Exception as exc:  # a bug: still one line unless -v
        return _fail(exc, 1, verbose, prefix="unexpected error: ")


def _fail(exc: BaseException, code: int, verbose: int, prefix: str = "") -> int:
    if verbose > 0:
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    hint = "" if verbose > 0 or not prefix else " (run with -v for the traceback)"
    print(f"agent: {prefix}{exc}{hint}", file=sys.stderr)
    return code


def _parser() -> argparse.ArgumentParser:
    # allow_abbrev=False everywhere: `--planner-api sk-...` must not set a key that the record's
    # redaction (which knows full flag names) would then miss.
    parser = argparse.ArgumentParser(
        prog="agent", description="Drive a desktop with a planner model and a grounding model.",
        allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"planground {__version__}")
    _add_verbosity(parser)
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    run = commands.add_parser("run", allow_abbrev=False, help="carry out a task on the screen",
                              description="Carry out a task on the screen, step by step.")
    run.add_argument("task", help='what to do, e.g. "book a flight to Tokyo"')
    run.add_argument("--secret", action="append", default=[], metavar="NAME[=VALUE]",
                     help="a secret the planner can type as {{NAME}} without seeing it; the "
                          "value comes from NAME=VALUE, AGENT_SECRET_NAME, or a hidden prompt")
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
    grounding.add_argument("--concurrency", type=int, default=4, metavar="N",
                           help="requests in flight at once (default 4)")
    grounding.add_argument("--group-by", default="platform,ui_type,group", metavar="A,B",
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
                     "min_pixels", "max_pixels", "timeout")


def _add_settings(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="TOML file of settings (default: ./agent.toml when present)")
    group = parser.add_argument_group("settings (each also AGENT_<NAME> and a TOML key)")
    for name, info in Settings.model_fields.items():
        if names is not None and name not in names:
            continue
        group.add_argument(f"--{name.replace('_', '-')}", dest=name, default=argparse.SUPPRESS,
                           help=info.description, **_flag_options(info))


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


def _settings_from(args: argparse.Namespace) -> Settings:
    flags = {name: getattr(args, name) for name in Settings.model_fields if hasattr(args, name)}
    return load_settings(flags, args.config)


_KEY_FLAGS = ("--planner-api-key", "--grounder-api-key")


def _redacted(command: list[str], secrets: Secrets | None = None) -> list[str]:
    """The command line as recorded: API keys and `--secret NAME=value` values hidden."""
    shown: list[str] = []
    for arg in command:
        previous = shown[-1] if shown else ""
        if previous in _KEY_FLAGS:
            arg = "***"
        elif previous == "--secret" or arg.startswith("--secret="):
            arg = re.sub(r"=.*", "=***", arg)  # a bare NAME (value from elsewhere) stays
        elif arg.startswith(tuple(flag + "=" for flag in _KEY_FLAGS)):
            arg = arg.split("=", 1)[0] + "=***"
        shown.append(secrets.redact(arg) if secrets else arg)
    return shown


def _run(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.console import StepPrinter
    from agent.runner import start_run

    settings = _settings_from(args)
    secrets = Secrets.from_environment(parse_secret_flags(args.secret, sys.stdin.isatty()))
    printer = StepPrinter(verbose)
    handle = start_run(args.task, settings, secrets=secrets, on_step=printer.step)
    printer.pricing = handle.loop.limits.pricing
    _stop_on_sigterm()
    outcome = handle.run(args.task, _redacted(command, secrets))
    write_report_safely(handle.directory.path)
    printer.finish(outcome, handle.directory.path)
    return outcome.exit_code


def write_report_safely(run_dir: Path) -> None:
    """The run's report.html; a report that fails to render never changes how the run ended."""
    from agent.report import write_report

    try:
        write_report(run_dir)
    except Exception as exc:
        print(f"agent: warning: report.html was not written: {exc}", file=sys.stderr)


def _report(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.report import main_report

    return main_report(args.run_dir)


def _ground(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.grounding_cli import ground_command

    return ground_command(args, _settings_from(args))


def _eval_grounding(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.grounding_cli import eval_grounding_command

    return eval_grounding_command(args, _settings_from(args))


def _stop_on_sigterm() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
