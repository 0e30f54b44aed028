"""`agent eval grounding`: score a grounder on a benchmark file (CONTRACTS §8)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.errors import GroundingError, ModelReplyError, UsageError
from agent.grounding.grounder import Family, Grounder, NotOnScreen
from agent.grounding.points import TargetNotFound
from agent.screen import Screenshot

__all__ = ["EvalRecord", "Prediction", "in_polygon", "load_records", "predict_live",
           "predict_replay", "said_not_found", "summarize"]


class EvalRecord(BaseModel):
    """One input line; fields beyond the contract's are kept (for --group-by). The target is a
    `bbox`, a `polygon`, or none at all (`refusal`: the right answer is "not found")."""

    model_config = ConfigDict(extra="allow")
    id: str | int
    instruction: str
    img_size: tuple[int, int]
    bbox: tuple[float, float, float, float] | None = Field(
        None, description="x1, y1, x2, y2 in pixels")
    polygon: list[float] | None = Field(None, description="x1, y1, x2, y2, … in pixels")
    refusal: bool = False
    image: str | None = None
    raw_response: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> EvalRecord:
        given = [name for name in ("bbox", "polygon") if getattr(self, name) is not None]
        if self.refusal:
            given.append("refusal")
        if len(given) != 1:
            raise ValueError("needs exactly one of bbox, polygon or refusal: true, "
                             f"not {' and '.join(given) or 'none'}")
        if self.polygon is not None and (len(self.polygon) < 6 or len(self.polygon) % 2):
            raise ValueError(f"a polygon is x, y pairs, at least three: {self.polygon}")
        return self

    def contains(self, point: tuple[float, float]) -> bool:
        """Whether `point` lies on the target, edges included (never, for a refusal item)."""
        if self.polygon is not None:
            return in_polygon(point, self.polygon)
        if self.bbox is None:
            return False
        x1, y1, x2, y2 = self.bbox
        return x1 <= point[0] <= x2 and y1 <= point[1] <= y2

    def value_of(self, name: str) -> Any:
        """A field of the record, contract or extra; None when absent."""
        if name in type(self).model_fields:
            return getattr(self, name)
        return (self.model_extra or {}).get(name)


def in_polygon(point: tuple[float, float], polygon: Sequence[float]) -> bool:
    """Whether `point` lies inside the polygon (flat x, y pairs) or on one of its edges."""
    x, y = point
    corners = list(zip(polygon[::2], polygon[1::2], strict=True))
    inside = False
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True):
        cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        if (cross == 0 and min(x1, x2) <= x <= max(x1, x2)
                and min(y1, y2) <= y <= max(y1, y2)):
            return True  # on the edge: counts, as a box's edges do
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def said_not_found(error: GroundingError) -> bool:
    """Whether the grounder answered "not there" (a refusal, OCR finding no such text)."""
    return isinstance(error, NotOnScreen)


@dataclass(frozen=True)
class Prediction:
    record: EvalRecord
    point: tuple[float, float] | None
    raw: str | None  # the model's answer as written
    error: str | None = None  # why there is no point, when the grounder said
    not_found: bool = False  # the grounder said the target is not on the screen

    @property
    def correct(self) -> bool:
        if self.record.refusal:
            return self.not_found
        return self.point is not None and self.record.contains(self.point)

    def to_json(self) -> dict[str, Any]:
        point = None if self.point is None else [self.point[0], self.point[1]]
        line: dict[str, Any] = {"id": self.record.id, "point": point, "correct": self.correct,
                                "raw_response": self.raw}
        if self.not_found:
            line["not_found"] = True
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
        except ValidationError as exc:  # its first line names only the model: say what is wrong
            error = exc.errors()[0]
            where = "".join(f"{part}: " for part in error["loc"][:1])
            raise UsageError(f"{path}:{number}: not a valid record: {where}"
                             f"{error['msg'].removeprefix('Value error, ')}") from None
        except (json.JSONDecodeError, AttributeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UsageError(f"{path}:{number}: not a valid record: {first}") from None
    return records


def predict_replay(records: Iterable[EvalRecord], family: Family) -> Iterator[Prediction]:
    """Re-score saved answers: each converted from the family's space for an image of img_size."""
    for record in records:
        raw = record.raw_response
        point, not_found = None, False
        if raw is not None:
            try:
                point = family.to_original(raw, record.img_size, strict=False)
            except TargetNotFound:
                not_found = True
            except (ModelReplyError, GroundingError):  # unreadable, or an image it cannot take
                point = None
        yield Prediction(record, point, raw, not_found=not_found)


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
            return Prediction(record, None, exc.raw, str(exc), said_not_found(exc))
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
    """The `--json` summary: totals, unparsed count (no point and no "not found"), "not found"
    answers, accuracy per value of each group field."""
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for name in group_by:
        table: dict[str, dict[str, Any]] = {}
        for prediction in predictions:
            for key in group_keys(prediction.record.value_of(name)):
                _add(table.setdefault(key, {"n": 0, "correct": 0}), prediction.correct)
        if table:
            groups[name] = {k: _with_accuracy(v) for k, v in sorted(table.items())}
    totals = {"n": 0, "correct": 0}
    for prediction in predictions:
        _add(totals, prediction.correct)
    return {**_with_accuracy(totals),
            "unparsed": sum(p.point is None and not p.not_found for p in predictions),
            "not_found": sum(p.not_found for p in predictions), "groups": groups}


def group_keys(value: Any) -> list[str]:
    """The groups a field's value puts a record in: a list (OSWorld-G's `GUI_types`) puts it
    in each of its items' groups; other values are written as JSON (`true`, `[1920, 1080]`)."""
    if value is None:
        return []
    if isinstance(value, list):
        return list(dict.fromkeys(key for item in value for key in group_keys(item)))
    return [value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)]


def _add(counts: dict[str, Any], correct: bool) -> None:
    counts["n"] += 1
    counts["correct"] += int(correct)


def _with_accuracy(counts: dict[str, Any]) -> dict[str, Any]:
    n = counts["n"]
    return {**counts, "accuracy": round(counts["correct"] / n, 5) if n else 0.0}
