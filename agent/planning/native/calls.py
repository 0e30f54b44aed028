"""Function calls as the native models write them (`click(point='…')`, `pyautogui.click(x=1,
y=2)`), read with `ast` as literals only: nothing a model writes is ever run."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from agent.errors import ModelReplyError

__all__ = ["Call", "parse_calls"]


@dataclass(frozen=True)
class Call:
    name: str  # dotted: "pyautogui.click"
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)


def parse_calls(code: str) -> list[Call]:
    """Each top-level call statement of `code`, its arguments literals (a tuple, a list, a
    string, a number); ModelReplyError for anything else."""
    try:
        tree = ast.parse(code.strip(), mode="exec")
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise ModelReplyError(f"the action is not a function call: {code[:200]!r} ({exc})") \
            from None
    calls = []
    for statement in tree.body:
        if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
            raise ModelReplyError(f"only function calls are understood, not {code[:200]!r}")
        call = statement.value
        try:
            args = [ast.literal_eval(arg) for arg in call.args]
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords
                      if kw.arg is not None}
        except (ValueError, TypeError, SyntaxError, RecursionError):
            raise ModelReplyError(f"the arguments of {ast.unparse(call.func)} must be "
                                  "literals") from None
        calls.append(Call(ast.unparse(call.func), args, kwargs))
    return calls
