import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Module 0: ML in business")


@app.cell
def _():
    import inspect

    import altair as alt
    import marimo as mo
    import numpy as np
    import pandas as pd

    from mlcourse import business

    return alt, business, inspect, mo, np, pd


@app.cell(hide_code=True)
def _(business, mo):
    mo.md(f"""
    # Module 0: Machine learning in business

    **Time:** about 1.5 hours, plus an hour for the exercises.

    **Why this module matters.** Most ML projects that fail do not fail on the algorithm.
    They solve a problem nobody had, promise a number nobody can reach, or never learn what
    the model is worth in money. The engineer who asks "would a rule do?", "what does this
    accuracy mean here?" and "what is it worth?" before writing a line of model code is the
    one whose projects ship.

    **You will learn to**

    1. decide between a rule, a heuristic and a model with a {len(business.RULES_CHECKLIST)}-question
       checklist, and test the decision on data;
    2. explain what an accuracy figure means when the thing you look for is rare;
    3. turn a model metric into money with a cost-benefit calculation, and find the
       assumption that matters most;
    4. plan an ML project in phases, name the risks early, and recognise the common ways
       ML projects fail.

    **You need** nothing from earlier modules: this is where the course starts. Every number
    on this page is computed from the course dataset (Pokemon card sale listings, generated
    on your machine on first use) when the notebook runs.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 1. Rules, heuristics or machine learning?

    Three ways to make a decision in software:

    - a **rule** is logic someone writes down: *if the card is graded, sell it at auction*.
      Exact, explainable, cheap to run, and brittle when the world changes;
    - a **heuristic** is a rule of thumb built from simple statistics: *price a card at the
      median price of cards of the same era and rarity*. Often good enough, easy to explain;
    - a **model** learns the decision from examples. It can weigh hundreds of inputs and
      their interactions, and it costs data, people, infrastructure and monitoring, for as
      long as it runs.

    Start from the cheapest tool that solves the problem, and move up only when you can show
    what the cheaper one misses. A decision framework:
    """)
    return


@app.cell
def _(mo):
    mo.mermaid("""
    flowchart TD
        A[A decision to automate] --> B{Can an expert write it down<br/>as a few stable rules?}
        B -- yes --> C{Must every answer be exact<br/>and explainable?}
        C -- yes --> R[Rules. Test them like code.]
        C -- no --> D{Does the rule miss cases<br/>that cost real money?}
        B -- no --> E{Is there labelled history,<br/>or can you collect it?}
        E -- no --> H[Heuristic now; collect labels<br/>for later]
        E -- yes --> F{Is the value bigger than<br/>the cost of running a model?}
        D -- no --> R
        D -- yes --> F
        F -- no --> H2[Heuristic. Revisit when<br/>volume grows.]
        F -- yes --> M[Machine learning, with the<br/>rule kept as the fallback]
    """)
    return


@app.cell
def _(business, mo):
    _questions = "\n".join(f"{i}. {q}" for i, q in enumerate(business.RULES_CHECKLIST, start=1))
    mo.md(f"""
    ### 1.1 Will simple rules work? A {len(business.RULES_CHECKLIST)}-question checklist

    {_questions}

    Each "yes" is a point for rules. `business.rules_or_ml` turns the answers into a
    recommendation: mostly "yes" means rules, mostly "no" means a model, and in between
    the honest answer is to ship the rule first and measure what it misses. Here it is
    applied to a few classic problems:
    """)
    return


@app.cell
def _(business):
    business.checklist_table()
    return


@app.cell
def _(business, mo):
    checklist_boxes = mo.ui.array(
        [mo.ui.checkbox(value=v, label=q) for q, v in zip(
            business.RULES_CHECKLIST, business.WORKED_EXAMPLES["Pricing a trading card"]["answers"], strict=True)],
        label="Your problem (preset to card pricing): tick every question you answer 'yes'",
    )
    checklist_boxes
    return (checklist_boxes,)


@app.cell
def _(business, checklist_boxes, mo):
    _recommendation = business.rules_or_ml(checklist_boxes.value)
    mo.callout(mo.md(f"**{sum(checklist_boxes.value)} of {len(business.RULES_CHECKLIST)} answers favour "
                     f"rules. Recommendation: {_recommendation}.**"),
               kind="info")
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ### 1.2 Test the decision on data: a price rule against a model

    The checklist is an opinion; data settles it. The task: suggest a price for a card
    listing. Today's method is a **price guide**, a heuristic: the median price of past
    listings in the same group. The alternative is a **model** (gradient-boosted trees on
    the listing's attributes, the kind of model Module 3 trains). Both learn from the same
    past listings and price the same later ones, as they would in use: the listings are
    split in time, never at random (Module 2 explains why).

    One metric throughout this module: the **mean error in dollars**, the average of
    |suggested price - sale price| over the listings priced. It is the unit a stakeholder
    thinks in, and the one the business case of section 3 converts into money. Pick how
    fine the price guide's groups are:
    """)
    return


@app.cell
def _(business, mo):
    rule_picker = mo.ui.dropdown(options=list(business.RULE_GROUPINGS), value=business.DEFAULT_RULE,
                                 label="Price guide groups listings by")
    rule_picker
    return (rule_picker,)


@app.cell
def _(business, pd, rule_picker):
    comparison = business.rule_vs_model(rule_picker.value)
    train_listings, _ = business.comparison_split()
    price_rule = business.GroupMedianRule.fit(train_listings, business.RULE_GROUPINGS[rule_picker.value])
    overall_errors = pd.DataFrame([
        {"method": f"price guide ({rule_picker.value})", **business.price_errors(comparison["price_usd"], comparison["rule_price"])},
        {"method": "model", **business.price_errors(comparison["price_usd"], comparison["model_price"])},
    ])
    segments = business.segment_table(comparison)
    comparison_dates = business.comparison_split()[1]["listing_date"]
    return (
        comparison,
        comparison_dates,
        overall_errors,
        price_rule,
        segments,
        train_listings,
    )


@app.cell
def _(
    business,
    comparison,
    comparison_dates,
    mo,
    overall_errors,
    price_rule,
    train_listings,
):
    _rule, _model = overall_errors.iloc[0], overall_errors.iloc[1]
    mo.vstack([
        mo.md(f"""
    Both learnt from the {len(train_listings):,} earliest listings of a sample (listed up to
    {train_listings['listing_date'].max():%d %B %Y}) and priced the {len(comparison):,} latest
    (listed from {comparison_dates.min():%d %B %Y} to {comparison_dates.max():%d %B %Y}).
    The price guide is a table of {price_rule.n_groups:,} group medians. Over all these
    later listings, from bulk cards worth cents to graded slabs worth hundreds, the guide is off by **\\${_rule['mae_usd']:,.2f}** per listing on average (half of
    its prices are more than {_rule['median_pct_error']:.0%} off), the model by
    **\\${_model['mae_usd']:,.2f}** ({_model['median_pct_error']:.0%}). The model puts
    {_model['share_within_tolerance']:.0%} of its prices within {business.DEFAULT_TOLERANCE:.0%} of the
    sale price, the guide {_rule['share_within_tolerance']:.0%}.
    """),
        overall_errors.rename(columns={"mae_usd": "mean error ($)", "median_pct_error": "median error (%)",
                                       "share_within_tolerance": f"share within {business.DEFAULT_TOLERANCE:.0%}"}).round(3),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    An average hides the answer that matters. Listings go through three **channels**, chosen
    by the seller before the sale: cards they think cheap go into bulk lots, mid-priced ones
    to the marketplace, valuable and graded ones to auction. Compare the two methods channel
    by channel, in dollars:
    """)
    return


@app.cell
def _(alt, pd, segments):
    _long = pd.concat([
        segments[["channel"]].assign(method="price guide", error=segments["rule error ($)"]),
        segments[["channel"]].assign(method="model", error=segments["model error ($)"]),
    ])
    alt.Chart(_long).mark_point(filled=True, size=140).encode(
        x=alt.X("error:Q", title="mean pricing error per listing ($, log scale)", scale=alt.Scale(type="log")),
        y=alt.Y("channel:N", title=None),
        color=alt.Color("method:N", title=None),
        shape=alt.Shape("method:N", title=None),
        tooltip=["channel", "method", alt.Tooltip("error:Q", format="$,.2f")],
    ).properties(height=120, width=420, title="Pricing error by sales channel")
    return


@app.cell
def _(mo):
    good_enough_usd = mo.ui.slider(0.25, 20.0, step=0.25, value=1.0, show_value=True,
                                   label="An error per listing we can live with ($)")
    good_enough_usd
    return (good_enough_usd,)


@app.cell
def _(good_enough_usd, mo, rule_picker, segments):
    _limit = good_enough_usd.value
    _table = segments.assign(verdict=lambda d: d["rule error ($)"].le(_limit).map(
        {True: "the price guide is good enough", False: "the model is worth a look"}))
    _ok = segments[segments["rule error ($)"].le(_limit)]
    _not_ok = segments[segments["rule error ($)"].gt(_limit)]
    _cheap = segments.loc[segments["rule error ($)"].idxmin()]
    _dear = segments.loc[segments["saved per listing ($)"].idxmax()]

    def _names(rows):
        return " and ".join(f"**{c}**" for c in rows["channel"])

    if _ok.empty:
        _verdict = (f"By that standard the guide is not good enough in any channel: even in **{_cheap['channel']}**, "
                    f"its best, it is off by \\${_cheap['rule error ($)']:,.2f} per listing.")
    elif _not_ok.empty:
        _verdict = "By that standard the guide is good enough in every channel: nothing here asks for a model."
    else:
        _verdict = (f"By that standard the guide is good enough in {_names(_ok)}, and the model is worth a look "
                    f"in {_names(_not_ok)}.")
    _relative = _cheap["rule error ($)"] / _cheap["median price"]
    mo.vstack([
        _table.round(3),
        mo.md(f"""
    Read it in dollars, and next to the price of what is sold. With the guide grouped by
    *{rule_picker.value}*, its smallest error is in **{_cheap['channel']}**: \\${_cheap['rule error ($)']:,.2f}
    per listing, on cards whose median price is \\${_cheap['median price']:,.2f}
    ({_relative:.1f} times that price); the model would save \\${_cheap['saved per listing ($)']:,.2f}
    there. At **{_dear['channel']}** (median \\${_dear['median price']:,.2f}) the model saves
    \\${_dear['saved per listing ($)']:,.2f} on every listing. You said you can live with an
    error of \\${_limit:,.2f} per listing. {_verdict} Same data, same model: the answer
    depends on the segment, on the guide you compare with (try the other groupings) and on
    the error you accept. With the volume in each channel, section 3 turns these dollars
    into a business case.
    """),
    ])
    return


@app.cell
def _(business):
    imbalanced = business.imbalanced_targets()
    return (imbalanced,)


@app.cell
def _(imbalanced, mo):
    _not_legendary = imbalanced["accuracy of always saying no"].iloc[0]
    mo.vstack([
        mo.md(f"""
    ## 2. Setting stakeholder expectations

    ### 2.1 What an accuracy figure really means

    "The model is 85% accurate" sounds good. Whether it is depends on how rare the thing
    you look for is: {_not_legendary:.1%} of listings are *not* legendary Pokemon, so a
    program that always answers "not legendary" is {_not_legendary:.1%} accurate, and
    useless. Two real yes/no questions from the course data, and the accuracy of that
    do-nothing program:
    """),
        imbalanced.round(4),
    ])
    return


@app.cell
def _(mo):
    claimed_accuracy = mo.ui.slider(0.5, 0.99, step=0.01, value=0.85, show_value=True,
                                    label="A model's claimed accuracy")
    claimed_accuracy
    return (claimed_accuracy,)


@app.cell
def _(business, claimed_accuracy, imbalanced, mo, pd):
    _rows = []
    for _, _t in imbalanced.iterrows():
        _ctx = business.accuracy_in_context(claimed_accuracy.value, _t["share of yes"])
        _rows.append({"target": _t["target"], "always-no accuracy": _ctx["baseline_accuracy"],
                      "claimed accuracy": claimed_accuracy.value, "points above doing nothing": _ctx["lift_points"],
                      "share of do-nothing errors removed": _ctx["error_reduction"],
                      "better than doing nothing?": "yes" if _ctx["beats_baseline"] else "NO"})
    _legend = business.accuracy_in_context(claimed_accuracy.value, imbalanced["share of yes"].iloc[0])
    mo.vstack([
        pd.DataFrame(_rows).round(3),
        mo.md(f"""
    At {claimed_accuracy.value:.0%}, a legendary-card detector is
    **{"better" if _legend["beats_baseline"] else "worse"} than doing nothing**
    ({imbalanced["accuracy of always saying no"].iloc[0]:.1%}). Always ask for the baseline
    next to the number, and for the metrics that count the rare class: of the cards we
    flagged, how many were right (**precision**)? Of the cards we should have flagged, how
    many did we find (**recall**)?
    """),
    ])
    return


@app.cell
def _(business, np):
    high_value = business.high_value_predictions()
    threshold_grid = np.round(np.arange(0.05, 0.951, 0.05), 2)
    threshold_sweep = business.threshold_sweep(high_value["actual"], high_value["probability"], threshold_grid)
    return high_value, threshold_grid, threshold_sweep


@app.cell(hide_code=True)
def _(mo, threshold_sweep):
    _range = {m: (threshold_sweep[m].min(), threshold_sweep[m].max()) for m in ("accuracy", "recall", "flagged_share")}
    mo.md(f"""
    Here is a real model: a logistic regression that flags marketplace listings likely to
    sell above \\$20, so an expert can check their price. It learnt from earlier listings
    and is scored on the latest ones. Move the threshold (flag when the model's probability
    is above it) and watch all three numbers move: over the slider's range, accuracy runs
    from {_range['accuracy'][0]:.1%} to {_range['accuracy'][1]:.1%}, recall from
    {_range['recall'][0]:.1%} to {_range['recall'][1]:.1%}, and the expert's workload from
    {_range['flagged_share'][0]:.1%} to {_range['flagged_share'][1]:.1%} of listings. The
    threshold that maximises accuracy is rarely the one the business needs.
    """)
    return


@app.cell
def _(mo, threshold_grid):
    flag_threshold = mo.ui.slider(steps=[float(t) for t in threshold_grid], value=0.5, show_value=True,
                                  label="Flag a listing when the probability is above")
    flag_threshold
    return (flag_threshold,)


@app.cell
def _(alt, business, flag_threshold, high_value, mo, threshold_sweep):
    _summary = business.classification_summary(high_value["actual"], high_value["probability"] > flag_threshold.value)
    _baseline = business.majority_baseline_accuracy(high_value["actual"])
    _default = business.classification_summary(high_value["actual"], high_value["probability"] > 0.5)
    _best = threshold_sweep.loc[threshold_sweep["accuracy"].idxmax()]
    _long = threshold_sweep.melt(id_vars="threshold", value_vars=["accuracy", "precision", "recall", "flagged_share"],
                                 var_name="measure", value_name="value")
    _chart = (alt.Chart(_long).mark_line(point=True).encode(
        x=alt.X("threshold:Q"), y=alt.Y("value:Q", axis=alt.Axis(format="%"), title=None),
        color=alt.Color("measure:N", title=None),
        tooltip=["measure", "threshold", alt.Tooltip("value:Q", format=".1%")],
    ) + alt.Chart(_long.head(1).assign(now=flag_threshold.value)).mark_rule(strokeDash=[4, 4]).encode(x="now:Q")
    ).properties(width=420, height=200, title="Every number moves with the threshold (dashed: the slider)")
    mo.vstack([
        mo.hstack([
            mo.stat(f"{_summary['accuracy']:.1%}", label="accuracy", caption=f"doing nothing: {_baseline:.1%}"),
            mo.stat(f"{_summary['precision']:.1%}", label="precision", caption="flags that were right"),
            mo.stat(f"{_summary['recall']:.1%}", label="recall", caption="high-value cards found"),
            mo.stat(f"{_summary['flagged_share']:.1%}", label="listings flagged", caption="the expert's workload"),
        ]),
        _chart,
        mo.md(f"""
    On {len(high_value):,} held-out listings, at the usual threshold of 0.5 the model is
    {_default['accuracy']:.1%} accurate, against {_baseline:.1%} for doing nothing, and finds
    {_default['recall']:.0%} of the high-value cards. Accuracy peaks at
    {_best['accuracy']:.1%} (threshold {_best['threshold']:.2f}), where it finds
    {_best['recall']:.0%} of them. Whether either is good depends on what a missed card
    costs and what the expert's hour costs: that is the conversation to have with the
    stakeholder, not "85%".
    """),
    ])
    return


@app.cell
def _(alt, business, mo):
    _plan = business.timeline()
    _chart = alt.Chart(_plan).mark_bar().encode(
        x=alt.X("start week:Q", title="week"), x2="end week:Q",
        y=alt.Y("phase:N", sort=None, title=None),
        tooltip=["phase", "weeks", "what"],
    ).properties(height=130, width=480, title="A first ML project, phase by phase")
    mo.vstack([
        mo.md(f"""
    ### 2.2 A phased timeline

    A first version of a model that people use takes about {int(_plan['weeks'].sum())} weeks
    when the data exists, and the data phase is the one that slips. Promise phases with an
    exit decision at each, not a date for a final accuracy:
    """),
        _chart,
        _plan[["phase", "weeks", "what"]],
    ])
    return


@app.cell
def _(business, comparison, mo, rule_picker):
    _marketplace = comparison[comparison["channel"].eq("marketplace")]
    _floor = business.noise_floor_mae(_marketplace)
    _model_mae = business.price_errors(_marketplace["price_usd"], _marketplace["model_price"])["mae_usd"]
    _rule_mae = business.price_errors(_marketplace["price_usd"], _marketplace["rule_price"])["mae_usd"]
    mo.md(f"""
    ### 2.3 Managing uncertainty

    Nobody knows how good a model can be before looking at the data, and saying so is a
    strength. Commit to the next milestone ("after two weeks of exploration we will know
    whether prices can be predicted within 25% for most cards"), give ranges, and show
    the **ceiling**. Prices have noise no model can remove: the same card in the same
    condition sells for different prices on the same day. Because this course generated
    its data, it knows that ceiling exactly. On the {len(_marketplace):,} marketplace listings
    of section 1.2, in the same metric (mean error per listing, in dollars):

    | pricing method | mean error per listing (\\$) |
    |---|---|
    | price guide ({rule_picker.value}) | {_rule_mae:,.2f} |
    | model | {_model_mae:,.2f} |
    | a perfect model (knows the generating formula) | {_floor:,.2f} |

    The model has closed {(_rule_mae - _model_mae) / (_rule_mae - _floor):.0%} of the gap
    between the guide and perfection. On real data you never see the last row: estimate it
    from repeat sales of the same item, or from how much two experts disagree.

    ### 2.4 Red flags to raise early

    - **No baseline**: nobody can say how the decision is made today, or how well.
    - **No labels**, or labels that arrive months late (fraud confirmed after chargebacks).
    - **The target is a proxy** nobody has checked ("listing views" standing in for "sales").
    - **A fixed accuracy promised before the data was seen.**
    - **No owner for the model after launch**: who retrains it, who is paged when it drifts?
    - **The output has no user**: a prediction that does not change a decision is worth nothing.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 3. Defining success metrics

    A **technical metric** says how well the model predicts (mean error in dollars, recall); a
    **business metric** says whether the business is better off (revenue, hours saved,
    refunds). Stakeholders decide on the second; you optimise the first; your job is the
    bridge between them.

    | business goal | business metric | technical metric that drives it |
    |---|---|---|
    | sellers trust the suggested price | share of suggestions accepted unchanged | share of predictions within 25% of the sale price |
    | stop leaving money on the table | dollars lost to underpricing per month | mean absolute error in dollars, on the listings that sell |
    | experts spend time where it matters | expert hours per 1,000 listings | recall of high-value cards at a fixed review budget |
    | a fast listing flow | listing time, abandonment | prediction latency at the 95th percentile ("p95": 95% of requests are faster) |

    ### 3.1 From a model metric to money: a cost-benefit calculator

    The business case of the card price model, line by line (`business.roi`):
    """)
    return


@app.cell(hide_code=True)
def _(business, inspect, mo):
    mo.md(f"""
    ```python
    {inspect.getsource(business.roi)}
    ```
    """)
    return


@app.cell
def _(business, mo, rule_picker, segments):
    _default = business.ROIInputs()
    _saving = float(segments.set_index("channel").loc["marketplace", "saved per listing ($)"])
    roi_widgets = mo.ui.dictionary({
        "listings_per_month": mo.ui.number(start=0, stop=1_000_000, step=500, value=_default.listings_per_month,
                                           label="Listings priced per month"),
        "share_automated": mo.ui.slider(0.0, 1.0, step=0.05, value=_default.share_automated, show_value=True,
                                        label="Share priced without an expert"),
        "minutes_saved_per_listing": mo.ui.number(start=0, stop=60, step=0.5, value=_default.minutes_saved_per_listing,
                                                  label="Expert minutes saved per listing"),
        "hourly_cost_usd": mo.ui.number(start=0, stop=500, step=5, value=_default.hourly_cost_usd,
                                        label="Cost of an expert hour ($)"),
        "error_reduction_usd": mo.ui.number(start=0, stop=500, step=0.01, value=round(_saving, 2),
                                            label=f"Error saved per listing ($): marketplace, against the guide "
                                                  f"by {rule_picker.value} (section 1.2)"),
        "share_of_error_lost": mo.ui.slider(0.0, 1.0, step=0.05, value=_default.share_of_error_lost, show_value=True,
                                            label="Share of a pricing error that is lost money"),
        "build_cost_usd": mo.ui.number(start=1_000, stop=5_000_000, step=1_000, value=_default.build_cost_usd,
                                       label="Build cost, one-off ($)"),
        "running_cost_per_month_usd": mo.ui.number(start=0, stop=500_000, step=100,
                                                   value=_default.running_cost_per_month_usd,
                                                   label="Running cost per month ($)"),
        "horizon_months": mo.ui.slider(1, 36, step=1, value=_default.horizon_months, show_value=True,
                                       label="Horizon (months)"),
    })
    roi_widgets
    return (roi_widgets,)


@app.cell
def _(business, mo, roi_widgets):
    try:
        roi_inputs = business.ROIInputs(**roi_widgets.value).validated()
        roi_result = business.roi(roi_inputs)
        roi_problem = None
    except (TypeError, ValueError) as _exc:
        roi_inputs, roi_result, roi_problem = None, None, str(_exc)
    mo.callout(mo.md(f"**Check the inputs:** {roi_problem}"), kind="warn") if roi_problem else None
    return roi_inputs, roi_result


@app.cell
def _(mo, roi_inputs, roi_result, rule_picker, segments):
    mo.stop(roi_result is None)  # the inputs are invalid: the cell above says which one
    _payback = (f"{roi_result.payback_months:.1f} months" if roi_result.payback_months != float("inf")
                else "never")
    _measured = float(segments.set_index("channel").loc["marketplace", "saved per listing ($)"])
    mo.vstack([
        mo.hstack([
            mo.stat(f"${roi_result.monthly_labour_savings_usd:,.0f}", label="expert time saved / month"),
            mo.stat(f"${roi_result.monthly_pricing_gain_usd:,.0f}", label="better prices / month"),
            mo.stat(f"${roi_result.monthly_net_benefit_usd:,.0f}", label="net benefit / month",
                    caption="after running costs"),
            mo.stat(_payback, label="payback"),
            mo.stat(f"{roi_result.roi:.0%}", label=f"ROI over {roi_inputs.horizon_months} months",
                    caption=f"${roi_result.horizon_net_value_usd:,.0f} net"),
        ]),
        mo.md(f"""
    The model metric enters through one line: the **error saved per listing**
    (\\${roi_inputs.error_reduction_usd:,.2f} here), times the listings the model prices (the
    automated share) and the share of an error that turns into lost money, gives
    **\\${roi_result.monthly_pricing_gain_usd:,.0f} a month**. The business case is for the
    marketplace channel, so the input starts at the saving measured there in section 1.2:
    \\${_measured:,.2f} per listing against the price guide grouped by *{rule_picker.value}*.
    Change the grouping up there and this input follows it: what a model is worth depends on
    what it replaces. Improve the model's error by a dollar and this line grows by
    \\${roi_inputs.listings_per_month * roi_inputs.share_automated * roi_inputs.share_of_error_lost:,.0f}
    a month: that is the exchange rate between your metric and the business's.
    """),
    ])
    return


@app.cell
def _(alt, business, mo, roi_inputs, roi_result):
    mo.stop(roi_result is None)
    _curve = business.cumulative_value(roi_inputs, months=max(24, roi_inputs.horizon_months))
    _line = alt.Chart(_curve).mark_line(point=True).encode(
        x=alt.X("month:Q"), y=alt.Y("cumulative net value ($):Q", title="cumulative net value ($)"),
        tooltip=["month", alt.Tooltip("cumulative net value ($):Q", format="$,.0f")],
    )
    _zero = alt.Chart(_curve.head(1).assign(zero=0)).mark_rule(strokeDash=[4, 4]).encode(y=alt.Y("zero:Q", title=None))
    _change = 0.2
    _tornado = business.sensitivity(roi_inputs, change=_change)
    _bars = alt.Chart(_tornado.melt(id_vars=["input", "swing"], value_vars=["low", "high"],
                                    var_name="input moved", value_name="change")).mark_bar().encode(
        x=alt.X("change:Q", title=f"change in {roi_inputs.horizon_months}-month net value ($)"),
        y=alt.Y("input:N", sort=list(_tornado["input"]), title=None),
        color=alt.Color("input moved:N", title=f"input moved {_change:.0%}"),
        tooltip=["input", "input moved", alt.Tooltip("change:Q", format="$,.0f")],
    )
    mo.vstack([
        mo.hstack([(_line + _zero).properties(width=320, height=220, title="Cumulative net value"),
                   _bars.properties(width=320, height=220, title="Which assumption matters most?")]),
        mo.md(f"""
    This is a **tornado chart**: each bar moves one input by {_change:.0%} down and up, all the
    others fixed, and shows how far the {roi_inputs.horizon_months}-month value moves; the longest
    bars are at the top, which gives the chart its shape. Here **{_tornado['input'].iloc[0]}**
    matters most, **{_tornado['input'].iloc[-1]}** least. Spend your validation effort on the
    top bars: a pilot that measures them is worth more than a better model.
    """),
    ])
    return


@app.cell
def _(mo):
    error_tolerance = mo.ui.slider(0.05, 0.5, step=0.05, value=0.25, show_value=True,
                                   label="A price counts as right when within (fraction of the sale price)")
    error_tolerance
    return (error_tolerance,)


@app.cell
def _(alt, business, comparison, error_tolerance, mo, pd):
    _market = comparison[comparison["channel"].eq("marketplace")]
    _curve = pd.DataFrame([
        {"tolerance": _t / 100, "method": _name,
         "share of prices right": business.share_within_tolerance(_market["price_usd"], _market[_col], _t / 100)}
        for _t in range(5, 55, 5) for _name, _col in (("price guide", "rule_price"), ("model", "model_price"))
    ])
    _model_ok = business.share_within_tolerance(_market["price_usd"], _market["model_price"], error_tolerance.value)
    _rule_ok = business.share_within_tolerance(_market["price_usd"], _market["rule_price"], error_tolerance.value)
    mo.vstack([
        mo.md(f"""
    ### 3.2 Acceptable error rates

    "How wrong may a price be?" is a business decision, and it must be made before the model
    is judged. If a price within {error_tolerance.value:.0%} of the sale price counts as right,
    the model is right on {_model_ok:.0%} of marketplace listings and the price guide on
    {_rule_ok:.0%}; the other {1 - _model_ok:.0%} need a fallback (an expert, or a
    price range instead of a price). Agree on the tolerance and the share with the
    stakeholders, then measure against it.
    """),
        alt.Chart(_curve).mark_line(point=True).encode(
            x=alt.X("tolerance:Q", axis=alt.Axis(format="%"), title="tolerance"),
            y=alt.Y("share of prices right:Q", axis=alt.Axis(format="%")),
            color="method:N",
            tooltip=["method", alt.Tooltip("tolerance:Q", format="%"), alt.Tooltip("share of prices right:Q", format=".1%")],
        ).properties(width=420, height=200, title="Share of marketplace prices within a tolerance"),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ### 3.3 North-star metrics

    A north-star metric is the one number a team steers by, close to the value the user
    gets, and hard to game. "The model's mean error" is not one; "share of listings sold within 14 days
    at the suggested price" could be, because it rises only if prices are right *and*
    sellers trust them. Examples elsewhere: a streaming service's hours watched per member,
    a marketplace's completed transactions, a fraud team's dollars lost to fraud per dollar
    processed. Write the north star and its guard rails (metrics that must not get worse,
    such as refunds or complaints) into the project proposal, before the first model.

    ## 4. ML in companies

    **Team shapes.**

    | stage | typical shape | what goes wrong |
    |---|---|---|
    | first model | one or two generalists next to a product team | everything is a notebook; nobody owns production |
    | a few models in production | a small ML team with a data engineer and an ML engineer | each model has its own pipeline; monitoring is ad hoc |
    | many models | a platform team (features, training, serving) and embedded ML engineers in product teams | the platform is built before anyone needs it |

    **The project lifecycle** is a loop, not a line: monitoring feeds the next iteration.
    """)
    return


@app.cell
def _(mo):
    mo.mermaid("""
    flowchart LR
        P[Problem framing<br/>and success metric] --> D[Data: access,<br/>contracts, cleaning]
        D --> E[Exploration and<br/>features]
        E --> T[Training and<br/>honest evaluation]
        T --> G{Better than the<br/>baseline, worth it?}
        G -- no --> P
        G -- yes --> S[Deployment as a<br/>service, with fallback]
        S --> M[Monitoring: inputs,<br/>outputs, business metric]
        M -- drift or new need --> D
        M -- the goal moved --> P
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    **Common failure modes**, roughly in the order they bite:

    1. **The wrong problem**: a model nobody asked for, or an output that changes no decision.
    2. **Bad or missing data**: labels that do not exist, leak the answer, or arrive too late.
    3. **No baseline**: a model "at 85%" with nothing to compare it to (section 2.1).
    4. **Offline success, online failure**: an evaluation that leaked (Module 2) or a
       world that moved (Module 6).
    5. **No adoption**: users do not trust or understand the output; nobody changed the process.
    6. **No owner**: the model decays silently because monitoring and retraining were never staffed.

    **Communication that works**: a one-page proposal before building (exercise 0.2);
    results in the stakeholder's unit (dollars, hours), with the baseline and a range; bad
    news early, with an option attached; a demo on real cases, including the failures.

    ## 5. Case studies

    **A success: recommendations at a streaming company.** Netflix's recommender is
    the canonical example of ML tied to a business metric. The company has described
    (Gomez-Uribe and Hunt, *The Netflix Recommender System*, ACM TMIS 2015) how most of
    what members watch is found through recommendations, and how it judges algorithms by
    their effect on retention in A/B tests (members are split at random between the old and the
    new algorithm, and the difference in behaviour is measured), not by offline accuracy. The same company ran
    the Netflix Prize, whose winning ensemble improved the offline metric but was, by the
    company's own account, not worth the engineering effort to put into production. Both
    halves are the lesson: the north star was retention, and offline accuracy was only a
    means.

    **A failure of expectations: a famous healthcare AI programme.** IBM promised that
    Watson would recommend cancer treatments, and two separate projects show how far the
    promise ran ahead of the data. *Watson for Oncology*, IBM's product built with Memorial
    Sloan Kettering Cancer Center, was sold to hospitals around the world; internal IBM
    documents reported by the press in 2018 described recommendations that doctors found
    often unhelpful and sometimes unsafe, in part because the system was trained on a small
    number of synthetic cases written by Memorial Sloan Kettering's specialists rather than
    on real patients' outcomes. Meanwhile MD Anderson Cancer Center built its own
    Watson-based system, the *Oncology Expert Advisor*: after four years and about \$62
    million it had not treated a patient, the work stopped in 2016, and a University of
    Texas System audit found that its procurement and contracts had bypassed the
    institution's own rules. IBM sold the Watson Health business in 2022. The technology
    was not the only problem: the promises ran years ahead of the data, the evaluation, the
    clinical workflow and the project's governance.

    **A pricing model that moved money: iBuying.** Zillow Offers used a home-price model
    to buy houses directly, at scale. In 2021 the company shut the business down, saying it
    could not forecast prices accurately enough in a fast-moving market to buy and resell
    at a profit. A pricing model that *suggests* a price and one that *commits capital* on
    it need very different error tolerances: the asymmetry of the loss, and how the market
    shifts under the model, decide the business case.

    **Lessons.**

    - Tie the model to a business metric and test it online; offline accuracy is a proxy.
    - Promise what the data can support, in phases, with evidence at each step.
    - The cost of an error depends on what the prediction is used for; size it before building.
    - Keep a fallback (the rule, the expert) and a way to switch to it.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 6. Pause and think

    Try to answer each question before you open the discussion.
    """)
    return


@app.cell
def _(good_enough_usd, mo, rule_picker, segments):
    _cheap = segments.loc[segments["rule error ($)"].idxmin()]
    _good_enough = _cheap["rule error ($)"] <= good_enough_usd.value
    _judgement = ("within" if _good_enough else "above") + \
        f" the \\${good_enough_usd.value:,.2f} per listing you said you can live with"
    mo.vstack([
        mo.md("**1. When should you NOT use ML and use a simple rule instead?**"),
        mo.accordion({"Discussion": mo.md(f"""
    When the rule is exact by definition (taxes, fees, eligibility), when an expert can
    write it down and it stays true, when there is no labelled history, and, the case people
    forget, **when the rule is good enough for the money at stake**. Section 1.2 measured it:
    in the {_cheap['channel']} channel the price guide (by *{rule_picker.value}*) is off by
    \\${_cheap['rule error ($)']:.2f} per listing, {_judgement}, and a model would save
    \\${_cheap['saved per listing ($)']:.2f}. {"There, the rule is the better deal." if _good_enough else
    "So even there, by your own standard, this guide is not good enough: try a finer grouping before a model."}
    A model also brings costs that a rule does not: pipelines, retraining, monitoring,
    explanations. Keep the rule as the baseline and the fallback even when the model wins.
    """)}),
    ])
    return


@app.cell
def _(mo, roi_inputs, roi_result):
    mo.stop(roi_result is None)
    mo.vstack([
        mo.md("**2. How do you calculate ROI for an ML project?**"),
        mo.accordion({"Discussion": mo.md(f"""
    List the money flows against today's method, not against nothing: time saved (volume x
    share automated x minutes x hourly cost), better decisions (volume x share automated x the
    error the model removes, in dollars x the share of an error that is lost), minus running costs
    (hosting, monitoring, retraining, on-call), and the one-off build cost. With the
    calculator's current inputs: \\${roi_result.monthly_net_benefit_usd:,.0f} net a month,
    payback in {roi_result.payback_months:.1f} months, {roi_result.roi:.0%} over
    {roi_inputs.horizon_months} months. Then do what the tornado chart of section 3.1 does (one
    bar per input, its length how far the result moves when that input moves): find the
    assumption that moves the answer most, and validate it before building. Common
    mistakes: forgetting running costs, counting gross savings as profit, and comparing
    with doing nothing instead of with the current process.
    """)}),
    ])
    return


@app.cell
def _(mo):
    mo.vstack([
        mo.md("**3. What is the difference between a model metric and a business metric?**"),
        mo.accordion({"Discussion": mo.md(r"""
    A model metric measures predictions against labels (mean error in dollars, recall); a
    business metric measures the outcome the company cares about (dollars lost to
    mispricing, expert hours, sales within 14 days). The model metric is what you can
    optimise quickly and offline; the business metric is what decides whether the project
    was worth it. Link them explicitly (section 3.1: every dollar of error per listing is
    worth volume x automated share x loss share a month), check the link in an online test, and watch for the
    cases where they diverge: a lower mean error driven by a few expensive cards may not move the
    sell-through rate (the share of listings that sell) at all.
    """)}),
    ])
    return


@app.cell
def _(mo):
    mo.vstack([
        mo.md("**4. How do you set realistic expectations with stakeholders?**"),
        mo.accordion({"Discussion": mo.md(r"""
    Show the baseline before promising anything, and talk in their units (dollars, hours).
    Plan in phases with a decision at the end of each (section 2.2), commit to the next
    milestone rather than a final accuracy, give ranges, and say what the data cannot do
    (the noise ceiling of section 2.3). Name the red flags early, agree on the acceptable
    error and the fallback before the model exists, and demo real cases, failures
    included. Surprises destroy trust; bad news delivered early with an option attached
    builds it.
    """)}),
    ])
    return


@app.cell
def _(business, high_value, mo):
    _s = business.classification_summary(high_value["actual"], high_value["probability"] > 0.5)
    _base = business.majority_baseline_accuracy(high_value["actual"])
    mo.vstack([
        mo.md(f"**5. The high-value detector of section 2.1 is {_s['accuracy']:.0%} accurate. Is that good?**"),
        mo.accordion({"Discussion": mo.md(f"""
    Not by itself. Doing nothing is {_base:.0%} accurate on the same listings, so the model
    removes only {(_s['accuracy'] - _base) / (1 - _base):.0%} of the do-nothing errors, and it
    finds {_s['recall']:.0%} of the high-value cards. Whether that is good depends on the
    costs: if a missed high-value card loses far more than an expert's minute, lower the
    threshold and accept more flags. Report precision, recall and the workload at the
    chosen threshold, next to the baseline, and choose the threshold with the cost
    numbers (Module 4 does this formally).
    """)}),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Key takeaways

    - **Cheapest tool first.** Rules, then heuristics, then a model, and only with evidence
      that the cheaper tool misses money. Keep the rule as baseline and fallback.
    - **Test the decision on data, by segment.** The same rule can be good enough in one
      segment and costly in another.
    - **Accuracy means nothing without the baseline**, and on rare classes it hides
      everything: report precision, recall and the workload.
    - **Convert the model metric into money**, line by line, net of running costs, against
      today's process, and find the assumption that matters most.
    - **Promise phases, not numbers**; raise the red flags early; know the ceiling.
    - **Projects fail on framing, data and adoption** far more often than on algorithms.

    **Next:** open `exercises/exercises_00.py`: decide rules or ML for five scenarios (0.1),
    write a one-page proposal for the card price predictor with a checked ROI (0.2),
    translate business requirements into metrics (0.3), and answer a VP, a CFO and a CTO
    (0.4). Then Module 1, data engineering.
    """)
    return


if __name__ == "__main__":
    app.run()
