"""`agent eval grounding` without --replay: real HTTP to a fake UGround server, in parallel."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from agent.cli.app import main
from agent.testing.fake_server import ChatRequest, FakeChatServer, uground_reply_from

# Where each instruction's element is, on 400x300 images; "the ghost" is answered in prose.
BOXES = {"the OK button": (300.0, 240.0, 380.0, 280.0), "the logo": (10.0, 10.0, 90.0, 50.0),
         "the search box": (120.0, 20.0, 280.0, 44.0), "the ghost": (0.0, 0.0, 10.0, 10.0)}
MISPLACED = "the logo"  # the fake points 100 px right of it: a wrong answer


class CountingServer:
    """Answers like UGround and remembers how many requests were in flight at once."""

    def __init__(self) -> None:
        self.in_flight = self.most = 0
        self.lock = threading.Lock()
        self.uground = uground_reply_from(self.locate)

    def locate(self, description: str) -> tuple[float, float]:
        x1, y1, x2, y2 = BOXES[description]
        return (x1 + x2) / 2 + (100 if description == MISPLACED else 0), (y1 + y2) / 2

    def reply(self, request: ChatRequest) -> str:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            time.sleep(0.2)  # long enough for the other requests to arrive
            if "the ghost" in request.last_user_text():
                return "I cannot see a ghost on this screen."
            return self.uground(request)
        finally:
            with self.lock:
                self.in_flight -= 1


def write_data(folder: Path) -> Path:
    Image.new("RGB", (400, 300), "white").save(folder / "screen.png")
    lines = [{"id": f"r{i}", "instruction": text, "img_size": [400, 300], "bbox": list(box),
              "image": "screen.png", "platform": "web" if i % 2 else "desktop"}
             for i, (text, box) in enumerate(BOXES.items())]
    data = folder / "data.jsonl"
    data.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return data


def test_live_eval_scores_answers_in_parallel_and_keeps_raw_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counting = CountingServer()
    data, out = write_data(tmp_path), tmp_path / "pred.jsonl"
    with FakeChatServer(counting.reply) as server:
        code = main(["eval", "grounding", str(data), "--grounder", "uground",
                     "--grounder-base-url", f"{server.base_url}", "--concurrency", "3",
                     "--json", "--out", str(out)])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["n"], summary["correct"], summary["unparsed"]) == (4, 2, 1)
    assert summary["groups"]["platform"] == {"desktop": {"n": 2, "correct": 2, "accuracy": 1.0},
                                             "web": {"n": 2, "correct": 0, "accuracy": 0.0}}
    assert counting.most == 3
    predictions = {line["id"]: line for line in map(json.loads, out.read_text().splitlines())}
    assert [predictions[f"r{i}"]["correct"] for i in range(4)] == [True, False, True, False]
    ghost = predictions["r3"]
    assert ghost["point"] is None
    assert ghost["raw_response"] == "I cannot see a ghost on this screen."  # the model's words
    assert "unusable" in ghost["error"]
    assert "error" not in predictions["r0"]


def test_the_answers_of_a_live_eval_replay_to_the_same_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PRED.jsonl's raw answers, put back into the data, re-score without a server."""
    data, out = write_data(tmp_path), tmp_path / "pred.jsonl"
    with FakeChatServer(CountingServer().reply) as server:
        main(["eval", "grounding", str(data), "--grounder", "uground", "--grounder-base-url",
              server.base_url, "--json", "--out", str(out)])
    live = json.loads(capsys.readouterr().out)
    answers = {line["id"]: line["raw_response"] for line in map(json.loads,
                                                                 out.read_text().splitlines())}
    records = [json.loads(line) for line in data.read_text().splitlines()]
    replay_data = tmp_path / "replay.jsonl"
    replay_data.write_text("".join(json.dumps({**r, "raw_response": answers[r["id"]]}) + "\n"
                                   for r in records))
    assert main(["eval", "grounding", str(replay_data), "--grounder", "uground", "--replay",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == live


@pytest.mark.parametrize("flags", [["--min-pixels", "5000000", "--max-pixels", "4000000"],
                                   ["--min-pixels", "20000000"]])  # above qwen25vl's own max
def test_min_pixels_above_max_pixels_exits_2(
    flags: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """smart_resize would quietly break one of the bounds: the scores would be wrong."""
    data = write_data(tmp_path)
    code = main(["eval", "grounding", str(data), "--grounder", "qwen25vl", "--replay", *flags])
    assert code == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "is larger than max_pixels" in error


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_a_concurrency_below_one_exits_2(value: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:  # argparse's way out
        main(["eval", "grounding", str(write_data(tmp_path)), "--concurrency", value])
    assert info.value.code == 2
    assert "--concurrency: must be" in capsys.readouterr().err


def test_replay_says_how_many_records_have_no_answer_and_which_group_field_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_data(tmp_path)
    code = main(["eval", "grounding", str(data), "--grounder", "uground", "--replay", "--json",
                 "--group-by", "platform,os"])
    assert code == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["unparsed"] == 4
    assert "4 of 4 records have no raw_response" in captured.err
    assert "no record has a 'os' field" in captured.err
    assert "'platform'" not in captured.err
