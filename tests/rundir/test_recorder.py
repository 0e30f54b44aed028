"""RunDirectory (CONTRACTS §6): name, privacy, atomic run.json, one flushed line per step."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.records import RunRecord, StepRecord
from agent.rundir.recorder import RunDirectory, slugify

WHEN = dt.datetime(2025, 3, 4, 5, 6, 7)


def run_record(**update: object) -> RunRecord:
    return RunRecord(task="Book a flight", command=["agent", "run", "Book a flight"],
                     settings={"max_steps": 3}, started_at="2025-03-04T05:06:07+00:00",
                     **update)  # type: ignore[arg-type]


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_directory_is_named_by_time_and_task_slug(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path / "runs", "Book a flight to Tokyo!", WHEN)
    assert directory.path == tmp_path / "runs" / "20250304-050607-book-a-flight-to-tokyo"
    assert directory.path.is_dir()


def test_the_default_name_uses_the_current_time(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "open settings")
    assert re.fullmatch(r"\d{8}-\d{6}-open-settings", directory.path.name)


def test_a_taken_name_gets_a_numeric_suffix(tmp_path: Path) -> None:
    names = [RunDirectory.create(tmp_path, "same task", WHEN).path.name for _ in range(3)]
    assert names == ["20250304-050607-same-task", "20250304-050607-same-task-2",
                     "20250304-050607-same-task-3"]


@pytest.mark.parametrize("task, slug", [
    ("Book a flight to Tokyo!", "book-a-flight-to-tokyo"),
    ("  Zürich → Genève  ", "zurich-geneve"),
    ("東京", "task"),
    ("", "task"),
    ("a" * 100, "a" * 40),
    ("word " * 20, "word-word-word-word-word-word-word-word"),
])
def test_slugify(task: str, slug: str) -> None:
    assert slugify(task) == slug


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077, 0o777])
def test_the_directory_is_private_whatever_the_umask(
    tmp_path: Path, umask: None, mask: int
) -> None:
    os.umask(mask)  # tmp_path exists already: only the run directory is made under this mask
    directory = RunDirectory.create(tmp_path, "secret task", WHEN)
    assert mode(directory.path) == 0o700
    directory.start(run_record())
    directory.screenshot(1, b"png")
    directory.attachment("preview-0001.png", b"png")
    directory.finish(run_record())
    files = {path.name: mode(path) for path in directory.path.iterdir()}
    assert set(files) == {"run.json", "steps.jsonl", "step-0001.png", "preview-0001.png"}
    assert set(files.values()) == {0o600}, files


def test_run_json_is_written_at_start_and_replaced_at_finish(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "Book a flight", WHEN)
    directory.start(run_record())
    started = json.loads((directory.path / "run.json").read_text())
    assert started["status"] == "running" and started["task"] == "Book a flight"
    assert started["schema_version"] == 1
    inode = (directory.path / "run.json").stat().st_ino

    directory.finish(run_record(status="done", answer="flight booked", steps=2,
                                ended_at="2025-03-04T05:07:00+00:00"))
    finished = json.loads((directory.path / "run.json").read_text())
    assert (finished["status"], finished["answer"], finished["steps"]) == ("done", "flight booked",
                                                                           2)
    assert (directory.path / "run.json").stat().st_ino != inode  # a new file renamed over
    assert [p.name for p in directory.path.iterdir() if p.name.startswith(".")] == []


def test_run_json_replacement_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = RunDirectory.create(tmp_path, "task", WHEN)
    directory.start(run_record())
    seen: list[str] = []
    real_replace = os.replace

    def replace(src: str, dst: Path) -> None:
        # just before the rename, the old run.json is still whole and the new one is complete
        seen.append(json.loads(Path(dst).read_text())["status"])
        seen.append(json.loads(Path(src).read_text())["status"])
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    directory.finish(run_record(status="failed", reason="max_steps"))
    assert seen == ["running", "failed"]


def test_each_step_is_one_json_line_readable_before_the_run_finishes(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "task", WHEN)
    directory.start(run_record())
    steps = directory.path / "steps.jsonl"

    directory.step(StepRecord(index=1, instruction="Click OK", action={"name": "click",
                                                                      "target": "OK"}))
    lines = steps.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    first = json.loads(lines[0])
    assert first["index"] == 1 and first["action"] == {"name": "click", "target": "OK"}
    assert first["schema_version"] == 1 and first["status"] == "ok"

    directory.step(StepRecord(index=2, status="error", error="no target"))
    lines = steps.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["index"] for line in lines] == [1, 2]
    assert json.loads(lines[1])["error"] == "no target"
    directory.finish(run_record(status="done"))


def test_step_records_have_every_contract_field(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "task", WHEN)
    directory.step(StepRecord(index=1))
    directory.finish(run_record())
    line = json.loads((directory.path / "steps.jsonl").read_text())
    assert {"schema_version", "index", "observation", "thought", "instruction", "action",
            "grounding", "approval", "status", "error", "timings_ms", "usage"} <= set(line)
    assert set(line["timings_ms"]) == {"capture", "plan", "ground", "approve", "execute",
                                       "settle"}
    assert set(line["usage"]) == {"planner", "grounder"}
    assert set(line["usage"]["planner"]) == {"prompt_tokens", "completion_tokens",
                                             "cached_tokens"}


def test_screenshots_are_saved_by_step_number(tmp_path: Path) -> None:
    directory = RunDirectory.create(tmp_path, "task", WHEN)
    directory.screenshot(1, b"\x89PNG first")
    directory.screenshot(12, b"\x89PNG twelfth")
    assert (directory.path / "step-0001.png").read_bytes() == b"\x89PNG first"
    assert (directory.path / "step-0012.png").read_bytes() == b"\x89PNG twelfth"
    directory.finish(run_record())
