"""Raw answers published with ScreenSpot-Pro evaluations, replayed through the families.

Each record is copied from a public result file (source beside it): the model's raw answer and
the evaluator's published point in original pixels. The screenshots themselves are not here; their
sizes are the two the Quartus screenshots of ScreenSpot-Pro come in, 2560x1440 and 1920x1080, as
the published points imply. What is tested is the reading: the family must turn the raw text —
special tokens, a repeated token, `<|im_end|>`, prose after the box — into the published point.
"""

from __future__ import annotations

import pytest

from agent.families import FAMILIES

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
