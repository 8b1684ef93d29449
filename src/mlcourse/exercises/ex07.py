"""Module 7 exercises: collaboration and ML code review.

7.1-7.3 Review sample PRs 1 to 3: structured comments scored against the answer key.
7.4 Write a pull request description: what, why, how, testing, metrics with numbers.
7.5 Build a code review checklist that covers what the pull requests planted.
7.6 Refactor a messy notebook script into tested functions, checked by behaviour.
7.7 Review sample PR 4 with your checklist (approving it is the right answer).

The reviews are scored by :func:`mlcourse.review.score_review` against the keys in
``mlcourse/review_keys.json``; the notebook shows a key only after a review was submitted.
"""

from __future__ import annotations

import functools
import inspect
import re
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcourse import pullrequests, review
from mlcourse.checker import Exercise, Incorrect, NotAttempted, call_learner, is_stub
from mlcourse.checks import (
    code,
    expect_answered,
    expect_records,
    expect_text,
    fmt,
    is_filler,
    mentions,
    quantities_in,
    sentences,
    show,
    words,
)
from mlcourse.dataset import load_listings
from mlcourse.review import Comment

REVIEW_FIELDS = ("file", "line", "severity", "comment")
MIN_BLOCKING_WORDS = 5
MAX_ITEMS_SHOWN = 4


# ======================================================================================
# Reviews: from the learner's records to comments
# ======================================================================================
@functools.lru_cache(maxsize=8)
def _diff_files(number: int) -> dict[str, dict[int, str]]:
    return {f.path: f.new_side() for f in review.parse_diff(pullrequests.get(number).diff())}


def pr_files(number: int) -> list[str]:
    """The files a sample pull request touches, as a review comment names them."""
    return sorted(_diff_files(number))


def _line(value: Any, i: int) -> int:
    if isinstance(value, bool) or value is None or value is ...:
        raise Incorrect(f"Comment {i}: `line` should be a line number of the new file (an integer), got {show(value)}.")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and (match := re.fullmatch(r"\s*[Ll]?(?:ines?)?\s*(\d+)\s*(?:[-–:]\s*\d+)?\s*", value)):
        return int(match.group(1))
    raise Incorrect(f"Comment {i}: `line` should be a line number of the new file (an integer such as 31), got "
                    f"{show(value)}.")


def _comments(value: Any, number: int, *, allow_empty: bool = False) -> list[Comment]:
    """The learner's review as comments, each checked: a file of the pull request, a line shown, a severity, words."""
    if is_stub(value) or (isinstance(value, list | tuple) and not value and not allow_empty):
        raise NotAttempted("Not attempted yet: add your review comments to the list (one dict per comment).")
    records = expect_records(value, "Your review", fields=REVIEW_FIELDS)
    files = _diff_files(number)
    comments = []
    for i, record in enumerate(records, start=1):
        given = record["file"]
        if not isinstance(given, str) or not given.strip():
            raise Incorrect(f"Comment {i}: `file` should be the path of a file in the pull request, got {show(given)}.")
        file = review.resolve_file(given, list(files))
        if file is None:
            raise Incorrect(f"Comment {i}: {show(given)} is not a file of this pull request; its files are "
                            f"{', '.join(code(f) for f in files)}.")
        line = _line(record["line"], i)
        if line not in files[file]:
            shown = sorted(files[file])
            raise Incorrect(f"Comment {i}: line {line} of {code(file)} is not part of the diff (it shows lines "
                            f"{_ranges(shown)}): comment on a line of the change, numbered as in the new file.")
        severity_given = record["severity"]
        severity = review.normalise_severity(severity_given) if isinstance(severity_given, str) else None
        if severity is None:
            raise Incorrect(f"Comment {i}: severity {show(severity_given)} is not one of `blocking`, `suggestion`, "
                            "`nit`.")
        text = record["comment"]
        if not isinstance(text, str) or not text.strip() or "TODO" in text:
            raise Incorrect(f"Comment {i}: `comment` should say what is wrong (text), got {show(text)}.")
        minimum = MIN_BLOCKING_WORDS if severity == "blocking" else 2
        if len(words(text)) < minimum or is_filler(text, 3 if severity == "blocking" else 2):
            raise Incorrect(f"Comment {i} ({code(file)} line {line}) is too short to act on: say what is wrong"
                            + (" and why it blocks the merge" if severity == "blocking" else "") + ".")
        comments.append(Comment(file=file, line=line, severity=severity, text=text, number=i))
    return comments


def _ranges(numbers: list[int]) -> str:
    spans, start = [], None
    for n, following in zip(numbers, [*numbers[1:], None], strict=True):
        start = n if start is None else start
        if following != n + 1:
            spans.append(f"{start}-{n}" if start != n else str(start))
            start = None
    return ", ".join(spans)


def _category_reason(category: str) -> str:
    return review.categories().get(category, {}).get("description", category)


def review_message(key: review.ReviewKey, score: review.ReviewScore, comments: list[Comment]) -> str:
    """What a learner's review found and what it still misses, in words that point without giving the fix."""
    total = len(key.blocking)
    parts = [f"You found {len(score.found)} of the {total} blocking problem{'s' if total != 1 else ''}."]
    explained: set[str] = set()
    notes = []
    for finding, comment in score.under_rated:
        explained.add(finding.id)
        notes.append(f"Comment {comment.number} ({comment.where()}) finds a real problem but calls it a "
                     f"{comment.severity}: it blocks the merge, because it is {finding.category} "
                     f"({_category_reason(finding.category)}).")
    for finding, comment in score.misplaced:
        explained.add(finding.id)
        where = (f"it is elsewhere in {code(finding.locations[0].file)}" if comment.file == finding.locations[0].file
                 else f"look in {code(finding.locations[0].file)}")
        notes.append(f"Comment {comment.number} describes a {finding.category} problem, but not on the line where "
                     f"the code does it ({comment.where()}): {where}. A blocking comment must point at the line "
                     "to change.")
    for finding, comment in score.unnamed:
        explained.add(finding.id)
        notes.append(f"Comment {comment.number} ({comment.where()}) is at the right place but does not say what is "
                     f"wrong there: name the problem ({finding.category}), so the author knows what to fix.")
    misplaced_comments = {c.number for _, c in score.misplaced}
    for comment, lead in score.false_alarms:
        if comment.number in misplaced_comments:
            continue
        why = f" {lead.why}" if lead else " A blocking comment must point at code that is wrong."
        notes.append(f"Comment {comment.number} ({comment.where()}) is blocking, but nothing there blocks the "
                     f"merge (a false alarm).{why}")
    for _, comment in score.over_rated:
        notes.append(f"Comment {comment.number} ({comment.where()}) is worth making, but it does not block the "
                     f"merge: make it a suggestion or a nit.")
    for finding in score.missed:
        if finding.id not in explained:
            notes.append(f"Still missing: a blocking **{finding.category}** problem in "
                         f"{code(finding.locations[0].file)}. {finding.hint}")
    shown = notes[:MAX_ITEMS_SHOWN]
    if len(notes) > len(shown):
        shown.append(f"(and {len(notes) - len(shown)} more)")
    if not any(c.severity == "blocking" for c in comments) and key.blocking:
        parts.append("Your review has no blocking comment: it would approve a pull request that must not be "
                     "merged as it is.")
    return " ".join(parts + shown)


def _noted_summary(key: review.ReviewKey, score: review.ReviewScore) -> str:
    noted = {f.id for f, _ in score.noted}
    others = [f for f in key.findings if not f.blocking and f.id not in noted]
    said = f" You also raised {len(noted)} of its other points." if noted else ""
    rest = f" The key lists {len(others)} more non-blocking point{'s' if len(others) != 1 else ''}: open it below." \
        if others else ""
    return said + rest


def _check_review(number: int, value: Any) -> str:
    key = review.key_for(number)
    comments = _comments(value, number)
    score = review.score_review(key, comments)
    if not score.passed:
        raise Incorrect(review_message(key, score, comments))
    found = "; ".join(f"{f.title.rstrip('.')} ({c.where()})" for f, c in score.found)
    return f"Correct: you would request changes, for the right reasons: {found}.{_noted_summary(key, score)}"


def check_review_pr1(comments: Any) -> str:
    return _check_review(1, comments)


def check_review_pr2(comments: Any) -> str:
    return _check_review(2, comments)


def check_review_pr3(comments: Any) -> str:
    return _check_review(3, comments)


# Model reviews: what a careful reviewer writes (one way among many)
def solution_7_1() -> list[dict]:
    return [
        {"file": "src/mlcourse/card_trend.py", "line": 32, "severity": "blocking",
         "comment": "center=True puts the listing in the middle of its window: the trend of a listing includes "
                    "its own price and the card's next sales, which had not happened on the day it was listed. "
                    "That is target leakage, and it is why validation R² jumps. Use only earlier sales "
                    "(shift(1) before the window, or leakage.card_history_mean), from the training rows."},
        {"file": "src/mlcourse/card_trend.py", "line": 39, "severity": "blocking",
         "comment": "The validation rows' trend is computed from the validation prices (train and valid are "
                    "concatenated): the feature of a validation listing contains its answer."},
        {"file": "tests/test_card_trend.py", "line": 21, "severity": "suggestion",
         "comment": "These tests would pass if the feature were the price itself: add leakage.audit and "
                    "leakage.future_dependence, which exist for exactly this."},
        {"file": "src/mlcourse/card_trend.py", "line": 31, "severity": "suggestion",
         "comment": "A Python lambda per card is slow on the full table; a merge_asof on running totals is "
                    "vectorised."},
    ]


def solution_7_2() -> list[dict]:
    return [
        {"file": "src/mlcourse/model_selection.py", "line": 46, "severity": "blocking",
         "comment": "train.sample has no random_state: every run ranks the families on different rows, so the "
                    "report (and sometimes the winner) changes from run to run. Pass a seed."},
        {"file": "src/mlcourse/model_selection.py", "line": 50, "severity": "blocking",
         "comment": "This 'validation RMSE' is computed on the test set, and the best one is chosen: the test set "
                    "is used for model selection, so its score is optimistic. Carve a validation split from train."},
        {"file": "src/mlcourse/model_selection.py", "line": 55, "severity": "blocking",
         "comment": "The final model is fitted on train + test, then its RMSE is computed on test: an in-sample "
                    "score. That is why the reported RMSE is so low."},
        {"file": "src/mlcourse/model_selection.py", "line": 29, "severity": "suggestion",
         "comment": "A hard-coded relative path writes the model into the current folder (in the repo, where it "
                    "is not gitignored); use mlcourse.paths.output_dir()."},
    ]


def solution_7_3() -> list[dict]:
    return [
        {"file": "src/mlcourse/service/estimate.py", "line": 36, "severity": "blocking",
         "comment": "The body is a plain dict: nothing is validated, so a condition 'Mint' or an hp of -40 gets "
                    "a price. Validate with CardListing (a 422 naming the field) and the model's checks."},
        {"file": "src/mlcourse/service/estimate.py", "line": 42, "severity": "blocking",
         "comment": "int() raises ValueError on NaN or 'ninety', and the caller gets a 500 instead of a 422 "
                    "that names the field."},
        {"file": "src/mlcourse/service/estimate.py", "line": 20, "severity": "blocking",
         "comment": "A skipped condition silently defaults to NM, the most expensive condition: a damaged card "
                    "gets a Near Mint price. Require the field (or return what was assumed)."},
        {"file": "tests/test_service_estimate.py", "line": 23, "severity": "suggestion",
         "comment": "The tests only send valid forms; add NaN, a word, an unknown condition."},
    ]


_REVIEW_HINTS = {
    1: ["Read the diff as the model would see it on the day of a listing: which numbers does the new feature "
        "use, and had they happened yet?",
        "Look at the window in `card_price_trend`: where is the listing inside it? And whose prices feed the "
        "validation rows' feature in `with_price_trend`?",
        "A centred window includes the listing itself and the sales after it. One blocking comment on the "
        "`rolling(...)` line (`src/mlcourse/card_trend.py`), naming the leak."],
    2: ["Follow `test` through `select_model`: every place it is used, and what each use decides.",
        "Three blocking problems: one about randomness, two about which rows a score is computed on.",
        "Line 46 (no seed), the scoring loop around line 50 (chosen on the test set), and lines 54-56 (trained "
        "on the rows it is then scored on)."],
    3: ["Imagine the worst form a browser could send: NaN, a word, a condition nobody has heard of, half the "
        "fields missing. Follow each through `estimate`.",
        "Three blocking problems: what the body's type lets in, what `int()` does with bad values, and what "
        "`FORM_DEFAULTS` does for a seller.",
        "`form: dict[str, Any]` (line 36) skips validation; `int(...)` (line 42) turns NaN into a 500; "
        "`\"condition\": \"NM\"` (line 20) prices unknown conditions as Near Mint."],
}

_REVIEW_NOTE = ("One model review; yours may word things differently, comment on other lines of the same "
                "problem, and add other suggestions. The answer key below your review lists every finding.")

review_pr1 = Exercise(id="7.1", title="Review PR 1: a card price-trend feature", check_fn=check_review_pr1,
                      hints=_REVIEW_HINTS[1], solution=solution_7_1, solution_note=_REVIEW_NOTE)
review_pr2 = Exercise(id="7.2", title="Review PR 2: automatic model selection", check_fn=check_review_pr2,
                      hints=_REVIEW_HINTS[2], solution=solution_7_2, solution_note=_REVIEW_NOTE)
review_pr3 = Exercise(id="7.3", title="Review PR 3: a seller estimate endpoint", check_fn=check_review_pr3,
                      hints=_REVIEW_HINTS[3], solution=solution_7_3, solution_note=_REVIEW_NOTE)


# ======================================================================================
# 7.7 The fourth pull request (well made: approving it is right)
# ======================================================================================
def check_review_pr4(verdict: Any, comments: Any) -> str:
    if is_stub(verdict) and (is_stub(comments) or comments in ([], ())):
        raise NotAttempted("Not attempted yet: set `verdict_7_7` and add your comments (the list may stay empty).")
    if is_stub(verdict):
        raise Incorrect("Set `verdict_7_7` to `\"approve\"` or `\"request changes\"`: a review ends with a verdict.")
    if not isinstance(verdict, str) or review.normalise_verdict(verdict) is None:
        raise Incorrect(f"`verdict_7_7` is {show(verdict)}; use `\"approve\"` or `\"request changes\"`.")
    decision = review.normalise_verdict(verdict)
    key = review.key_for(4)
    parsed = _comments([] if is_stub(comments) else comments, 4, allow_empty=True)
    score = review.score_review(key, parsed)
    blocking = [c for c in parsed if c.severity == "blocking"]
    explanations = []
    for comment, lead in score.false_alarms:
        explanations.append(f"Comment {comment.number} ({comment.where()}): "
                            + (lead.why if lead else "nothing there is wrong, and the audit in the tests agrees."))
    for _, comment in score.over_rated:
        explanations.append(f"Comment {comment.number} ({comment.where()}) is a fair point, but a suggestion, not a "
                            "reason to block.")
    if decision == "request changes":
        reason = (" ".join(explanations[:MAX_ITEMS_SHOWN]) if explanations else
                  "Your comments name nothing that is wrong.")
        raise Incorrect("This pull request has no blocking problem: a false alarm costs the author a day and "
                        f"teaches them to ignore reviews. {reason} Approve it, with your points as suggestions.")
    if blocking:
        raise Incorrect(f"You approve, but comment {blocking[0].number} is blocking: a review cannot do both. "
                        + " ".join(explanations[:MAX_ITEMS_SHOWN]))
    return ("Correct: approve. The feature uses only sales before each listing, from the training rows, and the "
            f"pull request proves it with the leakage audit.{_noted_summary(key, score)}")


def solution_7_7() -> tuple[str, list[dict]]:
    verdict_7_7 = "approve"
    comments_7_7 = [
        {"file": "src/mlcourse/card_history.py", "line": 67, "severity": "suggestion",
         "comment": "More than half of the validation listings fall back to the global mean; the mean of their "
                    "era and rarity would be a closer fallback. Worth a follow-up."},
        {"file": "src/mlcourse/card_history.py", "line": 61, "severity": "suggestion",
         "comment": "Serving will need the card's sales history at request time: please open a follow-up so the "
                    "service computes this with the same function (no training/serving skew)."},
        {"file": "src/mlcourse/card_history.py", "line": 20, "severity": "nit",
         "comment": "These helpers are private to leakage; make them public there."},
    ]
    return verdict_7_7, comments_7_7


review_pr4 = Exercise(
    id="7.7", title="Review PR 4 with your checklist: a card price-history feature", check_fn=check_review_pr4,
    hints=["Run your checklist over it, item by item. For each item, find the line that answers it.",
           "It looks like PR 1. Ask PR 1's question again: which sales does a listing's value come from, and had "
           "they happened on the day? Then look at what its tests prove.",
           "`allow_exact_matches=False`, the history being `train`, and `leakage.audit` in its tests: it is sound. "
           "Approve; suggestions are welcome."],
    solution=solution_7_7,
    solution_note="In the notebook: `verdict_7_7 = \"approve\"` and your comments in `comments_7_7`.")


# ======================================================================================
# 7.4 A pull request description
# ======================================================================================
DESCRIPTION_PARTS = ("what", "why", "how", "testing", "metrics")
_PART_WORDS = [  # checked in this order: "How it was tested" is testing, not how
    ("testing", r"test|verif|\bqa\b|checked"),
    ("metrics", r"metric|result|number|impact|evaluat|benchmark|performance|measure"),
    ("why", r"why|motivation|context|problem|background|rationale|reason"),
    ("what", r"what|summary|overview|description|tl;?dr"),
    ("how", r"how|implementation|approach|design|technical|details|change"),
]
_METRIC_WORDS = ("rmse", "mae", "mape", "r²", "r2", "re:r\\^2", "latency", "ms", "p50", "p95", "p99", "accuracy",
                 "precision", "recall", "f1", "auc", "coverage", "throughput", "error", "re:seconds?", "re:requests?",
                 "re:calls?", "re:forms?", "re:share", "%", "re:\\$", "median", "mean", "time", "re:rate")
_DATA_WORDS = ("re:validation", "test set", "re:test (data|rows|split|period|listings)", "re:hold-?out", "held-out",
               "re:split", "re:listings", "re:benchmark", "re:requests", "re:rows", "re:sample", "re:batch",
               "re:replay", "re:load test", "re:machine|laptop|cores?")
_TESTING_WORDS = ("re:tests?\\b", "re:tested", "pytest", "re:unit", "re:\\bran\\b|\\brun\\b", "re:\\bcheck", "re:verif",
                  "re:benchmark", "re:assert", "re:\\bci\\b", "re:replay", "re:compar", "re:timed|timing", "re:measur",
                  "re:by hand|manual", "re:tried")


def description_sections(text: str) -> dict[str, str]:
    """The parts of a pull request description, from its headings (``## Why``) or labels (``Why:``, ``**Why**``)."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        heading, rest = _heading(line)
        if heading is not None:
            part = _part_of(heading)
            if part is not None:
                current = part
                sections.setdefault(current, [])
                if rest:
                    sections[current].append(rest)
                continue
        if current is not None and line:
            sections[current].append(line)
    return {part: "\n".join(lines) for part, lines in sections.items()}


def _heading(line: str) -> tuple[str | None, str]:
    if match := re.match(r"^#{1,6}\s+(.+?)\s*#*$", line):
        return match.group(1), ""
    if match := re.match(r"^(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:.\-–—]?\s*(.*)$", line):
        return match.group(1).rstrip(":"), match.group(2)
    if match := re.match(r"^([A-Za-z][A-Za-z /&'-]{1,40}?)\s*:\s*(.*)$", line):
        if len(match.group(1).split()) <= 5:
            return match.group(1), match.group(2)
    return None, ""


def _part_of(heading: str) -> str | None:
    lowered = heading.lower()
    for part, pattern in _PART_WORDS:
        if re.search(pattern, lowered):
            return part
    return None


def check_pr_description(text: Any) -> str:
    expect_answered(text, message="Not attempted yet: write your description in place of the TODO.")
    text = expect_text(text, "Your description", min_words=60)
    sections = description_sections(text)
    missing = [p for p in DESCRIPTION_PARTS if p not in sections]
    if missing:
        raise Incorrect(f"Your description has no {', '.join(f'**{m}**' for m in missing)} part. Give each of the "
                        "five parts its own heading or label (`## Why`, `Testing:`...): a reviewer skims for them.")
    for part in ("what", "why", "how", "testing"):
        body = sections[part]
        if len(words(body)) < 6 or is_filler(body, 4):
            raise Incorrect(f"The **{part}** part is too thin ({show(body[:60])}): a reviewer needs a sentence or "
                            "two there.")
    if not mentions(sections["testing"], *_TESTING_WORDS):
        raise Incorrect("The **testing** part does not say how you checked the change: which tests, which "
                        "command, which comparison.")
    metrics = sections["metrics"]
    numbers = [value for value, _ in quantities_in(metrics)]
    if len(numbers) < 2:
        raise Incorrect("The **metrics** part needs numbers: the result and what it compares with (before and "
                        "after, or the target), for example `RMSE $5.12 → $4.30`.")
    if not mentions(metrics, *_METRIC_WORDS):
        raise Incorrect("The **metrics** part gives numbers but does not say what they measure (RMSE, latency in "
                        "ms, R², share of requests...).")
    if not mentions(metrics, *_DATA_WORDS) and not mentions(sections["testing"], *_DATA_WORDS):
        raise Incorrect("Say what the numbers were measured on (the validation split, the test set, 1,000 "
                        "requests on a two-core machine...): a number without its data cannot be checked.")
    for sentence in sentences(metrics):
        if re.search(r"\btrain(ing)? (data|set|rows|split)\b", sentence, re.I) and not re.search(
                r"valid|test|held|holdout|unseen", sentence, re.I):
            raise Incorrect(f"The metrics quote a score on the training data ({show(sentence[:80])}): that says "
                            "how well the model remembers, not how well it prices new listings. Quote a "
                            "validation or test score.")
    return ("Correct: every part is there, and the metrics give numbers, what they measure and on what data. "
            "Compare your wording with the model answer and the rubric below.")


def solution_7_4() -> str:
    from mlcourse.exercises import ex05

    return f"""# Batch scoring in one model call: a 1,000-listing batch within its {ex05.SLO_MS:.0f} ms objective

## What
`score_listings` (exercise 5.3) now prices a whole batch with one call to the model instead of one
call per listing. Same prices, same order.

## Why
`/predict/batch` must answer a batch of {ex05.BATCH_SIZE:,} listings within {ex05.SLO_MS:.0f} ms on the
service's two-core machine. One call per listing builds {ex05.BATCH_SIZE:,} one-row frames and runs
pandas, the encoder and XGBoost {ex05.BATCH_SIZE:,} times: the batch took far longer than the objective.

## How
Build one frame for the batch with `listings_frame(listings)` (it fills in the grading fields the
service sets for ungraded cards) and call `model.predict_frame` once.

## Testing
- The exercise's check: the {ex05.BATCH_SIZE:,} prices equal the one-at-a-time version's to the cent,
  in the same order.
- Counted, not timed, so a busy machine cannot change the verdict: {ex05.MAX_MODEL_CALLS} model calls at
  most per batch, and at most {ex05.MAX_PYTHON_CALLS_PER_LISTING} Python function calls per listing
  (`ex05.python_calls_per_listing`); the time is measured beside the reference, for information.

## Metrics
| on {ex05.BATCH_SIZE:,} listings of the test period | before | after |
|---|---|---|
| model calls per batch | {ex05.BATCH_SIZE:,} | 1 |
| time per batch on the service's two-core machine | far above {ex05.SLO_MS:.0f} ms | {ex05.REFERENCE_MS_ON_TARGET:.0f} ms (recorded), objective {ex05.SLO_MS:.0f} ms |
"""


pr_description = Exercise(
    id="7.4", title="Write the description of your pull request", check_fn=check_pr_description,
    hints=["Five parts, each under its own heading: what, why, how, testing, metrics. A reviewer reads the "
           "title and the metrics first.",
           "Metrics: the number after the change and the one it replaces (or the target), what it measures, and "
           "the data it was measured on. A validation or test score, never a training score.",
           "Look at PR 4's description in `sample_prs/pr4-card-price-history/`: every part is there, every "
           "number was measured, and it says what the number does not show."],
    solution=solution_7_4,
    solution_note=("A model answer for exercise 5.3's change (its times come from `mlcourse.exercises.ex05`). "
                   "Rubric: a reviewer who reads only your title and metrics knows what changed and whether it "
                   "worked; the why names a user or a cost; the testing part lets them rerun your check."))


# ======================================================================================
# 7.5 A code review checklist
# ======================================================================================
MAX_CATEGORIES_PER_ITEM = 4
MIN_CHECKLIST_ITEMS = 6
MAX_ITEM_WORDS = 60


def required_categories() -> dict[str, dict[str, Any]]:
    return {name: c for name, c in review.categories().items() if c["required"]}


def _planted_in(category: str) -> str:
    numbers = sorted({key.number for key in review.keys().values() for f in key.findings if f.category == category})
    return ", ".join(f"PR {n}" for n in numbers)


def check_checklist(items: Any) -> str:
    if is_stub(items) or (isinstance(items, list | tuple) and not items):
        raise NotAttempted("Not attempted yet: add your checklist items to the list (one string per item).")
    if isinstance(items, str) or not isinstance(items, list | tuple):
        raise Incorrect(f"`checklist` should be a list of strings (one item each), got {type(items).__name__}.")
    seen: dict[str, int] = {}
    covered: dict[str, list[int]] = {}
    categories = review.categories()
    for i, item in enumerate(items, start=1):
        text = expect_text(item, f"Item {i}", min_words=3, max_words=MAX_ITEM_WORDS)
        norm = " ".join(w.lower() for w in words(text))
        if norm in seen:
            raise Incorrect(f"Items {seen[norm]} and {i} are the same; each item should check something else.")
        seen[norm] = i
        hits = [name for name, c in categories.items() if mentions(text, *c["terms"])]
        if len(hits) > MAX_CATEGORIES_PER_ITEM:
            raise Incorrect(f"Item {i} tries to check {len(hits)} things at once ({', '.join(hits)}): a checklist "
                            "item is one question a reviewer can answer with yes or no. Split it.")
        for name in hits:
            covered.setdefault(name, []).append(i)
    missing = [name for name in required_categories() if name not in covered]
    if missing:
        lines = "; ".join(f"**{name}** ({categories[name]['description']}; planted in {_planted_in(name)})"
                          for name in missing[:MAX_ITEMS_SHOWN])
        more = f" (and {len(missing) - MAX_ITEMS_SHOWN} more)" if len(missing) > MAX_ITEMS_SHOWN else ""
        raise Incorrect(f"Your checklist covers {len(covered)} of the categories the pull requests planted, but "
                        f"has nothing on: {lines}{more}.")
    if len(items) < MIN_CHECKLIST_ITEMS:
        raise Incorrect(f"{len(items)} items cover every category only because each asks several things: a "
                        f"reviewer ticks one question at a time. Write at least {MIN_CHECKLIST_ITEMS} items, one "
                        "question each.")
    extra = [name for name in covered if name not in required_categories()]
    bonus = f" It also covers {', '.join(extra)}." if extra else ""
    return (f"Correct: {len(items)} items covering every category the pull requests planted.{bonus} Now use it on "
            "PR 4 (exercise 7.7).")


def solution_7_5() -> list[str]:
    return [
        "Data leakage: could every feature be computed on the day of the prediction, from earlier data only, "
        "and is every statistic fitted on training rows only?",
        "Reproducibility: is every random step seeded (splits, samples, models), so two runs give the same numbers?",
        "Evaluation: are choices made on a validation split, is the test set looked at once, and is no score "
        "computed on rows the model was trained on?",
        "Input validation: are inputs checked against a schema (types, ranges, allowed values) at the boundary?",
        "Error handling: does every bad input get a clear 4xx error that names the field, never a 500 or a crash?",
        "Silent defaults: is any missing value replaced by a guess that changes the answer without saying so?",
        "Hard-coded values: are paths, thresholds and settings in configuration or named constants, and do files "
        "go to the project's output folder?",
        "Testing: do the new tests check the behaviour that matters (the leak, the seed, the bad input), not only "
        "that the code runs?",
        "Performance: is there a Python loop where a vectorised operation exists, on data that will grow?",
        "Monitoring: does the new code log its inputs and outputs so production can see what it does?",
    ]


checklist = Exercise(
    id="7.5", title="Build a code review checklist", check_fn=check_checklist,
    hints=["Go back over the three reviews: for each blocking problem, write the question that would have found "
           "it on any pull request, not only this one.",
           "Aim for about eight to twelve items, one question each: leakage, seeds, how the test set is used, "
           "input checks, error answers, defaults, hard-coded paths, what the tests prove.",
           "One item per category the key uses; each a yes/no question a reviewer can answer from the diff."],
    solution=solution_7_5,
    solution_note="One good checklist; yours can phrase and order it differently. Keep it short enough to use.")


# ======================================================================================
# 7.6 Refactor a messy notebook script
# ======================================================================================
MESSY_SCRIPT = '''\
# price report by rarity -- run top to bottom after loading `listings`
import numpy as np
import pandas as pd

df = listings
df = df[df["channel"] == "marketplace"]
df = df[df["graded"] == False]
df["log_price"] = np.log(df["price_usd"])
cut = df["listing_date"].quantile(0.8)
train = df[df["listing_date"] < cut]
test = df[df["listing_date"] >= cut]
med = train.groupby("rarity")["log_price"].median()
test["pred"] = np.exp(test["rarity"].map(med).fillna(train["log_price"].median()))
test["err"] = test["pred"] - test["price_usd"]
rows = []
for r in test["rarity"].unique():
    t = test[test["rarity"] == r]
    rows.append([r, len(t), np.sqrt((t["err"] ** 2).mean()), np.abs(t["err"]).mean()])
report = pd.DataFrame(rows, columns=["rarity", "n", "rmse", "mae"])
report = report[report["n"] >= 20]
report = report.sort_values("rmse", ascending=False).reset_index(drop=True)
report["rmse"] = report["rmse"].round(2)
report["mae"] = report["mae"].round(2)
'''
REPORT_COLUMNS = ["rarity", "n", "rmse", "mae"]
REPORT_TOLERANCE = 0.006  # dollars: a report that rounds later than the script still matches


def run_messy_script(listings: pd.DataFrame) -> pd.DataFrame:
    """Run the messy script on ``listings`` (as the notebook would) and return its ``report``."""
    namespace: dict[str, Any] = {"listings": listings.copy()}
    exec(compile(MESSY_SCRIPT, "messy_price_report.py", "exec"), namespace)  # the script is ours, not the learner's
    return namespace["report"]


@functools.lru_cache(maxsize=1)
def _refactor_sample() -> pd.DataFrame:
    return load_listings().sample(20_000, random_state=7).sort_values("listing_id").reset_index(drop=True)


def refactor_listings() -> pd.DataFrame:
    """The 20,000 listings exercise 7.6 works on (a fixed sample; a fresh copy every call)."""
    return _refactor_sample().copy()


@functools.lru_cache(maxsize=1)
def _unseen_sample() -> pd.DataFrame:
    listings = load_listings()
    early = listings[listings["listing_date"] < "2024-07-01"]
    return early.sample(12_000, random_state=11).sort_values("listing_id").reset_index(drop=True)


def _mutant_every_channel(listings: pd.DataFrame) -> pd.DataFrame:
    script = MESSY_SCRIPT.replace('df = df[df["channel"] == "marketplace"]\n', "")
    return _run(script, listings)


def _mutant_mean_rule(listings: pd.DataFrame) -> pd.DataFrame:
    script = MESSY_SCRIPT.replace('["log_price"].median()\ntest', '["log_price"].mean()\ntest')
    return _run(script, listings)


def _mutant_median_split(listings: pd.DataFrame) -> pd.DataFrame:
    return _run(MESSY_SCRIPT.replace(".quantile(0.8)", ".quantile(0.5)"), listings)


def _run(script: str, listings: pd.DataFrame) -> pd.DataFrame:
    namespace: dict[str, Any] = {"listings": listings.copy()}
    exec(compile(script, "mutant.py", "exec"), namespace)
    return namespace["report"]


MUTANTS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "keeps auctions and bulk lots (the filter on `channel` is gone)": _mutant_every_channel,
    "predicts with each rarity's mean log price instead of its median": _mutant_mean_rule,
    "splits at the median date instead of keeping the latest 20% for the test": _mutant_median_split,
}


def _as_report(got: Any, what: str) -> pd.DataFrame:
    if got is None:
        raise Incorrect(f"{what} returned None. Did you forget `return`?")
    if not isinstance(got, pd.DataFrame):
        raise Incorrect(f"{what} should return a DataFrame like the script's `report`, got {type(got).__name__}.")
    missing = [c for c in REPORT_COLUMNS if c not in got.columns]
    if missing:
        raise Incorrect(f"{what} has no column(s) {', '.join(code(c) for c in missing)}; the report has "
                        f"{', '.join(code(c) for c in REPORT_COLUMNS)}.")
    return got[REPORT_COLUMNS].reset_index(drop=True)


def report_difference(got: pd.DataFrame, want: pd.DataFrame) -> str | None:
    """How a report differs from the expected one, or None if it matches (rows in order, dollars within a cent)."""
    if len(got) != len(want):
        return f"{len(got)} rows, the script's report has {len(want)}"
    if list(got["rarity"].astype(str)) != list(want["rarity"].astype(str)):
        return (f"the rarities in another order or set (first row {show(got['rarity'].iloc[0])}, the script's "
                f"{show(want['rarity'].iloc[0])}; the report is sorted by RMSE, worst first)")
    if not np.array_equal(got["n"].to_numpy(dtype=float), want["n"].to_numpy(dtype=float)):
        row = int(np.argmax(got["n"].to_numpy(dtype=float) != want["n"].to_numpy(dtype=float)))
        return f"{fmt(got['n'].iloc[row])} listings for {show(want['rarity'].iloc[row])}, the script counts {fmt(want['n'].iloc[row])}"
    for column in ("rmse", "mae"):
        gap = np.abs(got[column].to_numpy(dtype=float) - want[column].to_numpy(dtype=float))
        if not (gap <= REPORT_TOLERANCE).all():
            row = int(np.nanargmax(np.where(np.isnan(gap), np.inf, gap)))
            return (f"{column} {fmt(got[column].iloc[row], '$')} for {show(want['rarity'].iloc[row])}, the script's "
                    f"{fmt(want[column].iloc[row], '$')}")
    return None


def _learner_functions(fn: Callable) -> list[Callable]:
    """``fn`` and the functions of the learner's own code that it calls (directly or through each other)."""
    found: list[Callable] = []
    todo = [fn]
    while todo:
        current = todo.pop()
        if any(current is f for f in found) or not _is_learner_code(current):
            continue
        found.append(current)
        try:
            names = inspect.getclosurevars(current)
        except (TypeError, ValueError):
            continue
        for value in [*names.globals.values(), *names.nonlocals.values()]:
            if inspect.isfunction(value):
                todo.append(value)
    return found


_NOT_LEARNER_CODE = tuple({str(Path(__file__).resolve().parents[1])}
                          | {str(Path(p).resolve()) for key in ("stdlib", "platstdlib", "purelib", "platlib")
                             if (p := sysconfig.get_paths().get(key))})


def _is_learner_code(fn: Any) -> bool:
    if not inspect.isfunction(fn) or fn.__name__ == "<lambda>":
        return False
    filename = str(fn.__code__.co_filename)
    if filename.startswith("<") and filename != "<string>":
        return False
    resolved = str(Path(filename).resolve()) if not filename.startswith("<") else filename
    return "site-packages" not in resolved and not resolved.startswith(_NOT_LEARNER_CODE)


def _names_used(fn: Callable) -> set[str]:
    """Every name a function's code (and the code nested in it) refers to."""
    names: set[str] = set()
    todo = [fn.__code__]
    while todo:
        code_object = todo.pop()
        names |= set(code_object.co_names)
        todo += [c for c in code_object.co_consts if inspect.iscode(c)]
    return names


def _global_data(functions: list[Callable]) -> list[str]:
    """Names of DataFrames or Series the functions read from the notebook's globals (hidden inputs)."""
    names = []
    for fn in functions:
        try:
            globals_ = inspect.getclosurevars(fn).globals
        except (TypeError, ValueError):
            continue
        names += [name for name, value in globals_.items() if isinstance(value, pd.DataFrame | pd.Series | np.ndarray)]
    return sorted(set(names))


def check_refactor(build_report: Any, test_build_report: Any) -> str:
    if is_stub(build_report) and is_stub(test_build_report):
        raise NotAttempted()
    for value, name in ((build_report, "build_report"), (test_build_report, "test_build_report")):
        if not callable(value):
            raise Incorrect(f"`{name}` should be a function, got {type(value).__name__}.")
    sample, unseen = refactor_listings(), _unseen_sample().copy()
    given = sample.copy()
    mine = _as_report(call_learner(build_report, given, what="build_report(listings)"), "build_report(listings)")
    if not given.equals(sample):
        raise Incorrect("build_report changed the DataFrame it was given: a function must leave its input alone "
                        "(the script's `df[...] = ...` on a filtered frame is exactly the habit to drop).")
    functions = _learner_functions(build_report)
    if any("run_messy_script" in _names_used(f) for f in functions):
        raise Incorrect("build_report calls the messy script itself (`run_messy_script`): that is a wrapper, not a "
                        "refactoring. Rewrite its steps as functions; keep `run_messy_script` for your test.")
    hidden = _global_data(functions)
    difference = report_difference(mine, run_messy_script(sample))
    if difference:
        raise Incorrect(f"On the exercise's listings, build_report gives {difference}: a refactoring must not "
                        "change the results.")
    other = _as_report(call_learner(build_report, unseen.copy(), what="build_report on other listings"),
                       "build_report on other listings")
    difference = report_difference(other, run_messy_script(unseen))
    if difference:
        cause = (f" It reads {', '.join(code(n) for n in hidden)} from the notebook instead of its argument."
                 if hidden else " Does it read something other than its argument, or remember an earlier call?")
        raise Incorrect(f"On listings you have not seen, build_report gives {difference}.{cause}")
    again = _as_report(call_learner(build_report, sample.copy(), what="build_report called a second time"),
                       "build_report called again")
    if report_difference(again, mine):
        raise Incorrect("Called again on the same listings after other listings, build_report gives another "
                        "report: it keeps state between calls (a cache or a global it changes).")
    if hidden:
        raise Incorrect(f"build_report reads {', '.join(code(n) for n in hidden)} from the notebook's globals: pass "
                        "everything it needs as arguments, so it works anywhere it is imported.")
    if len(functions) < 2:
        raise Incorrect("build_report gives the right report, but as one long function: split it into functions "
                        "that each do one step (the population, the split, the rule, the error table), each with "
                        "a docstring.")
    undocumented = [f.__name__ for f in functions if not (inspect.getdoc(f) or "").strip()]
    if undocumented:
        raise Incorrect(f"Give {', '.join(code(n) for n in undocumented)} a docstring: one line on what it takes "
                        "and what it returns.")
    call_learner(test_build_report, build_report, what="test_build_report(build_report)")
    for description, mutant in MUTANTS.items():
        try:
            test_build_report(mutant)
        except Exception:  # noqa: BLE001 - any failure of the learner's test on a mutant is a catch
            continue
        raise Incorrect(f"Your test passes on a broken version that {description}: it would not catch that bug. "
                        "Compare the whole report with the script's on real listings, or check the numbers that "
                        "step decides.")
    names = ", ".join(code(f.__name__) for f in functions)
    return (f"Correct: the same report as the script on the exercise's listings and on listings you had not seen, "
            f"no hidden inputs or state, {len(functions)} documented functions ({names}), and a test that catches "
            f"all {len(MUTANTS)} broken versions.")


SOLUTION_7_6 = '''\
import numpy as np
import pandas as pd

TEST_SHARE = 0.2  # the latest 20% of listing dates are the test period
MIN_LISTINGS = 20  # rarities with fewer test listings are left out of the report


def pricing_population(listings: pd.DataFrame) -> pd.DataFrame:
    """Ungraded marketplace listings, with their log price (a new frame; the input is untouched)."""
    keep = listings["channel"].eq("marketplace") & ~listings["graded"].astype(bool)
    return listings[keep].assign(log_price=np.log(listings.loc[keep, "price_usd"]))


def time_split(df: pd.DataFrame, test_share: float = TEST_SHARE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Listings before the cut-off date (train) and from it on (test)."""
    cut = df["listing_date"].quantile(1 - test_share)
    return df[df["listing_date"] < cut], df[df["listing_date"] >= cut]


def rarity_rule(train: pd.DataFrame):
    """A function pricing listings at their rarity's median training price (the overall median if unseen)."""
    medians = train.groupby("rarity")["log_price"].median()
    fallback = train["log_price"].median()
    return lambda listings: np.exp(listings["rarity"].map(medians).fillna(fallback))


def error_table(test: pd.DataFrame, predicted: pd.Series, min_listings: int = MIN_LISTINGS) -> pd.DataFrame:
    """RMSE and MAE in dollars per rarity, worst first, for rarities with at least min_listings."""
    errors = (predicted - test["price_usd"]).rename("err")
    by_rarity = errors.groupby(test["rarity"], sort=False)
    table = pd.DataFrame({"n": by_rarity.size(), "rmse": by_rarity.apply(lambda e: np.sqrt((e ** 2).mean())),
                          "mae": by_rarity.apply(lambda e: e.abs().mean())}).reset_index()
    table = table[table["n"] >= min_listings]
    table = table.sort_values("rmse", ascending=False, kind="stable").reset_index(drop=True)
    return table.assign(rmse=table["rmse"].round(2), mae=table["mae"].round(2))


def build_report(listings: pd.DataFrame) -> pd.DataFrame:
    """The price report by rarity: the rarity-median rule's errors on the latest 20% of listings."""
    train, test = time_split(pricing_population(listings))
    return error_table(test, rarity_rule(train)(test))


def test_build_report(build_report) -> None:
    """Raise AssertionError if build_report does not give the script's report (a characterization test)."""
    from mlcourse.exercises import ex07

    listings = ex07.refactor_listings()
    got = build_report(listings.copy())
    want = ex07.run_messy_script(listings)
    assert list(got.columns[:4]) == ["rarity", "n", "rmse", "mae"]
    assert got["rarity"].tolist() == want["rarity"].tolist()
    assert got["n"].tolist() == want["n"].tolist()
    assert np.allclose(got["rmse"], want["rmse"], atol=0.006)
    assert np.allclose(got["mae"], want["mae"], atol=0.006)
'''


def reference_refactor() -> dict[str, Any]:
    """The model answer's functions (``build_report``, ``test_build_report`` and the helpers), by name."""
    namespace: dict[str, Any] = {}
    exec(compile(SOLUTION_7_6, "solution_7_6.py", "exec"), namespace)  # our own model answer
    return namespace


refactor = Exercise(
    id="7.6", title="Refactor a messy notebook script into tested functions", check_fn=check_refactor,
    hints=["First write the test: run the script and your function on the same listings and compare the reports "
           "(`ex07.run_messy_script(listings)` runs the script). Then refactor, one step at a time, running it.",
           "One function per step: keep the population, split in time, fit the rule, tabulate the errors; "
           "`build_report(listings)` calls them. Name the magic numbers (0.8, 20).",
           "Watch the script's order: the report is sorted by RMSE (worst first) and rounded to the cent; the "
           "rule falls back to the overall median for a rarity it never saw."],
    solution=SOLUTION_7_6,
    solution_note="Copy the functions into the notebook's cell; `np` and `pd` are imported there.")


# ======================================================================================
# What the exercise notebook shows
# ======================================================================================
def pull_request_view(number: int):
    """A sample pull request as a review tool shows it: the description, then each file with new-file line numbers."""
    import marimo as mo

    from mlcourse.checker import safe_markdown
    from mlcourse.ui import code_block

    pr = pullrequests.get(number)
    description = re.sub(r"^(#{1,4}) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", pr.description(), flags=re.M)
    tabs = {"Description": mo.md(safe_markdown(description))}
    for file_diff in review.parse_diff(pr.diff()):
        status = "new file" if file_diff.is_new else "changed"
        added = sum(line.kind == "+" for line in file_diff.lines)
        label = f"{Path(file_diff.path).name} (+{added})"
        tabs[label] = mo.vstack([mo.md(f"`{file_diff.path}`, {status}: line numbers of the new file, `+` for an "
                                       "added line, `-` for a removed one."),
                                 code_block(review.numbered_view(file_diff), language="text")])
    tabs["Raw diff"] = mo.vstack([
        mo.md(f"The change as `git` sees it. To try it on a branch of your own: "
              f"`git switch -c review-pr{number} && git apply sample_prs/{pr.slug}/change.diff` "
              "(see `sample_prs/README.md`; review it first)."),
        code_block(pr.diff(), language="diff")])
    return mo.ui.tabs(tabs)


def key_markdown(number: int) -> str:
    """The answer key of a pull request as Markdown: its summary and every finding with why, fix and test."""
    from mlcourse.checker import safe_markdown

    key = review.key_for(number)
    blocks = [f"**Verdict: {key.verdict}.** {key.summary}"]
    for finding in key.findings:
        where = "; ".join(f"`{loc.file}` {loc.span()}" for loc in finding.locations)
        blocks.append(f"**{finding.severity} · {finding.category}** · {where}: {finding.title}.\n\n"
                      f"*Why:* {finding.why}\n\n*Fix:* {finding.fix}\n\n*Caught by:* `{finding.caught_by}`")
    if key.false_leads:
        leads = "\n".join("- " + "; ".join(f"`{loc.file}` {loc.span()}" for loc in lead.locations) + f": {lead.why}"
                          for lead in key.false_leads)
        blocks.append(f"**Looks wrong, is not:**\n\n{leads}")
    return safe_markdown("\n\n---\n\n".join(blocks))


def answer_key(number: int, attempt: Any):
    """The answer key behind an accordion, once the learner has submitted a review (not before)."""
    import marimo as mo

    submitted = not (is_stub(attempt) or (isinstance(attempt, list | tuple) and not attempt))
    if not submitted:
        return mo.callout(mo.md(f"The answer key of PR {number} opens here once you have submitted a review."),
                          kind="neutral")
    return mo.accordion({f"Answer key of PR {number} (open it after your own review)": mo.md(key_markdown(number))})
