"""Running a suite on any Fleet: tasks × trials into episodes, infrastructure retries,
results.jsonl as each episode ends, `--resume`, and index.html kept current."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.errors import UsageError
from agent.suites.episode import Episode, EpisodeResult, InfraError
from agent.suites.fleet import Fleet
from agent.suites.merge import episode_settings
from agent.suites.results import write_index
from agent.suites.suite import Suite, SuiteTask

__all__ = [
    "INFRA_ERROR",
    "MAX_INFRA_RETRIES",
    "RESULTS_FILE",
    "SuiteRun",
    "check_out",
    "default_out",
    "finished_keys",
    "plan_episodes",
    "read_results",
    "run_suite",
]

MAX_INFRA_RETRIES = 2
RESULTS_FILE = "results.jsonl"
INFRA_ERROR = "infra_error"
EPISODES_DIR = "episodes"

Key = tuple[str, int]  # (task id, trial)


@dataclass
class SuiteRun:
    """What a suite run knows while it runs and after: every result recorded in `out`."""

    suite: Suite
    out: Path
    planned: list[Key]
    results: dict[Key, EpisodeResult] = field(default_factory=dict)  # the latest per episode
    running: bool = True
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    ran_here: int = 0  # episodes that ended in this invocation (not read back by --resume)

    def elapsed_s(self) -> float:
        return (self.ended if self.ended is not None else time.monotonic()) - self.started

    def ordered(self) -> list[EpisodeResult]:
        return [self.results[key] for key in self.planned if key in self.results]


def default_out(suite: Suite, now: float | None = None) -> Path:
    """./evals/<suite>-<YYYYmmdd-HHMMSS>."""
    slug = re.sub(r"[^a-z0-9]+", "-", suite.name.lower()).strip("-") or "suite"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return Path("evals") / f"{slug}-{stamp}"


def read_results(out: Path) -> list[EpisodeResult]:
    """results.jsonl of an earlier run, in order; a torn last line (a killed eval) is left out."""
    path = out / RESULTS_FILE
    if not path.exists():
        return []
    results = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            results.append(EpisodeResult.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            if number == len(lines):
                continue
            raise UsageError(f"{path} line {number} is no episode result: "
                             f"{str(exc).splitlines()[0]}") from None
    return results


def finished_keys(results: Iterable[EpisodeResult]) -> set[Key]:
    """The episodes `--resume` skips: those recorded with a result (not an infra_error)."""
    return {(r.id, r.trial) for r in results if r.status != INFRA_ERROR}


def check_out(out: Path, resume: bool) -> None:
    """UsageError when `out` would mix two suite runs (results there, and no --resume)."""
    if not resume and (out / RESULTS_FILE).exists():
        raise UsageError(f"{out} already holds {RESULTS_FILE}: add --resume to continue that "
                         "run, or choose another --out")


def plan_episodes(suite: Suite, repeat: int) -> list[tuple[SuiteTask, int]]:
    """Each task `repeat` times, trials numbered from 1, task after task."""
    return [(task, trial) for task in suite.tasks for trial in range(1, repeat + 1)]


def run_suite(
    suite: Suite,
    fleet: Fleet,
    out: Path,
    *,
    base_settings: Mapping[str, Any],
    secrets: Mapping[str, str],
    repeat: int = 1,
    resume: bool = False,
    on_result: Callable[[SuiteRun, EpisodeResult], None] | None = None,
) -> SuiteRun:
    """Run every planned episode not finished yet; KeyboardInterrupt stops the fleet (what
    finished is in results.jsonl) and propagates."""
    try:
        check_out(out, resume)
    except UsageError:
        fleet.stop()
        raise
    plan = plan_episodes(suite, repeat)
    run = _open(suite, out, plan, resume)
    skip = finished_keys(run.results.values())
    retries: dict[Key, int] = {}
    write_index(run)
    try:
        for task, trial in plan:
            if (task.id, trial) not in skip:
                fleet.submit(_episode(suite, task, trial, out, base_settings, secrets))
        for episode, outcome in fleet.finished():
            key = (episode.task.id, episode.trial)
            if isinstance(outcome, InfraError) and retries.get(key, 0) < MAX_INFRA_RETRIES:
                retries[key] = retries.get(key, 0) + 1
                fleet.submit(_episode(suite, episode.task, episode.trial, out, base_settings,
                                      secrets))
                continue
            result = _final(episode, outcome, retries.get(key, 0))
            _record(run, result)
            if on_result is not None:
                on_result(run, result)
    except BaseException:
        fleet.stop()
        _finish(run)
        raise
    fleet.stop()
    _finish(run)
    return run


def _open(suite: Suite, out: Path, plan: list[tuple[SuiteTask, int]], resume: bool) -> SuiteRun:
    """The suite run in `out`: new, or (resume) with the results recorded there."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULTS_FILE
    path.touch()  # from now on this folder is a suite run: --resume continues it
    run = SuiteRun(suite, out, [(task.id, trial) for task, trial in plan])
    if resume:
        for result in read_results(out):
            run.results[(result.id, result.trial)] = result
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):  # a line torn by a killed eval: drop it
            with open(path, "r+b") as stream:
                stream.truncate(data.rfind(b"\n") + 1)
    return run


def _finish(run: SuiteRun) -> None:
    run.running, run.ended = False, time.monotonic()
    write_index(run)


def _episode(suite: Suite, task: SuiteTask, trial: int, out: Path,
             base: Mapping[str, Any], secrets: Mapping[str, str]) -> Episode:
    return Episode(suite=suite.name, folder=suite.folder, task=task, trial=trial,
                   screen=suite.screen, settings=episode_settings(base, suite, task),
                   secrets=dict(secrets), episode_dir=_fresh_dir(out, task.id, trial))


def _fresh_dir(out: Path, task_id: str, trial: int) -> Path:
    """out/episodes/<id>/trial-<n>/attempt-<k>: a new folder per attempt, also on --resume."""
    trial_dir = (out / EPISODES_DIR / task_id / f"trial-{trial}").resolve()
    attempt = 1
    while (trial_dir / f"attempt-{attempt}").exists():
        attempt += 1
    path = trial_dir / f"attempt-{attempt}"
    path.mkdir(parents=True)
    return path


def _final(episode: Episode, outcome: EpisodeResult | InfraError, retries: int) -> EpisodeResult:
    if isinstance(outcome, InfraError):
        return EpisodeResult(id=episode.task.id, trial=episode.trial, status=INFRA_ERROR,
                             success=False, steps=0, tokens=0, cost_usd=None, wall_s=0.0,
                             infra_retries=retries, run_dir=None, error=str(outcome))
    return outcome.model_copy(update={"infra_retries": retries})


def _record(run: SuiteRun, result: EpisodeResult) -> None:
    """Append the result to results.jsonl (flushed and synced: a crash keeps it), then update
    index.html."""
    with open(run.out / RESULTS_FILE, "a", encoding="utf-8") as stream:
        stream.write(result.model_dump_json() + "\n")
        stream.flush()
        os.fsync(stream.fileno())
    run.results[(result.id, result.trial)] = result
    run.ran_here += 1
    write_index(run)
