"""The course's sample pull requests (``sample_prs/``): what each one changes, and its diff.

Each pull request is a folder ``sample_prs/<slug>/``:

- ``description.md``: the pull request as its author wrote it (a title line, then the body);
- ``change.diff``: the change, a unified diff that ``git apply`` applies to the repository;
- ``files/``: the files the pull request adds, at the paths where it adds them;
- ``pr.json``: its number, the behavioural check that shows its bug (``check``), the numbers
  its description claims (``claims``), and its ``edits`` to files that already exist: each
  inserts lines before or after a line of the current file that starts with ``anchor``.

``files/`` and ``edits`` are the source of truth; ``change.diff`` is generated from them
against the current code by :func:`make_diff` (``sample_prs/refresh.py`` writes it), so a
diff is rebased onto a changed main in seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcourse import gittools
from mlcourse.dataset import REPO_ROOT

SAMPLE_PRS_DIR = REPO_ROOT / "sample_prs"
COPIED_FOR_CHECKS = ("src", "tests", "pyproject.toml")  # what a behavioural check needs of the repository

class PullRequestError(RuntimeError):
    """A sample pull request cannot be built or applied; the message names the pull request and what to do."""


@dataclass(frozen=True)
class Edit:
    """Lines a pull request inserts into an existing file, next to an anchor line."""

    file: str
    anchor: str  # the anchor line starts with this text (indentation included)
    insert: tuple[str, ...]
    where: str = "after"  # or "before"
    occurrence: str = "only"  # "only" (the anchor must be unique), "first" or "last"


@dataclass(frozen=True)
class SamplePR:
    """One sample pull request of ``sample_prs/``."""

    slug: str
    number: int
    check: str
    edits: tuple[Edit, ...] = ()
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return SAMPLE_PRS_DIR / self.slug

    @property
    def diff_path(self) -> Path:
        return self.folder / "change.diff"

    @property
    def label(self) -> str:
        return f"PR {self.number} ({self.slug})"

    def description(self) -> str:
        """The pull request's description, as its author wrote it (Markdown)."""
        return (self.folder / "description.md").read_text(encoding="utf-8")

    @property
    def title(self) -> str:
        return self.description().splitlines()[0].lstrip("# ").strip()

    def diff(self) -> str:
        """The stored unified diff."""
        return self.diff_path.read_text(encoding="utf-8")

    def new_files(self) -> list[str]:
        """Repository paths of the files the pull request adds (those under ``files/``)."""
        base = self.folder / "files"
        return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())

    def touched_files(self) -> list[str]:
        return sorted(set(self.new_files()) | {edit.file for edit in self.edits})


def _edit(raw: dict[str, Any]) -> Edit:
    return Edit(file=raw["file"], anchor=raw["anchor"], insert=tuple(raw["insert"]),
                where=raw.get("where", "after"), occurrence=raw.get("occurrence", "only"))


def catalogue() -> list[SamplePR]:
    """Every sample pull request, in number order."""
    prs = []
    for meta_path in sorted(SAMPLE_PRS_DIR.glob("*/pr.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        prs.append(SamplePR(slug=meta_path.parent.name, number=int(meta["number"]), check=meta["check"],
                            edits=tuple(_edit(e) for e in meta.get("edits", [])), claims=meta.get("claims", {})))
    return sorted(prs, key=lambda pr: pr.number)


def get(number_or_slug: int | str) -> SamplePR:
    """One pull request, by number (1) or folder name."""
    for pr in catalogue():
        if number_or_slug in (pr.number, pr.slug):
            return pr
    raise KeyError(f"no sample pull request {number_or_slug!r}; there are {[p.slug for p in catalogue()]}")


# ======================================================================================
# The pull request's version of each file it touches
# ======================================================================================
def _anchor_index(pr: SamplePR, edit: Edit, lines: list[str]) -> int:
    hits = [i for i, line in enumerate(lines) if line.startswith(edit.anchor)]
    if not hits or (edit.occurrence == "only" and len(hits) > 1):
        found = "no line" if not hits else f"{len(hits)} lines (lines {', '.join(str(h + 1) for h in hits[:5])})"
        raise PullRequestError(
            f"{pr.label}: {found} of {edit.file} start with {edit.anchor!r}, the anchor of one of its edits. "
            f"The file changed on main: update the edit's anchor in {pr.folder.name}/pr.json (a line of the new "
            "code next to which the inserted lines belong), then run `uv run python sample_prs/refresh.py "
            f"{pr.slug}`.")
    return hits[-1] if edit.occurrence == "last" else hits[0]


def post_change_files(pr: SamplePR, root: Path = REPO_ROOT) -> dict[str, str]:
    """The text of every file the pull request touches, as it is after the change, against ``root``."""
    out: dict[str, str] = {}
    for path in pr.new_files():
        if (root / path).exists():
            raise PullRequestError(f"{pr.label} adds {path}, but that file now exists on main: rename the "
                                   f"pull request's file under {pr.folder.name}/files/ (and its imports).")
        out[path] = (pr.folder / "files" / path).read_text(encoding="utf-8")
    for edit in pr.edits:
        if edit.file not in out:
            source = root / edit.file
            if not source.exists():
                raise PullRequestError(f"{pr.label} edits {edit.file}, which no longer exists on main: update "
                                       f"{pr.folder.name}/pr.json.")
            out[edit.file] = source.read_text(encoding="utf-8")
        lines = out[edit.file].splitlines(keepends=True)
        at = _anchor_index(pr, edit, lines) + (1 if edit.where == "after" else 0)
        lines[at:at] = [line + "\n" for line in edit.insert]
        out[edit.file] = "".join(lines)
    return out


# ======================================================================================
# Git: making the diff, applying it
# ======================================================================================
def _git(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    try:
        return gittools.git(args, cwd, check=check)
    except gittools.GitError as exc:
        raise PullRequestError(str(exc)) from None


def make_diff(pr: SamplePR, root: Path = REPO_ROOT) -> str:
    """The pull request's unified diff against the files of ``root`` (what ``change.diff`` should hold)."""
    after = post_change_files(pr, root)
    with tempfile.TemporaryDirectory(prefix="sample-pr-") as tmp:
        work = Path(tmp)
        _git(["init", "-q"], work)
        for path in after:
            if (root / path).exists():
                target = work / path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / path, target)
        _git(["add", "-A"], work)
        _git(["commit", "-q", "--allow-empty", "-m", "main"], work)
        for path, text in after.items():
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _git(["add", "-A"], work)
        return _git(["diff", "--cached", "--no-color", "--no-ext-diff", "--no-renames", "-U3"], work).stdout


def diff_applies(pr: SamplePR, root: Path = REPO_ROOT) -> str | None:
    """None if ``change.diff`` applies cleanly to ``root`` (checked only, nothing written); else why not."""
    done = _git(["apply", "--check", "--verbose", str(pr.diff_path)], root, check=False)
    if done.returncode == 0:
        return None
    return (f"{pr.label}: sample_prs/{pr.slug}/change.diff no longer applies to this repository "
            f"({done.stderr.strip()}). Rebase it: `uv run python sample_prs/refresh.py {pr.slug}`.")


def copy_repository(dest: Path, root: Path = REPO_ROOT, parts: Iterable[str] = COPIED_FOR_CHECKS) -> Path:
    """A copy of the parts of ``root`` that code and tests need (no caches), for applying a diff safely."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache")
    dest.mkdir(parents=True, exist_ok=True)
    for part in parts:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=ignore, dirs_exist_ok=True)
        elif source.exists():
            shutil.copyfile(source, dest / part)
    return dest


def apply_to_copy(pr: SamplePR, dest: Path, root: Path = REPO_ROOT) -> Path:
    """Copy the repository's code to ``dest`` and apply the pull request's diff there with ``git apply``."""
    copy_repository(dest, root)
    done = _git(["apply", "--verbose", str(pr.diff_path)], dest, check=False)
    if done.returncode != 0:
        raise PullRequestError(f"{pr.label}: change.diff does not apply to a copy of the repository "
                               f"({done.stderr.strip()}). Rebase it: `uv run python sample_prs/refresh.py {pr.slug}`.")
    return dest


def check_environment(copy: Path, data_dir: Path | None = None) -> dict[str, str]:
    """Environment to run code in ``copy``: its ``src`` first on the path, the course data shared."""
    from mlcourse.dataset import data_dir as course_data_dir

    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "PYTHONDONTWRITEBYTECODE": "1",
           "MLCOURSE_DATA_DIR": str(data_dir or course_data_dir())}
    return env
