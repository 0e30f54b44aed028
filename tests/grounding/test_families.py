"""Grounder families (CONTRACTS §5): their answer parsers, prompts, sent image and round trip.

Every answer below is written in the model's own documented format; the source of each format is
cited where it is used. The real model outputs with ground truth are in test_families_data.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent.errors import GroundingError, ModelReplyError
from agent.grounding.families import FAMILIES
from agent.grounding.grounder import ModelGrounder
from agent.grounding.resize import SmartResize
from agent.testing.fake_server import ChatRequest, FakeChatServer
from tests.paths import ROOT
from tests.unit_helpers import UGROUND_PROMPT, client_for, screenshot

CONTRACT_FAMILIES = ["uground", "gta1", "qwen25vl", "qwen2vl", "qwenvl", "osatlas", "uitars",
                     "uitars15", "seeclick", "aguvis"]


def test_every_family_of_the_contract_is_registered() -> None:
    assert set(CONTRACT_FAMILIES) <= set(FAMILIES)
    for name in CONTRACT_FAMILIES:
        assert FAMILIES[name].name == name


@pytest.mark.parametrize("name, space, resize", [
    ("uground", "norm1000", None),
    ("gta1", "pixels", SmartResize(28, 3136, 4096 * 2160)),
    ("qwen25vl", "pixels", SmartResize(28, 3136, 12845056)),
    ("qwen2vl", "norm1000", None),
    ("qwenvl", "norm1000", None),
    ("osatlas", "norm1000", None),
    ("uitars", "norm1000", None),
    ("uitars15", "pixels", SmartResize(28, 100 * 28 * 28, 16384 * 28 * 28)),
    ("seeclick", "norm1", None),
    ("aguvis", "norm1", None),
])
def test_space_and_resize_follow_the_contract(name: str, space: str,
                                              resize: SmartResize | None) -> None:
    assert FAMILIES[name].space == space
    assert FAMILIES[name].resize == resize


# ------------------------------------------------------------------ answer formats (parse only)


@pytest.mark.parametrize("name, answer, point", [
    # GTA1: "Output the coordinate pair exactly:\n(x,y)" (its system prompt)
    ("gta1", "(1024,512)", (1024, 512)),
    ("gta1", "The element is at (12.5, 7.25).", (12.5, 7.25)),
    # Qwen2.5-VL: cookbooks/spatial_understanding.ipynb answers a ```json list of bbox_2d
    ("qwen25vl", '```json\n[\n\t{"bbox_2d": [1373, 91, 1556, 267], "label": "top right brown cake"}'
                 "\n]\n```", (1464.5, 179)),
    ("qwen25vl", '{"point_2d": [640, 400], "label": "button"}', (640, 400)),
    # ZonUI-3B (a Qwen2.5-VL fine-tune), Han1018/ScreenSpot-Pro-GUI-Grounding results/qwen_gui.json
    ("qwen25vl", "[2413, 162]", (2413, 162)),
    ("qwen25vl", "[1165.5, 40.5]", (1165.5, 40.5)),
    ("qwen25vl", "(300, 200)", (300, 200)),
    ("qwen25vl", "[100, 200, 300, 400]", (200, 300)),
    # Qwen2.5-VL computer use (cookbooks/computer_use.ipynb): a computer_use tool call
    ("qwen25vl", '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", '
                 '"coordinate": [1242, 310]}}\n</tool_call>', (1242, 310)),
    # Qwen2-VL report (arXiv 2409.12191 §2.2.1): referring grounding answer
    ("qwen2vl", "<|object_ref_start|>the eyes on a giraffe<|object_ref_end|>"
                "<|box_start|>(176,106),(232,160)<|box_end|>", (204, 133)),
    # ... as an OpenAI-compatible server that skips special tokens (vLLM's default) returns it
    ("qwen2vl", "the eyes on a giraffe(176,106),(232,160)", (204, 133)),
    # Qwen-VL-Chat README: <ref>击掌</ref><box>(517,508),(589,611)</box>
    ("qwenvl", "<ref>击掌</ref><box>(517,508),(589,611)</box>", (553, 559.5)),
    ("qwenvl", "<box>(517,508),(589,611)</box>", (553, 559.5)),
    # OS-Atlas README (OS-Atlas-Base-7B)
    ("osatlas", "<|object_ref_start|>language switch<|object_ref_end|><|box_start|>(576,12),"
                "(592,42)<|box_end|><|im_end|>", (584, 27)),
    # OS-Atlas-Pro action format: CLICK <point>[[x,y]]</point>, and a [[x1,y1,x2,y2]] box
    ("osatlas", "actions:\nCLICK <point>[[584,27]]</point>", (584, 27)),
    ("osatlas", "[[576,12,592,42]]", (584, 27)),
    # UI-TARS codes/prompts.py action space, with and without the box tokens (README_deploy.md's
    # expected output is `Action: click(start_box='(177,549)')`)
    ("uitars", "Action: click(start_box='<|box_start|>(177,549)<|box_end|>')", (177, 549)),
    ("uitars", "Thought: 我看到Preferences窗口已经打开了。\nAction: click(start_box='(177,549)')",
     (177, 549)),
    ("uitars", "Action: click(start_box='<|box_start|>(100,200),(300,400)<|box_end|>')",
     (200, 300)),
    ("uitars", "Action: click(start_box='(100,200,300,400)')", (200, 300)),
    # UI-TARS-1.5 (README_coordinates.md; codes/ui_tars prompts with <point>, <bbox>)
    ("uitars15", "Thought: xxx\nAction: click(start_box='(197,525)')", (197, 525)),
    ("uitars15", "Action: click(point='<point>197 525</point>')", (197, 525)),
    ("uitars15", "Action: click(start_box='<bbox>100 200 300 400</bbox>')", (200, 300)),
    ("uitars15", "Thought: the 2nd icon (of 3) in row (1, 4).\n"
                 "Action: click(start_box='(197,525)')", (197, 525)),
    # SeeClick readme: (0.17,0.06), (0.59,0.06), (0.82,0.06); (with bbox): (left, top, right, down)
    ("seeclick", "(0.17,0.06)", (0.17, 0.06)),
    ("seeclick", "(0.59,0.06)", (0.59, 0.06)),
    ("seeclick", "(0.1,0.2,0.3,0.4)", (0.2, 0.3)),
    # Aguvis (aguvis-stage1/2 data, src/aguvis/serve/cli.py): pyautogui code, 0–1
    ("aguvis", "pyautogui.click(x=0.11, y=0.07)", (0.11, 0.07)),
    ("aguvis", "<|im_start|>assistant<|recipient|>all\nThought: The menu (0.9, 0.9) is open."
               "<|im_end|>\n<|im_start|>assistant<|recipient|>os\n"
               "pyautogui.click(x=0.8102, y=0.9463)", (0.8102, 0.9463)),
    ("aguvis", "all\nThought: the button at (0.5, 0.5) is wrong.\nos\n"
               "pyautogui.doubleClick(x=0.25, y=0.75)", (0.25, 0.75)),
    ("aguvis", "pyautogui.moveTo(0.3, 0.4)", (0.3, 0.4)),
    ("aguvis", "pyautogui.rightClick(x=0.3, y=0.4)", (0.3, 0.4)),
    ("aguvis", "mobile.long_press(x=0.5, y=0.6)", (0.5, 0.6)),
    ("aguvis", "mobile.swipe(from_coord=[0.5, 0.8], to_coord=[0.5, 0.2])", (0.5, 0.8)),
    ("aguvis", "pyautogui.write(message='hi')\npyautogui.click(x=0.1, y=0.2)", (0.1, 0.2)),
])
def test_documented_answer_formats(name: str, answer: str, point: tuple[float, float]) -> None:
    assert FAMILIES[name].parse(answer) == pytest.approx(point)


@pytest.mark.parametrize("name, answer, point", [
    ("qwen25vl", "[10, 20] or maybe [30, 40]", (10, 20)),
    ("qwen25vl", '[{"bbox_2d": [0, 0, 10, 10]}, {"bbox_2d": [100, 100, 200, 200]}]', (5, 5)),
    ("osatlas", "<|box_start|>(1,2),(3,4)<|box_end|> <|box_start|>(50,60),(70,80)<|box_end|>",
     (2, 3)),
    ("qwen2vl", "<|object_ref_start|>row 3, (2, 5)<|object_ref_end|><|box_start|>(10,20),(30,40)"
                "<|box_end|>", (20, 30)),  # the box tokens win over numbers in the reference
    ("seeclick", "I think (0.2, 0.3), no: (0.4, 0.5)", (0.2, 0.3)),
    ("uitars", "Action: click(start_box='(1,2)')\nAction: click(start_box='(3,4)')", (1, 2)),
    ("aguvis", "pyautogui.click(x=0.1, y=0.2)\npyautogui.click(x=0.3, y=0.4)", (0.1, 0.2)),
])
def test_the_first_candidate_counts(name: str, answer: str, point: tuple[float, float]) -> None:
    assert FAMILIES[name].parse(answer) == pytest.approx(point)


# One number grammar serves every family (agent/grounding/points.py): `500.`, `.5`, a sign.
@pytest.mark.parametrize("name, answer, point", [
    ("uground", "(500., 300.)", (500, 300)),
    ("uground", "[.5, .25]", (0.5, 0.25)),
    ("uground", "The element is at (12.,.5).", (12, 0.5)),
    ("uground", ".5, 300.", (0.5, 300)),
    ("gta1", "(500., 300.)", (500, 300)),
    ("gta1", "(.5,.25)", (0.5, 0.25)),
    ("gta1", "[640., .5]", (640, 0.5)),
])
def test_uground_and_gta1_read_every_number_form(
    name: str, answer: str, point: tuple[float, float]
) -> None:
    assert FAMILIES[name].parse(answer) == pytest.approx(point)
    FAMILIES[name].to_original(answer, (1920, 1080))  # and the point is in range


def answer_in_format(name: str, n: str) -> str:
    """An answer of family `name` whose every number is written `n`."""
    return {
        "uground": f"({n}, {n})", "gta1": f"({n},{n})", "qwen25vl": f"[{n}, {n}]",
        "seeclick": f"({n},{n})", "osatlas": f"[[{n},{n}]]",
        "qwen2vl": f"<|box_start|>({n},{n}),({n},{n})<|box_end|>",
        "qwenvl": f"<ref>x</ref><box>({n},{n}),({n},{n})</box>",
        "uitars": f"Action: click(start_box='({n},{n})')",
        "uitars15": f"Action: click(point='<point>{n} {n}</point>')",
        "aguvis": f"pyautogui.click(x={n}, y={n})",
    }[name]


@pytest.mark.parametrize("number", ["500", "500.", "500.25", ".25", "0.5", "+3", "-3", "007"])
@pytest.mark.parametrize("name", CONTRACT_FAMILIES)
def test_every_family_reads_a_number_the_same_way(name: str, number: str) -> None:
    assert FAMILIES[name].parse(answer_in_format(name, number)) == (float(number),) * 2


@pytest.mark.parametrize("number", ["1e3", "inf", "nan", "5..3", ".", "0x10", "½"])
@pytest.mark.parametrize("name", CONTRACT_FAMILIES)
def test_no_family_reads_what_is_no_number(name: str, number: str) -> None:
    with pytest.raises(ModelReplyError, match=r"no .* in the answer"):
        FAMILIES[name].parse(answer_in_format(name, number))


NO_POINT = ["", "I cannot find that element.", "(12)", "x=, y=", "(a, b)",
            "finished(content='done')"]
# uground and gta1 (parse_pair) also read a bare `x, y`; the others want brackets or tags, but
# qwen2vl and qwenvl, whose ScreenSpot-Pro evaluator reads any answer without box tokens holding
# exactly two numbers as a point (test_families_replays.py)
NO_POINT_BRACKETED = ["[1, 2, 3]", "1, 2", "click 10,20"]
BARE_NUMBERS = ("uground", "gta1", "qwen2vl", "qwenvl")


@pytest.mark.parametrize("name, answer", [
    *[(name, answer) for name in CONTRACT_FAMILIES for answer in NO_POINT],
    *[(name, answer) for name in CONTRACT_FAMILIES if name not in BARE_NUMBERS
      for answer in NO_POINT_BRACKETED],
    *[(name, "[1, 2, 3]") for name in ("qwen2vl", "qwenvl")],
])
def test_an_answer_without_a_point_is_a_model_reply_error(name: str, answer: str) -> None:
    with pytest.raises(ModelReplyError, match=r"no .* in the answer"):
        FAMILIES[name].parse(answer)


@pytest.mark.parametrize("name, answer", [
    ("qwen25vl", "[-3, 20]"), ("osatlas", "<|box_start|>(990,10),(1200,20)<|box_end|>"),
    ("seeclick", "(1.5,0.2)"), ("aguvis", "pyautogui.click(x=-0.1, y=0.5)"),
    ("uitars15", "Action: click(start_box='(5000,20)')"), ("gta1", "(2000,20)"),
])
def test_points_outside_the_answer_range_are_rejected(name: str, answer: str) -> None:
    with pytest.raises(ModelReplyError, match="outside"):
        FAMILIES[name].to_original(answer, (1920, 1080))


@pytest.mark.parametrize("name, answer", [  # each box's centre is in range; the box is not
    ("qwen2vl", "<|box_start|>(0,0),(2000,2000)<|box_end|>"),
    ("qwen2vl", "<|box_start|>(-1000,-1000),(1000,1000)<|box_end|>"),
    ("qwen25vl", '{"bbox_2d": [-300, -300, 300, 300]}'),
    ("osatlas", "[[0,0,2000,1990]]"),
    ("uitars", "Action: click(start_box='(1400,1400,600,600)')"),
    ("seeclick", "(0.0,0.0,2.0,2.0)"),
])
def test_a_box_reaching_outside_the_answer_range_is_rejected(name: str, answer: str) -> None:
    with pytest.raises(ModelReplyError, match=r"the box \(.*\) reaches outside"):
        FAMILIES[name].to_original(answer, (1531, 977))
    FAMILIES[name].to_original(answer, (1531, 977), strict=False)  # scoring still reads it


@pytest.mark.parametrize("name", ["qwen25vl", "gta1", "uitars15"])
def test_an_image_the_processor_refuses_is_a_grounding_error(name: str) -> None:
    with pytest.raises(GroundingError, match=f"the {name} family cannot take this image: "
                                             "aspect ratio of 10000x40 exceeds 200"):
        FAMILIES[name].to_original("[1, 1]", (10000, 40))


# ------------------------------------------------------------------ ModelGrounder over real HTTP

SCREEN = (1920, 1080)
TARGET = (701.3, 402.7)  # the element's centre, in screenshot pixels

DESCRIPTION = "the blue 'Search flights' button"

# The prompts, verbatim from each model's documentation (sources in prompts/<family>*.j2).
USER_PROMPTS = {
    "uground": UGROUND_PROMPT.replace("{description}", "{d}"),
    "gta1": "{d}",
    "qwen25vl": "Locate {d}, output its bbox coordinates using JSON format.",
    "qwen2vl": "<|object_ref_start|>{d}<|object_ref_end|>",
    "qwenvl": "<ref>{d}</ref>",
    "osatlas": 'In this UI screenshot, what is the position of the element corresponding to the '
               'command "{d}" (with bbox)?',
    "uitars": "You are a GUI agent. You are given a task and your action history, with "
              "screenshots. You need to perform the next action to complete the task. \n\n"
              "## Output Format\n\nAction: ...\n\n\n## Action Space\n"
              "click(start_box='<|box_start|>(x1,y1)<|box_end|>')\n\n## User Instruction\n{d}",
    "seeclick": 'In this UI screenshot, what is the position of the element corresponding to the '
                'command "{d}" (with point)?',
    "aguvis": "Please generate the next move according to the ui screenshot, instruction and "
              "previous actions.\n\nInstruction: {d}\n\nPrevious actions:\nNone\n",
}
USER_PROMPTS["uitars15"] = USER_PROMPTS["uitars"]
SYSTEM_PROMPTS = {
    "gta1": "You are an expert UI element locator. Given a GUI image and a user's element "
            "description, provide the coordinates of the specified element as a single (x,y) "
            "point. The image resolution is height {h} and width {w}. For elements with area, "
            "return the center point.\n\nOutput the coordinate pair exactly:\n(x,y)",
    "aguvis": "You are a GUI agent. You are given a task and a screenshot of the screen. You need "
              "to perform a series of pyautogui actions to complete the task.",
}
SENT = {"gta1": (1932, 1092), "qwen25vl": (1932, 1092), "uitars15": (1932, 1092)}


@dataclass(frozen=True)
class Answer:
    """How a fake model writes the point (x, y), given in pixels of the image it was sent."""

    family: str
    write: Callable[[float, float, int, int], str]  # (x, y, width, height) of the image sent
    unit: Callable[[int, int], float]  # the answer's quantum along an axis of `size` pixels

    def __str__(self) -> str:
        return self.family


def _k(v: float, size: int) -> int:  # 0–1000, integers
    return round(v / size * 1000)


def _box_k(x: float, y: float, w: int, h: int) -> tuple[int, int, int, int]:
    return _k(x - 12, w), _k(y - 7, h), _k(x + 12, w), _k(y + 7, h)


PER_MILLE = lambda sent, size: size / 1000  # noqa: E731
PIXEL = lambda sent, size: size / sent  # noqa: E731
HUNDREDTH = lambda sent, size: size / 100  # noqa: E731
TEN_THOUSANDTH = lambda sent, size: size / 10000  # noqa: E731

ANSWERS = [
    Answer("uground", lambda x, y, w, h: f"({_k(x, w)}, {_k(y, h)})", PER_MILLE),
    Answer("gta1", lambda x, y, w, h: f"({round(x)},{round(y)})", PIXEL),
    Answer("qwen25vl", lambda x, y, w, h: f"[{round(x)}, {round(y)}]", PIXEL),
    Answer("qwen25vl", lambda x, y, w, h: (
        f'```json\n[\n\t{{"bbox_2d": [{round(x - 30)}, {round(y - 9)}, {round(x + 30)}, '
        f'{round(y + 9)}], "label": "Search flights button"}}\n]\n```'), PIXEL),
    Answer("qwen25vl", lambda x, y, w, h: (
        '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", '
        f'"coordinate": [{round(x)}, {round(y)}]}}}}\n</tool_call>'), PIXEL),
    Answer("qwen2vl", lambda x, y, w, h: (
        "<|object_ref_start|>Search flights<|object_ref_end|><|box_start|>({},{}),({},{})"
        "<|box_end|>".format(*_box_k(x, y, w, h))), PER_MILLE),
    Answer("qwenvl", lambda x, y, w, h: (
        "<ref>Search flights</ref><box>({},{}),({},{})</box>".format(*_box_k(x, y, w, h))),
        PER_MILLE),
    Answer("osatlas", lambda x, y, w, h: (
        "<|object_ref_start|>Search flights<|object_ref_end|><|box_start|>({},{}),({},{})"
        "<|box_end|><|im_end|>".format(*_box_k(x, y, w, h))), PER_MILLE),
    Answer("osatlas", lambda x, y, w, h: f"[[{_k(x, w)},{_k(y, h)}]]", PER_MILLE),
    Answer("uitars", lambda x, y, w, h: (
        f"Action: click(start_box='<|box_start|>({_k(x, w)},{_k(y, h)})<|box_end|>')"),
        PER_MILLE),
    Answer("uitars15", lambda x, y, w, h: (
        f"Thought: The Search flights button.\nAction: click(start_box='({round(x)},{round(y)})')"),
        PIXEL),
    Answer("uitars15", lambda x, y, w, h: (
        f"Action: click(point='<point>{round(x)} {round(y)}</point>')"), PIXEL),
    Answer("seeclick", lambda x, y, w, h: f"({x / w:.2f},{y / h:.2f})", HUNDREDTH),
    Answer("aguvis", lambda x, y, w, h: (
        "Thought: I need the Search flights button.\nos\n"
        f"pyautogui.click(x={x / w:.4f}, y={y / h:.4f})"), TEN_THOUSANDTH),
]


def test_every_family_has_a_round_trip_case() -> None:
    assert {answer.family for answer in ANSWERS} == set(CONTRACT_FAMILIES)


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_model_grounder_round_trip(answer: Answer) -> None:
    family = FAMILIES[answer.family]
    sent = SENT.get(answer.family, SCREEN)

    def reply(request: ChatRequest) -> str:
        width, height = request.last_image_size()
        return answer.write(TARGET[0] * width / SCREEN[0], TARGET[1] * height / SCREEN[1],
                            width, height)

    with FakeChatServer(reply) as server:
        grounding = ModelGrounder(client_for(server), "m", family).ground(
            screenshot(*SCREEN), DESCRIPTION)
    request = server.requests[0]

    # the image the model sees: the family's sent size, decoded from the request
    assert request.last_image_size() == sent == family.sent_size(SCREEN)
    # the family's own prompt, and the system prompt (with the sent size) where it has one
    assert request.last_user_text() == USER_PROMPTS[answer.family].format(d=DESCRIPTION)
    system = [m["content"] for m in request.messages if m.get("role") == "system"]
    expected_system = SYSTEM_PROMPTS.get(answer.family)
    assert system == ([] if expected_system is None
                      else [expected_system.format(w=sent[0], h=sent[1])])
    # the answer comes back as the target, within 0.5 px plus half the answer's quantum
    assert grounding.raw == request_reply(answer, sent)
    for axis in (0, 1):
        tolerance = 0.5 + answer.unit(sent[axis], SCREEN[axis]) / 2
        assert abs(grounding.point[axis] - TARGET[axis]) <= tolerance


def request_reply(answer: Answer, sent: tuple[int, int]) -> str:
    return answer.write(TARGET[0] * sent[0] / SCREEN[0], TARGET[1] * sent[1] / SCREEN[1], *sent)


def test_gta1_system_prompt_states_the_resized_size_not_the_screenshot_size() -> None:
    family = FAMILIES["gta1"]
    sent = family.sent_size((2560, 1440))
    messages = family.messages(b"png", "x", sent)
    assert messages[0]["role"] == "system"
    assert f"height {sent[1]} and width {sent[0]}" in messages[0]["content"]
    assert sent != (2560, 1440)


# ------------------------------------------------------------------ model text is data, not code

SOURCES = [ROOT / "agent" / "grounding" / "families.py", ROOT / "agent" / "grounding" / "points.py"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_parsers_never_run_model_text(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w.])(eval|exec|compile|__import__)\s*\(", source)
    assert "literal_eval" not in source
    assert not re.search(r"^\s*(import ast|from ast\b)", source, re.MULTILINE)
