"""Reading a run directory's records back: run.json and steps.jsonl, of every schema version
this planground knows. Used by `agent replay`, `agent export` and `agent report`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.records import SCHEMA_VERSION, RunRecord, StepRecord

__all__ = ["KNOWN_SCHEMA_VERSIONS", "BadLine", "parse_record", "read_steps"]

KNOWN_SCHEMA_VERSIONS = frozenset(range(1, SCHEMA_VERSION + 1))


@dataclass(frozen=True)
class BadLine:
    """A line of steps.jsonl that is no step record; `torn` when it is the unfinished last line
    of a run cut off while writing it (SIGKILL)."""

    number: int
    why: str
    torn: bool


def read_steps(path: Path) -> tuple[list[StepRecord], list[BadLine]]:
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
