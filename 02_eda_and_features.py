import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="Module 2: EDA and feature engineering",
)


@app.cell
def _():
    import inspect

    import altair as alt
    import marimo as mo
    import numpy as np
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression, Ridge
    from sklearn.metrics import r2_score
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from mlcourse import dataset, eda, features, leakage, reference

    return (
        ColumnTransformer,
        LinearRegression,
        OneHotEncoder,
        Pipeline,
        Ridge,
        SimpleImputer,
        StandardScaler,
        TimeSeriesSplit,
        alt,
        cross_val_score,
        dataset,
        eda,
        features,
        inspect,
        leakage,
        mo,
        np,
        pd,
        r2_score,
        reference,
    )


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Module 2: Exploratory analysis, feature engineering, and leakage

    **Time:** 3 to 3.5 hours, plus about an hour for the exercises.

    **Why this module matters.** Good features beat clever algorithms, and a single leaky
    feature beats them all, on paper. Exploration tells you what drives the target and what
    is broken in the data; feature engineering turns that knowledge into columns a model
    can use; and leakage, information the model will not have at prediction time, is the
    most common reason a model that validated brilliantly fails in production. This module
    measures all three on the card market.

    **You will learn to**

    1. explore a heavy-tailed target, its drivers, correlations and missingness, and choose
       a scale for it;
    2. engineer ratios, bins, date features, interactions and target encodings, and avoid
       their traps (the Defense = 0 division, the in-sample encoding);
    3. recognise four kinds of leakage, measure how much each one inflates a validation
       score, and test a pipeline for leaks by its behaviour;
    4. build a scikit-learn `Pipeline` with a `ColumnTransformer` from scratch, and
       cross-validate it without leaking.

    **You need** Module 1 (the clean listings table and what its columns mean) and
    Module 0's framing: we price card listings. Every number on this page is computed from
    the course dataset when the notebook runs.
    """)
    return


@app.cell
def _(dataset, np):
    listings = dataset.load_listings()
    log_price = np.log(listings["price_usd"])
    return listings, log_price


@app.cell
def _(listings, log_price, np, pd):
    _price = listings["price_usd"]
    _sorted = _price.sort_values(ascending=False)
    _top = _sorted.iloc[: len(_sorted) // 100]
    _squares = (_price - _price.mean()) ** 2
    price_facts = {
        "n": len(_price), "mean": _price.mean(), "median": _price.median(), "p99": _price.quantile(0.99),
        "max": _price.max(), "min": _price.min(), "skew": _price.skew(), "log_skew": log_price.skew(),
        "top1_value_share": _top.sum() / _price.sum(),
        "top1_variance_share": _squares.loc[_top.index].sum() / _squares.sum(),
    }
    _linear_counts, _linear_edges = np.histogram(_price, bins=60)
    linear_histogram = pd.DataFrame({"price from ($)": _linear_edges[:-1], "price to ($)": _linear_edges[1:],
                                      "listings": _linear_counts})
    _log_counts, _log_edges = np.histogram(np.log10(_price), bins=60)
    log_histogram = pd.DataFrame({"price from ($)": 10 ** _log_edges[:-1], "price to ($)": 10 ** _log_edges[1:],
                                   "listings": _log_counts})
    return linear_histogram, log_histogram, price_facts


@app.cell
def _(eda, listings):
    noise_band = eda.noise_band(listings)
    return (noise_band,)


@app.cell(hide_code=True)
def _(mo, price_facts):
    mo.md(f"""
    ## 1. Exploring the card market

    ### 1.1 The price: a heavy tail, and why we model its logarithm

    {price_facts['n']:,} listings, from \\${price_facts['min']:,.2f} to \\${price_facts['max']:,.2f}.
    The mean price is \\${price_facts['mean']:,.2f} but the median is \\${price_facts['median']:,.2f}:
    a few expensive cards pull the mean up. The most expensive 1% of listings (above about
    \\${price_facts['p99']:,.0f}) carry **{price_facts['top1_value_share']:.0%} of all the money**
    and {price_facts['top1_variance_share']:.0%} of the price's variance. The skewness is
    {price_facts['skew']:.1f} (0 is symmetric); on the log scale it is
    {price_facts['log_skew']:.2f}.
    """)
    return


@app.cell
def _(alt, linear_histogram, log_histogram, mo):
    _linear = alt.Chart(linear_histogram).mark_rect().encode(
        x=alt.X("price from ($):Q", title="price ($)"), x2="price to ($):Q", y=alt.Y("listings:Q"),
        y2=alt.datum(0),
        tooltip=["price from ($)", "price to ($)", "listings"],
    ).properties(width=300, height=200, title="Linear scale: one bar holds most listings")
    _log = alt.Chart(log_histogram).mark_rect().encode(
        x=alt.X("price from ($):Q", title="price ($, log scale)", scale=alt.Scale(type="log")),
        x2="price to ($):Q", y=alt.Y("listings:Q"), y2=alt.datum(0),
        tooltip=[alt.Tooltip("price from ($):Q", format="$,.2f"), alt.Tooltip("price to ($):Q", format="$,.2f"),
                 "listings"],
    ).properties(width=300, height=200, title="Log scale: the shape appears")
    mo.hstack([_linear, _log])
    return


@app.cell(hide_code=True)
def _(mo, noise_band):
    mo.md(f"""
    Three reasons to model **log(price)** rather than the price:

    - **Prices are multiplicative.** A reverse holo is worth a multiple of the normal card, a
      played card a fraction of a mint one, whatever the card. On the log scale those
      effects add up, which is what linear models and tree ensembles handle best.
    - **Errors become relative.** Missing by five dollars on a ten-dollar card is bad; on a
      card worth thousands it is excellent. A squared error on dollars is dominated by the top 1%; on the log scale
      every card counts.
    - **The noise is relative too.** The course knows each listing's noise-free price: two
      sales in three land between {noise_band['p16'] - 1:+.0%} and {noise_band['p84'] - 1:+.0%} of
      it, and 95% between {noise_band['p2.5'] - 1:+.0%} and {noise_band['p97.5'] - 1:+.0%}, on a
      \\$1 card as on a \\$1,000 one: a band in percent (a standard deviation of
      {noise_band['log_sd']:.2f} on the log scale), not in dollars.

    The price of the choice: predict `log(price)` and you get the median price back with
    `exp()`, not the mean. Every model in this course predicts `log(price_usd)`.

    ### 1.2 What drives the price: rarity, era, species
    """)
    return


@app.cell
def _(eda, mo):
    group_picker = mo.ui.dropdown(options=eda.PRICE_BY_OPTIONS, value="rarity", label="Price by")
    group_picker
    return (group_picker,)


@app.cell
def _(eda, group_picker, listings):
    price_by_group = eda.price_by(listings, group_picker.value)
    eda.price_by_chart(price_by_group, group_picker.value)
    return (price_by_group,)


@app.cell(hide_code=True)
def _(eda, group_picker, mo, price_by_group):
    mo.md(eda.describe_price_by(price_by_group, group_picker.value) + " Try each grouping in the dropdown.")
    return


@app.cell
def _(eda, listings, mo):
    _min_listings = 50
    _species = eda.species_premium(listings, min_listings=_min_listings)
    _raw_top = _species.loc[_species["median price ($)"].idxmax()]
    species_top = _species.head(10)
    _top = species_top.iloc[0]
    _pokemon_median = listings.loc[listings["supertype"].eq("Pokemon"), "price_usd"].median()
    _mixed = eda.raw_median_caveat(_species)
    mo.vstack([
        mo.md(f"""
    **Species.** {listings['species'].nunique()} species appear. Among those with at least
    {_min_listings} listings, the highest raw median belongs to {_raw_top['species']}
    (\\${_raw_top['median price ($)']:,.2f}, against \\${_pokemon_median:,.2f} for the median
    Pokemon listing), {_mixed}. Compare like for like instead: each listing against the median
    of listings of the same era, rarity, finish and grading status. Then
    {_top['species']} sells at {_top['premium']:.1f}x its peers, {species_top['species'].iloc[1]} at
    {species_top['premium'].iloc[1]:.1f}x and {species_top['species'].iloc[2]} at
    {species_top['premium'].iloc[2]:.1f}x. Collectors pay for *which* Pokemon it is, and no
    stat on the card says so: keep that in mind for exercise 2.3.
    """),
        species_top.round(2),
    ])
    return


@app.cell
def _(LinearRegression, listings, log_price, pd):
    _stats = ["hp", "attack", "defense", "speed", "base_stat_total", "generation"]
    _numeric = listings[_stats].astype("float64").assign(log_price=log_price)
    pearson = _numeric.corr(method="pearson")
    spearman = _numeric.corr(method="spearman")
    _complete = _numeric.dropna()
    bst_r2 = float(LinearRegression().fit(_complete[_stats[:4]], _complete["base_stat_total"]).score(
        _complete[_stats[:4]], _complete["base_stat_total"]))
    correlation_long = pd.concat([
        pearson.stack().rename("correlation").reset_index().assign(method="Pearson (linear)"),
        spearman.stack().rename("correlation").reset_index().assign(method="Spearman (rank)"),
    ]).rename(columns={"level_0": "x", "level_1": "y"})
    return bst_r2, correlation_long, pearson


@app.cell
def _(alt, bst_r2, correlation_long, mo, pearson):
    _order = list(pearson.columns)

    def _heatmap(method: str):
        _data = correlation_long[correlation_long["method"].eq(method)]
        _base = alt.Chart(_data).encode(x=alt.X("x:N", sort=_order, title=None),
                                        y=alt.Y("y:N", sort=_order, title=None))
        _cells = _base.mark_rect().encode(
            color=alt.Color("correlation:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1])),
            tooltip=["x", "y", alt.Tooltip("correlation:Q", format=".2f")])
        _labels = _base.mark_text(fontSize=9).encode(text=alt.Text("correlation:Q", format=".2f"))
        return (_cells + _labels).properties(width=220, height=220, title=method)

    _with_price = pearson["log_price"].drop("log_price")
    _four = ["hp", "attack", "defense", "speed"]
    _stat_links = pearson.loc["base_stat_total", _four]
    mo.vstack([
        mo.md(f"""
    ### 1.3 Correlations

    Pearson correlation measures a linear relation, Spearman a monotonic one (on ranks).
    HP and Defense correlate at **{pearson.loc['hp', 'defense']:.2f}**: related, far from
    redundant. The strong links are built in: `base_stat_total` is the *sum* of a species'
    six game stats, four of which are columns here (the other two, special attack and
    special defense, are not in the data). So it correlates at {_stat_links.min():.2f} to
    {_stat_links.max():.2f} with each of the four, and together they explain
    R² = {bst_r2:.2f} of it: largely, not exactly, redundant. And no stat says much about
    the price: the strongest linear correlation
    with log price is {_with_price.abs().max():.2f} ({_with_price.abs().idxmax()}). A weak
    correlation does not make a feature useless (question 5 below).
    """),
        alt.hconcat(*(_heatmap(m) for m in correlation_long["method"].unique())),
    ])
    return


@app.cell
def _(mo):
    scatter_feature = mo.ui.dropdown(options=["hp", "attack", "defense", "speed", "base_stat_total"],
                                     value="hp", label="Plot against log price")
    scatter_feature
    return (scatter_feature,)


@app.cell
def _(alt, listings, np, reference, scatter_feature):
    _n = 2_000
    _sample = listings[listings["supertype"].eq("Pokemon")].sample(_n, random_state=0)
    _points = _sample.assign(x=_sample[scatter_feature.value].astype("float64"),
                             log10_price=np.log10(_sample["price_usd"]))[["x", "log10_price", "rarity"]]
    alt.Chart(_points).mark_circle(size=12, opacity=0.4).encode(
        x=alt.X("x:Q", title=scatter_feature.value), y=alt.Y("log10_price:Q", title="log10(price)"),
        color=alt.Color("rarity:N", sort=reference.RARITY_ORDER), tooltip=["x", "log10_price", "rarity"],
    ).properties(width=460, height=260, title=f"{scatter_feature.value} against price ({_n:,} Pokemon listings)")
    return


@app.cell
def _(listings, pd):
    _pokemon = listings["supertype"].eq("Pokemon")
    _graded = listings["graded"]
    _columns = [c for c in listings.columns if listings[c].isna().any()]
    missingness = pd.DataFrame([{
        "column": c,
        "missing overall": listings[c].isna().mean(),
        "missing, Pokemon cards": listings.loc[_pokemon, c].isna().mean(),
        "missing, Trainer and Energy": listings.loc[~_pokemon, c].isna().mean(),
        "missing, graded": listings.loc[_graded, c].isna().mean(),
        "missing, ungraded": listings.loc[~_graded, c].isna().mean(),
    } for c in _columns])
    structural = {
        "species": listings["species"].isna().equals(~_pokemon),
        "grade": listings["grade"].isna().equals(~_graded),
        "condition": listings["condition"].isna().equals(_graded),
    }
    return missingness, structural


@app.cell
def _(eda, listings, missingness, mo, structural):
    defense_zero_facts = eda.defense_zero_facts(listings)
    _yes = {True: "exactly", False: "NOT exactly"}
    _nonzero = defense_zero_facts["share_nonzero_elsewhere"]
    _same = defense_zero_facts["share_same_total"]
    _conclusion = ("The Defense existed and the source lost it: 0 is the source's placeholder for \"not "
                   "recorded\"." if min(_nonzero, _same) > 0.9 else
                   "The other cards do not settle it for every species: check the source before trusting a 0.")
    mo.vstack([
        mo.md("""
    ### 1.4 Missingness patterns

    Where values are missing, and for whom, tells you whether a gap is an error or a fact.
    """),
        missingness.round(3),
        mo.md(f"""
    Every gap here is **structural**: `species` (and every stat) is missing
    {_yes[structural['species']]} for Trainer and Energy cards, `grade` and `grader`
    {_yes[structural['grade']]} for ungraded cards, `condition` {_yes[structural['condition']]}
    for graded ones. These are not values to impute with a mean: "no species" is a fact, best
    kept as its own category (or left as NaN for a tree model, with an indicator for a
    linear one).

    One gap hides as a value: **Defense = 0** on {defense_zero_facts['listings']:,} Pokemon
    listings ({defense_zero_facts['share']:.1%}, {defense_zero_facts['cards']} cards of
    {defense_zero_facts['species']} species). A species has the same stats on every card, so
    compare with the same species' other cards: for {_nonzero:.0%} of these species the other
    cards' Defense is not 0, and for {_same:.0%} the base stat total, which counts the Defense,
    is the same as on the Defense-0 card. {_conclusion} Section 2.1 shows what it does to a ratio.
    """),
    ])
    return (defense_zero_facts,)


@app.cell
def _(LinearRegression, SimpleImputer, listings, log_price, np):
    naive_ratio = listings["attack"].astype("float64") / listings["defense"].astype("float64")
    ratio_infinities = int(np.isinf(naive_ratio).sum())
    try:
        LinearRegression().fit(naive_ratio.fillna(0).to_frame(), log_price)
        naive_fit_error = "none: the model trained"
    except ValueError as _exc:
        naive_fit_error = str(_exc).splitlines()[0]
    try:
        SimpleImputer(strategy="mean").fit(naive_ratio.to_frame())
        imputer_error = "none: the imputer fitted"
    except ValueError as _exc:
        imputer_error = str(_exc).splitlines()[0]
    # pandas is not as strict: the mean of a column with an infinity is infinity, and fillna uses it.
    pandas_mean_fill = {"mean": float(naive_ratio.mean()),
                        "filled": int(naive_ratio.isna().sum()),
                        "infinite after": int(np.isinf(naive_ratio.fillna(naive_ratio.mean())).sum())}
    return (
        imputer_error,
        naive_fit_error,
        naive_ratio,
        pandas_mean_fill,
        ratio_infinities,
    )


@app.cell
def _(
    defense_zero_facts,
    features,
    imputer_error,
    inspect,
    listings,
    mo,
    naive_fit_error,
    naive_ratio,
    pandas_mean_fill,
    ratio_infinities,
):
    _safe = features.safe_ratio(listings["attack"], listings["defense"])
    mo.md(f"""
    ## 2. Feature engineering patterns

    ### 2.1 Ratios, and the Defense = 0 trap

    An "attack to defense" ratio describes a Pokemon's profile in one number. Computed
    naively, `attack / defense` gives **{ratio_infinities:,} infinite values** (the
    {defense_zero_facts['listings']:,} Defense-0 listings) and {int(naive_ratio.isna().sum()):,}
    NaN (no stats). Fitting even a plain linear regression on it fails:

    > `{naive_fit_error}`

    scikit-learn's `SimpleImputer(strategy="mean")` refuses it for the same reason
    (`{imputer_error}`). pandas does not: `ratio.fillna(ratio.mean())` runs, the mean is
    {pandas_mean_fill['mean']}, and the column now has {pandas_mean_fill['infinite after']:,}
    infinite values instead of {ratio_infinities:,}. Worse still, some libraries turn
    infinity into the largest float without a word, and the model learns from a nonsense
    value. The course's shared feature code divides safely,
    returning NaN where the denominator is 0 or missing (it has
    {int(_safe.isna().sum()):,} NaN and no infinity):

    ```python
    {inspect.getsource(features.safe_ratio)}
    ```

    Then decide what NaN means for the model: a tree handles it; for a linear model impute
    it, and add a 0/1 column "defense was recorded" so the model can tell an imputed value
    from a real one.
    """)
    return


@app.cell
def _(eda, listings, np, pd):
    _sv = listings[listings["era"].eq("sv") & ~listings["graded"]].copy()
    _sv["days"] = (_sv["listing_date"] - _sv["release_date"]).dt.days
    _sv["log_price"] = np.log(_sv["price_usd"])
    _sv["above_usual"] = _sv["log_price"] - _sv.groupby("card_id")["log_price"].transform("median")
    _bins = [-1, 7, 30, 90, 365, 10_000]
    _labels = ["first week", "8 to 30 days", "31 to 90 days", "91 days to a year", "over a year"]
    release_premium = (_sv.groupby(pd.cut(_sv["days"], _bins, labels=_labels), observed=True)
                       .agg(listings=("price_usd", "size"), median_log_gap=("above_usual", "median"))
                       .reset_index().rename(columns={"days": "days since release"}))
    release_premium["premium"] = np.exp(release_premium["median_log_gap"]) - 1
    market_by_month = eda.market_level(listings, ["wotc", "swsh"])
    return market_by_month, release_premium


@app.cell
def _(alt, market_by_month, mo, release_premium):
    _first, _late = release_premium.iloc[0], release_premium.iloc[-1]
    _levels = market_by_month.set_index("month")
    _wotc = _levels[_levels["era"].eq("wotc")]["smoothed"]
    _modern = _levels[_levels["era"].eq("swsh")]["smoothed"]
    _shared = _wotc.index.intersection(_modern.index)
    _swing_old = _wotc[_shared].max() / _wotc[_shared].min()
    _swing_new = _modern[_shared].max() / _modern[_shared].min()
    _peak = _wotc.idxmax()
    _after = _wotc[_wotc.index > _peak]
    _trough = _after.idxmin() if len(_after) else _peak
    mo.vstack([
        mo.md(f"""
    ### 2.2 Binning and date features

    A date is not a feature; what it means is. Two examples from this market.

    **Days since release.** For Scarlet & Violet cards, compare each listing with the same
    card's usual (median) price. In the first week after a set's release, cards sell
    **{_first['premium']:.0%} above** their usual price; after a year the gap is
    {_late['premium']:.0%}. The effect is steep and short, so a raw day count in a linear
    model misses it: bin the days (as below), or transform them (`exp(-days / 30)`).
    """),
        alt.Chart(release_premium).mark_bar().encode(
            x=alt.X("days since release:N", sort=None), y=alt.Y("premium:Q", axis=alt.Axis(format="%"),
                                                                 title="above the card's usual price"),
            tooltip=["days since release", "listings", alt.Tooltip("premium:Q", format=".1%")],
        ).properties(width=420, height=180, title="New-release premium, Scarlet & Violet"),
        mo.md(f"""
    **The market's mood.** A plain monthly median price mixes the market with *which* cards
    were listed that month. Compare each listing with the same card's usual price instead,
    and take the median per month (smoothed over three months, because one month of
    listings is noisy): Wizards-era cards sold at {_wotc.iloc[0]:.2f}x their usual price
    in {_wotc.index[0]:%B %Y}, peaked at {_wotc.max():.2f}x around {_peak:%B %Y}, fell to
    {_after.min() if len(_after) else _wotc.max():.2f}x by {_trough:%B %Y}, and stood at
    {_wotc.iloc[-1]:.2f}x in {_wotc.index[-1]:%B %Y}. Over the months both were listed (from
    {_shared[0]:%B %Y}), the vintage level swung by a factor of {_swing_old:.2f} between its
    high and its low, the Sword & Shield level by {_swing_new:.2f}: the same market mood, felt
    {"far more strongly by vintage cards" if _swing_old - 1 > 2 * (_swing_new - 1) else "by both eras"}. A linear
    trend on the listing date cannot follow a boom and a slump. Useful date features: the
    month or quarter as a category, or a market level computed from **past** sales only
    (section 3 shows what happens when it is not).
    """),
        alt.Chart(market_by_month).mark_line().encode(
            x=alt.X("month:T"), y=alt.Y("smoothed:Q", scale=alt.Scale(type="log"),
                                        title="price / the card's usual price (log)"),
            color=alt.Color("era:N"), tooltip=["era", "month:T", "listings",
                                               alt.Tooltip("smoothed:Q", format=".2f")],
        ).properties(width=480, height=200, title="The market level, like for like: Wizards era and Sword & Shield"),
    ])
    return


@app.cell
def _(leakage):
    split_train, split_valid = leakage.demo_split()
    return split_train, split_valid


@app.cell
def _(leakage, np, pd, split_train, split_valid):
    _train_log = pd.Series(leakage.log_price(split_train))
    _in_sample = _train_log.groupby(split_train["card_id"].to_numpy()).transform("mean")
    _encoder = leakage.seeded_target_encoder()
    _cross_fitted = _encoder.fit_transform(split_train[["card_id"]], _train_log).ravel()
    encoding_facts = {
        "train_cards": split_train["card_id"].nunique(),
        "listings_per_card": float(split_train.groupby("card_id").size().median()),
        "single_listing_share": float((split_train.groupby("card_id").size() == 1).mean()),
        "unseen_valid_share": float((~split_valid["card_id"].isin(split_train["card_id"])).mean()),
        "corr_in_sample": float(np.corrcoef(_in_sample, _train_log)[0, 1]),
        "corr_cross_fitted": float(np.corrcoef(_cross_fitted, _train_log)[0, 1]),
    }
    encoding_scores = pd.DataFrame([
        {"card encoding": "none", "validation R²": leakage.demo_r2(leakage.honest)},
        {"card encoding": "mean price per card, in-sample", "validation R²": leakage.demo_r2(leakage.card_mean_in_sample)},
        {"card encoding": "TargetEncoder, cross-fitted", "validation R²": leakage.demo_r2(leakage.card_mean_cross_fitted)},
    ])
    return encoding_facts, encoding_scores


@app.cell
def _(encoding_facts, encoding_scores, mo, split_train, split_valid):
    _r2 = encoding_scores.set_index("card encoding")["validation R²"]
    mo.vstack([
        mo.md(f"""
    ### 2.3 Target encoding, done right

    Which *card* it is carries information no column has (its artwork, its print run). But
    `card_id` has {encoding_facts['train_cards']:,} values in {len(split_train):,} training
    listings, a median of {encoding_facts['listings_per_card']:.0f}
    listing{"" if encoding_facts['listings_per_card'] == 1 else "s"} per card:
    one-hot encoding it would give a column per card. **Target encoding** replaces each
    category by the mean target of its rows.

    Done naively, in-sample, it backfires: {encoding_facts['single_listing_share']:.0%} of the
    training cards have a single listing, so their "mean price" *is* their own price. On the
    training rows the encoding correlates at {encoding_facts['corr_in_sample']:.3f} with the
    target; the model learns to trust it almost blindly, then meets validation cards whose
    encoding is a noisy average of other sales, or, for
    {encoding_facts['unseen_valid_share']:.0%} of them, no history at all.

    **Cross-fitting** fixes this: scikit-learn's `TargetEncoder.fit_transform` encodes each
    training row with means computed on the *other* folds (so a row never sees its own
    price), and shrinks rare categories towards the overall mean. The training encoding
    then correlates at {encoding_facts['corr_cross_fitted']:.3f}, an honest picture of what
    the model will see.

    To score it, this section and the measurements of section 3 use one split of a fixed sample of
    {len(split_train) + len(split_valid):,} listings: **in time**, never at random. The earliest
    {len(split_train):,} train the model, the latest {len(split_valid):,} validate it, because that
    is how it will be used: trained on the past, pricing listings that come later. A random
    split would let the model learn from sales made after the ones it is scored on (section 3
    measures what such future information does to a score). Validation R² (1 is perfect, 0
    is no better than predicting the average) with each encoding, for a Ridge regression on
    the shared linear features:
    """),
        encoding_scores.round(4),
        mo.md(f"""
    The in-sample encoding makes the model **worse than no encoding**
    ({_r2.iloc[1]:.3f} against {_r2.iloc[0]:.3f}); cross-fitted, the same information lifts
    it to {_r2.iloc[2]:.3f}. One detail matters for reproducibility: `TargetEncoder`
    shuffles its folds, unseeded by default, so two runs give different models. The course
    seeds it (`leakage.seeded_target_encoder()`).
    """),
    ])
    return


@app.cell
def _(eda, listings, log_price, np):
    legendary_premium = eda.premium_by(listings[listings["supertype"].eq("Pokemon")], "is_legendary", by="rarity")
    legendary_correlation = float(np.corrcoef(listings["is_legendary"].astype(float), log_price)[0, 1])
    legendary_share = float(listings["is_legendary"].mean())
    return legendary_correlation, legendary_premium, legendary_share


@app.cell
def _(alt, legendary_correlation, legendary_premium, legendary_share, mo):
    _table = legendary_premium.set_index("rarity")
    _fair, _raw = _table["like for like"], _table["raw premium"]
    _below_raw = list(_raw.index[_raw < 1])
    _raw_note = (f"Raw medians say a legendary {', '.join(_below_raw)} "
                 f"{'sells' if len(_below_raw) == 1 else 'sell'} *below* a non-legendary one "
                 f"(down to {_raw.min():.2f}x), because the two groups come from different eras and finishes. "
                 if _below_raw else "")
    _everywhere = "in every rarity" if (_fair > 1).all() else f"in {int((_fair > 1).sum())} of {len(_fair)} rarities"
    _long = legendary_premium.melt(id_vars="rarity", value_vars=["raw premium", "like for like"],
                                   var_name="comparison", value_name="premium")
    mo.vstack([
        mo.md(f"""
    ### 2.4 Interactions

    Is a legendary Pokemon worth more? Overall, `is_legendary` correlates with log price at
    only **{legendary_correlation:.2f}**. By rarity, the answer depends on how you compare.
    {_raw_note}Like for like (each listing against listings of the same era, rarity, finish
    and grading status), a legendary sells above a non-legendary one {_everywhere}, from
    {_fair.min():.2f}x ({_fair.idxmin()}) to {_fair.max():.2f}x ({_fair.idxmax()}).

    The premium is not the same everywhere: the effect of one feature depends on another,
    an **interaction**. A linear model needs it spelled out, one product column per rarity
    where it differs (`is_legendary * (rarity == "{_fair.idxmax()}")`, ...); a tree ensemble
    can find it, given enough data. And the weak correlation hid a real effect: a premium of
    this size is small next to the spread of prices across rarities and eras, and legendary
    listings are only {legendary_share:.1%} of the total, so over every listing the
    correlation stays small.
    """),
        (alt.Chart(_long).mark_point(filled=True, size=70).encode(
            x=alt.X("premium:Q", scale=alt.Scale(type="log"), title="median price, legendary / non-legendary (log)"),
            y=alt.Y("rarity:N", sort=list(_table.index), title=None),
            color=alt.Color("comparison:N", title=None), shape=alt.Shape("comparison:N", title=None),
            tooltip=["rarity", "comparison", alt.Tooltip("premium:Q", format=".2f")],
        ) + alt.Chart(_long.head(1)).mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(1.0))
         ).properties(width=420, height=260, title="The legendary premium by rarity (dashed: no premium)"),
    ])
    return


@app.cell(hide_code=True)
def _(mo, split_train, split_valid):
    mo.md(f"""
    ## 3. Data leakage, measured

    **Leakage** is information in the training or validation data that will not exist when
    the model makes a real prediction. It inflates the validation score, so the model looks
    better than it is, and the truth arrives in production. Four classic leaks, each built
    into a version of the same pipeline, each next to its honest fix.

    The set-up, identical for all: {len(split_train):,} listings to train on (the earliest,
    up to {split_train['listing_date'].max():%d %B %Y}) and {len(split_valid):,} to validate on
    (the latest, from {split_valid['listing_date'].min():%d %B %Y}), as the model will be used:
    trained on the past, pricing the future. A Ridge regression on `log(price)`, the
    course's shared features, and R² on the validation listings (1 is perfect, 0 is no
    better than predicting the average). Each pipeline is a function
    `fit_predict(train, valid)` in `mlcourse/leakage.py`.
    """)
    return


@app.cell
def _(leakage):
    scoreboard = leakage.scoreboard()
    return (scoreboard,)


@app.cell
def _(alt, pd, scoreboard):
    _long = pd.concat([
        scoreboard[["leak"]].assign(version="leaky", r2=scoreboard["leaky R²"]),
        scoreboard[["leak"]].assign(version="honest fix", r2=scoreboard["honest R²"]),
    ])
    _chart = alt.Chart(_long).mark_bar().encode(
        x=alt.X("r2:Q", title="validation R²", scale=alt.Scale(domain=[0.8, 1.0], clamp=True)),
        y=alt.Y("version:N", title=None), color=alt.Color("version:N", legend=None),
        row=alt.Row("leak:N", title=None, sort=list(scoreboard["leak"]),
                    header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=360)),
        tooltip=["leak", "version", alt.Tooltip("r2:Q", format=".4f")],
    ).properties(width=360, height=40, title="Each leak against its fix")
    _chart
    return


@app.cell
def _(
    dataset,
    mo,
    np,
    preprocessing_parts,
    r2_score,
    scoreboard,
    split_train,
    split_valid,
):
    _single = preprocessing_parts[preprocessing_parts["part"].ne("all") & preprocessing_parts["model"].eq("Ridge")]
    _biggest = _single.loc[_single["largest change in a prediction"].idxmax()]
    _truth = dataset.load_ground_truth().set_index("listing_id").loc[split_valid["listing_id"], "median_price"]
    noise_ceiling_r2 = float(r2_score(np.log(split_valid["price_usd"]), np.log(_truth.to_numpy())))
    _s = scoreboard.set_index("leak")
    _scaler, _encoder, _tier, _month = (_s.iloc[i] for i in range(4))
    _gap = noise_ceiling_r2 - _month["leaky R²"]
    _how_close = (f"within {_gap:.4f} of perfection" if _gap >= 0 else
                  f"{-_gap:.4f} *above* it: no model beats the noise without seeing the prices it predicts")
    mo.vstack([
        scoreboard.drop(columns="fix").round(4),
        mo.md(f"""
    What the four leaks did, measured on this run:

    1. **Preprocessing fitted on train + validation** (imputer medians, scaler means,
       one-hot categories): R² {_scaler['leaky R²']:.4f} against {_scaler['honest R²']:.4f},
       an inflation of {round(_scaler['inflation'], 5) + 0.0:+.5f}. Tiny here: with {len(split_train):,} training
       rows, adding the validation rows barely moves a median, a mean or the list of
       categories. It is still a leak, and section 3.1 takes it apart on a smaller sample,
       where the {_biggest['fitted on train + validation']} alone move a prediction by up to
       {_biggest['largest change in a prediction']:.2f} (on the log scale).
    2. **A target encoding computed on all rows**: {_encoder['leaky R²']:.3f} against
       {_encoder['honest R²']:.3f} for the cross-fitted encoder. Every validation card's
       "average price" includes its own validation prices.
    3. **A feature derived from the price** (a "price tier", the quintile of the sale
       price, the kind of column a data provider adds): {_tier['leaky R²']:.3f} against
       {_tier['honest R²']:.3f}. Anything computed from the target *is* the target.
    4. **Future data**: the card's average price over the listing's calendar month, a
       column from a monthly report. On the day of the listing, the rest of the month has
       not happened, and the average includes the listing itself: {_month['leaky R²']:.3f},
       against {_month['honest R²']:.3f} for the card's average over its *earlier* listings.

    **How good is too good?** Because the course generated the data, it knows each
    listing's noise-free price: a perfect model would reach R² = {noise_ceiling_r2:.4f} on
    these validation listings, and nothing honest gets there with these features. The
    future-data pipeline reports {_month['leaky R²']:.4f},
    {_how_close}. On real data you never see the
    ceiling, so treat a score that jumps after one new feature as a bug until proven
    otherwise.
    """),
    ])
    return (noise_ceiling_r2,)


@app.cell
def _(inspect, leakage, mo):
    mo.ui.tabs({
        demo.leak: mo.md(f"""
    **Leaky:**

    ```python
    {inspect.getsource(demo.leaky)}
    ```

    **Honest ({demo.fix}):**

    ```python
    {inspect.getsource(demo.honest)}
    ```
    """)
        for demo in leakage.LEAK_DEMOS
    })
    return


@app.cell
def _(leakage):
    audit_train, audit_valid = leakage.demo_split(n=2_000)
    audit_results = leakage.audit_table({
        "honest": leakage.honest,
        "preprocessing fitted on train + validation": leakage.scaler_fit_on_all,
        "target encoding on all rows": leakage.card_mean_on_all,
        "target encoding, cross-fitted": leakage.card_mean_cross_fitted,
        "price tier": leakage.price_tier,
        "card's month average (future)": leakage.card_month_mean,
    }, audit_train, audit_valid)
    preprocessing_parts = leakage.preprocessing_leak_parts(audit_train, audit_valid)
    categories_gained = leakage.categories_gained_from_validation(audit_train, audit_valid)
    return (
        audit_results,
        audit_train,
        audit_valid,
        categories_gained,
        preprocessing_parts,
    )


@app.cell
def _(
    audit_results,
    audit_train,
    audit_valid,
    categories_gained,
    mo,
    preprocessing_parts,
):
    _leaky = int((audit_results["verdict"] == "LEAKS").sum())
    _parts = preprocessing_parts.set_index(["part", "model"])

    def _part(part, model):
        return _parts.loc[(part, model), "largest change in a prediction"]

    _categories = _parts.loc[("categories", "Ridge")]
    _r2_move = _categories["validation R²"] - _categories["honest R²"]
    _scores = f"R² {_categories['validation R²']:.4f} against {_categories['honest R²']:.4f}"
    _effect = (f"The leak even *raised* the score here ({_scores}), and it is still a leak: the score describes "
               "a model that could not have been built on the day of training." if _r2_move > 1e-4 else
               f"It lowered the score here ({_scores}): a leak makes a score wrong, whichever way it moves it."
               if _r2_move < -1e-4 else
               f"The score barely moved ({_scores}); the predictions did, which is what the audit sees.")
    _gained = (f"{', '.join(categories_gained)} "
               f"{'is' if len(categories_gained) == 1 else 'are'} frequent enough for a column only with the "
               "validation rows in" if categories_gained else "here no category changed, so the one-hot step is honest")
    mo.vstack([
        mo.md(f"""
    ### 3.1 A test that catches leaks, by behaviour

    Reading code finds leaks you already know. A behavioural test finds the others.
    `leakage.audit(fit_predict, train, valid)` calls the pipeline four times:

    - twice on the same data: the predictions must be identical (seed everything),
      otherwise the next two tests cannot tell a leak from noise;
    - once with the validation **prices shuffled**: the predictions must not move. If they
      do, something was computed from the answers;
    - once with **half the validation rows removed**: the other rows' predictions must not
      move. If they do, a statistic was fitted on validation rows.

    Run on a smaller version of the set-up ({len(audit_train):,} + {len(audit_valid):,} listings), it flags {_leaky} of these
    {len(audit_results)} pipelines, including the preprocessing leak whose effect on the
    score was invisible:
    """),
        audit_results,
        mo.md(f"""
    **Where the preprocessing leak bites.** Refit one part of the preprocessing at a time on
    train + validation, the rest on the training rows (`leakage.preprocessing_leak_parts`),
    for a Ridge regression and for a plain linear regression:
    """),
        preprocessing_parts.drop(columns="part").round(5),
        mo.md(f"""
    The scaler alone moves a Ridge prediction by at most {_part('scaler', 'Ridge'):.5f} (Ridge's
    penalty depends on the scale of each column) and a plain linear regression's by
    {_part('scaler', 'linear regression'):.5f}: a linear regression, like a tree, makes the same
    predictions however its inputs are scaled. The imputer medians move a prediction by at
    most {_part('imputer', 'Ridge'):.5f}. The one-hot step moves one by up to
    {_part('categories', 'Ridge'):.2f}: it decides which categories get a column of their own, and
    the validation rows change that decision ({_gained}). {_effect}

    Exercise 2.2 uses exactly this audit to check your fix of a leaky pipeline. The same
    idea works for a single feature: compute it with the prices shuffled, and with the price
    column removed; a legitimate feature does not change (`leakage.price_dependence`,
    used by exercises 2.1 and 2.3). And for the future: compute it on all the listings and
    on the earliest half alone; a feature you could compute on the day of each listing gives
    the earliest listings the same values both times (`leakage.future_dependence`, used by
    exercise 2.3).
    """),
    ])
    return


@app.cell
def _(features, leakage, listings, mo):
    _sample = listings.sample(2_000, random_state=3)
    _checks = {
        "price per HP point: price_usd / hp": lambda df: df["price_usd"] / df["hp"].astype(float),
        "attack / defense (features.safe_ratio)": lambda df: features.safe_ratio(df["attack"], df["defense"]),
        "is the card cheaper than its set's median? (rank in set)":
            lambda df: df.groupby("set_code")["price_usd"].rank(pct=True),
        "days since release": lambda df: (df["listing_date"] - df["release_date"]).dt.days,
        "listings of the same species in the table (a count)":
            lambda df: df.groupby("species")["listing_id"].transform("size"),
    }
    _rows = [{"feature": name, "depends on the price?": leakage.price_dependence(fn, _sample) or "no",
              "depends on later listings?": leakage.future_dependence(fn, _sample) or "no"}
             for name, fn in _checks.items()]
    mo.vstack([mo.md(f"`price_dependence` and `future_dependence` on {len(_checks)} candidate features:"),
               mo.ui.table(_rows, selection=None)])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 4. Pipelines and ColumnTransformer, from scratch

    Every honest pipeline above has one thing in common: **each statistic is learnt inside
    `fit`, from the rows `fit` receives**. scikit-learn's `Pipeline` and `ColumnTransformer`
    make that the default, and make the same object do training and serving.

    Build it piece by piece:

    1. a `Pipeline` for numbers: impute the median, then scale;
    2. a `Pipeline` for categories: fill a "missing" category, then one-hot (rare categories
       pooled, unseen ones tolerated);
    3. a `TargetEncoder` for the high-cardinality `card_id`;
    4. a `ColumnTransformer` that routes each column list to its transformer;
    5. the whole thing, plus the model, in one `Pipeline`.
    """)
    return


@app.cell
def _(
    ColumnTransformer,
    OneHotEncoder,
    Pipeline,
    Ridge,
    SimpleImputer,
    StandardScaler,
    features,
    leakage,
):
    def build_price_pipeline(card_encoder=None) -> Pipeline:
        """Numbers scaled, categories one-hot, cards target-encoded, then a Ridge regression."""
        numbers = Pipeline([
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
        ])
        categories = Pipeline([
            ("impute", SimpleImputer(strategy="constant", fill_value="missing", keep_empty_features=True)),
            ("one_hot", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20, sparse_output=False)),
        ])
        columns = ColumnTransformer([
            ("numbers", numbers, features.NUMERIC + features.BOOLEAN),
            ("categories", categories, features.CATEGORICAL),
            ("card", card_encoder or leakage.seeded_target_encoder(), ["card_id"]),
        ])
        return Pipeline([("columns", columns), ("model", Ridge(alpha=1.0))])

    def pipeline_inputs(rows):
        """The model's input: the shared features plus the card id."""
        return features.feature_frame(rows).assign(card_id=rows["card_id"].to_numpy())

    return build_price_pipeline, pipeline_inputs


@app.cell
def _(
    build_price_pipeline,
    leakage,
    pipeline_inputs,
    split_train,
    split_valid,
):
    price_pipeline = build_price_pipeline().fit(pipeline_inputs(split_train), leakage.log_price(split_train))
    pipeline_r2 = leakage.validation_r2(split_valid, price_pipeline.predict(pipeline_inputs(split_valid)))
    pipeline_columns = len(price_pipeline.named_steps["columns"].get_feature_names_out())
    price_pipeline
    return pipeline_columns, pipeline_r2


@app.cell(hide_code=True)
def _(mo, pipeline_columns, pipeline_r2, split_train):
    mo.md(f"""
    Fitted on the {len(split_train):,} training listings, the pipeline turns the inputs into
    {pipeline_columns} model columns, and scores R² = {pipeline_r2:.4f} on the validation
    listings (the honest target-encoding row of section 3, rebuilt by hand). `fit` learnt
    every median, mean, category and card encoding from the training rows; `predict`
    reuses them on rows it has never seen. The same object, saved, is what a service loads
    (Module 5): no second implementation of the features, no training/serving skew.
    """)
    return


@app.cell
def _(
    TimeSeriesSplit,
    build_price_pipeline,
    cross_val_score,
    leakage,
    np,
    pd,
    pipeline_inputs,
    split_train,
    split_valid,
):
    _all = pd.concat([split_train, split_valid], ignore_index=True)
    _y = leakage.log_price(_all)
    _folds = TimeSeriesSplit(n_splits=4)
    _honest = cross_val_score(build_price_pipeline(), pipeline_inputs(_all), _y, cv=_folds, scoring="r2")
    # The classic mistake: encode first, on all rows, then cross-validate the model.
    _leaky_inputs = pipeline_inputs(_all).assign(
        card_id=pd.Series(_y).groupby(_all["card_id"].to_numpy()).transform("mean").to_numpy())
    _leaky = cross_val_score(build_price_pipeline(card_encoder="passthrough"), _leaky_inputs, _y, cv=_folds,
                             scoring="r2")
    cv_scores = pd.DataFrame({"fold": np.arange(1, _folds.n_splits + 1), "encoding inside the pipeline": _honest,
                              "encoding computed before the split": _leaky})
    return (cv_scores,)


@app.cell
def _(cv_scores, mo):
    _honest = cv_scores["encoding inside the pipeline"]
    _leaky = cv_scores["encoding computed before the split"]
    mo.vstack([
        mo.md(f"""
    **Cross-validation without leaking.** Passed to `cross_val_score`, the pipeline is refitted
    on each training fold, so the encoder never sees the fold it is scored on.
    `TimeSeriesSplit` keeps every validation fold *after* its training data, as in
    production. The classic mistake is to compute the encoding once, on all rows, and then
    cross-validate only the model: mean R² {_leaky.mean():.3f} across the folds, against
    {_honest.mean():.3f} for the pipeline. Same data, same model, same folds; only the place
    where `fit` happens changed.
    """),
        cv_scores.round(4),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 5. Pause and think

    Try to answer each question before you open the discussion.
    """)
    return


@app.cell
def _(bst_r2, mo, pearson):
    mo.vstack([
        mo.md("**1. You found that HP and Defense are highly correlated. Should you remove one? Why or why not?**"),
        mo.accordion({"Discussion": mo.md(f"""
    First, check the claim: here they correlate at {pearson.loc['hp', 'defense']:.2f}, which
    is far from redundant. The real redundancy is `base_stat_total`, the sum of all six game
    stats: the four that are columns here explain R² = {bst_r2:.2f} of it (the other two are
    not in the data), so it is largely, not exactly, redundant with them. For **prediction**, correlated features
    rarely hurt: trees pick either, and a regularised linear model (Ridge) shares the weight
    between them. For **interpretation** they do: the coefficients of two correlated
    features are unstable and cannot be read one by one. Remove one when it is truly
    redundant (same information, extra cost to compute, serve and monitor), and decide by
    cross-validation, not by the correlation matrix.
    """)}),
    ])
    return


@app.cell
def _(mo, noise_ceiling_r2, scoreboard):
    _best = scoreboard["leaky R²"].max()
    mo.vstack([
        mo.md("**2. Your model achieves 99% accuracy. You are suspicious. What do you check first?**"),
        mo.accordion({"Discussion": mo.md(f"""
    Leakage, before anything else. Rank the features by importance and ask of the top ones:
    would I know this value at prediction time? Look for columns derived from the target
    (price tiers, "final" statuses), aggregates that include the row or the future (section
    3's month average reached R² {_best:.4f}, against a noise ceiling of
    {noise_ceiling_r2:.4f}), duplicates or near-duplicates across the split (the same card
    listed twice), a random split where time matters, and preprocessing fitted before the
    split. Then compare with a simple baseline and with what is physically possible: a
    score near (or above) the noise ceiling is a bug until proven otherwise. Also check the metric
    itself: 99% accuracy on a 99%-majority class is the do-nothing model (Module 0).
    """)}),
    ])
    return


@app.cell
def _(mo, preprocessing_parts, scoreboard, split_train):
    _scaler = scoreboard.iloc[0]
    _ridge = preprocessing_parts[preprocessing_parts["model"].eq("Ridge")].set_index("part")
    _scaler_part = _ridge.loc["scaler", "largest change in a prediction"]
    _category_part = _ridge.loc["categories", "largest change in a prediction"]
    mo.vstack([
        mo.md("**3. Why do we fit preprocessing (like scalers) only on training data, not on all data?**"),
        mo.accordion({"Discussion": mo.md(f"""
    Because validation must simulate the future, and in the future the new rows do not
    exist yet when you fit. Preprocessing fitted on all rows has seen the validation rows.
    Be precise about what that does. The scaler itself is nearly harmless: a plain linear
    regression or a tree makes the same predictions however the inputs are scaled, and Ridge
    moved by at most {_scaler_part:.5f} in section 3.1. The other statistics fitted in the
    same step are not: the one-hot categories moved a prediction by up to
    {_category_part:.2f} there, and imputer medians, rare-category pooling or a target encoder
    (an inflation of {scoreboard.iloc[1]['inflation']:.3f}) all learn from the rows they are
    fitted on. On {len(split_train):,} training rows the whole preprocessing leak changed R² by only
    {_scaler['inflation']:+.5f}, which is exactly why the habit matters: you cannot see the
    leak in the score, so do not rely on the score. Put every fitted step in a `Pipeline`,
    fit it on training rows, and let the audit check it.
    """)}),
    ])
    return


@app.cell
def _(defense_zero_facts, mo, pandas_mean_fill, ratio_infinities):
    mo.vstack([
        mo.md("**4. You are creating a 'power_ratio' feature (Attack / Defense). What happens when Defense is 0?**"),
        mo.accordion({"Discussion": mo.md(f"""
    Division by zero gives infinity ({ratio_infinities:,} listings here). scikit-learn refuses
    to fit a model on it, and its `SimpleImputer` refuses to impute it; pandas does not:
    `ratio.fillna(ratio.mean())` fills every gap with the mean, which is
    {pandas_mean_fill['mean']}, so the column ends with {pandas_mean_fill['infinite after']:,}
    infinite values. Some libraries silently clip infinity to a huge number. Worse, Defense 0 is not a real value: it is the source's
    placeholder for "not recorded" ({defense_zero_facts['cards']} cards). So: divide with
    `features.safe_ratio` (NaN when the denominator is 0 or missing), add an indicator
    ("defense recorded"), impute for linear models, and fix the source if you can. Write a
    test that feeds a zero denominator, because the bug will come back.
    """)}),
    ])
    return


@app.cell
def _(legendary_correlation, legendary_premium, mo):
    _top = legendary_premium.loc[legendary_premium["like for like"].idxmax()]
    mo.vstack([
        mo.md("**5. A domain expert suggests a feature. It has zero correlation with the target. Do you include it?**"),
        mo.accordion({"Discussion": mo.md(f"""
    Not on the correlation alone, and not without testing it. Correlation measures a linear,
    one-feature-at-a-time relation; a feature can matter through interactions or
    non-linearly, or be drowned out by bigger effects. Section 2.4: `is_legendary` correlates
    at {legendary_correlation:.2f} with log price, yet like for like a legendary {_top['rarity']}
    sells at {_top['like for like']:.1f}x a non-legendary one. Add the feature, measure it by cross-validation (with interactions
    for a linear model), and keep it if it helps on held-out data. And ask the expert *why*
    it should matter: the answer often suggests the right transformation.
    """)}),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Key takeaways

    - **Look before you model.** A heavy-tailed, multiplicative target wants a log scale;
      structural missingness is a fact to encode, not a gap to fill with a mean.
    - **Features encode domain knowledge**: ratios (safely), bins and decays for dates,
      interactions a linear model cannot find, target encodings for high-cardinality ids.
    - **Target encoding must be cross-fitted**; in-sample, it makes the model worse.
    - **Leakage is measurable.** Fit every statistic on training rows, never use the target
      or the future to build a feature, validate on later data, and test pipelines by
      behaviour (shuffle the validation prices, remove validation rows).
    - **A score near the ceiling is a bug until proven otherwise.**
    - **Pipelines make the honest way the default**, for cross-validation and for serving.

    **Next:** open `exercises/exercises_02.py`: engineer five features (2.1), fix a pipeline
    with four planted leaks (2.2), and design a feature that beats a baseline by more than
    5% in cross-validation (2.3). Then Module 3, training and experiments.
    """)
    return


if __name__ == "__main__":
    app.run()
