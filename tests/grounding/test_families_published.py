"""Raw answers published with ScreenSpot-Pro evaluations, replayed through the families.

Each record is copied from a public result file (source beside it): the model's raw answer and
the evaluator's published point in original pixels. The screenshots themselves are not here; their
sizes are those the published points imply (the files carry none). What is tested is the reading:
the family must turn the raw text — special tokens, a repeated token, `<|im_end|>`, prose after
the box, tool calls — into the published point, and find none where the evaluator found none.
Whole application groups of these files (256 answers) were replayed with `agent eval grounding
--replay`: the published accuracy each time, every point within 1e-12 px.
"""

from __future__ import annotations

import pytest

from agent.errors import ModelReplyError
from agent.grounding.families import FAMILIES

# woodhalloween/ScreenSpot-Pro-GUI-Grounding @ 8e0f8fc, results/qwen2vl.json (Qwen2-VL-7B):
# boxes in 0–1000, the evaluator's point is the box centre scaled to the image.
QWEN2VL = [
    ("<|object_ref_start|>the bounding box<|object_ref_end|><|box_start|>(200,10),(344,143)"
     "<|box_end|> corresponding to the instruction \"Close All\"<|im_end|>", (696.32, 110.16)),
    ("<|object_ref_start|>Feedback<|object_ref_end|><|box_start|>(1,1),(996,991)<|box_end|>"
     "<|im_end|>", (1276.16, 714.24)),
    ("<|object_ref_start|><|object_ref_start|>The \"Open\" button<|object_ref_end|><|box_start|>"
     "(871,783),(995,877)<|box_end|><|im_end|>", (2388.48, 1195.2)),
    ("<|object_ref_start|>Undo<|object_ref_end|><|box_start|>(11,858),(35,888)<|box_end|>"
     "<|im_end|>", (58.88, 1257.12)),
]
QWEN2VL_1080P = [
    ("<|object_ref_start|>use zoom tool in Quartus toolbar<|object_ref_end|><|box_start|>"
     "(601,230),(625,250)<|box_end|><|im_end|>", (1176.96, 259.2)),
]


CASES = [(raw, point, (2560, 1440)) for raw, point in QWEN2VL] + [
    (raw, point, (1920, 1080)) for raw, point in QWEN2VL_1080P]


@pytest.mark.parametrize("family", ["qwen2vl", "osatlas"])  # OS-Atlas-Base: a Qwen2-VL tune
@pytest.mark.parametrize(("raw", "published", "size"), CASES)
def test_qwen2vl_answers_give_the_published_points(
    family: str, raw: str, published: tuple[float, float], size: tuple[int, int]
) -> None:
    assert FAMILIES[family].to_original(raw, size) == pytest.approx(published, abs=1e-6)


# woodhalloween/ScreenSpot-Pro-GUI-Grounding @ 4fd44c6, results/qwen25vl.json (Qwen2.5-VL,
# Premiere and Quartus): tool calls in pixels of the smart-resized image (3136 … 12845056).
QWEN25VL = [
    ('<tool_call>\n{"name": "left_click", "arguments": {"coordinate": [1792, 396]}}\n</tool_call>',
     (2560, 1440), (1800.4395604395606, 399.327731092437)),
    ('<tool_call>\n{"name": "function", "arguments": {"action": "left_click", "coordinate": '
     '[360, 662]}}\n</tool_call>', (2560, 1440), (361.69544740973316, 667.5630252100841)),
]
QWEN25VL_NO_POINT = [  # the evaluator found no point in these; neither may a family
    '<tool_call>\n{"name": "key", "arguments": [{"text": "\\\\ue012"}]}\n</tool_call>',
    '<tool_call>\n{"name": "key", "arguments": {"keys": ["left_click", 1042]}}\n</tool_call>',
    '<tool_call>\n{"name": "key", "arguments": {"keys": ["space"]}}\n</tool_call>',
    '<tool_call>\n{"name": "type", "arguments": {"text": "type tool"}}\n</tool_call>',
]

# ZeonLap/ScreenSpot-Pro-GUI-Grounding @ 7dc793e, results/aguvis.json (Aguvis, Inventor
# 3840x1080 and DaVinci 3456x2234): fractions of the image.
AGUVIS = [
    ("pyautogui.click(x=0.1175, y=0.0725)", (3840, 1080), (451.2, 78.3)),
    ("pyautogui.click(x=0.0926, y=0.6133)", (3456, 2234), (320.0256, 1370.1122)),
]


@pytest.mark.parametrize(("family", "raw", "size", "published"),
                         [("qwen25vl", *case) for case in QWEN25VL]
                         + [("aguvis", *case) for case in AGUVIS])
def test_published_answers_give_the_published_points(
    family: str, raw: str, size: tuple[int, int], published: tuple[float, float]
) -> None:
    assert FAMILIES[family].to_original(raw, size) == pytest.approx(published, abs=1e-6)


@pytest.mark.parametrize("raw", QWEN25VL_NO_POINT)
def test_published_answers_without_a_point_give_none(raw: str) -> None:
    with pytest.raises(ModelReplyError):
        FAMILIES["qwen25vl"].to_original(raw, (2560, 1440))
