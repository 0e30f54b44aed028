"""One interactive element found on a screenshot (widgets.py finds them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agent.grounding.ocr.engines import Box, OcrWord

__all__ = ["Widget", "WidgetKind"]

WidgetKind = Literal["button", "field", "checkbox", "radio", "tab", "link", "icon"]

@dataclass(frozen=True)
class Widget:
    """One interactive element; boxes in screenshot pixels."""

    kind: WidgetKind
    box: Box  # a button's/field's border box, a mark's square, a link's text box
    text: str = ""  # inside a button/tab/link; the label of a field/checkbox/radio
    text_box: Box | None = None
    words: tuple[OcrWord, ...] = ()
    checked: bool | None = None  # a checkbox's or radio button's state when visible
    inner: tuple[OcrWord, ...] = ()  # a labelled field's own text (placeholder, value)
    menu: bool = False  # a field that is a drop-down: its arrow seen at its right end
