"""Local progress: every exercise check records its verdict in a small JSON file.

The file is ``.mlcourse_progress.json`` at the repository root (gitignored), or the
path in the MLCOURSE_PROGRESS_FILE environment variable. Nothing leaves the machine.

    uv run python -m mlcourse.progress        # print your progress report
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import pkgutil
import tempfile
from pathlib import Path

_RANK = {"not_attempted": 0, "incorrect": 1, "correct": 2}


def progress_path() -> Path:
    env = os.environ.get("MLCOURSE_PROGRESS_FILE")
    if env:
        return Path(env)
    from mlcourse.dataset import REPO_ROOT

    if (REPO_ROOT / "pyproject.toml").exists():
        return REPO_ROOT / ".mlcourse_progress.json"
    return Path.home() / ".mlcourse_progress.json"


def load() -> dict[str, dict]:
    """The recorded progress; an unreadable or corrupt file counts as no progress."""
    try:
        data = json.loads(progress_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(exercise_id: str, status: str) -> None:
    """Record one check. Keeps the best status ever reached and the latest one.

    Never raises: progress tracking must not get in the way of an exercise.
    """
    if status not in _RANK:
        return
    try:
        data = load()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        entry = data.get(exercise_id, {})
        best = entry.get("best", "not_attempted")
        entry["best"] = status if _RANK[status] > _RANK.get(best, 0) else best
        entry["latest"] = status
        entry["checked_at"] = now
        if status != "not_attempted":
            entry["attempts"] = int(entry.get("attempts", 0)) + 1
        if status == "correct" and "first_correct_at" not in entry:
            entry["first_correct_at"] = now
        data[exercise_id] = entry
        path = progress_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".progress.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        return


def all_exercises() -> dict:
    """The course's exercises: every one declared in a module of mlcourse.exercises.

    Exercises declared anywhere else (a test's toy exercise, say) are left out, so the
    report and the tracker never list something a learner cannot find."""
    import mlcourse.exercises as pkg
    from mlcourse.checker import registry

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("ex"):
            importlib.import_module(f"mlcourse.exercises.{info.name}")
    prefix = pkg.__name__ + "."
    return {ex_id: ex for ex_id, ex in registry().items()
            if getattr(ex.check_fn, "__module__", "").startswith(prefix)}


def _sort_key(exercise_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in exercise_id.split("."))


def report_rows() -> list[dict]:
    """One row per exercise in the course, with what the progress file says about it."""
    data = load()
    rows = []
    for ex_id, ex in sorted(all_exercises().items(), key=lambda kv: _sort_key(kv[0])):
        entry = data.get(ex_id, {})
        rows.append({"exercise": ex_id, "title": ex.title,
                     "status": entry.get("best", "not started"),
                     "attempts": entry.get("attempts", 0),
                     "first_correct_at": entry.get("first_correct_at", "")})
    return rows


def report() -> str:
    rows = report_rows()
    done = sum(r["status"] == "correct" for r in rows)
    lines = [f"Exercises solved: {done} / {len(rows)}   (progress file: {progress_path()})", ""]
    for r in rows:
        mark = {"correct": "[x]", "incorrect": "[~]"}.get(r["status"], "[ ]")
        lines.append(f"{mark} {r['exercise']:<5} {r['title']:<55} {r['status']:<14} attempts: {r['attempts']}")
    return "\n".join(lines)


def module_panel(module: int, next_step: str):
    """The progress panel that ends each exercise notebook: solved count and one row per exercise."""
    import marimo as mo

    rows = [r for r in report_rows() if r["exercise"].split(".")[0] == str(module)]
    solved = sum(r["status"] == "correct" for r in rows)
    return mo.vstack([
        mo.md(f"## Your progress in Module {module}\n\n{solved} of {len(rows)} exercises solved. Next: {next_step}"),
        mo.ui.table(rows, selection=None),
    ])


if __name__ == "__main__":
    print(report())
