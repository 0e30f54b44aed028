"""Published per-sample outputs of the grounder families, replayed as a new user would.

Each file in tests/grounding/published/ is an excerpt of a results file its authors published
(source, commit, licence and selection in the README there), in the publisher's own record shape.
Each test turns those records into `agent eval grounding` input, replays the raw answers with
`--replay` through the family (its parser, its space, its resize at the recorded image size), and
checks every sample against the publisher's own verdict: the same correctness, and the same point
where the file holds the evaluator's point.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agent.cli.app import main
from agent.errors import ModelReplyError
from agent.grounding.families import FAMILIES
from tests.paths import ROOT

PUBLISHED = ROOT / "tests" / "grounding" / "published"


@dataclass(frozen=True)
class Expected:
    """The publisher's verdict on one answer."""

    correct: bool
    point: tuple[float, float] | None  # the evaluator's point in original pixels, if it kept one


def read_lines(name: str) -> list[dict[str, Any]]:
    text = (PUBLISHED / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def gelato_log(line: dict[str, Any]) -> tuple[dict[str, Any], Expected]:
    """mlfoundations/Gelato evaluation/logs sample_results: `bbox` is a box, an OSWorld-G polygon
    (more than four numbers) or [0, 0, 0, 0] for a refusal item (its `box_type` "refusal")."""
    box = line["bbox"]
    target: dict[str, Any] = (
        {"refusal": True} if box == [0, 0, 0, 0]
        else {"bbox": box} if len(box) == 4 else {"polygon": box})
    record = {"instruction": line["instruction"], "img_size": line["original_resolution"],
              "raw_response": line["response"], "image": line["img_filename"], **target}
    click = line["predicted_click"]
    return record, Expected(line["is_correct"], None if click is None else tuple(click))


def maiui_output(line: dict[str, Any]) -> tuple[dict[str, Any], Expected]:
    """Tongyi-MAI/MAI-UI evaluation/grounding/output_server/*.jsonl."""
    record = {"instruction": line["instruction"], "img_size": line["img_size"],
              "bbox": line["bbox"], "raw_response": line["raw_response"],
              "image": line["img_filename"]}
    pred = line["pred"]
    return record, Expected(line["correctness"] == "correct", None if pred is None else tuple(pred))


def screenspot_pro_result(line: dict[str, Any]) -> tuple[dict[str, Any], Expected]:
    """ScreenSpot-Pro-GUI-Grounding results/*.json `details` (plus the image's `img_size`)."""
    record = {"instruction": line["prompt_to_evaluate"], "img_size": line["img_size"],
              "bbox": line["bbox"], "raw_response": line["raw_response"],
              "image": line["img_path"]}
    pred = line["pred"]
    return record, Expected(line["correctness"] == "correct", None if pred is None else tuple(pred))


@dataclass(frozen=True)
class Source:
    file: str
    family: str
    convert: Callable[[dict[str, Any]], tuple[dict[str, Any], Expected]]
    clamps: bool = False  # the evaluator capped pixel answers to the image before scaling


SOURCES = {
    "gelato-screenspot-pro": Source("gelato_screenspot_pro.jsonl", "gelato", gelato_log),
    "gelato-osworld-g-refusal": Source("gelato_osworld_g_refusal.jsonl", "gelato", gelato_log),
    "gta1-screenspot-pro": Source("gta1_screenspot_pro.jsonl", "gta1", gelato_log, clamps=True),
    "maiui-screenspot-pro": Source("maiui_screenspot_pro.jsonl", "maiui", maiui_output),
    "qwen2vl-screenspot-pro": Source("qwen2vl_screenspot_pro.jsonl", "qwen2vl",
                                     screenspot_pro_result),
}


def replay(source: Source, tmp_path: Path, capsys: pytest.CaptureFixture[str]
           ) -> tuple[dict[str, Any], list[dict[str, Any]], list[Expected]]:
    """`agent eval grounding DATA --replay` on the converted excerpt: (summary, predictions,
    the publisher's verdicts in the same order)."""
    records, expected = [], []
    for number, line in enumerate(read_lines(source.file)):
        record, verdict = source.convert(line)
        records.append({"id": number, **record})
        expected.append(verdict)
    data, out = tmp_path / "data.jsonl", tmp_path / "predictions.jsonl"
    data.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    code = main(["eval", "grounding", str(data), "--grounder", source.family, "--replay",
                 "--json", "--out", str(out)])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    predictions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [p["id"] for p in predictions] == list(range(len(records)))
    for prediction, record in zip(predictions, records, strict=True):
        prediction["img_size"] = record["img_size"]
    return summary, predictions, expected


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_published_outputs_reproduce_sample_by_sample(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = SOURCES[name]
    summary, predictions, expected = replay(source, tmp_path, capsys)
    assert summary["n"] == len(expected) >= 90
    assert summary["correct"] == sum(verdict.correct for verdict in expected)
    worst = 0.0
    for prediction, verdict in zip(predictions, expected, strict=True):
        assert prediction["correct"] == verdict.correct, prediction
        if verdict.point is None:  # no point: unreadable, or "not found"
            assert prediction["point"] is None, prediction
            continue
        x, y = prediction["point"]
        if source.clamps:
            width, height = prediction["img_size"]
            x, y = min(max(x, 0), width), min(max(y, 0), height)
        worst = max(worst, abs(x - verdict.point[0]), abs(y - verdict.point[1]))
    assert worst < 1e-6


def test_the_excerpts_hold_what_they_are_chosen_for() -> None:
    # Not a vacuous replay: each excerpt holds the hard cases the README says it does.
    refusal = [gelato_log(line) for line in read_lines("gelato_osworld_g_refusal.jsonl")]
    assert sum("refusal" in r for r, _ in refusal) == 54  # every refusal item of OSWorld-G
    assert sum("polygon" in r for r, _ in refusal) >= 30
    assert sum("refusal" in r and v.correct for r, v in refusal) == 11  # said "refusal" rightly
    assert sum("refusal" not in r and "refusal" in r["raw_response"] for r, _ in refusal) == 4
    gta1 = [gelato_log(line) for line in read_lines("gta1_screenspot_pro.jsonl")]
    off_image = [r for r, _ in gta1 if not _inside_image(
        FAMILIES["gta1"].to_original(r["raw_response"], tuple(r["img_size"]), strict=False),
        r["img_size"])]
    assert len(off_image) == 5  # every answer of the full log that points off the image
    qwen2vl = read_lines("qwen2vl_screenspot_pro.jsonl")
    assert sum(line["raw_response"].count("<|box_start|>") > 1 for line in qwen2vl) == 6
    assert sum(line["correctness"] == "wrong_format" for line in qwen2vl) >= 12


def _inside_image(point: tuple[float, float], size: list[int]) -> bool:
    return 0 <= point[0] <= size[0] and 0 <= point[1] <= size[1]


@pytest.mark.parametrize("name", ["gelato_screenspot_pro.jsonl", "gta1_screenspot_pro.jsonl",
                                  "gelato_osworld_g_refusal.jsonl"])
def test_the_family_resizes_as_the_logged_evaluation_did(name: str) -> None:
    # The logs record the size each screenshot was resized to (Gelato: factor 32, max_pixels
    # 10,000,000; GTA1-7B: factor 28, max_pixels 8,847,360 = 4096·2160); GTA1 answers in those
    # pixels, so its replay above depends on this.
    family = FAMILIES["gta1" if name.startswith("gta1") else "gelato"]
    for line in read_lines(name):
        size = tuple(line["original_resolution"])
        assert family.sent_size(size) == tuple(line["resized_resolution"]), line["img_filename"]


def test_qwen2vl_takes_the_last_box_as_its_evaluator_does() -> None:
    # likaixin2000/ScreenSpot-Pro-GUI-Grounding models/qwen2vl.py `extract_bbox` keeps
    # `matches[-1]`; the published points of Qwen2-VL-7B's answers with two boxes are the
    # second box's centre (e.g. "Math node … (301,613),(405,783) to the Density Factor …
    # (471,751),(575,851)" → (523, 801) of 2560×1440 = [1338.88, 1153.44]).
    family = FAMILIES["qwen2vl"]
    several = [line for line in read_lines("qwen2vl_screenspot_pro.jsonl")
               if line["raw_response"].count("<|box_start|>") > 1]
    distinct = 0
    for line in several:
        first = FAMILIES["osatlas"].to_original(line["raw_response"], line["img_size"])
        last = family.to_original(line["raw_response"], line["img_size"])
        assert last == pytest.approx(line["pred"], abs=1e-6)
        distinct += first != pytest.approx(last)
    assert distinct == 2  # four answers repeat one box; in the other two the last one wins


@pytest.mark.parametrize("name", ["qwen2vl", "qwenvl"])
def test_the_box_tokens_decide_when_present(name: str) -> None:
    # Box tokens present but no box in the evaluator's exact shape (four numbers in one pair of
    # brackets, as Qwen2-VL-7B wrote five times in the published run): no point, though the
    # text holds four numbers; without tokens, exactly two or four numbers are a point or box.
    start, end = ("<|box_start|>", "<|box_end|>") if name == "qwen2vl" else ("<box>", "</box>")
    family = FAMILIES[name]
    with pytest.raises(ModelReplyError, match=r"no .* box in the answer"):
        family.parse(f"{start}(51,895,101,935){end}")
    assert family.parse(f"a {start}(1,2),(3,4){end} b {start}(10,20),(30,40){end}") == (20, 30)
    # Qwen2-VL-7B's published answer for "change linewidth in plot" (its point: [5.12, 2.88])
    assert family.parse("```matlab\n>> set(gca, 'LineWidth', 2)\n```\n\nThis line of code sets "
                        "the linewidth of the axes to 2.<|im_end|>") == (2, 2)
    with pytest.raises(ModelReplyError, match="needs 2 or 4 numbers, not 3"):
        family.parse("row 1 (2, 3)")


def test_maiui_answers_are_thousandths_as_published() -> None:
    # The excerpt holds the 17 ScreenSpot-Pro answers whose score changes when read as 0–999
    # (MAI-UI's agent code) instead of 0–1000 (its published evaluation): each is published
    # correct, and only the 0–1000 reading makes it so.
    family = FAMILIES["maiui"]
    flips = 0
    for line in read_lines("maiui_screenspot_pro.jsonl"):
        x1, y1, x2, y2 = line["bbox"]
        x, y = family.to_original(line["raw_response"], tuple(line["img_size"]), strict=False)
        width, height = line["img_size"]
        x999, y999 = x * 1000 / 999, y * 1000 / 999
        if (x1 <= x999 <= x2 and y1 <= y999 <= y2) != (x1 <= x <= x2 and y1 <= y <= y2):
            flips += 1
            assert line["correctness"] == "correct"
            assert (x, y) == pytest.approx(tuple(line["pred"]))
            assert (x / width, y / height) == pytest.approx(tuple(line["pred_norm"]))
    assert flips == 17
