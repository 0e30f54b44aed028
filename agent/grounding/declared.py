"""Grounder families users declare in agent.toml, `[grounders.NAME]` (CONTRACTS §5).

    [grounders.mygui]
    extends = "qwen25vl"          # a built-in family to start from (optional)
    prompt = "Where is {{ description }}? Answer (x, y)."   # jinja2 text, or a file path
    answer = '\\((?P<x>[\\d.]+), (?P<y>[\\d.]+)\\)'        # a built-in parser's name, or a regex
    space = "norm1000"            # norm1000, norm999, norm1, pixels, resized-pixels
    axes = "xy"                   # or "yx"
    resize = { factor = 28, min_pixels = 3136, max_pixels = 12845056 }
    temperature = 0.0
    max_tokens = 128

A bad table is a UsageError (exit 2) naming the key and what it takes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from agent.errors import UsageError
from agent.grounding import points
from agent.grounding.families import FAMILIES
from agent.grounding.grounder import Family, Space
from agent.grounding.resize import SmartResize

__all__ = ["PARSERS", "declared_family"]

# The built-in parsers `answer` may name.
PARSERS: dict[str, Callable[[str], tuple[float, float]]] = {
    name.removeprefix("parse_"): getattr(points, name)
    for name in points.__all__ if name.startswith("parse_")
}
SPACES = ("norm1000", "norm999", "norm1", "pixels", "resized-pixels")
KEYS = ("extends", "prompt", "answer", "space", "axes", "resize", "temperature", "max_tokens")


def declared_family(name: str, table: Mapping[str, Any], base: Path | None = None) -> Family:
    """The family `[grounders.<name>]` declares; a prompt file is read relative to `base`."""
    where = f"[grounders.{name}]"

    def bad(key: str, takes: str) -> UsageError:
        return UsageError(f"{where} {key}: {takes} (got {table.get(key)!r})")

    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(f"{where} {unknown[0]}: not a key; the keys are {', '.join(KEYS)}")
    family = _start(name, table, bad)
    if "prompt" in table:
        family = replace(family, prompt_text=_prompt(table["prompt"], base, bad),
                         template=None, preamble_template=None, system_template=None)
    elif family.template is None and family.preamble_template is None:
        raise bad("prompt", "required without `extends`: jinja2 text with {{ description }} "
                            "(also {{ width }}, {{ height }}), or a file holding it")
    if "answer" in table:
        family = replace(family, parse=_answer(table["answer"], bad))
    if "axes" in table:
        if table["axes"] not in ("xy", "yx"):
            raise bad("axes", '"xy" or "yx"')
        family = replace(family, axes=table["axes"])
    resize = _resize(table.get("resize"), family.resize, bad)
    if "space" in table:
        space = table["space"]
        if space not in SPACES:
            raise bad("space", " or ".join(SPACES))
        family = replace(family, space=cast(Space, "pixels" if space.endswith("pixels") else space),
                         resize=resize if space == "resized-pixels" else None)
        if space == "resized-pixels" and resize is None:
            family = replace(family, resize=SmartResize())  # Qwen2-VL's processor defaults
    elif "resize" in table:
        family = replace(family, resize=resize)
    if "temperature" in table:
        family = replace(family, temperature=float(_number(table, "temperature", bad)))
    if "max_tokens" in table:
        value = _number(table, "max_tokens", bad)
        if not isinstance(value, int) or value < 1:
            raise bad("max_tokens", "a positive integer")
        family = replace(family, max_tokens=value)
    return family


def _number(table: Mapping[str, Any], key: str,
            bad: Callable[[str, str], UsageError]) -> int | float:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise bad(key, "a non-negative number")
    return value


def _start(name: str, table: Mapping[str, Any],
           bad: Callable[[str, str], UsageError]) -> Family:
    if "extends" in table:
        base = FAMILIES.get(table["extends"]) if isinstance(table["extends"], str) else None
        if base is None:
            raise bad("extends", f"a built-in family: {', '.join(FAMILIES)}")
        return replace(base, name=name)
    if "answer" not in table:
        raise bad("answer", "required without `extends`: a parser's name "
                            f"({', '.join(PARSERS)}) or a regular expression")
    if "space" not in table:
        raise bad("space", "required without `extends`: " + " or ".join(SPACES))
    return Family(name=name, template=None, space="norm1000", parse=PARSERS["point_or_box"])


def _prompt(value: Any, base: Path | None, bad: Callable[[str, str], UsageError]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad("prompt", "jinja2 text with {{ description }}, or a file holding it")
    if "{{" not in value:  # no placeholder: a file name
        path = Path(value).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        try:
            value = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise bad("prompt", f"jinja2 text with {{{{ description }}}}, or a readable file "
                                f"({exc.strerror})") from None
    if "description" not in value:
        raise bad("prompt", "a template using {{ description }}")
    return str(value)


def _answer(value: Any,
            bad: Callable[[str, str], UsageError]) -> Callable[[str], tuple[float, float]]:
    if isinstance(value, str) and value in PARSERS:
        return PARSERS[value]
    takes = (f"a parser's name ({', '.join(PARSERS)}) or a regular expression with named "
             "groups x, y or x1, y1, x2, y2")
    if not isinstance(value, str):
        raise bad("answer", takes)
    try:
        pattern = re.compile(value)
    except re.error as exc:
        raise bad("answer", f"{takes}; not a regular expression: {exc}") from None
    groups = set(pattern.groupindex)
    if not ({"x", "y"} <= groups or {"x1", "y1", "x2", "y2"} <= groups):
        raise bad("answer", takes)
    return points.NamedGroupParser(pattern)


def _resize(value: Any, default: SmartResize | None,
            bad: Callable[[str, str], UsageError]) -> SmartResize | None:
    if value is None:
        return default
    takes = "a table of positive integers: factor, min_pixels, max_pixels"
    if not isinstance(value, Mapping) or set(value) - {"factor", "min_pixels", "max_pixels"}:
        raise bad("resize", takes)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value.values()):
        raise bad("resize", takes)
    resize = replace(default or SmartResize(), **value)
    if resize.min_pixels > resize.max_pixels:
        raise bad("resize", f"{takes}, min_pixels ≤ max_pixels")
    return resize
