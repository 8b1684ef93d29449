"""Every Module 7 exercise: the notebook's stub, the solution, right answers written differently, the
classic wrong answers, answers that ignore their inputs, and junk."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from mlcourse import pullrequests, review
from mlcourse.checker import CORRECT, INCORRECT, NOT_ATTEMPTED
from mlcourse.checks import mentions
from mlcourse.exercises import ex07
from tests.conftest import ROOT, notebook_defs, shipped_notebook

NOTEBOOK = ROOT / "exercises" / "exercises_07.py"
T1, T2, T3, T4 = ("src/mlcourse/card_trend.py", "src/mlcourse/model_selection.py",
                  "src/mlcourse/service/estimate.py", "src/mlcourse/card_history.py")


@pytest.fixture(scope="module")
def stubs() -> dict:
    return notebook_defs(shipped_notebook(NOTEBOOK))  # the stubs as shipped, not a learner's answers


def _evaluate(exercise, *answers):
    return exercise.evaluate(*answers, record=False)


def _c(file, line, severity, comment):
    return {"file": file, "line": line, "severity": severity, "comment": comment}


def _incorrect(exercise, *answers, says: str | tuple[str, ...] = ()):
    result = _evaluate(exercise, *answers)
    assert result.status == INCORRECT, result.message
    for text in (says,) if isinstance(says, str) else says:
        assert text in result.message, result.message
    return result.message


def _correct(exercise, *answers):
    result = _evaluate(exercise, *answers)
    assert result.status == CORRECT, result.message
    return result.message


# ======================================================================================
# Stubs and reference solutions
# ======================================================================================
def test_every_stub_is_not_attempted(stubs):
    assert _evaluate(ex07.review_pr1, stubs["comments_7_1"]).status == NOT_ATTEMPTED
    assert _evaluate(ex07.review_pr2, stubs["comments_7_2"]).status == NOT_ATTEMPTED
    assert _evaluate(ex07.review_pr3, stubs["comments_7_3"]).status == NOT_ATTEMPTED
    assert _evaluate(ex07.pr_description, stubs["pr_description_7_4"]).status == NOT_ATTEMPTED
    assert _evaluate(ex07.checklist, stubs["checklist_7_5"]).status == NOT_ATTEMPTED
    assert _evaluate(ex07.refactor, stubs["build_report"], stubs["test_build_report"]).status == NOT_ATTEMPTED
    assert _evaluate(ex07.review_pr4, stubs["verdict_7_7"], stubs["comments_7_7"]).status == NOT_ATTEMPTED


def test_every_reference_solution_is_correct():
    _correct(ex07.review_pr1, ex07.solution_7_1())
    _correct(ex07.review_pr2, ex07.solution_7_2())
    _correct(ex07.review_pr3, ex07.solution_7_3())
    _correct(ex07.pr_description, ex07.solution_7_4())
    _correct(ex07.checklist, ex07.solution_7_5())
    reference = ex07.reference_refactor()
    _correct(ex07.refactor, reference["build_report"], reference["test_build_report"])
    _correct(ex07.review_pr4, *ex07.solution_7_7())


def test_the_answer_key_is_hidden_until_a_review_is_submitted(stubs):
    assert "opens here once" in ex07.answer_key(1, stubs["comments_7_1"]).text
    shown = ex07.answer_key(1, ex07.solution_7_1()).text
    assert "Answer key of PR 1" in shown
    assert "Answer key" not in ex07.answer_key(4, stubs["verdict_7_7"]).text


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_the_key_shows_every_finding_with_its_test(number):
    text = ex07.key_markdown(number)
    for finding in review.key_for(number).findings:
        assert finding.caught_by in text and finding.category in text


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_the_pull_request_view_numbers_the_new_file(number):
    view = ex07.pull_request_view(number)
    assert "Description" in view.text and "Raw diff" in view.text


# ======================================================================================
# 7.1 Review PR 1
# ======================================================================================
def test_7_1_right_answers_written_another_way():
    # the leak named at the concatenation of train and validation, a short path, an alias for blocking
    _correct(ex07.review_pr1, [_c("card_trend.py", 40, "Blocker", "The validation listings' feature is computed "
                                  "from their own prices: train and valid are concatenated before the trend.")])
    # the leak named on the rolling line's neighbour, as a tuple, with a line as text
    _correct(ex07.review_pr1, [("b/src/mlcourse/card_trend.py", "33", "blocking",
                                "min_periods=1 with a centred window: the first sale's trend is its own price, "
                                "so the feature is the target.")])
    # a DataFrame of comments, with extra suggestions and nits that are not in the key
    comments = pd.DataFrame([
        _c(T1, 31, "blocking", "The rolling window looks ahead: later sales of the card feed the feature."),
        _c(T1, 6, "nit", "Typo-level: say 'shill bids' once."),
        _c("tests/test_card_trend.py", 37, "suggestion", "Add a leakage audit test."),
    ])
    message = _correct(ex07.review_pr1, comments)
    assert "other points" in message


def test_7_1_nitpicks_only_are_not_a_review():
    message = _incorrect(ex07.review_pr1, [_c(T1, 21, "nit", "TREND_WINDOW could use a longer comment."),
                                           _c(T1, 19, "suggestion", "Do not import private helpers.")],
                         says=("0 of the 1 blocking", "no blocking comment", "data leakage", T1))
    assert "center" not in message.lower()  # the message points, it does not give the fix


def test_7_1_the_right_bug_on_the_wrong_line_or_file():
    _incorrect(ex07.review_pr1, [_c(T1, 10, "blocking", "This feature leaks future prices into the model.")],
               says=("describes a data leakage problem", "not on the line"))
    _incorrect(ex07.review_pr1, [_c("tests/test_card_trend.py", 15, "blocking",
                                    "The trend leaks the listing's own price into its feature.")],
               says=("look in", T1))


def test_7_1_the_right_line_but_a_suggestion_or_no_explanation():
    _incorrect(ex07.review_pr1, [_c(T1, 32, "suggestion", "The centred window includes later sales: a leak.")],
               says=("calls it a suggestion", "blocks the merge"))
    _incorrect(ex07.review_pr1, [_c(T1, 32, "blocking", "I do not like this line, please rework it entirely.")],
               says="does not say what is wrong")


def test_7_1_a_blocking_comment_on_what_is_only_a_suggestion():
    _incorrect(ex07.review_pr1, [_c(T1, 32, "blocking", "A centred window leaks the future into the feature."),
                                 _c(T1, 19, "blocking", "Importing private helpers from leakage couples the modules.")],
               says=("does not block", "suggestion or a nit"))


def test_7_1_blocking_everywhere_is_a_false_alarm():
    spray = [_c(T1, n, "blocking", "Something on this line is wrong and leaks data.") for n in range(1, 45, 4)]
    _incorrect(ex07.review_pr1, spray, says="false alarm")


def test_7_1_a_false_lead_is_explained():
    message = _incorrect(ex07.review_pr1, [_c(T1, 32, "blocking", "Centred window: it leaks later sales."),
                                           _c(T1, 29, "blocking", "Sorting by date here reorders the rows wrongly.")],
                         says="false alarm")
    assert "time order" in message


@pytest.mark.parametrize("junk, says", [
    ("just a sentence", "list of records"),
    ({"file": T1}, "list of records"),
    ([1, 2, 3], "should be a dict"),
    ([{"file": T1, "line": 3}], "has no"),
    ([_c("nowhere.py", 3, "nit", "a small comment")], "not a file of this pull request"),
    ([_c(T1, 500, "nit", "a small comment")], "not part of the diff"),
    ([_c(T1, "line three", "nit", "a small comment")], "line number"),
    ([_c(T1, True, "nit", "a small comment")], "line number"),
    ([_c(T1, 3, "severe", "a small comment")], "severity"),
    ([_c(T1, 3, 2, "a small comment")], "severity"),
    ([_c(T1, 3, "blocking", "")], "should say what is wrong"),
    ([_c(T1, 3, "blocking", None)], "should say what is wrong"),
    ([_c(T1, 32, "blocking", "bad bad bad bad bad")], "too short to act on"),
    ([_c(None, 3, "nit", "a small comment")], "path of a file"),
])
def test_7_1_junk_gets_a_clear_message(junk, says):
    _incorrect(ex07.review_pr1, junk, says=says)


# ======================================================================================
# 7.2 Review PR 2
# ======================================================================================
def test_7_2_right_answers_written_another_way():
    _correct(ex07.review_pr2, [
        _c("model_selection.py", 46, "must fix", "No random_state on the sample: two runs, two different reports."),
        _c("model_selection.py", 52, "blocking", "min() over scores computed on the test set: the test data picks "
                                                 "the winner, so its score is biased."),
        _c("model_selection.py", 56, "blocking", "test_rmse is measured on rows the final model was fitted on "
                                                 "(everything includes test): in-sample."),
    ])
    # one comment for both evaluation problems, between them
    _correct(ex07.review_pr2, [
        _c(T2, 46, "blocking", "Unseeded sampling makes the ranking non-deterministic between runs."),
        _c(T2, 53, "blocking", "The test set is used to choose the family and then again in the final training, "
                               "so the reported score is optimistic."),
    ])


def test_7_2_one_problem_found_of_three():
    message = _incorrect(ex07.review_pr2, [
        _c(T2, 46, "blocking", "No seed on train.sample: every run gives another report.")],
        says=("1 of the 3", "Still missing", "evaluation protocol"))
    assert "validation split" not in message


def test_7_2_the_hard_coded_path_may_be_blocking_but_is_not_enough():
    _incorrect(ex07.review_pr2, [_c(T2, 29, "blocking", "Hard-coded relative path: the model lands in the repo.")],
               says=("0 of the 3", "reproducibility"))
    _correct(ex07.review_pr2, [*ex07.solution_7_2(),
                               _c(T2, 29, "blocking", "Hard-coded relative path: the model lands in the repo.")])


def test_7_2_a_print_is_not_a_reason_to_block():
    _incorrect(ex07.review_pr2, [*ex07.solution_7_2(), _c(T2, 51, "blocking", "Use logging instead of print here.")],
               says="does not block")


def test_7_2_the_search_share_is_a_false_lead():
    message = _incorrect(ex07.review_pr2, [*ex07.solution_7_2(),
                                           _c(T2, 30, "blocking", "Training on half the rows wastes half the data.")],
                         says="false alarm")
    assert "legitimate trade-off" in message


# ======================================================================================
# 7.3 Review PR 3
# ======================================================================================
def test_7_3_right_answers_written_another_way():
    _correct(ex07.review_pr3, [
        _c("estimate.py", 45, "blocking", "Prices without the model's checks: unknown categories and dates "
                                          "outside the pricing window get a price."),
        _c("estimate.py", 41, "blocking", "A word in hp makes int() raise and the caller sees an internal error "
                                          "(500) with no field named."),
        _c("estimate.py", 39, "blocking", "A missing listing date defaults to today, outside the model's window; "
                                          "the seller is never told."),
    ])


def _false_lead_line(slug: str, anchor: str) -> int:
    """Where a false lead of a pull request's key sits today (the key follows the code when main moves)."""
    import json

    keys = json.loads((ROOT / "src" / "mlcourse" / "review_keys.json").read_text())["pull_requests"][slug]
    return next(loc["lines"][0] for lead in keys["false_leads"] for loc in lead["locations"] if loc["anchor"] == anchor)


def test_7_3_the_wiring_in_app_is_a_false_lead():
    line = _false_lead_line("pr3-seller-estimate-endpoint", "add_estimate_endpoint(app, service)")
    message = _incorrect(ex07.review_pr3, [*ex07.solution_7_3(),
                                           _c("src/mlcourse/service/app.py", line, "blocking",
                                              "Registering here bypasses the middleware and the logging.")],
                         says="false alarm")
    assert "middleware" in message


def test_7_3_a_line_of_app_py_outside_the_diff_is_refused():
    _incorrect(ex07.review_pr3, [_c("app.py", 200, "blocking", "This handler does not validate the input at all.")],
               says="not part of the diff")


def test_7_3_missing_the_silent_default():
    _incorrect(ex07.review_pr3, ex07.solution_7_3()[:2], says=("2 of the 3", "silent defaults", T3))


# ======================================================================================
# 7.7 Review PR 4 (the decoy)
# ======================================================================================
def test_7_7_approving_with_or_without_suggestions_is_right():
    _correct(ex07.review_pr4, "approve", [])
    _correct(ex07.review_pr4, "LGTM", [_c(T4, 67, "suggestion", "A rarity-level fallback would be closer.")])
    _correct(ex07.review_pr4, "Approved", ({"file": T4, "line": 22, "severity": "nit",
                                            "comment": "Say where the 730 comes from."},))


def test_7_7_a_blocking_comment_on_the_decoy_is_a_false_alarm():
    message = _incorrect(ex07.review_pr4, "request changes",
                         [_c(T4, 39, "blocking", "merge_asof over the history leaks the listing's own price.")],
                         says=("no blocking problem", "Comment 1"))
    assert "allow_exact_matches=False" in message


def test_7_7_approving_with_a_blocking_comment_is_contradictory():
    _incorrect(ex07.review_pr4, "approve", [_c(T4, 70, "blocking", "The validation rows use the training history.")],
               says="cannot do both")


def test_7_7_requesting_changes_for_a_suggestion():
    _incorrect(ex07.review_pr4, "request changes",
               [_c(T4, 67, "blocking", "The global mean fallback is too crude for cards without history.")],
               says="a suggestion, not a reason to block")
    _incorrect(ex07.review_pr4, "request changes", [], says="name nothing")


@pytest.mark.parametrize("verdict, comments, says", [
    (..., [_c(T4, 67, "suggestion", "A rarity fallback.")], "Set `verdict_7_7`"),
    ("maybe", [], "approve"),
    (3, [], "approve"),
    ("approve", "all good", "list of records"),
    ("approve", [_c(T4, 900, "nit", "a small comment")], "not part of the diff"),
])
def test_7_7_junk_gets_a_clear_message(verdict, comments, says):
    _incorrect(ex07.review_pr4, verdict, comments, says=says)


# ======================================================================================
# 7.4 A pull request description
# ======================================================================================
GOOD_DESCRIPTION = """
Faster batch scoring for /predict/batch

Summary: the batch endpoint now prices all listings of a request in a single model call.

Motivation: the marketplace sends batches of 1,000 listings at night, and the job times out because
each listing was priced on its own, one pandas frame and one XGBoost call per listing.

Implementation: one frame for the whole batch (listings_frame), one call to predict_frame; the
order of the prices is the order of the request.

Tests: pytest tests/test_service_api.py passes; I compared the 1,000 prices with the old loop's
prices (identical to the cent).

Results: on 1,000 listings of the test period, p50 latency went from 2,400 ms to 19 ms on my laptop
(two cores), against an objective of 50 ms.
"""


def test_7_4_right_answers_written_another_way():
    _correct(ex07.pr_description, GOOD_DESCRIPTION)
    for pr in pullrequests.catalogue():  # the sample pull requests use another template, with headings
        _correct(ex07.pr_description, pr.description())
    bold = GOOD_DESCRIPTION.replace("Summary:", "**What**").replace("Motivation:", "**Why**:")
    _correct(ex07.pr_description, textwrap.indent(bold, "    "))  # as typed inside an indented string


def _without(part_label: str) -> str:
    return "\n".join(line for line in GOOD_DESCRIPTION.splitlines() if not line.startswith(part_label))


@pytest.mark.parametrize("label, part", [("Tests:", "testing"), ("Results:", "metrics"), ("Motivation:", "why"),
                                         ("Implementation:", "how")])
def test_7_4_a_missing_part_is_named(label, part):
    text = _without(label) + "\nSome more words so that the description stays long enough to be read. " * 3
    _incorrect(ex07.pr_description, text, says=f"**{part}**")


def test_7_4_metrics_without_numbers_or_on_training_data():
    no_numbers = GOOD_DESCRIPTION.replace(
        "on 1,000 listings of the test period, p50 latency went from 2,400 ms to 19 ms on my laptop\n(two cores), "
        "against an objective of 50 ms.", "it is much, much faster now, and everyone is happy with the result.")
    _incorrect(ex07.pr_description, no_numbers, says="needs numbers")
    on_training = GOOD_DESCRIPTION.replace(
        "on 1,000 listings of the test period, p50 latency went from 2,400 ms to 19 ms",
        "RMSE on the training data went from $5.10 to $1.20, latency from 2,400 ms to 19 ms")
    _incorrect(ex07.pr_description, on_training, says="training data")
    no_data = GOOD_DESCRIPTION.replace("on 1,000 listings of the test period, ", "").replace(
        "on my laptop\n(two cores), ", "").replace("I compared the 1,000 prices with the old loop's\nprices", "I "
                                                   "compared the prices with the old ones")
    _incorrect(ex07.pr_description, no_data, says="measured on")


def test_7_4_a_testing_part_that_does_not_say_how():
    text = GOOD_DESCRIPTION.replace(
        "Tests: pytest tests/test_service_api.py passes; I compared the 1,000 prices with the old loop's\n"
        "prices (identical to the cent).", "Tests: it is fine, I am confident about this one, trust me on it.")
    _incorrect(ex07.pr_description, text, says="how you checked")


@pytest.mark.parametrize("junk, says", [
    (42, "should be text"),
    (["What", "Why"], "should be text"),
    ("Improved the model. Tests pass.", "write at least"),
    ("word " * 80, "does not read as sentences"),
])
def test_7_4_junk_gets_a_clear_message(junk, says):
    _incorrect(ex07.pr_description, junk, says=says)


# ======================================================================================
# 7.5 A code review checklist
# ======================================================================================
OTHER_CHECKLIST = [
    "Is any feature computed from the target or from data after the prediction time (a leak)?",
    "Are all random seeds fixed so a rerun reproduces the metrics?",
    "Was the test set touched only once, after every choice was made on a held-out validation split?",
    "Does the endpoint validate its request body with a pydantic schema?",
    "Do malformed inputs (NaN, wrong types) get a 422 instead of a 500 crash?",
    "Are defaults for missing fields explicit and safe, never silent guesses?",
    "No hard-coded paths: outputs go through the project's configured folders.",
    "Do the new tests fail if the bug they guard against comes back?",
]


def test_7_5_right_answers_written_another_way():
    _correct(ex07.checklist, OTHER_CHECKLIST)
    _correct(ex07.checklist, tuple(reversed(OTHER_CHECKLIST)))


def test_7_5_a_generic_checklist_misses_the_ml_categories():
    generic = ["Does the code follow PEP 8 and the project's style?", "Are the names of variables clear enough?",
               "Do public functions have docstrings?", "Is there no commented-out code left behind?",
               "Is the pull request small enough to review in one sitting?", "Is the commit history readable?"]
    _incorrect(ex07.checklist, generic, says=("has nothing on", "data leakage", "planted in PR 1"))


@pytest.mark.parametrize("category", list(ex07.required_categories()))
def test_7_5_each_category_is_required(category):
    terms = review.categories()[category]["terms"]
    items = [item for item in OTHER_CHECKLIST if not mentions(item, *terms)]
    items += [f"Is the pull request's change number {i} described clearly?" for i in range(8 - len(items))]
    _incorrect(ex07.checklist, items, says=("has nothing on", f"**{category}**"))


def test_7_5_keyword_stuffing_does_not_cover_the_categories():
    stuffed = ["Check leakage, seeds, the test set, validation, errors, defaults, hard-coded paths and tests."]
    _incorrect(ex07.checklist, stuffed, says="at once")
    two_items = ["Check for leakage, unseeded randomness, test set peeking and untested code, carefully.",
                 "Check input validation, error handling, silent defaults and hard-coded paths, carefully."]
    _incorrect(ex07.checklist, two_items, says=f"at least {ex07.MIN_CHECKLIST_ITEMS}")


@pytest.mark.parametrize("junk, says", [
    ("leakage, seeds", "list of strings"),
    ({"a": "b"}, "list of strings"),
    ([1, 2, 3], "should be text"),
    (["ok"], "write at least"),
    ([OTHER_CHECKLIST[0], OTHER_CHECKLIST[0]], "are the same"),
    (["TODO: one item"], "still empty"),
])
def test_7_5_junk_gets_a_clear_message(junk, says):
    _incorrect(ex07.checklist, junk, says=says)


# ======================================================================================
# 7.6 Refactor a messy notebook script
# ======================================================================================
def _population(listings: pd.DataFrame) -> pd.DataFrame:
    """Marketplace, ungraded."""
    return listings.query("channel == 'marketplace' and not graded")


def _report_by_groupby(listings: pd.DataFrame) -> pd.DataFrame:
    """Another refactoring: groupby and agg, rounded at the end."""
    df = _population(listings)
    cut = df["listing_date"].quantile(0.8)
    train, test = df[df["listing_date"] < cut], df[df["listing_date"] >= cut]
    logs = np.log(train["price_usd"])
    medians = logs.groupby(train["rarity"]).median()
    predicted = np.exp(test["rarity"].map(medians).fillna(logs.median()))
    err = (predicted - test["price_usd"]).groupby(test["rarity"], sort=False)
    out = pd.DataFrame({"n": err.size(), "rmse": err.apply(lambda e: float(np.sqrt(np.mean(e ** 2)))),
                        "mae": err.apply(lambda e: float(np.mean(np.abs(e))))}).reset_index()
    out = out[out["n"] >= 20].sort_values("rmse", ascending=False, kind="stable")
    return out.round({"rmse": 2, "mae": 2}).reset_index(drop=True)


def _test_on_two_samples(build_report) -> None:
    """Another test: the script's report on two different samples, compared with pandas' own assertion."""
    listings = ex07.refactor_listings()
    for sample in (listings, listings.iloc[::2]):
        got = build_report(sample.copy())[["rarity", "n", "rmse", "mae"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, ex07.run_messy_script(sample), check_dtype=False, atol=0.006)


def _always_passes(build_report) -> None:
    """A test that cannot fail."""


def _columns_only(build_report) -> None:
    """A test that checks the shape only."""
    assert list(build_report(ex07.refactor_listings()).columns[:4]) == ["rarity", "n", "rmse", "mae"]


def test_7_6_a_right_answer_written_another_way():
    message = _correct(ex07.refactor, _report_by_groupby, _test_on_two_samples)
    assert "2 documented functions" in message


def test_7_6_a_test_that_always_passes_or_checks_only_the_shape():
    reference = ex07.reference_refactor()
    _incorrect(ex07.refactor, reference["build_report"], _always_passes, says="passes on a broken version")
    _incorrect(ex07.refactor, reference["build_report"], _columns_only, says="would not catch that bug")


def test_7_6_a_test_that_fails_on_correct_code():
    def too_strict(build_report):
        """Expects a row count the report does not have."""
        assert len(build_report(ex07.refactor_listings())) == 99

    _incorrect(ex07.refactor, ex07.reference_refactor()["build_report"], too_strict,
               says="test_build_report(build_report) raised AssertionError")


def test_7_6_a_refactoring_that_reads_a_global():
    namespace = {"np": np, "pd": pd, "notebook_listings": ex07.refactor_listings(),
                 "ex07": ex07, "_report_by_groupby": _report_by_groupby}
    exec(textwrap.dedent('''
        def build_report(listings):
            """Reads the notebook's listings, not its argument."""
            return _report_by_groupby(notebook_listings)
    '''), namespace)
    _incorrect(ex07.refactor, namespace["build_report"], _test_on_two_samples,
               says=("listings you have not seen", "`notebook_listings`"))


def test_7_6_a_refactoring_that_keeps_state_between_calls():
    cache = {}

    def build_report(listings):
        """Remembers its first answer."""
        if "report" not in cache:
            cache["report"] = _report_by_groupby(listings)
        return cache["report"]

    _incorrect(ex07.refactor, build_report, _test_on_two_samples, says="remember an earlier call")


def test_7_6_a_refactoring_that_changes_the_results():
    def mean_rule(listings):
        """Uses the mean log price: a different rule."""
        return ex07._mutant_mean_rule(listings)

    _incorrect(ex07.refactor, mean_rule, _test_on_two_samples, says="must not change the results")

    def unsorted(listings):
        """Forgets to sort."""
        return _report_by_groupby(listings).sort_values("rarity").reset_index(drop=True)

    _incorrect(ex07.refactor, unsorted, _test_on_two_samples, says="another order")


def test_7_6_a_function_that_ignores_its_input():
    fixed = ex07.run_messy_script(ex07.refactor_listings())

    def always_the_same(listings):
        """Returns the report of the exercise's sample, whatever it is given."""
        return fixed.copy()

    _incorrect(ex07.refactor, always_the_same, _test_on_two_samples, says="listings you have not seen")


def test_7_6_a_wrapper_around_the_script_is_not_a_refactoring():
    def wrapper(listings):
        """Runs the script."""
        return ex07.run_messy_script(listings)

    _incorrect(ex07.refactor, wrapper, _test_on_two_samples, says="wrapper")


def test_7_6_one_long_function_or_missing_docstrings():
    def one_function(listings):
        """Everything in one place."""
        df = listings[(listings["channel"] == "marketplace") & ~listings["graded"]]
        cut = df["listing_date"].quantile(0.8)
        train, test = df[df["listing_date"] < cut], df[df["listing_date"] >= cut]
        medians = np.log(train["price_usd"]).groupby(train["rarity"]).median()
        predicted = np.exp(test["rarity"].map(medians).fillna(np.log(train["price_usd"]).median()))
        err = (predicted - test["price_usd"]).groupby(test["rarity"], sort=False)
        out = pd.DataFrame({"n": err.size(), "rmse": err.apply(lambda e: np.sqrt((e ** 2).mean())),
                            "mae": err.apply(lambda e: e.abs().mean())}).reset_index()
        out = out[out["n"] >= 20].sort_values("rmse", ascending=False, kind="stable").reset_index(drop=True)
        return out.round({"rmse": 2, "mae": 2})

    _incorrect(ex07.refactor, one_function, _test_on_two_samples, says="one long function")

    def undocumented_helper(listings):
        return listings.query("channel == 'marketplace' and not graded")

    def build_report(listings):
        """Calls a helper without a docstring."""
        return _report_by_groupby(undocumented_helper(listings))

    _incorrect(ex07.refactor, build_report, _test_on_two_samples, says="`undocumented_helper` a docstring")


def test_7_6_a_refactoring_that_changes_its_input():
    def in_place(listings):
        """Adds a column to the caller's frame."""
        listings["log_price"] = np.log(listings["price_usd"])
        return _report_by_groupby(listings)

    _incorrect(ex07.refactor, in_place, _test_on_two_samples, says="changed the DataFrame it was given")


@pytest.mark.parametrize("build, test, says", [
    (None, _test_on_two_samples, "should be a function"),
    (_report_by_groupby, "assert True", "should be a function"),
    (lambda listings: None, _test_on_two_samples, "returned None"),
    (lambda listings: [1, 2], _test_on_two_samples, "should return a DataFrame"),
    (lambda listings: pd.DataFrame({"rarity": []}), _test_on_two_samples, "has no column"),
    (lambda listings: 1 / 0, _test_on_two_samples, "ZeroDivisionError"),
])
def test_7_6_junk_gets_a_clear_message(build, test, says):
    _incorrect(ex07.refactor, build, test, says=says)


def test_7_6_every_mutant_really_changes_the_report():
    listings = ex07.refactor_listings()
    expected = ex07.run_messy_script(listings)
    for description, mutant in ex07.MUTANTS.items():
        assert ex07.report_difference(ex07._as_report(mutant(listings), "mutant"), expected), description
