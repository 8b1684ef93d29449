import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Module 1: Data engineering")


@app.cell
def _():
    import inspect
    import tempfile
    import time
    import warnings

    import altair as alt
    import marimo as mo
    import pandas as pd
    import pandera.pandas as pa
    import polars as pl

    from mlcourse import cleaning, dataset, schemas
    from mlcourse.versioning import content_hash, file_hash

    return (
        alt,
        cleaning,
        content_hash,
        dataset,
        file_hash,
        inspect,
        mo,
        pa,
        pd,
        pl,
        schemas,
        tempfile,
        time,
        warnings,
    )


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Module 1: Data engineering foundations

    **Time:** 2 to 3 hours, plus about an hour for the exercises.

    **Why this module matters.** Most of the time a model fails in production, the model is
    fine and the data is not: a column renamed upstream, prices in the wrong currency, the
    same listing counted twice. The habits in this module (read explicitly, validate at the
    door, clean with pure and repeatable steps, version what you trained on) prevent most of
    those failures, and they are what a reviewer looks for first in an ML pull request.

    **You will learn to**

    1. load a raw feed without letting the reader guess, and choose between CSV and Parquet;
    2. write a pandera schema that names every known fault in a feed, and read its report;
    3. build a cleaning pipeline that gives identical output on every run, and prove it;
    4. measure pandas against polars on a real workload and pick the right tool;
    5. give a dataset a version you can log with a model.

    **You need** Python and pandas basics, and Module 0's framing of the card-pricing problem.
    Every number on this page is computed from the course dataset when the notebook runs.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 1. The feed as it arrives

    The course's data is a market of Pokemon card sale listings, scraped from marketplaces.
    The first call below generates it (a few seconds, once) and caches it in
    `data/generated/`. We start with the **raw feed**: the CSV exactly as the scraper wrote
    it.
    """)
    return


@app.cell
def _(dataset, time):
    _start = time.perf_counter()
    raw_path = dataset.dataset_path("raw")
    clean_path = dataset.dataset_path("clean")
    dataset.load_listings("raw")  # generates and caches the files on first use
    cards = dataset.load_cards()
    fault_log = dataset.load_fault_log()
    first_load_seconds = time.perf_counter() - _start
    return cards, clean_path, fault_log, first_load_seconds, raw_path


@app.cell
def _(pd, raw_path):
    # What most code does. (low_memory=False only makes pandas infer each column's type from the
    # whole file at once instead of chunk by chunk; the guesses below would be no better without it.)
    naive = pd.read_csv(raw_path, low_memory=False)
    return (naive,)


@app.cell(hide_code=True)
def _(mo, naive, raw_path):
    mo.md(f"""
    The raw file is **{raw_path.stat().st_size / 1e6:.1f} MB** with **{len(naive):,} rows** and
    {naive.shape[1]} columns. Here is what `pd.read_csv(path)` makes of it when we let it guess
    the types:
    """)
    return


@app.cell
def _(naive):
    naive.head(8)
    return


@app.cell
def _(naive, pd):
    guessed_types = pd.DataFrame({
        "column": naive.columns,
        "pandas guessed": [str(t) for t in naive.dtypes],
        "example": [str(naive[c].dropna().iloc[0]) if naive[c].notna().any() else "" for c in naive.columns],
    })
    hp_text = naive["hp"].astype(str).str.contains("HP", na=False)
    generation_as_float = str(naive["generation"].dtype)
    return generation_as_float, guessed_types, hp_text


@app.cell
def _(generation_as_float, guessed_types, hp_text, mo, naive):
    mo.vstack([
        mo.md(f"""
    Guessing goes wrong in four instructive ways:

    - `price` is text (`{naive['price'].dtype}`): most rows say `12.34`, but some say
      `$1,234.50`, `1.234,50 EUR` or `1234`. A numeric column cannot hold those, so pandas
      gives up on the whole column.
    - `hp` is text too, because **{int(hp_text.sum()):,} rows** say things like
      `{naive.loc[hp_text, 'hp'].iloc[0]}`. A few bad values change the type of a column of
      {len(naive):,}.
    - `generation` became `{generation_as_float}`: Trainer and Energy cards have no
      generation, and a classic NumPy integer column cannot hold a missing value, so
      generation 1 becomes `1.0`.
    - `listing_date` is plain text (`{naive['listing_date'].dtype}`): no date arithmetic
      until someone remembers to parse it.

    pandas also turns strings such as `"NA"`, `"null"` or `"None"` into missing values by
    default: harmless here, a disaster in a column of country codes (Namibia is `NA`).

    The professional habit: **land raw data as text, then parse each column on purpose.**
    `mlcourse.cleaning.read_raw_listings` reads every column as a string and treats only
    empty cells as missing.
    """),
        guessed_types,
    ])
    return


@app.cell(hide_code=True)
def _(cleaning, inspect, mo):
    mo.md(f"""
    ```python
    {inspect.getsource(cleaning.read_raw_listings)}
    ```
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 2. CSV or Parquet?

    CSV is the lingua franca of data exchange: readable, diffable, universal. It is also
    slow to parse, large, and carries no types. Parquet is a columnar binary format: it
    stores each column's type, compresses well, and lets a reader load only the columns it
    needs.

    To compare fairly, change one thing at a time. Below, the **same raw table** is read
    from CSV by pandas' default parser (first guessing types, then as text), by the pyarrow
    parser (as text), and from a Parquet copy of the same table; then the cleaned, typed
    table from Parquet. Times are the best of three runs on this machine (the slow default
    parser runs once).
    """)
    return


@app.cell
def _(clean_path, cleaning, pd, raw_path, tempfile, time):
    def best_of(fn, repeats=3):
        """Best wall-clock time of a few runs, in seconds."""
        best = float("inf")
        for _ in range(repeats):
            _start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - _start)
        return best

    _text_csv = dict(dtype=str, keep_default_na=False, na_values=[""])
    with tempfile.TemporaryDirectory() as _tmp:
        # a Parquet copy of exactly the raw table (all text), outside the repository
        raw_parquet_path = f"{_tmp}/raw.parquet"
        cleaning.read_raw_listings(raw_path).to_parquet(raw_parquet_path, index=False)
        raw_parquet_mb = __import__("os").path.getsize(raw_parquet_path) / 1e6
        read_times = pd.DataFrame([
            {"what is read": "raw table", "how": "CSV, default parser, types guessed",
             "seconds": best_of(lambda: pd.read_csv(raw_path, low_memory=False), repeats=1)},
            {"what is read": "raw table", "how": "CSV, default parser, all text",
             "seconds": best_of(lambda: pd.read_csv(raw_path, **_text_csv), repeats=1)},
            {"what is read": "raw table", "how": "CSV, pyarrow parser, all text",
             "seconds": best_of(lambda: pd.read_csv(raw_path, engine="pyarrow", **_text_csv))},
            {"what is read": "raw table", "how": "Parquet, all text",
             "seconds": best_of(lambda: pd.read_parquet(raw_parquet_path))},
            {"what is read": "clean table", "how": "Parquet, typed",
             "seconds": best_of(lambda: pd.read_parquet(clean_path))},
            {"what is read": "clean table", "how": "Parquet, two columns only",
             "seconds": best_of(lambda: pd.read_parquet(clean_path, columns=["listing_id", "price_usd"]))},
        ])
    clean = pd.read_parquet(clean_path)
    return best_of, clean, raw_parquet_mb, read_times


@app.cell
def _(alt, read_times):
    alt.Chart(read_times.assign(label=read_times["what is read"] + ": " + read_times["how"])).mark_bar().encode(
        x=alt.X("seconds:Q", title="seconds to load (lower is better)"),
        y=alt.Y("label:N", sort=None, title=None),
        color=alt.Color("what is read:N", title=None),
        tooltip=["what is read", "how", alt.Tooltip("seconds:Q", format=".3f")],
    ).properties(height=200, title="Reading the course data")
    return


@app.cell
def _(clean, clean_path, mo, raw_parquet_mb, raw_path, read_times):
    _t = read_times["seconds"].to_numpy()
    mo.md(f"""
    - **The parser:** on the same text, pyarrow's CSV parser took {_t[2]:.2f} s against
      {_t[1]:.2f} s for the default one ({_t[1] / _t[2]:.1f}x).
    - **The format:** the same raw table as Parquet is **{raw_parquet_mb:.1f} MB** against
      {raw_path.stat().st_size / 1e6:.1f} MB of CSV, and reads in {_t[3]:.2f} s against
      {_t[2]:.2f} s for the fastest CSV read.
    - **Types:** the cleaned table ({len(clean):,} rows, typed) takes
      {clean_path.stat().st_size / 1e6:.1f} MB and loads in {_t[4] * 1000:.0f} ms with every
      type intact: `listing_date` is `{clean['listing_date'].dtype}`, `generation` is
      `{clean['generation'].dtype}` (a nullable integer). Asking for two columns takes
      {_t[5] * 1000:.0f} ms: Parquet reads only the columns you ask for.

    **Rule of thumb:** CSV at the boundary (what partners send you, what a human opens);
    Parquet for everything your pipeline stores for itself.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 3. What is wrong with the feed

    Real scraped price data is dirty in known ways. This feed was generated with faults at
    documented rates (see `data/README.md`), and, unusually, **the course keeps a log of
    every fault it injected**. In a real job you do not get that log: you get a schema that
    catches faults, and you find out the rates yourself. Here we can check the schema
    against the truth.
    """)
    return


@app.cell
def _(clean, dataset, fault_log, pd):
    _n_true = dataset.DEFAULT_N_LISTINGS
    pokemon_share = float(clean["supertype"].eq("Pokemon").mean())
    fault_counts = (fault_log.groupby("fault").size().rename("raw rows").reset_index()
                    .sort_values("raw rows", ascending=False, kind="stable"))
    _denominator = fault_counts["fault"].map({"hp_as_string": _n_true * pokemon_share}).fillna(_n_true)
    fault_counts["observed rate"] = (fault_counts["raw rows"] / _denominator).map("{:.2%}".format)
    fault_counts["documented rate"] = fault_counts["fault"].map(dataset.FAULT_RATES).map(
        lambda r: "card-level, about 1% of Pokemon cards" if pd.isna(r) else f"{r:.2%}")
    fault_counts = fault_counts.reset_index(drop=True)
    return fault_counts, pokemon_share


@app.cell
def _(dataset, fault_counts, mo, pokemon_share):
    mo.vstack([
        mo.md(f"""
    Rates are shares of the {dataset.DEFAULT_N_LISTINGS:,} true listings (for `hp_as_string`,
    of the {pokemon_share:.0%} that are Pokemon cards). `defense_zero` is not a listing
    fault but a placeholder in the card source, so it shows on every listing of an affected
    card.
    """),
        fault_counts,
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 4. A data contract with pandera

    A schema is a contract: *this is what the data must look like*. Checking it at the door
    turns "the model got worse last Tuesday" into "this listing has a price of `$1,234.50`".
    [pandera](https://pandera.readthedocs.io) writes the contract in Python, next to the
    code that relies on it. The whole idea in ten lines, on a three-row table with three
    problems:
    """)
    return


@app.cell
def _(pa, pd):
    toy = pd.DataFrame({
        "listing_id": [1, 2, 2],
        "rarity": ["Common", "Rare", "Mega Rare"],
        "price_usd": [0.25, 12.00, -3.00],
    })
    toy_schema = pa.DataFrameSchema({
        "listing_id": pa.Column(int, unique=True),
        "rarity": pa.Column(str, pa.Check.isin(["Common", "Uncommon", "Rare"])),
        "price_usd": pa.Column(float, pa.Check.gt(0)),
    })
    try:
        toy_schema.validate(toy, lazy=True)  # lazy: collect every failure, not just the first
    except pa.errors.SchemaErrors as _err:
        toy_failures = _err.failure_cases[["column", "check", "failure_case", "index"]]
    toy_failures
    return (toy_failures,)


@app.cell(hide_code=True)
def _(mo, toy_failures):
    mo.md(f"""
    `validate` returns the data if it honours the contract and raises otherwise. With
    `lazy=True` it raises one `SchemaErrors` holding a table of **every** failure
    ({len(toy_failures)} here): the column, the rule (`check`), the offending value and its
    row `index`. That table is what you read when a pipeline stops at the door.

    The course's **clean-listings contract** (`schemas.clean_listing_schema()`) is the same
    thing at full size: one rule per column (type, allowed values, ranges, missing values
    allowed or not), plus three rules that look at whole rows, marked `<table>` (a Trainer
    card has no species; a graded listing has a grader and a grade but no condition; a
    listing cannot predate its set). Every later module relies on it, and exercise 1.1 asks
    you to break it:
    """)
    return


@app.cell
def _(schemas):
    schemas.rules_table(schemas.clean_listing_schema())
    return


@app.cell
def _(fault_log, mo, naive):
    _example = fault_log.loc[fault_log["fault"] == "price_dollar_string", "raw_row"].iloc[0]
    mo.md(rf"""
    The **raw-feed contract** guards the door one step earlier, on the text as scraped. It
    has at least one rule that catches each kind of known fault: a format rule for the price
    text (it catches `$1,234.50`, integer cents and euro amounts alike, for example listing
    {naive.loc[_example, 'listing_id']}, priced `{naive.loc[_example, 'price']}`), a rule
    that the currency is USD, a uniqueness rule for the listing id, cross-references to the
    card catalog for the rarity and the release date, and so on. A few of its lines (`_text`
    declares a text column, `digits` is a "digits only" check, `one_of(values, what)` is
    `isin` with a readable message):

    ```python
    "listing_id": _text(digits, unique=True),
    "set_name":   _text(one_of(SET_NAMES, "set name")),
    "price":      _text(pa.Check.str_matches(r"^\d+\.\d{{2}}$", error="plain dollars and cents, like 12.34")),
    "currency":   _text(pa.Check.isin(["USD"], error="USD")),
    "defense":    _text(digits, pa.Check(lambda s: s != "0", raise_warning=True, ...), nullable=True),
    ...
    checks=[pa.Check(rarity_matches_catalog, name="rarity_matches_catalog", ...), ...]
    ```

    The whole schema is in `src/mlcourse/schemas.py`. Notice that the Defense rule is a
    **warning**, not an error: Defense 0 is the source's placeholder for "not recorded",
    suspicious but no reason to reject a listing.
    """)
    return


@app.cell
def _(cards, cleaning, pa, raw_path, schemas, time, warnings):
    raw = cleaning.read_raw_listings(raw_path)
    raw_schema = schemas.raw_listing_schema(cards)
    _start = time.perf_counter()
    with warnings.catch_warnings(record=True) as _caught:
        warnings.simplefilter("always")
        try:
            raw_schema.validate(raw, lazy=True)
            raw_errors = None
        except pa.errors.SchemaErrors as _exc:
            raw_errors = _exc
    validate_seconds = time.perf_counter() - _start
    schema_warnings = [str(_w.message) for _w in _caught if issubclass(_w.category, UserWarning)]
    rule_report = schemas.failure_summary(raw_errors)
    return raw, raw_errors, rule_report, schema_warnings, validate_seconds


@app.cell
def _(mo, raw, rule_report, schema_warnings, validate_seconds):
    mo.vstack([
        mo.md(f"""
    Validating all {len(raw):,} raw rows took **{validate_seconds:.2f} s** and broke
    **{len(rule_report)} rules**. Each line is a rule, how many rows broke it, and one
    offending value (for a `<table>` rule, the row's listing id). It also raised
    {len(schema_warnings)} warning(s), for example:
    *{schema_warnings[0][:110] if schema_warnings else "none"}...*

    Some counts are a little above the fault counts of section 3, and the uniqueness rule
    flags twice as many rows as there are duplicate scrapes: a duplicate scrape copies its
    row, faults included, and a repeated id is reported on both copies.
    """),
        rule_report,
    ])
    return


@app.cell
def _(fault_log, pd, raw_errors):
    flagged_rows = set(raw_errors.failure_cases["index"].dropna().astype(int))
    catch_rate = (fault_log.assign(caught=fault_log["raw_row"].isin(flagged_rows))
                  .groupby("fault")["caught"].agg(["size", "mean"]).reset_index())
    catch_rate.columns = ["fault", "rows with the fault", "share caught by an error rule"]
    catch_rate["share caught by an error rule"] = catch_rate["share caught by an error rule"].map("{:.1%}".format)
    faults_fully_caught = int((fault_log.assign(c=fault_log["raw_row"].isin(flagged_rows))
                               .groupby("fault")["c"].all()).sum())
    n_fault_kinds = fault_log["fault"].nunique()
    pd.options.display.max_colwidth = 80
    return catch_rate, faults_fully_caught, n_fault_kinds


@app.cell
def _(catch_rate, faults_fully_caught, mo, n_fault_kinds):
    mo.vstack([
        mo.md(f"""
    **Did the contract catch every injected fault?** Joining the failing rows with the
    course's fault log: {faults_fully_caught} of the {n_fault_kinds} fault kinds are caught
    on every affected row by an error rule. The exception is `defense_zero`, which the
    schema flags with a *warning* by design (the rows it shows as caught also broke some
    other rule).
    """),
        catch_rate,
    ])
    return


@app.cell
def _(mo, rule_report):
    rule_picker = mo.ui.dropdown(
        options=[f"{c} | {r}" for c, r in zip(rule_report["column"], rule_report["check"], strict=True)],
        value=f"{rule_report['column'].iloc[0]} | {rule_report['check'].iloc[0]}",
        label="Show rows that broke the rule",
    )
    rule_picker
    return (rule_picker,)


@app.cell
def _(raw, raw_errors, rule_picker):
    _column, _rule = rule_picker.value.split(" | ", 1)
    _fc = raw_errors.failure_cases
    _is_table = _fc["schema_context"].eq("DataFrameSchema")
    _col = _fc["column"].astype(str).where(~_is_table, "<table>")
    _rows = _fc.loc[(_col == _column) & (_fc["check"].astype(str) == _rule), "index"].dropna().astype(int).unique()
    _show = ["listing_id", "scraped_at", "listing_date", "title", "card_id", "set_name", "rarity", "hp",
             "graded", "grader", "grade", "price", "currency"]
    raw.loc[_rows[:10], _show]
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 5. A cleaning pipeline you can run twice

    Cleaning is a sequence of small, **pure** steps: each takes a DataFrame and returns a
    new one, never modifying its input, never reading the clock or an unseeded random
    generator. That is what makes the pipeline reproducible: the same raw file in, the same
    bytes out, on any machine.

    The steps, and how many rows each keeps:
    """)
    return


@app.cell
def _(cards, cleaning, pd, raw):
    clean_report = []
    cleaned = cleaning.clean_listings(raw, cards, report=clean_report)
    clean_report = pd.DataFrame(clean_report)
    clean_report["rows removed"] = clean_report["rows_in"] - clean_report["rows_out"]
    clean_report
    return (cleaned,)


@app.cell(hide_code=True)
def _(cleaning, inspect, mo):
    mo.md(f"""
    Each step is a few lines. The one that fixes the most faults at once joins the card
    catalog on the key, instead of trusting the labels the scraper copied:

    ```python
    {inspect.getsource(cleaning.attach_catalog)}
    ```

    Set-name typos, mislabelled or missing rarities and stats stored as text all disappear
    in that one join: **trust the key, not the label.**
    """)
    return


@app.cell
def _(cards, cleaned, cleaning, content_hash, raw, schemas):
    cleaned_again = cleaning.clean_listings(raw, cards)
    hash_first, hash_second = content_hash(cleaned), content_hash(cleaned_again)
    clean_contract_ok = schemas.clean_listing_schema().validate(cleaned, lazy=True) is not None
    return clean_contract_ok, cleaned_again, hash_first, hash_second


@app.cell(hide_code=True)
def _(
    clean,
    clean_contract_ok,
    cleaned,
    cleaned_again,
    hash_first,
    hash_second,
    mo,
):
    mo.md(f"""
    **Run it twice, compare.** The first run kept {len(cleaned):,} rows, the second
    {len(cleaned_again):,}; the two results are
    {"identical" if cleaned.equals(cleaned_again) else "DIFFERENT"}, and so are their content
    hashes: `{hash_first}` and `{hash_second}`. The cleaned table
    {"passes" if clean_contract_ok else "FAILS"} the clean-listings contract, and it is
    {"exactly" if cleaned.equals(clean) else "NOT"} the table every later module loads.

    What usually breaks reproducibility, and what this pipeline does instead:

    | trap | instead |
    |---|---|
    | `df.sample()` or model seeds left unset | seed everything, pass the seed in |
    | iterating over a `set` of strings (order changes between runs) | sort before iterating |
    | `drop_duplicates()` relying on file order | sort by an explicit key (`scraped_at`) first |
    | `datetime.now()` inside a transform | pass the reference date as a parameter |
    | mutating the input (`inplace=True`, `df[col] = ...` on the caller's frame) | return a new frame |
    | type guessing that depends on the data | explicit dtypes |
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 6. pandas or polars? Measure.

    pandas is the default for tabular work in Python: every library speaks it, and for
    data that fits in memory it is usually fast enough. polars is a newer DataFrame library
    written in Rust: multi-threaded, with a query optimiser (its *lazy* mode plans the
    whole query before running it). The honest way to choose is to time your own workload.
    Below: median price by era, rarity and month, then the share of listings above $20 per
    set, on the full cleaned table, in both libraries. The pandas version is already
    vectorised (no Python loops): this is a fair fight.
    """)
    return


@app.cell
def _(clean_path, pd, pl):
    clean_pl = pl.read_parquet(clean_path)
    clean_pd = pd.read_parquet(clean_path)

    def pandas_workload(df):
        monthly = (df.assign(month=df["listing_date"].dt.to_period("M"))
                   .groupby(["era", "rarity", "month"], observed=True)["price_usd"].median())
        per_set = df.assign(high=df["price_usd"] > 20).groupby("set_name")["high"].mean()
        return monthly, per_set

    def polars_workload(df):
        monthly = (df.group_by("era", "rarity", pl.col("listing_date").dt.truncate("1mo").alias("month"))
                   .agg(pl.col("price_usd").median()))
        per_set = df.group_by("set_name").agg((pl.col("price_usd") > 20).mean().alias("high"))
        return monthly, per_set

    def polars_lazy_workload(df):
        lazy = df.lazy()
        monthly = (lazy.group_by("era", "rarity", pl.col("listing_date").dt.truncate("1mo").alias("month"))
                   .agg(pl.col("price_usd").median()))
        per_set = lazy.group_by("set_name").agg((pl.col("price_usd") > 20).mean().alias("high"))
        return pl.collect_all([monthly, per_set])

    return (
        clean_pd,
        clean_pl,
        pandas_workload,
        polars_lazy_workload,
        polars_workload,
    )


@app.cell
def _(
    best_of,
    clean_pd,
    clean_pl,
    pandas_workload,
    pd,
    polars_lazy_workload,
    polars_workload,
):
    engine_times = pd.DataFrame([
        {"library": "pandas", "seconds": best_of(lambda: pandas_workload(clean_pd))},
        {"library": "polars (eager)", "seconds": best_of(lambda: polars_workload(clean_pl))},
        {"library": "polars (lazy, both queries planned together)", "seconds": best_of(lambda: polars_lazy_workload(clean_pl))},
    ])
    _pd_monthly, _ = pandas_workload(clean_pd)
    _pl_monthly, _ = polars_workload(clean_pl)
    same_groups = len(_pd_monthly) == _pl_monthly.height
    return engine_times, same_groups


@app.cell
def _(alt, engine_times):
    alt.Chart(engine_times).mark_bar().encode(
        x=alt.X("seconds:Q", title="seconds (best of 3, lower is better)"),
        y=alt.Y("library:N", sort=None, title=None),
        tooltip=["library", alt.Tooltip("seconds:Q", format=".4f")],
    ).properties(height=120, title="The same aggregation in pandas and polars")
    return


@app.cell
def _(clean_pd, engine_times, mo, same_groups):
    _t = engine_times["seconds"].to_numpy()

    def _compare(slow, fast, first, second):
        """'first was N times faster than second', or 'about as fast' within noise."""
        ratio = slow / fast
        if 0.8 < ratio < 1.25:
            return f"{first} was about as fast as {second} (a difference this small is run-to-run noise)"
        if ratio > 1:
            return f"{first} was {ratio:.1f}x faster than {second}"
        return f"{first} was {1 / ratio:.1f}x slower than {second}"

    mo.md(f"""
    On {len(clean_pd):,} rows, pandas took {_t[0] * 1000:.0f} ms and eager polars
    {_t[1] * 1000:.0f} ms: {_compare(_t[0], _t[1], "polars", "pandas")}. Both produced
    {"the same number of" if same_groups else "DIFFERENT numbers of"} groups. The lazy
    version, which plans both queries together, took {_t[2] * 1000:.0f} ms:
    {_compare(_t[1], _t[2], "lazy polars", "eager polars")}. On a table this small, planning overhead and noise dominate; the
    optimiser pays off on large inputs and long queries, where it can skip columns and
    rows it does not need. At this size both libraries are fast enough for a notebook; the
    difference starts to matter at millions of rows, in a pipeline that runs every hour,
    or when pandas runs out of memory.

    **When to pick which**

    - **pandas** when the data fits comfortably in memory, when you need the ecosystem
      (scikit-learn, statsmodels, plotting libraries take pandas), or when the team knows it.
    - **polars** when the data is large (millions of rows and up), when the work is
      group-bys, joins and window functions, or when the same transformation runs in
      production and its speed costs money. Its lazy mode can skip unused columns and rows.
    - **SQL, for example DuckDB** when the data already lives in files or a warehouse and
      the question is relational. DuckDB runs SQL directly over Parquet and CSV files,
      in-process, often faster than either DataFrame library, and SQL is the language your
      analysts and data engineers already share. A warehouse (BigQuery, Snowflake) when the
      data does not fit on one machine.

    Notice what made both fast: one group-by over whole columns, no Python loop. Exercise 1.3
    starts from a loop over groups and asks you to rewrite it in polars' expression API; the
    check compares both the result and the speed.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 7. Data versioning

    "Which data was this model trained on?" must have an exact answer: when a model
    misbehaves, the first question is whether the data changed. The cheap, reliable answer
    is a **content hash**: a fingerprint of the data itself. Same content, same hash;
    change one value and the hash changes. (`content_hash` hashes values and dtypes as
    pandas represents them, so compare hashes made with the same library versions; a file
    hash, of the bytes, does not have that caveat.)
    """)
    return


@app.cell
def _(cleaned, content_hash, dataset, file_hash, raw_path):
    one_price_changed = cleaned.copy()
    one_price_changed.loc[0, "price_usd"] = one_price_changed.loc[0, "price_usd"] + 0.01
    hash_changed = content_hash(one_price_changed)
    raw_file_hash = file_hash(raw_path)
    data_version = {
        "generator_version": dataset.GENERATOR_VERSION,
        "seed": dataset.DEFAULT_SEED,
        "n_listings": dataset.DEFAULT_N_LISTINGS,
        "raw_file_sha256": raw_file_hash,
        "clean_content_hash": content_hash(cleaned),
        "rows": len(cleaned),
    }
    return data_version, hash_changed


@app.cell(hide_code=True)
def _(cleaned, data_version, hash_changed, hash_first, mo):
    mo.md(f"""
    The cleaned table's hash is `{hash_first}`. Add one cent to one price (listing
    {int(cleaned.loc[0, 'listing_id'])}) and it becomes `{hash_changed}`.

    A data version worth logging with every model (Module 3 logs one to MLflow; hashes are
    shortened to their first 16 hex digits, plenty to tell versions apart):

    ```python
    {data_version}
    ```

    Tools build on the same idea: **DVC** and **lakeFS** store large files outside Git and
    keep their hashes in Git; **Delta Lake** and **Apache Iceberg** version tables in a
    lake; a warehouse can snapshot a table. Whatever the tool, the rules are the same:
    raw data is immutable (you add, never overwrite), every derived dataset is a function of
    a raw version plus a code version, and the model records both.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 8. Pause and think

    Try to answer each question before you open the discussion.
    """)
    return


@app.cell
def _(hash_first, hash_second, mo):
    mo.vstack([
        mo.md("**1. If I run your data pipeline twice on the same input, will I get identical output? Why or why not?**"),
        mo.accordion({"Discussion": mo.md(f"""
    Only if every step is deterministic, and you should *prove* it rather than assume it:
    run twice and compare (section 5 did: `{hash_first}` twice: `{hash_second}`). The usual
    culprits are unseeded randomness (sampling, train/test splits, model seeds), iteration
    over unordered containers, operations that depend on row order
    (`drop_duplicates(keep="first")` on an unsorted frame), the current time, external
    calls (an exchange-rate API), and floating-point sums whose order changes with
    parallelism. Make the pipeline a pure function of (raw data version, code version,
    parameters) and put a determinism check in CI.
    """)}),
    ])
    return


@app.cell
def _(mo):
    mo.vstack([
        mo.md("**2. Your model performed great in training but fails in production. The data looks similar. What could be wrong?**"),
        mo.accordion({"Discussion": mo.md(r"""
    "Looks similar" usually means the column names match. Check what is *inside*:
    training/serving skew (the training pipeline parsed `$1,234.50` correctly, the serving
    code does not); units and currencies (EUR rows scored as USD); a category the model
    never saw (a new rarity); a default that means "missing" (`Defense = 0`); a join that
    duplicates rows; a time lag (features computed with data that is not yet available at
    prediction time). The fix is structural: one shared transformation function for
    training and serving, the same schema validating both, and monitoring of the inputs
    (Module 6).
    """)}),
    ])
    return


@app.cell
def _(mo):
    mo.vstack([
        mo.md("**3. Someone changed a column name upstream. How would you detect this before it breaks your model?**"),
        mo.accordion({"Discussion": mo.md(r"""
    Validate at the boundary with a **strict** schema (`strict=True` rejects unknown
    columns, and every required column must be present): a rename then fails loudly, at
    ingestion, with a message naming the column, instead of surfacing days later as a
    silent `NaN` feature. Add a contract test in CI against a sample of the upstream feed,
    and agree on schema changes with the producer (a data contract, versioned like an
    API). Exercise 1.1 includes a renamed column for this reason.
    """)}),
    ])
    return


@app.cell
def _(engine_times, mo):
    _t = engine_times["seconds"].to_numpy()
    mo.vstack([
        mo.md("**4. When would you choose polars over pandas? When would you stick with pandas?**"),
        mo.accordion({"Discussion": mo.md(f"""
    Measure first: on this course's data the same aggregation took {_t[0] * 1000:.0f} ms in
    pandas and {_t[1] * 1000:.0f} ms in polars, so the choice barely matters here. Choose
    polars when data size or run frequency makes speed or memory a real cost, for heavy
    group-by/join work, and for new pipelines where its strict types and lazy optimiser
    help. Stay with pandas when the downstream libraries expect it, when the team knows it,
    and when the data is small. Mixing is fine: polars for the heavy transformation,
    `.to_pandas()` at the hand-off to scikit-learn.
    """)}),
    ])
    return


@app.cell(hide_code=True)
def _(first_load_seconds, mo):
    mo.md(f"""
    ## Key takeaways

    - **Land raw data as text, parse on purpose.** Type guessing made prices and HP text,
      and generations floats, without a single warning.
    - **Parquet for your own storage, CSV at the boundary.** Types survive, files shrink,
      reads are fast.
    - **A schema is a contract, checked at the door.** One rule per known fault; `lazy=True`
      for a full report; warnings for the suspicious, errors for the impossible.
    - **Clean with small pure steps** and prove determinism with a content hash.
    - **Trust the key, not the label**: join reference data on ids.
    - **Measure before choosing tools**; pandas, polars and SQL all have their place.
    - **Version your data** and log the version with every model.

    *(Loading the data took {first_load_seconds:.1f} s in this run. The very first run
    generates the files, a few seconds; every later run reads the cache.)*

    **Next:** open `exercises/exercises_01.py`: break the data on purpose (1.1), refactor a
    messy loader into a tested function (1.2), and make a slow pandas aggregation fast with
    polars (1.3). Then Module 2, exploratory analysis and features.
    """)
    return


if __name__ == "__main__":
    app.run()
