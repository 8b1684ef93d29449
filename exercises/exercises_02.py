import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Exercises 2: Features and leakage")


@app.cell
def _():
    import inspect

    import marimo as mo
    import numpy as np
    import pandas as pd

    from mlcourse import features, leakage, progress
    from mlcourse.exercises import ex02

    return ex02, features, inspect, leakage, mo, np, pd, progress


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Exercises 2: Features and leakage

    Three exercises, about an hour in all. Each has a cell for your code (look for `TODO`),
    a check right below it that runs every time you change your code, and hints that you
    open one at a time. The solution is there too: try the hints first.

    | | exercise | time |
    |---|---|---|
    | 2.1 | Engineer five features, each with a justification | 15 min |
    | 2.2 | Spot the leakage: fix a pipeline with four planted leaks | 25 min |
    | 2.3 | Design a feature that beats a baseline by more than 5% | 20 min |

    Your results are saved on this machine only (`.mlcourse_progress.json`); see the
    progress table at the bottom, or run `uv run python -m mlcourse.progress`.
    """)
    return


@app.cell
def _(ex02, mo):
    _sample = ex02.feature_sample()
    mo.vstack([
        mo.md(f"""
    ## Exercise 2.1: Engineer five features

    Write `engineer_features(listings)`: it receives listings (a DataFrame like the one
    below) and returns a **copy** with at least {ex02.REQUIRED_FEATURES} new columns, each a
    feature you believe helps price a card. In `justifications`, give each new column a
    one-line reason.

    The check runs your function on a fixed sample of {len(_sample):,} listings and wants
    every new column to be numeric (booleans as 0/1), complete (no NaN: Trainer cards have
    no stats, Defense is 0 on some cards), finite (no division by zero), informative (not
    constant, not a copy or a linear rescaling of an existing column or of another of your
    features), **computable without the price** (it reruns your function with the prices
    shuffled between listings, and with the price column removed, and your features must
    not change) and **computed from the listing's own row**: it reruns your function on the
    earliest half of the listings (`leakage.future_dependence`, as in 2.3) and on a random
    half, and each listing's features must not change. A count, a rank, a row number or a
    table-wide median (to fill gaps, say) fails that test: fill gaps with a constant.
    """),
        _sample.head(5),
    ])
    return


@app.cell
def _(features, np, pd):
    # Exercise 2.1 -- your code here. `features.safe_ratio` and numpy are available.
    def engineer_features(listings: pd.DataFrame) -> pd.DataFrame:
        out = listings.copy()
        # TODO: add at least five new columns to `out`, then `return out`. For example:
        # out["days_since_release"] = (out["listing_date"] - out["release_date"]).dt.days
        raise NotImplementedError("TODO")

    # TODO: one line per new column: why would it help price a card?
    justifications = {
        # "days_since_release": "Older printings are scarcer, and new sets sell at a premium.",
    }
    _ = (features, np)
    return engineer_features, justifications


@app.cell
def _(engineer_features, ex02, justifications):
    verdict_2_1 = ex02.engineer_five.check(engineer_features, justifications)
    verdict_2_1
    return (verdict_2_1,)


@app.cell
def _(ex02):
    ex02.engineer_five.help()
    return


@app.cell
def _(ex02, mo):
    _train, _valid = ex02.leakage_split()
    _scores = ex02.reference_scores()
    mo.md(f"""
    ## Exercise 2.2: Spot the leakage

    A colleague's pricing pipeline. It takes training listings and validation listings
    (both with their prices, as they sit in the same table) and returns predictions of
    `log(price)` for the validation listings. On the exercise's data ({len(_train):,}
    listings to train on, the latest {len(_valid):,} to validate on) it reaches a validation
    R² of **{_scores['leaky']:.3f}**. Too good. Read it:

    ```python
    {ex02.leaky_source()}
    ```

    Write `train_and_predict(train, valid)`, the honest version: same inputs, same output
    (one predicted log price per validation row). Keep every signal that can be computed
    honestly (the card's price history is legitimate when it comes from the training rows
    only) and remove the rest. The check is behavioural, it does not read your code:

    - two identical calls must give identical predictions (seed every random step);
    - your predictions must not change when the **validation prices are shuffled**;
    - a validation row's prediction must not change when **other validation rows are
      removed** (nothing fitted on validation rows);
    - and the honest score must not fall more than {ex02.SCORE_TOLERANCE} below the
      reference fix's: dropping a useful signal is not fixing it.
    """)
    return


@app.cell
def _(np, pd):
    # Exercise 2.2 -- your code here.
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import TargetEncoder

    from mlcourse.features import FEATURES, feature_frame, make_preprocessor

    def train_and_predict(train: pd.DataFrame, valid: pd.DataFrame) -> np.ndarray:
        """Predict log(price) for the validation listings, learning only from `train`."""
        # TODO: rewrite the leaky pipeline without its leaks.
        raise NotImplementedError("TODO")

    _ = (ColumnTransformer, Ridge, KFold, Pipeline, TargetEncoder, FEATURES, feature_frame, make_preprocessor)
    return (train_and_predict,)


@app.cell
def _(ex02, train_and_predict):
    verdict_2_2 = ex02.fix_the_leaks.check(train_and_predict)
    verdict_2_2
    return (verdict_2_2,)


@app.cell
def _(ex02, mo):
    mo.vstack([ex02.fix_the_leaks.help(),
               mo.accordion({"The four planted leaks (read after solving)": mo.md(
                   "\n".join(f"{i}. {leak}" for i, leak in enumerate(ex02.PLANTED_LEAKS, start=1)))})])
    return


@app.cell
def _(ex02, inspect, leakage, mo):
    _sample = ex02.baseline_sample()
    mo.md(f"""
    ## Exercise 2.3: Design a feature that beats the baseline

    The baseline is fixed: a Ridge regression on `log(price)` of {len(_sample):,} ungraded
    marketplace listings (in time order, from {_sample['listing_date'].min():%B %Y} to
    {_sample['listing_date'].max():%B %Y}), with one-hot
    {", ".join(f"`{c}`" for c in ex02.BASELINE_CATEGORICAL)} and scaled
    {", ".join(f"`{c}`" for c in ex02.BASELINE_NUMERIC)}. It is cross-validated in time, as
    Module 2 teaches: `TimeSeriesSplit` with {ex02.CV_FOLDS} folds, each validated on
    listings later than all of its training listings. Its cross-validated RMSE is
    **{ex02.baseline_rmse():.4f}** (on the log scale).

    Write `my_feature(listings)`: it returns **one** column (a Series, one value per
    listing; numbers, booleans or a category; NaN where it does not apply). The check adds
    it to the baseline, reruns the same cross-validation, and wants the RMSE to drop by
    more than {ex02.REQUIRED_IMPROVEMENT:.0%}. First it makes sure the feature is one you could
    compute on the day of the listing, with two behavioural tests from Module 2: it must not
    come from the price (`leakage.price_dependence`, below: here no price at all, not even
    past sales of the same card, since the point is what the card itself adds to a baseline
    that sees no price), and it must not come from the future (`leakage.future_dependence`:
    the earliest listings' values must not change when the later listings are removed).

    ```python
    {inspect.getsource(leakage.price_dependence)}
    ```
    """)
    return


@app.cell
def _(ex02, np, pd):
    listings_2_3 = ex02.baseline_sample()

    # Exercise 2.3 -- your code here.
    def my_feature(listings: pd.DataFrame) -> pd.Series:
        """One new column for the baseline model, computed without the price."""
        # TODO: return a Series with one value per listing.
        raise NotImplementedError("TODO")

    _ = np
    return listings_2_3, my_feature


@app.cell
def _(ex02, my_feature):
    verdict_2_3 = ex02.better_feature.check(my_feature)
    verdict_2_3
    return (verdict_2_3,)


@app.cell
def _(ex02):
    ex02.better_feature.help()
    return


@app.cell(hide_code=True)
def _(listings_2_3, mo):
    mo.md(f"""
    *Explore before you guess:* `listings_2_3` holds the {len(listings_2_3):,} listings the
    check uses. Which columns does the baseline ignore? Group the prices by them.
    """)
    return


@app.cell
def _(progress, verdict_2_1, verdict_2_2, verdict_2_3):
    _ = (verdict_2_1, verdict_2_2, verdict_2_3)  # refresh after every check
    progress.module_panel(2, "Module 3, training and experiments (`03_model_training.py`).")
    return


if __name__ == "__main__":
    app.run()
