"""`agent eval grounding` on OSWorld-G's kinds of items: `polygon` targets and `refusal: true`
items (no such element), replayed and live; `--group-by` on any field, list fields included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from agent.cli.app import main
from agent.grounding.evaluate import in_polygon
from agent.testing.fake_server import ChatRequest, FakeChatServer

# A concave "L": its bounding box holds (70, 70), the polygon does not.
ELL = [10.0, 10.0, 40.0, 10.0, 40.0, 60.0, 90.0, 60.0, 90.0, 90.0, 10.0, 90.0]
TRIANGLE = [100.0, 100.0, 300.0, 100.0, 200.0, 300.0]


@pytest.mark.parametrize(("point", "inside"), [
    ((20, 20), True), ((70, 75), True), ((70, 30), False),  # the notch of the L
    ((10, 50), True), ((40, 30), True), ((65, 60), True),  # on edges
    ((10, 10), True), ((90, 90), True),  # on corners
    ((9.99, 50), False), ((95, 75), False), ((50, 90.01), False),
])
def test_a_point_counts_inside_a_polygon_or_on_its_edges(point: tuple[float, float],
                                                         inside: bool) -> None:
    assert in_polygon(point, ELL) is inside


def test_a_slanted_edge_counts_too() -> None:
    assert in_polygon((150, 200), TRIANGLE)  # on the edge (100,100)–(200,300)
    assert not in_polygon((149, 200), TRIANGLE)
    assert in_polygon((150, 199), TRIANGLE)


# Answers of UI-Venus-1.5 (`[x, y]` 0–1000; `[-1, -1]`: not on the screen) on 1000x1000 images,
# so that the answers' numbers are pixels.
RECORDS: list[dict[str, Any]] = [
    {"id": "ell-in", "instruction": "the L", "polygon": ELL, "raw_response": "[70, 75]",
     "GUI_types": ["Icon", "Menu"]},
    {"id": "ell-notch", "instruction": "the L", "polygon": ELL, "raw_response": "[70, 30]",
     "GUI_types": ["Icon"]},
    {"id": "tri-edge", "instruction": "the triangle", "polygon": TRIANGLE,
     "raw_response": "[150, 200]", "GUI_types": ["Menu"]},
    {"id": "ghost-refused", "instruction": "the ghost", "refusal": True,
     "raw_response": "[-1, -1]", "GUI_types": []},
    {"id": "ghost-clicked", "instruction": "the ghost", "refusal": True,
     "raw_response": "[500, 500]"},
    {"id": "ghost-garbled", "instruction": "the ghost", "refusal": True,
     "raw_response": "I do not know"},
    {"id": "box-refused", "instruction": "the box", "bbox": [0, 0, 50, 50],
     "raw_response": "[-1, -1]"},
]
CORRECT = {"ell-in": True, "ell-notch": False, "tri-edge": True, "ghost-refused": True,
           "ghost-clicked": False, "ghost-garbled": False, "box-refused": False}


def write(folder: Path, records: list[dict[str, Any]]) -> Path:
    Image.new("RGB", (1000, 1000), "white").save(folder / "screen.png")
    data = folder / "data.jsonl"
    data.write_text("".join(json.dumps({"img_size": [1000, 1000], "image": "screen.png", **r})
                            + "\n" for r in records))
    return data


def run_eval(data: Path, *flags: str) -> dict[str, dict[str, Any]]:
    """The predictions by id; the summary is on stdout."""
    out = data.parent / "pred.jsonl"
    assert main(["eval", "grounding", str(data), "--grounder", "uivenus15", "--json",
                 "--group-by", "refusal,GUI_types", "--out", str(out), *flags]) == 0
    lines = {line["id"]: line for line in map(json.loads, out.read_text().splitlines())}
    return lines


def check(summary: dict[str, Any], lines: dict[str, dict[str, Any]]) -> None:
    assert {key: line["correct"] for key, line in lines.items()} == CORRECT
    assert (summary["n"], summary["correct"], summary["unparsed"], summary["not_found"]) == (
        7, 3, 1, 2)  # unparsed: the garbled answer; not found: both [-1, -1]
    assert lines["ghost-refused"]["not_found"] is True and lines["ghost-refused"]["point"] is None
    assert "not_found" not in lines["ghost-clicked"]
    groups = summary["groups"]
    assert groups["refusal"] == {"false": {"n": 4, "correct": 2, "accuracy": 0.5},
                                 "true": {"n": 3, "correct": 1, "accuracy": 0.33333}}
    # a list field: a record counts in the group of each of its items
    assert groups["GUI_types"] == {"Icon": {"n": 2, "correct": 1, "accuracy": 0.5},
                                   "Menu": {"n": 2, "correct": 2, "accuracy": 1.0}}


def test_replay_scores_polygons_and_refusals(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    lines = run_eval(write(tmp_path, RECORDS), "--replay")
    check(json.loads(capsys.readouterr().out), lines)


def answer_as_published(request: ChatRequest) -> str:
    """Each instruction's published answer (RECORDS), whatever the record's id."""
    text = request.last_user_text()
    answers = {"the L": "[70, 75]", "the triangle": "[150, 200]", "the box": "[-1, -1]"}
    for instruction, answer in answers.items():
        if instruction in text:
            return answer
    return "[-1, -1]"


def test_live_scores_polygons_and_refusals(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # The same records live: the server answers each instruction one way, so the L's notch
    # is now a hit and the ghost is refused every time.
    records = [{k: v for k, v in r.items() if k != "raw_response"} for r in RECORDS]
    with FakeChatServer(answer_as_published) as server:
        lines = run_eval(write(tmp_path, records), "--grounder-base-url", server.base_url)
    summary = json.loads(capsys.readouterr().out)
    assert {key: line["correct"] for key, line in lines.items()} == {
        **CORRECT, "ell-notch": True, "ghost-clicked": True, "ghost-garbled": True}
    assert (summary["n"], summary["correct"], summary["unparsed"], summary["not_found"]) == (
        7, 6, 0, 4)
    refused = lines["ghost-refused"]
    assert refused["not_found"] is True and refused["raw_response"] == "[-1, -1]"
    assert refused["error"].startswith("not found")


@pytest.mark.parametrize(("record", "problem"), [
    ({"bbox": [0, 0, 5, 5], "polygon": TRIANGLE}, "not bbox and polygon"),
    ({"bbox": [0, 0, 5, 5], "refusal": True}, "not bbox and refusal"),
    ({}, "not none"),
    ({"polygon": [1, 2, 3, 4, 5]}, "x, y pairs, at least three"),
    ({"polygon": [1, 2, 3, 4]}, "x, y pairs, at least three"),
])
def test_a_record_needs_exactly_one_target(record: dict[str, Any], problem: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path, [{"instruction": "x", "raw_response": "[1, 1]", **record}])
    assert main(["eval", "grounding", str(data), "--grounder", "uivenus15", "--replay"]) == 2
    error = capsys.readouterr().err
    assert f"{data}:1: not a valid record" in error and problem in error
