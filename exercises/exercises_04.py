import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Exercises 4: Evaluation")


@app.cell
def _():
    import marimo as mo
    import numpy as np
    import pandas as pd

    from mlcourse import evaluation, modeling, progress
    from mlcourse.dataset import best_possible_rmse
    from mlcourse.exercises import ex04
    from mlcourse.checker import escape_dollars

    return (
        best_possible_rmse,
        escape_dollars,
        evaluation,
        ex04,
        mo,
        modeling,
        np,
        pd,
        progress,
    )


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Exercises 4: Evaluation

    Five exercises, about an hour and a half in all. Each has a cell for your code or your
    text (look for `TODO`), a check right below it that runs every time you change it, and
    hints that you open one at a time. The solution is there too: try the hints first.

    | | exercise | time |
    |---|---|---|
    | 4.1 | Choose a metric for five business scenarios | 10 min |
    | 4.2 | Error analysis: the segments behind the worst errors | 20 min |
    | 4.3 | Tune a threshold with business costs | 20 min |
    | 4.4 | Write a model card | 25 min |
    | 4.5 | Present the results to a stakeholder | 15 min |

    The models are Module 4's: the tuned price model and the review classifier, fitted once
    by `modeling.reference_price_model()` and `modeling.reference_review_classifier()` (a
    few seconds the first time). Your results are saved on this machine only; see the
    progress table at the bottom.
    """)
    return


@app.cell
def _(escape_dollars, ex04, mo, pd):
    mo.vstack([
        mo.md(r"""
    ## Exercise 4.1: Choose a metric for five business scenarios

    For each scenario, pick the metric that measures what the business cares about, using
    the keys of this table:
    """),
        pd.DataFrame({"key": list(ex04.METRIC_OPTIONS), "metric": list(ex04.METRIC_OPTIONS.values())}),
        mo.md("\n".join(f"- **`{k}`**: {escape_dollars(v)}" for k, v in ex04.METRIC_SCENARIOS.items())),
    ])
    return


@app.cell
def _():
    # Exercise 4.1 -- your answers here (metric keys from the table above).
    metric_choices = {
        "review_capacity": ...,  # TODO
        "catch_fakes": ...,
        "inventory_value": ...,
        "seller_hint": ...,
        "shown_probability": ...,
    }
    return (metric_choices,)


@app.cell
def _(ex04, metric_choices):
    verdict_4_1 = ex04.metric_choice.check(metric_choices)
    verdict_4_1
    return (verdict_4_1,)


@app.cell
def _(ex04):
    ex04.metric_choice.help()
    return


@app.cell
def _(ex04, mo):
    residuals = ex04.test_residuals()
    mo.vstack([
        mo.md(rf"""
    ## Exercise 4.2: Which segments dominate the worst errors?

    `residuals` holds the price model's {len(residuals):,} test listings with their prediction,
    `error` (prediction minus price) and `abs_error`. The worst errors are the ones to
    study, but counting them by segment misleads: the most common era among them is often
    just the most common era overall. Write `worst_error_profile(residuals, column,
    n_worst=200)`: a DataFrame with **one row per value of `column`** (the values as the
    index) and the columns

    - `share_worst`: the value's share among the `n_worst` listings with the largest
      absolute error (0 if it never appears among them);
    - `share_all`: its share among all listings;
    - `lift`: `share_worst / share_all` (above 1: over-represented);

    sorted by `lift`, highest first. Then fill `findings` with the most over-represented
    value of `era`, `rarity` and `language` among the {ex04.FINDINGS_N_WORST} worst errors. The
    check compares your table with the course's on four columns and several `n_worst`.
    """),
        residuals[["listing_id", "era", "rarity", "language", "condition", "price_usd", "predicted", "error",
                   "abs_error"]].head(),
    ])
    return


@app.cell
def _(pd):
    # Exercise 4.2 -- your code here.
    def worst_error_profile(residuals: pd.DataFrame, column: str, n_worst: int = 200) -> pd.DataFrame:
        """share_worst, share_all and lift of each value of `column`, highest lift first."""
        # TODO: replace this line with your implementation.
        raise NotImplementedError("TODO")

    # TODO: after looking at worst_error_profile(residuals, "era") etc., name the top value of each.
    findings = {"era": ..., "rarity": ..., "language": ...}
    return findings, worst_error_profile


@app.cell
def _(ex04, findings, worst_error_profile):
    verdict_4_2 = ex04.error_profile.check(worst_error_profile, findings)
    verdict_4_2
    return (verdict_4_2,)


@app.cell
def _(ex04):
    ex04.error_profile.help()
    return


@app.cell
def _(ex04, mo, modeling):
    labels, scores = ex04.review_labels_and_scores()
    mo.md(rf"""
    ## Exercise 4.3: Tune a threshold with business costs

    The review classifier gives each **validation** listing a score (the probability that it
    sells above \${modeling.HIGH_VALUE_USD:.0f}); `labels` says which really did ({labels.mean():.1%} of
    {len(labels):,}). Validation, not test: a threshold is a decision, and a decision tuned on the
    test set makes the test score optimistic (Module 3's question on tuning with test data).
    Module 4 tunes on these same listings and reports the result on the test set once. A listing is flagged for expert review when its score is **at least** the
    threshold. Each valuable listing that is not flagged costs `cost_missed`; each ordinary
    listing that is flagged (an unnecessary review) costs `cost_review`.

    Write `best_threshold(labels, scores, cost_missed, cost_review)` returning the threshold
    with the lowest total cost on these listings. The check calls it with these labels and the
    scores rounded to {ex04.CHECK_SCORE_DECIMALS} decimals (so a plain loop over the distinct
    scores stays quick), tries {len(ex04.COST_CASES)} cost settings and accepts any threshold
    within {ex04.COST_TOLERANCE:.0%} of the cheapest cost.
    """)
    return


@app.cell
def _(np):
    # Exercise 4.3 -- your code here.
    def best_threshold(labels, scores, cost_missed, cost_review):
        """The threshold (flag when score >= threshold) with the lowest total cost."""
        # TODO: replace this line with your implementation.
        raise NotImplementedError("TODO")

    _ = np
    return (best_threshold,)


@app.cell
def _(best_threshold, ex04):
    verdict_4_3 = ex04.threshold_costs.check(best_threshold)
    verdict_4_3
    return (verdict_4_3,)


@app.cell
def _(ex04):
    ex04.threshold_costs.help()
    return


@app.cell
def _(evaluation, ex04, mo):
    _sections = "\n".join(f"    ## {s}\n    ..." for s in evaluation.MODEL_CARD_SECTIONS)
    _labels = ", ".join(f"`- {label}: ...`" for label in ex04.CARD_NUMBERS)
    mo.md(f"""
        ## Exercise 4.4: Write a model card

        Write the price model's card as a Markdown string in `model_card`: one heading per
        required section, each with a few sentences a reader can use:

        ```markdown
        # Model card: card price model
    {_sections}
        ```

        Under the **Evaluation** heading, give {len(ex04.CARD_NUMBERS)} numbers, each on its own line
        in the form `Label: value`, with these labels: {_labels}. The check reads the first number
        after the colon; a note in parentheses before it is skipped
        (`- Test listings (20% hold-out): ...` is fine). It reads each number from its labelled
        line in the Evaluation section only (a number elsewhere in the card does not count) and
        recomputes it from the model, so compute yours in the notebook (`price.test`,
        `price.test_predictions`, `evaluation.regression_metrics`, `best_possible_rmse`) and put
        them in an f-string: never type a number. The cell below gives you the fitted model and
        its split.
        """)
    return


@app.cell
def _(modeling):
    price = modeling.reference_price_model()  # .model, .train, .test, .train_predictions, .test_predictions
    return (price,)


@app.cell
def _(best_possible_rmse, evaluation, price):
    # Exercise 4.4 -- your card here. Compute the numbers first, then write an f-string.
    # TODO: e.g. test_metrics = evaluation.regression_metrics(price.test["price_usd"], price.test_predictions)
    model_card = ""  # TODO: a Markdown f-string that starts with "# Model card: ..."
    _ = (best_possible_rmse, evaluation, price)
    return (model_card,)


@app.cell
def _(ex04, model_card):
    verdict_4_4 = ex04.model_card.check(model_card)
    verdict_4_4
    return (verdict_4_4,)


@app.cell
def _(escape_dollars, ex04, mo, model_card):
    mo.vstack([
        ex04.model_card.help(),
        mo.accordion({"Your card, rendered": mo.md(escape_dollars(model_card) if isinstance(model_card, str)
                                                    else "(not a string)")}),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 4.5: Present the results to a stakeholder

    The head of marketplace operations writes: *"I hear the price model is done. Is it good
    enough to show sellers, and what do you need from me?"* She does not know what RMSE is
    and does not need to. Write your reply in `stakeholder_message` (100 to 350 words).

    The check verifies what can be verified: plain language (no metric or model names),
    an accuracy figure that matches the evaluation, a comparison with today's era x rarity
    price list, at least one limitation, and a recommendation or an ask. Then compare your
    reply with the rubric and the model answer. Compute your numbers in the notebook, as
    in 4.4.
    """)
    return


@app.cell
def _():
    # Exercise 4.5 -- your reply here (an f-string with computed numbers is best).
    stakeholder_message = ""  # TODO
    return (stakeholder_message,)


@app.cell
def _(ex04, stakeholder_message):
    verdict_4_5 = ex04.stakeholder_message.check(stakeholder_message)
    verdict_4_5
    return (verdict_4_5,)


@app.cell
def _(escape_dollars, ex04, mo):
    mo.vstack([
        ex04.stakeholder_message.help(),
        mo.accordion({
            "Rubric": mo.md(ex04.MESSAGE_RUBRIC),
            "Model answer (open after writing yours)": mo.md("> " + escape_dollars(ex04.solution_4_5())),
        }),
    ])
    return


@app.cell
def _(
    progress,
    verdict_4_1,
    verdict_4_2,
    verdict_4_3,
    verdict_4_4,
    verdict_4_5,
):
    _ = (verdict_4_1, verdict_4_2, verdict_4_3, verdict_4_4, verdict_4_5)  # refresh after every check
    progress.module_panel(4, "Module 5, a real inference service (`05_inference_service.py`).")
    return


if __name__ == "__main__":
    app.run()
