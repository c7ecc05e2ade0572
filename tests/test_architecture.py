"""The shape of the house, checked: no import cycles, data flows one way, modules stay small.

The graph is read from the source with ``ast`` (nothing is imported), and counts every import,
also those inside functions: a lazy import still ties two modules together.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "retrieval", "store", "evals", "prompts")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The project module an import names (``a.b.c`` may be the function ``c`` of ``a.b``)."""
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
            for target in targets:
                found = _resolve(target, modules)
                if (
                    found
                    and found != name
                    and not name.startswith(found + ".")
                    and found != name.rpartition(".")[0]
                ):
                    graph[name].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_cycles_are_found_on_a_made_up_graph() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_data_flows_one_way() -> None:
    """store and prompts import nothing of the app; retrieval never reaches up into assistant;
    nothing but the UI and the CLI imports the UI."""
    graph = import_graph()
    for module, imported in graph.items():
        top = module.split(".")[0]
        for target in imported:
            if top in ("store", "prompts"):
                assert target.split(".")[0] == "store", f"{module} imports {target}"
            if top == "retrieval":
                assert target.split(".")[0] in ("retrieval", "store"), f"{module} imports {target}"
            if target.startswith("assistant.ui"):
                assert module.startswith(("assistant.ui", "assistant.cli")), f"{module} imports {target}"


def test_modules_stay_small() -> None:
    too_big = {
        name: lines
        for name, path in _modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_big == {}


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    """`# type: ignore[code]  # why`: mypy checks the code is needed; the reason is for people."""
    ignore = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z-]+(?:,\s*[a-z-]+)*\])?(?P<why>\s+#\s*\S.*)?")
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in (*PACKAGES, "tests")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (found := ignore.search(line)) and not (found["codes"] and found["why"])
    ]
    assert bare == []
