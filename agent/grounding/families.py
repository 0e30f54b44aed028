"""The grounding-model families `--grounder` knows (CONTRACTS §5); user code may add more.

Each family is the model's own documented prompt (prompts/<family>*.j2, each citing its source),
its answer parser (agent/grounding/points.py), the coordinate space of its answers, and the resize
its server applies when the answers are pixels of the resized image (the runtime resizes first, so
the size the model saw is known). Families whose answers are normalised (0–1000, 0–1) send the
screenshot as captured: the server may resize it as it likes.
"""

from __future__ import annotations

from agent.grounding.grounder import Family
from agent.grounding.points import (
    parse_aguvis,
    parse_box_tokens,
    parse_gelato,
    parse_gemini,
    parse_glm,
    parse_holo,
    parse_infigui,
    parse_internvl,
    parse_maiui,
    parse_opencua,
    parse_pair,
    parse_phiground,
    parse_point_or_box,
    parse_qwen2vl,
    parse_qwen3vl,
    parse_qwenvl,
    parse_uitars,
    parse_uivenus15,
)
from agent.grounding.resize import PaddedCanvas, SmartResize

__all__ = ["FAMILIES", "register_family"]

FAMILIES: dict[str, Family] = {}


def register_family(family: Family) -> Family:
    """Make a family available to `--grounder` by its name."""
    FAMILIES[family.name] = family
    return family


# UGround-V1 (osunlp/UGround-V1-2B/7B/72B model cards, "Inference"; OSU-NLP-Group/UGround):
# "(x, y)" in [0, 1000) of the image sent, its prompt in prompts/uground.j2; the image goes
# unresized.
register_family(Family(name="uground", template="uground.j2", space="norm1000", parse=parse_pair))

# GTA1 (Salesforce/GTA1-7B model card "Inference", Yan98/GTA1): "(x,y)" in pixels of the
# smart-resized image, whose size the system prompt states; the model card resizes with
# max_pixels 4096·2160. Replayed against GTA1-7B's published outputs (mlfoundations/Gelato
# evaluation/logs/*gta1-7b-2507.json: max_pixels 8847360, factor 28; tests/grounding/published).
register_family(Family(
    name="gta1", template="gta1.j2", system_template="gta1_system.j2", space="pixels",
    parse=parse_pair, resize=SmartResize(factor=28, min_pixels=3136, max_pixels=4096 * 2160),
))

# Qwen2.5-VL (and fine-tunes such as ZonUI-3B): absolute pixels of the image the processor saw
# (QwenLM/Qwen2.5-VL cookbooks/spatial_understanding.ipynb, computer_use.ipynb; default min/max
# pixels of the Qwen2.5-VL image processor, Qwen/Qwen2.5-VL-7B-Instruct preprocessor_config.json).
register_family(Family(
    name="qwen25vl", template="qwen25vl.j2", space="pixels", parse=parse_point_or_box,
    resize=SmartResize(factor=28, min_pixels=3136, max_pixels=12845056),
))

# Qwen2-VL, Qwen-VL and OS-Atlas-Base-7B (a Qwen2-VL fine-tune): boxes in [0, 1000) (Qwen2-VL
# report arXiv 2409.12191 §2.2.1; QwenLM/Qwen-VL eval_mm/evaluate_grounding.py; OS-Copilot/OS-Atlas
# README). Several boxes are read as the ScreenSpot-Pro evaluators read them
# (likaixin2000/ScreenSpot-Pro-GUI-Grounding @ bd8bbbb): Qwen2-VL's and Qwen-VL's the last
# (models/qwen2vl.py, models/qwen1vl.py `extract_bbox`), OS-Atlas' the first (models/osatlas7b.py).
register_family(Family(name="qwen2vl", template="qwen2vl.j2", space="norm1000",
                       parse=parse_qwen2vl))
register_family(Family(name="qwenvl", template="qwenvl.j2", space="norm1000",
                       parse=parse_qwenvl))
register_family(Family(name="osatlas", template="osatlas.j2", space="norm1000",
                       parse=parse_box_tokens))

# UI-TARS (0–1000) and UI-TARS-1.5 (pixels of the image resized with 100·28² … 16384·28²):
# the same grounding prompt and action syntax (bytedance/UI-TARS codes/prompts.py GROUNDING,
# README_coordinates.md for UI-TARS-1.5's space and resize).
register_family(Family(name="uitars", template="uitars.j2", space="norm1000", parse=parse_uitars))
register_family(Family(
    name="uitars15", template="uitars.j2", space="pixels", parse=parse_uitars,
    resize=SmartResize(factor=28, min_pixels=100 * 28 * 28, max_pixels=16384 * 28 * 28),
))

# SeeClick (Qwen-VL based): "(0.17,0.06)", fractions of the image (njucckevin/SeeClick readme.md
# "Inference code").
register_family(Family(name="seeclick", template="seeclick.j2", space="norm1",
                       parse=parse_point_or_box))

# Aguvis: pyautogui code with fractions of the image, possibly after an inner monologue; the
# grounding system prompt and user instruction of its inference code (xlang-ai/aguvis
# src/aguvis/constants.py, src/aguvis/serve/cli.py mode "grounding").
register_family(Family(
    name="aguvis", template="aguvis.j2", system_template="aguvis_system.j2", space="norm1",
    parse=parse_aguvis, max_tokens=512,
))


# ------------------------------------------------------------------ 2025–26 models (issue 11)
# Qwen3-VL's image processor: patch 16 × merge 2 = factor 32, 65536 … 16777216 pixels
# (Qwen/Qwen3-VL-*-Instruct preprocessor_config.json "size": shortest_edge / longest_edge).
_QWEN3 = SmartResize(factor=32, min_pixels=65536, max_pixels=16777216)

# Qwen3-VL (and fine-tunes keeping its format): relative 0–1000 points and boxes.
register_family(Family(name="qwen3vl", template="qwen3vl.j2", space="norm1000",
                       parse=parse_qwen3vl, resize=_QWEN3))

# OpenCUA-7B/32B/72B and GTA1-2510 (trained on OpenCUA data): `pyautogui.click(x=, y=)` in
# pixels of the Qwen2.5-VL-resized image (xlang-ai/OpenCUA README: `--coordinate_type qwen25`);
# its grounding system prompt and max_new_tokens 512 from model/inference/huggingface_inference.py.
register_family(Family(
    name="opencua", template="opencua.j2", system_template="opencua_system.j2", space="pixels",
    parse=parse_opencua, resize=SmartResize(factor=28, min_pixels=3136, max_pixels=12845056),
    max_tokens=512,
))

# Gelato-30B-A3B (mlfoundations/Gelato evaluation/run_grounding_eval.py): text, image, then the
# instruction; `(x, y)` in 0–1000; the client smart-resizes with factor 32 (model type qwen3)
# and max_pixels 10,000,000, as its published evaluations ran (evaluation/README.md commands,
# the logs' metadata; the script's own default is 4,000,000); max_new_tokens 32.
register_family(Family(
    name="gelato", preamble_template="gelato_preamble.j2", template="gelato.j2",
    space="norm1000", parse=parse_gelato,
    resize=SmartResize(factor=32, min_pixels=4 * 32 * 32, max_pixels=10_000_000), max_tokens=32,
))

# UI-Venus-Ground-7B/72B 1.0 (inclusionAI/UI-Venus @ fc7670d models/grounding/
# ui_venus_ground_7b.py): a box in pixels of the image resized with min_pixels 2,000,000 and
# max_pixels 4,800,000 (it divides by image_grid_thw × 14), centre taken.
register_family(Family(
    name="uivenus", template="uivenus.j2", space="pixels", parse=parse_point_or_box,
    resize=SmartResize(factor=28, min_pixels=2_000_000, max_pixels=4_800_000),
))

# UI-Venus-1.5 (inclusionAI/UI-Venus models/grounding/ui_venus1_5_gd.py): `[x, y]` in 0–1000,
# `[-1,-1]` = infeasible.
register_family(Family(name="uivenus15", template="uivenus15.j2", space="norm1000",
                       parse=parse_uivenus15))

# Holo1 / Holo1.5 (Qwen2.5-VL fine-tunes): pixels of the image the client resized with
# hcompai/hai-cookbook utils/image.py `smart_resize` defaults (28, 56·56 … 14·14·4·1280).
register_family(Family(
    name="holo15", template="holo15.j2", space="pixels", parse=parse_holo,
    resize=SmartResize(factor=28, min_pixels=56 * 56, max_pixels=14 * 14 * 4 * 1280),
))

# Holo2 (Qwen3-VL fine-tunes): `{"x", "y"}` in 0–1000, the image smart-resized with factor 32,
# 64·32² … 16384·32² (hcompai/hai-cookbook holo2/holo_2_localization_hosted_api.ipynb); thinking
# off at the request level as holo2/deploy_with_vllm.md says for a server without a reasoning
# parser.
register_family(Family(
    name="holo2", template="holo2.j2", space="norm1000", parse=parse_holo,
    resize=SmartResize(factor=32, min_pixels=64 * 32 * 32, max_pixels=16384 * 32 * 32),
    extra_body={"chat_template_kwargs": {"thinking": False}},
))

# GLM-4.1V / 4.5V (zai-org/GLM-V README "Grounding"): boxes normalised ×1000 between box
# tokens, after a thinking part (hence the token budget).
register_family(Family(name="glm45v", template="glm45v.j2", space="norm1000", parse=parse_glm,
                       max_tokens=4096))

# MAI-UI: `[x, y]` relative ×1000 after its grounding thinking, as its published evaluation
# converts it (Tongyi-MAI/MAI-UI @ 4dd07b9 evaluation/grounding/eval_server.py `related_x /
# 1000.0`); max_tokens 256 and the resize of that evaluation (factor 32, min 16·16·4, max_pixels
# 6553600). Its agent code divides by 999 (src/mai_grounding_agent.py SCALE_FACTOR); the
# published outputs win: read as 0–999, 17 of its 1,581 ScreenSpot-Pro answers score
# differently from the published 1,060 (all of them wrong where published right), read as
# 0–1000 none do (tests/grounding/published/README.md).
register_family(Family(
    name="maiui", preamble_template="maiui.j2", template=None,
    system_template="maiui_system.j2", space="norm1000", parse=parse_maiui, max_tokens=256,
    resize=SmartResize(factor=32, min_pixels=16 * 16 * 4, max_pixels=6553600),
))

# InfiGUI-G1 (InfiXAI/InfiGUI-G1 eval/eval.py): `point_2d` in pixels of the image scaled to at
# most 5600·28² pixels, then smart-resized (28, 3136 … 12845056); the prompt states that size.
register_family(Family(
    name="infigui", template="infigui.j2", system_template="infigui_system.j2", space="pixels",
    parse=parse_infigui, max_tokens=1024,
    resize=SmartResize(factor=28, min_pixels=3136, max_pixels=12845056,
                       pre_max_pixels=5600 * 28 * 28),
))

# InternVL3 / 3.5: its grounding prompt and `[[x1, y1, x2, y2]]` ×1000 (OpenGVLab/InternVL
# internvl_chat/eval/refcoco/evaluate_grounding.py: prompt, /1000, max_new_tokens 100).
register_family(Family(name="internvl", template="internvl.j2", space="norm1000",
                       parse=parse_internvl, max_tokens=100))

# Gemini through Google's OpenAI-compatible endpoint: points `[y, x]` and boxes
# `[ymin, xmin, ymax, xmax]` in 0–1000 (ai.google.dev/gemini-api/docs/robotics-spatial "Point
# to objects"; docs/image-understanding object detection); thinking models spend tokens first.
register_family(Family(name="gemini", template="gemini.j2", space="norm1000",
                       parse=parse_gemini, axes="yx", max_tokens=2048))

# Phi-Ground: instruction first, then the image scaled into a white 1008×672 canvas at its
# top-left corner; a box ×1000 of the canvas, mapped back through the one scale
# (microsoft/Phi-Ground README "Input Formats"; benchmark/CUActSpot configs max_tokens 64 and
# cuactspot/components/transforms.py `PhiGroundRelativeCoordinateTransformer`).
register_family(Family(name="phiground", preamble_template="phiground.j2", template=None,
                       space="norm1000", parse=parse_phiground, canvas=PaddedCanvas(),
                       max_tokens=64))
