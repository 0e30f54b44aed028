"""Where the text is on a screenshot, before an engine reads it: light-on-dark areas turned
dark-on-light, the inked part, the height of the text and whether to shrink it."""

from __future__ import annotations

import hashlib
import threading
from array import array
from functools import cache
from typing import Any, Literal

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

__all__ = ["INK", "PAD", "dark_on_light", "inked_area", "pixel_digest", "text_height",
           "text_rows", "text_scale"]

LARGE_TEXT = 34  # px: text lines this tall (300% zoom) are read at half size
TEXT_STRIP = 160  # px: the width of the strips in which text_scale measures lines
INK = 160  # darker than this (after dark_on_light) may be text
PAD = 8  # px kept around the inked part: tesseract wants a margin round its text


MID_GROUND = (150, 210)  # a ground this grey (a coloured bar; not Tk's 217) is made white


def dark_on_light(gray: Image.Image) -> Image.Image:
    """`gray` made dark-on-light (see _dark_on_light); the last few results are kept, as the
    engine and the check for lines it dropped (missed.py) both want a screen's (~25 ms)."""
    key = pixel_digest(gray)
    with _recent_lock:
        result = _recent.get(key)
    if result is None:
        result = _dark_on_light(gray)
        with _recent_lock:  # (a screen may be analysed in the background meanwhile)
            _recent[key] = result
            while len(_recent) > RECENT:
                del _recent[next(iter(_recent))]
    return result


def pixel_digest(image: Image.Image) -> bytes:
    """A short key for an image's pixels, its mode and size included: the same key, the same
    reading (an analysis kept per screenshot, a box's inside read once)."""
    return hashlib.blake2b(image.tobytes(), digest_size=16,
                           person=f"{image.mode}{image.size}".encode()[:16]).digest()


RECENT = 4  # a screen, a dialog's crop read again, and room for a thread's screen
_recent: dict[bytes, Image.Image] = {}
_recent_lock = threading.Lock()


def _dark_on_light(gray: Image.Image) -> Image.Image:
    """`gray` with light-on-dark areas (primary buttons, dark themes) turned dark-on-light, and
    mid-grey grounds (coloured bars) made white.

    tesseract reads dark text on a light ground; white on blue mostly comes back as nothing.
    An area's ground is the median of a sparse sample of its pixels (a sample, not an average,
    so thick white strokes cannot pass for a light ground); inside dark areas, invert. Just
    outside them, keep each pixel or its inverse, whichever is lighter: the median misjudges a
    band along a dark area's edge, and no dark frame should be left around the text. (The 4-px
    sample grid may still leave a line of up to 3 px where an edge falls between samples.)
    """
    step = 4
    sample = gray.resize((max(1, gray.width // step), max(1, gray.height // step)),
                         Image.Resampling.NEAREST)
    # 7 samples: a 28-px neighbourhood, wider than a stroke, narrower than a button.
    grounds = _rank(sample, "median", 7)
    return _whitened(_inverted(gray, grounds), grounds)


def _inverted(gray: Image.Image, grounds: Image.Image) -> Image.Image:
    """`gray` with its dark areas (by the sampled `grounds`) inverted, as dark_on_light says."""
    dark = _opened(grounds.point(lambda v: 255 if v < 128 else 0))
    if dark.getextrema()[1] == 0:
        return gray  # nothing dark: the common light screen costs nothing more
    # Closing fills the specks inside white text that the median took for light ground.
    dark = _rank(_rank(dark, "max", 3), "min", 3)
    near = _rank(dark, "max", 5).resize(gray.size, Image.Resampling.NEAREST)
    inside = dark.resize(gray.size, Image.Resampling.NEAREST)
    inverse = ImageOps.invert(gray)
    # The inverted ground made white: a dark bar turns light grey (216), and in a band that was
    # mostly that grey tesseract's global threshold fell between grey and white and blackened
    # the bar's text ("Products" read as "mente", "Pricing" as "ng").
    ground = ImageStat.Stat(inverse, inside.point(lambda v: 255 if v else 0)).median[0]
    if 0 < ground < 255:
        inverse = inverse.point(lambda v: min(255, v * 255 // ground))
    lightened = Image.composite(ImageChops.lighter(gray, inverse), gray, near)
    return Image.composite(inverse, lightened, inside)


def _whitened(gray: Image.Image, grounds: Image.Image) -> Image.Image:
    """`gray` with its mid-grey areas' ground made white: a yellow menu bar (grey 196 here)
    with dark grey links went black in tesseract's threshold, its words with it."""
    mid = _opened(grounds.point(lambda v: 255 if MID_GROUND[0] <= v < MID_GROUND[1] else 0))
    if mid.getextrema()[1] == 0:
        return gray
    inside = mid.resize(gray.size, Image.Resampling.NEAREST)
    ground = ImageStat.Stat(gray, inside).median[0]
    stretched = gray.point(lambda v: min(255, v * 255 // max(1, ground)))
    return Image.composite(stretched, gray, inside)


def _opened(mask: Image.Image) -> Image.Image:
    """Opening: a ground is at least 5 samples (20 px) across both ways. Without it the median
    took bold headings at 300% zoom (10-px strokes) for dark ground and inverted half of each
    letter: "Settings" read as "Sucve agar"."""
    return _rank(_rank(mask, "min", 5), "max", 5)


def text_scale(height: float | None) -> float:
    """How much to shrink a dark-on-light image for tesseract, given its text's height: by
    half when its text is large.

    Measured on the Chromium page suite at 300% zoom (lines of text ~45 px tall): tesseract
    read neither "Bob" in a table, nor a field's placeholder "First name", nor a Tk dialog's
    "File name:" label, and read all three at half the size (and faster).
    """
    return 0.5 if height is not None and height >= LARGE_TEXT else 1.0


def text_height(gray: Image.Image) -> float | None:
    """The height of a dark-on-light image's lines of text (None: no text seen): the median
    height of the runs of inked rows, counted in strips 160 px wide (a window's edge or a
    field's side inks every row of its strip only) and ignoring runs under 4 px (rules).
    Medians on the page suite: 14-21 px at 100%, 20-33 at 150%, 35-43 at 300%."""
    ink = gray.point(lambda v: 255 if v < INK else 0)
    runs: list[int] = []
    for left in range(0, gray.width, TEXT_STRIP):
        strip = ink.crop((left, 0, min(gray.width, left + TEXT_STRIP), gray.height))
        length = 0
        for value in [*strip.resize((1, gray.height), Image.Resampling.BOX).tobytes(), 0]:
            if value:
                length += 1
            elif length:
                runs += [length] if length >= 4 else []
                length = 0
    runs.sort()
    return float(runs[len(runs) // 2]) if runs else None


RankOp = Literal["median", "min", "max"]
_PILLOW_RANK = {"median": ImageFilter.MedianFilter, "min": ImageFilter.MinFilter,
                "max": ImageFilter.MaxFilter}


def _rank(image: Image.Image, op: RankOp, size: int) -> Image.Image:
    """Pillow's median, min or max filter of a greyscale image; through OpenCV when it is
    installed (the same pixels, edges replicated as Pillow does: ~15x faster, 48 -> 3 ms on
    a busy 1080p screen's sample)."""
    cv2 = _opencv()
    if cv2 is None:
        return image.filter(_PILLOW_RANK[op](size))
    import numpy as np

    pixels = np.asarray(image)
    if op == "median":
        return Image.fromarray(cv2.medianBlur(pixels, size))
    kernel = np.ones((size, size), np.uint8)
    morph = cv2.erode if op == "min" else cv2.dilate
    return Image.fromarray(morph(pixels, kernel, borderType=cv2.BORDER_REPLICATE))


def inked_area(gray: Image.Image) -> tuple[int, int, int, int] | None:
    """The box around all dark pixels of a dark-on-light image, with a margin; None if blank.

    Only this part is read: a small window on a plain desktop costs what the window costs, not
    what the screen does.
    """
    ink = gray.point(lambda v: 255 if v < INK else 0).getbbox()
    if ink is None:
        return None
    return (max(0, ink[0] - PAD), max(0, ink[1] - PAD),
            min(gray.width, ink[2] + PAD), min(gray.height, ink[3] + PAD))


def text_rows(gray: Image.Image) -> list[float]:
    """How much text each row of a dark-on-light image holds; 0 for a row with no ink at all.

    With OpenCV (the `ocr` extra): the letters centred on the row, i.e. its inked connected
    components under 60 px tall, which follow tesseract's time per band more closely than ink
    does (bold and large text is more ink per letter: halves split by ink took 0.56 and 0.65 s
    on the busy bench screen, by letters 0.59 and 0.62 s). Without it: the row's share of ink.
    """
    inked = gray.point(lambda v: 255 if v < INK else 0)
    # Floats: one inked pixel in a 1920-px row must not round to a blank row.
    share = array("f", inked.convert("F").resize((1, gray.height),
                                                  Image.Resampling.BOX).tobytes())
    cv2 = _opencv()
    if cv2 is None:
        return list(share)
    import numpy as np

    _count, _labels, stats, _centres = cv2.connectedComponentsWithStats(
        np.asarray(inked), connectivity=8)
    stats = stats[1:]  # without the background
    letters = (stats[:, cv2.CC_STAT_HEIGHT] < 60) & (stats[:, cv2.CC_STAT_AREA] >= 3)
    middles = (stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] // 2)[letters]
    per_row = np.bincount(middles, minlength=gray.height)
    # A little for any ink, so that only blank rows are 0 (the places where bands may meet).
    return [float(count) + (0.001 if part else 0.0) for count, part in zip(per_row, share,
                                                                           strict=True)]


@cache
def _opencv() -> Any:
    """OpenCV (with numpy: the `ocr` extra) when installed, else None: Pillow does it slower."""
    try:
        import cv2
    except ImportError:
        return None
    return cv2
