import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Module 4: Evaluation")


@app.cell
def _():
    import inspect
    import time

    import altair as alt
    import marimo as mo
    import numpy as np
    import pandas as pd

    from mlcourse import evaluation, modeling, tracking
    from mlcourse.dataset import best_possible_rmse

    return (
        alt,
        best_possible_rmse,
        evaluation,
        mo,
        modeling,
        np,
        pd,
        time,
        tracking,
    )


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Module 4: Evaluation

    **Time:** 2 to 3 hours, plus about an hour and a half for the exercises.

    **Why this module matters.** A single score answers "is this model better than that
    one?". It does not answer the questions that decide whether a model ships: *where* is
    it wrong, *how* wrong, *for whom*, what does each mistake *cost*, and how far is it from
    the best it could be? This module answers them for the course's price model and for a
    classifier that decides which listings an expert should look at, and ends with a model
    card: the document that tells the next person what the model is for and where not to
    trust it.

    **You will learn to**

    1. choose between RMSE, MAE, MAPE, within-\$X and log-scale errors, and say what each rewards;
    2. evaluate a classifier: precision, recall, F1, ROC and precision-recall curves, calibration;
    3. read a confusion matrix and pick a threshold from business costs, not from 0.5;
    4. analyse errors by segment, find the worst ones and the patterns behind them;
    5. compare a model with the noise floor, the best any model can do;
    6. check a model slice by slice for unequal treatment;
    7. write a model card from the evaluation.

    **You need** Module 3 (the split, the tuned xgboost configuration, validation versus
    test). Every number on this page is computed when the notebook runs.
    """)
    return


@app.cell(hide_code=True)
def _(mo, modeling):
    mo.md(rf"""
    ## 1. The models under evaluation

    Two models, trained on the same random 80% of the ungraded marketplace listings as in
    Module 3 and evaluated on the same 20% test set:

    - the **price model**: xgboost with the tuned configuration
      `modeling.TUNED_XGBOOST_PARAMS`, predicting the price in dollars;
    - the **review classifier**: the business wants an expert to look at every listing
      likely to sell above **\${modeling.HIGH_VALUE_USD:.0f}** (to check authenticity and condition before the
      marketplace vouches for it). An xgboost classifier predicts the probability that a
      listing is one of them. The classifier needs a decision threshold, and a decision
      must not be made on the test set (Module 3, "Pause and think" question 3): so it
      trains on 80% of the training listings and keeps the other 20% as a **validation
      set**, the same split as Module 3's. Thresholds are chosen there; the test set only
      reports the result, once.

    Both are fitted once by the course package and cached (`modeling.reference_price_model()`,
    `modeling.reference_review_classifier()`), so the exercises evaluate the very same models.
    """)
    return


@app.cell
def _(modeling, time):
    _start = time.perf_counter()
    price = modeling.reference_price_model()
    review = modeling.reference_review_classifier()
    rule_predictions = modeling.reference_baseline_predictions()
    fit_seconds = time.perf_counter() - _start
    test = price.test
    labels = modeling.is_high_value(test)
    scores = review.test_predictions
    valid_labels = modeling.is_high_value(review.validation)
    valid_scores = review.validation_predictions
    return (
        fit_seconds,
        labels,
        price,
        review,
        rule_predictions,
        scores,
        test,
        valid_labels,
        valid_scores,
    )


@app.cell(hide_code=True)
def _(fit_seconds, labels, mo, modeling, price, review, test, valid_labels):
    mo.md(rf"""
    Training both models and the era x rarity rule took {fit_seconds:.1f} s. The test set
    holds **{len(test):,} listings** ({len(price.train):,} were used to train the price model),
    of which **{labels.mean():.1%}** sold above \${modeling.HIGH_VALUE_USD:.0f}. The classifier
    trained on {len(review.train):,} listings; its validation set holds {len(review.validation):,}
    ({valid_labels.mean():.1%} high-value).

    Module 3's section 9 reports a different test RMSE, for different settings: the ones its quick
    search picked on a sample of the training data, where this price model uses the course's
    reference settings `{modeling.TUNED_XGBOOST_PARAMS}` (the most accurate candidate of a larger
    search on the full training split, chosen on accuracy alone, without Module 3's latency budget).
    Both are trained on the same {len(price.train):,} listings and scored on the same {len(test):,}
    test listings, so the difference between the two numbers is the settings alone.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 2. Regression metrics: what each one rewards

    | metric | what it is | it rewards a model that... | use it when |
    |---|---|---|---|
    | **RMSE** | root of the mean squared error, dollars | avoids large misses (a \$20 miss counts 400 times a \$1 miss) | big errors are disproportionately bad |
    | **MAE** | mean absolute error, dollars | is close on typical listings | every dollar of error costs the same |
    | **MAPE** | mean absolute error as a share of the price | is relatively close on cheap cards too | a 10% miss is equally bad at \$2 and at \$60 |
    | **within \$X** | share of listings predicted within X dollars | is "good enough" often | a user-facing promise ("within \$5") |
    | **log-scale RMSE** | RMSE of log prices, i.e. of ratios | gets the order of magnitude right everywhere | prices span decades; relative error matters |

    Each metric is a different opinion about which mistakes matter. Below, the tuned model,
    the era x rarity rule and a constant (the training median) on the test set.
    """)
    return


@app.cell
def _(evaluation, np, pd, price, rule_predictions, test):
    _constant = np.full(len(test), float(np.median(price.train["price_usd"])))
    metric_table = pd.DataFrame({
        "tuned xgboost": evaluation.regression_metrics(test["price_usd"], price.test_predictions),
        "era x rarity rule": evaluation.regression_metrics(test["price_usd"], rule_predictions),
        "constant (median)": evaluation.regression_metrics(test["price_usd"], _constant),
    })
    model_metrics = metric_table["tuned xgboost"]
    # valuing inventory in bulk: the sum of the predictions against the sum of the prices, and a correction
    # measured on the training data (its summed prices over its summed predictions)
    _train_factor = float(price.train["price_usd"].sum() / price.train_predictions.sum())
    bulk = {"test_sum_ratio": float(price.test_predictions.sum() / test["price_usd"].sum()),
            "train_factor": _train_factor,
            "corrected_sum_ratio": float(_train_factor * price.test_predictions.sum() / test["price_usd"].sum())}
    return bulk, metric_table, model_metrics


@app.cell
def _(bulk, metric_table, mo, model_metrics):
    _after = ("; the training data understates the shortfall, because the model fits its own rows better "
              "than new ones" if bulk["corrected_sum_ratio"] < 0.995 else
              "; the training data overstates the shortfall" if bulk["corrected_sum_ratio"] > 1.005 else "")
    mo.vstack([
        metric_table.round(3),
        mo.md(rf"""
    The tuned model misses by **\${model_metrics['mae']:.2f}** on a typical listing (MAE) and
    **\${model_metrics['rmse']:.2f}** in RMSE; it is within \$5 on **{model_metrics['within_5_usd']:.0%}**
    of listings and within 20% of the price on {model_metrics['within_20pct']:.0%}. The bias row
    says it under-prices by \${-model_metrics['bias']:.2f} on average: a model trained on log
    prices predicts something close to the *median* price of a listing like this one, and
    with prices skewed to the right the mean is higher. Summed over the test set, the predictions come
    to **{bulk['test_sum_ratio']:.1%}** of the sale prices: anyone valuing an inventory in bulk with this
    model undervalues it. Multiplying the predictions by a factor measured on the *training* data (its
    summed prices over its summed predictions, {bulk['train_factor']:.3f}) brings the test sum to
    {bulk['corrected_sum_ratio']:.1%}{_after}. Notice how RMSE is {model_metrics['rmse'] / model_metrics['mae']:.1f}x
    the MAE: a minority of large misses dominate it. Section 5 finds them.
    """),
    ])
    return


@app.cell
def _(mo):
    within_usd = mo.ui.slider(0.5, 10, value=2.0, step=0.5, label="Tolerance in dollars", show_value=True)
    within_usd
    return (within_usd,)


@app.cell
def _(alt, mo, np, pd, price, rule_predictions, test, within_usd):
    _errors = {"tuned xgboost": np.abs(price.test_predictions - test["price_usd"].to_numpy()),
               "era x rarity rule": np.abs(rule_predictions - test["price_usd"].to_numpy())}
    _grid = np.arange(0, 20.25, 0.25)
    _curve = pd.DataFrame([{"tolerance (dollars)": t, "model": m, "share within": float(np.mean(e <= t))}
                           for m, e in _errors.items() for t in _grid])
    _chart = alt.Chart(_curve).mark_line().encode(
        x="tolerance (dollars):Q", y=alt.Y("share within:Q", axis=alt.Axis(format="%")), color="model:N",
        tooltip=["model", "tolerance (dollars)", alt.Tooltip("share within:Q", format=".1%")])
    _rule = alt.Chart(pd.DataFrame({"t": [within_usd.value]})).mark_rule(strokeDash=[4, 4]).encode(x="t:Q")
    mo.vstack([
        (_chart + _rule).properties(height=220, title="Share of test listings priced within a tolerance"),
        mo.md(rf"""
    Within **\${within_usd.value:.2f}**: the model prices
    **{np.mean(_errors['tuned xgboost'] <= within_usd.value):.0%}** of test listings, the rule
    {np.mean(_errors['era x rarity rule'] <= within_usd.value):.0%}. A "within \$X" promise is the
    easiest metric to explain to a user, and the easiest to game: it ignores how far off the
    misses are.
    """),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 3. Classification metrics: the review classifier

    The classifier outputs a probability; a **threshold** turns it into a decision (flag
    for review or not). Threshold-free metrics judge the ranking: **ROC AUC** (the chance
    a random high-value listing scores above a random other one) and **average precision**
    (the area under the precision-recall curve, which, unlike ROC AUC, drops when positives
    are rare). At a threshold: **precision** (of flagged listings, the share that are
    high-value), **recall** (of high-value listings, the share flagged) and **F1** (their
    harmonic mean). **Accuracy** is there to show why it misleads.
    """)
    return


@app.cell
def _(evaluation, labels, scores):
    metrics_at_half = evaluation.classification_metrics(labels, scores, threshold=0.5)
    roc_points, pr_points = evaluation.curve_points(labels, scores)
    calibration = evaluation.calibration_table(labels, scores, n_bins=10)
    return calibration, metrics_at_half, pr_points, roc_points


@app.cell
def _(metrics_at_half, mo):
    _m = metrics_at_half
    mo.md(f"""
    At the default threshold of 0.5: accuracy **{_m['accuracy']:.1%}**, precision
    **{_m['precision']:.1%}**, recall **{_m['recall']:.1%}**, F1 {_m['f1']:.3f}; ROC AUC
    {_m['roc_auc']:.3f}, average precision {_m['average_precision']:.3f}.

    Compare the accuracy with a model that never flags anything: it would be right on every
    listing that is not high-value, **{1 - _m['prevalence']:.1%}** accuracy, while missing
    every single valuable card. With an imbalanced target, accuracy mostly measures the
    imbalance.
    """)
    return


@app.cell
def _(alt, metrics_at_half, mo, pr_points, roc_points):
    _roc = alt.Chart(roc_points).mark_line().encode(
        x="false positive rate:Q", y="true positive rate:Q",
        tooltip=[alt.Tooltip("threshold:Q", format=".2f"), alt.Tooltip("false positive rate:Q", format=".3f"),
                 alt.Tooltip("true positive rate:Q", format=".3f")]).properties(
        width=260, height=240, title=f"ROC curve (AUC {metrics_at_half['roc_auc']:.3f})")
    _pr = alt.Chart(pr_points).mark_line(color="#f58518").encode(
        x="recall:Q", y=alt.Y("precision:Q", scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("threshold:Q", format=".2f"), alt.Tooltip("recall:Q", format=".3f"),
                 alt.Tooltip("precision:Q", format=".3f")]).properties(
        width=260, height=240, title=f"Precision-recall (AP {metrics_at_half['average_precision']:.3f})")
    mo.hstack([_roc, _pr])
    return


@app.cell
def _(alt, calibration, metrics_at_half, mo, pd):
    _diag = alt.Chart(pd.DataFrame({"x": [0, 1], "y": [0, 1]})).mark_line(color="gray", strokeDash=[4, 4]).encode(
        x="x:Q", y="y:Q")
    _points = alt.Chart(calibration).mark_line(point=True).encode(
        x=alt.X("predicted:Q", title="mean predicted probability", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("observed:Q", title="observed share high-value", scale=alt.Scale(domain=[0, 1])),
        tooltip=["bin", "listings", alt.Tooltip("predicted:Q", format=".3f"), alt.Tooltip("observed:Q", format=".3f")])
    _worst = calibration.assign(gap=(calibration["predicted"] - calibration["observed"]).abs()).sort_values("gap").iloc[-1]
    mo.vstack([
        (_diag + _points).properties(width=300, height=260, title="Calibration (gray: perfectly calibrated)"),
        mo.md(f"""
    **Calibration** asks whether "70%" means 70%. Group listings by predicted probability and
    compare with how often they really were high-value. The largest gap is in the
    {_worst['bin']} bin ({_worst['listings']:,} listings): predicted {_worst['predicted']:.1%},
    observed {_worst['observed']:.1%}. The Brier score (mean squared error of the
    probabilities) is {metrics_at_half['brier']:.4f}. Calibration matters as soon as someone
    reads the probability itself (to set a cost-based threshold, to show a user "80% likely"):
    section 4 relies on it.
    """),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 4. Confusion matrix and a threshold from business costs

    The review team's economics: an expert review costs money even when the listing turns
    out to be ordinary (an **unnecessary review**, a false positive), and a valuable listing
    that slips through unreviewed (a **missed valuable card**, a false negative) costs more:
    a fake or misgraded card sold under the marketplace's name, refunds, reputation. Set the
    two costs; the notebook finds the threshold with the lowest total cost on the
    **validation set** (every distinct score is tried, `evaluation.best_threshold`), then
    applies that threshold to the test set once, to report what it will cost.

    Why not search on the test set directly? It is the lesson of Module 3's question on
    tuning with test data: a threshold picked where it is scored fits that set's noise, and
    the cost it reports is the luckiest of thousands of tries, an optimistic number. A
    threshold is a hyperparameter like any other.
    """)
    return


@app.cell
def _(mo):
    cost_missed = mo.ui.number(start=1, stop=1000, step=1, value=40, label=r"Cost of a missed valuable card (\$)")
    cost_review = mo.ui.number(start=1, stop=1000, step=1, value=5, label=r"Cost of an unnecessary review (\$)")
    mo.hstack([cost_missed, cost_review], justify="start")
    return cost_missed, cost_review


@app.cell
def _(
    cost_missed,
    cost_review,
    evaluation,
    labels,
    np,
    scores,
    valid_labels,
    valid_scores,
):
    # Every choice on validation data...
    best_t, valid_best_cost = evaluation.best_threshold(valid_labels, valid_scores, cost_missed.value,
                                                        cost_review.value)
    cost_grid = evaluation.cost_curve(valid_labels, valid_scores, cost_missed.value, cost_review.value,
                                      thresholds=np.round(np.arange(0.01, 1.0, 0.01), 2))
    _f1 = cost_grid.assign(f1=2 * cost_grid["tp"] / (2 * cost_grid["tp"] + cost_grid["fp"] + cost_grid["fn"]))
    f1_threshold = float(_f1.loc[_f1["f1"].idxmax(), "threshold"])
    theory_threshold = cost_review.value / (cost_review.value + cost_missed.value)

    # ...then each chosen threshold reported once on the test set.
    def _test_cost(threshold):
        return float(evaluation.cost_curve(labels, scores, cost_missed.value, cost_review.value,
                                           thresholds=[threshold])["cost"].iloc[0])

    best_cost, cost_at_half, cost_at_f1 = _test_cost(best_t), _test_cost(0.5), _test_cost(f1_threshold)
    return (
        best_cost,
        best_t,
        cost_at_f1,
        cost_at_half,
        cost_grid,
        f1_threshold,
        theory_threshold,
        valid_best_cost,
    )


@app.cell
def _(alt, best_t, cost_grid, pd):
    _line = alt.Chart(cost_grid).mark_line().encode(
        x=alt.X("threshold:Q", title="flag a listing when its probability is at least"),
        y=alt.Y("cost:Q", title=r"total cost on the validation set (\$)"),
        tooltip=["threshold", "tp", "fp", "fn", alt.Tooltip("cost:Q", format=",.0f")])
    _best = alt.Chart(pd.DataFrame({"t": [best_t]})).mark_rule(color="#e45756").encode(x="t:Q")
    (_line + _best).properties(height=240, title="Total cost by threshold, validation set (red: the cheapest)")
    return


@app.cell
def _(
    best_cost,
    best_t,
    cost_at_f1,
    cost_at_half,
    cost_missed,
    cost_review,
    evaluation,
    f1_threshold,
    labels,
    mo,
    scores,
    theory_threshold,
    valid_best_cost,
    valid_labels,
):
    _c = evaluation.confusion_counts(labels, scores, best_t)
    _m = evaluation.classification_metrics(labels, scores, best_t)
    _matrix = mo.md(rf"""
    | test set, at threshold {best_t:.3f} | flagged for review | not flagged |
    |---|---|---|
    | **high-value** | {_c['tp']:,} caught | {_c['fn']:,} missed (\${cost_missed.value:,.0f} each) |
    | **ordinary** | {_c['fp']:,} unnecessary reviews (\${cost_review.value:,.0f} each) | {_c['tn']:,} left alone |
    """)
    mo.vstack([
        _matrix,
        mo.md(rf"""
    With a missed card at \${cost_missed.value:,.0f} and a review at \${cost_review.value:,.0f}, the
    cheapest threshold on the {len(valid_labels):,} validation listings is **{best_t:.3f}** (total cost
    \${valid_best_cost:,.0f} there). Applied once to the {len(labels):,} test listings, it costs
    **\${best_cost:,.0f}**, against \${cost_at_half:,.0f} at the default 0.5 and \${cost_at_f1:,.0f}
    at the threshold that maximises F1 on validation ({f1_threshold:.2f}). At this threshold the
    team reviews {_m['flagged_share']:.1%} of test listings, with precision {_m['precision']:.1%} and
    recall {_m['recall']:.1%}. The test figures are the ones to report: nothing was chosen on them.

    For a *calibrated* probability p, flagging costs `cost_review x (1 - p)` and not flagging
    costs `cost_missed x p`, so the break-even threshold is
    `cost_review / (cost_review + cost_missed)` = **{theory_threshold:.3f}**, against
    {best_t:.3f} found by the search on validation data: the closer the two, the better calibrated
    the scores near the threshold. Change the costs and watch both move. F1 knows nothing about costs: it
    weighs a miss and a false alarm equally.
    """),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 5. Error analysis: where the price model is wrong

    An average hides everything. Break the errors down by segment, read the worst ones,
    and look for what they have in common. Bias (prediction minus price) tells you the
    direction: negative means the model under-prices that segment.
    """)
    return


@app.cell
def _(evaluation, price, test):
    residuals = evaluation.residual_frame(test, price.test_predictions)
    return (residuals,)


@app.cell
def _(mo):
    segment_picker = mo.ui.dropdown(options=["era", "rarity", "language", "condition", "finish", "supertype"],
                                    value="era", label="Break errors down by")
    segment_picker
    return (segment_picker,)


@app.cell
def _(alt, evaluation, mo, residuals, segment_picker):
    _segment_errors = evaluation.errors_by_segment(residuals, segment_picker.value)
    _bars = alt.Chart(_segment_errors).mark_bar().encode(
        x=alt.X("rmse:Q", title="RMSE, dollars"), y=alt.Y(f"{segment_picker.value}:N", sort="-x", title=None),
        color=alt.Color("bias:Q", scale=alt.Scale(scheme="redblue", domainMid=0), title=r"bias (\$)"),
        tooltip=[segment_picker.value, "listings", alt.Tooltip("rmse:Q", format=".2f"), alt.Tooltip("mae:Q", format=".2f"),
                 alt.Tooltip("bias:Q", format="+.2f"), alt.Tooltip("mean_price:Q", format=".2f"),
                 alt.Tooltip("share_of_squared_error:Q", format=".1%")])
    mo.vstack([_bars.properties(height=220, title=f"Test RMSE by {segment_picker.value} (colour: bias)"),
               _segment_errors.round(3)])
    return


@app.cell
def _(evaluation, residuals):
    by_era = evaluation.errors_by_segment(residuals, "era").set_index("era")
    worst = evaluation.worst_errors(residuals, 10)
    era_lift = evaluation.segment_lift(residuals, "era", n_worst=200)
    rarity_lift = evaluation.segment_lift(residuals, "rarity", n_worst=200)
    return by_era, era_lift, rarity_lift, worst


@app.cell
def _(by_era, era_lift, evaluation, mo, rarity_lift, residuals, worst):
    _top_era = by_era["share_of_squared_error"].idxmax()
    _worst_share = (worst["abs_error"] ** 2).sum() / (residuals["error"] ** 2).sum()

    def _lift_sentence(table, what):
        """A claim about the most over-represented value only when its interval is above 1."""
        _top, _row = table.index[0], table.iloc[0]
        _counts = (f"{int(_row['worst'])} of the {int(table['worst'].sum())} worst, "
                   f"{int(_row['listings']):,} of {int(table['listings'].sum()):,} listings")
        _credible = evaluation.credible_lift(table)
        if _row["lift_low"] > 1:
            return (f"`{_top}` {what} are **{_row['lift']:.1f}x** over-represented ({_counts}; 95% interval "
                    f"{_row['lift_low']:.1f}x to {_row['lift_high']:.1f}x, clear of 1)")
        _instead = (f"; the highest lift whose interval clears 1 is `{_credible.index[0]}` "
                    f"({_credible['lift'].iloc[0]:.1f}x, {int(_credible['worst'].iloc[0])} of the worst)"
                    if not _credible.empty else "; no value's interval clears 1")
        return (f"`{_top}` {what} show the highest lift, {_row['lift']:.1f}x, but on {_counts}: its 95% "
                f"interval, {_row['lift_low']:.1f}x to {_row['lift_high']:.1f}x, includes 1, so it may be "
                f"chance{_instead}")

    mo.vstack([
        mo.md(rf"""
    **By era**, the model is worst on `{by_era.index[0]}` listings (RMSE \${by_era['rmse'].iloc[0]:.2f} on
    {by_era['listings'].iloc[0]:,} listings, mean price \${by_era['mean_price'].iloc[0]:.2f}); `{_top_era}`
    carries the largest share of all squared error ({by_era.loc[_top_era, 'share_of_squared_error']:.0%}, with
    {by_era.loc[_top_era, 'listings']:,} listings, {by_era.loc[_top_era, 'listings'] / len(residuals):.0%} of all). Dollar errors grow with
    prices, so expensive segments dominate RMSE: look at MAE and bias too.

    **The ten worst errors** (together {_worst_share:.1%} of all squared error on their own):
    """),
        worst[["listing_id", "listing_date", "card_name", "set_name", "era", "rarity", "condition", "language",
               "price_usd", "predicted", "error"]].round({"price_usd": 2, "predicted": 2, "error": 2}),
        mo.md(f"""
    **What the worst 200 have in common.** Compare each segment's share among the 200 largest
    errors with its share of all test listings (the *lift*; `evaluation.segment_lift`).
    {_lift_sentence(era_lift, "listings")}; {_lift_sentence(rarity_lift, "cards")}.

    Counting alone would mislead: the most common value among the worst errors is usually
    just the most common value overall. And a lift needs its counts beside it: a value with
    a handful of listings can reach a large lift from two or three errors. The tables show
    the counts and a 95% interval for each lift (`lift_low`, `lift_high`): only a lift whose
    interval stays above 1 is evidence. Exercise 4.2 asks you to build the lift table.
    """),
        mo.hstack([era_lift.head(5).round(2), rarity_lift.head(5).round(2)]),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 6. How close to the best possible model?

    The course generated these prices, so it knows each listing's *expected* price (the
    price formula without the listing's random noise). Predicting exactly that is the best
    any model can do; its RMSE is the **noise floor** (`dataset.best_possible_rmse`). Real
    projects never have this number (they estimate it from repeated measurements or human
    agreement); here it tells us whether more modelling effort can pay off at all, and where.
    """)
    return


@app.cell
def _(best_possible_rmse, evaluation, pd, price, rule_predictions, test):
    floor = evaluation.noise_floor_comparison(test, price.test_predictions, rule_predictions)
    _rows = []
    for _era, _part in test.groupby("era"):
        _rows.append({"era": _era, "listings": len(_part),
                      "model RMSE": evaluation.rmse(_part["price_usd"], price.test_predictions[_part.index]),
                      "noise floor": best_possible_rmse(_part)})
    floor_by_era = pd.DataFrame(_rows)
    floor_by_era["excess over floor"] = floor_by_era["model RMSE"] - floor_by_era["noise floor"]
    floor_by_era["model / floor"] = floor_by_era["model RMSE"] / floor_by_era["noise floor"]
    floor_by_era = floor_by_era.sort_values("excess over floor", ascending=False).reset_index(drop=True)
    return floor, floor_by_era


@app.cell
def _(alt, floor_by_era):
    _long = floor_by_era.melt(id_vars=["era", "listings"], value_vars=["model RMSE", "noise floor"],
                              var_name="what", value_name="rmse")
    alt.Chart(_long).mark_bar().encode(
        x=alt.X("rmse:Q", title="RMSE, dollars"), y=alt.Y("era:N", sort=list(floor_by_era["era"]), title=None),
        yOffset="what:N", color=alt.Color("what:N", title=None),
        tooltip=["era", "what", "listings", alt.Tooltip("rmse:Q", format=".2f")],
    ).properties(height=260, title="Model against the noise floor, by era (largest excess first)")
    return


@app.cell(hide_code=True)
def _(evaluation, floor, floor_by_era, mo):
    _near = floor_by_era[floor_by_era["model / floor"] <= evaluation.NEAR_FLOOR_RATIO]
    _ratios = (f"era's RMSE is between {floor_by_era['model / floor'].min():.2f}x and "
               f"{floor_by_era['model / floor'].max():.2f}x its floor (the `model / floor` column")
    if _near.empty:
        _elsewhere = (f"And nowhere is the model near what the noise allows: every {_ratios}; none within "
                      f"{evaluation.NEAR_FLOOR_RATIO:.2f}x), so every era still has learnable error, and effort "
                      "pays first where the excess is largest.")
    elif len(_near) == len(floor_by_era):
        _elsewhere = (f"Elsewhere the returns shrink: every {_ratios}; all within "
                      f"{evaluation.NEAR_FLOOR_RATIO:.2f}x), so the model is near what the noise allows everywhere, "
                      "and more tuning buys little.")
    else:
        _elsewhere = (f"Every {_ratios}). Within {evaluation.NEAR_FLOOR_RATIO:.2f}x of the floor, the model is near what "
                      f"the noise allows, and more tuning there buys little: "
                      f"{', '.join(f'`{e}`' for e in _near['era'])}. The other eras still have learnable error.")
    mo.vstack([
        mo.md(rf"""
    On the whole test set: model **\${floor['model_rmse']:.2f}**, era x rarity rule
    \${floor['baseline_rmse']:.2f}, noise floor **\${floor['floor_rmse']:.2f}**. The model is
    {floor['model_to_floor_ratio']:.2f}x the floor and closes **{floor['gap_closed']:.0%}** of the gap
    from the rule to the best possible model; \${floor['excess_over_floor']:.2f} of RMSE is still
    learnable in principle.

    Where is it? The largest excess over the floor is in `{floor_by_era['era'].iloc[0]}`
    (\${floor_by_era['excess over floor'].iloc[0]:.2f} above a floor of
    \${floor_by_era['noise floor'].iloc[0]:.2f}); the smallest in `{floor_by_era['era'].iloc[-1]}`
    (\${floor_by_era['excess over floor'].iloc[-1]:.2f}). That is where more data, better features
    (the card's identity carries an effect no column describes: Module 3's grouped folds
    showed it) or a dedicated model would pay. {_elsewhere}
    """),
        floor_by_era.round(2),
    ])
    return


@app.cell(hide_code=True)
def _(evaluation, mo):
    mo.md(rf"""
    ## 7. Slices and fairness

    A model can be good on average and systematically worse for one group. For cards,
    "groups" are not people, but the people behind them are: **sellers of non-English
    cards** whose valuable listings are reviewed less often, or whose prices are shaded
    down, are treated worse by the marketplace. Check every decision slice by slice: the
    share flagged, recall (valuable cards caught) and false positive rate per group, at the
    threshold chosen in section 4.

    Slices are small, so every rate comes with its count and a 95% interval
    (`evaluation.proportion_interval`, a Wilson interval): recall is a share of the
    group's *high-value* listings (`positives`), often a few dozen. A group with fewer than
    {evaluation.MIN_SLICE_COUNT} of them is shown but not compared (`enough_data`), and a gap
    between two groups counts as real only when their intervals do not overlap
    (`evaluation.compare_groups`).
    """)
    return


@app.cell
def _(mo):
    slice_picker = mo.ui.dropdown(options=["language", "era", "condition"], value="language", label="Slice by")
    slice_picker
    return (slice_picker,)


@app.cell
def _(best_t, evaluation, labels, mo, scores, slice_picker, test):
    slices = evaluation.slice_table(test, labels, scores, best_t, slice_picker.value)
    _cmp = evaluation.compare_groups(slices, slice_picker.value)
    _min = evaluation.MIN_SLICE_COUNT
    _excluded = (f" Too small to compare (under {_min} high-value listings): {', '.join(_cmp['excluded'])}."
                 if _cmp["excluded"] else "")
    if _cmp["lowest"] is None:
        _verdict = f"Fewer than two groups have {_min} high-value listings: no comparison is possible."
    else:
        _gap = (f"Recall runs from {_cmp['lowest_value']:.0%} for `{_cmp['lowest']}` ({_cmp['lowest_count']:,} "
                f"high-value listings, interval {_cmp['lowest_interval'][0]:.0%} to {_cmp['lowest_interval'][1]:.0%}) "
                f"to {_cmp['highest_value']:.0%} for `{_cmp['highest']}` ({_cmp['highest_count']:,}, interval "
                f"{_cmp['highest_interval'][0]:.0%} to {_cmp['highest_interval'][1]:.0%}).")
        _verdict = _gap + (" The intervals do not overlap: **a real difference**, worth explaining." if _cmp["separated"]
                           else " The intervals overlap: **this data cannot tell the groups apart**; collect more "
                                "before claiming a gap (or its absence).")
    recall_parity = evaluation.disparity(slices, "recall", min_listings=_min, count="positives")
    mo.vstack([
        mo.md(f"""
    By **{slice_picker.value}**, at threshold {best_t:.3f}, on the test set. {_verdict}{_excluded} The
    lowest recall divided by the highest, among groups with enough data, is {recall_parity:.2f} (1 would be
    parity).
    """),
        slices.round(3),
    ])
    return


@app.cell
def _(
    best_t,
    evaluation,
    labels,
    modeling,
    pd,
    price,
    residuals,
    scores,
    test,
):
    language_slices = evaluation.slice_table(test, labels, scores, best_t, "language")
    language_comparison = evaluation.compare_groups(language_slices, "language")
    # the price model's bias per language, with its 95% interval; compared like recall, over groups
    # with at least MIN_SLICE_COUNT test listings
    language_bias = evaluation.errors_by_segment(residuals, "language").set_index("language")
    bias_comparison = evaluation.compare_groups(language_bias.reset_index(), "language", metric="bias",
                                                count="listings")
    _train_counts = price.train["language"].value_counts()
    _train_high = pd.Series(modeling.is_high_value(price.train)).groupby(price.train["language"].to_numpy()).sum()
    _by_language = language_slices.set_index("language")
    # the smallest language with enough data to compare, against English
    _small = _by_language[_by_language["enough_data"]].sort_values("positives").index[0]
    _rates = {}
    for _language in (_small, "English"):
        _k, _n = int(_train_high.get(_language, 0)), int(_train_counts.get(_language, 0))
        _low, _high = evaluation.proportion_interval(_k, _n)
        _rates[_language] = (_k / _n if _n else float("nan"), float(_low), float(_high))
    fairness_facts = {
        "small": _small, "small_positives": int(_by_language.loc[_small, "positives"]),
        "small_listings": int(_by_language.loc[_small, "listings"]),
        "small_train": int(_train_counts.get(_small, 0)),
        "english_train": int(_train_counts.get("English", 0)),
        "english_high": _rates["English"], "small_high": _rates[_small],
        # base rates differ beyond noise only when the two 95% intervals are apart
        "base_rates_differ": _rates[_small][2] < _rates["English"][1] or _rates["English"][2] < _rates[_small][1],
    }
    return bias_comparison, fairness_facts, language_bias, language_comparison


@app.cell
def _(
    bias_comparison,
    evaluation,
    fairness_facts,
    language_bias,
    language_comparison,
    mo,
    modeling,
):
    _f, _c = fairness_facts, language_comparison
    if _c["lowest"] is None:
        _recall = "Too few high-value listings per language to compare recall."
    elif _c["separated"]:
        _recall = (f"The classifier catches {_c['highest_value']:.0%} of valuable `{_c['highest']}` listings "
                   f"({_c['highest_count']:,} of them in the test set) but {_c['lowest_value']:.0%} of valuable "
                   f"`{_c['lowest']}` ones ({_c['lowest_count']:,}); the 95% intervals do not overlap, so the gap "
                   "is real and needs an explanation.")
    else:
        _recall = (f"Recall by language runs from {_c['lowest_value']:.0%} (`{_c['lowest']}`, "
                   f"{_c['lowest_count']:,} high-value test listings, interval {_c['lowest_interval'][0]:.0%} to "
                   f"{_c['lowest_interval'][1]:.0%}) to {_c['highest_value']:.0%} (`{_c['highest']}`, "
                   f"{_c['highest_count']:,}, interval {_c['highest_interval'][0]:.0%} to "
                   f"{_c['highest_interval'][1]:.0%}). The intervals overlap: with this many listings, **the "
                   "test set cannot show a recall gap between languages**, and it cannot rule one out either. "
                   "\"No difference found\" is not \"no difference\".")
    _bias = evaluation.group_gap_sentence(bias_comparison, "The price model's bias (prediction minus price)",
                                          "language", value_format="${:+.2f}", unit="test listings")
    _small_rate, _english_rate = _f["small_high"], _f["english_high"]
    _rates = (f"{_small_rate[0]:.1%} of `{_f['small']}` listings (95% interval {_small_rate[1]:.1%} to "
              f"{_small_rate[2]:.1%}) sold above \\${modeling.HIGH_VALUE_USD:.0f}, against {_english_rate[0]:.1%} "
              f"of English ones ({_english_rate[1]:.1%} to {_english_rate[2]:.1%})")
    if _f["base_rates_differ"]:
        _world = (f"**the world**: base rates differ. In training, {_rates}: the intervals are apart, so "
                  f"`{_f['small']}` listings hold {'fewer' if _small_rate[0] < _english_rate[0] else 'more'} "
                  "valuable cards")
    else:
        _world = (f"**the world**: base rates can differ between groups. Here this data does not show it for "
                  f"`{_f['small']}`: in training, {_rates}, and the intervals overlap")
    _bias_md = _bias.replace("$", r"\$")
    mo.vstack([
        mo.md(rf"""
    **By language.** {_recall}

    The same check for the price model's suggestions: {_bias_md} The table below has every
    language, with its count and the 95% interval of its bias (`bias_low`, `bias_high`).

    Where can a gap come from, when there is one? Three places to look:

    - {_world}. (The course's generator does price non-English cards below English ones, all else
      equal: a difference the prices really carry, which a price model should learn.)
    - **the data**: the model saw {_f['small_train']:,} `{_f['small']}` listings in training against
      {_f['english_train']:,} English ones; estimates for small groups are noisier and pulled
      towards the majority;
    - **the decision**: one threshold for every group turns small differences in scores
      into larger differences in recall.

    Small test groups are noisy too: `{_f['small']}` has {_f['small_positives']:,} high-value test listings
    (of {_f['small_listings']:,}), so one card caught or missed moves its recall by
    {1 / max(_f['small_positives'], 1):.1%}. The remedies are choices with trade-offs (more data for small
    groups, a per-group threshold, which treats groups differently on purpose, or a recall target
    every group must meet, checked on enough data). Decide them with the business, write them
    down, and monitor them per group (Module 6).
    """),
        language_bias.reset_index()[["language", "listings", "bias", "bias_low", "bias_high", "rmse", "mae",
                                     "mean_price"]].round(2),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 8. The model card

    A model card (Mitchell et al., 2019) is a short document that ships with a model: what
    it is, what it is for and not for, what it was trained and evaluated on, how well it
    does overall and per segment, and its limitations. It is written from the evaluation,
    not from memory: every number below comes from this notebook.
    `evaluation.model_card_markdown` assembles it; `evaluation.write_model_card` saves it in
    the course's output folder.
    """)
    return


@app.cell
def _(
    bias_comparison,
    bulk,
    by_era,
    evaluation,
    floor,
    floor_by_era,
    model_metrics,
    modeling,
    price,
    residuals,
    test,
    tracking,
):
    _train = price.train
    # cards never seen in training: how much worse, in dollars and as a share of the price
    _unseen = ~test["card_id"].isin(set(_train["card_id"])).to_numpy()
    _relative = (residuals["abs_error"] / residuals["price_usd"]).to_numpy()
    if _unseen.sum() >= evaluation.MIN_SLICE_COUNT:
        _mape, _low, _high = evaluation.mean_interval(_relative[_unseen])
        _new_cards = (f"Cards never seen in training ({int(_unseen.sum()):,} of {len(test):,} test listings): mean "
                      f"absolute percentage error {_mape:.0%} (95% interval {_low:.0%} to {_high:.0%}) against "
                      f"{_relative[~_unseen].mean():.0%} for cards seen in training; RMSE "
                      f"${evaluation.rmse(test['price_usd'][_unseen], price.test_predictions[_unseen]):.2f} against "
                      f"${evaluation.rmse(test['price_usd'][~_unseen], price.test_predictions[~_unseen]):.2f}.")
    else:
        _new_cards = (f"Only {int(_unseen.sum())} test listings are of cards never seen in training: too few to "
                      "say how the model prices new cards; evaluate it on them before relying on it there.")
    card_markdown = evaluation.model_card_markdown(
        name="card price model (tuned xgboost)",
        description=("Predicts the sale price in US dollars of an ungraded marketplace listing of a Pokemon card, "
                     "from the card and listing attributes known before the sale (`mlcourse.features`). "
                     "xgboost regression on log price, `modeling.TUNED_XGBOOST_PARAMS` (the most accurate "
                     "candidate of a random search on validation data, chosen without a latency budget)."),
        intended_use=("Suggest a price to sellers listing ungraded single cards on the marketplace. A human (the "
                      "seller) stays in charge of the final price. Valuing inventory in bulk needs a correction: "
                      f"summed over the test set, the predictions come to {bulk['test_sum_ratio']:.1%} of the sale "
                      f"prices (mean bias ${model_metrics['bias']:+.2f} per listing), because a model of log price "
                      "predicts a median-like price; scaled by the training data's ratio of summed prices to "
                      f"summed predictions ({bulk['train_factor']:.3f}), they come to "
                      f"{bulk['corrected_sum_ratio']:.1%}."),
        out_of_scope=("graded slabs, bulk lots and auctions (other channels, other price dynamics); cards from "
                      "sets released after the training data; any automatic pricing without a human check; "
                      "bulk valuation without the correction above."),
        training={"listings": f"{len(_train):,} (random 80% of the ungraded marketplace listings)",
                  "listing dates": f"{_train['listing_date'].min():%Y-%m-%d} to {_train['listing_date'].max():%Y-%m-%d}",
                  "data hash": tracking.data_version(_train)["data_hash"],
                  "target": "price_usd (learned on the log scale)"},
        test_metrics=model_metrics.to_dict(), n_test=len(test),
        floor_rmse=floor["floor_rmse"], baseline_rmse=floor["baseline_rmse"],
        segments=by_era.reset_index(), segment_column="era",
        limitations=[
            f"Errors grow with the price: RMSE is ${by_era['rmse'].iloc[0]:.2f} on `{by_era.index[0]}` listings "
            f"({by_era['listings'].iloc[0]:,} in the test set).",
            f"Under-prices on average by ${-model_metrics['bias']:.2f} (it predicts a typical, median-like price).",
            f"Largest excess over the noise floor in `{floor_by_era['era'].iloc[0]}`: the place to improve.",
            _new_cards,
            "Trained on one market period; the market index moves, so retrain and monitor (Module 6).",
        ],
        ethical=[
            evaluation.group_gap_sentence(bias_comparison, "The price model's bias (prediction minus price)",
                                          "language", value_format="${:+.2f}", unit="test listings"),
            "Price suggestions anchor sellers: systematic under-pricing of a segment transfers value from its sellers.",
        ],
        version={"model": "xgboost " + tracking.environment_versions().get("xgboost", "?"),
                 "parameters": str(modeling.TUNED_XGBOOST_PARAMS), "code version": tracking.code_version()},
    )
    card_path = evaluation.write_model_card(card_markdown, "model_card_price_model.md")
    missing_sections = evaluation.missing_card_sections(card_markdown)
    return card_markdown, card_path, missing_sections


@app.cell
def _(card_markdown, card_path, missing_sections, mo):
    mo.vstack([
        mo.md(f"""
    Written to `{card_path}` ({len(card_markdown.splitlines())} lines). Required sections missing:
    {", ".join(missing_sections) if missing_sections else "none"}. The card as a reader sees it:
    """),
        mo.accordion({"Model card": mo.md(card_markdown.replace("$", r"\$"))}),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 9. Pause and think

    Try to answer each question before you open the discussion.
    """)
    return


@app.cell
def _(metrics_at_half, mo):
    _p = metrics_at_half["prevalence"]
    mo.vstack([
        mo.md("**1. Your model is 95% accurate on spam detection. Is that good?**"),
        mo.accordion({"Discussion": mo.md(f"""
    It depends on how much of the mail is spam, and on what the errors cost. If 95% of the
    mail is ham, a filter that lets everything through is 95% accurate and useless; if 50%
    is spam, 95% may be excellent. Always compare with the majority-class baseline (here,
    never flagging a listing scores {1 - _p:.1%}), then look at precision (how much real mail
    lands in the spam folder: very costly) and recall (how much spam reaches the inbox:
    annoying), at the threshold you will use. For rare classes, report the precision-recall
    curve, not accuracy.
    """)}),
    ])
    return


@app.cell
def _(mo):
    mo.vstack([
        mo.md("**2. Would you rather have high precision or high recall for: (a) cancer detection, "
              "(b) spam filtering, (c) credit card fraud? Why?**"),
        mo.accordion({"Discussion": mo.md(r"""
    **(a) Cancer screening: recall.** A missed cancer is catastrophic; a false positive
    costs a follow-up test. Screening runs at high recall, and a second, more precise test
    confirms. **(b) Spam: precision.** Losing a real email (a job offer) in the spam folder
    costs far more than seeing one more spam. **(c) Fraud: usually recall with a precision
    floor.** Missed fraud costs money; false alarms cost customer friction (a blocked card
    at a till), so the threshold trades the two in money, exactly as section 4 did. In every
    case the answer comes from the cost of each error, which is a business input, not a
    modelling one.
    """)}),
    ])
    return


@app.cell
def _(evaluation, mo, price):
    _train_rmse = evaluation.rmse(price.train["price_usd"], price.train_predictions)
    _test_rmse = evaluation.rmse(price.test["price_usd"], price.test_predictions)
    mo.vstack([
        mo.md("**3. Your model has perfect training accuracy but mediocre test accuracy. List 5 possible causes.**"),
        mo.accordion({"Discussion": mo.md(rf"""
    1. **Overfitting**: the model memorised the training rows (too deep, too many rounds,
       too little regularisation). Our price model: \${_train_rmse:.2f} RMSE on training data,
       \${_test_rmse:.2f} on test: a gap, but not a memorised one.
    2. **Leakage in training features** that is absent at test time (a column derived from
       the target, or computed after the sale).
    3. **Distribution shift** between training and test (another period, other sets, new
       cards: Module 3's time-based and grouped folds).
    4. **Duplicates or near-duplicates** in training that the model learns by heart (the
       same card listed many times) while the test set holds new entities.
    5. **Label noise**: the model fits noise in training labels; on test data, the noise
       floor caps what is achievable (section 6).

    Also check the boring ones: a preprocessing step fitted differently on the test data,
    or the wrong test file.
    """)}),
    ])
    return


@app.cell
def _(calibration, mo):
    _near = calibration.iloc[(calibration["predicted"] - 0.8).abs().argsort()[:1]].iloc[0]
    _direction = ("under-confident there (reality is higher)" if _near["observed"] > _near["predicted"] + 0.03 else
                  "over-confident there (reality is lower)" if _near["observed"] < _near["predicted"] - 0.03 else
                  "well calibrated there")
    mo.vstack([
        mo.md("**4. How do you explain \"the model is 80% confident\" to a non-technical user?**"),
        mo.accordion({"Discussion": mo.md(f"""
    With frequencies, not with "confidence": "of listings like this one, about 8 in 10 turned
    out to be high-value; this one may be one of the other 2". That sentence is only true
    if the model is calibrated, so check first: among test listings our classifier scored
    around {_near['predicted']:.0%} (the {_near['bin']} bin), {_near['observed']:.0%} really were: the
    model is {_direction}. If it is off, recalibrate before quoting numbers to users. Add
    what the user should do with it ("we recommend a review") and what the number does not
    say (it is not the chance that the price estimate is right, and it is less reliable for
    card types the model rarely saw).
    """)}),
    ])
    return


@app.cell
def _(mo):
    mo.vstack([
        mo.md("**5. Your model is unfair to a demographic group. List 3 ways this could have happened.**"),
        mo.accordion({"Discussion": mo.md(r"""
    1. **Representation**: the group is rare in the training data, so the model's estimates
       for it are noisier and pulled towards the majority (our small-language slices).
    2. **Historical bias in the labels**: the target records past decisions or past
       prices that already treated the group worse; the model learns to repeat them.
    3. **Proxies and thresholds**: a feature correlates with group membership (postcode for
       ethnicity; language for seller country), or one global threshold on a score whose
       distribution differs by group gives very different error rates per group.

    Also: measurement differences (worse data quality for the group), an evaluation that
    never looked at the group, and a deployment context the group did not share. The first
    defence is the one in section 7: measure per group, always.
    """)}),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Key takeaways

    - **Every metric is an opinion about which errors matter.** RMSE punishes large misses,
      MAE counts every dollar alike, MAPE and log-scale errors judge ratios. Pick the one
      that matches the cost of being wrong, and report a plain one ("within \$5") for users.
    - **Accuracy misleads on imbalanced data.** Compare with the majority baseline; use
      precision, recall and the precision-recall curve.
    - **Thresholds come from costs**, not from 0.5 or from F1, and they are chosen on
      validation data, then reported once on the test set. With calibrated probabilities, the
      break-even threshold is cost of a false alarm over the sum of both costs.
    - **Error analysis finds where to work**: segments, the worst errors, and over-representation
      (lift), not raw counts.
    - **Know your floor.** The gap between model and noise floor, by segment, says where
      effort can still pay.
    - **Check slices** for every decision, with the count beside every rate and an interval
      around it: claim a gap only when the intervals are apart. Unequal error rates are a
      product decision to make explicitly, not an accident to discover later.
    - **Ship a model card** written from the evaluation: intended use, data, metrics, slices,
      limitations.

    **Next:** open `exercises/exercises_04.py`: choose metrics for five business scenarios
    (4.1), categorise the worst errors (4.2), tune a threshold from business costs (4.3),
    write a model card (4.4), and present the results to a stakeholder (4.5). Then Module 5,
    a real inference service.
    """)
    return


if __name__ == "__main__":
    app.run()
