"""jinja2 templates shipped with planground, and the one helper that renders them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

__all__ = ["TEMPLATE_DIR", "render"]

TEMPLATE_DIR = Path(__file__).parent


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,  # a missing variable is a bug, not an empty string
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, /, **context: Any) -> str:
    """Render `prompts/<name>` with `context`."""
    return _environment().get_template(name).render(**context)
