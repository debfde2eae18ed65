"""The README's Python code runs: every ```python block, in order, in one namespace (as a reader
would run them one after another), in a temporary working directory.

A failure's traceback points at the README line (each block is compiled under the name
``README.md`` with its own line numbers). The digits snippets read the course's files shipped
with the package, as for any user who has not set ``$DELTAPROP_DATA`` or fetched data.
"""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks(text):
    """[(first line number, code)] of the ```python blocks of a Markdown text."""
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        first_line = text.count("\n", 0, match.start(1)) + 1
        blocks.append((first_line, match.group(1)))
    return blocks


def run_blocks(blocks, filename, namespace):
    """exec the blocks in order in ``namespace``; blank lines in front of each, so that the
    line numbers in a traceback are those of the file."""
    for first_line, code in blocks:
        exec(compile("\n" * (first_line - 1) + code, filename, "exec"), namespace)


def test_python_blocks_finds_code_and_line_numbers():
    text = "# t\n\n```python\nx = 1\n```\n\n```bash\nls\n```\n```python\ny = 2\nz = 3\n```\n"
    assert python_blocks(text) == [(4, "x = 1\n"), (11, "y = 2\nz = 3\n")]


def test_readme_code_runs(tmp_path, monkeypatch):
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 6, "the README should show its Python (Ten lines and the lecture steps)"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("DELTAPROP_DATA", raising=False)  # the digits snippets read the shipped data
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "no-user-data"))
    run_blocks(blocks, str(README), {"__name__": "__readme__"})


def test_a_false_claim_fails_at_its_line():
    text = "```python\nimport numpy as np\n```\n\n```python\nassert np.pi < 3\n```\n"
    with pytest.raises(AssertionError) as failure:
        run_blocks(python_blocks(text), "README.md", {})  # the second block uses the first's np
    assert failure.traceback[-1].lineno + 1 == 6  # pytest counts lines from 0
