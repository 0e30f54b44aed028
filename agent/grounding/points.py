"""Reading a point out of a grounding model's answer — regular expressions only, nothing is run.

Every answer format of CONTRACTS §5 is made of a few *shapes*: regular expressions whose groups
are numbers. Two numbers are a point; four are a box ``(x1, y1, x2, y2)``, which stands for its
centre. An `AnswerParser` looks for its shapes and keeps the candidate that starts first in the
text (the longest one when two start at the same place, so ``(1,2),(3,4)`` is a box, not the
point ``(1,2)``). Numbers keep their decimals and sign; whether a point lies in the answer's
range is `Family.to_image_pixels`' business.

Qwen2-VL and Qwen-VL are the exception: `LastBoxParser` reads them as their ScreenSpot-Pro
evaluator does, the last box between box tokens counting.

A parser may first look at part of the answer (the text after UI-TARS' ``Action:``, after
Aguvis' ``<|recipient|>os``), and may try some shapes before the others (a ``pyautogui.click``
call before a pair in the monologue); the whole answer and the other shapes come next.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from agent.errors import ModelReplyError

__all__ = [
    "AnswerParser",
    "Located",
    "NamedGroupParser",
    "TargetNotFound",
    "parse_aguvis",
    "parse_box_tokens",
    "parse_gelato",
    "parse_gemini",
    "parse_glm",
    "parse_holo",
    "parse_infigui",
    "parse_internvl",
    "parse_maiui",
    "parse_opencua",
    "parse_pair",
    "parse_phiground",
    "parse_point_or_box",
    "parse_qwen2vl",
    "parse_qwen3vl",
    "parse_qwenvl",
    "parse_uitars",
    "parse_uivenus15",
]

Point = tuple[float, float]


class Located(tuple[float, float]):
    """A point read from an answer; `box` is the box it is the centre of, when the answer gave
    one (a box is in range only when all of it is, not just its centre)."""

    box: tuple[float, float, float, float] | None

    def __new__(cls, x: float, y: float,
                box: tuple[float, float, float, float] | None = None) -> Located:
        located = super().__new__(cls, (x, y))
        located.box = box
        return located

# A number as models write it: 12, 12.5, .5, 12. (a sign is kept, and rejected by the range check).
# Every family reads numbers with this one grammar; no exponents, no inf/nan.
_N = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+))"
_C = r"\s*,\s*"  # a comma between numbers
_W = r"[\s,]+"  # spaces (or commas) between numbers inside a tag


def _shape(pattern: str) -> re.Pattern[str]:
    """A regular expression written with `N` for a number and `,` for a comma with optional
    spaces around it (the patterns below use no other capital N and no other comma)."""
    return re.compile(pattern.replace("N", _N).replace(",", _C))


# (x, y) and [x, y]; also `"coordinate": [x, y]`, `"point_2d": [x, y]`, `[[x,y]]`, `(x,y)` in
# `start_box='(x,y)'`, and a one-point `<|box_start|>(x,y)<|box_end|>`.
PAIR = _shape(r"\(\s*N,N\s*\)|\[\s*N,N\s*\]")
# [x1, y1, x2, y2] and (x1,y1,x2,y2) → centre: `"bbox_2d": [...]`, `[[x1,y1,x2,y2]]`,
# `start_box='(x1,y1,x2,y2)'`, SeeClick's `(left, top, right, down)`.
BOX = _shape(r"\(\s*N,N,N,N\s*\)|\[\s*N,N,N,N\s*\]")
# (x1,y1),(x2,y2) → centre: the body of Qwen's box tokens, with or without the tokens (a server
# that skips special tokens, vLLM's default, strips `<|box_start|>`/`<|box_end|>` and `<box>`).
CORNERS = _shape(r"\(\s*N,N\s*\),\(\s*N,N\s*\)")
# The same inside the tokens themselves, looked for first: the text before them (the object
# reference, a monologue) may hold numbers of its own.
BOX_TOKENS = _shape(r"(?:<\|box_start\|>|<box>)\s*\(\s*N,N\s*\)(?:,\(\s*N,N\s*\))?\s*"
                    r"(?:<\|box_end\|>|</box>)")
# UI-TARS-1.5: <point>x y</point> and <bbox>x1 y1 x2 y2</bbox>.
POINT_TAG = re.compile(rf"<point>\s*{_N}{_W}{_N}\s*</point>")
BBOX_TAG = re.compile(rf"<bbox>\s*{_N}{_W}{_N}{_W}{_N}{_W}{_N}\s*</bbox>")
# Aguvis: the first two arguments of a pyautogui / mobile / browser call, by keyword or position
# (`pyautogui.click(x=0.11, y=0.07)`, `pyautogui.moveTo(0.5, 0.5)`, `mobile.long_press(x=…, y=…)`),
# or a coordinate list argument (`mobile.swipe(from_coord=[0.5, 0.8], to_coord=[…])`).
CALL = _shape(r"\b(?:pyautogui|mobile|browser)\.\w+\(\s*(?:x\s*=\s*)?N,(?:y\s*=\s*)?N"
              r"|\b(?:pyautogui|mobile|browser)\.\w+\(\s*\w+\s*=\s*\[\s*N,N\s*\]")
# [x1, y1], [x2, y2] → centre (UI-Venus-1.5's `_parse_point` reads two bracketed corners).
BRACKET_CORNERS = _shape(r"\[\s*N,N\s*\],\[\s*N,N\s*\]")
# {"x": 240, "y": 490}: a JSON object with x then y keys (Holo1.5 / Holo2 click schemas).
XY_JSON = _shape(r"[\"']x[\"']\s*:\s*N,[\"']y[\"']\s*:\s*N")
# GLM-4.1V/4.5V: a point or box between <|begin_of_box|> and <|end_of_box|>, in any of the
# bracket styles its README allows ([], [[]], ()).
GLM_BOX = _shape(r"<\|begin_of_box\|>\s*[\[(]*\s*N,N(?:,N,N)?\s*[\])]*\s*<\|end_of_box\|>")
# Phi-Ground: numbers inside <point>, <bbox> or <box> tags, spaces or commas between them
# (microsoft/Phi-Ground benchmark/CUActSpot cuactspot/components/parsing.py).
PHI_TAG = re.compile(rf"<(?:point|bbox|box)>\s*{_N}{_W}{_N}(?:{_W}{_N}{_W}{_N})?\s*"
                     r"</(?:point|bbox|box)>", re.IGNORECASE)
# x=…, y=… anywhere (a call the CALL shape does not know).
XY_KEYWORDS = _shape(r"\bx\s*=\s*N,y\s*=\s*N")
# An unbracketed `x, y`: only as the whole answer, or its end after "=" / ":" ("x, y = 3, 4",
# "Answer: 12.5, 30."); two numbers inside prose ("2, 3 red buttons") are no point.
BARE_PAIR = _shape(r"(?:^|[=:])\s*N,N\s*\.?\s*\Z")


def first_point(text: str, shapes: tuple[re.Pattern[str], ...]) -> Located | None:
    """The point of the candidate that starts first in `text` (the longest on a tie), or None."""
    best: re.Match[str] | None = None
    for shape in shapes:
        match = shape.search(text)
        if match and (best is None or (match.start(), -match.end()) < (best.start(), -best.end())):
            best = match
    if best is None:
        return None
    numbers = [float(group) for group in best.groups() if group is not None]
    if len(numbers) == 4:
        x1, y1, x2, y2 = numbers
        return Located((x1 + x2) / 2, (y1 + y2) / 2, (x1, y1, x2, y2))
    return Located(numbers[0], numbers[1])


class TargetNotFound(ModelReplyError):
    """The model says the target is not on the screen (a refusal, UI-Venus-1.5's [-1, -1])."""


@dataclass(frozen=True)
class AnswerParser:
    """An answer → the first point (or box centre) it holds, in the family's own space."""

    shapes: tuple[re.Pattern[str], ...]
    expected: str  # what the answer should hold, for the error message
    preferred: tuple[re.Pattern[str], ...] = ()  # shapes tried before `shapes`
    after: str | None = None  # a marker: the text after its first occurrence is read first
    refusal: re.Pattern[str] | None = None  # an answer saying "not there", read before points

    def __call__(self, text: str) -> Located:
        if self.refusal is not None and self.refusal.search(next(self._parts(text))):
            raise TargetNotFound(f"the model says the target is not found: {text[:200]!r}")
        for part in self._parts(text):
            for shapes in (self.preferred, self.shapes):
                point = first_point(part, shapes)
                if point is not None:
                    return point
        raise ModelReplyError(f"no {self.expected} in the answer {text[:200]!r}")

    def _parts(self, text: str) -> Iterator[str]:
        if self.after is not None and self.after in text:
            yield text.split(self.after, 1)[1]
        yield text


@dataclass(frozen=True)
class NamedGroupParser:
    """A user's regular expression with named groups `x`, `y` (a point) or `x1`, `y1`, `x2`,
    `y2` (a box → centre); each group must hold one number of the grammar above."""

    pattern: re.Pattern[str]

    def __call__(self, text: str) -> Located:
        match = self.pattern.search(text)
        if match is None:
            raise ModelReplyError(f"no match of {self.pattern.pattern!r} in the answer "
                                  f"{text[:200]!r}")
        groups = match.groupdict()
        names = ("x1", "y1", "x2", "y2") if groups.get("x1") is not None else ("x", "y")
        numbers = []
        for name in names:
            value = (groups.get(name) or "").strip()
            if not _NUMBER.fullmatch(value):
                raise ModelReplyError(f"no number in group {name!r} ({value!r}) of the answer "
                                      f"{text[:200]!r}")
            numbers.append(float(value))
        if len(numbers) == 4:
            x1, y1, x2, y2 = numbers
            return Located((x1 + x2) / 2, (y1 + y2) / 2, (x1, y1, x2, y2))
        return Located(numbers[0], numbers[1])


_NUMBER = re.compile(_N)


@dataclass(frozen=True)
class LastBoxParser:
    r"""Qwen-VL / Qwen2-VL answers read as the ScreenSpot-Pro evaluator reads them
    (likaixin2000/ScreenSpot-Pro-GUI-Grounding @ bd8bbbb, models/qwen2vl.py and qwen1vl.py):
    when the answer holds the box tokens, the LAST box written exactly as `box` counts (none:
    no point, whatever else the answer holds); without them, the answer's numbers are a point
    when there are exactly two and a box when exactly four (its `pred_2_point`). Numbers follow
    the one grammar above (the evaluator's own read integers in boxes and `-?\d+\.?\d*` outside:
    the same on all 1,581 published Qwen2-VL answers; a sign is then rejected by the range)."""

    tokens: tuple[str, ...]  # all present: the box branch
    box: re.Pattern[str]  # four number groups x1, y1, x2, y2
    expected: str

    def __call__(self, text: str) -> Located:
        if all(token in text for token in self.tokens):
            boxes = self.box.findall(text)
            if not boxes:
                raise ModelReplyError(f"no {self.expected} in the answer {text[:200]!r}")
            return _box_centre([float(v) for v in boxes[-1]])
        numbers = [float(v) for v in _NUMBER.findall(text)]
        if len(numbers) not in (2, 4):
            raise ModelReplyError(f"no {self.expected} in the answer {text[:200]!r} (without "
                                  f"box tokens it needs 2 or 4 numbers, not {len(numbers)})")
        return Located(numbers[0], numbers[1]) if len(numbers) == 2 else _box_centre(numbers)


def _box_centre(box: list[float]) -> Located:
    x1, y1, x2, y2 = box
    return Located((x1 + x2) / 2, (y1 + y2) / 2, (x1, y1, x2, y2))


def _box_between(start: str, end: str) -> re.Pattern[str]:
    """`start(x1,y1),(x2,y2)end`, no spaces: the evaluators' box pattern, with our numbers."""
    return re.compile(rf"{re.escape(start)}\({_N},{_N}\),\({_N},{_N}\){re.escape(end)}")


# UGround, GTA1: the first `(x, y)` or `[x, y]`, else an answer that ends in a bare `x, y`.
parse_pair = AnswerParser(shapes=(BARE_PAIR,), preferred=(PAIR,), expected="(x, y) point")

# Qwen2.5-VL (pixels of the resized image): `[x, y]`, `(x, y)`, `{"bbox_2d": [x1, y1, x2, y2]}`,
# `<tool_call>{"name": "computer_use", "arguments": {"action": …, "coordinate": [x, y]}}
# </tool_call>`; SeeClick (0–1): `(0.17,0.06)` or a `(left, top, right, down)` box.
parse_point_or_box = AnswerParser(
    shapes=(PAIR, BOX), expected="[x, y] / (x, y) point or [x1, y1, x2, y2] box")

# Qwen2-VL: `<|object_ref_start|>…<|object_ref_end|><|box_start|>(x1,y1),(x2,y2)<|box_end|>`,
# the last box counting (models/qwen2vl.py `extract_bbox`: `matches[-1]`); a server that skips
# special tokens leaves `…(x1,y1),(x2,y2)`, read by the two-or-four-numbers rule.
parse_qwen2vl = LastBoxParser(
    tokens=("<|box_start|>", "<|box_end|>"),
    box=_box_between("<|box_start|>", "<|box_end|>"),
    expected="<|box_start|>(x1,y1),(x2,y2)<|box_end|> box")
# Qwen-VL: `<ref>…</ref><box>(x1,y1),(x2,y2)</box>`, the last box counting (models/qwen1vl.py).
parse_qwenvl = LastBoxParser(
    tokens=("<box>",), box=_box_between("<box>", "</box>"),
    expected="<box>(x1,y1),(x2,y2)</box> box")

# OS-Atlas: `<|box_start|>(x1,y1),(x2,y2)<|box_end|>`, the FIRST box-token span counting (the
# same repository's models/osatlas7b.py `extract_bbox` uses re.search); also `[[x,y]]` and
# `[[x1,y1,x2,y2]]` (OS-Atlas-Pro, 0–1000).
parse_box_tokens = AnswerParser(
    shapes=(CORNERS, BOX, PAIR), preferred=(BOX_TOKENS,),
    expected="(x1,y1),(x2,y2) box (box tokens), [[x,y]] point or [[x1,y1,x2,y2]] box")

# UI-TARS / UI-TARS-1.5: `Action: click(start_box='(x,y)')` (box tokens around the pair, or not),
# `click(point='<point>x y</point>')`, a box `(x1,y1),(x2,y2)` / `(x1,y1,x2,y2)` /
# `<bbox>x1 y1 x2 y2</bbox>` → centre. The action part is read before the thought.
parse_uitars = AnswerParser(
    shapes=(CORNERS, BOX, PAIR, POINT_TAG, BBOX_TAG), after="Action:",
    expected="start_box='(x,y)', <point>x y</point> or box in the action")

# Aguvis (0–1): `pyautogui.click(x=0.11, y=0.07)` (moveTo, doubleClick, rightClick, dragTo,
# mobile.long_press, …), after an optional monologue and `<|recipient|>os` marker.
parse_aguvis = AnswerParser(
    shapes=(XY_KEYWORDS, PAIR), preferred=(CALL,), after="<|recipient|>os",
    expected="pyautogui call with x=…, y=… (or a (x, y) point)")

# Qwen3-VL (0–1000): `[{"point_2d": [x, y], "label": …}]`, `{"bbox_2d": [x1, y1, x2, y2]}`,
# `(x, y)`, `{"x": .., "y": ..}`, a computer_use call's `"coordinate": [x, y]`; a thinking
# model's answer is read after `</think>` first.
parse_qwen3vl = AnswerParser(shapes=(PAIR, BOX, XY_JSON), after="</think>",
                             expected="[x, y] point, [x1, y1, x2, y2] box or {\"x\", \"y\"}")

# OpenCUA / GTA1-2510: `pyautogui.click(x=1024, y=512)` (after its `## Action` text).
parse_opencua = AnswerParser(shapes=(XY_KEYWORDS, PAIR), preferred=(CALL,),
                             expected="pyautogui call with x=…, y=…")

# Gelato: the first `(x, y)` (mlfoundations/Gelato evaluation/run_grounding_eval.py
# `parse_click_from_response`); "refusal" anywhere is its "cannot find" answer (same file).
parse_gelato = AnswerParser(shapes=(BARE_PAIR,), preferred=(PAIR,), expected="(x, y) point",
                            refusal=re.compile(r"refusal", re.IGNORECASE))

# UI-Venus-1.5: `[x, y]`, `[x1, y1, x2, y2]` or `[x1, y1], [x2, y2]` (centres); `[-1,-1]` means
# infeasible (inclusionAI/UI-Venus models/grounding/ui_venus1_5_gd.py `_parse_point`).
parse_uivenus15 = AnswerParser(
    shapes=(BRACKET_CORNERS, BOX, PAIR), expected="[x, y] point or [x1, y1, x2, y2] box",
    refusal=re.compile(r"^\s*\[\s*-1\s*,\s*-1\s*\]\s*$"))

# Holo1.5 / Holo2: `{"action": "click_absolute", "x": 342, "y": 345}` / `{"x": 240, "y": 490}`.
parse_holo = AnswerParser(shapes=(PAIR,), preferred=(XY_JSON,), after="</think>",
                          expected='{"x": …, "y": …} click')

# GLM-4.1V / 4.5V: `<|begin_of_box|>[[x1,y1,x2,y2]]<|end_of_box|>` after its thinking; a server
# that skips special tokens leaves the bare box.
parse_glm = AnswerParser(shapes=(BOX, PAIR), preferred=(GLM_BOX,), after="</think>",
                         expected="<|begin_of_box|>[[x1,y1,x2,y2]]<|end_of_box|> box or point")

# MAI-UI: `<grounding_think>…</grounding_think><answer>{"coordinate": [x, y]}</answer>`; the
# first `[x,y]` counts (Tongyi-MAI/MAI-UI evaluation/grounding/models/MAI_UI.py).
parse_maiui = AnswerParser(shapes=(PAIR,), after="<answer>",
                           expected='<answer>{"coordinate": [x, y]}</answer>')

# InfiGUI-G1: `[{"point_2d": [x, y]}, …]` after `</think>`; the first point counts and an
# empty list means no such element (InfiXAI/InfiGUI-G1 eval/prompts.py `calculate_metrics`).
parse_infigui = AnswerParser(shapes=(PAIR,), after="</think>", expected='[{"point_2d": [x, y]}]',
                             refusal=re.compile(r"^\s*\[\s*\]\s*$"))

# InternVL3 / 3.5: `<ref>…</ref><box>[[x1, y1, x2, y2]]</box>`; the first box counts
# (OpenGVLab/InternVL internvl_chat/eval/refcoco/evaluate_grounding.py `PATTERN`, findall[0]).
parse_internvl = AnswerParser(shapes=(BOX, PAIR), after="</ref>",
                              expected="[[x1, y1, x2, y2]] box or [[x, y]] point")

# Gemini: `[{"point": [y, x], "label": …}]` or `{"box_2d": [ymin, xmin, ymax, xmax]}` (the family
# swaps the axes); a fenced ```json block is fine.
parse_gemini = AnswerParser(shapes=(PAIR, BOX), expected='"point": [y, x] or "box_2d" box')

# Phi-Ground: `<bbox>x1, y1, x2, y2</bbox>` / `<point>x, y</point>` (tags first), else a pair.
parse_phiground = AnswerParser(shapes=(BOX, PAIR, BARE_PAIR), preferred=(PHI_TAG,),
                               expected="<bbox>x1, y1, x2, y2</bbox> box or <point>x, y</point>")
