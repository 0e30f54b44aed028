"""The `Recorder` seam: persist a run as it happens (CONTRACTS §6)."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Protocol

from agent.records import RunRecord, StepRecord
from agent.rundir.reader import RUN_FILE, STEPS_FILE

__all__ = ["Recorder", "RunDirectory", "now_iso", "slugify"]


class Recorder(Protocol):
    def start(self, run: RunRecord) -> None: ...

    def screenshot(self, index: int, png: bytes) -> None: ...

    def step(self, record: StepRecord) -> None: ...

    def attachment(self, name: str, data: bytes) -> Path | None:
        """Keep a file beside the record (an approval preview); its path, if it has one."""
        ...

    def finish(self, run: RunRecord) -> None: ...


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def slugify(text: str, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "task"


class RunDirectory:
    """A private run directory: run.json, steps.jsonl (one flushed line per step), step PNGs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._steps = open(path / STEPS_FILE, "a", encoding="utf-8", opener=_private)  # noqa: SIM115

    @classmethod
    def create(cls, runs_dir: Path, task: str, when: dt.datetime | None = None) -> RunDirectory:
        runs_dir.mkdir(parents=True, exist_ok=True)
        stamp = (when or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        base = f"{stamp}-{slugify(task)}"
        for suffix in range(1000):
            path = runs_dir / (base if suffix == 0 else f"{base}-{suffix + 1}")
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                continue
            os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask
            return cls(path)
        raise FileExistsError(f"no free run directory name under {runs_dir}")

    def start(self, run: RunRecord) -> None:
        self._write_run(run)

    def screenshot(self, index: int, png: bytes) -> None:
        _write_private(self.path / f"step-{index:04d}.png", png)

    def step(self, record: StepRecord) -> None:
        self._steps.write(record.model_dump_json() + "\n")
        self._steps.flush()
        os.fsync(self._steps.fileno())  # a SIGKILL or power loss keeps every finished step

    def attachment(self, name: str, data: bytes) -> Path:
        path = self.path / Path(name).name  # never outside the run directory
        _write_private(path, data)
        return path

    def finish(self, run: RunRecord) -> None:
        self._write_run(run)
        self._steps.close()

    def _write_run(self, run: RunRecord) -> None:
        # Written beside, then renamed over: a reader never sees half a run.json.
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".run.", suffix=".json")
        os.fchmod(fd, 0o600)  # mkstemp's is filtered by the umask
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(run.model_dump_json(indent=2) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path / RUN_FILE)


def _private(path: str, flags: int) -> int:
    """An `open` opener: files readable by their owner only, like the run directory."""
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)  # os.open's mode is filtered by the umask
    return fd


def _write_private(path: Path, data: bytes) -> None:
    with open(path, "wb", opener=_private) as handle:
        handle.write(data)
