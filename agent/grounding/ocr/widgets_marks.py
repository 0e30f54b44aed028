"""What a mark (widgets_shapes.find_marks) shows: a switch's knob, and whether it is on."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["mark_state", "switch_knob"]

Pixels = Any  # numpy arrays (as in widgets_shapes)
IntBox = tuple[int, int, int, int]


def switch_knob(rgb: Pixels, box: IntBox) -> bool:
    """Whether a pill has a switch's knob: along its middle row each end is of one colour and
    they differ, knob and track (a rounded button's ends are alike, its text between)."""
    left, top, right, bottom = box
    h = bottom - top
    row = rgb[top + h // 2, left:right].astype(np.int16)
    quarter, edge = max(2, h // 3), max(2, h // 6)
    ends = row[edge:edge + quarter].mean(axis=0), row[-edge - quarter:-edge].mean(axis=0)
    flat = [float(np.abs(part - part.mean(axis=0)).max()) < 30
            for part in (row[edge:edge + quarter], row[-edge - quarter:-edge])]
    return all(flat) and float(np.abs(ends[0] - ends[1]).max()) > 40


def mark_state(rgb: Pixels, box: IntBox, switch: bool) -> bool | None:
    """A tick, a dot or a coloured fill inside the mark: on; a plain inside: off. A switch is on
    when its knob (the light part) is right of its middle."""
    left, top, right, bottom = box
    h, w = bottom - top, right - left
    if switch:
        inset = max(2, h // 6)  # the box may take in a pixel of the ground around the pill
        row = rgb[top + h // 2, left + inset:right - inset].astype(np.int16).sum(axis=1)
        knob = int(np.argmax(row))
        return knob + inset > w // 2
    # The middle third: a tick, a dot or a fill reaches it; a small mark's ring does not.
    inset_y, inset_x = max(2, round(h / 3)), max(2, round(w / 3))
    core = rgb[top + inset_y:bottom - inset_y, left + inset_x:right - inset_x]
    colours = core.reshape(-1, 3).astype(np.int16)
    if colours.size == 0:
        return None
    dark = colours.mean(axis=1) < 110
    coloured = colours.max(axis=1) - colours.min(axis=1) > 80
    return bool((dark | coloured).any())
