"""Every notebook lints clean under `marimo check --strict` and runs headless without a cell error.

Notebooks run through `marimo export html`, i.e. in marimo's own kernel as in the editor,
so outputs are rendered too (an Altair chart that cannot render fails here). Each runs
from a copy in a temporary folder, so nothing is written into the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, notebook_paths

MARIMO = [sys.executable, "-m", "marimo"]
RENDER_FAILURES = ["Failed to get mimebundle", "Traceback (most recent call last)", "MarimoExceptionRaisedError"]


def test_there_are_notebooks_to_test():
    names = {p.name for p in notebook_paths()}
    assert "01_data_engineering.py" in names and "exercises_01.py" in names


def test_marimo_check_strict_is_clean_on_every_notebook():
    done = subprocess.run([*MARIMO, "check", "--strict", *map(str, notebook_paths())],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("notebook", notebook_paths(), ids=lambda p: p.name)
def test_notebook_runs_headless_without_errors(notebook: Path, tmp_path: Path):
    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    env = {**os.environ, "MLCOURSE_PROGRESS_FILE": str(tmp_path / "progress.json")}
    done = subprocess.run([*MARIMO, "export", "html", str(copy), "-o", str(tmp_path / "out.html"), "-f"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    for marker in RENDER_FAILURES:
        assert marker not in output, output[-4000:]
    assert (tmp_path / "out.html").stat().st_size > 10_000


def test_every_notebook_is_stored_in_canonical_form(tmp_path: Path):
    """What the editor would write on save is what is committed: a learner's save changes only what they edited."""
    copies = []
    for notebook in notebook_paths():
        copy = tmp_path / notebook.parent.name / notebook.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(notebook, copy)
        copies.append((notebook, copy))
    done = subprocess.run([*MARIMO, "check", "--fix", *(str(c) for _, c in copies)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    changed = [n.relative_to(ROOT).as_posix() for n, c in copies if c.read_bytes() != n.read_bytes()]
    assert not changed, (f"not in marimo's canonical form (run `uv run marimo check --fix` on them): {changed}\n"
                         + done.stdout[-2000:])


def test_saving_in_the_editor_changes_no_byte():
    """The editor's own save path (load, then serialize) reproduces every notebook byte for byte."""
    from marimo._session.notebook.file_manager import AppFileManager

    for notebook in notebook_paths():
        manager = AppFileManager(str(notebook))
        saved = manager._save_file(notebook, notebook=manager.app.to_ir(), persist=False)
        assert saved == notebook.read_text(encoding="utf-8"), f"{notebook.name} changes when saved by the editor"


def test_course_code_passes_ruff():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "data", "benchmarks"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
