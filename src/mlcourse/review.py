"""Code review as data: review comments on a diff, an answer key, and a score.

A review comment names a file, a line of the *new* file (the line numbers of the changed
code, as a code-review tool shows them), a severity and what is wrong::

    {"file": "src/mlcourse/card_trend.py", "line": 31, "severity": "blocking",
     "comment": "The window is centred: it averages sales after this listing ..."}

Severities follow the usual convention: **blocking** (must be fixed before the merge: the
code is wrong, or its numbers are), **suggestion** (worth doing, the author decides),
**nit** (style; never holds up a merge).

An answer key lists a pull request's findings (file, line range in the new file, severity,
category, why, how to fix it, the test that would have caught it) and its *false leads*:
places that look wrong and are not. :func:`score_review` matches comments to findings: a
comment finds a finding when it is on the right file, within :data:`LINE_TOLERANCE` lines of
it, and says what the problem is (it names one of the finding's terms). A review passes
when it finds every blocking finding as blocking and raises no blocking comment where
nothing blocks.

The keys are in ``review_keys.json`` next to this module (the exercises read them; the
notebook shows one only after the learner has submitted a review).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

SEVERITIES = ("blocking", "suggestion", "nit")
SEVERITY_ALIASES = {
    "blocking": "blocking", "blocker": "blocking", "block": "blocking", "must fix": "blocking",
    "must-fix": "blocking", "request changes": "blocking", "critical": "blocking",
    "suggestion": "suggestion", "suggest": "suggestion", "should": "suggestion", "consider": "suggestion",
    "nit": "nit", "nitpick": "nit", "nit-pick": "nit", "minor": "nit", "style": "nit",
}
VERDICTS = ("approve", "request changes")
LINE_TOLERANCE = 3
KEYS_PATH = Path(__file__).with_name("review_keys.json")


# ======================================================================================
# Diffs
# ======================================================================================
@dataclass(frozen=True)
class DiffLine:
    kind: str  # "+" added, "-" removed, " " context
    old: int | None
    new: int | None
    text: str


@dataclass
class FileDiff:
    """One file of a unified diff: its path (new side), whether it is new, and its hunks' lines."""

    path: str
    is_new: bool = False
    lines: list[DiffLine] = field(default_factory=list)

    def new_side(self) -> dict[int, str]:
        """Line number in the new file -> text, for every line the diff shows there (added or context)."""
        return {line.new: line.text for line in self.lines if line.new is not None}

    def added(self) -> dict[int, str]:
        return {line.new: line.text for line in self.lines if line.kind == "+"}


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def parse_diff(text: str) -> list[FileDiff]:
    """The files of a unified diff (``git diff`` format), with new-file line numbers."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    old_no = new_no = 0
    for raw in text.splitlines():
        if raw.startswith("diff --git "):
            current = FileDiff(path=raw.split(" b/", 1)[-1])
            files.append(current)
        elif current is None:
            continue
        elif raw.startswith("new file mode"):
            current.is_new = True
        elif raw.startswith("+++ "):
            target = raw[4:].strip()
            if target != "/dev/null":
                current.path = target[2:] if target.startswith("b/") else target
        elif raw.startswith(("--- ", "index ", "deleted file mode", "old mode", "new mode", "similarity", "rename ")):
            continue
        elif match := _HUNK.match(raw):
            old_no, new_no = int(match.group(1)), int(match.group(3))
        elif raw.startswith("+"):
            current.lines.append(DiffLine("+", None, new_no, raw[1:]))
            new_no += 1
        elif raw.startswith("-"):
            current.lines.append(DiffLine("-", old_no, None, raw[1:]))
            old_no += 1
        elif raw.startswith(" ") or raw == "":
            current.lines.append(DiffLine(" ", old_no, new_no, raw[1:]))
            old_no += 1
            new_no += 1
    return files


def numbered_view(file_diff: FileDiff) -> str:
    """The file's changes as a review tool shows them: new-file line numbers, + for added, - for removed."""
    width = max((len(str(line.new)) for line in file_diff.lines if line.new is not None), default=1)
    out, previous_new = [], None
    for line in file_diff.lines:
        if line.new is not None and previous_new is not None and line.new != previous_new + 1:
            out.append(" " * width + "   ...")
        number = str(line.new) if line.new is not None else ""
        out.append(f"{number:>{width}} {line.kind} {line.text}".rstrip())
        if line.new is not None:
            previous_new = line.new
    return "\n".join(out)


# ======================================================================================
# The answer key
# ======================================================================================
@dataclass(frozen=True)
class Location:
    file: str
    lines: tuple[int, int]
    anchor: str  # text found on the first line of the range (kept true by the tests and refresh.py)

    def covers(self, file: str, line: int, tolerance: int = LINE_TOLERANCE) -> bool:
        return file == self.file and self.lines[0] - tolerance <= line <= self.lines[1] + tolerance

    def span(self) -> str:
        first, last = self.lines
        return f"line {first}" if first == last else f"lines {first}-{last}"

    def describe(self) -> str:
        return f"{self.file}, {self.span()}"


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    category: str
    title: str
    why: str
    fix: str
    hint: str  # says where to look and what kind of problem, not what the fix is
    caught_by: str  # the test that would have caught it
    terms: tuple[str, ...]  # words a comment that names this problem uses (see mlcourse.checks.mentions)
    locations: tuple[Location, ...]
    accept: tuple[str, ...]  # the severities a reviewer may give it

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"

    def at(self, file: str, line: int) -> bool:
        return any(loc.covers(file, line) for loc in self.locations)


@dataclass(frozen=True)
class FalseLead:
    """A place that looks wrong and is not: why, for a learner who flags it as blocking."""

    locations: tuple[Location, ...]
    why: str

    def at(self, file: str, line: int, tolerance: int = LINE_TOLERANCE) -> bool:
        return any(loc.covers(file, line, tolerance) for loc in self.locations)


@dataclass(frozen=True)
class ReviewKey:
    slug: str
    number: int
    verdict: str
    summary: str
    findings: tuple[Finding, ...]
    false_leads: tuple[FalseLead, ...] = ()

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def files(self) -> list[str]:
        return sorted({loc.file for f in self.findings for loc in f.locations})


def _location(raw: dict[str, Any]) -> Location:
    return Location(file=raw["file"], lines=(int(raw["lines"][0]), int(raw["lines"][1])), anchor=raw["anchor"])


def _finding(raw: dict[str, Any]) -> Finding:
    severity = raw["severity"]
    default_accept = ("blocking",) if severity == "blocking" else ("suggestion", "nit")
    return Finding(id=raw["id"], severity=severity, category=raw["category"], title=raw["title"], why=raw["why"],
                   fix=raw["fix"], hint=raw["hint"], caught_by=raw["caught_by"], terms=tuple(raw["terms"]),
                   locations=tuple(_location(loc) for loc in raw["locations"]),
                   accept=tuple(raw.get("accept", default_accept)))


@functools.lru_cache(maxsize=1)
def _raw_keys() -> str:
    return KEYS_PATH.read_text(encoding="utf-8")


def raw_keys() -> dict[str, Any]:
    """The answer keys as stored (a fresh copy: refresh.py edits and writes it back)."""
    return json.loads(_raw_keys())


def categories() -> dict[str, dict[str, Any]]:
    """The review categories the sample pull requests plant: name -> description and terms."""
    return raw_keys()["categories"]


def keys() -> dict[str, ReviewKey]:
    """Every pull request's answer key, by folder name."""
    out = {}
    for slug, raw in raw_keys()["pull_requests"].items():
        out[slug] = ReviewKey(slug=slug, number=int(raw["number"]), verdict=raw["verdict"], summary=raw["summary"],
                              findings=tuple(_finding(f) for f in raw["findings"]),
                              false_leads=tuple(FalseLead(tuple(_location(loc) for loc in lead["locations"]),
                                                          lead["why"]) for lead in raw.get("false_leads", [])))
    return out


def key_for(number_or_slug: int | str) -> ReviewKey:
    for key in keys().values():
        if number_or_slug in (key.number, key.slug):
            return key
    raise KeyError(f"no answer key for {number_or_slug!r}")


# ======================================================================================
# Comments and the score
# ======================================================================================
@dataclass(frozen=True)
class Comment:
    file: str
    line: int
    severity: str
    text: str
    number: int = 0  # its position in the learner's list, from 1

    def where(self) -> str:
        return f"{PurePosixPath(self.file).name} line {self.line}"


def normalise_severity(value: str) -> str | None:
    """'Blocker', 'NIT', 'must fix'... -> one of SEVERITIES, or None if it is none of them."""
    return SEVERITY_ALIASES.get(re.sub(r"[\s_]+", " ", value.strip().lower()).strip(" :!.") or "-")


_VERDICTS = {"approve": "approve", "approved": "approve", "lgtm": "approve", "accept": "approve",
             "request changes": "request changes", "changes requested": "request changes",
             "request_changes": "request changes", "reject": "request changes", "block": "request changes"}


def normalise_verdict(value: str) -> str | None:
    """'Approve', 'LGTM', 'request_changes'... -> one of VERDICTS, or None."""
    return _VERDICTS.get(re.sub(r"[\s_-]+", " ", value.strip().lower()).strip(" .!"))


def resolve_file(given: str, files: list[str]) -> str | None:
    """The pull request's file a comment names: its path (with or without a/ or b/), or its file name if unique."""
    text = given.strip().strip("`").replace("\\", "/")
    for prefix in ("a/", "b/", "./"):
        text = text.removeprefix(prefix)
    if text in files:
        return text
    by_name = [f for f in files if PurePosixPath(f).name == text or f.endswith("/" + text)]
    return by_name[0] if len(by_name) == 1 else None


def names_problem(comment: Comment, finding: Finding) -> bool:
    """Does the comment say what this finding's problem is (one of its terms)?"""
    from mlcourse.checks import mentions

    return mentions(comment.text, *finding.terms)


@dataclass
class ReviewScore:
    found: list[tuple[Finding, Comment]] = field(default_factory=list)  # blocking findings found as blocking
    missed: list[Finding] = field(default_factory=list)  # blocking findings not found as blocking
    under_rated: list[tuple[Finding, Comment]] = field(default_factory=list)  # found, but not called blocking
    unnamed: list[tuple[Finding, Comment]] = field(default_factory=list)  # blocking comment there, problem not named
    misplaced: list[tuple[Finding, Comment]] = field(default_factory=list)  # names it, on the wrong line or file
    over_rated: list[tuple[Finding, Comment]] = field(default_factory=list)  # blocking on what does not block
    false_alarms: list[tuple[Comment, FalseLead | None]] = field(default_factory=list)  # blocking, nothing there
    noted: list[tuple[Finding, Comment]] = field(default_factory=list)  # non-blocking findings the review made

    @property
    def passed(self) -> bool:
        return not self.missed and not self.false_alarms and not self.over_rated

    @property
    def requests_changes(self) -> bool:
        return bool(self.found or self.unnamed or self.misplaced or self.over_rated or self.false_alarms
                    or any(c.severity == "blocking" for _, c in self.noted))


def score_review(key: ReviewKey, comments: list[Comment]) -> ReviewScore:
    """Match review comments to the key's findings (see the module docstring for the rules)."""
    score = ReviewScore()
    for finding in key.blocking:
        naming = [c for c in comments if finding.at(c.file, c.line) and names_problem(c, finding)]
        as_blocking = [c for c in naming if c.severity == "blocking"]
        if as_blocking:
            score.found.append((finding, as_blocking[0]))
        else:
            score.missed.append(finding)
            if naming:
                score.under_rated.append((finding, naming[0]))
    for comment in comments:
        named = [f for f in key.findings if f.at(comment.file, comment.line) and names_problem(comment, f)]
        names_a_blocker = any(f.blocking for f in named)
        for finding in named:
            if not finding.blocking:
                fits = comment.severity in finding.accept or names_a_blocker
                bucket = score.noted if fits else score.over_rated
                if not any(f is finding for f, _ in bucket):
                    bucket.append((finding, comment))
        if comment.severity != "blocking" or named:  # named: found, or rated above (noted / over_rated)
            continue
        exact_lead = next((lead for lead in key.false_leads if lead.at(comment.file, comment.line, tolerance=0)), None)
        blocking_here = [f for f in key.blocking if f.at(comment.file, comment.line)]
        if blocking_here and exact_lead is None:  # near a blocking problem, naming none: not found, not an alarm
            for finding in blocking_here:
                if finding in score.missed and not any(f is finding for f, _ in score.unnamed):
                    score.unnamed.append((finding, comment))
            continue
        lead = exact_lead or next((lead for lead in key.false_leads if lead.at(comment.file, comment.line)), None)
        score.false_alarms.append((comment, lead))
        for finding in score.missed:
            if names_problem(comment, finding) and not any(f is finding for f, _ in score.under_rated):
                score.misplaced.append((finding, comment))
                break
    return score


def key_table(key: ReviewKey) -> list[dict[str, str]]:
    """The answer key as rows for a table (one per finding)."""
    return [{"severity": f.severity, "category": f.category, "where": "; ".join(loc.describe() for loc in f.locations),
             "finding": f.title, "why": f.why, "fix": f.fix, "caught by": f.caught_by} for f in key.findings]
