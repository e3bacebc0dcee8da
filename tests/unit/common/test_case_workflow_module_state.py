"""The case workflow runs without the SDK's sandbox in the evaluation worker (docs/architecture.md §13),
so nothing isolates one run's module state from another's: its module and the modules it passes through
must hold no mutable state at module level, and no function may rebind a module global."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MODULES = [
    "workflows/recognition/workflows.py",
    "workflows/recognition/contracts.py",
    "workflows/recognition/lifecycle.py",
    "workflows/recognition/state.py",
    "workflows/ids.py",
    "workflows/retry.py",
]
MUTABLE_LITERALS = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)
MUTABLE_CALLS = {"list", "dict", "set", "defaultdict", "OrderedDict", "Counter", "deque"}


def _mutable(value: ast.expr | None) -> bool:
    if isinstance(value, MUTABLE_LITERALS):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in MUTABLE_CALLS
    return False


def problems(source: str) -> list[str]:
    """Module-level names bound to mutable values, and `global` statements, in one module's source."""
    tree = ast.parse(source)
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and _mutable(node.value):
            found.append(f"line {node.lineno}: a mutable module-level value")
    found += [
        f"line {n.lineno}: global {', '.join(n.names)}" for n in ast.walk(tree) if isinstance(n, ast.Global)
    ]
    return found


@pytest.mark.parametrize("module", MODULES)
def test_the_case_workflow_keeps_no_mutable_module_state(module: str) -> None:
    assert problems((ROOT / module).read_text(encoding="utf-8")) == []


def test_the_check_finds_mutable_state() -> None:
    source = "CACHE = {}\nSEEN: list[str] = []\nNAMES = frozenset({'a'})\nLIMITS = dict(a=1)\n"
    source += "def f():\n    global CACHE\n    CACHE = {1: 2}\n"
    assert problems(source) == [
        "line 1: a mutable module-level value",
        "line 2: a mutable module-level value",
        "line 4: a mutable module-level value",
        "line 6: global CACHE",
    ]
