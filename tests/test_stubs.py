"""The type stubs python/deltaprop/_core.pyi against the built extension, and mypy --strict
on the stubs and on the README's Python code.

The extension cannot describe its own types to mypy, so the stub is written by hand; these tests
keep it honest. Every public name of ``deltaprop._core`` (functions, classes, their methods and
properties, exception bases) must be in the stub and the other way round, with the parameter
names of pybind11's signatures (its ``argN`` for an unnamed parameter is positional-only in the
stub), overload by overload.
"""

import ast
import re
import sys
from pathlib import Path

import pytest
from conftest import require_module

import deltaprop._core as core

REPO = Path(__file__).resolve().parent.parent
STUB = REPO / "python" / "deltaprop" / "_core.pyi"
README = REPO / "README.md"


# --- the stub, read with ast ----------------------------------------------------------------------
def stub_tree():
    return ast.parse(STUB.read_text(encoding="utf-8"))


def is_public(name):
    return not name.startswith("_") or name in ("__init__", "__version__")


def members(body):
    """{name: [FunctionDef, ...] or AnnAssign} of a module or class body (overloads grouped)."""
    out = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ClassDef):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
    return out


def class_members(cls, classes):
    """The members of a stub class, with those of its bases defined in the stub (the private
    generic base that Network64 and Network32 share)."""
    out = {}
    for base in cls.bases:
        name = base.value.id if isinstance(base, ast.Subscript) else getattr(base, "id", None)
        if name in classes:
            out.update(class_members(classes[name], classes))
    out.update(members(cls.body))
    return out


def stub_parameters(fn):
    """[(name, positional_only)] of a stub function, without self."""
    params = [(a.arg, True) for a in fn.args.posonlyargs] + [(a.arg, False) for a in fn.args.args]
    return [p for p in params if p[0] != "self"]


def is_property(fn):
    return any(isinstance(d, ast.Name) and d.id == "property" for d in fn.decorator_list)


# --- the extension, read from pybind11's signatures ---------------------------------------------
def split_top_level(text):
    """Split a parameter list at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def runtime_signatures(name, obj):
    """[[parameter name, ...] per overload] from pybind11's docstring, without self."""
    doc = obj.__doc__ or ""
    lines = re.findall(rf"^(?:\d+\. )?{re.escape(name)}\((.*)\)(?: -> .*)?$", doc, flags=re.M)
    lines = [line for line in lines if line != "*args, **kwargs"]  # an overload set's header
    assert lines, f"{name}: no pybind11 signature in its docstring {doc!r}"
    return [[p.split(":")[0].strip() for p in split_top_level(line)
             if p.split(":")[0].strip() != "self"] for line in lines]


def compare_function(where, runtime_obj, stub_defs):
    runtime = runtime_signatures(where.rsplit(".", 1)[-1], runtime_obj)
    overloads = [d for d in stub_defs if any(
        isinstance(x, ast.Name) and x.id == "overload" for x in d.decorator_list)] or stub_defs
    assert len(overloads) == len(runtime), \
        f"{where}: {len(runtime)} signature(s) in the extension, {len(overloads)} in the stub"
    for names, fn in zip(runtime, overloads):
        stub = stub_parameters(fn)
        expected = [(n, bool(re.fullmatch(r"arg\d+", n))) for n in names]
        got = [(n if not pos else f"arg{i}", pos) for i, (n, pos) in enumerate(stub)]
        assert got == expected, (f"{where}: the extension has parameters {names}, the stub "
                                 f"{[n for n, _ in stub]} (unnamed argN must be positional-only)")


def public_runtime_members(cls):
    return {n for n in vars(cls) if is_public(n)}


def test_every_public_name_of_the_extension_is_in_the_stub_and_no_other():
    stub = {n for n in members(stub_tree().body) if is_public(n)}
    runtime = {n for n in vars(core) if is_public(n)}
    assert stub - runtime == set(), "in the stub but not in the extension"
    assert runtime - stub == set(), "in the extension but not in the stub"


def test_functions_have_the_extensions_parameter_names():
    stub = members(stub_tree().body)
    functions = [n for n in vars(core) if is_public(n) and callable(getattr(core, n))
                 and not isinstance(getattr(core, n), type)]
    assert "set_num_threads" in functions and "model_to_bytes" in functions
    for name in functions:
        compare_function(name, getattr(core, name), stub[name])


def test_classes_have_the_extensions_methods_properties_and_bases():
    stub = members(stub_tree().body)
    classes = {n: v for n, v in stub.items() if isinstance(v, ast.ClassDef)}
    runtime_classes = [n for n in vars(core) if is_public(n) and isinstance(getattr(core, n), type)]
    assert {"Network64", "Network32", "DivergenceError", "ModelFileError"} <= set(runtime_classes)
    for name in runtime_classes:
        cls, stub_cls = getattr(core, name), classes[name]
        if issubclass(cls, BaseException):
            bases = [b.id for b in stub_cls.bases if isinstance(b, ast.Name)]
            assert bases == [b.__name__ for b in cls.__bases__], f"{name}: bases differ"
        stub_members = {n: v for n, v in class_members(stub_cls, classes).items() if is_public(n)}
        runtime = public_runtime_members(cls)
        assert set(stub_members) == runtime, (f"{name}: only in the stub "
                                              f"{set(stub_members) - runtime}, only in the "
                                              f"extension {runtime - set(stub_members)}")
        for member in sorted(runtime):
            value = vars(cls)[member]
            if isinstance(value, property):
                assert is_property(stub_members[member][0]), f"{name}.{member} is a property"
            elif callable(value):
                compare_function(f"{name}.{member}", value, stub_members[member])


def test_the_checker_catches_a_wrong_parameter_name():
    fn = ast.parse("def forward(self, x, /) -> None: ...\n").body[0]
    compare_function("Network64.forward", core.Network64.forward, [fn])  # argN: any name
    fn = ast.parse("def initialize(self, state) -> None: ...\n").body[0]
    with pytest.raises(AssertionError, match="seed"):
        compare_function("Network64.initialize", core.Network64.initialize, [fn])
    fn = ast.parse("def forward(self, X) -> None: ...\n").body[0]
    with pytest.raises(AssertionError, match="positional-only"):
        compare_function("Network64.forward", core.Network64.forward, [fn])


def test_the_package_is_marked_typed():
    assert (REPO / "python" / "deltaprop" / "py.typed").is_file()


# --- mypy --strict ------------------------------------------------------------------------------
def readme_python_blocks():
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


@pytest.fixture(scope="module")
def mypy_strict(tmp_path_factory):
    """Run ``mypy --strict`` on a file, with the repository's python/ (and so this stub) first on
    the search path. Errors inside deltaprop's own modules are not reported (as for any
    installed package): what is checked is the code given and the types it sees."""
    api = require_module("mypy.api")
    cache = tmp_path_factory.mktemp("mypy-cache")

    def run(*targets):
        with pytest.MonkeyPatch.context() as env:
            env.setenv("MYPYPATH", str(REPO / "python"))
            out, err, status = api.run(["--strict", "--follow-imports=silent", "--cache-dir",
                                        str(cache), "--python-executable", sys.executable,
                                        *targets])
        return status, out + err

    return run


@pytest.mark.slow  # mypy reads numpy's stubs: a few seconds
def test_mypy_strict_accepts_the_stub(mypy_strict):
    status, report = mypy_strict("-m", "deltaprop._core")
    assert status == 0, report


@pytest.mark.slow
def test_mypy_strict_accepts_the_readme_code(mypy_strict, tmp_path):
    blocks = readme_python_blocks()
    assert blocks, "README.md has no ```python blocks"
    # one module, the blocks in order: a reader runs them one after another
    program = tmp_path / "readme_code.py"
    program.write_text("\n".join(blocks), encoding="utf-8")
    status, report = mypy_strict(str(program))
    assert status == 0, report


@pytest.mark.slow
def test_mypy_strict_sees_a_type_error_through_the_stub(mypy_strict, tmp_path):
    program = tmp_path / "wrong.py"
    program.write_text("import deltaprop._core as c\n"
                       "n: str = c.Network64([2, 1], 'tanh', 0).n_weights\n", encoding="utf-8")
    status, report = mypy_strict(str(program))
    assert status != 0 and "Incompatible types in assignment" in report, report
