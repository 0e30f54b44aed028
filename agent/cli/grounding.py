"""`agent ground` and `agent eval grounding` (CONTRACTS §8)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image

from agent.backends.mss_screen import MssScreen
from agent.errors import UsageError
from agent.grounding.evaluate import (
    EvalRecord,
    Prediction,
    load_records,
    predict_live,
    predict_replay,
    summarize,
)
from agent.grounding.families import FAMILIES
from agent.run.compose import build_grounder, named_family
from agent.rundir.annotate import crosshair
from agent.screen import Screenshot, check_display
from agent.settings import Settings

__all__ = ["eval_grounding_command", "ground_command"]

DEFAULT_GROUP_BY = ("platform", "ui_type", "group")


def ground_command(args: argparse.Namespace, settings: Settings) -> int:
    grounder = build_grounder(settings)
    shot = _image_screenshot(args.image) if args.image else _screen_screenshot(settings)
    grounding = grounder.ground(shot, args.description)  # GroundingError: exit 1
    point = grounding.point
    screen_point = None if args.image else shot.to_screen(*point)
    if args.out:
        crosshair(shot.image, point).save(args.out)
    if args.json:
        print(json.dumps({"point": [point[0], point[1]],
                          "screen_point": list(screen_point) if screen_point else None,
                          "raw": grounding.raw}, ensure_ascii=False))
    else:
        where = f" (screen {screen_point[0]}, {screen_point[1]})" if screen_point else ""
        print(f"{point[0]:.1f}, {point[1]:.1f}{where}")
    return 0


def _image_screenshot(path: Path) -> Screenshot:
    try:
        with Image.open(path) as image:
            return Screenshot.from_image(image)
    except OSError as exc:
        raise UsageError(f"cannot open image {path}: {exc}") from None


def _screen_screenshot(settings: Settings) -> Screenshot:
    check_display()
    screen = MssScreen(settings.monitor)
    try:
        return screen.capture()
    finally:
        screen.close()


def eval_grounding_command(args: argparse.Namespace, settings: Settings) -> int:
    records = load_records(args.data)
    group_by = _group_fields(args.group_by, records)
    predictions: list[Prediction]
    if args.replay:
        family = named_family(settings, settings.grounder_family())
        if family is None:
            known = ", ".join([*FAMILIES, *settings.grounders])
            raise UsageError(f"--replay needs a model family (one of {known}), "
                             f"not {settings.grounder_family()!r}")
        family = family.with_pixels(settings.min_pixels, settings.max_pixels)
        if settings.refine != "none":  # a saved answer is one pass; there is nothing to zoom
            print(f"agent: warning: --refine {settings.refine} applies to live evaluation only; "
                  "--replay re-scores the saved answers as they are", file=sys.stderr)
        _warn_unanswered(records)
        predictions = list(predict_replay(records, family))
    else:
        grounder = build_grounder(settings)
        images = args.images or args.data.parent
        predictions = predict_live(records, grounder, images, args.concurrency,
                                   _progress(len(records)))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            for prediction in predictions:
                out.write(json.dumps(prediction.to_json(), ensure_ascii=False) + "\n")
    summary = summarize(predictions, group_by)
    if args.json:
        print(json.dumps(summary))
    else:
        _print_summary(summary)
    return 0


def _group_fields(given: str | None, records: Sequence[EvalRecord]) -> list[str]:
    """The --group-by fields; one that no record has is named, since its table would not show."""
    if given is None:
        return list(DEFAULT_GROUP_BY)
    fields = [name.strip() for name in given.split(",") if name.strip()]
    for name in fields:
        if all(record.value_of(name) is None for record in records):
            print(f"agent: warning: no record has a {name!r} field to group by", file=sys.stderr)
    return fields


def _warn_unanswered(records: Sequence[EvalRecord]) -> None:
    missing = sum(record.raw_response is None for record in records)
    if missing:
        print(f"agent: warning: {missing} of {len(records)} records have no raw_response to "
              "replay; they count as unparsed", file=sys.stderr)


def _progress(total: int) -> Callable[[int], None]:
    interactive = sys.stderr.isatty()

    def show(done: int) -> None:
        if interactive:
            width = 30
            filled = width * done // max(total, 1)
            print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="",
                  file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)

    return show


def _print_summary(summary: dict[str, object]) -> None:
    print(f"accuracy {summary['accuracy']:.4f}  ({summary['correct']}/{summary['n']}, "
          f"{summary['unparsed']} unparsed, {summary['not_found']} not found)")
    groups = summary["groups"]
    assert isinstance(groups, dict)
    for name, table in groups.items():
        for value, counts in table.items():
            print(f"  {name}={value}: {counts['accuracy']:.4f} ({counts['correct']}/{counts['n']})")
