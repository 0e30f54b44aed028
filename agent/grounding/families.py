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
    parse_pair,
    parse_point_or_box,
    parse_uitars,
)
from agent.grounding.resize import SmartResize

__all__ = ["FAMILIES", "register_family"]

FAMILIES: dict[str, Family] = {}


def register_family(family: Family) -> Family:
    """Make a family available to `--grounder` by its name."""
    FAMILIES[family.name] = family
    return family


# UGround-V1 (osunlp): "(x, y)" in [0, 1000) of the image sent; the image goes unresized.
register_family(Family(name="uground", template="uground.j2", space="norm1000", parse=parse_pair))

# GTA1 (Salesforce): "(x,y)" in pixels of the smart-resized image, whose size the system prompt
# states; the model card resizes with max_pixels 4096·2160.
register_family(Family(
    name="gta1", template="gta1.j2", system_template="gta1_system.j2", space="pixels",
    parse=parse_pair, resize=SmartResize(factor=28, min_pixels=3136, max_pixels=4096 * 2160),
))

# Qwen2.5-VL (and fine-tunes such as ZonUI-3B): absolute pixels of the image the processor saw
# (default min/max pixels of the Qwen2.5-VL image processor).
register_family(Family(
    name="qwen25vl", template="qwen25vl.j2", space="pixels", parse=parse_point_or_box,
    resize=SmartResize(factor=28, min_pixels=3136, max_pixels=12845056),
))

# Qwen2-VL, Qwen-VL and OS-Atlas-Base-7B (a Qwen2-VL fine-tune): boxes in [0, 1000).
register_family(Family(name="qwen2vl", template="qwen2vl.j2", space="norm1000",
                       parse=parse_box_tokens))
register_family(Family(name="qwenvl", template="qwenvl.j2", space="norm1000",
                       parse=parse_box_tokens))
register_family(Family(name="osatlas", template="osatlas.j2", space="norm1000",
                       parse=parse_box_tokens))

# UI-TARS (0–1000) and UI-TARS-1.5 (pixels of the image resized with 100·28² … 16384·28²):
# the same grounding prompt and action syntax.
register_family(Family(name="uitars", template="uitars.j2", space="norm1000", parse=parse_uitars))
register_family(Family(
    name="uitars15", template="uitars.j2", space="pixels", parse=parse_uitars,
    resize=SmartResize(factor=28, min_pixels=100 * 28 * 28, max_pixels=16384 * 28 * 28),
))

# SeeClick (Qwen-VL based): "(0.17,0.06)", fractions of the image.
register_family(Family(name="seeclick", template="seeclick.j2", space="norm1",
                       parse=parse_point_or_box))

# Aguvis: pyautogui code with fractions of the image, possibly after an inner monologue; the
# grounding system prompt and user instruction of its inference code.
register_family(Family(
    name="aguvis", template="aguvis.j2", system_template="aguvis_system.j2", space="norm1",
    parse=parse_aguvis, max_tokens=512,
))
