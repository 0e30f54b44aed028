"""Reading a run directory back (CONTRACTS §6): run.json, steps.jsonl and the step PNGs, of every
schema version this planground knows. The only code that reads those files; `agent replay`,
`agent export` and `agent report` go through `read_run_dir`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.errors import UsageError
from agent.records import SCHEMA_VERSION, RunRecord, StepRecord

__all__ = [
    "KNOWN_SCHEMA_VERSIONS",
    "RUN_FILE",
    "STEPS_FILE",
    "BadLine",
    "RunDirContents",
    "parse_record",
    "read_run_dir",
]

KNOWN_SCHEMA_VERSIONS = frozenset(range(1, SCHEMA_VERSION + 1))
RUN_FILE = "run.json"
STEPS_FILE = "steps.jsonl"
_SCREENSHOT = re.compile(r"step-(\d{4,})\.png")


@dataclass(frozen=True)
class BadLine:
    """A line of steps.jsonl that is no step record; `torn` when it is the unfinished last line
    of a run cut off while writing it (SIGKILL)."""

    number: int
    why: str
    torn: bool

    @property
    def note(self) -> str:
        """What a reader that leaves this line out says about it."""
        if self.torn:
            return f"{STEPS_FILE} line {self.number} is incomplete (the run was cut off); left out"
        return f"{STEPS_FILE} line {self.number} is not a step record ({self.why}); left out"


@dataclass(frozen=True)
class RunDirContents:
    """A run directory as read back: its records, its screenshots, and what was left out."""

    path: Path
    run: RunRecord
    steps: tuple[StepRecord, ...] = ()  # in file order
    notes: tuple[str, ...] = ()  # one line per part of the record that could not be read
    screenshots: dict[int, Path] = field(default_factory=dict)  # step index → step-NNNN.png


def read_run_dir(path: Path, *, strict: bool = False) -> RunDirContents:
    """The records of the run directory `path`; UsageError when it has no readable run.json.

    Without `strict` a missing or unreadable steps.jsonl means no steps, and a line that is no
    step record is left out, each with a note (`agent report` shows what it can). With `strict`
    (`agent replay`, `agent export`) those are UsageErrors, except a torn last line: a run
    killed while writing it still replays up to there, with a note.
    """
    if not path.is_dir():
        why = "not a directory" if path.exists() else "no such directory"
        raise UsageError(f"{path} is not a run directory: {why}")
    run_file, steps_file = path / RUN_FILE, path / STEPS_FILE
    for needed in (run_file, steps_file) if strict else (run_file,):
        if not needed.is_file():
            raise UsageError(f"{path} is not a run directory: it has no {needed.name}")
    try:
        run = parse_record(RunRecord, run_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {run_file}: {exc.strerror or exc}") from None
    except ValueError as exc:  # not UTF-8 (UnicodeDecodeError), or not a run record
        raise UsageError(f"{run_file}: {exc}") from None
    try:
        steps, bad = _read_steps(steps_file)
    except FileNotFoundError:  # a run that has not ended a step yet (or no record at all)
        steps, bad, notes = [], [], []
    except OSError as exc:
        if strict:
            raise UsageError(f"{steps_file}: {exc.strerror or exc}") from None
        steps, bad, notes = [], [], [f"{STEPS_FILE} could not be read: {exc.strerror or exc}"]
    else:
        notes = []
    for line in bad:
        if strict and not line.torn:
            raise UsageError(f"{steps_file} line {line.number}: {line.why}")
        notes.append(line.note)
    return RunDirContents(path, run, tuple(steps), tuple(notes), _screenshots(path))


def _read_steps(path: Path) -> tuple[list[StepRecord], list[BadLine]]:
    """Every step record in a steps.jsonl, and the lines that are none. Only a last line without
    its newline can be torn: the recorder writes each line whole."""
    data = path.read_bytes()
    lines = data.decode("utf-8", errors="replace").split("\n")
    records: list[StepRecord] = []
    bad: list[BadLine] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(parse_record(StepRecord, line))
        except ValueError as exc:
            torn = number == len(lines) and not data.endswith(b"\n")
            bad.append(BadLine(number, str(exc), torn))
    return records, bad


def parse_record(model: type[RunRecord] | type[StepRecord], text: str) -> Any:
    """One record from its JSON text; ValueError saying what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("no schema_version: not a planground run record")
    if version not in KNOWN_SCHEMA_VERSIONS:
        known = ", ".join(str(v) for v in sorted(KNOWN_SCHEMA_VERSIONS))
        raise ValueError(f"schema_version {version} is not one this planground reads "
                         f"({known}); a newer planground wrote it: upgrade to read it")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"not a valid record: {first['msg']} at "
                         f"{'.'.join(str(p) for p in first['loc'])}") from None


def _screenshots(path: Path) -> dict[int, Path]:
    found: dict[int, Path] = {}
    for png in path.glob("step-*.png"):
        match = _SCREENSHOT.fullmatch(png.name)
        if match:
            found[int(match.group(1))] = png
    return found
