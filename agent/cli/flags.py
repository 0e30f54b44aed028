"""The parts every subcommand's parser is made of, and which settings each subcommand takes.

Light on purpose: `agent --help` and `agent --version` import this and argparse, nothing more. A
subcommand's own arguments are added when that subcommand is parsed or its help is shown, so the
settings (pydantic) are loaded only then.
"""

from __future__ import annotations

import argparse
import json
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

__all__ = [
    "DEMO_SETTINGS",
    "EXIT_USAGE",
    "GROUNDER_SETTINGS",
    "GROUND_SETTINGS",
    "SCRIPTED_SETTINGS",
    "Commands",
    "Parser",
    "add_secret_flag",
    "add_settings",
    "add_verbosity",
    "at_least_one",
]

EXIT_USAGE = 2

# The settings each subcommand takes as flags; `agent run` takes them all.
GROUNDER_SETTINGS = ("grounder", "grounder_model", "grounder_base_url", "grounder_api_key",
                     "refine", "refine_window", "ocr_engine", "min_pixels", "max_pixels",
                     "timeout")
"""`agent eval grounding`."""
GROUND_SETTINGS = (*GROUNDER_SETTINGS, "monitor")
"""`agent ground`."""
SCRIPTED_SETTINGS = (
    *GROUND_SETTINGS, "runs_dir", "dry_run", "approve", "risk", "max_time", "settle_timeout",
    "kill_hotkey", "pause_hotkey", "on_takeover", "verify",
)
"""`agent script` and `agent replay` (no planner: none of its settings)."""
DEMO_SETTINGS = ("runs_dir", "ocr_engine", "kill_hotkey", "pause_hotkey", "settle_timeout")
"""`agent demo`."""


class Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr (CONTRACTS §2), not the usage; and
    `arguments` (a function adding this parser's arguments) is called on first use only."""

    def __init__(self, *args: Any, arguments: Callable[[Parser], None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._arguments = arguments

    def _complete(self) -> None:
        if self._arguments is not None:
            add, self._arguments = self._arguments, None
            add(self)

    def parse_known_args(  # type: ignore[override]  # typeshed overloads it; same behaviour
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._complete()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._complete()
        return super().format_usage()

    def format_help(self) -> str:
        self._complete()
        return super().format_help()

    def error(self, message: str) -> typing.NoReturn:
        self.exit(EXIT_USAGE, f"agent: {message} (see {self.prog} --help)\n")


if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[Parser]
else:
    Commands = argparse._SubParsersAction


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    default = argparse.SUPPRESS if parser.prog != "agent" else 0
    parser.add_argument("-v", "--verbose", action="count", default=default,
                        help="more output (tracebacks on errors)")
    parser.add_argument("-q", "--quiet", action="count", default=default,
                        help="less output (no per-step lines)")


def add_secret_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--secret", action="append", default=[], metavar="NAME[=VALUE]",
                        help="a secret typed as {{NAME}} without being shown or recorded; the "
                             "value comes from NAME=VALUE, AGENT_SECRET_NAME, or a hidden prompt")


def add_settings(parser: argparse.ArgumentParser, names: Sequence[str] | None = None,
                 *, exclude: Sequence[str] = ()) -> None:
    """`--config` and a flag per setting in `names` (all when None) but those in `exclude`,
    with the field's description as its help."""
    from agent.settings import Settings

    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="TOML file of settings (default: ./agent.toml when present)")
    group = parser.add_argument_group("settings (each also AGENT_<NAME> and a TOML key)")
    for name, info in Settings.model_fields.items():
        if (names is not None and name not in names) or name in exclude:
            continue
        group.add_argument(f"--{name.replace('_', '-')}", dest=name, default=argparse.SUPPRESS,
                           help=info.description, **_flag_options(info))


def at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _flag_options(info: FieldInfo) -> dict[str, Any]:
    from pydantic import SecretStr

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
