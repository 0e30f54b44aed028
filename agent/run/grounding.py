"""From an action's targets to points on the screenshot: described ones grounded (retried on
fresh screenshots while the action is patient), given points taken as they are."""

from __future__ import annotations

import time
from collections.abc import Callable

from actions import Action, Point
from agent.errors import AgentError, GroundingError
from agent.grounding.grounder import Grounder, Grounding
from agent.records import GroundingRecord, TokenUsage, Usage
from agent.screen import Screenshot

__all__ = ["POLL_INTERVAL", "ground_targets", "ground_within", "text_under"]

POLL_INTERVAL = 0.25  # s between looks while waiting for a target to appear


def ground_targets(
    action: Action,
    shot: Screenshot,
    grounder: Grounder | None,
    usage: Usage | None = None,
    *,
    patience: float = 0.0,
    capture: Callable[[], Screenshot] | None = None,
    given_raw: str | None = None,
) -> list[GroundingRecord]:
    """Each target of `action` as a point: described ones grounded, given points taken as they
    are (the grounder skipped); the grounder's tokens are added to `usage`. With `patience` and
    `capture`, a target not found is looked for again on fresh screenshots that long.
    `given_raw`: the answer the given points came from (a native planner's), recorded."""
    found = []
    for argument, target in action.targets().items():
        if isinstance(target, Point):
            point, raw = shot.clamp(target.x, target.y), given_raw
            shown: str | dict[str, float] = {"x": target.x, "y": target.y}
        else:
            if grounder is None:
                raise GroundingError(f"no grounder is configured to find {target!r}")
            try:
                if patience > 0 and capture is not None:
                    grounding = ground_within(grounder, target, patience, shot, capture)
                else:
                    grounding = grounder.ground(shot, target)
            except GroundingError as exc:  # an unusable answer was paid for too
                _count(usage, TokenUsage(prompt_tokens=exc.tokens[0],
                                         completion_tokens=exc.tokens[1]))
                raise
            _count(usage, grounding.usage)
            point, raw, shown = grounding.point, grounding.raw, target
        found.append(GroundingRecord(argument=argument, target=shown, raw=raw, point=point,
                                     screen_point=shot.to_screen(*point)))
    return found


def _count(usage: Usage | None, spent: TokenUsage) -> None:
    if usage is not None:
        usage.grounder = usage.grounder + spent


def ground_within(
    grounder: Grounder,
    description: str,
    timeout: float,
    first: Screenshot,
    capture: Callable[[], Screenshot],
    interval: float = POLL_INTERVAL,
) -> Grounding:
    """Ground `description`, retrying on fresh captures until it is found or `timeout` passes.

    A model grounder answers with a point at once; the OCR grounder finds nothing (GroundingError)
    until the text is on the screen.
    """
    deadline = time.monotonic() + timeout
    shot = first
    while True:
        try:
            return grounder.ground(shot, description)
        except GroundingError as exc:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if timeout <= 0:
                    raise
                raise GroundingError(
                    f"{description!r} did not appear within {timeout:g} s: {exc}") from None
            time.sleep(min(interval, remaining))  # the last look is at the deadline, not before
            shot = capture()


TEXT_UNDER_BOX = (160, 40)  # px around the point: a button's label, not its neighbours


def text_under(shot: Screenshot, grounding: list[GroundingRecord]) -> str:
    """What the screen says around each point about to be acted on ('' without an OCR engine)."""
    try:
        from agent.grounding.ocr.engines import make_engine

        engine = make_engine()
    except AgentError:
        return ""
    half_w, half_h = TEXT_UNDER_BOX[0] // 2, TEXT_UNDER_BOX[1] // 2
    texts = []
    for entry in grounding:
        x, y = entry.point
        box = (max(0, int(x) - half_w), max(0, int(y) - half_h),
               min(shot.size[0], int(x) + half_w), min(shot.size[1], int(y) + half_h))
        try:
            texts += [word.text for word in engine.read(shot.image.crop(box))]
        except Exception:  # OCR is a hint for the risk check; it never fails a step
            continue
    return " ".join(texts)
