"""agent/rundir/reader.py: the one reader of run directories (report, replay, export use it)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from agent.errors import UsageError
from agent.rundir.reader import RUN_FILE, STEPS_FILE, RunDirContents, read_run_dir
from tests.paths import ROOT
from tests.rundir.runs import FINISHED, click_step, make_run, png


def finished_run(tmp_path: Path) -> Path:
    """Three steps, screenshots of the first two."""
    steps = [click_step(index) for index in (1, 2, 3)]
    return make_run(tmp_path, steps, shots={1: png(), 2: png()}, finish=FINISHED)


def tear(steps_file: Path) -> None:
    """The last line half-written, without its newline: what SIGKILL leaves."""
    data = steps_file.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    steps_file.write_bytes(data[:last + (len(data) - last) // 2])


def test_a_finished_run_is_read_whole(tmp_path: Path) -> None:
    run_dir = finished_run(tmp_path)
    (run_dir / "step-12.png").write_bytes(b"")  # not a step screenshot's name
    contents = read_run_dir(run_dir)
    assert isinstance(contents, RunDirContents)
    assert contents.path == run_dir and contents.run.status == "done"
    assert [s.index for s in contents.steps] == [1, 2, 3]
    assert contents.notes == ()
    assert contents.screenshots == {1: run_dir / "step-0001.png", 2: run_dir / "step-0002.png"}
    assert read_run_dir(run_dir, strict=True) == contents


@pytest.mark.parametrize("strict", [False, True])
def test_a_torn_last_line_is_left_out_with_a_note(tmp_path: Path, strict: bool) -> None:
    run_dir = finished_run(tmp_path)
    tear(run_dir / STEPS_FILE)
    contents = read_run_dir(run_dir, strict=strict)
    assert [s.index for s in contents.steps] == [1, 2]
    assert contents.notes == ("steps.jsonl line 3 is incomplete (the run was cut off); left out",)


def test_a_bad_line_is_a_note_or_strictly_an_error(tmp_path: Path) -> None:
    run_dir = finished_run(tmp_path)
    steps_file = run_dir / STEPS_FILE
    lines = steps_file.read_text(encoding="utf-8").splitlines()
    lines[1] = json.dumps({**json.loads(lines[1]), "schema_version": 7})
    steps_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    contents = read_run_dir(run_dir)
    assert [s.index for s in contents.steps] == [1, 3]
    assert contents.notes == ("steps.jsonl line 2 is not a step record (schema_version 7 is not "
                              "one this planground reads (1); a newer planground wrote it: "
                              "upgrade to read it); left out",)
    with pytest.raises(UsageError, match=r"steps.jsonl line 2: schema_version 7 is not one"):
        read_run_dir(run_dir, strict=True)


def test_without_steps_jsonl_a_run_has_no_steps_unless_strict(tmp_path: Path) -> None:
    run_dir = finished_run(tmp_path)
    (run_dir / STEPS_FILE).unlink()
    contents = read_run_dir(run_dir)
    assert contents.steps == () and contents.notes == ()
    with pytest.raises(UsageError, match=r"is not a run directory: it has no steps.jsonl"):
        read_run_dir(run_dir, strict=True)


def test_an_unreadable_steps_jsonl_is_a_note_or_strictly_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir = finished_run(tmp_path)

    def denied(self: Path) -> bytes:  # chmod 0 would not stop root, who runs CI here
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert read_run_dir(run_dir).notes == ("steps.jsonl could not be read: Permission denied",)
    with pytest.raises(UsageError, match=r"steps.jsonl: Permission denied"):
        read_run_dir(run_dir, strict=True)


@pytest.mark.parametrize(("damage", "message"), [
    ("no-dir", r"somewhere is not a run directory: no such directory"),
    ("file", r"somewhere is not a run directory: not a directory"),
    ("no-run-json", r"somewhere is not a run directory: it has no run.json"),
    ("not-json", r"run.json: not JSON: "),
    ("not-utf8", r"run.json: 'utf-8' codec can't decode"),
    ("no-version", r"run.json: no schema_version: not a planground run record"),
    ("newer", r"run.json: schema_version 2 is not one this planground reads \(1\); a newer "
              r"planground wrote it: upgrade to read it"),
    ("invalid", r"run.json: not a valid record: .* at task"),
])
@pytest.mark.parametrize("strict", [False, True])
def test_without_a_readable_run_json_there_is_no_run(
    tmp_path: Path, damage: str, message: str, strict: bool
) -> None:
    target = tmp_path / "somewhere"
    if damage == "file":
        target.write_text("hello")
    elif damage != "no-dir":
        target.mkdir()
        (target / STEPS_FILE).write_text("")
        record = {"schema_version": 1, "task": "t", "command": [], "settings": {},
                  "started_at": "2025-03-04T05:06:07+00:00"}
        text = {"no-run-json": None, "not-json": "{not json", "not-utf8": "\udcff",
                "no-version": json.dumps({"task": "t"}),
                "newer": json.dumps({**record, "schema_version": 2}),
                "invalid": json.dumps({**record, "task": 5})}[damage]
        if text is not None:
            (target / RUN_FILE).write_bytes(text.encode("utf-8", errors="surrogateescape"))
    with pytest.raises(UsageError, match=message):
        read_run_dir(target, strict=strict)


def test_no_other_module_names_the_record_files() -> None:
    """run.json and steps.jsonl are read in one place: their names are reader.py's constants."""
    named: set[str] = set()
    for path in sorted((ROOT / "agent").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in (RUN_FILE, STEPS_FILE):
                named.add(str(path.relative_to(ROOT)))
    assert named == {"agent/rundir/reader.py"}
