"""A modal dialog: a bright box over a dimmed screen. What lies behind its overlay cannot be
clicked (the overlay takes the click), so candidates inside the dialog win over those behind."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PIL import Image, ImageStat

from agent.grounding.ocr.candidate import Candidate, centre, inside, rescored
from agent.grounding.ocr.engines import Box, OcrWord

__all__ = ["behind_modal", "modal_box", "with_dialog_read"]

SCALE = 4  # the screen is looked at this many times smaller: a dialog is large
LIGHT = 200  # a dialog's ground is at least this light (grey)
BEHIND = 0.4  # a candidate behind the overlay keeps this share of its score
DIMMED_PAGE = (90, 150)  # mean grey around a dialog over a light page dimmed by its overlay
DIMMED_MOST = 180  # a light overlay (black at 35%: a white page at 166) still dims: no mean
# grey of the rest above this, and no light ground left in it


def modal_box(image: Image.Image) -> Box | None:
    """The box of a light dialog over a screen otherwise dim (nothing else light on it), or
    None: a normal screen has light grounds everywhere."""
    width, height = image.size
    if width < 64 or height < 64:
        return None
    try:  # the widget finder's dependencies (the ocr extra): no modal without them
        import cv2
        import numpy as np
    except ImportError:
        return None
    small = np.asarray(image.convert("L").resize((width // SCALE, height // SCALE),
                                                 Image.Resampling.BOX), np.int16)
    light = small >= LIGHT
    if not light.any():
        return None
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(light.astype(np.uint8),
                                                                connectivity=4)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h, area = (int(v) for v in stats[biggest])
    screen = small.shape[0] * small.shape[1]
    if not 0.01 * screen <= w * h <= 0.7 * screen or area < 0.6 * w * h:
        return None  # no box, or the whole screen (a page with a light ground)
    outside = np.ones_like(light)
    outside[y:y + h, x:x + w] = False
    if light[outside].mean() > 0.02 or small[outside].mean() > DIMMED_MOST:
        return None  # the rest is not dimmed: a panel on a page, not a dialog over it
    return (float(x * SCALE), float(y * SCALE), float((x + w) * SCALE), float((y + h) * SCALE))


def behind_modal(found: Sequence[Candidate], modal: Box | None) -> list[Candidate]:
    """`found` with the candidates behind a modal dialog's overlay weakened, when any is in
    the dialog."""
    if modal is None or not any(inside(c.point, modal) for c in found):
        return list(found)
    return [c if inside(c.point, modal) else rescored(c, BEHIND) for c in found]


def with_dialog_read(image: Image.Image, words: Sequence[OcrWord],
                     read: Callable[[Image.Image], list[OcrWord]]) -> list[OcrWord]:
    """`words` read from the whole of `image`, with a modal dialog's read again from its own
    crop, kept when it reads surer. tesseract binarises a band at once, and a dimmed page
    around a light dialog garbled the dialog's small text (the blind trial's share dialog at
    100%: "Notify people" read as "a people", a field's placeholder not at all); the dialog
    alone read every word."""
    box = modal_box(image)
    if box is None or not DIMMED_PAGE[0] <= _ground_around(image, box) <= DIMMED_PAGE[1]:
        return list(words)  # no dialog, or a window on a dark desktop: read well as it is
    left, top = round(box[0]), round(box[1])
    crop = image.crop((left, top, round(box[2]), round(box[3])))
    # Lines of their own: a line key read in the crop must not join one of the screen's.
    dialog = [replace(word.moved(left, top), line=(-2, *word.line)) for word in read(crop)]
    outside = [w for w in words if not inside(centre(w.box), box)]
    screens = [w for w in words if inside(centre(w.box), box)]
    # The surer reading wins: a grey Tk window alone on a black desktop reads nothing at
    # all (tesseract's threshold falls between its grey and its white fields).
    return outside + dialog if _sureness(dialog) > _sureness(screens) else list(words)


def _ground_around(image: Image.Image, box: Box) -> float:
    """The mean grey of the screen around `box`, looked at SCALE times smaller."""
    small = image.convert("L").reduce(SCALE)
    mask = Image.new("L", small.size, 255)
    left, top, right, bottom = (round(v / SCALE) for v in box)
    mask.paste(0, (left, top, right, bottom))
    return float(ImageStat.Stat(small, mask).mean[0])


def _sureness(words: Sequence[OcrWord]) -> float:
    """Letters and digits read, each weighted by its word's confidence."""
    return sum(sum(c.isalnum() for c in w.text) * w.confidence for w in words)
