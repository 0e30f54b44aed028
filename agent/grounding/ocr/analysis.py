"""What one screenshot holds once analysed: the words read and the widgets found."""

from __future__ import annotations

from dataclasses import dataclass

from agent.grounding.ocr.engines import Box, OcrWord
from agent.grounding.ocr.rank import WidgetLike

__all__ = ["Analysis"]


@dataclass(frozen=True)
class Analysis:
    """What one screenshot holds: its words, and its widgets (None: not looked for)."""

    words: list[OcrWord]
    widgets: list[WidgetLike] | None
    seconds: float  # how long reading and widget finding took
    appeared: tuple[Box, ...] = ()  # boxes round what changed since the screenshot before
