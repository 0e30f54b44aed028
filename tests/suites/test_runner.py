"""The runner's bookkeeping on a scripted in-memory Fleet: retries, results.jsonl, --resume,
stopping; and the summary's numbers (Wilson interval) and index.html."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.errors import UsageError
from agent.suites.episode import Episode, EpisodeResult, InfraError
from agent.suites.fleet import Attempt
from agent.suites.results import format_summary, summarize, wilson_interval
from agent.suites.runner import (
    MAX_INFRA_RETRIES,
    SuiteRun,
    finished_keys,
    read_results,
    run_suite,
)
from agent.suites.suite import Suite, SuiteTask

Outcome = Callable[[Episode], EpisodeResult | InfraError]


class ScriptedFleet:
    """Runs nothing: each submitted episode ends at once with `outcome(episode)`."""

    def __init__(self, outcome: Outcome, interrupt_after: int | None = None) -> None:
        self.outcome = outcome
        self.submitted: list[Episode] = []
        self.queue: list[Episode] = []
        self.stopped = 0
        self.interrupt_after = interrupt_after

    def submit(self, episode: Episode) -> None:
        self.submitted.append(episode)
        self.queue.append(episode)

    def finished(self) -> Iterator[Attempt]:
        ended = 0
        while self.queue:
            if self.interrupt_after is not None and ended == self.interrupt_after:
                raise KeyboardInterrupt
            episode = self.queue.pop(0)
            ended += 1
            yield episode, self.outcome(episode)

    def stop(self) -> None:
        self.stopped += 1


def result(episode: Episode, success: bool = True, status: str = "done") -> EpisodeResult:
    return EpisodeResult(id=episode.task.id, trial=episode.trial, status=status,
                         success=success, steps=3, tokens=100, cost_usd=0.01, wall_s=2.0,
                         infra_retries=0, run_dir=str(episode.episode_dir / "runs" / "r"))


def make_suite(tmp_path: Path, *ids: str) -> Suite:
    tasks = [SuiteTask(id=i, task=f"do {i}", check="true", tags=["t"] if i == "a" else [])
             for i in ids]
    return Suite(name="demo <suite>", tasks=tasks, folder=tmp_path)


def run(suite: Suite, fleet: ScriptedFleet, out: Path, **kw: Any) -> SuiteRun:
    return run_suite(suite, fleet, out, base_settings={}, secrets={}, **kw)


def lines(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def test_infra_failures_are_retried_twice_then_reported(tmp_path: Path) -> None:
    attempts: dict[str, int] = {}

    def outcome(episode: Episode) -> EpisodeResult | InfraError:
        attempts[episode.task.id] = attempts.get(episode.task.id, 0) + 1
        if episode.task.id == "flaky" and attempts["flaky"] == 1:
            return InfraError("worker lost")
        if episode.task.id == "broken":
            return InfraError("setup never became ready: x")
        return result(episode, success=episode.task.id != "fails", status="done")

    out = tmp_path / "out"
    fleet = ScriptedFleet(outcome)
    pages: list[str] = []
    run(make_suite(tmp_path, "flaky", "broken", "fails"), fleet, out,
        on_result=lambda *_: pages.append((out / "index.html").read_text()))
    assert len(pages) == 3  # rewritten as each episode ends, refreshing while running
    assert all('http-equiv="refresh"' in page for page in pages)
    assert '<progress value="1" max="3">' in pages[0]
    assert '<progress value="3" max="3">' in pages[2]
    assert attempts == {"flaky": 2, "broken": 1 + MAX_INFRA_RETRIES, "fails": 1}
    recorded = {line["id"]: line for line in lines(out)}
    assert recorded["flaky"]["success"] is True and recorded["flaky"]["infra_retries"] == 1
    assert recorded["broken"]["status"] == "infra_error"
    assert recorded["broken"]["infra_retries"] == 2
    assert recorded["broken"]["error"] == "setup never became ready: x"
    assert recorded["fails"]["success"] is False and recorded["fails"]["infra_retries"] == 0
    # every attempt had a fresh folder
    dirs = [e.episode_dir for e in fleet.submitted]
    assert len(set(dirs)) == len(dirs) == 6
    assert fleet.stopped >= 1
    index = (out / "index.html").read_text()
    assert "demo &lt;suite&gt;" in index and "<suite>" not in index
    assert 'http-equiv="refresh"' not in index  # finished: no more refreshing


def test_repeat_and_resume_skip_what_finished(tmp_path: Path) -> None:
    out = tmp_path / "out"
    suite = make_suite(tmp_path, "a", "b")
    first = ScriptedFleet(lambda e: result(e), interrupt_after=3)
    with pytest.raises(KeyboardInterrupt):
        run(suite, first, out, repeat=2)
    assert first.stopped == 1
    assert [(line["id"], line["trial"]) for line in lines(out)] == [("a", 1), ("a", 2), ("b", 1)]
    assert 'http-equiv="refresh"' not in (out / "index.html").read_text()

    with pytest.raises(UsageError, match="--resume"):
        run(suite, ScriptedFleet(lambda e: result(e)), out, repeat=2)

    second = ScriptedFleet(lambda e: result(e))
    done = run(suite, second, out, repeat=2, resume=True)
    assert [(e.task.id, e.trial) for e in second.submitted] == [("b", 2)]
    assert len(lines(out)) == 4
    # the stopped run had made (b, 2) its folder: the resumed attempt gets a fresh one
    assert second.submitted[0].episode_dir.name == "attempt-2"
    summary = summarize(done)
    assert summary["finished"] == 4 and summary["tasks"]["a"] == {"trials": 2, "successes": 2}
    assert "tasks solved at least once: 100.0%" in format_summary(summary)


def test_resume_reruns_infra_errors_and_ignores_a_torn_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    good = {"id": "a", "trial": 1, "status": "failed", "success": False, "steps": 1,
            "tokens": 5, "cost_usd": None, "wall_s": 1.0, "infra_retries": 0, "run_dir": None}
    infra = {**good, "id": "b", "status": "infra_error", "infra_retries": 2}
    (out / "results.jsonl").write_text(
        json.dumps(good) + "\n" + json.dumps(infra) + "\n" + '{"id": "c", "tri')
    assert finished_keys(read_results(out)) == {("a", 1)}
    fleet = ScriptedFleet(lambda e: result(e))
    run(make_suite(tmp_path, "a", "b", "c"), fleet, out, resume=True)
    assert sorted(e.task.id for e in fleet.submitted) == ["b", "c"]
    # the torn line is gone, the new results follow whole lines
    assert [(line["id"], line["status"]) for line in lines(out)] == [
        ("a", "failed"), ("b", "infra_error"), ("b", "done"), ("c", "done")]


def test_wilson_interval_matches_known_values() -> None:
    low, high = wilson_interval(7, 10)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.3968, 0.8922)
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(10, 10)  # type: ignore[misc]
    assert high == 1.0 and round(low, 4) == 0.7225
    low, high = wilson_interval(0, 5)  # type: ignore[misc]
    assert low == 0.0 and round(high, 4) == 0.4345


def test_summary_counts_tags_and_leaves_infra_failures_out_of_the_rate(tmp_path: Path) -> None:
    def outcome(episode: Episode) -> EpisodeResult | InfraError:
        if episode.task.id == "c":
            return InfraError("node lost")
        return result(episode, success=episode.task.id == "a")

    out = tmp_path / "out"
    summary = summarize(run(make_suite(tmp_path, "a", "b", "c"), ScriptedFleet(outcome), out))
    assert summary["episodes"] == 2 and summary["successes"] == 1
    assert summary["success_rate"] == 0.5
    assert summary["infra_errors"] == 1 and summary["infra_retries"] == 2
    assert summary["tags"]["t"]["episodes"] == 1 and summary["tags"]["t"]["successes"] == 1
    assert summary["mean_steps"] == 3 and summary["mean_tokens"] == 100
    assert summary["total_cost_usd"] == pytest.approx(0.02)
    assert summary["tasks"] == {"a": {"trials": 1, "successes": 1},
                                "b": {"trials": 1, "successes": 0}}
    assert summary["pass_at_k"] == 0.5
    assert summary["episodes_per_minute"] > 0 and summary["elapsed_s"] >= 0
    json.dumps(summary)  # --json prints it as is
    text = format_summary(summary)
    assert "50.0%" in text and "[9.5%, 90.5%]" in text and "#t" in text
    index = (out / "index.html").read_text()
    assert index.count("<tr>") == 4  # header + three episodes
    assert 'href="episodes/a/trial-1/attempt-1/runs/r/report.html"' in index
