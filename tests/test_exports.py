"""`__all__` guards, and the exception tree drawn in agent/errors.py's docstring."""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

import pytest

import actions
import agent
import agent.errors
import prompts

PUBLIC_MODULES = [agent, actions, prompts]
SUBMODULES = sorted(
    info.name
    for package in PUBLIC_MODULES
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_every_name_in_all_exists(module: ModuleType) -> None:
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_all_has_no_duplicates(module: ModuleType) -> None:
    assert len(module.__all__) == len(set(module.__all__))


@pytest.mark.parametrize("name", SUBMODULES)
def test_every_submodule_imports_without_a_display_and_its_all_exists(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    module = importlib.import_module(name)
    missing = [n for n in getattr(module, "__all__", []) if not hasattr(module, n)]
    assert missing == []


def test_the_package_exports_the_seams_and_errors() -> None:
    for name in ("Loop", "Screen", "Planner", "Grounder", "Recorder", "Approver", "Settings",
                 *agent.errors.__all__):
        assert name in agent.__all__, name


def test_the_errors_docstring_mentions_every_exception() -> None:
    doc = agent.errors.__doc__ or ""
    missing = [name for name in agent.errors.__all__ if not re.search(rf"\b{name}\b", doc)]
    assert missing == []


def _tree() -> dict[str, tuple[str | None, int | None]]:
    """The docstring's tree: class name → (parent drawn above it, exit code shown)."""
    found: dict[str, tuple[str | None, int | None]] = {}
    stack: list[tuple[int, str]] = []  # (depth, name)
    for line in (agent.errors.__doc__ or "").splitlines():
        match = re.match(r"^(\s*(?:[│ ]   )*(?:[├└]── )?)([A-Z]\w+)\s*(?:\((\d+)\))?", line)
        if not match or not hasattr(agent.errors, match.group(2)):
            continue
        depth = len(match.group(1))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        code = int(match.group(3)) if match.group(3) else None
        found[match.group(2)] = (parent, code)
        stack.append((depth, match.group(2)))
    return found


def test_the_errors_tree_matches_the_class_hierarchy_and_exit_codes() -> None:
    tree = _tree()
    agent_errors = [n for n in agent.errors.__all__
                    if issubclass(getattr(agent.errors, n), agent.errors.AgentError)]
    assert set(agent_errors) <= set(tree), "every AgentError is drawn in the tree"
    for name in agent_errors:
        cls = getattr(agent.errors, name)
        parent, code = tree[name]
        if cls is agent.errors.AgentError:
            assert parent is None
            continue
        assert parent == cls.__bases__[0].__name__, name
        assert code == cls.exit_code, name
