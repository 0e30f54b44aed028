"""Grounder families declared in agent.toml, `[grounders.NAME]` (CONTRACTS §5; issue 11 item 2),
with examples/grounders.toml as a user would write it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from agent.cli.app import main
from agent.errors import ModelReplyError, UsageError
from agent.grounding.declared import declared_family
from agent.grounding.families import FAMILIES
from agent.grounding.grounder import ModelGrounder
from agent.run.compose import build_grounder
from agent.settings import load_settings
from agent.testing.fake_server import ChatRequest, FakeChatServer
from tests.family_fakes import reference_smart_resize
from tests.paths import EXAMPLES
from tests.unit_helpers import screenshot

CONFIG = EXAMPLES / "grounders.toml"
OK = "the OK button"


def _image(tmp_path: Path, size: tuple[int, int] = (1280, 800)) -> Path:
    path = tmp_path / "screen.png"
    Image.new("RGB", size, "white").save(path)
    return path


def test_the_example_family_grounds_through_agent_ground(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeChatServer(lambda request: "Click at (500, 250)", model="my/clickvl") as server:
        code = main(["ground", OK, "--image", str(_image(tmp_path)), "--config", str(CONFIG),
                     "--grounder", "clickvl", "--grounder-base-url", server.base_url, "--json"])
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["point"] == pytest.approx([640, 200]) and answer["raw"] == "Click at (500, 250)"
    request = server.requests[0]
    assert request.last_user_text() == (
        f'Find {OK} in this screenshot. Answer "Click at (x, y)", x and y in thousandths of the '
        "image width and height.")
    assert request.body["max_tokens"] == 32
    # extends qwen3vl: its factor-32 resize is kept (the space is relative, so nothing moves)
    assert request.last_image_size() == FAMILIES["qwen3vl"].sent_size((1280, 800))


def test_the_example_family_grounds_through_agent_eval_grounding(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _image(tmp_path, (400, 300))
    boxes = {"the OK button": [300, 240, 380, 280], "the logo": [10, 10, 90, 50]}
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"instruction": name, "img_size": [400, 300], "bbox": box,
                                        "image": "screen.png"}) + "\n"
                            for name, box in boxes.items()), encoding="utf-8")

    def reply(request: ChatRequest) -> str:
        text = request.last_user_text()
        x1, y1, x2, y2 = next(box for name, box in boxes.items() if name in text)
        return f"Click at ({(x1 + x2) / 2 / 400 * 1000:g}, {(y1 + y2) / 2 / 300 * 1000:g})"

    with FakeChatServer(reply, model="my/clickvl") as server:
        code = main(["eval", "grounding", str(data), "--config", str(CONFIG), "--grounder",
                     "clickvl", "--grounder-base-url", server.base_url, "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["n"], summary["correct"], summary["unparsed"]) == (2, 2, 0)


def test_the_example_family_rescores_saved_answers_with_replay(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = [("Click at (850, 866.7)", [300, 240, 380, 280]),  # (340, 260): inside
             ("Click at (125, 100)", [300, 240, 380, 280]),  # (50, 30): outside
             ("no idea", [10, 10, 90, 50])]  # unparsed
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"instruction": "x", "img_size": [400, 300], "bbox": box,
                                        "raw_response": raw}) + "\n"
                            for raw, box in items), encoding="utf-8")
    code = main(["eval", "grounding", str(data), "--replay", "--config", str(CONFIG),
                 "--grounder", "clickvl", "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["n"], summary["correct"], summary["unparsed"]) == (3, 1, 1)


def test_a_resized_pixels_family_with_named_groups_in_any_order() -> None:
    settings = load_settings({"grounder": "boxyx", "grounder_base_url": "http://127.0.0.1:9/v1",
                              "grounder_model": "m"}, CONFIG)
    family = declared_family("boxyx", settings.grounders["boxyx"])
    height, width = reference_smart_resize(1080, 1920, 28, 3136, 1003520)
    assert family.sent_size((1920, 1080)) == (width, height)
    # "top, left, bottom, right" in pixels of the resized image
    x, y = family.to_original("100, 200, 140, 260", (1920, 1080))
    assert (x, y) == pytest.approx((230 * 1920 / width, 120 * 1080 / height))
    with pytest.raises(ModelReplyError, match="no match"):
        family.to_original("I cannot tell.", (1920, 1080))


def test_build_grounder_uses_a_declared_family() -> None:
    settings = load_settings({"grounder": "clickvl", "grounder_base_url": "http://127.0.0.1:9/v1",
                              "grounder_model": "m"}, CONFIG)
    grounder = build_grounder(settings)
    assert isinstance(grounder, ModelGrounder) and grounder.family.name == "clickvl"
    with FakeChatServer(lambda request: "Click at (250, 750)") as server:
        settings = settings.model_copy(update={"grounder_base_url": server.base_url})
        grounding = build_grounder(settings).ground(screenshot(1280, 800), OK)
    assert grounding.point == pytest.approx((320, 600))


def test_declared_answers_use_the_one_number_grammar() -> None:
    family = declared_family("f", {"prompt": "{{ description }}", "space": "norm1000",
                                   "answer": r"at (?P<x>\S+) (?P<y>\S+)"})
    assert family.to_original("at 500 250", (1000, 1000)) == (500, 250)
    for answer in ("at 1e3 5", "at nan 5", "at 0x10 5"):
        with pytest.raises(ModelReplyError, match="no number in group 'x'"):
            family.to_original(answer, (1000, 1000))


def test_axes_yx_swaps_a_built_in_parser() -> None:
    family = declared_family("f", {"extends": "qwen3vl", "axes": "yx"})
    assert family.to_original("[250, 500]", (1000, 1000)) == (500, 250)


@pytest.mark.parametrize("table, message", [
    ({"extends": "nope"}, "[grounders.bad] extends: a built-in family: uground, gta1"),
    ({"extends": "uground", "colour": 1}, "[grounders.bad] colour: not a key; the keys are"),
    ({"prompt": "{{ description }}", "space": "norm1000"}, "[grounders.bad] answer: required"),
    ({"prompt": "{{ description }}", "answer": "pair"}, "[grounders.bad] space: required"),
    ({"answer": "pair", "space": "norm1000"}, "[grounders.bad] prompt: required"),
    ({"extends": "uground", "space": "pixelz"},
     "[grounders.bad] space: norm1000 or norm999 or norm1 or pixels or resized-pixels"),
    ({"extends": "uground", "axes": "zx"}, '[grounders.bad] axes: "xy" or "yx"'),
    ({"extends": "uground", "answer": "(?P<x>\\d+)"}, "[grounders.bad] answer: a parser's name"),
    ({"extends": "uground", "answer": "(?P<x>(\\d+)(?P<y>"}, "not a regular expression"),
    ({"extends": "uground", "answer": 3}, "[grounders.bad] answer: a parser's name"),
    ({"extends": "uground", "resize": {"factor": 0}}, "[grounders.bad] resize: a table of"),
    ({"extends": "uground", "resize": {"zoom": 2}}, "[grounders.bad] resize: a table of"),
    ({"extends": "qwen25vl", "resize": {"min_pixels": 10**8}}, "min_pixels ≤ max_pixels"),
    ({"extends": "uground", "prompt": "no-such-prompt.txt"}, "or a readable file"),
    ({"extends": "uground", "prompt": "{{ width }}"}, "a template using {{ description }}"),
    ({"extends": "uground", "temperature": "hot"}, "[grounders.bad] temperature: a non-negative"),
    ({"extends": "uground", "max_tokens": 0}, "[grounders.bad] max_tokens: a positive integer"),
])
def test_a_bad_table_names_the_key_and_what_it_takes(table: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as info:
        declared_family("bad", table)
    assert message in str(info.value)
    assert info.value.exit_code == 2


def test_a_bad_table_exits_2_from_the_cli(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('[grounders.mine]\nextends = "qwen9"\n', encoding="utf-8")
    code = main(["ground", OK, "--image", str(_image(tmp_path)), "--config", str(config),
                 "--grounder", "mine", "--grounder-base-url", "http://127.0.0.1:9/v1"])
    assert code == 2
    assert "[grounders.mine] extends: a built-in family" in capsys.readouterr().err


def test_a_prompt_file_is_read_next_to_the_config(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "prompt.j2").write_text("Point at {{ description }} ({{ width }}px wide).",
                                        encoding="utf-8")
    config = tmp_path / "agent.toml"
    config.write_text('[grounders.mine]\nextends = "uground"\nprompt = "prompt.j2"\n',
                      encoding="utf-8")
    with FakeChatServer(lambda request: "(500, 500)") as server:
        code = main(["ground", OK, "--image", str(_image(tmp_path)), "--config", str(config),
                     "--grounder", "mine", "--grounder-base-url", server.base_url])
    assert code == 0
    assert server.requests[0].last_user_text() == f"Point at {OK} (1280px wide)."
    assert capsys.readouterr().out.startswith("640.0, 400.0")
