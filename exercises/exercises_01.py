import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Exercises 1: Data engineering")


@app.cell
def _():
    import inspect
    import time

    import marimo as mo
    import numpy as np
    import pandas as pd
    import polars as pl

    from mlcourse import progress, schemas
    from mlcourse.dataset import EUR_TO_USD
    from mlcourse.exercises import ex01

    return EUR_TO_USD, ex01, inspect, mo, pd, pl, progress, schemas, time


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Exercises 1: Data engineering

    Three exercises, about an hour in all. Each has a cell for your code (look for `TODO`),
    a check right below it that runs every time you change your code, and hints that you
    open one at a time. The solution is there too: try the hints first.

    | | exercise | time |
    |---|---|---|
    | 1.1 | Break the data: five quality problems the schema catches | 15 min |
    | 1.2 | Refactor messy loading code into a tested function | 30 min |
    | 1.3 | Make a slow pandas aggregation fast with polars | 15 min |

    Your results are saved on this machine only (`.mlcourse_progress.json`); see the
    progress table at the bottom, or run `uv run python -m mlcourse.progress`.
    """)
    return


@app.cell(hide_code=True)
def _(ex01, mo):
    mo.md(rf"""
    ## Exercise 1.1: Break the data

    A schema is only as good as the problems it catches. Write **five functions**, each
    taking a clean listings DataFrame and returning a *broken copy* of it, each breaking
    the data in a different way that the clean-listings contract
    (`schemas.clean_listing_schema()`) should reject. Think of what goes wrong in real
    feeds.

    The check runs each function on a fixed sample of {len(ex01.sample_listings()):,} clean
    listings and validates the result. It wants: five problems, each caught by the schema,
    no two breaking the same rules, at least {ex01.MIN_PROBLEM_KINDS} different *kinds* of
    problem (a missing value, a wrong type, a value out of range, an unknown category, a
    duplicate, a missing column, a broken cross-column rule...: the same fault in five
    columns is one kind five times), and the input left untouched (a function that
    modifies the caller's DataFrame is a bug in its own right).

    Here are the sample's first rows and the contract's rules:
    """)
    return


@app.cell
def _(ex01, mo, schemas):
    mo.ui.tabs({
        "Sample of clean listings": ex01.sample_listings().head(5),
        "Rules of the clean-listings contract": schemas.rules_table(schemas.clean_listing_schema()),
    })
    return


@app.cell
def _(pd):
    # Exercise 1.1 -- your code here.
    # The pattern, as an example (you may keep it as one of your five):
    def negative_price(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()  # never modify the caller's data
        out.loc[out.index[:3], "price_usd"] = -1.0
        return out

    # TODO: write four or more functions like the one above, then list them all here,
    # each under a short name.
    corruptions = {
        # "negative price": negative_price,
    }
    return (corruptions,)


@app.cell
def _(corruptions, ex01):
    verdict_1_1 = ex01.break_the_data.check(corruptions)
    verdict_1_1
    return (verdict_1_1,)


@app.cell
def _(ex01):
    ex01.break_the_data.help()
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 1.2: Refactor messy loading code into a tested function

    You inherit this loader. It runs, it produces a table, and a model was trained on its
    output. Read it carefully:
    """)
    return


@app.cell(hide_code=True)
def _(ex01, inspect, mo):
    mo.md(f"""
    ```python
    {inspect.getsource(ex01.messy_load)}
    ```
    """)
    return


@app.cell
def _(ex01, time):
    sample_path = ex01.sample_raw_path()
    _start = time.perf_counter()
    messy_result = ex01.messy_load(sample_path)
    messy_seconds = time.perf_counter() - _start
    return messy_result, messy_seconds, sample_path


@app.cell
def _(messy_result, messy_seconds, mo, pd, sample_path):
    sample_raw = pd.read_csv(sample_path, dtype=str, keep_default_na=False, na_values=[""])
    _eur = (sample_raw.loc[sample_raw["currency"].eq("EUR"), ["listing_id", "price", "currency"]]
            .astype({"listing_id": "int64"})
            .merge(messy_result[["listing_id", "price_usd"]], on="listing_id")
            .rename(columns={"price": "raw price text", "price_usd": "messy price_usd"}).head(5))
    mo.vstack([
        mo.md(f"""
    On the exercise's sample feed (`{sample_path.name}`, {len(sample_raw):,} raw rows) it
    returns {len(messy_result):,} rows in {messy_seconds:.2f} s. The sample has every price
    format the feed uses, and some listings scraped twice. Below: the raw feed's euro rows
    next to what the messy code made of them. Also look at the dtypes
    (`messy_result.dtypes`) and at a listing scraped twice.
    """),
        _eur,
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    **Your task.** Write `load_listing_prices(path)` to replace it, and `check_loader(load,
    path)`: checks (plain `assert` statements) that would have caught the old code's bugs.

    `load_listing_prices(path)` must:

    - accept a `str` or a `pathlib.Path`, use no global state, and return the same result
      on every call;
    - return exactly the columns `listing_id` (integer), `listing_date` (datetime64),
      `card_id` (text) and `price_usd` (float), one row per listing;
    - keep the **latest** scrape of a listing scraped more than once (`scraped_at` says
      when);
    - parse every price format: `12.34` (plain dollar prices always have two decimals),
      `$1,234.50`, integer cents (`1234`, no decimal point, is $12.34), and `1.234,50 EUR`
      (currency `EUR`, converted at `EUR_TO_USD` = 1.08); round every price to the cent;
    - drop listings whose price is missing.

    `check_loader(load, path)` receives a loader function and a file path and must raise
    (an `AssertionError` is fine) when the loader is wrong. The check runs your checks on a
    correct loader (they must pass) and on three buggy loaders, each with one of the messy
    code's bugs: it keeps the first scrape of a listing scraped twice, it never converts
    euros, and it leaves `listing_date` as text. Your checks must catch all three.
    """)
    return


@app.cell
def _(EUR_TO_USD, pd):
    # Exercise 1.2 -- your code here.
    def load_listing_prices(path):
        """Load listing prices from a raw feed file: one row per listing, prices in USD."""
        # TODO: replace this line with your implementation (EUR_TO_USD is imported for you).
        raise NotImplementedError("TODO")

    def check_loader(load, path):
        """Raise AssertionError if `load(path)` gets any of the messy code's bugs."""
        df = load(path)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        # TODO: replace this line with your asserts.
        raise NotImplementedError("TODO")

    _ = EUR_TO_USD
    return check_loader, load_listing_prices


@app.cell
def _(check_loader, ex01, load_listing_prices):
    verdict_1_2 = ex01.refactor_loader.check(load_listing_prices, check_loader)
    verdict_1_2
    return (verdict_1_2,)


@app.cell
def _(ex01):
    ex01.refactor_loader.help()
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Exercise 1.3: Make a slow pandas aggregation fast with polars

    A dashboard needs the median price and the number of listings per set, rarity and
    month. This works, but it loops over groups in Python, and each trip around the loop
    costs far more than the arithmetic it does:
    """)
    return


@app.cell(hide_code=True)
def _(ex01, inspect, mo):
    mo.md(f"""
    ```python
    {inspect.getsource(ex01.slow_monthly_medians)}
    ```
    """)
    return


@app.cell
def _(ex01):
    speed_listings = ex01.speed_data()
    slow_result, slow_seconds = ex01.slow_reference()
    return slow_result, slow_seconds, speed_listings


@app.cell(hide_code=True)
def _(ex01, mo, slow_result, slow_seconds, speed_listings):
    mo.vstack([
        mo.md(f"""
    On {speed_listings.height:,} listings it takes **{slow_seconds:.2f} s** and returns
    {len(slow_result):,} groups (first rows below). Write `fast_monthly_medians(listings)`:
    it receives the same listings as a **polars** DataFrame and must return a polars
    DataFrame with the columns `set_name`, `rarity`, `month` (text, like `2024-03`),
    `median_price` and `n_listings`, with the same values, and with polars doing the work.

    The check does not time you (a time depends on the machine and on what else it runs).
    It counts the Python function calls your function makes on the first
    {ex01.COUNT_SIZES[0]:,} and on all {ex01.COUNT_SIZES[1]:,} listings: polars expressions run
    in compiled code, so a good answer makes the same few calls however many rows there are,
    while a loop over rows or groups (or `map_elements`, a Python function per row) makes more
    with every one. At most {ex01.MAX_PYTHON_CALLS_PER_1000_ROWS} more per 1,000 listings are
    allowed. It also runs your function on listings you have not seen, and shows your time
    beside the loop's, for information.

    Where the speed comes from: replacing the loop with one group-by over whole columns.
    A vectorised pandas group-by would be fast too (Module 1, section 6, found both
    libraries close at this size); the point here is to practise polars' expression API,
    which you will meet again in pipelines too big for pandas.
    """),
        slow_result.head(),
    ])
    return


@app.cell
def _(pl):
    # Exercise 1.3 -- your code here.
    def fast_monthly_medians(listings: pl.DataFrame) -> pl.DataFrame:
        # TODO: one polars expression: derive the month, group, aggregate.
        raise NotImplementedError("TODO")

    return (fast_monthly_medians,)


@app.cell
def _(ex01, fast_monthly_medians):
    verdict_1_3 = ex01.polars_speedup.check(fast_monthly_medians)
    verdict_1_3
    return (verdict_1_3,)


@app.cell
def _(ex01):
    ex01.polars_speedup.help()
    return


@app.cell
def _(progress, verdict_1_1, verdict_1_2, verdict_1_3):
    _ = (verdict_1_1, verdict_1_2, verdict_1_3)  # refresh after every check
    progress.module_panel(1, "Module 2, exploratory analysis and feature engineering (`02_eda_and_features.py`).")
    return


if __name__ == "__main__":
    app.run()
