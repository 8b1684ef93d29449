import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="Module 3: Training and experiments",
)


@app.cell
def _():
    import math
    import time

    import altair as alt
    import marimo as mo
    import numpy as np
    import pandas as pd

    from mlcourse import cache, evaluation, modeling, tracking, ui, verdicts
    from mlcourse.dataset import best_possible_rmse

    return (
        alt,
        best_possible_rmse,
        cache,
        evaluation,
        math,
        mo,
        modeling,
        np,
        pd,
        time,
        tracking,
        ui,
        verdicts,
    )


@app.cell
def _(mo, tracking):
    # MLflow creates its local store the first time (a few seconds): start that now, in the
    # background, while the first models train. Section 6 waits for it.
    EXPERIMENT = tracking.DEFAULT_EXPERIMENT  # "card-prices": every run of this module goes there
    TRAIN_ROWS = 6_000  # sections 2 to 8 train on a sample of this many listings, to stay fast
    VALID_ROWS = 3_000  # and validate on a sample of this many
    CV_ROWS = 3_000  # cross-validation splits this many
    SEARCH_SECONDS = 30  # the random search stops starting new candidates after this long
    store_ready = tracking.prepare_store_in_background(EXPERIMENT)


    def progress(title):
        """A progress bar for a long loop (shown only while it runs: a cached step shows none)."""
        return lambda items, total: mo.status.progress_bar(items, total=total, title=title, remove_on_exit=True)

    return (
        CV_ROWS,
        EXPERIMENT,
        SEARCH_SECONDS,
        TRAIN_ROWS,
        VALID_ROWS,
        progress,
        store_ready,
    )


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Module 3: Training and experiments

    **Time:** 3 to 4 hours, plus about an hour and a half for the exercises.

    **Why this module matters.** Anyone can call `.fit()`. What separates a model you can
    ship from a lucky number is the method around it: a baseline that says what "good"
    means, a validation scheme that mirrors how the model will be used, a search that
    respects a budget, and a record of every run so that the best one can be rebuilt
    months later. Without that method, teams argue about numbers nobody can reproduce.

    **You will learn to**

    1. start from baselines, and say how far a model is from the best possible one;
    2. compare model families fairly, on one split, with the test set locked away;
    3. turn a model of log price back into dollars without losing the mean;
    4. choose a cross-validation scheme (k-fold, grouped, time-based) that matches production;
    5. read bias and variance from learning curves, and decide whether more data would help;
    6. track experiments with MLflow in a local store, and register the model you ship;
    7. tune hyperparameters within a compute budget and a latency budget, and know how much
       the winner's score flatters it;
    8. make a training run reproducible: seeds, versions and a data hash logged with it.

    **You need** Module 1 (the clean listings, data versions) and Module 2 (the shared
    features in `mlcourse.features`, leakage, scikit-learn pipelines, splitting in time).
    Every number on this page is computed when the notebook runs; timings are measured on
    your machine. The expensive steps are cached on disk (`mlcourse.cache`, in `outputs/cache/`):
    the first run trains everything, a reopened notebook reads the results back.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 1. The task and one honest split

    We price **ungraded marketplace listings** (`features.pricing_subset`): the population
    of the capstone. The target is `price_usd`; the inputs are the features every listing
    has before it sells (`features.feature_frame`). Each model below is a scikit-learn
    pipeline whose first step computes those features, so the model that is trained is the
    model that is served.

    The split, before anything else, and in time (Module 2's rule): a price model prices
    listings that arrive *after* it was trained, in a market that moves. The latest 20% of
    listings (by listing date) are the **test set**, which no decision in this module may look
    at; we open it once, in section 9. Of the rest, the latest 20% are the **validation** set,
    where we choose between models, and everything before it is the **training** set
    (`modeling.course_split`). Modules 4 and 5 report on the same kind of split.
    """)
    return


@app.cell
def _(TRAIN_ROWS, VALID_ROWS, cache, modeling):
    listings = modeling.pricing_listings()
    split = modeling.course_split(listings)
    train, validation, test, dev = split.train, split.validation, split.test, split.development
    train_sample = train.sample(TRAIN_ROWS, random_state=0).sort_values("listing_id").reset_index(drop=True)
    valid = validation.sample(VALID_ROWS, random_state=0).sort_values("listing_id").reset_index(drop=True)
    # the validation listings outside the sample: fresh data no choice looks at (section 7 needs it)
    fresh = validation[~validation["listing_id"].isin(valid["listing_id"])].reset_index(drop=True)
    # what this notebook's MLflow runs are keyed by: the data they saw and the course's code
    run_key = cache.fingerprint("module-3", cache.code_fingerprint(), train_sample, valid, dev, test)[:16]
    return (
        dev,
        fresh,
        listings,
        run_key,
        test,
        train,
        train_sample,
        valid,
        validation,
    )


@app.cell(hide_code=True)
def _(
    dev,
    fresh,
    listings,
    mo,
    modeling,
    test,
    train,
    train_sample,
    valid,
    validation,
):
    def _dates(frame):
        return f"{frame['listing_date'].min():%d %b %Y} to {frame['listing_date'].max():%d %b %Y}"

    mo.md(rf"""
    {len(listings):,} listings, listed from {_dates(listings)}:

    | set | listings | listed | used for |
    |---|---|---|---|
    | training | {len(train):,} | {_dates(train)} | fitting models |
    | validation | {len(validation):,} | {_dates(validation)} | choosing between them |
    | test | {len(test):,} | {_dates(test)} | the final estimate, once |

    Prices run from \${listings['price_usd'].min():.2f} to \${listings['price_usd'].max():.2f},
    with a median of \${listings['price_usd'].median():.2f}. The split depends on dates alone:
    the same rows land in the same sets on every machine. {modeling.card_overlap(dev, test):.0%} of
    test listings are of a card that also appears in training or validation; the rest are cards
    the model has never seen (section 9 measures how it prices them).

    To keep this notebook quick, sections 2 to 8 train on a random sample of
    **{len(train_sample):,}** training listings and validate on a random sample of
    **{len(valid):,}** validation listings; the other {len(fresh):,} validation listings stay
    unused until section 7 needs fresh data. Section 5 shows what more data adds, and section 9
    trains the final model on all {len(dev):,} training and validation listings.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 2. Baselines first

    Before any machine learning, two models a spreadsheet could hold:

    - **a constant**: predict the training median for every listing;
    - **a rule**: the median training price of the listing's era and rarity (a Wizards-era
      Rare Holo, a Scarlet & Violet Illustration Rare...). This is what a pricing analyst
      would build on day one.

    Baselines are cheap and they answer questions nothing else can: is the pipeline wired
    correctly (a fancy model that loses to the constant has a bug), what is the bar to
    beat, and is ML worth it at all? This dataset adds a third number few projects have:
    the **noise floor**. The course generated the prices, so it knows each listing's
    expected price; its RMSE is the best any model can reach on these listings
    (`dataset.best_possible_rmse`).
    """)
    return


@app.cell
def _(best_possible_rmse, modeling, pd, train_sample, valid):
    baseline_scores = pd.DataFrame([
        {"model": name, **modeling.fit_and_score(modeling.make_model(family), train_sample, valid)}
        for name, family in [("constant (median)", "constant"), ("era x rarity median", "era_rarity")]
    ])
    valid_floor = best_possible_rmse(valid)
    return baseline_scores, valid_floor


@app.cell(hide_code=True)
def _(baseline_scores, mo, valid_floor):
    _b = baseline_scores.set_index("model")
    mo.vstack([
        mo.md(rf"""
    On the validation set the constant misses by **\${_b.loc['constant (median)', 'rmse']:.2f}**
    (RMSE) and the era x rarity rule by **\${_b.loc['era x rarity median', 'rmse']:.2f}**. The
    noise floor is **\${valid_floor:.2f}**: everything a model can win lies between the rule
    and the floor. Keep these three numbers in mind for the rest of the module.
    """),
        baseline_scores[["model", "rmse", "mae"]].rename(
            columns={"rmse": "RMSE ($)", "mae": "MAE ($)"}).round(2),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 3. Model families on one split

    Four families, each behind the same factory (`modeling.make_model`), trained on the
    same rows and scored on the same validation rows:

    - **linear** (ridge regression on one-hot categories and scaled numbers);
    - **random forest** (many deep trees on bootstrap samples, averaged);
    - **histogram gradient boosting** (scikit-learn's boosted trees);
    - **xgboost** (boosted trees, the usual winner on tables).

    All four learn **log(price)**: card prices are multiplicative (a reverse holo is worth
    a fixed multiple of the normal printing, whatever the card) and heavy-tailed, so on the
    log scale an error is a ratio and a linear model can express "times k". The factory:
    """)
    return


@app.cell(hide_code=True)
def _(modeling, ui):
    ui.source(modeling.make_model)
    return


@app.cell
def _(cache, modeling, progress, train_sample, valid):
    FAMILY_LABELS = {"linear": "linear (ridge)", "random_forest": "random forest",
                     "hist_gradient_boosting": "hist gradient boosting", "xgboost": "xgboost"}
    family_models, _scores = cache.cached_call(
        "module3-families", modeling.fit_families, train_sample, valid, modeling.LEARNED_FAMILIES,
        progress=progress("Training four model families"))
    family_scores = _scores.assign(model=_scores["family"].map(FAMILY_LABELS))
    return FAMILY_LABELS, family_models, family_scores


@app.cell
def _(alt, baseline_scores, family_scores, pd, valid_floor):
    _scores = pd.concat([baseline_scores.assign(kind="baseline"), family_scores.assign(kind="model")])
    _bars = alt.Chart(_scores).mark_bar().encode(
        x=alt.X("rmse:Q", title="validation RMSE, dollars (lower is better)"),
        y=alt.Y("model:N", sort="-x", title=None),
        color=alt.Color("kind:N", title=None),
        tooltip=["model", alt.Tooltip("rmse:Q", format=".2f"), alt.Tooltip("mae:Q", format=".2f"),
                 alt.Tooltip("fit_seconds:Q", format=".2f"), alt.Tooltip("latency_us_per_row:Q", format=".1f")],
    )
    _floor = alt.Chart(pd.DataFrame({"floor": [valid_floor]})).mark_rule(color="black", strokeDash=[4, 4]).encode(
        x="floor:Q", tooltip=[alt.Tooltip("floor:Q", format=".2f", title="noise floor")])
    (_bars + _floor).properties(height=200, title="Validation RMSE (dashed line: the noise floor)")
    return


@app.cell(hide_code=True)
def _(baseline_scores, family_scores, mo, valid_floor):
    _f = family_scores.set_index("family")
    _best = family_scores.sort_values("rmse").iloc[0]
    _rule = baseline_scores.set_index("model").loc["era x rarity median", "rmse"]
    _margin = _rule - _f.loc["linear", "rmse"]
    _linear_vs_rule = (f"beats the rule by only \\${_margin:.2f}" if _margin > 0 else
                       f"does not even beat the rule (\\${-_margin:.2f} worse)")
    mo.vstack([
        mo.md(rf"""
    The best family here is **{_best['model']}** at **\${_best['rmse']:.2f}**, against
    \${_rule:.2f} for the rule and a floor of \${valid_floor:.2f}: it covers
    {(_rule - _best['rmse']) / (_rule - valid_floor):.0%} of the distance from the rule to
    the best possible model. The linear model (\${_f.loc['linear', 'rmse']:.2f}) {_linear_vs_rule}: prices
    here depend on *interactions* (a
    Charizard is a premium at Illustration Rare, not at Common; vintage holos swing with the
    market) that a sum of one-hot effects cannot express without hand-made crosses. The trees
    find them.

    Accuracy is not the only column. Fit time ranges from {family_scores['fit_seconds'].min():.2f} s
    to {family_scores['fit_seconds'].max():.2f} s, and prediction latency from
    {family_scores['latency_us_per_row'].min():.0f} to {family_scores['latency_us_per_row'].max():.0f}
    microseconds per listing (CPU time on batches of 1,000, best of five runs, measured on this
    machine when the step last ran).
    """),
        family_scores[["model", "rmse", "mae", "fit_seconds", "latency_us_per_row"]].rename(
            columns={"rmse": "RMSE ($)", "mae": "MAE ($)", "fit_seconds": "fit (s)",
                     "latency_us_per_row": "latency (µs per listing)"}).round(3),
    ])
    return


@app.cell
def _(FAMILY_LABELS, mo):
    family_picker = mo.ui.dropdown(options={v: k for k, v in FAMILY_LABELS.items()}, value="xgboost",
                                   label="Predicted against actual, for")
    family_picker
    return (family_picker,)


@app.cell
def _(alt, family_models, family_picker, pd, valid):
    _sample = valid.sample(1500, random_state=0)
    _points = pd.DataFrame({"actual price": _sample["price_usd"].to_numpy(),
                            "predicted price": family_models[family_picker.value].predict(_sample),
                            "era": _sample["era"].to_numpy()})
    _low = float(min(_points["actual price"].min(), _points["predicted price"].min()))
    _top = float(max(_points["actual price"].max(), _points["predicted price"].max()))
    _diagonal = alt.Chart(pd.DataFrame({"x": [_low, _top], "y": [_low, _top]})).mark_line(color="gray").encode(
        x="x", y="y")
    _scatter = alt.Chart(_points).mark_circle(size=14, opacity=0.5).encode(
        x=alt.X("actual price:Q", scale=alt.Scale(type="log")),
        y=alt.Y("predicted price:Q", scale=alt.Scale(type="log")),
        color="era:N", tooltip=["actual price", alt.Tooltip("predicted price:Q", format=".2f"), "era"])
    (_diagonal + _scatter).properties(height=320, width=420,
                                      title="1,500 validation listings, log scales (gray: perfect prediction)")
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ### Back from the log scale: a median, not a mean

    Learning log(price) has a price. The model predicts the log of a typical price, and
    `exp` of that is close to the **median** price of listings like this one, not the
    **mean**: with right-skewed prices the mean is higher (for log-normal errors of spread
    σ, higher by a factor exp(σ²/2)). That is the **retransformation bias**, and it matters
    as soon as we score in dollars: RMSE in dollars is smallest for a model that predicts the
    mean, and a sum of medians falls short of a sum of prices. Every comparison above ranks
    median predictors by a mean-loving score.

    The standard correction is Duan's **smearing estimate**: multiply every prediction by
    the mean of price / prediction (`modeling.smearing_factor`), measured on rows the model
    did not train on (`modeling.out_of_fold_predictions`: the training sample cut into folds, each
    predicted by a model trained on the others).
    """)
    return


@app.cell
def _(cache, evaluation, family_models, modeling, train_sample, valid):
    OOF_FOLDS = 3  # each training listing is predicted by a model trained on the other folds
    _xgb = family_models["xgboost"]
    _out_of_fold = cache.cached_call("module3-out-of-fold", modeling.out_of_fold_predictions,
                                     modeling.make_model("xgboost"), train_sample, n_splits=OOF_FOLDS)
    smearing = {"out_of_fold": modeling.smearing_factor(train_sample["price_usd"], _out_of_fold),
                "in_sample": modeling.smearing_factor(train_sample["price_usd"], _xgb.predict(train_sample))}
    _plain = _xgb.predict(valid)
    retransformation = {
        # the training period itself, predicted out of fold: no market movement in between
        "same_period": {"plain": evaluation.sum_ratio(train_sample["price_usd"], _out_of_fold),
                        "smeared": evaluation.sum_ratio(train_sample["price_usd"],
                                                        _out_of_fold * smearing["out_of_fold"])},
        "plain": {"rmse": evaluation.rmse(valid["price_usd"], _plain),
                  "sum_ratio": evaluation.sum_ratio(valid["price_usd"], _plain)},
        "smeared": {"rmse": evaluation.rmse(valid["price_usd"], _plain * smearing["out_of_fold"]),
                    "sum_ratio": evaluation.sum_ratio(valid["price_usd"], _plain * smearing["out_of_fold"])},
    }
    return OOF_FOLDS, retransformation, smearing


@app.cell(hide_code=True)
def _(mo, retransformation, smearing, verdicts):
    mo.md(rf"""
    {verdicts.retransformation(smearing['out_of_fold'], smearing['in_sample'], retransformation['plain'],
                               retransformation['smeared'], retransformation['same_period'])}

    What it means for this module: the families and the candidates of section 7 are compared as they
    predict, medians, and the ranking could shift if each were corrected, because each has its own
    factor. For one suggested price a median is a fine answer (half of the listings like this sell
    for more); for anything summed or averaged in dollars (an inventory valuation, a revenue forecast)
    it is not. Module 4 applies the correction where totals matter.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 4. Cross-validation done right

    One validation split gives one number, and that number is noisy. **Cross-validation**
    trains *k* models, each validated on a different fold, and reports the spread as well
    as the mean. But *how* the folds are cut matters more than *k*:

    - **k-fold** (shuffled): every row is validated once; rows are exchangeable.
    - **grouped by card**: all listings of a card land in the same fold, so the model is
      always validated on cards it has never seen. The card catalogue has a card-level
      effect (artwork, print run) that no column describes: with plain k-fold, other
      listings of the same card sit in training and leak it.
    - **grouped by set**: all listings of a *set* land in the same fold. Cards of one set
      share a release date, an era and a print run; grouped by card, a new card still has
      its set-mates in training, which tell the model much of what it needs. When the
      question is "a whole new set comes out: how good are our prices on day one?",
      group by set. (The rule: group by the unit that arrives new in production.)
    - **time-based**: always train on the past and validate on the future, as in
      production. The market moves (a boom in 2021, a slump, a recovery). Its early
      folds also train on far fewer rows, so a fifth scheme, **shuffled, time-based
      sizes**, uses the very same fold sizes on listings in random order: the difference
      between the two is the effect of time alone.

    The chart below shows which listings each scheme validates on, on a small example.
    """)
    return


@app.cell
def _(modeling, np, pd):
    def fold_picture(listings, n_splits=4, n_sets=4, cards_per_set=2, per_card=6):
        """Which rows each scheme trains and validates on, for a few listings of a few cards of a few sets.

        Several cards per set, so that folds grouped by card and folds grouped by set differ.
        """
        _counts = listings["card_id"].value_counts()
        _sets = listings.drop_duplicates("card_id").set_index("card_id")["set_code"]
        _popular = _sets.loc[_counts[_counts >= per_card].index].sort_index()
        _per_set = _popular.groupby(_popular, sort=False).head(cards_per_set)
        _full_sets = _per_set.value_counts()
        _chosen_sets = [s for s in _per_set.unique() if _full_sets[s] == cards_per_set][:n_sets]
        _cards = _per_set[_per_set.isin(_chosen_sets)].index
        _small = (listings[listings["card_id"].isin(_cards)].groupby("card_id").head(per_card)
                  .sort_values("listing_date", kind="stable").reset_index(drop=True))
        _frames = []
        for _scheme in modeling.CV_SCHEMES:
            for _fold, (_tr, _va) in enumerate(modeling.cv_folds(_small, _scheme, n_splits), start=1):
                _role = np.full(len(_small), "unused", dtype=object)
                _role[_tr], _role[_va] = "train", "validation"
                _frames.append(pd.DataFrame({"scheme": _scheme, "fold": _fold,
                                             "listing (in date order)": np.arange(len(_small)),
                                             "card": _small["card_id"].to_numpy(),
                                             "set": _small["set_code"].to_numpy(), "role": _role}))
        return pd.concat(_frames, ignore_index=True)

    return (fold_picture,)


@app.cell(hide_code=True)
def _(alt, dev, fold_picture, mo):
    _picture = fold_picture(dev)
    _one = _picture.drop_duplicates("listing (in date order)")
    mo.vstack([
        mo.md(f"""
    {len(_one)} listings of {_one['card'].nunique()} cards, {_one.groupby('set')['card'].nunique().max()} from each
    of {_one['set'].nunique()} sets, in date order (hover a cell for its card and set). Grouped by
    card, a fold validates on whole cards while their set-mates train; grouped by set, on whole sets.
    """),
        alt.Chart(_picture).mark_rect().encode(
            x=alt.X("listing (in date order):O", axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("fold:O"),
            color=alt.Color("role:N", scale=alt.Scale(domain=["train", "validation", "unused"],
                                                      range=["#4c78a8", "#f58518", "#dddddd"])),
            row=alt.Row("scheme:N", title=None),
            tooltip=["scheme", "fold", "card", "set", "role"],
        ).properties(height=55, width=520),
    ])
    return


@app.cell
def _(mo):
    cv_folds_slider = mo.ui.slider(3, 6, value=3, label="Folds per scheme", show_value=True)
    cv_folds_slider
    return (cv_folds_slider,)


@app.cell
def _(CV_ROWS, cache, cv_folds_slider, dev, modeling, progress):
    cv_sample = dev.sample(CV_ROWS, random_state=0).sort_values("listing_date").reset_index(drop=True)
    cv_results = cache.cached_call(
        "module3-cv", modeling.cross_validate_schemes, modeling.make_model("xgboost"), cv_sample,
        modeling.CV_SCHEMES, n_splits=cv_folds_slider.value, progress=progress("Cross-validating xgboost five ways"))
    cv_summary = (cv_results.groupby("scheme", sort=False)
                  .agg(mean_rmse=("rmse", "mean"), std_rmse=("rmse", "std"),
                       mean_train_rows=("train rows", "mean"),
                       cards_also_in_training=("cards also in training", "mean"),
                       sets_also_in_training=("sets also in training", "mean"))
                  .reset_index())
    return cv_results, cv_sample, cv_summary


@app.cell
def _(alt, cv_results):
    _points = alt.Chart(cv_results).mark_circle(size=70).encode(
        x=alt.X("rmse:Q", title="validation RMSE of one fold, dollars", scale=alt.Scale(zero=False)),
        y=alt.Y("scheme:N", title=None),
        color=alt.Color("scheme:N", legend=None),
        tooltip=["scheme", "fold", "train rows", "validation rows", alt.Tooltip("rmse:Q", format=".2f"),
                 alt.Tooltip("cards also in training:Q", format=".0%")])
    _means = alt.Chart(cv_results).mark_tick(thickness=3, size=30, color="black").encode(
        x="mean(rmse):Q", y="scheme:N")
    (_points + _means).properties(height=150, title="One dot per fold; black tick: the mean")
    return


@app.cell(hide_code=True)
def _(cv_folds_slider, cv_sample, cv_summary, mo, verdicts):
    _s = cv_summary.set_index("scheme")
    mo.md(rf"""
    Same model, same {len(cv_sample):,} listings, {cv_folds_slider.value} folds each. Shuffled
    k-fold says **\${_s.loc['k-fold', 'mean_rmse']:.2f}**; grouped by card,
    **\${_s.loc['grouped by card', 'mean_rmse']:.2f}**; grouped by set,
    **\${_s.loc['grouped by set', 'mean_rmse']:.2f}**; time-based, **\${_s.loc['time-based', 'mean_rmse']:.2f}**.
    In k-fold, {_s.loc['k-fold', 'cards_also_in_training']:.0%} of validation listings are of a card
    the model trained on; grouped by card, {_s.loc['grouped by card', 'cards_also_in_training']:.0%},
    though {_s.loc['grouped by card', 'sets_also_in_training']:.0%} still have set-mates in training;
    grouped by set, {_s.loc['grouped by set', 'sets_also_in_training']:.0%}.

    **Time or training size?** {verdicts.cv_time_or_size(cv_summary, cv_folds_slider.value)}
    """)
    return


@app.cell
def _(cv_summary):
    cv_summary.rename(columns={"mean_rmse": "mean RMSE ($)", "std_rmse": "std of RMSE ($)"}).round(3)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    Which number is honest depends on the question you will be asked in production:

    - **"Price this new listing of a card we have seen before"**: most of the marketplace
      traffic. Random folds answer it, if the future looks like the past.
    - **"Price a new card of a set we know"**: grouped by card.
    - **"Price the cards of a set released this morning"**: no listing of the set exists
      yet. Only folds grouped by set answer it: a fact the product must know (a
      new-release mode, or a human in the loop).
    - **"Will the model still work next quarter?"**: time-based folds, read beside the
      same-size shuffled folds so that a small training set is not mistaken for a moving market.

    Choose the scheme that mirrors deployment, and report it with the number. Every validation
    and test number in the rest of this module comes from the time-ordered split of section 1,
    the one that asks "next period"; where a claim is about new cards, it is measured on cards
    the model never saw (section 9, and Module 4 by segment).
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 5. Bias and variance: learning curves

    Train the same model on growing subsets of the training data and plot two errors:
    on the rows it trained on, and on the validation rows.

    - **High bias** (underfitting): both errors are high and close together. More data will
      not help; a more flexible model or better features will.
    - **High variance** (overfitting): training error far below validation error. More
      data, regularisation or a simpler model help.

    With a time-ordered split, a third thing separates the two curves: the validation rows
    come from a later period, so part of the gap is the market moving, which no amount of
    data from the past removes.
    """)
    return


@app.cell
def _(cache, modeling, np, progress, train_sample, valid):
    curve_sizes = [int(s) for s in np.geomspace(500, len(train_sample), 3).round()]
    learning_curves = cache.cached_call(
        "module3-learning-curves", modeling.learning_curve_tables,
        {"linear (ridge)": modeling.make_model("linear"), "xgboost": modeling.make_model("xgboost")},
        train_sample, valid, curve_sizes, progress=progress("Learning curves"))
    return curve_sizes, learning_curves


@app.cell
def _(alt, learning_curves, valid_floor):
    _lines = alt.Chart(learning_curves).mark_line(point=True).encode(
        x=alt.X("training rows:Q", scale=alt.Scale(type="log")),
        y=alt.Y("rmse:Q", title="RMSE, dollars"),
        color=alt.Color("data:N", title="error on"),
        tooltip=["model", "data", "training rows", alt.Tooltip("rmse:Q", format=".2f")])
    _floor = alt.Chart().mark_rule(strokeDash=[4, 4], color="black").encode(y=alt.datum(valid_floor))
    alt.layer(_lines, _floor, data=learning_curves).properties(height=220, width=300).facet(
        column=alt.Column("model:N", title=None)).properties(title="Learning curves (dashed: the noise floor)")
    return


@app.cell(hide_code=True)
def _(
    best_possible_rmse,
    curve_sizes,
    learning_curves,
    mo,
    modeling,
    np,
    train_sample,
    verdicts,
):
    # the floor on the rows the curve's largest model trained on (the same seeded subset)
    _order = np.random.default_rng(modeling.SEED).permutation(len(train_sample))
    _train_floor = best_possible_rmse(train_sample.iloc[np.sort(_order[:curve_sizes[-1]])])
    mo.md(verdicts.learning_curves(learning_curves, curve_sizes, _train_floor))
    return


@app.cell(hide_code=True)
def _(
    OOF_FOLDS,
    baseline_scores,
    cv_results,
    family_scores,
    learning_curves,
    mo,
    tracking,
):
    # one fitted model per baseline, per family, per cross-validation fold and per learning-curve point
    _models_so_far = (len(baseline_scores) + len(family_scores) + OOF_FOLDS + len(cv_results)
                      + learning_curves.groupby(["model", "training rows"]).ngroups)
    mo.md(rf"""
    ## 6. Experiment tracking with MLflow

    By now this notebook has trained {_models_so_far} models. Next week nobody will remember which
    settings gave which number on which data. An experiment tracker records, for every run:
    the **parameters**, the **metrics**, **tags** (what the run was for), the **data version**
    and **code version**, and the **model** itself.

    MLflow runs here with no server and no account: runs go to a SQLite file and models to
    a folder, both in `mlruns/` at the repository root (gitignored;
    `mlcourse.paths.mlflow_tracking_uri()` says where). Every run of this module goes to one
    **experiment**, `{tracking.DEFAULT_EXPERIMENT}` (`tracking.DEFAULT_EXPERIMENT`, the default of
    every function in `mlcourse.tracking`). The course wraps the calls in `tracking.log_run`:
    """)
    return


@app.cell(hide_code=True)
def _(mo, tracking, ui):
    mo.vstack([
        ui.source(tracking.log_run),
        mo.md(r"""
    Two details worth copying. The model is logged with **pinned pip requirements**
    (`tracking.pip_requirements()`): without them MLflow spends seconds inferring them on
    every `log_model`. And the **data hash** goes in with every run, so "was this model
    trained on the same data?" is a string comparison.

    One more, for notebooks that are reopened: each run carries a **fingerprint** tag, a hash of
    its data, code and settings (`tracking.log_run_once`). Reopened on the same data and code,
    the notebook finds its runs in the store instead of logging copies of them.
    """),
    ])
    return


@app.cell
def _(
    EXPERIMENT,
    baseline_scores,
    family_models,
    family_scores,
    modeling,
    run_key,
    store_ready,
    time,
    tracking,
    train_sample,
):
    store_ready.join()
    MODEL_LOGGED = ("xgboost",)  # saving a model is the slow part (a forest's file is tens of MB): one is enough here
    _known = tracking.run_ids_by_fingerprint(EXPERIMENT)
    _start = time.perf_counter()
    _logged_now = []
    for _, _row in baseline_scores.iterrows():
        _, _new = tracking.log_run_once(
            _row["model"], fingerprint=f"{run_key}-baseline-{_row['model']}", known=_known,
            metrics={"rmse": _row["rmse"], "mae": _row["mae"]}, params={"family": "baseline"},
            tags={"stage": "baselines", "module": "3", "run_key": run_key}, training_data=train_sample,
            experiment=EXPERIMENT)
        _logged_now.append(_new)
    family_run_ids = {}
    for _, _row in family_scores.iterrows():
        _model = family_models[_row["family"]]
        family_run_ids[_row["family"]], _new = tracking.log_run_once(
            _row["model"], fingerprint=f"{run_key}-family-{_row['family']}", known=_known, model=_model,
            experiment=EXPERIMENT, training_data=train_sample,
            log_model=_row["family"] in MODEL_LOGGED,  # the others keep metrics and parameters only
            params={"family": _row["family"], "log_target": True, **modeling.estimator_params(_model)},
            metrics={k: _row[k] for k in ("rmse", "mae", "fit_seconds", "latency_us_per_row")},
            tags={"stage": "family comparison", "module": "3", "run_key": run_key})
        _logged_now.append(_new)
    logging = {"seconds": time.perf_counter() - _start, "logged": sum(_logged_now), "runs": len(_logged_now)}
    return MODEL_LOGGED, family_run_ids, logging


@app.cell
def _(EXPERIMENT, family_run_ids, run_key, tracking):
    _ = family_run_ids  # after the runs are logged
    notebook_runs = tracking.runs_table(EXPERIMENT, metric="rmse", filter_string=f"tags.run_key = '{run_key}'")
    all_runs = tracking.runs_table()  # the default experiment: this module's
    return all_runs, notebook_runs


@app.cell(hide_code=True)
def _(FAMILY_LABELS, MODEL_LOGGED, all_runs, logging, mo, tracking):
    _logged = (f"Logging these {logging['runs']} runs took {logging['seconds']:.1f} s." if logging["logged"] else
               f"These {logging['runs']} runs were already in the store (same fingerprints: same data, code and "
               "settings), so nothing was logged twice.")
    mo.vstack([
        mo.md(f"""
    {_logged} The model itself is stored with the {" and ".join(FAMILY_LABELS[f] for f in MODEL_LOGGED)}
    run only; the others keep metrics and parameters (saving a model is the slow part, and a random
    forest's file is tens of megabytes). Below, the runs of this data and code read back from the
    store with `tracking.runs_table` (filtered on their `run_key` tag), best RMSE first: the same
    query works next month, from any notebook. The experiment `{tracking.DEFAULT_EXPERIMENT}` holds
    {len(all_runs)} runs in all (`tracking.runs_table()`, with no argument, reads it).

    **To browse the runs in MLflow's web UI,** run this in a terminal at the repository root,
    then open <http://127.0.0.1:5000> and pick the experiment `{tracking.DEFAULT_EXPERIMENT}` on the left:

    ```bash
    {tracking.ui_instructions()}
    ```

    It serves the course's store (`{tracking.mlflow_tracking_uri()}`) with one light worker, and
    creates no experiment of its own; Ctrl+C stops it. In the UI, select runs and click *Compare*
    to plot metrics against parameters.
    """),
    ])
    return


@app.cell
def _(notebook_runs):
    notebook_runs[["run", "rmse", "mae", "fit_seconds", "latency_us_per_row", "family", "stage", "data_hash"]].round(3)
    return


@app.cell(hide_code=True)
def _(math, mo, modeling, train_sample):
    _grid = math.prod(len(v) for v in modeling.XGBOOST_SEARCH_SPACE.values())
    mo.md(f"""
    ## 7. Tuning with a budget, and a latency budget

    Hyperparameters (tree depth, number of trees, learning rate...) are chosen on the
    **validation** set, never on the test set. Two budgets frame a search:

    - **compute**: grids explode (the full grid of our search space below has {_grid:,}
      settings, each one a fit). A **random search** samples a fixed number of settings and
      finds good regions with far fewer fits; **successive halving** (scikit-learn's
      `HalvingRandomSearchCV`) tries many settings on little data and gives more data only to
      the survivors.
    - **latency**: the pricing service must answer fast. A model that is slightly more
      accurate and several times slower may be the wrong model. Measure predict time and pick the
      best model *that meets the budget*.

    The search below samples settings of xgboost from `modeling.XGBOOST_SEARCH_SPACE`, fits
    each on the same {len(train_sample):,} training listings as the families (a cheaper proxy, as
    section 5 suggests), scores it on the validation sample and measures its latency. Each
    candidate is logged to MLflow as a child of one "random search" run.
    """)
    return


@app.cell
def _(mo):
    n_candidates = mo.ui.slider(4, 24, value=6, step=2, label="Candidates to try", show_value=True)
    n_candidates
    return (n_candidates,)


@app.cell
def _(
    SEARCH_SECONDS,
    cache,
    family_models,
    family_scores,
    fresh,
    modeling,
    n_candidates,
    progress,
    train_sample,
    valid,
):
    search_results, search_predictions = cache.cached_call(
        "module3-search", modeling.random_search_with_holdout, "xgboost", modeling.XGBOOST_SEARCH_SPACE,
        train_sample, valid, fresh, n_candidates=n_candidates.value, time_budget_seconds=SEARCH_SECONDS,
        reference=family_models["xgboost"], progress=progress("Random search"))
    # the search's wall time: the candidates' fit times and their timing rounds, as measured when it ran
    search_seconds = float(search_results["fit_seconds"].sum())
    # the default xgboost model of section 3, as measured in section 3's table: every candidate
    # was timed against it (the search table's reference_us_per_row, measured in the same rounds)
    reference_latency_us = float(family_scores.set_index("family").loc["xgboost", "latency_us_per_row"])
    return (
        reference_latency_us,
        search_predictions,
        search_results,
        search_seconds,
    )


@app.cell
def _(
    EXPERIMENT,
    modeling,
    n_candidates,
    run_key,
    search_results,
    tracking,
    train_sample,
):
    _known = tracking.run_ids_by_fingerprint(EXPERIMENT)
    _search_key = f"{run_key}-search-{n_candidates.value}"
    search_parent, _ = tracking.log_run_once(
        "random search", fingerprint=_search_key, known=_known, experiment=EXPERIMENT, log_model=False,
        params={"candidates": n_candidates.value, "family": "xgboost"},
        tags={"stage": "tuning", "module": "3", "run_key": run_key})
    for _, _row in search_results.iterrows():
        tracking.log_run_once(
            "candidate", fingerprint=f"{_search_key}-{int(_row['candidate'])}", known=_known,
            experiment=EXPERIMENT, log_model=False, training_data=train_sample, parent_run_id=search_parent,
            params={k: _row[k] for k in modeling.XGBOOST_SEARCH_SPACE},
            metrics={k: _row[k] for k in ("rmse", "mae", "holdout_rmse", "fit_seconds", "latency_ratio")},
            tags={"stage": "tuning", "module": "3", "run_key": run_key})
    return


@app.cell
def _(mo, modeling):
    latency_budget = mo.ui.slider(start=0.8, stop=3.0, step=0.05, value=modeling.LATENCY_BUDGET, show_value=True,
                                  label="Latency budget (times the default model's latency)")
    latency_budget
    return (latency_budget,)


@app.cell
def _(latency_budget, modeling, search_results):
    chosen = modeling.best_within_budget(search_results, latency_budget.value, latency="latency_ratio")
    most_accurate = search_results.iloc[0]
    return chosen, most_accurate


@app.cell
def _(alt, chosen, latency_budget, pd, search_results):
    _plot = search_results.assign(
        status=lambda d: ["chosen" if chosen is not None and c == chosen["candidate"] else
                          ("within budget" if ratio <= latency_budget.value else "too slow")
                          for c, ratio in zip(d["candidate"], d["latency_ratio"], strict=True)])
    _points = alt.Chart(_plot).mark_circle(size=90).encode(
        x=alt.X("latency_ratio:Q", title="latency, times the default model's", scale=alt.Scale(zero=False)),
        y=alt.Y("rmse:Q", title="validation RMSE, dollars", scale=alt.Scale(zero=False)),
        color=alt.Color("status:N", scale=alt.Scale(domain=["chosen", "within budget", "too slow"],
                                                    range=["#e45756", "#4c78a8", "#bbbbbb"])),
        tooltip=["candidate", "n_estimators", "max_depth", "learning_rate", "min_child_weight", "subsample",
                 alt.Tooltip("rmse:Q", format=".2f"), alt.Tooltip("latency_ratio:Q", format=".2f"),
                 alt.Tooltip("latency_us_per_row:Q", format=".1f"), alt.Tooltip("fit_seconds:Q", format=".2f")])
    _budget = alt.Chart(pd.DataFrame({"budget": [latency_budget.value]})).mark_rule(strokeDash=[4, 4]).encode(
        x="budget:Q")
    (_points + _budget).properties(height=260, title="Each candidate: accuracy against latency (dashed: the budget)")
    return


@app.cell(hide_code=True)
def _(
    SEARCH_SECONDS,
    chosen,
    latency_budget,
    mo,
    modeling,
    most_accurate,
    n_candidates,
    reference_latency_us,
    search_results,
    search_seconds,
    verdicts,
):
    mo.vstack([
        mo.md(f"""
    {len(search_results)} candidates, {search_seconds:.1f} s of fitting (the budget: {n_candidates.value}
    candidates or {SEARCH_SECONDS} s, whichever comes first). The latency budget is set relative to the
    default xgboost model of section 3, which predicted in {reference_latency_us:.1f} microseconds
    per listing in section 3's table: a budget of **{latency_budget.value:.2f}x** is about
    {latency_budget.value * reference_latency_us:.1f} microseconds at that speed. Why a ratio and not
    microseconds? Each candidate was timed in alternation with the default model, in the same
    rounds (CPU time, best of three; `modeling.paired_latency`), and the table shows both times:
    the default's own time (`reference_us_per_row`) ranged from
    {search_results['reference_us_per_row'].min():.1f} to {search_results['reference_us_per_row'].max():.1f}
    microseconds during the search. Absolute times wander with the machine's load; a busy machine
    slows both models of a pair alike, so `latency_ratio` (exactly `latency_us_per_row` divided by
    `reference_us_per_row`) stays meaningful. {verdicts.search_choice(chosen, most_accurate, latency_budget.value)}
    Move the slider: the choice is recomputed here, on validation data. Section 9 does not follow it:
    the final model is chosen under the budget fixed before the search ({modeling.LATENCY_BUDGET:g}x).

    Look at the spread: from {search_results['latency_ratio'].min():.2f}x to
    {search_results['latency_ratio'].max():.2f}x. Much of every prediction is spent computing
    features and encoding categories, the same for every candidate; the trees add the rest.
    Profile before you blame the model.
    """),
    ])
    return


@app.cell
def _(modeling, search_results):
    search_results[["candidate", *modeling.XGBOOST_SEARCH_SPACE, "rmse", "mae", "fit_seconds",
                    "latency_us_per_row", "reference_us_per_row", "latency_ratio"]].round(3)
    return


@app.cell
def _(modeling, search_predictions, search_results, valid):
    WINNERS_CURSE_DRAWS = 400
    curse = modeling.winners_curse(search_results, valid["price_usd"], search_predictions,
                                   n_boot=WINNERS_CURSE_DRAWS)
    return WINNERS_CURSE_DRAWS, curse


@app.cell
def _(alt, curse, np, pd, search_results):
    _pairs = search_results.assign(winner=lambda d: np.where(d["candidate"] == curse["winner"], "winner", "other"))
    _lo = float(min(_pairs["rmse"].min(), _pairs["holdout_rmse"].min()))
    _hi = float(max(_pairs["rmse"].max(), _pairs["holdout_rmse"].max()))
    _diagonal = alt.Chart(pd.DataFrame({"x": [_lo, _hi], "y": [_lo, _hi]})).mark_line(
        color="gray", strokeDash=[4, 4]).encode(x="x:Q", y="y:Q")
    _dots = alt.Chart(_pairs).mark_circle(size=90).encode(
        x=alt.X("rmse:Q", title="validation RMSE, dollars (what the choice saw)", scale=alt.Scale(zero=False)),
        y=alt.Y("holdout_rmse:Q", title="RMSE on fresh rows, dollars", scale=alt.Scale(zero=False)),
        color=alt.Color("winner:N", scale=alt.Scale(domain=["winner", "other"], range=["#e45756", "#4c78a8"]),
                        title=None),
        tooltip=["candidate", alt.Tooltip("rmse:Q", format=".2f"), alt.Tooltip("holdout_rmse:Q", format=".2f")])
    (_diagonal + _dots).properties(height=260, width=360,
                                   title="Each candidate on the rows it was chosen on and on fresh rows")
    return


@app.cell(hide_code=True)
def _(WINNERS_CURSE_DRAWS, curse, fresh, mo, ui, valid, verdicts):
    mo.vstack([
        mo.md(verdicts.winners_curse(curse, len(fresh))),
        ui.fine_print(verdicts.winners_curse_fine_print(curse, len(valid), WINNERS_CURSE_DRAWS)),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 8. Reproducibility

    "It scored this on my machine" is not a result until someone else gets the same score. Three
    things make a run reproducible: **seeds** (every random choice, from the trees' row sampling
    to the samples this notebook draws, takes an explicit seed), **versions** (code, libraries and
    data), and **a record** linking them to the model. Below: the same settings trained twice with
    one seed, then with another; and the model read back from MLflow.
    """)
    return


@app.cell
def _(
    EXPERIMENT,
    family_models,
    family_run_ids,
    modeling,
    np,
    tracking,
    train_sample,
    valid,
):
    _small = train_sample.sample(3_000, random_state=0)
    _settings = {"n_estimators": 50, "subsample": 0.8}
    _a = modeling.make_model("xgboost", seed=0, **_settings).fit(_small, _small["price_usd"]).predict(valid)
    _b = modeling.make_model("xgboost", seed=0, **_settings).fit(_small, _small["price_usd"]).predict(valid)
    _c = modeling.make_model("xgboost", seed=1, **_settings).fit(_small, _small["price_usd"]).predict(valid)
    same_seed_diff = float(np.max(np.abs(_a - _b)))
    other_seed_diff = float(np.max(np.abs(_a - _c)))
    other_seed_mean_diff = float(np.mean(np.abs(_a - _c)))
    reloaded = tracking.load_model(family_run_ids["xgboost"], experiment=EXPERIMENT)
    reload_diff = float(np.max(np.abs(reloaded.predict(valid) - family_models["xgboost"].predict(valid))))
    run_record = {**tracking.data_version(train_sample), "code_version": tracking.code_version(),
                  **tracking.environment_versions()}
    return (
        other_seed_diff,
        other_seed_mean_diff,
        reload_diff,
        run_record,
        same_seed_diff,
    )


@app.cell(hide_code=True)
def _(
    mo,
    other_seed_diff,
    other_seed_mean_diff,
    reload_diff,
    run_record,
    same_seed_diff,
    ui,
):
    def _gap(diff):
        return "**not at all**: identical predictions" if diff == 0 else f"by at most **{diff:.2g}** dollars"

    mo.vstack([
        mo.md(rf"""
    - Same settings, same seed, trained twice: predictions differ {_gap(same_seed_diff)}.
    - Same settings, another seed (the trees sample 80% of rows each round): predictions move
      by **\${other_seed_mean_diff:.2f}** on average and up to \${other_seed_diff:.2f} on one listing.
      Neither model is wrong; but without the seed on record, neither can be rebuilt.
    - The xgboost model loaded back from MLflow differs from the one in memory
      {_gap(reload_diff)}.

    What every run of this module records (`tracking.data_version` and friends):
    """),
        ui.code_block("\n".join(f"{k}: {v}" for k, v in run_record.items()), language="yaml"),
        mo.md("""
    The data hash comes from Module 1's `content_hash`: if the training table changes by a
    single cent, the hash changes. The code version is the git commit (`+dirty` when there
    are uncommitted changes: a warning that the code of this run is not in the history).
    """),
    ])
    return


@app.cell(hide_code=True)
def _(mo, modeling):
    mo.md(rf"""
    ## 9. The final check, once

    The choice is made on validation data, under the latency budget fixed *before* the search:
    **{modeling.LATENCY_BUDGET:g}x** the default model (`modeling.LATENCY_BUDGET`, the slider's
    starting value). Now, and only now, retrain the chosen settings on training and validation
    data together and score them on the test set: the latest listings, after everything the model
    saw. This number is the estimate you report; it is not a new chance to tune. That is why this
    section does not follow the slider: if moving it re-scored the test set, you would be choosing
    a budget by looking at test numbers. If the result disappoints, the honest move is to say so,
    not to go back and pick another candidate on the test set.

    One slider does reach this section: *Candidates to try* in section 7 starts a new search,
    and the final model follows its result. Settle the size of the search first and treat each
    re-run of this section as one more look at the test set: in a real project, you would
    count those looks, and keep them to one.
    """)
    return


@app.cell
def _(cache, dev, evaluation, family_scores, modeling, search_results, test):
    final_pick = modeling.best_within_budget(search_results, modeling.LATENCY_BUDGET, latency="latency_ratio")
    if final_pick is None:  # no candidate met the budget: keep the default settings (1x the default, by definition)
        final_params = {}
        final_valid_rmse = float(family_scores.set_index("family").loc["xgboost", "rmse"])
    else:
        final_params = {k: (int(final_pick[k]) if k in ("n_estimators", "max_depth", "min_child_weight")
                            else float(final_pick[k])) for k in modeling.XGBOOST_SEARCH_SPACE}
        final_valid_rmse = float(final_pick["rmse"])
    final_model = cache.cached_call(modeling.FITTED_MODEL_CACHE, modeling.fit_model, "xgboost", dev, **final_params)
    final_predictions = final_model.predict(test)
    final_metrics = evaluation.regression_metrics(test["price_usd"], final_predictions)
    final_rule = modeling.make_model("era_rarity").fit(dev, dev["price_usd"])
    final_floor = evaluation.noise_floor_comparison(test, final_predictions, final_rule.predict(test))
    # claims about new cards are measured on cards the model never saw (grouped by card)
    _new_card = ~test["card_id"].isin(set(dev["card_id"])).to_numpy()
    _released_late = (test["release_date"] > dev["listing_date"].max()).to_numpy()
    final_new_cards = {"listings": int(_new_card.sum()),
                       "new_set_share": float(_released_late[_new_card].mean()) if _new_card.any() else float("nan"),
                       "new_rmse": evaluation.rmse(test["price_usd"][_new_card], final_predictions[_new_card]),
                       "seen_rmse": evaluation.rmse(test["price_usd"][~_new_card], final_predictions[~_new_card])}
    # the course's reference settings, trained on the same rows and scored on the same test set
    # (the very fit Module 4 evaluates: modeling.reference_price_model() reads it from the same cache)
    _reference = cache.cached_call(modeling.FITTED_MODEL_CACHE, modeling.fit_model, "xgboost", dev,
                                   **modeling.TUNED_XGBOOST_PARAMS)
    reference_test_rmse = evaluation.rmse(test["price_usd"], _reference.predict(test))
    return (
        final_floor,
        final_metrics,
        final_model,
        final_new_cards,
        final_params,
        final_pick,
        final_predictions,
        final_valid_rmse,
        reference_test_rmse,
    )


@app.cell
def _(
    EXPERIMENT,
    dev,
    final_metrics,
    final_model,
    final_params,
    modeling,
    run_key,
    tracking,
):
    final_run_id, _ = tracking.log_run_once(
        "final model", fingerprint=f"{run_key}-final-{sorted(final_params.items())}", model=final_model,
        params={"family": "xgboost", **final_params},
        metrics={k: v for k, v in final_metrics.items() if k in ("rmse", "mae", "bias")},
        tags={"stage": "final", "module": "3", "run_key": run_key, "evaluated_on": "test (latest 20%)",
              "latency_budget": modeling.LATENCY_BUDGET},
        training_data=dev, experiment=EXPERIMENT)
    return (final_run_id,)


@app.cell(hide_code=True)
def _(
    dev,
    final_floor,
    final_metrics,
    final_new_cards,
    final_params,
    final_pick,
    final_run_id,
    final_valid_rmse,
    mo,
    modeling,
    reference_test_rmse,
    test,
    train_sample,
):
    _settings = (f"Settings `{final_params}` (the best candidate at {final_pick['latency_ratio']:.2f}x, within "
                 f"{modeling.LATENCY_BUDGET:g}x)" if final_pick is not None else
                 f"No candidate met the {modeling.LATENCY_BUDGET:g}x budget, so the default settings")
    _versus = ("better than" if reference_test_rmse < final_metrics["rmse"] - 0.005 else
               "worse than" if reference_test_rmse > final_metrics["rmse"] + 0.005 else "the same as")
    mo.md(rf"""
    {_settings}, trained on all {len(dev):,} development rows: test RMSE
    **\${final_metrics['rmse']:.2f}**, MAE \${final_metrics['mae']:.2f}. Its validation RMSE was
    \${final_valid_rmse:.2f}, and the two differ for three reasons at once: the final model trained on
    {len(dev) / len(train_sample):.1f} times as many rows (which helps), it is scored on a later period (the market kept moving:
    the trees price every date after their data as its last day), and the validation number was the
    winner of a search (section 7: it flatters). The era x rarity rule scores
    \${final_floor['baseline_rmse']:.2f} on the same test rows and the noise floor is
    \${final_floor['floor_rmse']:.2f}: the model closes **{final_floor['gap_closed']:.0%}** of the
    gap between the rule and the best possible model, and is
    {final_floor['model_to_floor_ratio']:.2f}x the floor. Logged as run `{final_run_id[:8]}`.

    On new cards (listings of a card that appears nowhere in the development rows:
    {final_new_cards['listings']:,} of the {len(test):,} test listings, {final_new_cards['new_set_share']:.0%} of
    them from sets released after the development period) its RMSE is
    \${final_new_cards['new_rmse']:.2f}, against \${final_new_cards['seen_rmse']:.2f} on cards it has seen. That
    comparison, a group of cards the model never trained on, is the honest one for a claim about new cards.

    Module 4 evaluates the course's reference configuration,
    `modeling.TUNED_XGBOOST_PARAMS = {modeling.TUNED_XGBOOST_PARAMS}`, trained on the same
    {len(dev):,} rows and scored on this same test set (`modeling.reference_price_model()`). It is a
    fixed setting (the comment above it in `mlcourse/modeling.py` says where it came from), so its
    numbers do not depend on how busy your machine was during the search above. Its test RMSE is
    **\${reference_test_rmse:.2f}**, {_versus} this section's \${final_metrics['rmse']:.2f}. Same
    training rows, same test rows: the difference is the settings alone.
    """)
    return


@app.cell(hide_code=True)
def _(mo, tracking):
    mo.md(rf"""
    ### Registering the model you ship

    A run is an experiment; a **registered model** is a product. MLflow's model registry keeps
    a name (`{tracking.MODEL_NAME}`), numbered **versions** (each pointing at the model logged
    with one run), and **aliases**: movable labels such as `{tracking.CHAMPION}` for the version in
    production. A service loads the model by alias, never by run id, so promoting a new model is
    moving the alias, and rolling back is moving it back (`tracking.set_alias`): no redeploy, and
    the registry remembers who was champion when.
    """)
    return


@app.cell
def _(final_predictions, final_run_id, np, run_key, test, tracking):
    champion = tracking.register_model(final_run_id, tags={"run_key": run_key})
    champion_model = tracking.load_registered_model()  # models:/card-price-model@champion
    registered_diff = float(np.max(np.abs(champion_model.predict(test) - final_predictions)))
    registry_versions = tracking.model_versions()
    return champion, registered_diff, registry_versions


@app.cell(hide_code=True)
def _(champion, mo, registered_diff, registry_versions, tracking, ui):
    mo.vstack([
        mo.md(f"""
    The final model is version **{champion['version']}** of `{champion['name']}`, and the alias
    `{tracking.CHAMPION}` points at it (`tracking.register_model`, which makes no new version when
    the same run is registered again). This is how a service loads it, by the alias's URI,
    `{tracking.registered_model_uri()}`:
    """),
        ui.code_block('from mlcourse import tracking\n\n'
                      'model = tracking.load_registered_model()  # the version the alias points at'),
        mo.md("""
    `mlflow.sklearn.load_model` would load it too, but it trusts the list of Python types that the
    artifact itself records, so an edited artifact could vouch for any code it likes. The course's
    loader ignores that record: it loads only the types fixed in its own code
    (`tracking.TRUSTED_SKOPS_TYPES`) and refuses an artifact that holds any other.
    """),
        mo.md(f"""
    Loaded that way, it predicts the test set {"exactly as" if registered_diff == 0 else
    f"within {registered_diff:.2g} dollars of"} the model logged with the run. Every version
    registered so far:
    """),
        registry_versions,
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
def _(cv_summary, dev, mo, modeling, test, ui):
    _s = cv_summary.set_index("scheme")
    ui.pause_and_think(
        "Your validation accuracy is 90% but test accuracy is 70%. What happened?",
        mo.md(rf"""
    The validation number was optimistic, the test number is closer to the truth, and the
    usual reasons are: **leakage between training and validation** that the test set does
    not share (validation split at random, so the same card sits on both sides, while the
    test set holds later listings and new cards: here shuffled k-fold said
    \${_s.loc['k-fold', 'mean_rmse']:.2f} and folds grouped by card
    \${_s.loc['grouped by card', 'mean_rmse']:.2f}; this module's test set is the latest period, and
    {1 - modeling.card_overlap(dev, test):.0%} of its listings are of cards never seen in development);
    **selection on validation** (after a hundred comparisons, the winner is partly lucky:
    the validation score of the best of many is biased low, section 7); a **distribution shift**
    (the test period is later: the time-based folds scored \${_s.loc['time-based', 'mean_rmse']:.2f});
    a **small validation set** with a large spread; or a preprocessing step fitted on all data.
    Check the split first, then the number of decisions made on validation.
    """), number=1)
    return


@app.cell(hide_code=True)
def _(family_scores, mo, ui):
    _f = family_scores.set_index("family")
    ui.pause_and_think(
        "When would you choose a linear model (ridge) over XGBoost, even if XGBoost is more accurate?",
        mo.md(rf"""
    When something else matters more than the last bit of accuracy: **explanations** (a
    linear model on log price says "a reverse holo multiplies the price by x", which a
    seller disputing a price can check; regulators may require it); **robustness** (no
    surprising jumps, monotone and predictable behaviour outside the training range);
    **size and latency** (a few hundred coefficients fit anywhere, even in a phone app);
    **little data**; or when the accuracy gap does not matter to the decision. Here the gap
    is large (linear \${_f.loc['linear', 'rmse']:.2f}, xgboost \${_f.loc['xgboost', 'rmse']:.2f}),
    so the linear model would need a strong reason; on a task where the features already
    carry the structure, the gap is often small. Exercise 3.2 asks you to make this call.
    """), number=2)
    return


@app.cell(hide_code=True)
def _(curse, mo, search_results, ui):
    ui.pause_and_think(
        "You're tuning hyperparameters. Should you use test data to select the best model? Why not?",
        mo.md(rf"""
    No. The test set is there to estimate how the chosen model will do on data nobody
    looked at. Each time you choose using it, some of its noise leaks into the choice and
    the estimate becomes optimistic: pick the best of {len(search_results)} candidates on the
    test set and you report the luckiest of {len(search_results)} draws (section 7 measured that
    luck on validation: about \${curse['bootstrap_optimism']:.2f} of RMSE on average). Select on
    validation data (or cross-validation), touch the test set once at the end, and if you must
    iterate after that, set aside a fresh test set. In a team, keep the test labels where the
    tuning code cannot read them.
    """), number=3)
    return


@app.cell(hide_code=True)
def _(final_metrics, mo, ui):
    ui.pause_and_think(
        "Your model is 90% accurate but your PM is unhappy. What might you be missing?",
        mo.md(rf"""
    That the metric is not the goal. The average hides where the errors fall: our final
    model is within \$5 on {final_metrics['within_5_usd']:.0%} of listings and has an RMSE of
    \${final_metrics['rmse']:.2f}, but if the remaining errors sit on the most expensive cards,
    those are exactly the ones the business cares about (Module 4 breaks the errors down by
    segment to find out). Other usual misses: the model is too slow for the product; it cannot
    explain itself to the users who must trust it; it is biased in one direction (under-pricing
    loses sellers, over-pricing loses buyers; section 3 showed why a model of log price
    under-prices on average); it fails on new releases; or the PM wanted a decision (flag this
    listing) and got a number. Ask what decision the model feeds and what an error costs, then
    measure that.
    """), number=4)
    return


@app.cell(hide_code=True)
def _(curve_sizes, learning_curves, mo, search_results, search_seconds, ui):
    _x = learning_curves[(learning_curves["model"] == "xgboost") & (learning_curves["data"] == "validation")]
    ui.pause_and_think(
        "Training takes 8 hours. How do you experiment efficiently?",
        mo.md(rf"""
    Make most experiments cheap and only the last one expensive. **Learn on samples first**:
    the learning curve shows how much data an answer needs (xgboost here went from
    \${_x['rmse'].iloc[0]:.2f} on {curve_sizes[0]:,} rows to \${_x['rmse'].iloc[-1]:.2f} on
    {curve_sizes[-1]:,}; the ranking of ideas often shows up on a fraction). **Use budgets**:
    random search or successive halving instead of grids, early stopping on a validation set.
    **Cache** what does not change (features, preprocessed matrices, fitted models: this
    notebook reads its fits back from `outputs/cache/` when it is reopened). **Run in parallel**
    and **track everything**, so no experiment is run twice because nobody remembers its
    result. Estimate before you start: this notebook's search spent {search_seconds:.1f} s fitting
    its {len(search_results)} candidates, so you can predict what ten times more will cost. And ask
    whether 8 hours is necessary at all: a smaller model on better features is often as good.
    """), number=5)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Key takeaways

    - **Baselines first**: a constant and a business rule tell you whether ML is worth it
      and catch broken pipelines. Here, the noise floor tells you how much is left to win.
    - **One split for every model, in time**, the test set locked until the end. Compare accuracy,
      fit time and latency together.
    - **A model of log price predicts a median.** Correct it (a smearing factor, estimated out of
      fold) wherever dollars are summed or averaged.
    - **The cross-validation scheme is a claim about production.** Grouped by the unit that
      arrives new (a card, or a whole set); time-based when the world moves, read beside
      folds of the same sizes so that less training data is not mistaken for a moving market.
    - **Learning curves** say whether to get more data, a more flexible model or more
      regularisation, before you pay for any of them.
    - **Track every run** with its parameters, metrics, data hash, code version and model, and
      **register** the one you ship under an alias a service can load. A local MLflow store needs
      no server.
    - **Tune with a budget** on validation data; choose the best model that meets the
      latency budget, not the best model; and expect its validation score to flatter it.
    - **Reproducible means rebuildable**: seeds, versions and data hash recorded with the model.

    **Next:** open `exercises/exercises_03.py`: write k-fold cross-validation from scratch
    and check it against scikit-learn (3.1), choose a model for a business constraint and
    explain it to a stakeholder (3.2), and tune a model to the best score within a latency
    budget (3.3). Then Module 4, evaluation.
    """)
    return


if __name__ == "__main__":
    app.run()
