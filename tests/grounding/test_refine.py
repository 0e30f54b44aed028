"""`refine = zoom`: a second grounding on a crop around the first answer (refine.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from agent.cli.app import main
from agent.errors import GroundingError, UsageError
from agent.grounding.grounder import Grounding, ModelGrounder, NotOnScreen
from agent.grounding.refine import ZoomGrounder, ZoomModelGrounder, zoom_window
from agent.records import TokenUsage
from agent.run.compose import build_grounder
from agent.screen import Screenshot
from agent.settings import load_settings
from agent.testing.fake_server import ChatRequest, FakeChatServer, uground_description
from tests.grounding.synthetic_zoom import SizeBlindGrounder, accuracy, synthetic_set


@pytest.mark.parametrize(("size", "point", "window", "box"), [
    ((2000, 1000), (1000, 500), 0.5, (500, 250, 1500, 750)),  # centred
    ((2000, 1000), (10, 990), 0.5, (0, 500, 1000, 1000)),  # a corner: kept inside, same size
    ((2000, 1000), (1999, 0), 0.25, (1500, 0, 2000, 250)),
    ((2001, 999), (700.4, 300.6), 0.5, (200, 51, 1200, 551)),  # odd sides round
    ((2000, 1000), (300, 700), 1.0, (0, 0, 2000, 1000)),  # the whole image
])
def test_the_window_is_its_share_of_each_side_around_the_point_and_inside_the_image(
    size: tuple[int, int], point: tuple[float, float], window: float,
    box: tuple[int, int, int, int],
) -> None:
    assert zoom_window(size, point, window) == box


class Scripted:
    """Answers from a list, in order; an exception in the list is raised."""

    def __init__(self, *answers: Grounding | GroundingError) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[int, int]] = []

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        self.seen.append(screenshot.size)
        answer = self.answers.pop(0)
        if isinstance(answer, GroundingError):
            raise answer
        return answer


def screen(width: int = 2000, height: int = 1000) -> Screenshot:
    return Screenshot.from_image(Image.new("RGB", (width, height), "white"))


def usage(prompt: int, completion: int) -> TokenUsage:
    return TokenUsage(prompt_tokens=prompt, completion_tokens=completion)


def test_the_second_answer_is_mapped_back_and_both_answers_are_recorded() -> None:
    inner = Scripted(Grounding((1000.0, 500.0), "(500, 500)", usage(100, 5)),
                     Grounding((10.0, 20.0), "(10, 80)", usage(40, 6)))
    grounding = ZoomGrounder(inner, 0.5).ground(screen(), "the OK button")
    assert inner.seen == [(2000, 1000), (1000, 500)]
    assert grounding.point == (510.0, 270.0)
    assert grounding.raw == "(500, 500)\n[zoom 500,250,1500,750]\n(10, 80)"
    assert grounding.usage == usage(140, 11)


def test_a_failing_second_answer_keeps_the_first() -> None:
    inner = Scripted(Grounding((1000.0, 500.0), "(500, 500)", usage(100, 5)),
                     GroundingError("the answer is unusable", (40, 9), "I see no button"))
    grounding = ZoomGrounder(inner, 0.5).ground(screen(), "the OK button")
    assert grounding.point == (1000.0, 500.0)
    assert grounding.raw == ("(500, 500)\n[zoom 500,250,1500,750] (kept the first: the answer "
                             "is unusable)\nI see no button")
    assert grounding.usage == usage(140, 14)  # the failed answer's tokens were spent too


def test_a_first_answer_that_fails_is_the_answer() -> None:
    inner = Scripted(NotOnScreen("not found: no such button", (10, 2), "[-1, -1]"))
    with pytest.raises(NotOnScreen, match="not found"):
        ZoomGrounder(inner).ground(screen(), "the OK button")
    assert inner.seen == [(2000, 1000)]  # no second request


def test_zoom_wins_back_accuracy_a_grounder_loses_on_large_images() -> None:
    """bench/zoom_refine.py's set (the README's figures are its 60), first 30 targets."""
    items = synthetic_set(30)
    plain = accuracy(SizeBlindGrounder(), items)
    inner = SizeBlindGrounder()
    zoomed = accuracy(ZoomGrounder(inner, 0.5), items)
    assert (round(plain * 30), round(zoomed * 30)) == (12, 23)
    assert inner.seen[:2] == [(2560, 1440), (1280, 720)]  # the crop is half of each side


def test_build_grounder_zooms_when_refine_is_zoom() -> None:
    settings = load_settings({"grounder": "uground", "grounder_base_url": "http://127.0.0.1:9/v1",
                              "grounder_model": "m", "refine": "zoom", "refine_window": 0.25})
    grounder = build_grounder(settings)
    # still a ModelGrounder: a run records (and prices) its model and family
    assert isinstance(grounder, ZoomModelGrounder) and isinstance(grounder, ModelGrounder)
    assert (grounder.model, grounder.family.name, grounder.window) == ("m", "uground", 0.25)
    assert isinstance(build_grounder(load_settings({"grounder": "ocr", "refine": "zoom"})),
                      ZoomGrounder)
    assert not isinstance(build_grounder(settings.model_copy(update={"refine": "none"})),
                          ZoomModelGrounder)


@pytest.mark.parametrize("flags", [{"refine_window": 0}, {"refine_window": 1.5},
                                   {"refine": "crop"}])
def test_bad_refine_settings_are_usage_errors(flags: dict[str, object]) -> None:
    with pytest.raises(UsageError, match="refine"):
        load_settings(flags)


# ------------------------------------------------------------- live: agent eval grounding

BOX = (1000, 580, 1040, 620)  # the red target on a 2400x1200 screen, centre (1020, 600)


def size_blind_uground(request: ChatRequest) -> str:
    """UGround's answer format; finds the red target and misses it by 3% of the image's width
    to the right (72 px on the whole screen: a miss; 18 px on a crop of a quarter: a hit)."""
    image = request.last_image()
    assert isinstance(image, Image.Image) and uground_description(request.last_user_text())
    box = image.convert("RGB").getchannel("G").point(lambda v: 255 if v < 100 else 0).getbbox()
    assert box is not None
    x = (box[0] + box[2] - 1) / 2 + 0.03 * image.width
    y = (box[1] + box[3] - 1) / 2
    return f"({round(x / image.width * 1000)}, {round(y / image.height * 1000)})"


def test_live_eval_with_refine_zoom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = Image.new("RGB", (2400, 1200), "white")
    ImageDraw.Draw(image).rectangle(BOX, fill=(220, 0, 0))
    image.save(tmp_path / "screen.png")
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"id": "red", "instruction": "the red square", "image":
                                "screen.png", "img_size": [2400, 1200], "bbox": BOX}) + "\n")
    lines = {}
    with FakeChatServer(size_blind_uground) as server:
        for refine in ("none", "zoom"):
            out = tmp_path / f"{refine}.jsonl"
            assert main(["eval", "grounding", str(data), "--grounder", "uground",
                         "--grounder-base-url", server.base_url, "--refine", refine,
                         "--refine-window", "0.25", "--json", "--out", str(out)]) == 0
            assert json.loads(capsys.readouterr().out)["correct"] == (refine == "zoom")
            lines[refine] = json.loads(out.read_text())
        sizes = [request.last_image_size() for request in server.requests]
    assert sizes == [(2400, 1200), (2400, 1200), (600, 300)]
    assert lines["none"]["point"] == [1092.0, 600.0]
    # the crop (792, 450)–(1392, 750) is centred on the first answer; 18 px off on it
    assert lines["zoom"]["point"] == [1038.0, 600.0]
    assert lines["zoom"]["raw_response"] == "(455, 500)\n[zoom 792,450,1392,750]\n(410, 500)"
