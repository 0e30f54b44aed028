"""`agent eval grounding`: score a grounder on a benchmark file (CONTRACTS §8)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import GroundingError, ModelReplyError, UsageError
from agent.grounding.grounder import Family, Grounder
from agent.screen import Screenshot

__all__ = ["EvalRecord", "Prediction", "load_records", "predict_live", "predict_replay",
           "summarize"]


class EvalRecord(BaseModel):
    """One input line; fields beyond the contract's are kept (for --group-by)."""

    model_config = ConfigDict(extra="allow")
    id: str | int
    instruction: str
    img_size: tuple[int, int]
    bbox: tuple[float, float, float, float] = Field(description="x1, y1, x2, y2 in pixels")
    image: str | None = None
    raw_response: str | None = None

    def contains(self, point: tuple[float, float]) -> bool:
        x1, y1, x2, y2 = self.bbox
        return x1 <= point[0] <= x2 and y1 <= point[1] <= y2

    def value_of(self, name: str) -> Any:
        """A field of the record, contract or extra; None when absent."""
        if name in type(self).model_fields:
            return getattr(self, name)
        return (self.model_extra or {}).get(name)


@dataclass(frozen=True)
class Prediction:
    record: EvalRecord
    point: tuple[float, float] | None
    raw: str | None  # the model's answer as written
    error: str | None = None  # why there is no point, when the grounder said

    @property
    def correct(self) -> bool:
        return self.point is not None and self.record.contains(self.point)

    def to_json(self) -> dict[str, Any]:
        point = None if self.point is None else [self.point[0], self.point[1]]
        line = {"id": self.record.id, "point": point, "correct": self.correct,
                "raw_response": self.raw}
        return line if self.error is None else {**line, "error": self.error}


def load_records(path: Path) -> list[EvalRecord]:
    """Parse DATA.jsonl; a bad line is a usage error naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            data.setdefault("id", number)
            records.append(EvalRecord.model_validate(data))
        except (json.JSONDecodeError, ValidationError, AttributeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"{path}:{number}: not a valid record: {first}") from None
    return records


def predict_replay(records: Iterable[EvalRecord], family: Family) -> Iterator[Prediction]:
    """Re-score saved answers: each converted from the family's space for an image of img_size."""
    for record in records:
        raw = record.raw_response
        point = None
        if raw is not None:
            try:
                point = family.to_original(raw, record.img_size, strict=False)
            except (ModelReplyError, GroundingError):  # unreadable, or an image it cannot take
                point = None
        yield Prediction(record, point, raw)


def predict_live(
    records: Sequence[EvalRecord],
    grounder: Grounder,
    images: Path,
    concurrency: int,
    progress: Callable[[int], None] = lambda done: None,
) -> list[Prediction]:
    """Ground each record's instruction on its image, `concurrency` requests at a time."""

    def one(record: EvalRecord) -> Prediction:
        if record.image is None:
            raise UsageError(f"record {record.id} has no image")
        try:
            with Image.open(images / record.image) as image:
                shot = Screenshot.from_image(image)
        except OSError as exc:
            raise UsageError(f"record {record.id}: cannot open image {record.image}: {exc}"
                             ) from None
        try:
            grounding = grounder.ground(shot, record.instruction)
        except GroundingError as exc:
            return Prediction(record, None, exc.raw, str(exc))
        x, y = grounding.point
        # Scores compare against the original image: undo any size difference.
        fx, fy = record.img_size[0] / shot.size[0], record.img_size[1] / shot.size[1]
        return Prediction(record, (x * fx, y * fy), grounding.raw)

    predictions: list[Prediction] = []
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for prediction in pool.map(one, records):
            predictions.append(prediction)
            progress(len(predictions))
    return predictions


def summarize(predictions: Sequence[Prediction], group_by: Sequence[str]) -> dict[str, Any]:
    """The `--json` summary: totals, unparsed count, accuracy per value of each group field."""
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for name in group_by:
        table: dict[str, dict[str, Any]] = {}
        for prediction in predictions:
            value = prediction.record.value_of(name)
            if value is None:
                continue
            _add(table.setdefault(str(value), {"n": 0, "correct": 0}), prediction.correct)
        if table:
            groups[name] = {k: _with_accuracy(v) for k, v in sorted(table.items())}
    totals = {"n": 0, "correct": 0}
    for prediction in predictions:
        _add(totals, prediction.correct)
    return {**_with_accuracy(totals),
            "unparsed": sum(p.point is None for p in predictions), "groups": groups}


def _add(counts: dict[str, Any], correct: bool) -> None:
    counts["n"] += 1
    counts["correct"] += int(correct)


def _with_accuracy(counts: dict[str, Any]) -> dict[str, Any]:
    n = counts["n"]
    return {**counts, "accuracy": round(counts["correct"] / n, 5) if n else 0.0}
