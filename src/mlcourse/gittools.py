"""Running git from the course's code: without the user's configuration, so output is the same everywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "course", "GIT_AUTHOR_EMAIL": "course@example.invalid",
           "GIT_COMMITTER_NAME": "course", "GIT_COMMITTER_EMAIL": "course@example.invalid",
           "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
           "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


class GitError(RuntimeError):
    """git failed; the message has git's own words."""


def available() -> bool:
    """Is a git executable on the PATH?"""
    return shutil.which("git") is not None


def git(args: list[str], cwd: Path, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run ``git args`` in ``cwd`` with a neutral configuration; raise GitError if it fails and ``check``."""
    if not available():
        raise GitError("git is not installed (or not on the PATH): install it from https://git-scm.com, then run "
                       "this again")
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=60)
    if check and done.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip() or done.stdout.strip()}")
    return done


def init(path: Path, branch: str = "main") -> Path:
    """A new, empty repository at ``path`` whose first branch is ``branch``."""
    path.mkdir(parents=True, exist_ok=True)
    git(["init", "-q"], path)
    git(["symbolic-ref", "HEAD", f"refs/heads/{branch}"], path)  # works with gits older than `init -b`
    return path
