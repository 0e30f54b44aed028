"""report.html: one self-contained page per run, built from its run directory (CONTRACTS §6).

The page needs nothing but itself: screenshots are embedded as JPEG thumbnails (data: URLs) with a
crosshair on every grounded point, and all model text goes through jinja2's autoescaping. A run
that was killed (run.json still `running`, a half-written last line in steps.jsonl, a screenshot
without its step) still gets a report, with a note saying what is missing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from agent.errors import UsageError
from agent.records import GroundingRecord, RunRecord, StepRecord, TokenUsage, Usage
from agent.rundir.annotate import crosshair
from agent.rundir.reader import read_run_dir
from prompts import render

__all__ = [
    "CROSSHAIR_COLOR",
    "JPEG_QUALITY",
    "REPORT_NAME",
    "THUMBNAIL_WIDTH",
    "Marker",
    "Thumbnail",
    "main_report",
    "thumbnail",
    "write_report",
    "write_report_safely",
]

REPORT_NAME = "report.html"
THUMBNAIL_WIDTH = 960
JPEG_QUALITY = 80
CROSSHAIR_COLOR = "#ff1f5a"
TIMING_PHASES = ("capture", "plan", "ground", "approve", "execute", "settle")
_STEP_ORDER = {"ok": 0, "error": 1, "rejected": 2, "stopped": 3}


@dataclass(frozen=True)
class Marker:
    """A point to mark on a screenshot (screenshot pixels), with an optional label."""

    point: tuple[float, float]
    label: str | None = None


@dataclass(frozen=True)
class Thumbnail:
    """An embedded JPEG: its data: URL, its size, and the size of the screenshot it shows."""

    data_url: str
    width: int
    height: int
    source_size: tuple[int, int]


@dataclass(frozen=True)
class GroundingView:
    argument: str
    target: str
    raw: str | None
    point: str
    screen_point: str


@dataclass(frozen=True)
class StepView:
    """What the template shows for one step; `record` is None for a step that never ended."""

    index: int
    status: str
    record: StepRecord | None
    action_name: str | None = None
    action_arguments: str | None = None
    grounding: list[GroundingView] = field(default_factory=list)
    approval_edited: str | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)
    total_ms: float = 0.0
    tokens: str = ""
    image: Thumbnail | None = None
    image_note: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class RunView:
    record: RunRecord
    name: str
    command: str
    duration: str | None
    steps: int
    step_counts: list[tuple[str, int]]
    usage: Usage
    usage_note: str | None
    settings: list[tuple[str, str]]
    problems: list[str]


def write_report(run_dir: Path) -> Path:
    """Build `run_dir/report.html` from run.json, steps.jsonl and the step PNGs; return its path.

    Safe on a run that is still going or was killed: it shows what has been recorded so far.
    Raises UsageError when `run_dir` is not a run directory (no readable run.json), OSError when
    the report cannot be written.
    """
    contents = read_run_dir(run_dir)
    run, records, screenshots = contents.run, list(contents.steps), contents.screenshots
    indexes = sorted({r.index for r in records} | set(screenshots))
    by_index: dict[int, list[StepRecord]] = {}
    for record in records:
        by_index.setdefault(record.index, []).append(record)

    jobs: list[tuple[int, StepRecord | None]] = []
    for index in indexes:
        found: list[StepRecord | None] = [*by_index.get(index, [])]
        jobs.extend((index, record) for record in found or [None])
    thumbs = _thumbnails([(screenshots.get(i), _markers(r)) for i, r in jobs])
    steps = [_step_view(i, r, screenshots.get(i), t, running=run.status == "running")
             for (i, r), t in zip(jobs, thumbs, strict=True)]

    generated_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    html = render("report.html.j2", run=_run_view(run_dir, run, records, list(contents.notes)),
                  steps=steps, generated_at=generated_at)
    return _write_atomically(run_dir / REPORT_NAME, html)


def main_report(run_dir: Path) -> int:
    """`agent report RUN_DIR`: rebuild the run's report.html and print its path."""
    try:
        path = write_report(run_dir)
    except OSError as exc:
        raise UsageError(f"cannot write the report in {run_dir}: "
                         f"{exc.strerror or exc}") from None
    print(path)
    return 0


def thumbnail(
    path: Path, markers: Sequence[Marker] = (), width: int = THUMBNAIL_WIDTH
) -> Thumbnail:
    """A JPEG data: URL of the image at `path`, at most `width` px wide, with `markers` drawn."""
    with Image.open(path) as image:
        source_size = image.size
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        if rgb.width > width:
            height = max(1, round(rgb.height * width / rgb.width))
            # reducing_gap=1: a fast box reduce first, then a cheap bicubic pass to the exact size
            small = rgb.resize((width, height), Image.Resampling.BICUBIC, reducing_gap=1.0)
        else:
            small = rgb.copy()
    sx, sy = small.width / source_size[0], small.height / source_size[1]
    for marker in markers:
        x, y = marker.point[0] * sx, marker.point[1] * sy
        small = crosshair(small, (x, y), CROSSHAIR_COLOR)
        if marker.label:
            _label(small, (x, y), marker.label)
    buffer = io.BytesIO()
    # 4:4:4 chroma keeps coloured UI text and the thin crosshair crisp, for ~25% more bytes.
    small.save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Thumbnail(f"data:image/jpeg;base64,{data}", small.width, small.height, source_size)


# --- building the views --------------------------------------------------------------------


def _markers(record: StepRecord | None) -> list[Marker]:
    if record is None:
        return []
    labelled = len(record.grounding) > 1  # drag: say which cross is the source
    return [Marker(g.point, g.argument if labelled else None) for g in record.grounding]


def _thumbnails(
    jobs: Sequence[tuple[Path | None, list[Marker]]],
) -> list[Thumbnail | str | None]:
    """Each job's thumbnail, or why it has none (a string), or None without a screenshot."""

    def one(job: tuple[Path | None, list[Marker]]) -> Thumbnail | str | None:
        path, markers = job
        if path is None:
            return None
        try:
            return thumbnail(path, markers)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            return f"{path.name} could not be read: {exc}"

    # Pillow releases the GIL while decoding, resizing and encoding: threads use every core.
    workers = min(4, os.cpu_count() or 1, max(1, len(jobs)))
    if workers == 1:
        return [one(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, jobs))


def _step_view(
    index: int,
    record: StepRecord | None,
    screenshot: Path | None,
    image: Thumbnail | str | None,
    *,
    running: bool,
) -> StepView:
    thumb = image if isinstance(image, Thumbnail) else None
    image_note = image if isinstance(image, str) else None
    if screenshot is None:
        image_note = "no screenshot (the step ended before its capture)"
    if record is None:
        why = ("the run is still going or was killed during this step" if running
               else "the run ended during this step")
        return StepView(index, "incomplete", None, image=thumb, image_note=image_note,
                        note=f"No record for this step: {why}.")
    action = dict(record.action) if record.action is not None else None
    name = str(action.pop("name", "?")) if action is not None else None
    timings = [(phase, float(getattr(record.timings_ms, phase))) for phase in TIMING_PHASES]
    planner, grounder = record.usage.planner, record.usage.grounder
    tokens = f"planner {_tokens(planner)}, grounder {_tokens(grounder)}"
    edited = record.approval.edited if record.approval is not None else None
    return StepView(
        index=index,
        status=record.status,
        record=record,
        action_name=name,
        action_arguments=_json(action, indent=2) if action is not None else None,
        grounding=[_grounding_view(g) for g in record.grounding],
        approval_edited=_json(edited) if edited else None,
        timings=timings,
        total_ms=record.timings_ms.total(),
        tokens=tokens,
        image=thumb,
        image_note=image_note,
    )


def _tokens(usage: TokenUsage) -> str:
    """prompt + completion; how much of the prompt the server's cache served, when it says."""
    cached = f" ({usage.cached_tokens} cached)" if usage.cached_tokens else ""
    return f"{usage.prompt_tokens}{cached} + {usage.completion_tokens}"


def _grounding_view(grounding: GroundingRecord) -> GroundingView:
    target = grounding.target if isinstance(grounding.target, str) else _json(grounding.target)
    x, y = grounding.point
    sx, sy = grounding.screen_point
    return GroundingView(grounding.argument, target, grounding.raw, f"{x:.1f}, {y:.1f}",
                         f"{sx}, {sy}")


def _run_view(
    run_dir: Path, run: RunRecord, records: list[StepRecord], problems: list[str]
) -> RunView:
    counts: dict[str, int] = {}
    for record in records:
        counts[record.status] = counts.get(record.status, 0) + 1
    usage, usage_note = run.usage, None
    if run.status == "running":
        # run.json is rewritten only at the end: the steps hold the tokens spent so far.
        usage = sum((r.usage for r in records), Usage())
        usage_note = "summed over the recorded steps (run.json was not finalised)"
        problems = [
            "run.json still says running: the run is in progress, or was killed before it "
            "could finish",
            *problems,
        ]
    return RunView(
        record=run,
        name=run_dir.resolve().name,
        command=shlex.join(run.command),
        duration=_duration(run.started_at, run.ended_at),
        steps=len(records) if run.status == "running" else max(run.steps, len(records)),
        step_counts=sorted(counts.items(), key=lambda item: _STEP_ORDER.get(item[0], 99)),
        usage=usage,
        usage_note=usage_note,
        settings=[(key, value if isinstance(value, str) else _json(value))
                  for key, value in sorted(run.settings.items())],
        problems=problems,
    )


def _duration(started: str, ended: str | None) -> str | None:
    if ended is None:
        return None
    try:
        seconds = (_parse_time(ended) - _parse_time(started)).total_seconds()
    except (ValueError, TypeError):  # unparsable, or one naive and one aware
        return None
    if seconds < 0:
        return None
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.0f} s" if seconds >= 1 else "< 1 s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str)


# --- drawing and writing -------------------------------------------------------------------


@cache
def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=14)
    except (OSError, ImportError):  # no FreeType: Pillow's small bitmap font
        return ImageFont.load_default()


def _label(image: Image.Image, point: tuple[float, float], text: str) -> None:
    """Write `text` on a crosshair-coloured tag beside `point`, kept inside the image."""
    draw = ImageDraw.Draw(image)
    font = _font()
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    width, height = right - left + 8, bottom - top + 6
    offset = max(12, min(image.size) // 40) + 2  # just past the crosshair's arm
    x = point[0] + offset
    y = point[1] - offset - height
    if x + width > image.width:
        x = point[0] - offset - width
    if y < 0:
        y = point[1] + offset
    x = min(max(x, 0), max(0, image.width - width))
    y = min(max(y, 0), max(0, image.height - height))
    draw.rectangle([(x, y), (x + width - 1, y + height - 1)], fill=CROSSHAIR_COLOR)
    draw.text((x + 4 - left, y + 3 - top), text, fill="white", font=font)


def _write_atomically(path: Path, text: str) -> Path:
    # Written beside, then renamed over: a browser never loads half a report.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report.", suffix=".html")
    try:
        os.fchmod(fd, 0o600)  # owner only, like the rest of the run directory, whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_report_safely(run_dir: Path) -> None:
    """The run's report.html; a report that fails to render never changes how the run ended."""
    try:
        write_report(run_dir)
    except Exception as exc:
        print(f"agent: warning: report.html was not written: {exc}", file=sys.stderr)

