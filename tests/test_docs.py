"""The learner-facing documents stay true to what the course contains."""

from __future__ import annotations

import re

from mlcourse import progress
from tests.conftest import ROOT, notebook_paths


def test_progress_tracker_lists_every_exercise_with_its_title():
    tracker = (ROOT / "progress_tracker.md").read_text()
    for ex_id, exercise in progress.all_exercises().items():
        assert f"- [ ] {ex_id} {exercise.title}" in tracker, f"{ex_id} {exercise.title!r} missing from the tracker"
    listed = set(re.findall(r"^- \[ \] (\d+\.\d+) ", tracker, flags=re.M))
    assert listed == set(progress.all_exercises()), "the tracker lists exercises that do not exist"


def test_readme_module_table_matches_the_notebooks():
    readme = (ROOT / "README.md").read_text()
    present = {p.name for p in notebook_paths()}
    for row in re.findall(r"^\| \d\..*$", readme, flags=re.M):
        notebook = re.search(r"`(\d\d_\w+\.py)`", row).group(1)
        status = row.rstrip(" |").rsplit("|", 1)[-1].strip()
        if status == "ready":
            assert notebook in present, f"README says {notebook} is ready but it does not exist"
        else:
            assert notebook not in present, f"{notebook} exists but the README still says {status!r}"


def test_every_ready_module_has_its_exercise_notebook():
    modules = sorted(ROOT.glob("[0-7][0-9]_*.py"))
    for module in modules:
        number = module.name[:2]
        assert (ROOT / "exercises" / f"exercises_{number}.py").exists(), f"{module.name} has no exercise notebook"
