import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="Exercises 7: Collaboration and ML code review",
)


@app.cell
def _():
    import marimo as mo
    import numpy as np
    import pandas as pd

    from mlcourse import progress, ui
    from mlcourse.exercises import ex07

    return ex07, mo, np, pd, progress, ui


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Exercises 7: Collaboration and ML code review

    Seven exercises, about two and a half hours in all. Four of them are code reviews of real pull
    requests against this course's code (`sample_prs/`): you read the change, write review
    comments, and the check compares them with an answer key, line by line. Each check runs every
    time you change your cell; hints open one at a time, and the solution is last.

    | | exercise | time |
    |:---|:---|:---|
    | 7.1 | Review PR 1: a card price-trend feature | 20 min |
    | 7.2 | Review PR 2: automatic model selection | 25 min |
    | 7.3 | Review PR 3: a seller estimate endpoint | 20 min |
    | 7.4 | Write the description of your pull request | 15 min |
    | 7.5 | Build a code review checklist | 15 min |
    | 7.6 | Refactor a messy notebook script into tested functions | 35 min |
    | 7.7 | Review PR 4 with your checklist | 15 min |

    **How to write a review.** A review is a list of comments, one dict each:

    ```python
    {"file": "src/mlcourse/card_trend.py",   # the file, as the diff names it (its name alone is enough)
     "line": 31,                             # the line of the NEW file, as numbered below
     "severity": "blocking",                 # "blocking", "suggestion" or "nit"
     "comment": "What is wrong, why it matters, and what would fix it."}
    ```

    - **blocking**: the code is wrong, or the numbers it reports are; it must not be merged as it is.
    - **suggestion**: worth doing, the author decides.
    - **nit**: style or taste; never holds up a merge.

    The check wants every blocking problem found, as blocking, within a few lines of where the
    code does it, with a comment that says what is wrong; and no blocking comment where nothing
    blocks (a false alarm costs the author a day, and teaches them to ignore your reviews).
    Suggestions and nits are yours to make: they are never held against you. After your first
    attempt the answer key opens below each review: read it even when you are right.

    Each pull request opens in tabs: its description, then one tab per file, numbered as in the
    new file. A long file scrolls inside its tab; the expand button at the right of the output
    shows it at full height.

    Your results are saved on this machine only (`.mlcourse_progress.json`).
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 7.1: Review PR 1, a card price-trend feature

    A colleague on the pricing team opens this pull request. The number in its title is the
    biggest jump anyone has seen on Module 2's split. Read the description, then every file of the
    change, and review it.
    """)
    return


@app.cell
def _(ex07):
    ex07.pull_request_view(1)
    return


@app.cell
def _():
    # Exercise 7.1 -- your review of PR 1, one dict per comment.
    comments_7_1 = [
        # {"file": "card_trend.py", "line": 1, "severity": "nit", "comment": "TODO: what is wrong, and why"},
    ]
    return (comments_7_1,)


@app.cell
def _(comments_7_1, ex07):
    verdict_7_1 = ex07.review_pr1.check(comments_7_1)
    verdict_7_1
    return (verdict_7_1,)


@app.cell
def _(ex07):
    ex07.review_pr1.help()
    return


@app.cell
def _(comments_7_1, ex07):
    ex07.answer_key(1, comments_7_1)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 7.2: Review PR 2, automatic model selection

    From the ML platform team: one function that compares the model families and saves the best
    one for the service, for a nightly job. Its test RMSE is far better than anything Module 3
    reached. Review it.
    """)
    return


@app.cell
def _(ex07):
    ex07.pull_request_view(2)
    return


@app.cell
def _():
    # Exercise 7.2 -- your review of PR 2, one dict per comment.
    comments_7_2 = [
        # {"file": "model_selection.py", "line": 1, "severity": "nit", "comment": "TODO: what is wrong, and why"},
    ]
    return (comments_7_2,)


@app.cell
def _(comments_7_2, ex07):
    verdict_7_2 = ex07.review_pr2.check(comments_7_2)
    verdict_7_2
    return (verdict_7_2,)


@app.cell
def _(ex07):
    ex07.review_pr2.help()
    return


@app.cell
def _(comments_7_2, ex07):
    ex07.answer_key(2, comments_7_2)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 7.3: Review PR 3, a seller estimate endpoint

    From the marketplace team: a new endpoint on Module 5's service, so the listing form can show
    sellers a price while they type. It changes two lines of `app.py`. Review it as the owner of
    the service.
    """)
    return


@app.cell
def _(ex07):
    ex07.pull_request_view(3)
    return


@app.cell
def _():
    # Exercise 7.3 -- your review of PR 3, one dict per comment.
    comments_7_3 = [
        # {"file": "estimate.py", "line": 1, "severity": "nit", "comment": "TODO: what is wrong, and why"},
    ]
    return (comments_7_3,)


@app.cell
def _(comments_7_3, ex07):
    verdict_7_3 = ex07.review_pr3.check(comments_7_3)
    verdict_7_3
    return (verdict_7_3,)


@app.cell
def _(ex07):
    ex07.review_pr3.help()
    return


@app.cell
def _(comments_7_3, ex07):
    ex07.answer_key(3, comments_7_3)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 7.4: Write the description of your pull request

    Now you are the author. Write the description of the pull request that would merge your
    change from **exercise 5.3** (a batch of listings priced within its latency objective), or of
    a change of your own capstone. A reviewer reads it before the code: it must say

    - **what** the change does, in a sentence or two;
    - **why**: the user, the cost or the bug behind it;
    - **how**: the approach, and what a reviewer should look at first;
    - **testing**: how you checked it (which tests, which command, which comparison);
    - **metrics**: the numbers, before and after (or against the target), what they measure and
      what data they were measured on.

    Give each part its own heading (`## Why`) or label (`Why:`). The check looks for the five parts,
    for a testing part that says how, and for metrics with numbers, a measure and its data. It
    cannot judge your argument: compare with the model answer and the rubric under the hints.
    """)
    return


@app.cell
def _():
    # Exercise 7.4 -- your pull request description (Markdown).
    pr_description_7_4 = """
    TODO: a title line, then ## What, ## Why, ## How, ## Testing and ## Metrics.
    """
    return (pr_description_7_4,)


@app.cell
def _(ex07, pr_description_7_4):
    verdict_7_4 = ex07.pr_description.check(pr_description_7_4)
    verdict_7_4
    return (verdict_7_4,)


@app.cell
def _(ex07):
    ex07.pr_description.help()
    return


@app.cell(hide_code=True)
def _(ex07, mo):
    _categories = ex07.required_categories()
    mo.md(rf"""
    ## Exercise 7.5: Build a code review checklist

    Three reviews in, you have seen what goes wrong in ML code. Write the checklist you will run
    over the next pull request: a list of short items, each one question a reviewer can answer
    with yes or no from the diff. It should catch, on any pull request, the kinds of problem the
    three you reviewed had: the check knows {len(_categories)} categories and looks for each of
    them in your items (it does not tell you which until you try). At least
    {ex07.MIN_CHECKLIST_ITEMS} items, one question each.
    """)
    return


@app.cell
def _():
    # Exercise 7.5 -- your checklist, one string per item.
    checklist_7_5 = [
        # "TODO: a question a reviewer can answer from the diff",
    ]
    return (checklist_7_5,)


@app.cell
def _(checklist_7_5, ex07):
    verdict_7_5 = ex07.checklist.check(checklist_7_5)
    verdict_7_5
    return (verdict_7_5,)


@app.cell
def _(ex07):
    ex07.checklist.help()
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 7.6: Refactor a messy notebook script into tested functions

    This script produces the weekly price report: the error of the "median price of the rarity"
    rule on the latest listings, by rarity. It works, and it is run by hand, top to bottom, after
    someone has loaded `listings`:
    """)
    return


@app.cell
def _(ex07, ui):
    ui.code_block(ex07.MESSY_SCRIPT)
    return


@app.cell
def _(ex07):
    refactor_sample = ex07.refactor_listings()
    ex07.run_messy_script(refactor_sample)
    return (refactor_sample,)


@app.cell(hide_code=True)
def _(ex07, mo, refactor_sample):
    mo.md(rf"""
    Above: its report on the exercise's {len(refactor_sample):,} listings (`refactor_sample`), as
    `ex07.run_messy_script(listings)` runs it.

    **Your task.** Turn it into functions a colleague can import and trust:

    - `build_report(listings)` returns the same report as the script (same rows, same order, the
      same numbers to the cent), computed only from its argument: no globals, no state kept
      between calls, the input left untouched;
    - it calls smaller functions, one per step, **each with a docstring**; name the magic numbers;
    - `test_build_report(build_report)` raises (an `AssertionError` is fine) when the
      `build_report` it is given is wrong.

    The check runs your `build_report` on these listings and on listings you have not seen, twice
    and in another order; then it runs your test on your code (it must pass) and on
    {len(ex07.MUTANTS)} broken versions of the script (it must fail on each).
    """)
    return


@app.cell
def _(np, pd):
    # Exercise 7.6 -- your refactoring (np and pd are imported for you).
    def build_report(listings: pd.DataFrame) -> pd.DataFrame:
        """The price report by rarity (the messy script's `report`), from `listings` alone."""
        # TODO: split the script into small functions with docstrings; build_report calls them.
        raise NotImplementedError("TODO")

    def test_build_report(build_report) -> None:
        """Raise AssertionError if `build_report` is wrong."""
        # TODO: compare build_report's report with the script's (ex07.run_messy_script) on real listings.
        raise NotImplementedError("TODO")

    _ = (np, pd)
    return build_report, test_build_report


@app.cell
def _(build_report, ex07, test_build_report):
    verdict_7_6 = ex07.refactor.check(build_report, test_build_report)
    verdict_7_6
    return (verdict_7_6,)


@app.cell
def _(ex07):
    ex07.refactor.help()
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 7.7: Review PR 4 with your checklist

    One more pull request from the pricing team. Run your checklist from 7.5 over it, item by
    item, and decide: `"approve"` or `"request changes"`. A review that approves can still
    make suggestions and nits; a blocking comment means you request changes.
    """)
    return


@app.cell
def _(ex07):
    ex07.pull_request_view(4)
    return


@app.cell
def _():
    # Exercise 7.7 -- your verdict ("approve" or "request changes") and your comments (may stay empty).
    verdict_7_7 = ...
    comments_7_7 = [
        # {"file": "card_history.py", "line": 1, "severity": "suggestion", "comment": "TODO"},
    ]
    return comments_7_7, verdict_7_7


@app.cell
def _(comments_7_7, ex07, verdict_7_7):
    check_7_7 = ex07.review_pr4.check(verdict_7_7, comments_7_7)
    check_7_7
    return (check_7_7,)


@app.cell
def _(ex07):
    ex07.review_pr4.help()
    return


@app.cell
def _(ex07, verdict_7_7):
    ex07.answer_key(4, verdict_7_7)
    return


@app.cell
def _(
    check_7_7,
    progress,
    verdict_7_1,
    verdict_7_2,
    verdict_7_3,
    verdict_7_4,
    verdict_7_5,
    verdict_7_6,
):
    _ = (verdict_7_1, verdict_7_2, verdict_7_3, verdict_7_4, verdict_7_5, verdict_7_6, check_7_7)
    progress.module_panel(7, "tick Module 7 off in `progress_tracker.md`, try your checklist on a pull "
                             "request of your own, and go on to the next module the README's table lists as "
                             "ready (Module 8 is the capstone).")
    return


if __name__ == "__main__":
    app.run()
