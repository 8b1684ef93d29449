import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Module 4: Evaluation")


@app.cell
def _():
    import time

    import altair as alt
    import marimo as mo
    import numpy as np
    import pandas as pd

    from mlcourse import cache, evaluation, interpret, modeling, tracking, ui, verdicts
    from mlcourse.dataset import best_possible_rmse

    return (
        alt,
        best_possible_rmse,
        cache,
        evaluation,
        interpret,
        mo,
        modeling,
        np,
        pd,
        time,
        tracking,
        ui,
        verdicts,
    )


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Module 4: Evaluation

    **Time:** 2.5 to 3.5 hours, plus about an hour and a half for the exercises.

    **Why this module matters.** A single score answers "is this model better than that
    one?". It does not answer the questions that decide whether a model ships: *where* is
    it wrong, *how* wrong, *for whom*, what does each mistake *cost*, *why* does it say what it
    says, and how far is it from the best it could be? This module answers them for the course's
    price model and for a classifier that decides which listings an expert should look at, and
    ends with a model card: the document that tells the next person what the model is for and
    where not to trust it.

    **You will learn to**

    1. choose between RMSE, MAE, MAPE, within-\$X and log-scale errors, and say what each rewards;
    2. evaluate a classifier: precision, recall, F1, ROC and precision-recall curves, calibration;
    3. read a confusion matrix and pick a threshold from business costs, not from 0.5;
    4. analyse errors by segment, find the worst ones and the patterns behind them;
    5. compare a model with the noise floor, the best any model can do;
    6. check a model slice by slice for unequal treatment, with a test on the gap itself;
    7. explain a model: which features it relies on, how the price moves with them, and why one
       listing got its price;
    8. write a model card from the evaluation.

    **You need** Module 3 (the time-ordered split, the tuned xgboost configuration, validation
    versus test, the retransformation bias of a model of log price). Every number on this page
    is computed when the notebook runs.
    """)
    return


@app.cell(hide_code=True)
def _(mo, modeling):
    mo.md(rf"""
    ## 1. The models under evaluation

    Two models, on Module 3's split (`modeling.course_split`): trained on the listings up to the
    test period and evaluated on the test set, the latest 20% of the ungraded marketplace listings.

    - the **price model**: xgboost with the tuned configuration
      `modeling.TUNED_XGBOOST_PARAMS`, trained on the training and validation periods together
      (as Module 3's final model), predicting the price in dollars;
    - the **review classifier**: the business wants an expert to look at every listing
      likely to sell above **\${modeling.HIGH_VALUE_USD:.0f}** (to check authenticity and condition before the
      marketplace vouches for it). An xgboost classifier predicts the probability that a
      listing is one of them. The classifier needs a decision threshold, and a decision
      must not be made on the test set (Module 3, "Pause and think" question 3): so it
      trains on the training period and keeps the validation period as its **validation
      set**. Thresholds and corrections are chosen there; the test set only reports the
      result, once.

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
    Loading (or, the first time, training) both models and the era x rarity rule took
    {fit_seconds:.1f} s. The test set holds **{len(test):,} listings**, listed from
    {test['listing_date'].min():%d %b %Y} to {test['listing_date'].max():%d %b %Y}
    ({len(price.train):,} earlier ones trained the price model), of which **{labels.mean():.1%}**
    sold above \${modeling.HIGH_VALUE_USD:.0f}. The classifier trained on {len(review.train):,}
    listings; its validation set holds {len(review.validation):,} ({valid_labels.mean():.1%} high-value).

    Module 3's section 9 scored its own search's pick on this same test set, beside this model:
    same training rows, same test rows, so the difference between the two numbers is the
    settings alone.
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
def _(evaluation, modeling, np, pd, price, rule_predictions, test):
    _constant = np.full(len(test), float(np.median(price.train["price_usd"])))
    metric_table = pd.DataFrame({
        "tuned xgboost": evaluation.regression_metrics(test["price_usd"], price.test_predictions),
        "era x rarity rule": evaluation.regression_metrics(test["price_usd"], rule_predictions),
        "constant (median)": evaluation.regression_metrics(test["price_usd"], _constant),
    })
    model_metrics = metric_table["tuned xgboost"]
    # valuing inventory in bulk: a smearing factor (mean of price / prediction), estimated two ways
    _factors = {
        # on the rows the model trained on: too small, it fits them closely
        "training rows": modeling.smearing_factor(price.train["price_usd"], price.train_predictions),
        # on the validation period, predicted by the same settings trained without it
        "validation": modeling.smearing_factor(price.validation["price_usd"], price.validation_predictions),
    }
    bulk = {"test_sum_ratio": evaluation.sum_ratio(test["price_usd"], price.test_predictions),
            "factors": _factors,
            "corrected": {k: evaluation.sum_ratio(test["price_usd"], f * price.test_predictions)
                          for k, f in _factors.items()}}
    return bulk, metric_table, model_metrics


@app.cell(hide_code=True)
def _(metric_table):
    metric_table.round(3)
    return


@app.cell(hide_code=True)
def _(bulk, mo, model_metrics, verdicts):
    mo.vstack([
        mo.md(rf"""
    The tuned model misses by **\${model_metrics['mae']:.2f}** on a typical listing (MAE) and
    **\${model_metrics['rmse']:.2f}** in RMSE; it is within \$5 on **{model_metrics['within_5_usd']:.0%}**
    of listings and within 20% of the price on {model_metrics['within_20pct']:.0%}. The bias row
    is {verdicts.signed_usd(model_metrics['bias'])} per listing: a model trained on log prices predicts
    something close to the *median* price of a listing like this one (Module 3's retransformation
    bias), and with prices skewed to the right the mean is higher; the test period also lies after
    everything the model saw, in a market that moves.

    **Valuing an inventory in bulk.** {verdicts.bulk_valuation(bulk['test_sum_ratio'], bulk['factors'],
                                                               bulk['corrected'])} The
    validation factor also carries one period of market movement, as the test set does: the model
    trained on the training period predicted the period after it. Notice how RMSE is
    {model_metrics['rmse'] / model_metrics['mae']:.1f}x the MAE: a minority of large misses dominate
    it. Section 5 finds them.
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
    for review or not). Threshold-free metrics judge the ranking. **ROC AUC** is the chance a
    random high-value listing scores above a random other one: it compares the two groups'
    scores and does not change with how many of each there are. That is exactly its weakness
    when positives are rare: a small false-positive *rate* can still be many false alarms per
    valuable card caught, and ROC AUC never shows the count. **Precision** (of flagged listings,
    the share that are high-value) does, and so does **average precision** (the area under the
    precision-recall curve), which falls as positives get rarer. At a threshold: precision,
    **recall** (of high-value listings, the share flagged) and **F1** (their harmonic mean).
    **Accuracy** is there to show why it misleads.
    """)
    return


@app.cell
def _(evaluation, labels, np, scores):
    metrics_at_half = evaluation.classification_metrics(labels, scores, threshold=0.5)
    counts_at_half = evaluation.confusion_counts(labels, scores, threshold=0.5)
    roc_points, pr_points = evaluation.curve_points(labels, scores)
    calibration = evaluation.calibration_table(labels, scores, n_bins=10)
    # the same classifier on a balanced sample (every positive, as many negatives drawn at random)
    _rng = np.random.default_rng(0)
    _positives, _negatives = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    _balanced = np.r_[_positives, _rng.choice(_negatives, size=len(_positives), replace=False)]
    balanced_metrics = evaluation.classification_metrics(labels[_balanced], scores[_balanced], threshold=0.5)
    return (
        balanced_metrics,
        calibration,
        counts_at_half,
        metrics_at_half,
        pr_points,
        roc_points,
    )


@app.cell(hide_code=True)
def _(balanced_metrics, counts_at_half, metrics_at_half, mo):
    _m, _c = metrics_at_half, counts_at_half
    _fpr = _c["fp"] / max(_c["fp"] + _c["tn"], 1)
    _same = ("unchanged by the balance, up to sampling noise"
             if abs(balanced_metrics["roc_auc"] - _m["roc_auc"]) < 0.01 else
             "a difference of sampling noise on this many listings, not of balance (the ranking is the same)")
    mo.md(f"""
    At the default threshold of 0.5: accuracy **{_m['accuracy']:.1%}**, precision
    **{_m['precision']:.1%}**, recall **{_m['recall']:.1%}**, F1 {_m['f1']:.3f}; ROC AUC
    **{_m['roc_auc']:.3f}**, average precision **{_m['average_precision']:.3f}**.

    Compare the accuracy with a model that never flags anything: it would be right on every
    listing that is not high-value, **{1 - _m['prevalence']:.1%}** accuracy, while missing
    every single valuable card. With an imbalanced target, accuracy mostly measures the
    imbalance.

    Now the two areas. The false-positive rate at 0.5 is only {_fpr:.1%}, yet that is
    {_c['fp']:,} ordinary listings flagged beside {_c['tp']:,} valuable ones caught: a rate taken
    over the {_c['fp'] + _c['tn']:,} ordinary listings looks small because there are so many of them.
    On a balanced sample of the same test set (every high-value listing and as many others, drawn
    at random), ROC AUC is {balanced_metrics['roc_auc']:.3f}, against {_m['roc_auc']:.3f}: {_same}. Average precision goes from {_m['average_precision']:.3f} to
    {balanced_metrics['average_precision']:.3f}, and precision at 0.5 from {_m['precision']:.1%} to
    {balanced_metrics['precision']:.1%}: they see how rare positives are. With rare positives, report
    precision (or the precision-recall curve) beside ROC AUC.
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
def _(alt, calibration, pd):
    _diag = alt.Chart(pd.DataFrame({"x": [0, 1], "y": [0, 1]})).mark_line(color="gray", strokeDash=[4, 4]).encode(
        x="x:Q", y="y:Q")
    _points = alt.Chart(calibration).mark_line(point=True).encode(
        x=alt.X("predicted:Q", title="mean predicted probability", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("observed:Q", title="observed share high-value", scale=alt.Scale(domain=[0, 1])),
        tooltip=["bin", "listings", alt.Tooltip("predicted:Q", format=".3f"), alt.Tooltip("observed:Q", format=".3f")])
    (_diag + _points).properties(width=300, height=260, title="Calibration (gray: perfectly calibrated)")
    return


@app.cell(hide_code=True)
def _(calibration, metrics_at_half, mo):
    _worst = calibration.assign(gap=(calibration["predicted"] - calibration["observed"]).abs()).sort_values("gap").iloc[-1]
    mo.md(f"""
    **Calibration** asks whether "70%" means 70%. Group listings by predicted probability and
    compare with how often they really were high-value. The largest gap is in the
    {_worst['bin']} bin ({_worst['listings']:,} listings): predicted {_worst['predicted']:.1%},
    observed {_worst['observed']:.1%}. The Brier score (mean squared error of the
    probabilities) is {metrics_at_half['brier']:.4f}. Calibration matters as soon as someone
    reads the probability itself (to set a cost-based threshold, to show a user "80% likely"):
    section 4 relies on it.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 4. Confusion matrix and a threshold from business costs

    The review team's economics: every expert review costs money, whether the listing turns
    out to be valuable or ordinary (reviewing a real chase card takes as long as reviewing a
    bulk one), and a valuable listing that slips through unreviewed (a **missed valuable
    card**, a false negative) costs more: a fake or misgraded card sold under the marketplace's
    name, refunds, reputation. Set the two costs; the notebook charges a review for **every
    flagged listing** and a loss for every missed one (`evaluation.cost_curve(...,
    charge_every_review=True)`), finds the threshold with the lowest total cost on the
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
    cost_review = mo.ui.number(start=1, stop=1000, step=1, value=5, label=r"Cost of one expert review (\$)")
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
                                                        cost_review.value, charge_every_review=True)
    cost_grid = evaluation.cost_curve(valid_labels, valid_scores, cost_missed.value, cost_review.value,
                                      thresholds=np.round(np.arange(0.01, 1.0, 0.01), 2), charge_every_review=True)
    _f1 = cost_grid.assign(f1=2 * cost_grid["tp"] / (2 * cost_grid["tp"] + cost_grid["fp"] + cost_grid["fn"]))
    f1_threshold = float(_f1.loc[_f1["f1"].idxmax(), "threshold"])
    break_even = {"full": evaluation.break_even_threshold(cost_missed.value, cost_review.value,
                                                          charge_every_review=True),
                  "simple": evaluation.break_even_threshold(cost_missed.value, cost_review.value)}
    # the shortcut that charges only unnecessary reviews, searched the same way, for comparison
    simple_t, _ = evaluation.best_threshold(valid_labels, valid_scores, cost_missed.value, cost_review.value)

    # ...then each chosen threshold reported once on the test set, with every review charged.
    def _test_cost(threshold):
        return float(evaluation.cost_curve(labels, scores, cost_missed.value, cost_review.value,
                                           thresholds=[threshold], charge_every_review=True)["cost"].iloc[0])

    best_cost, cost_at_half, cost_at_f1, cost_at_simple = (_test_cost(best_t), _test_cost(0.5),
                                                          _test_cost(f1_threshold), _test_cost(simple_t))
    return (
        best_cost,
        best_t,
        break_even,
        cost_at_f1,
        cost_at_half,
        cost_at_simple,
        cost_grid,
        f1_threshold,
        simple_t,
        valid_best_cost,
    )


@app.cell
def _(alt, best_t, cost_grid, pd):
    _line = alt.Chart(cost_grid).mark_line().encode(
        x=alt.X("threshold:Q", title="flag a listing when its probability is at least"),
        y=alt.Y("cost:Q", title="total cost on the validation set ($)"),
        tooltip=["threshold", "tp", "fp", "fn", alt.Tooltip("cost:Q", format=",.0f")])
    _best = alt.Chart(pd.DataFrame({"t": [best_t]})).mark_rule(color="#e45756").encode(x="t:Q")
    (_line + _best).properties(height=240, title="Total cost by threshold, validation set (red: the cheapest)")
    return


@app.cell(hide_code=True)
def _(
    best_cost,
    best_t,
    break_even,
    cost_at_f1,
    cost_at_half,
    cost_at_simple,
    cost_missed,
    cost_review,
    evaluation,
    f1_threshold,
    labels,
    mo,
    scores,
    simple_t,
    valid_best_cost,
    valid_labels,
    verdicts,
):
    _c = evaluation.confusion_counts(labels, scores, best_t)
    _m = evaluation.classification_metrics(labels, scores, best_t)
    _matrix = mo.md(rf"""
    | test set, at threshold {best_t:.3f} | flagged for review (\${cost_review.value:,.0f} each) | not flagged |
    |---|---|---|
    | **high-value** | {_c['tp']:,} caught | {_c['fn']:,} missed (\${cost_missed.value:,.0f} each) |
    | **ordinary** | {_c['fp']:,} unnecessary reviews | {_c['tn']:,} left alone |
    """)
    mo.vstack([
        _matrix,
        mo.md(rf"""
    With a missed card at \${cost_missed.value:,.0f} and a review at \${cost_review.value:,.0f}, the
    cheapest threshold on the {len(valid_labels):,} validation listings is **{best_t:.3f}** (total cost
    \${valid_best_cost:,.0f} there). Applied once to the {len(labels):,} test listings, it costs
    **\${best_cost:,.0f}**, against \${cost_at_half:,.0f} at the default 0.5 and \${cost_at_f1:,.0f}
    at the threshold that maximises F1 on validation ({f1_threshold:.2f}). At {best_t:.3f} the team reviews
    {_m['flagged_share']:.1%} of test listings, with precision {_m['precision']:.1%} and recall
    {_m['recall']:.1%}. The test figures are the ones to report: nothing was chosen on them.

    {verdicts.break_even(cost_missed.value, cost_review.value, break_even['full'], break_even['simple'],
                         best_t, simple_t, best_cost, cost_at_simple)} Change the costs and watch the
    thresholds move.
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
        color=alt.Color("bias:Q", scale=alt.Scale(scheme="redblue", domainMid=0), title="bias ($)"),
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


@app.cell(hide_code=True)
def _(by_era, mo, residuals, worst):
    _top_era = by_era["share_of_squared_error"].idxmax()
    _worst_share = (worst["abs_error"] ** 2).sum() / (residuals["error"] ** 2).sum()
    mo.vstack([
        mo.md(rf"""
    **By era**, the model is worst on `{by_era.index[0]}` listings (RMSE \${by_era['rmse'].iloc[0]:.2f} on
    {by_era['listings'].iloc[0]:,} listings, mean price \${by_era['mean_price'].iloc[0]:.2f}); `{_top_era}`
    carries the largest share of all squared error ({by_era.loc[_top_era, 'share_of_squared_error']:.0%}, with
    {by_era.loc[_top_era, 'listings']:,} listings, {by_era.loc[_top_era, 'listings'] / len(residuals):.0%} of all).
    Dollar errors grow with prices, so expensive segments dominate RMSE: look at MAE and bias too.

    **The ten worst errors** (together {_worst_share:.1%} of all squared error on their own):
    """),
        worst[["listing_id", "listing_date", "card_name", "set_name", "era", "rarity", "condition", "language",
               "price_usd", "predicted", "error"]].round({"price_usd": 2, "predicted": 2, "error": 2}),
    ])
    return


@app.cell(hide_code=True)
def _(era_lift, evaluation, mo, rarity_lift, verdicts):
    mo.vstack([
        mo.md(f"""
    **What the worst 200 have in common.** Compare each segment's share among the 200 largest
    errors with its share of all test listings (the *lift*; `evaluation.segment_lift`).
    {verdicts.lift(era_lift, "listings", evaluation.credible_lift(era_lift))};
    {verdicts.lift(rarity_lift, "cards", evaluation.credible_lift(rarity_lift))}.

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
def _(evaluation, floor, floor_by_era, mo, verdicts):
    mo.vstack([
        mo.md(verdicts.floor_by_era(floor, floor_by_era, evaluation.NEAR_FLOOR_RATIO)),
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
    {evaluation.MIN_SLICE_COUNT} of them is shown but not compared (`enough_data`).

    Two traps when comparing groups (`evaluation.compare_groups` avoids both). **Overlapping
    intervals are not a test**: two groups' 95% intervals can overlap while the interval of
    their *difference* excludes zero, so the test is on the difference. And **the extremes of
    many slices differ by chance**: with k groups, "lowest against highest" is the largest of
    k(k-1)/2 pairwise gaps, so the verdict is corrected for that many comparisons (Bonferroni on
    the headline gap; Holm for every pair, in the fine print).
    """)
    return


@app.cell
def _(mo):
    slice_picker = mo.ui.dropdown(options=["language", "era", "condition"], value="language", label="Slice by")
    slice_picker
    return (slice_picker,)


@app.cell
def _(best_t, evaluation, labels, scores, slice_picker, test):
    slices = evaluation.slice_table(test, labels, scores, best_t, slice_picker.value)
    slice_comparison = evaluation.compare_groups(slices, slice_picker.value)
    recall_parity = evaluation.disparity(slices, "recall", min_listings=evaluation.MIN_SLICE_COUNT, count="positives")
    return recall_parity, slice_comparison, slices


@app.cell(hide_code=True)
def _(
    best_t,
    evaluation,
    mo,
    recall_parity,
    slice_comparison,
    slice_picker,
    slices,
    ui,
):
    _excluded = (f" Too small to compare (under {evaluation.MIN_SLICE_COUNT} high-value listings): "
                 f"{', '.join(slice_comparison['excluded'])}." if slice_comparison["excluded"] else "")
    _pairs = slice_comparison.get("pairs")
    mo.vstack([
        mo.md(f"""
    By **{slice_picker.value}**, at threshold {best_t:.3f}, on the test set.
    {evaluation.group_gap_sentence(slice_comparison, "Recall", slice_picker.value, unit="high-value listings")}
    {_excluded} The lowest recall divided by the highest, among groups with enough data, is
    {recall_parity:.2f} (1 would be parity).
    """),
        slices.round(3),
        ui.fine_print(mo.vstack([
            mo.md(f"""
    Every pair of groups with enough data, with its p-value (Agresti-Caffo difference of two
    proportions) and its Holm-adjusted p-value, which keeps the chance of *any* false claim among
    the {len(_pairs) if _pairs is not None else 0} pairs at 5%. A pair is a gap beyond noise when `holm_p`
    is below 0.05.
    """),
            _pairs.round(4) if _pairs is not None else mo.md("Fewer than two groups to compare."),
        ])),
    ])
    return


@app.cell
def _(
    best_t,
    evaluation,
    labels,
    modeling,
    np,
    pd,
    price,
    residuals,
    scores,
    test,
):
    language_slices = evaluation.slice_table(test, labels, scores, best_t, "language")
    language_comparison = evaluation.compare_groups(language_slices, "language")
    # the price model's bias per language, with its 95% interval; compared like recall, over groups
    # with at least MIN_SLICE_COUNT test listings (Welch on the per-listing errors)
    language_bias = evaluation.errors_by_segment(residuals, "language").set_index("language")
    bias_comparison = evaluation.compare_groups(language_bias.reset_index(), "language", metric="bias",
                                                count="listings")
    # the training data behind the smallest language that has enough data to compare, against English
    _by_language = language_slices.set_index("language")
    _small = _by_language[_by_language["enough_data"]].sort_values("positives").index[0]
    _train = pd.DataFrame({"language": price.train["language"].to_numpy(),
                           "high": modeling.is_high_value(price.train)})
    _base = (_train[_train["language"].isin([_small, "English"])].groupby("language")
             .agg(listings=("high", "size"), share=("high", "mean")).reset_index())
    _base[["share_low", "share_high"]] = np.column_stack(evaluation.proportion_interval(
        (_base["share"] * _base["listings"]).round(), _base["listings"]))
    fairness_facts = {
        "small": _small, "small_positives": int(_by_language.loc[_small, "positives"]),
        "small_listings": int(_by_language.loc[_small, "listings"]),
        "base_rates": _base.set_index("language"),
        "base_rate_comparison": evaluation.compare_groups(_base, "language", metric="share", count="listings",
                                                          kind="proportion"),
    }
    return bias_comparison, fairness_facts, language_bias, language_comparison


@app.cell(hide_code=True)
def _(
    bias_comparison,
    evaluation,
    fairness_facts,
    language_bias,
    language_comparison,
    mo,
    modeling,
    verdicts,
):
    _f = fairness_facts
    _recall = evaluation.group_gap_sentence(language_comparison, "Recall", "language", unit="high-value test listings")
    _bias = evaluation.group_gap_sentence(bias_comparison, "The price model's bias (prediction minus price)",
                                          "language", value_format=evaluation.signed_dollars, unit="test listings")
    _rates = _f["base_rates"]
    _world = evaluation.group_gap_sentence(
        _f["base_rate_comparison"], f"In training, the share of listings sold above ${modeling.HIGH_VALUE_USD:.0f}",
        "language", value_format="{:.1%}", unit="training listings", where="the training data", monitor=False)
    _train_small, _train_english = int(_rates.loc[_f["small"], "listings"]), int(_rates.loc["English", "listings"])
    mo.vstack([
        mo.md(f"""
    **By language.** {_recall}

    The same check for the price model's suggestions. {verdicts.escape(_bias)} The table below has every
    language, with its count and the 95% interval of its bias (`bias_low`, `bias_high`).

    Where can a gap come from, when there is one? Three places to look:

    - **the world**: base rates can differ between groups. {verdicts.escape(_world)} (The course's
      generator does price non-English cards below English ones, all else equal: a difference the
      prices really carry, which a price model should learn.)
    - **the data**: the model saw {_train_small:,} `{_f['small']}` listings in training against
      {_train_english:,} English ones; estimates for small groups are noisier and pulled
      towards the majority;
    - **the decision**: one threshold for every group turns small differences in scores
      into larger differences in recall.

    Small test groups are noisy too: `{_f['small']}` has {_f['small_positives']:,} high-value test listings
    (of {_f['small_listings']:,}), so one card caught or missed moves its recall by
    {100 / max(_f['small_positives'], 1):.1f} percentage points. The remedies are choices with trade-offs (more data for small
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
    ## 8. Why the model says what it says

    A model that prices a card at \$40 will be asked why. Three tools, from the whole model down
    to one listing, all computed on data the model did not train on (the validation period,
    predicted by the same settings trained on the training period alone, `price.validation_model`):

    - **permutation importance** (`sklearn.inspection.permutation_importance`): shuffle one
      feature's values across listings and measure how much worse the model gets. A large
      increase means the model relies on that feature;
    - **partial dependence** (`sklearn.inspection.partial_dependence`): set one feature to each
      value of a grid for every listing and average the predictions: how the price moves with it,
      all else as it is;
    - **per-prediction contributions**: xgboost splits each prediction, exactly, into one
      contribution per feature (SHAP values, `Booster.predict(..., pred_contribs=True)`; no extra
      library). On the log scale they add up; in dollars they multiply.

    The course wraps them in `mlcourse.interpret`, on the model's features
    (`features.feature_frame`), the columns the trees split on.
    """)
    return


@app.cell
def _(cache, interpret, price):
    IMPORTANCE_REPEATS, IMPORTANCE_ROWS = 3, 1_000  # shuffles per feature, validation listings shuffled
    importance = cache.cached_call("module4-permutation-importance", interpret.permutation_importance_table,
                                   price.validation_model, price.validation, n_repeats=IMPORTANCE_REPEATS,
                                   sample=IMPORTANCE_ROWS)
    return IMPORTANCE_REPEATS, IMPORTANCE_ROWS, importance


@app.cell
def _(IMPORTANCE_REPEATS, alt, importance):
    _bars = alt.Chart(importance).mark_bar().encode(
        x=alt.X("importance:Q", title="increase in validation RMSE when shuffled, dollars"),
        y=alt.Y("feature:N", sort="-x", title=None),
        tooltip=["feature", alt.Tooltip("importance:Q", format=".2f"), alt.Tooltip("importance_sd:Q", format=".2f"),
                 alt.Tooltip("share:Q", format=".1%")])
    _errors = alt.Chart(importance).mark_errorbar().encode(
        x=alt.X("low:Q"), x2="high:Q", y=alt.Y("feature:N", sort="-x")).transform_calculate(
        low="datum.importance - datum.importance_sd", high="datum.importance + datum.importance_sd")
    (_bars + _errors).properties(height=380, title=f"Permutation importance on the validation period (bars: mean of {IMPORTANCE_REPEATS} shuffles)")
    return


@app.cell
def _(interpret, modeling, price):
    _numeric = ["days_since_release", "card_number", "base_stat_total", "attack", "hp"]
    correlations = {f: interpret.correlation_with(price.validation, f) for f in _numeric}
    # the validation model trained on the training period; its importances are measured on the period after it
    listing_span = {"train_last": modeling.course_split().train["listing_date"].max(),
                    "validation_first": price.validation["listing_date"].min()}
    return correlations, listing_span


@app.cell(hide_code=True)
def _(
    IMPORTANCE_REPEATS,
    IMPORTANCE_ROWS,
    correlations,
    importance,
    listing_span,
    mo,
    ui,
):
    _imp = importance.set_index("feature")["importance"]
    _top = importance.iloc[0]
    _partner = correlations["days_since_release"].index[0]
    _rho = correlations["days_since_release"].iloc[0]
    _why = " (newer sets run to higher card numbers)" if _partner == "card_number" else ""
    _listing_day = float(_imp.get("listing_day", 0.0))
    _day_words = (f"`listing_day` (the date as a number) scores {_listing_day:.2f}: every validation listing "
                  f"(from {listing_span['validation_first']:%d %b %Y}) lies after the last training day "
                  f"({listing_span['train_last']:%d %b %Y}), and a tree prices every date past its data like that "
                  "last day, so shuffling dates among validation listings changes nothing. A feature can matter "
                  "in training and be dead where the model is used." if abs(_listing_day) < 0.05 * _top["importance"]
                  else f"`listing_day` (the date as a number) scores {_listing_day:.2f}.")
    mo.vstack([
        mo.md(f"""
    Shuffling **`{_top['feature']}`** costs the most: validation RMSE rises by \\${_top['importance']:.2f}
    ({_top['share']:.0%} of the summed importances). Then `{importance['feature'].iloc[1]}`
    (\\${importance['importance'].iloc[1]:.2f}) and `{importance['feature'].iloc[2]}`
    (\\${importance['importance'].iloc[2]:.2f}). {_day_words}
    """),
        ui.fine_print(mo.md(f"""
    **Correlated features share or swap their importance.** `days_since_release` and
    `{_partner}` have a rank correlation of {_rho:.2f} on these listings{_why}, and `era` says much of
    what the release date says (it is the period the set was released in). Shuffle one and the model
    still has the other, so each looks less important than the information they carry together;
    retrain without one and the other takes its place. Read importances of correlated features as
    a group, or permute them together.

    **Importance is not causation.** A feature the model relies on is a pattern in past sales,
    not a lever: a card's number does not make it valuable, it tells the model when and in which
    set it was printed. To know what *moves* prices, you need an experiment or a causal argument,
    not a model's importances.

    **Shuffles are noisy**: the bars are means over {IMPORTANCE_REPEATS} shuffles of {IMPORTANCE_ROWS:,} validation listings, with
    their standard deviation as error bars; features whose bars overlap are not ranked with any
    confidence.
    """), title="How to read importances"),
    ])
    return


@app.cell
def _(importance, mo):
    _choices = [f for f in importance["feature"] if f in ("days_since_release", "rarity", "condition", "era",
                                                          "finish", "card_number", "language", "base_stat_total")]
    pd_feature = mo.ui.dropdown(options=_choices, value=_choices[0], label="Partial dependence of the price on")
    pd_feature
    return (pd_feature,)


@app.cell
def _(cache, interpret, pd_feature, price):
    dependence = cache.cached_call("module4-partial-dependence", interpret.partial_dependence_table,
                                   price.validation_model, price.validation, pd_feature.value)
    return (dependence,)


@app.cell
def _(alt, dependence, pd_feature):
    _feature = pd_feature.value
    if "listings" in dependence.columns:  # a category: one bar per value, sorted by price
        _chart = alt.Chart(dependence).mark_bar().encode(
            x=alt.X("average_price:Q", title="average predicted price, dollars"),
            y=alt.Y(f"{_feature}:N", sort="-x", title=None),
            tooltip=[_feature, alt.Tooltip("average_price:Q", format=".2f"), "listings"])
    else:
        _chart = alt.Chart(dependence).mark_line(point=True).encode(
            x=alt.X(f"{_feature}:Q"), y=alt.Y("average_price:Q", title="average predicted price, dollars"),
            tooltip=[alt.Tooltip(f"{_feature}:Q", format=",.0f"), alt.Tooltip("average_price:Q", format=".2f")])
    _chart.properties(height=260, width=460,
                      title=f"Partial dependence on {_feature} (every validation listing set to each value)")
    return


@app.cell(hide_code=True)
def _(dependence, mo, pd_feature):
    _low, _high = dependence.loc[dependence["average_price"].idxmin()], dependence.loc[dependence["average_price"].idxmax()]
    _f = pd_feature.value
    mo.md(f"""
    Set every validation listing's `{_f}` to `{_low[_f] if isinstance(_low[_f], str) else f'{_low[_f]:,.0f}'}` and the
    average predicted price is \\${_low['average_price']:.2f}; set it to
    `{_high[_f] if isinstance(_high[_f], str) else f'{_high[_f]:,.0f}'}` and it is \\${_high['average_price']:.2f}.
    Partial dependence averages over the other features *as they are*, so it also visits combinations
    that never occur (a Base Set card "released yesterday"): trust it where the data is (for a category,
    the `listings` column of the table says how many validation listings have that value), and read
    a flat curve as "the model does not use this, given the others", not "this does not matter".
    """)
    return


@app.cell
def _(mo, np, price):
    # three listings to explain: the validation listings at the median, the 90th and the 99th percentile of price
    _order = np.argsort(price.validation_predictions, kind="stable")
    _picks = [int(_order[int(q * (len(_order) - 1))]) for q in (0.5, 0.9, 0.99)]
    explain_choices = {}
    for _i in _picks:
        _row = price.validation.iloc[_i]
        explain_choices[f"{_row['card_name']} ({_row['set_name']}, {_row['rarity']}, {_row['condition']})"] = _i
    explain_picker = mo.ui.dropdown(options=explain_choices, value=next(iter(explain_choices)),
                                    label="Explain the price of")
    explain_picker
    return (explain_picker,)


@app.cell
def _(explain_picker, interpret, price):
    explained = interpret.explain_listing(price.validation_model, price.validation.iloc[[explain_picker.value]])
    explained_listing = price.validation.iloc[explain_picker.value]
    return explained, explained_listing


@app.cell
def _(alt, explained, np):
    _bars = explained.assign(label=explained["feature"] + " = " + explained["value"].astype(str),
                             direction=np.where(explained["contribution"] >= 0, "raises", "lowers"))
    alt.Chart(_bars).mark_bar().encode(
        x=alt.X("contribution:Q", title="contribution to log price (0: no effect)"),
        y=alt.Y("label:N", sort=None, title=None),
        color=alt.Color("direction:N", scale=alt.Scale(domain=["raises", "lowers"], range=["#4c78a8", "#e45756"]),
                        title=None),
        tooltip=["feature", "value", alt.Tooltip("contribution:Q", format="+.3f"),
                 alt.Tooltip("factor:Q", format=".2f", title="multiplies the price by")],
    ).properties(height=240, width=460, title="Why this listing got its price (largest effects first)")
    return


@app.cell(hide_code=True)
def _(explained, explained_listing, mo, np):
    _b, _p = explained.attrs["baseline_price"], explained.attrs["predicted_price"]
    _top = explained.iloc[0]
    _product = float(np.prod(explained["factor"]))
    mo.md(f"""
    The model starts every listing at \\${_b:.2f} (its average prediction, on the log scale) and
    multiplies: for this {explained_listing['card_name']}, `{_top['feature']} = {_top['value']}`
    multiplies the price by **{_top['factor']:.2f}**, and so on down the chart; the product of all the
    factors, {_product:.2f}, takes \\${_b:.2f} to the predicted \\${_p:.2f} (it sold for
    \\${explained_listing['price_usd']:.2f}). This is what a seller disputing a price can be shown. The
    same caveats hold for one listing as for the whole model: correlated features split their effect
    between them in ways that depend on the trees, and a large contribution says what drove *this
    prediction*, not what would change the card's value.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 9. The model card

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
    importance,
    model_metrics,
    modeling,
    price,
    residuals,
    test,
    tracking,
):
    _train = price.train
    # cards never seen in training (a grouped comparison): how much worse, in dollars and as a share of the price
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
    _factor = bulk["factors"]["validation"]
    card_markdown = evaluation.model_card_markdown(
        name="card price model (tuned xgboost)",
        description=("Predicts the sale price in US dollars of an ungraded marketplace listing of a Pokemon card, "
                     "from the card and listing attributes known before the sale (`mlcourse.features`). "
                     "xgboost regression on log price, `modeling.TUNED_XGBOOST_PARAMS` (the course's reference "
                     "configuration, chosen without a latency budget)."),
        intended_use=("Suggest a price to sellers listing ungraded single cards on the marketplace. A human (the "
                      "seller) stays in charge of the final price. Valuing inventory in bulk needs a correction: "
                      f"summed over the test set, the predictions come to {bulk['test_sum_ratio']:.1%} of the sale "
                      f"prices (mean bias {evaluation.signed_dollars(model_metrics['bias'])} per listing), because a "
                      "model of log price predicts a median-like price and the market moves; multiplied by the "
                      f"smearing factor estimated on the validation period ({_factor:.3f}), they come to "
                      f"{bulk['corrected']['validation']:.1%}."),
        out_of_scope=("graded slabs, bulk lots and auctions (other channels, other price dynamics); cards from "
                      "sets released after the training data; any automatic pricing without a human check; "
                      "bulk valuation without the correction above."),
        training={"listings": f"{len(_train):,} (every ungraded marketplace listing before the test period)",
                  "listing dates": f"{_train['listing_date'].min():%Y-%m-%d} to {_train['listing_date'].max():%Y-%m-%d}",
                  "data hash": tracking.data_version(_train)["data_hash"],
                  "target": "price_usd (learned on the log scale)"},
        test_metrics=model_metrics.to_dict(), n_test=len(test),
        floor_rmse=floor["floor_rmse"], baseline_rmse=floor["baseline_rmse"],
        segments=by_era.reset_index(), segment_column="era",
        limitations=[
            f"Errors grow with the price: RMSE is ${by_era['rmse'].iloc[0]:.2f} on `{by_era.index[0]}` listings "
            f"({by_era['listings'].iloc[0]:,} in the test set).",
            f"Under-prices on average by ${-model_metrics['bias']:.2f} (it predicts a typical, median-like price)."
            if model_metrics["bias"] < 0 else
            f"Over-prices on average by ${model_metrics['bias']:.2f}.",
            f"Largest excess over the noise floor in `{floor_by_era['era'].iloc[0]}`: the place to improve.",
            _new_cards,
            "Trained on one market period; a tree model prices every date after its data like the last day, so "
            "retrain and monitor (Module 6).",
            f"Relies most on `{importance['feature'].iloc[0]}` and `{importance['feature'].iloc[1]}` (permutation "
            "importance on the validation period); correlated features share their importance.",
        ],
        ethical=[
            evaluation.group_gap_sentence(bias_comparison, "The price model's bias (prediction minus price)",
                                          "language", value_format=evaluation.signed_dollars, unit="test listings"),
            "Price suggestions anchor sellers: systematic under-pricing of a segment transfers value from its sellers.",
        ],
        version={"model": "xgboost " + tracking.environment_versions().get("xgboost", "?"),
                 "parameters": str(modeling.TUNED_XGBOOST_PARAMS), "code version": tracking.code_version()},
    )
    card_path = evaluation.write_model_card(card_markdown, "model_card_price_model.md")
    missing_sections = evaluation.missing_card_sections(card_markdown)
    return card_markdown, card_path, missing_sections


@app.cell(hide_code=True)
def _(card_markdown, card_path, missing_sections, mo, verdicts):
    mo.vstack([
        mo.md(f"""
    Written to `{card_path}` ({len(card_markdown.splitlines())} lines). Required sections missing:
    {", ".join(missing_sections) if missing_sections else "none"}. The card as a reader sees it:
    """),
        mo.accordion({"Model card": mo.md(verdicts.escape(card_markdown))}),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 10. Pause and think

    Try to answer each question before you open the discussion.
    """)
    return


@app.cell(hide_code=True)
def _(metrics_at_half, mo, ui):
    _p = metrics_at_half["prevalence"]
    ui.pause_and_think("Your model is 95% accurate on spam detection. Is that good?", mo.md(f"""
    It depends on how much of the mail is spam, and on what the errors cost. If 95% of the
    mail is ham, a filter that lets everything through is 95% accurate and useless; if 50%
    is spam, 95% may be excellent. Always compare with the majority-class baseline (here,
    never flagging a listing scores {1 - _p:.1%}), then look at precision (how much real mail
    lands in the spam folder: very costly) and recall (how much spam reaches the inbox:
    annoying), at the threshold you will use. For rare classes, report the precision-recall
    curve, not accuracy; and not ROC AUC alone, which does not see how rare the class is.
    """), number=1)
    return


@app.cell(hide_code=True)
def _(ui):
    ui.pause_and_think(
        "Would you rather have high precision or high recall for: (a) cancer detection, (b) spam filtering, "
        "(c) credit card fraud? Why?", r"""
    **(a) Cancer screening: recall.** A missed cancer is catastrophic; a false positive
    costs a follow-up test. Screening runs at high recall, and a second, more precise test
    confirms. **(b) Spam: precision.** Losing a real email (a job offer) in the spam folder
    costs far more than seeing one more spam. **(c) Fraud: usually recall with a precision
    floor.** Missed fraud costs money; false alarms cost customer friction (a blocked card
    at a till), so the threshold trades the two in money, exactly as section 4 did. In every
    case the answer comes from the cost of each error, which is a business input, not a
    modelling one.
    """, number=2)
    return


@app.cell(hide_code=True)
def _(evaluation, mo, price, ui):
    _train_rmse = evaluation.rmse(price.train["price_usd"], price.train_predictions)
    _test_rmse = evaluation.rmse(price.test["price_usd"], price.test_predictions)
    ui.pause_and_think(
        "Your model has perfect training accuracy but mediocre test accuracy. List 5 possible causes.", mo.md(rf"""
    1. **Overfitting**: the model memorised the training rows (too deep, too many rounds,
       too little regularisation). Our price model: \${_train_rmse:.2f} RMSE on training data,
       \${_test_rmse:.2f} on test: a gap, partly memorising, partly the next point.
    2. **Distribution shift** between training and test (another period, other sets, new
       cards: our test set is the latest period, as Module 3's time-based and grouped folds warned).
    3. **Leakage in training features** that is absent at test time (a column derived from
       the target, or computed after the sale).
    4. **Duplicates or near-duplicates** in training that the model learns by heart (the
       same card listed many times) while the test set holds new entities.
    5. **Label noise**: the model fits noise in training labels; on test data, the noise
       floor caps what is achievable (section 6).

    Also check the boring ones: a preprocessing step fitted differently on the test data,
    or the wrong test file.
    """), number=3)
    return


@app.cell(hide_code=True)
def _(calibration, mo, ui):
    _near = calibration.iloc[(calibration["predicted"] - 0.8).abs().argsort()[:1]].iloc[0]
    _direction = ("under-confident there (reality is higher)" if _near["observed"] > _near["predicted"] + 0.03 else
                  "over-confident there (reality is lower)" if _near["observed"] < _near["predicted"] - 0.03 else
                  "well calibrated there")
    ui.pause_and_think('How do you explain "the model is 80% confident" to a non-technical user?', mo.md(f"""
    With frequencies, not with "confidence": "of listings like this one, about 8 in 10 turned
    out to be high-value; this one may be one of the other 2". That sentence is only true
    if the model is calibrated, so check first: among test listings our classifier scored
    around {_near['predicted']:.0%} (the {_near['bin']} bin), {_near['observed']:.0%} really were: the
    model is {_direction}. If it is off, recalibrate before quoting numbers to users. Add
    what the user should do with it ("we recommend a review") and what the number does not
    say (it is not the chance that the price estimate is right, and it is less reliable for
    card types the model rarely saw).
    """), number=4)
    return


@app.cell(hide_code=True)
def _(ui):
    ui.pause_and_think("Your model is unfair to a demographic group. List 3 ways this could have happened.", r"""
    1. **Representation**: the group is rare in the training data, so the model's estimates
       for it are noisier and pulled towards the majority (our small-language slices).
    2. **Historical bias in the labels**: the target records past decisions or past
       prices that already treated the group worse; the model learns to repeat them.
    3. **Proxies and thresholds**: a feature correlates with group membership (postcode for
       ethnicity; language for seller country), or one global threshold on a score whose
       distribution differs by group gives very different error rates per group.

    Also: measurement differences (worse data quality for the group), an evaluation that
    never looked at the group, and a deployment context the group did not share. The first
    defence is the one in section 7: measure per group, always, and test the gap itself.
    """, number=5)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Key takeaways

    - **Every metric is an opinion about which errors matter.** RMSE punishes large misses,
      MAE counts every dollar alike, MAPE and log-scale errors judge ratios. Pick the one
      that matches the cost of being wrong, and report a plain one ("within \$5") for users.
      A sum of predictions from a model of log price needs a smearing factor, estimated on
      data the model did not train on.
    - **Accuracy misleads on imbalanced data, and ROC AUC hides the false alarms.** Compare with
      the majority baseline; report precision and the precision-recall curve beside ROC AUC.
    - **Thresholds come from costs**, not from 0.5 or from F1, and they are chosen on
      validation data, then reported once on the test set. With calibrated probabilities and a
      review charged for every flagged listing, the break-even threshold is the cost of a review
      over the cost of a miss.
    - **Error analysis finds where to work**: segments, the worst errors, and over-representation
      (lift), not raw counts.
    - **Know your floor.** The gap between model and noise floor, by segment, says where
      effort can still pay.
    - **Check slices** for every decision, with the count beside every rate, and test the gap
      itself: an interval on the difference, corrected for the number of groups compared.
      Unequal error rates are a product decision to make explicitly, not an accident to
      discover later.
    - **Explain the model** with importances on held-out data, partial dependence and
      per-prediction contributions, and say what they cannot tell: correlated features share
      credit, and none of it is causation.
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
