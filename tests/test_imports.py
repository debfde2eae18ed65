"""The package's modules import one another without a circle: every import, at module level or
inside a function (where a circle usually hides), is an edge of a graph that must be acyclic."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "python" / "deltaprop"


def module_names():
    return {p.stem for p in PACKAGE.glob("*.py")} | {p.stem for p in PACKAGE.glob("*.pyi")}


def imports_of(path, modules):
    """The package modules that ``path`` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:                                   # from .network import Network
                found.add(node.module.split(".")[0])
            else:                                             # from . import _core, Network
                for alias in node.names:
                    found.add(alias.name if alias.name in modules else "__init__")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found.update(n.split(".")[1] for n in names if n.startswith("deltaprop."))
    return found


def import_graph():
    modules = module_names()
    return {p.stem: imports_of(p, modules) - {p.stem} for p in PACKAGE.glob("*.py")}


def find_cycle(graph):
    """A list of modules forming a circle, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_checker_finds_a_circle_through_a_function_level_import(tmp_path):
    (tmp_path / "a.py").write_text("from .b import f\n")
    (tmp_path / "b.py").write_text("def f():\n    from .a import g\n")
    graph = {p.stem: imports_of(p, {"a", "b"}) for p in tmp_path.glob("*.py")}
    assert find_cycle(graph) in (["a", "b", "a"], ["b", "a", "b"])


def test_the_modules_import_each_other_without_a_circle():
    graph = import_graph()
    assert {"network", "training", "model_file", "history"} <= set(graph)
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_leaf_modules_import_nothing_above_them():
    graph = import_graph()
    assert graph["_checks"] == set() and graph["history"] == set()
    assert graph["_model_codec"] <= {"_core", "_types"}
    assert "network" not in graph["training"] and "network" not in graph["_model_codec"]
