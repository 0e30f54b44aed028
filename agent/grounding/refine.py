"""`--refine zoom`: ground on the whole screenshot, then again on a crop around that answer.

A grounder that sees a high-resolution screen shrunk to its budget loses the small widgets; on a
crop of a quarter of the screen they are four times larger (ScreenSpot-Pro's "zoom-in" results).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent.errors import GroundingError
from agent.grounding.grounder import Grounder, Grounding, ModelGrounder
from agent.records import TokenUsage
from agent.screen import Screenshot

__all__ = ["ZoomGrounder", "ZoomModelGrounder", "with_zoom", "zoom_window"]

Box = tuple[int, int, int, int]
GroundFunction = Callable[[Screenshot, str], Grounding]


def zoom_window(size: tuple[int, int], point: tuple[float, float], window: float) -> Box:
    """(left, top, right, bottom) of the crop: `window` of each side, centred on `point` as far
    as the image allows (kept inside it, never smaller)."""
    if not 0 < window <= 1:
        raise ValueError(f"refine_window must be in (0, 1], not {window}")
    box: list[int] = []
    for side, centre in zip(size, point, strict=True):
        length = max(1, min(side, round(side * window)))
        start = min(max(round(centre - length / 2), 0), side - length)
        box.append(start)
        box.append(start + length)
    return box[0], box[2], box[1], box[3]


def refine_by_zoom(ground: GroundFunction, screenshot: Screenshot, description: str,
                   window: float) -> Grounding:
    """Both passes of `ground`; the second's point mapped back, or the first's when it fails."""
    first = ground(screenshot, description)  # a first failure (not found) is the answer
    box = zoom_window(screenshot.size, first.point, window)
    crop = Screenshot.from_image(screenshot.image.crop(box))
    try:
        second = ground(crop, description)
    except GroundingError as exc:
        tokens = TokenUsage(prompt_tokens=exc.tokens[0], completion_tokens=exc.tokens[1])
        return Grounding(first.point, joined_raw(first.raw, box, exc.raw, str(exc)),
                         first.usage + tokens)
    x, y = second.point
    return Grounding(screenshot.clamp(box[0] + x, box[1] + y),
                     joined_raw(first.raw, box, second.raw), first.usage + second.usage)


def joined_raw(first: str | None, box: Box, second: str | None,
               failure: str | None = None) -> str:
    """Both answers in one string (CONTRACTS §6 keeps `raw` a string), the crop between them."""
    crop = f"[zoom {box[0]},{box[1]},{box[2]},{box[3]}]"
    if failure is not None:  # why the first answer was kept
        crop = f"{crop} (kept the first: {failure})"
    return f"{first or ''}\n{crop}\n{second or ''}"


@dataclass
class ZoomGrounder:
    """Any grounder, refined by zooming into `window` of each side around its first answer."""

    inner: Grounder
    window: float = 0.5

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        return refine_by_zoom(self.inner.ground, screenshot, description, self.window)


class ZoomModelGrounder(ModelGrounder):
    """A `ModelGrounder` that zooms; still one, so runs record and price its model."""

    def __init__(self, grounder: ModelGrounder, window: float = 0.5) -> None:
        super().__init__(grounder.client, grounder.model, grounder.family)
        self.window = window

    def ground(self, screenshot: Screenshot, description: str) -> Grounding:
        return refine_by_zoom(super().ground, screenshot, description, self.window)


def with_zoom(grounder: Grounder, window: float) -> Grounder:
    """`grounder` refined by zooming (a model grounder stays a `ModelGrounder`)."""
    if isinstance(grounder, ModelGrounder):
        return ZoomModelGrounder(grounder, window)
    return ZoomGrounder(grounder, window)
