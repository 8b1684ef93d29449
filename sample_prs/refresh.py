"""Rebase the sample pull requests onto the current code: regenerate each change.diff.

    uv run python sample_prs/refresh.py                 # every pull request
    uv run python sample_prs/refresh.py pr3-seller-estimate-endpoint
    uv run python sample_prs/refresh.py --check         # exit 1 if a diff or a key is out of date
    uv run python sample_prs/refresh.py --measure pr1-card-price-trend   # also re-measure its claims

A pull request's source of truth is its folder: the files it adds (``files/``) and its edits to
existing files (``pr.json``: lines inserted next to an anchor line). This script rebuilds the
pull request's version of every file it touches against the current working tree, writes
the unified diff to ``change.diff``, and moves the answer key's line ranges
(``src/mlcourse/review_keys.json``) to where their anchor text now is. If an edit's anchor is
gone from main, it says which: change the anchor in ``pr.json`` and run it again.

With ``--measure`` it applies the diff to a temporary copy of the repository, runs the
pull request's ``measure()`` (in its behavioural check module, ``pr.json``'s ``check``) and
writes the numbers into ``pr.json`` and ``description.md``, so the description quotes what
the code does. Then run ``uv run pytest tests/test_sample_prs.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from mlcourse import pullrequests, review


def relocate_key(slug: str, diff_text: str, raw_keys: dict) -> list[str]:
    """Move the key's line ranges of one pull request to where their anchors are in the new diff.

    Returns what moved, as sentences; raises PullRequestError if an anchor is nowhere in its file.
    """
    files = {f.path: f.new_side() for f in review.parse_diff(diff_text)}
    entry = raw_keys["pull_requests"].get(slug)
    if entry is None:
        return []
    moved = []
    locations = [loc for f in entry["findings"] for loc in f["locations"]]
    locations += [loc for lead in entry.get("false_leads", []) for loc in lead["locations"]]
    for loc in locations:
        lines = files.get(loc["file"], {})
        first, last = loc["lines"]
        if loc["anchor"] in lines.get(first, ""):
            continue
        hits = sorted(n for n, text in lines.items() if loc["anchor"] in text)
        if not hits:
            raise pullrequests.PullRequestError(
                f"{slug}: the key's anchor {loc['anchor']!r} is no longer in {loc['file']} as the diff shows it: "
                "edit the finding in src/mlcourse/review_keys.json")
        new_first = min(hits, key=lambda n: abs(n - first))
        loc["lines"] = [new_first, new_first + (last - first)]
        moved.append(f"{loc['file']}: lines {first}-{last} -> {loc['lines'][0]}-{loc['lines'][1]}")
    return moved


def measure(pr: pullrequests.SamplePR) -> dict[str, str]:
    """The pull request's claims, measured on a copy of the repository with its diff applied."""
    module = pr.check.removesuffix(".py").replace("/", ".")
    with tempfile.TemporaryDirectory(prefix="sample-pr-measure-") as tmp:
        copy = pullrequests.apply_to_copy(pr, Path(tmp) / "repo")
        done = subprocess.run([sys.executable, "-c", f"import json, {module} as m; print(json.dumps(m.measure()))"],
                              cwd=copy, env=pullrequests.check_environment(copy), capture_output=True, text=True,
                              timeout=600)
    if done.returncode != 0:
        raise pullrequests.PullRequestError(f"{pr.label}: measure() failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_claims(pr: pullrequests.SamplePR, measured: dict[str, str]) -> list[str]:
    """Put measured claims into pr.json and replace the old numbers in description.md."""
    meta_path = pr.folder / "pr.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    description = pr.description()
    changed = []
    for name, new in measured.items():
        old = meta.get("claims", {}).get(name)
        if old == new:
            continue
        if old is not None:
            description, n = re.subn(rf"(?<![\d.]){re.escape(old)}(?![\d])", new, description)
            changed.append(f"{name}: {old} -> {new} ({n} place(s) in description.md)")
        meta.setdefault("claims", {})[name] = new
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (pr.folder / "description.md").write_text(description, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prs", nargs="*", help="folder names under sample_prs/ (default: all)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    parser.add_argument("--measure", action="store_true", help="re-measure the claims of the description")
    args = parser.parse_args(argv)
    prs = [pullrequests.get(slug) for slug in args.prs] if args.prs else pullrequests.catalogue()
    raw_keys = review.raw_keys()
    stale = []
    try:
        for pr in prs:
            diff = pullrequests.make_diff(pr)
            moved = relocate_key(pr.slug, diff, raw_keys)
            if not pr.diff_path.exists() or diff != pr.diff():
                stale.append(f"{pr.label}: change.diff")
                if not args.check:
                    pr.diff_path.write_text(diff, encoding="utf-8")
            stale += [f"{pr.label}: key {m}" for m in moved]
            if args.measure and not args.check:
                for change in write_claims(pr, measure(pr)):
                    print(f"{pr.label}: claim {change}")
    except pullrequests.PullRequestError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not args.check:
        review.KEYS_PATH.write_text(json.dumps(raw_keys, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for line in stale:
        print(("out of date: " if args.check else "updated: ") + line)
    if not stale:
        print("every diff and key is up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
