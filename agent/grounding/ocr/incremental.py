"""Reading only what changed: the words of a screenshot from the previous one's, where the two
differ little (a field typed into, a box ticked, a menu opened).

Whole-screen OCR is most of an analysis (a 627-word 1080p screen: 1.4 CPU seconds of
tesseract), and a step of a script or a run changes a small part of the screen. The changed
pixels are grouped into regions, each grown until its edges lie in blank space (no phrase or
line is cut); the words inside a region are read again, the words outside it are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import cv2
import numpy as np
from PIL import Image

from agent.grounding.ocr.candidate import overlaps
from agent.grounding.ocr.engines import OcrWord
from agent.grounding.ocr.widgets_shapes import edge_map

__all__ = ["changed_groups", "changed_regions", "merged", "regions_to_read"]

IntBox = tuple[int, int, int, int]

MOST_CHANGED = 0.4  # share of the screen changed beyond which it is read whole again
MOST_REGIONS = 12  # more separate changes than this: read whole (scrolling, a new page)
TILE = 16  # px: changes are found per tile, then grouped
PHRASE_GAP = 1.2  # text heights of blank columns that end a region: no phrase is cut
LINE_GAP = 3  # px of blank rows that end a region: no line of text is cut
MARGIN = 8  # px of the region's own ground added round it: OCR wants a margin
GROWTH_ROUNDS = 8


def changed_regions(before: Image.Image, after: Image.Image,
                    text_height: float) -> list[IntBox] | None:
    """The boxes of `after` to read again, each ending in blank space; [] when nothing
    changed; None when too much did (or the sizes differ): read it all."""
    groups = changed_groups(before, after)
    return regions_to_read(after, groups, text_height) if groups else groups


def changed_groups(before: Image.Image, after: Image.Image) -> list[IntBox] | None:
    """The boxes round each group of changed pixels (TILE-px tiles that touch): what changed
    itself (a list opened over a table: the list, not the table grown into); [] when nothing
    changed; None when too much did (or the sizes differ)."""
    if before.size != after.size or before.mode != after.mode:
        return None
    old, new = np.asarray(before), np.asarray(after)
    diff = (old != new).reshape(new.shape[0], new.shape[1], -1).any(axis=2)
    if not diff.any():
        return []
    tiles = _tiles(diff)
    if tiles.mean() > MOST_CHANGED:
        return None
    height, width = diff.shape
    return [(left, top, min(right, width), min(bottom, height))
            for left, top, right, bottom in _groups(tiles)]


def regions_to_read(after: Image.Image, groups: Sequence[IntBox],
                    text_height: float) -> list[IntBox] | None:
    """`groups` (changed_groups) grown until their edges lie in blank space, those that meet
    joined; None when they are too many or too much of the screen: read it all."""
    ink = edge_map(np.asarray(after.convert("RGB")))  # text and borders alike
    gap = max(6, round(PHRASE_GAP * text_height))
    regions = _joined([_grown(box, ink, gap) for box in groups])
    area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in regions)
    if len(regions) > MOST_REGIONS or area > MOST_CHANGED * after.width * after.height:
        return None
    return regions


def merged(words: Sequence[OcrWord], regions: Sequence[IntBox],
           read: Callable[[Image.Image], list[OcrWord]], image: Image.Image,
           generation: int) -> list[OcrWord]:
    """`words` outside the regions, and each region of `image` read anew by `read`."""
    kept = [w for w in words if not any(overlaps(w.box, r) for r in regions)]
    for index, region in enumerate(regions):
        left, top = region[0] - MARGIN, region[1] - MARGIN
        for word in read(_padded(image, region)):
            # A line key of its own: the engine numbers lines per read, from 0 again.
            kept.append(replace(word.moved(left, top), line=(-2, generation, index, *word.line)))
    return kept


def _padded(image: Image.Image, region: IntBox) -> Image.Image:
    """The region with MARGIN px of its edge's colour round it (not the neighbours' ink)."""
    crop = image.crop(region)
    edge = np.concatenate([np.asarray(crop)[0], np.asarray(crop)[-1]])
    ground = tuple(int(v) for v in np.median(edge.reshape(len(edge), -1), axis=0))
    sheet = Image.new(image.mode, (crop.width + 2 * MARGIN, crop.height + 2 * MARGIN),
                      ground if len(ground) > 1 else ground[0])
    sheet.paste(crop, (MARGIN, MARGIN))
    return sheet


def _tiles(diff: np.ndarray) -> np.ndarray:
    """Which TILE x TILE tiles hold a changed pixel."""
    height, width = diff.shape
    rows, cols = -(-height // TILE), -(-width // TILE)
    padded = np.zeros((rows * TILE, cols * TILE), bool)
    padded[:height, :width] = diff
    return np.asarray(padded.reshape(rows, TILE, cols, TILE).any(axis=(1, 3)), dtype=bool)


def _groups(tiles: np.ndarray) -> list[IntBox]:
    """Boxes (pixels) around groups of changed tiles that touch, corners included."""
    count, labels = cv2.connectedComponents(tiles.astype(np.uint8), connectivity=8)
    boxes = []
    for label in range(1, count):
        rows, cols = np.nonzero(labels == label)
        boxes.append((int(cols.min()) * TILE, int(rows.min()) * TILE,
                      (int(cols.max()) + 1) * TILE, (int(rows.max()) + 1) * TILE))
    return boxes


def _grown(box: IntBox, ink: np.ndarray, gap: int) -> IntBox:
    """`box` (clipped to the screen) grown until `gap` blank columns lie left and right of it
    and LINE_GAP blank rows above and below: no phrase or line of text is cut."""
    height, width = ink.shape
    left, top, right, bottom = box[0], box[1], min(box[2], width), min(box[3], height)
    for _ in range(GROWTH_ROUNDS):
        columns = np.asarray(ink[top:bottom].any(axis=0), dtype=bool)
        rows = np.asarray(ink[:, left:right].any(axis=1), dtype=bool)
        grown = (_reach(columns, left, -1, gap), _reach(rows, top, -1, LINE_GAP),
                 _reach(columns, right - 1, 1, gap) + 1, _reach(rows, bottom - 1, 1, LINE_GAP) + 1)
        if grown == (left, top, right, bottom):
            break
        left, top, right, bottom = grown
    return left, top, right, bottom


def _reach(inked: np.ndarray, start: int, step: int, gap: int) -> int:
    """From `start`, going by `step` (1 or -1): the furthest inked index reached without
    crossing `gap` blank ones in a row (`start` itself when none is)."""
    marks = np.flatnonzero(inked)
    ahead = marks[marks > start] if step > 0 else marks[marks < start][::-1]
    if not ahead.size:
        return start
    steps = np.abs(np.diff(np.concatenate([[start], ahead])))
    too_far = np.flatnonzero(steps > gap)
    if not too_far.size:
        return int(ahead[-1])
    return start if too_far[0] == 0 else int(ahead[too_far[0] - 1])


def _joined(regions: list[IntBox]) -> list[IntBox]:
    """Overlapping regions as one (a word read twice would be two words)."""
    merged_any = True
    while merged_any:
        merged_any = False
        for i, a in enumerate(regions):
            for j in range(i + 1, len(regions)):
                b = regions[j]
                if overlaps(a, b):
                    regions[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]),
                                  max(a[3], b[3]))
                    del regions[j]
                    merged_any = True
                    break
            if merged_any:
                break
    return regions
