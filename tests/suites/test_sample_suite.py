"""The sample suite (examples/tasks) through the real CLI, with the scripted task planner over
HTTP and the offline ocr grounder: every task passes its check except the two that must fail,
locally with --workers 3 and on a local Ray instance (--ray auto) that the eval starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.testing.fake_server import FakeChatServer
from agent.testing.task_planner import task_planner
from tests.gui import clean_env, need
from tests.paths import ROOT
from tests.xvfb import xvfb_available

pytestmark = pytest.mark.gui

EXAMPLE = ROOT / "examples" / "tasks"
SUITE = EXAMPLE / "suite.yaml"
SECRET = "correct-horse-battery"
TASKS: list[dict[str, Any]] = yaml.safe_load(SUITE.read_text(encoding="utf-8"))["tasks"]
MUST_FAIL = {task["id"] for task in TASKS if "must-fail" in task.get("tags", [])}


@pytest.fixture(scope="module")
def planner() -> Iterator[FakeChatServer]:
    need(xvfb_available(), "Xvfb is not installed (apt install xvfb)")
    with task_planner(EXAMPLE / "replies.yaml") as server:
        yield server


def run_eval(out: Path, planner: FakeChatServer, *extra: str) -> subprocess.CompletedProcess[str]:
    # No venv on PATH: the suite's `python3 apps/…` finds planground's interpreter (episode.py).
    env = clean_env(os.environ, OMP_THREAD_LIMIT="1")
    env.pop("DISPLAY", None)  # episodes never use the caller's display
    env.pop("RAY_ADDRESS", None)  # --ray auto: a local instance, started by the eval
    command = [sys.executable, "-m", "agent", "eval", "tasks", str(SUITE), "--out", str(out),
               "--planner-base-url", planner.base_url, "--secret", f"PASSWORD={SECRET}",
               "--json", *extra]
    return subprocess.run(command, env=env, cwd=out.parent, capture_output=True, text=True,
                          timeout=420, check=False)


def episode_processes(out: Path) -> list[int]:
    marker = f"EPISODE_DIR={out}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/environ").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


def check_sample_run(out: Path, completed: subprocess.CompletedProcess[str]) -> None:
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    by_id = {r["id"]: r for r in results}
    assert sorted(by_id) == sorted(task["id"] for task in TASKS) and len(results) == len(TASKS)
    wrong = {i: r for i, r in by_id.items() if r["success"] == (i in MUST_FAIL)}
    assert not wrong, f"unexpected outcomes: {wrong}"
    assert all(r["infra_retries"] == 0 for r in results)
    assert by_id["book-atlantis"]["status"] == "failed"  # the agent gave up
    assert by_id["book-without-search"]["status"] == "done"  # said done; the check disagrees
    # the apps' own accounts
    episodes = out / "episodes"
    tokyo = json.loads((episodes / "book-tokyo/trial-1/attempt-1/state.json").read_text())
    assert tokyo["booked"] and tokyo["fields"]["Passenger"] == "Ada Lovelace"
    signup = json.loads((episodes / "signup-newsletter/trial-1/attempt-1/state.json").read_text())
    assert signup["submitted"]["newsletter"] is True and signup["terms"] is True
    # every episode's run record and report; index.html links each report
    index = (out / "index.html").read_text(encoding="utf-8")
    for result in results:
        run_dir = Path(result["run_dir"])
        assert (run_dir / "report.html").is_file()
        assert f'{run_dir.relative_to(out)}/report.html' in index
    # the secret reached the app (signup-secret's check) but no record, log or report
    for file in out.rglob("*"):
        if file.is_file() and file.suffix in (".json", ".jsonl", ".html", ".log"):
            assert SECRET not in file.read_text(encoding="utf-8", errors="replace"), file
    summary = json.loads(completed.stdout)
    assert summary["successes"] == len(TASKS) - len(MUST_FAIL)
    assert summary["tags"]["must-fail"]["successes"] == 0
    assert not episode_processes(out)


def test_the_sample_suite_passes_with_three_local_workers(
    tmp_path: Path, planner: FakeChatServer
) -> None:
    out = tmp_path / "local"
    check_sample_run(out, run_eval(out, planner, "--workers", "3"))


def test_the_sample_suite_passes_on_a_local_ray_instance(
    tmp_path: Path, planner: FakeChatServer
) -> None:
    out = tmp_path / "ray"
    check_sample_run(out, run_eval(out, planner, "--ray", "auto", "--workers", "3"))
