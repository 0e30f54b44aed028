"""Fakes of the 2025–26 grounding families (issue 11), in the pattern of tests/family_fakes.py
(which imports this module, registering them in its `SPECS`): each reads the description out of
the family's own prompt and answers in its documented format and space."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from agent.testing.fake_server import ChatRequest
from tests.family_fakes import (
    _DESCRIBE,
    _NUM,
    SPECS,
    Box,
    FamilySpec,
    _between,
    _i,
    _system_text,
    _user_only,
)


def _parts(request: ChatRequest) -> list[str]:
    """The last user message's parts in order: texts, and "<image>" for the image."""
    user = [m for m in request.messages if m.get("role") == "user"][-1]["content"]
    return ["<image>" if part.get("type") == "image_url" else str(part.get("text"))
            for part in user]


def _with_system(what: str, marker: str,
                 describe: Callable[[ChatRequest], str]) -> Callable[[ChatRequest], str]:
    def wrapped(request: ChatRequest) -> str:
        if marker not in _system_text(request, what):
            raise ValueError(f"not {what}'s system prompt")
        return describe(request)

    return wrapped


def _describe_gelato(request: ChatRequest) -> str:
    # mlfoundations/Gelato run_grounding_eval.py: text + "\n\n", the image, "\n" + instruction
    parts = _parts(request)
    if len(parts) != 3 or parts[1] != "<image>" or not parts[0].endswith("(x,y)\n\n"):
        raise ValueError(f"not Gelato's text, image, instruction: {parts!r:.300}")
    return _between(parts[2], r"^\n(.*)$", "Gelato")


def _describe_maiui(request: ChatRequest) -> str:
    parts = _parts(request)  # the instruction and a newline, then the image
    if len(parts) != 2 or parts[1] != "<image>" or not parts[0].endswith("\n"):
        raise ValueError(f"not MAI-UI's instruction, image: {parts!r:.300}")
    return parts[0][:-1]


def _describe_infigui(request: ChatRequest) -> str:
    match = re.fullmatch(r"The screen's resolution is (\d+)x(\d+)\.\nLocate the UI element\(s\) "
                         r'for "(.*)", output the coordinates using JSON format: '
                         r'\[\{"point_2d": \[x, y\]\}, \.\.\.\]', request.last_user_text())
    if match is None or (int(match[1]), int(match[2])) != request.last_image_size():
        raise ValueError(f"not InfiGUI-G1's prompt stating the image size: "
                         f"{request.last_user_text()!r:.300}")
    return match[3]


def _holo(schema: str) -> Callable[[ChatRequest], str]:
    return _user_only(lambda t: _between(
        t, r"^Localize an element on the GUI image according to the provided target and output a "
           rf"click position\.\n     \* You must output a valid JSON following the format: "
           rf"\{{.*{schema}.*\}}\n     Your target is:\n(.*)$", "Holo"))


_DESCRIBE.update({
    "qwen3vl": _user_only(lambda t: _between(
        t, r"^Locate (.*) with a point, report its point coordinates in JSON format\.$",
        "Qwen3-VL")),
    "opencua": _with_system("OpenCUA", "You need to perform a series of pyautogui actions",
                            lambda r: r.last_user_text()),
    "gelato": _describe_gelato,
    "uivenus": _user_only(lambda t: _between(
        t, r"^Outline the position corresponding to the instruction: (.*)\. The output should be "
           r"only \[x1,y1,x2,y2\]\.$", "UI-Venus")),
    "uivenus15": _user_only(lambda t: _between(
        t, r"^Output the center point of the position corresponding to the following "
           r"instruction: \n(.*)\. \n\nThe output should just be the coordinates of a point, in "
           r"the format \[x,y\]\. Additionally, .* the output should be \[-1,-1\]\.$",
        "UI-Venus-1.5")),
    "holo15": _holo("'const': 'click_absolute'"),
    "holo2": _holo("normalized between 0 and 1000"),
    "glm45v": _user_only(lambda t: _between(
        t, r"^Help me to locate (.*) in the image and give me its bounding boxes\.$", "GLM")),
    "maiui": _with_system("MAI-UI", "You are a GUI grounding agent.", _describe_maiui),
    "infigui": _with_system("InfiGUI-G1", "You FIRST think about the reasoning process",
                            _describe_infigui),
    "internvl": _user_only(lambda t: _between(
        t, r"^Please provide the bounding box coordinate of the region this sentence describes: "
           r"<ref>(.*)</ref>$", "InternVL")),
    "phiground": lambda r: _between(
        "\n".join(_parts(r)), r"^The description of the element: \n(.*)\n\nLocate the above "
        r"described element in the image\. The output should be bounding box using relative "
        r"coordinates multiplying 1000\.\n<image>$", "Phi-Ground"),
    "gemini": _user_only(lambda t: _between(
        t, r"^Point to (.*) in the image\. The label returned should be .* The points are in "
           r"\[y, x\] format normalized to 0-1000\.$", "Gemini")),
})


def _box_list(b: Box) -> str:
    return "[[{}, {}, {}, {}]]".format(*(_i(v) for v in b))


RECENT_SPECS = [
    # Qwen3-VL: [{"point_2d": [x, y], "label": …}] in 0–1000 of its factor-32 resize.
    FamilySpec("qwen3vl", "norm1000",
               lambda d, p, _b: json.dumps([{"point_2d": [_i(p[0]), _i(p[1])], "label": d}]),
               re.compile(r'\[\{"point_2d": \[\d+, \d+\], "label": .*\}\]'),
               resize=(32, 65536, 16777216)),
    # OpenCUA: its action text, then pyautogui code in pixels of the Qwen2.5-VL resize.
    FamilySpec("opencua", "pixels",
               lambda _d, p, _b: "## Action:\nClick it.\n\n## Code:\n```python\n"
                                 f"pyautogui.click(x={_i(p[0])}, y={_i(p[1])})\n```",
               re.compile(r"## Action:\nClick it\.\n\n## Code:\n```python\n"
                          r"pyautogui\.click\(x=\d+, y=\d+\)\n```"),
               resize=(28, 3136, 12845056)),
    # Gelato: "(x, y)" in 0–1000 of the client's factor-32 resize to ≤ 4M pixels.
    FamilySpec("gelato", "norm1000", lambda _d, p, _b: f"({_i(p[0])}, {_i(p[1])})",
               re.compile(rf"\({_NUM}, {_NUM}\)"), resize=(32, 4096, 10_000_000)),
    # UI-Venus-Ground 1.0: [x1,y1,x2,y2] in pixels of its 2M … 4.8M-pixel resize.
    FamilySpec("uivenus", "pixels", lambda _d, _p, b: "[{},{},{},{}]".format(*map(_i, b)),
               re.compile(r"\[\d+,\d+,\d+,\d+\]"), resize=(28, 2_000_000, 4_800_000),
               box=True),
    # UI-Venus-1.5: [x,y] in 0–1000.
    FamilySpec("uivenus15", "norm1000", lambda _d, p, _b: f"[{_i(p[0])},{_i(p[1])}]",
               re.compile(r"\[\d+,\d+\]")),
    # Holo1.5: ClickAbsoluteAction JSON, pixels of the cookbook's resize.
    FamilySpec("holo15", "pixels",
               lambda _d, p, _b: json.dumps({"action": "click_absolute", "x": _i(p[0]),
                                             "y": _i(p[1])}),
               re.compile(r'\{"action": "click_absolute", "x": \d+, "y": \d+\}'),
               resize=(28, 3136, 14 * 14 * 4 * 1280)),
    # Holo2: ClickCoordinates JSON in 0–1000 of its factor-32 resize.
    FamilySpec("holo2", "norm1000", lambda _d, p, _b: json.dumps({"x": _i(p[0]), "y": _i(p[1])}),
               re.compile(r'\{"x": \d+, "y": \d+\}'), resize=(32, 65536, 16777216)),
    # GLM-4.5V: thinking, then a box between box tokens in the answer, 0–1000.
    FamilySpec("glm45v", "norm1000",
               lambda _d, _p, b: "<think>The element is in the form.</think><answer>"
                                 f"<|begin_of_box|>{_box_list(b)}<|end_of_box|></answer>",
               re.compile(r"<think>.*</think><answer><\|begin_of_box\|>\[\[\d+, \d+, \d+, "
                          r"\d+\]\]<\|end_of_box\|></answer>"), box=True),
    # MAI-UI: grounding thinking, then {"coordinate":[x,y]} ×1000 (published outputs' shape).
    FamilySpec("maiui", "norm1000",
               lambda _d, p, _b: "<grounding_think>\nThought: the element.\n</grounding_think>\n"
                                 f'<answer>\n{{"coordinate":[{_i(p[0])},{_i(p[1])}]}}\n</answer>',
               re.compile(r'<grounding_think>\n.*\n</grounding_think>\n<answer>\n'
                          r'\{"coordinate":\[\d+,\d+\]\}\n</answer>'),
               resize=(32, 1024, 6553600)),
    # InfiGUI-G1: thinking, then [{"point_2d": [x, y]}] in pixels of its two-step resize.
    FamilySpec("infigui", "pixels",
               lambda _d, p, _b: f'<think>Found it.</think>\n[{{"point_2d": [{_i(p[0])}, '
                                 f"{_i(p[1])}]}}]",
               re.compile(r'<think>Found it\.</think>\n\[\{"point_2d": \[\d+, \d+\]\}\]'),
               resize=(28, 3136, 12845056), pre_max=5600 * 28 * 28),
    # InternVL: <ref>…</ref><box>[[x1, y1, x2, y2]]</box>, 0–1000.
    FamilySpec("internvl", "norm1000", lambda d, _p, b: f"<ref>{d}</ref><box>{_box_list(b)}</box>",
               re.compile(r"<ref>.*</ref><box>\[\[\d+, \d+, \d+, \d+\]\]</box>"), box=True),
    # Gemini: ```json [{"point": [y, x], "label": …}]```, 0–1000, y first.
    FamilySpec("gemini", "norm1000",
               lambda d, p, _b: "```json\n" + json.dumps([{"point": [_i(p[1]), _i(p[0])],
                                                           "label": d}]) + "\n```",
               re.compile(r'```json\n\[\{"point": \[\d+, \d+\], "label": .*\}\]\n```')),
    # Phi-Ground: <bbox>x1, y1, x2, y2</bbox> ×1000 of its 1008×672 canvas (README).
    FamilySpec("phiground", "norm1000",
               lambda _d, _p, b: "<bbox>{}, {}, {}, {}</bbox>".format(*map(_i, b)),
               re.compile(r"<bbox>\d+, \d+, \d+, \d+</bbox>"), box=True, canvas=(1008, 672)),
]
SPECS.update({spec.name: spec for spec in RECENT_SPECS})
NAMES = tuple(spec.name for spec in RECENT_SPECS)
