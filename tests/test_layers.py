"""The package map holds: imports between agent's subpackages only point down (no cycles)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.paths import ROOT

AGENT = ROOT / "agent"

# Top to bottom. A module may import its own unit and any unit of a lower layer, at run time;
# imports under `if TYPE_CHECKING:` name types only and do not count.
LAYERS: list[set[str]] = [
    {"__main__"},
    {"cli"},
    {"demo"},
    {"automation", "testing", "suites"},
    {"run"},
    {"planning"},  # a native planner (planning/native) reads points as the grounders do
    {"grounding", "rundir", "settings"},
    {"safety"},
    {"llm", "backends"},
    {"records", "screen"},
    {"errors"},
]
RANK = {unit: depth for depth, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "agent" or len(parts) == 1:
        return None  # outside the package, or its lazy top level (`__version__`)
    return parts[1]


def runtime_imports(tree: ast.AST) -> Iterator[str]:
    """Modules imported when the file runs (not those only type checkers read)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # ast.walk visits children after this: the block is skipped
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def module_units() -> Iterator[tuple[Path, str]]:
    for path in sorted(AGENT.rglob("*.py")):
        relative = path.relative_to(AGENT).with_suffix("")
        if relative.parts == ("__init__",):
            continue  # the package's lazy table of public names
        yield path, relative.parts[0]


def test_every_unit_has_a_layer() -> None:
    assert {unit for _, unit in module_units()} <= set(RANK)


def test_imports_point_down() -> None:
    upward = []
    for path, unit in module_units():
        for module in runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = unit_of(module)
            if target is not None and target != unit and RANK[target] <= RANK[unit]:
                upward.append(f"{path.relative_to(ROOT)} imports {module}")
    assert upward == []


def test_no_module_is_longer_than_400_lines() -> None:
    long = [f"{path.relative_to(ROOT)}: {n}" for path in sorted(ROOT.glob("[aep]*/**/*.py"))
            if ".venv" not in path.parts and (n := len(path.read_text().splitlines())) > 400]
    assert long == []
