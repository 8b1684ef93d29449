"""The sample pull requests of sample_prs/ are real: each diff applies, each planted bug bites, the decoy passes.

For every pull request, a copy of the repository gets the diff applied with ``git apply`` and
runs the pull request's behavioural checks (tests/review_checks/) and its own tests in one
process (tests/review_checks/run.py). A pull request with a bug must fail the check named in
its answer key for each blocking finding, and its fixed version (tests/review_checks/fixes/)
must pass every check; the decoy must pass everything. The numbers each description quotes
must be what the code measures, and the answer keys must point at the lines they describe.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlcourse import pullrequests, review
from tests.conftest import ROOT

PRS = pullrequests.catalogue()
KEYS = review.keys()
FIXES = ROOT / "tests" / "review_checks" / "fixes"


def _ids(pr: pullrequests.SamplePR) -> str:
    return pr.slug


def _run_checks(pr: pullrequests.SamplePR, dest: Path, *, fixed: bool, measure: bool) -> dict:
    """Apply the pull request to a copy, optionally overlay its fixed files, run its checks; the JSON result."""
    copy = pullrequests.apply_to_copy(pr, dest)
    own_tests = [] if fixed else [p for p in pr.new_files() if p.startswith("tests/")]
    if fixed:
        shutil.copytree(FIXES / pr.slug, copy, dirs_exist_ok=True)
    args = [sys.executable, "-m", "tests.review_checks.run", pr.check, *own_tests] + (["--measure"] if measure else [])
    done = subprocess.run(args, cwd=copy, env=pullrequests.check_environment(copy), capture_output=True, text=True,
                          timeout=900)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and lines and lines[-1].startswith("{"), (
        f"{pr.label}: the checks did not run in the copy:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


_RESULTS: dict[tuple[str, bool], dict] = {}


def _results(pr: pullrequests.SamplePR, tmp_path_factory, fixed: bool = False) -> dict:
    if (pr.slug, fixed) not in _RESULTS:
        dest = tmp_path_factory.mktemp(f"{pr.slug}-{'fixed' if fixed else 'as-written'}") / "repo"
        _RESULTS[pr.slug, fixed] = _run_checks(pr, dest, fixed=fixed, measure=not fixed)
    return _RESULTS[pr.slug, fixed]


def _outcome(result: dict, test_id: str) -> str:
    return result["outcomes"].get(test_id, "not run")


# ------------------------------------------------------------------------------ the catalogue
def test_four_pull_requests_three_with_blocking_bugs_and_one_to_approve():
    assert len(PRS) >= 4 and {pr.slug for pr in PRS} == set(KEYS)
    with_bugs = [k for k in KEYS.values() if k.blocking and k.verdict == "request changes"]
    to_approve = [k for k in KEYS.values() if not k.blocking and k.verdict == "approve"]
    assert len(with_bugs) >= 3 and len(to_approve) >= 1
    assert {k.number for k in KEYS.values()} == {pr.number for pr in PRS}


@pytest.mark.parametrize("pr", PRS, ids=_ids)
def test_each_description_reads_like_a_pull_request(pr):
    text = pr.description()
    assert text.startswith("# ") and len(pr.title) > 20
    for section in ("## What", "## Why", "## How", "## How it was tested", "## Results"):
        assert section in text, f"{pr.label}: description.md has no {section!r} section"


# ------------------------------------------------------------------------------ the diffs
@pytest.mark.parametrize("pr", PRS, ids=_ids)
def test_each_diff_applies_to_the_repository(pr):
    problem = pullrequests.diff_applies(pr)
    assert problem is None, problem


@pytest.mark.parametrize("pr", PRS, ids=_ids)
def test_each_diff_makes_exactly_the_pull_requests_files(pr, tmp_path):
    copy = pullrequests.apply_to_copy(pr, tmp_path / "repo")
    for path, text in pullrequests.post_change_files(pr).items():
        assert (copy / path).read_text(encoding="utf-8") == text, (
            f"{pr.label}: change.diff does not produce {path} as files/ and pr.json describe it: run "
            f"`uv run python sample_prs/refresh.py {pr.slug}`")


def test_a_diff_that_no_longer_applies_is_reported_with_the_pull_request_and_the_fix(tmp_path):
    pr = next(p for p in PRS if p.edits)
    copy = pullrequests.copy_repository(tmp_path / "repo")
    edited = copy / pr.edits[-1].file
    lines = edited.read_text(encoding="utf-8").splitlines(keepends=True)
    anchor = next(i for i, line in enumerate(lines) if line.startswith(pr.edits[-1].anchor))
    lines[anchor - 1] = "    app.openapi = openapi  # changed on main\n"  # the hunk's context no longer matches
    edited.write_text("".join(lines), encoding="utf-8")
    problem = pullrequests.diff_applies(pr, copy)
    assert problem is not None and f"PR {pr.number}" in problem and f"refresh.py {pr.slug}" in problem


def test_refresh_rebases_a_diff_onto_a_changed_main(tmp_path):
    pr = next(p for p in PRS if p.edits)
    copy = pullrequests.copy_repository(tmp_path / "repo", parts=(*pullrequests.COPIED_FOR_CHECKS, "sample_prs"))
    edited = copy / pr.edits[-1].file
    text = edited.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    anchor = next(i for i, line in enumerate(lines) if line.startswith(pr.edits[-1].anchor))
    lines[anchor - 1] = "    app.openapi = openapi  # changed on main\n"
    lines[1:1] = ["# two lines added on main\n", "# above everything\n"]
    edited.write_text("".join(lines), encoding="utf-8")
    assert pullrequests.diff_applies(pr, copy) is not None
    env = pullrequests.check_environment(copy)
    done = subprocess.run([sys.executable, "sample_prs/refresh.py", pr.slug], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "updated" in done.stdout
    done = subprocess.run(["git", "apply", "--check", f"sample_prs/{pr.slug}/change.diff"], cwd=copy,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    def edited_file_lines(keys: dict) -> list[list[int]]:
        return [loc["lines"] for lead in keys["pull_requests"][pr.slug]["false_leads"] for loc in lead["locations"]
                if loc["file"] == pr.edits[-1].file]

    before = edited_file_lines(review.raw_keys())
    after = edited_file_lines(json.loads((copy / "src" / "mlcourse" / "review_keys.json").read_text()))
    assert before and after == [[a + 2, b + 2] for a, b in before], (before, after)


def test_refresh_check_says_everything_is_up_to_date():
    done = subprocess.run([sys.executable, "sample_prs/refresh.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


# ------------------------------------------------------------------------------ the answer keys
@pytest.mark.parametrize("pr", PRS, ids=_ids)
def test_the_answer_key_points_at_the_lines_it_describes(pr):
    files = {f.path: f for f in review.parse_diff(pr.diff())}
    key = KEYS[pr.slug]
    places = [(f.id, loc) for f in key.findings for loc in f.locations]
    places += [("false lead", loc) for lead in key.false_leads for loc in lead.locations]
    for what, loc in places:
        assert loc.file in files, f"{pr.label} key {what}: {loc.file} is not in the diff"
        shown = files[loc.file].new_side()
        first, last = loc.lines
        assert first <= last and all(n in shown for n in range(first, last + 1)), (
            f"{pr.label} key {what}: lines {first}-{last} of {loc.file} are not all shown by the diff")
        assert loc.anchor in shown[first], (f"{pr.label} key {what}: line {first} of {loc.file} is "
                                            f"{shown[first]!r}, not the anchor {loc.anchor!r}")


@pytest.mark.parametrize("pr", PRS, ids=_ids)
def test_every_blocking_finding_is_on_lines_the_pull_request_adds(pr):
    files = {f.path: f.added() for f in review.parse_diff(pr.diff())}
    for finding in KEYS[pr.slug].blocking:
        for loc in finding.locations:
            assert any(n in files[loc.file] for n in range(loc.lines[0], loc.lines[1] + 1)), (
                f"{pr.label} {finding.id}: a blocking finding must be on changed lines")


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("pr", PRS, ids=_ids)
def test_every_finding_names_the_test_that_would_have_caught_it(pr):
    for finding in KEYS[pr.slug].findings:
        assert finding.caught_by.strip(), f"{pr.label} {finding.id}: no test named"
        if "::" in finding.caught_by:
            path, name = finding.caught_by.split("::")
            assert name in _test_functions(ROOT / path), f"{pr.label} {finding.id}: {finding.caught_by} does not exist"
    for finding in KEYS[pr.slug].blocking:
        assert "::" in finding.caught_by, f"{pr.label} {finding.id}: a blocking finding needs a real test"
        assert finding.caught_by.split("::")[0] == pr.check


def test_every_category_a_finding_uses_is_described():
    categories = review.categories()
    used = {f.category for key in KEYS.values() for f in key.findings}
    assert used <= set(categories), used - set(categories)
    assert {f.category for key in KEYS.values() for f in key.blocking} <= {
        name for name, c in categories.items() if c["required"]}


# ------------------------------------------------------------------------------ the bugs bite
def _grouped(prs: list[pullrequests.SamplePR]) -> list:
    """One xdist group per pull request: its copy and its check run are made once, in one worker."""
    return [pytest.param(pr, id=pr.slug, marks=pytest.mark.xdist_group(f"sample-pr-{pr.number}")) for pr in prs]


BUGGY = _grouped([pr for pr in PRS if KEYS[pr.slug].blocking])
CLEAN = _grouped([pr for pr in PRS if not KEYS[pr.slug].blocking])
CLAIMS = _grouped([pr for pr in PRS if pr.claims])


@pytest.mark.parametrize("pr", BUGGY)
def test_each_planted_bug_fails_its_behavioural_test(pr, tmp_path_factory):
    result = _results(pr, tmp_path_factory)
    for finding in KEYS[pr.slug].blocking:
        test_id = finding.caught_by
        assert _outcome(result, test_id) == "failed", (
            f"{pr.label}: {test_id} should fail on the pull request as written ({finding.id}), "
            f"got {_outcome(result, test_id)}")


@pytest.mark.parametrize("pr", BUGGY)
def test_the_bugs_get_past_the_pull_requests_own_tests(pr, tmp_path_factory):
    result = _results(pr, tmp_path_factory)
    own = {test_id: outcome for test_id, outcome in result["outcomes"].items() if not test_id.startswith(pr.check)}
    assert own and all(outcome == "passed" for outcome in own.values()), own


@pytest.mark.parametrize("pr", BUGGY)
def test_the_fixed_version_passes_every_check(pr, tmp_path_factory):
    result = _results(pr, tmp_path_factory, fixed=True)
    checks = {t: o for t, o in result["outcomes"].items() if t.startswith(pr.check)}
    assert checks and all(o == "passed" for o in checks.values()), (checks, result["messages"])


@pytest.mark.parametrize("pr", CLEAN)
def test_the_decoy_passes_its_checks_and_its_own_tests(pr, tmp_path_factory):
    result = _results(pr, tmp_path_factory)
    assert result["outcomes"] and all(o == "passed" for o in result["outcomes"].values()), result["messages"]


def _as_number(text: str) -> float | None:
    try:
        return float(text.rstrip("%").replace(",", ""))
    except ValueError:
        return None


@pytest.mark.parametrize("pr", CLAIMS)
def test_each_description_quotes_what_the_code_measures(pr, tmp_path_factory):
    measured = _results(pr, tmp_path_factory)["measured"]
    description = pr.description()
    for name, claimed in pr.claims.items():
        assert claimed in description, f"{pr.label}: description.md does not quote its claim {name} = {claimed}"
        got = measured.get(name)
        claimed_number, got_number = _as_number(claimed), _as_number(str(got))
        if claimed_number is not None and got_number is not None:
            decimals = len(claimed.rstrip("%").partition(".")[2])
            ok = abs(claimed_number - got_number) <= 10 ** -decimals + 1e-12
        else:
            ok = claimed == got
        assert ok, (f"{pr.label}: the description claims {name} = {claimed}, the code now measures {got}. "
                    f"Update it: `uv run python sample_prs/refresh.py --measure {pr.slug}`")
