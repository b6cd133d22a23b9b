"""No import cycle among the modules of domain/, handlers/ and storage/.

The graph is read from the source (``ast``), not from ``sys.modules``, so an import
hidden inside a function counts as much as one at the top: a function-level import is
still a dependency, only a late one, and it is how cycles used to be smuggled in.
Counted: every ``import x`` and ``from x import y`` at any depth — module level,
inside functions and classes, inside ``if TYPE_CHECKING:`` blocks (two modules that need
each other's types are as tangled as two that call each other) and inside ``try``.
``from package import name`` points at ``package.name`` when that is a module, else at
``package``. An edge to a parent package that a submodule import executes implicitly is
not counted: every package would otherwise sit in a cycle with whatever it re-exports.
Only edges between modules of the three packages count; the layer rules that keep them
from importing the rest (bots/, brygada/, scheduler/) are a separate contract.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "handlers", "storage")


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the packages."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported_modules(module: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The modules of ``modules`` that an import statement anywhere in the file names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # ``from . import x`` in a.b.c means a.b; in the package a.b itself, a.b.
                anchor = module.split(".")
                drop = node.level - 1 if is_package else node.level
                anchor = anchor[: len(anchor) - drop]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            # ``from a.b import c``: if a.b.c is a module the statement depends on it;
            # else c is a name defined in a.b, and a.b is the dependency.
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif base in modules:
                    found.add(base)
    return found


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    """Module -> the modules (of the same packages) it imports."""
    modules = module_files(root, packages)
    return {module: imported_modules(module, path, modules) for module, path in modules.items()}


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module, and self-loops (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        # Iterative, so a deep graph cannot hit the recursion limit.
        nonlocal counter
        work: list[tuple[str, list[str]]] = []
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        work.append((start, sorted(graph.get(start, ()))))
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop(0)
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def describe(graph: Mapping[str, set[str]], component: list[str]) -> str:
    members = set(component)
    edges = [
        f"    {source} -> {target}"
        for source in component
        for target in sorted(graph[source] & members)
    ]
    return "cycle among " + ", ".join(component) + ":\n" + "\n".join(edges)


def test_no_import_cycle_among_domain_handlers_and_storage() -> None:
    graph = import_graph(ROOT, PACKAGES)
    assert len(graph) > 50, "the walk found too few modules: wrong root?"
    found = cycles(graph)
    assert not found, "\n".join(describe(graph, component) for component in found)


def test_the_walk_sees_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    """The detector itself: a cycle closed only by a late import is still found."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.c import g\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n"
    )
    (package / "d.py").write_text("import pkg.d\nfrom pkg.a import x\n")
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.a"] == {"pkg.b"}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"], ["pkg.d"]]
