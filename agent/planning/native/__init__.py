"""Native computer-use models as the planner (`--planner-format`): each model's own prompt and
answer format, its points converted to screenshot pixels (no grounder)."""

from __future__ import annotations

from agent.planning.native.aguvis import AGUVIS
from agent.planning.native.base import NativeFormat, NativePlanner
from agent.planning.native.opencua import OPENCUA
from agent.planning.native.qwen import QWEN3VL, QWEN25VL
from agent.planning.native.uitars import UITARS

__all__ = ["NATIVE_FORMATS", "NativeFormat", "NativePlanner"]

NATIVE_FORMATS: dict[str, NativeFormat] = {
    fmt.name: fmt for fmt in (UITARS, QWEN25VL, QWEN3VL, OPENCUA, AGUVIS)}
