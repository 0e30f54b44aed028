"""A suite run's results: the summary (stdout and `--json`) and DIR/index.html."""

from __future__ import annotations

import html
import math
import os
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.suites.episode import EpisodeResult
    from agent.suites.runner import SuiteRun

__all__ = ["format_summary", "summarize", "wilson_interval", "write_index"]

INFRA_ERROR = "infra_error"
INDEX_FILE = "index.html"
REFRESH_S = 5
Z_95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a success rate (95% by default); None when n is 0."""
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the ends, where
    high = 1.0 if successes == n else min(1.0, centre + half)  # rounding would miss them
    return low, high


def _rate(results: Sequence[EpisodeResult]) -> dict[str, Any]:
    ran = [r for r in results if r.status != INFRA_ERROR]
    successes = sum(r.success for r in ran)
    interval = wilson_interval(successes, len(ran))
    return {"episodes": len(ran), "successes": successes,
            "success_rate": successes / len(ran) if ran else None,
            "ci95": list(interval) if interval else None}


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(run: SuiteRun) -> dict[str, Any]:
    """The summary as one JSON-ready object. Rates count the episodes that ran; an episode whose
    infrastructure kept failing counts under infra_errors instead."""
    results = run.ordered()
    ran = [r for r in results if r.status != INFRA_ERROR]
    tags = {task.id: task.tags for task in run.suite.tasks}
    by_tag: dict[str, list[EpisodeResult]] = {}
    for result in results:
        for tag in tags.get(result.id, []):
            by_tag.setdefault(tag, []).append(result)
    by_task: dict[str, list[EpisodeResult]] = {}
    for result in ran:
        by_task.setdefault(result.id, []).append(result)
    costs = [r.cost_usd for r in ran if r.cost_usd is not None]
    return {
        "suite": run.suite.name,
        "out": str(run.out),
        "planned": len(run.planned),
        "finished": len(results),
        **_rate(results),
        "pass_at_k": (sum(any(r.success for r in rs) for rs in by_task.values()) / len(by_task)
                      if by_task else None),
        "tags": {tag: _rate(rs) for tag, rs in sorted(by_tag.items())},
        "mean_steps": _mean([r.steps for r in ran]),
        "mean_tokens": _mean([r.tokens for r in ran]),
        "mean_cost_usd": _mean(costs),
        "mean_wall_s": _mean([r.wall_s for r in ran]),
        "total_tokens": sum(r.tokens for r in ran),
        "total_cost_usd": sum(costs) if costs else None,
        "statuses": dict(Counter(r.status for r in results)),
        "tasks": {task: {"trials": len(rs), "successes": sum(r.success for r in rs)}
                  for task, rs in by_task.items()},
        "elapsed_s": round(run.elapsed_s(), 3),
        "episodes_per_minute": (round(60 * run.ran_here / run.elapsed_s(), 3)
                                if run.ran_here and run.elapsed_s() > 0 else None),
        "infra_errors": len(results) - len(ran),
        "infra_retries": sum(r.infra_retries for r in results),
        "model_server_failures": sum(r.exit_code == 3 for r in results),
    }


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _interval(ci: list[float] | None) -> str:
    return "-" if ci is None else f"[{_percent(ci[0])}, {_percent(ci[1])}]"


def _number(value: float | None, digits: int = 1, prefix: str = "") -> str:
    return "-" if value is None else f"{prefix}{value:.{digits}f}"


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as a short table for the terminal."""
    lines = [
        f"suite {summary['suite']}: {summary['finished']} of {summary['planned']} episodes "
        f"finished, {summary['infra_errors']} infrastructure failures "
        f"({summary['infra_retries']} retries)",
        f"{'':<14}{'episodes':>9}{'success':>9}{'rate':>8}  95% interval (Wilson)",
        _row("all", summary),
    ]
    lines += [_row(f"#{tag}", rate) for tag, rate in summary["tags"].items()]
    lines.append(
        f"per episode: {_number(summary['mean_steps'])} steps, "
        f"{_number(summary['mean_tokens'], 0)} tokens, "
        f"{_number(summary['mean_cost_usd'], 4, '$')}, {_number(summary['mean_wall_s'])} s")
    if any(task["trials"] > 1 for task in summary["tasks"].values()):  # --repeat
        lines.append(f"tasks solved at least once: {_percent(summary['pass_at_k'])}")
    if summary["episodes_per_minute"] is not None:
        lines.append(f"this run: {summary['elapsed_s']:.1f} s, "
                     f"{summary['episodes_per_minute']:.2f} episodes per minute")
    out = Path(summary["out"])
    lines.append(f"results: {out / 'results.jsonl'}  report: {out / INDEX_FILE}")
    return "\n".join(lines)


def _row(name: str, rate: dict[str, Any]) -> str:
    return (f"{name[:14]:<14}{rate['episodes']:>9}{rate['successes']:>9}"
            f"{_percent(rate['success_rate']):>8}  {_interval(rate['ci95'])}")


# --------------------------------------------------------------------------- index.html

_STYLE = """body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}
td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}
.ok{color:#16794c}.bad{color:#b42318}.infra{color:#8a6100}progress{width:20em}"""


def write_index(run: SuiteRun) -> None:
    """DIR/index.html: every episode with its outcome and a link to its report.html; while the
    suite runs, a progress bar and a refresh every few seconds. Written atomically."""
    results = run.ordered()
    summary = summarize(run)
    esc = html.escape
    head = [f"<title>{esc(run.suite.name)}: suite results</title>", f"<style>{_STYLE}</style>"]
    if run.running:
        head.insert(0, f'<meta http-equiv="refresh" content="{REFRESH_S}">')
    body = [
        f"<h1>Suite {esc(run.suite.name)}</h1>",
        f'<p><progress value="{len(results)}" max="{len(run.planned)}"></progress> '
        f"{len(results)} of {len(run.planned)} episodes finished"
        f"{' (running)' if run.running else ''}</p>",
        f"<p>Success: {summary['successes']} of {summary['episodes']} "
        f"({esc(_percent(summary['success_rate']))}, 95% interval "
        f"{esc(_interval(summary['ci95']))}); infrastructure failures: "
        f"{summary['infra_errors']}</p>",
        "<table><tr><th>task</th><th>trial</th><th>outcome</th><th>status</th><th>steps</th>"
        "<th>tokens</th><th>cost</th><th>seconds</th><th>infra retries</th><th>report</th>"
        "<th>error</th></tr>",
        *(_index_row(run.out, r) for r in results),
        "</table>",
    ]
    page = ("<!doctype html>\n<html><head><meta charset=\"utf-8\">" + "".join(head)
            + "</head><body>" + "\n".join(body) + "</body></html>\n")
    target = run.out / INDEX_FILE
    temporary = target.with_name(f".{INDEX_FILE}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, target)


def _index_row(out: Path, result: EpisodeResult) -> str:
    esc = html.escape
    if result.status == INFRA_ERROR:
        outcome, css = "infrastructure failure", "infra"
    else:
        outcome, css = ("success", "ok") if result.success else ("failure", "bad")
    report = "-"
    if result.run_dir:
        path = Path(result.run_dir) / "report.html"
        link = os.path.relpath(path, out.resolve()) if path.is_absolute() else str(path)
        report = f'<a href="{esc(urllib.parse.quote(link))}">report</a>'
    cost = "-" if result.cost_usd is None else f"${result.cost_usd:.4f}"
    cells = [esc(result.id), str(result.trial), f'<span class="{css}">{outcome}</span>',
             esc(result.status), str(result.steps), str(result.tokens), esc(cost),
             f"{result.wall_s:.1f}", str(result.infra_retries), report, esc(result.error or "")]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
