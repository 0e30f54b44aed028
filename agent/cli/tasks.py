"""`agent eval tasks SUITE.yaml` (CONTRACTS §11): run a task suite, locally or on Ray.

Light at import (argparse only): the suite machinery is loaded when the subcommand runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from agent.cli.flags import Parser, add_secret_flag, add_settings, add_verbosity, at_least_one

if TYPE_CHECKING:
    from agent.suites.episode import EpisodeResult
    from agent.suites.fleet import Fleet
    from agent.suites.runner import SuiteRun
    from agent.suites.suite import Suite

__all__ = ["tasks_arguments", "tasks_command"]

EXIT_MODEL_SERVER = 3
RAY_HINT = "pip install 'planground[ray]'"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def tasks_arguments(tasks: Parser) -> None:
    tasks.add_argument("suite", type=Path, metavar="SUITE.yaml")
    tasks.add_argument("--workers", type=at_least_one, metavar="N",
                       help="episodes at once, each on its own display (default 1; with --ray: "
                            "as many as the cluster runs)")
    tasks.add_argument("--ray", metavar="auto|ADDRESS",
                       help="run each episode as a Ray task: auto (a running cluster, else a "
                            f"local instance) or a cluster's address ({RAY_HINT})")
    tasks.add_argument("--repeat", type=at_least_one, default=1, metavar="K",
                       help="run each task K times (default 1)")
    tasks.add_argument("--resume", action="store_true",
                       help="continue the suite run in --out, skipping finished episodes")
    tasks.add_argument("--out", type=Path, metavar="DIR",
                       help="where results.jsonl, index.html and the episodes (with their "
                            "runs) go (default ./evals/<suite>-<time>)")
    tasks.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_secret_flag(tasks)
    add_settings(tasks, exclude=("runs_dir",))  # an episode's runs go in its folder
    add_verbosity(tasks)
    tasks.set_defaults(handler=tasks_command)


def tasks_command(args: argparse.Namespace, command: list[str], verbose: int) -> int:
    from agent.cli.common import settings_from
    from agent.errors import UsageError
    from agent.suites.merge import given_values, validate_all
    from agent.suites.runner import check_out, default_out, run_suite
    from agent.suites.suite import load_suite

    suite = load_suite(args.suite)
    base = given_values(settings_from(args))
    validate_all(base, suite, args.suite)
    if args.resume and args.out is None:
        raise UsageError("--resume needs --out DIR: the folder of the suite run to continue")
    secrets = _secrets(args)
    out: Path = args.out if args.out is not None else default_out(suite)
    check_out(out, args.resume)  # before a fleet (maybe a Ray instance) is started
    fleet = _fleet(args)
    previous = {sig: signal.signal(sig, _interrupt) for sig in STOP_SIGNALS}
    try:
        run = run_suite(suite, fleet, out, base_settings=base, secrets=secrets,
                        repeat=args.repeat, resume=args.resume,
                        on_result=_progress if verbose >= 0 and not args.json else None)
    except KeyboardInterrupt:
        _print_summary(_recorded(suite, out, args.repeat), args.json)
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    summary = _print_summary(run, args.json)
    failures = summary["model_server_failures"]
    if failures:
        print(f"agent: a model server failed in {failures} episode(s): see "
              f"{out / 'results.jsonl'}", file=sys.stderr)
        return EXIT_MODEL_SERVER
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl+C or SIGTERM: stop the suite. Further ones are ignored, so that the teardown of
    running episodes (killing their apps, agents and displays) is not cut short."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt


def _secrets(args: argparse.Namespace) -> dict[str, str]:
    """--secret flags and AGENT_SECRET_* variables, by name: each episode's run gets them."""
    from agent.safety.secrets import ENV_PREFIX, parse_secret_flags

    interactive = sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty()
    found = {key[len(ENV_PREFIX):].upper(): value for key, value in os.environ.items()
             if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX) and value}
    return {**found, **parse_secret_flags(args.secret, interactive)}


def _fleet(args: argparse.Namespace) -> Fleet:
    from agent.errors import UsageError
    from agent.suites.fleet import LocalFleet

    if args.ray is None:
        return LocalFleet(args.workers or 1)
    try:  # imported by name: the module needs the ray extra
        ray_fleet = importlib.import_module("agent.suites.ray_fleet")
        fleet: Fleet = ray_fleet.RayFleet(args.ray, args.workers)
    except ImportError:
        raise UsageError(f"--ray needs Ray, which is not installed: {RAY_HINT}") from None
    return fleet


def _progress(run: SuiteRun, result: EpisodeResult) -> None:
    if result.status == "infra_error":
        outcome = f"infrastructure failure after {result.infra_retries} retries: {result.error}"
    else:
        outcome = ("success" if result.success else "failure") + (
            f" ({result.status}, {result.steps} steps, {result.wall_s:.1f} s"
            + (f", {result.infra_retries} infra retries" if result.infra_retries else "") + ")")
    print(f"[{len(run.results)}/{len(run.planned)}] {result.id} #{result.trial}: {outcome}",
          file=sys.stderr, flush=True)


def _recorded(suite: Suite, out: Path, repeat: int) -> SuiteRun:
    """The suite run as results.jsonl records it (after a stop)."""
    from agent.suites.runner import SuiteRun, plan_episodes, read_results

    run = SuiteRun(suite, out, [(task.id, trial) for task, trial in plan_episodes(suite, repeat)],
                   running=False)
    for result in read_results(out):
        run.results[(result.id, result.trial)] = result
    return run


def _print_summary(run: SuiteRun, as_json: bool) -> dict[str, Any]:
    from agent.suites.results import format_summary, summarize

    summary = summarize(run)
    print(json.dumps(summary) if as_json else format_summary(summary), flush=True)
    return summary
