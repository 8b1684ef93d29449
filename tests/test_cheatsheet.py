"""The cheat sheet stays true: every Python block runs, every command exists in the course."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import types

import pytest

from tests.conftest import ROOT

CHEATSHEET = ROOT / "ml_cheatsheet.md"
_BLOCK = re.compile(r"^```python([^\n]*)\n(.*?)^```", flags=re.M | re.S)
_COMMAND = re.compile(r"uv run [^`\n#]*")


def python_blocks() -> list[tuple[str, str]]:
    """(first line, code) of every ```python block that is not marked no-run."""
    blocks = []
    for marker, code in _BLOCK.findall(CHEATSHEET.read_text()):
        if "no-run" not in marker.split():
            blocks.append((code.strip().splitlines()[0], code))
    return blocks


def commands(text: str) -> set[str]:
    """Every `uv run ...` command in a text, without trailing comments or spaces."""
    return {" ".join(match.split()) for match in _COMMAND.findall(text)}


def test_the_cheatsheet_has_code_blocks():
    assert len(python_blocks()) >= 10


@pytest.mark.parametrize(("first_line", "code"), python_blocks(), ids=lambda value: value[:40])
def test_python_block_runs(first_line, code):
    # A fresh module per block, registered while it runs (pydantic and FastAPI resolve types through it).
    module = types.ModuleType("cheatsheet_block")
    sys.modules[module.__name__] = module
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, str(CHEATSHEET), "exec"), module.__dict__)
    except Exception as exc:  # noqa: BLE001 - any failure is the block's failure
        pytest.fail(f"the block starting {first_line!r} raised {type(exc).__name__}: {exc}")
    finally:
        del sys.modules[module.__name__]


def test_every_command_is_one_the_course_documents():
    documented = commands((ROOT / "README.md").read_text())
    for path in sorted((ROOT / "src" / "mlcourse").rglob("*.py")) + sorted(ROOT.glob("[0-9][0-9]_*.py")):
        documented |= commands(path.read_text())
    missing = sorted(commands(CHEATSHEET.read_text()) - documented)
    assert not missing, f"commands in ml_cheatsheet.md that the README and the course never mention: {missing}"
