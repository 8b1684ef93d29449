"""Test configuration: keep everything the tests write out of the repository."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_SCRATCH = Path(tempfile.mkdtemp(prefix="mlcourse-tests-"))

# Set before any course module is imported, so nothing lands in the repository.
os.environ["MLCOURSE_PROGRESS_FILE"] = str(_SCRATCH / "progress.json")
os.environ.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{_SCRATCH / 'mlflow.db'}")
os.environ["MLCOURSE_MLFLOW_DIR"] = str(_SCRATCH / "mlflow")
os.environ["MLCOURSE_OUTPUT_DIR"] = str(_SCRATCH / "outputs")
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(_SCRATCH / "hypothesis")


def notebook_paths() -> list[Path]:
    """Every course notebook: the modules at the root and the exercise notebooks."""
    return sorted(ROOT.glob("[0-9][0-9]_*.py")) + sorted((ROOT / "exercises").glob("exercises_*.py"))


_DEFS_CACHE: dict[Path, dict] = {}


def shipped_notebook(path: Path) -> Path:
    """The notebook as the course ships it, for tests of its untouched exercise stubs.

    A learner's copy holds their answers, and the tests must pass on it: so the shipped version
    is read from git (the remote's branch the clone came from, else this checkout's last commit)
    into a scratch folder, never from the learner's file, which nothing here writes to. Without
    git (a downloaded archive), the file itself is the shipped version.
    """
    path = Path(path).resolve()
    relative = path.relative_to(ROOT).as_posix()
    for ref in ("origin/HEAD", "origin/main", "HEAD"):
        try:
            shipped = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:{relative}"], capture_output=True,
                                     check=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        if shipped == path.read_bytes():
            return path
        copy = _SCRATCH / "shipped" / ref.replace("/", "-") / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(shipped)
        return copy
    return path


def notebook_defs(path: Path) -> dict:
    """Run a notebook in-process (headless) and return the names its cells define."""
    path = Path(path)
    if path not in _DEFS_CACHE:
        name = f"_nb_{path.stem}_{len(_DEFS_CACHE)}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _, defs = module.app.run()
        _DEFS_CACHE[path] = dict(defs)
    return _DEFS_CACHE[path]


@pytest.fixture
def progress_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "progress.json"
    monkeypatch.setenv("MLCOURSE_PROGRESS_FILE", str(path))
    return path
