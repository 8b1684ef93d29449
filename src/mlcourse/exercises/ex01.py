"""Module 1 exercises: data engineering.

1.1 Break the data: five quality problems, each caught by the clean-listings schema.
1.2 Refactor messy loading code into a function, with checks that catch its old bugs.
1.3 Make a slow pandas aggregation fast with polars: same result, measured speed-up.
"""

from __future__ import annotations

import functools
import inspect
import io
import sys
import textwrap
import time
import tokenize
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import polars as pl

from mlcourse.checker import Exercise, Incorrect, NotAttempted, call_learner, is_stub
from mlcourse.dataset import EUR_TO_USD, GENERATOR_VERSION, data_dir, load_fault_log, load_listings
from mlcourse.schemas import clean_listing_schema, failure_summary


# ======================================================================================
# Shared exercise data (deterministic)
# ======================================================================================
@functools.lru_cache(maxsize=1)
def _sample() -> pd.DataFrame:
    listings = load_listings()
    return listings.sample(2_000, random_state=1).sort_values("listing_id").reset_index(drop=True)


def sample_listings() -> pd.DataFrame:
    """2,000 clean listings (a fixed sample) for exercise 1.1. A fresh copy every call."""
    return _sample().copy()


_SAMPLE_RAW_FAULTS = ["missing_price", "price_dollar_string", "price_eur", "price_in_cents", "duplicate_scrape"]


def sample_raw_path() -> Path:
    """A small raw-feed CSV for exercise 1.2 (about 3,000 rows, every price fault present)."""
    path = data_dir() / f"exercise_1_2_sample_raw_v{GENERATOR_VERSION}.csv"  # a new market, a new sample
    if path.exists():
        return path
    raw = load_listings("raw")
    faults = load_fault_log()
    rng = np.random.default_rng(12)
    ids = set(rng.choice(raw["listing_id"].unique(), size=2_500, replace=False))
    for fault in _SAMPLE_RAW_FAULTS:
        rows = faults.loc[faults["fault"] == fault, "listing_id"].astype(str)
        ids |= set(rows.iloc[:60])
    subset = raw[raw["listing_id"].isin(ids)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{time.time_ns()}.tmp")
    subset.to_csv(tmp, index=False)
    tmp.replace(path)
    return path


# ======================================================================================
# 1.1 Break the data
# ======================================================================================
# Each rule the schema reports, grouped into the kind of problem it catches. A corruption counts
# as the first kind it triggers in this order (the root cause): a NaN in an integer column also
# breaks the dtype, a missing date also breaks the cross-column date rule, but both are missing values.
PROBLEM_KINDS: dict[str, tuple[str, ...]] = {
    "a missing or unexpected column": ("column_in_dataframe", "column_in_schema"),
    "a duplicate": ("field_uniqueness", "multiple_fields_uniqueness", "unique"),
    "a missing value": ("not_nullable",),
    "a wrong type": ("dtype",),
    "an unknown category": ("isin", "notin"),
    "a malformed value": ("str_matches", "str_contains", "str_startswith", "str_endswith", "str_length"),
    "a value out of range": ("in_range", "greater_than", "greater_than_or_equal_to", "less_than",
                             "less_than_or_equal_to", "equal_to", "not_equal_to"),
}
CROSS_COLUMN_KIND = "a broken cross-column rule"
MIN_PROBLEM_KINDS = 3


def problem_kind(rules: frozenset[tuple[str, str]]) -> str:
    """The kind of problem behind a set of broken (column, rule) pairs: its root cause."""
    names = {check.split("(")[0] for _, check in rules}
    for kind, checks in PROBLEM_KINDS.items():
        if names & set(checks):
            return kind
    return CROSS_COLUMN_KIND


def check_corruptions(corruptions: object) -> str:
    if is_stub(corruptions) or (isinstance(corruptions, dict) and not corruptions):
        raise NotAttempted("Not attempted yet: add your corruption functions to the `corruptions` dict.")
    if not isinstance(corruptions, dict):
        raise Incorrect(f"`corruptions` should be a dict mapping a name to a function, got a {type(corruptions).__name__}.")
    if len(corruptions) < 5:
        raise Incorrect(f"You have {len(corruptions)} corruption(s); the exercise asks for five different problems.")
    schema = clean_listing_schema()
    clean = _sample()
    broken: dict[str, frozenset] = {}
    for name, fn in corruptions.items():
        given = clean.copy()
        out = call_learner(fn, given, what=f"corruption {name!r}")
        if not given.equals(clean):
            raise Incorrect(f"{name!r} modified the DataFrame it was given, in place. A pipeline step must "
                            "leave its input alone: start with `out = df.copy()` and change `out`.")
        if not isinstance(out, pd.DataFrame):
            raise Incorrect(f"{name!r} returned {type(out).__name__}, not a DataFrame. Did you forget `return`?")
        if out.shape == clean.shape and out.equals(clean):
            raise Incorrect(f"{name!r} returned the data unchanged.")
        try:
            schema.validate(out, lazy=True)
        except pa.errors.SchemaErrors as exc:
            summary = failure_summary(exc)
            broken[name] = frozenset(zip(summary["column"], summary["check"], strict=True))
        except pa.errors.SchemaError as exc:  # pragma: no cover - lazy validation raises SchemaErrors
            broken[name] = frozenset({("?", str(exc)[:80])})
        else:
            raise Incorrect(f"The schema accepted the data after {name!r}: the contract has no rule against "
                            "that change, so it is not a problem this schema can catch. Pick a fault the "
                            "schema forbids (see the rules table in Module 1): a value out of range, an "
                            "unknown category, a missing value where none is allowed, a duplicate id, a "
                            "renamed column, a wrong dtype...")
    seen: dict[frozenset, str] = {}
    for name, rules in broken.items():
        if rules in seen:
            listed = ", ".join(f"{c}: {r}" for c, r in sorted(rules))
            raise Incorrect(f"{name!r} and {seen[rules]!r} break exactly the same rule(s) ({listed}): "
                            "make them two different problems.")
        seen[rules] = name
    all_rules = set().union(*broken.values())
    if len(all_rules) < 5:
        raise Incorrect(f"Together your corruptions break only {len(all_rules)} different rules; aim for five "
                        "problems that break five different rules.")
    kinds = {name: problem_kind(rules) for name, rules in broken.items()}
    if len(set(kinds.values())) < MIN_PROBLEM_KINDS:
        by_kind: dict[str, list[str]] = {}
        for name, kind in kinds.items():
            by_kind.setdefault(kind, []).append(repr(name))
        found = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in by_kind.items())
        others = ", ".join(k for k in [*PROBLEM_KINDS, CROSS_COLUMN_KIND] if k not in by_kind)
        count = "one kind" if len(by_kind) == 1 else f"{len(by_kind)} kinds"
        raise Incorrect(f"Your corruptions are only {count} of problem ({found}). The same fault "
                        f"in another column is the same kind of problem: make at least {MIN_PROBLEM_KINDS} "
                        f"different kinds, for example {others}.")
    lines = "\n".join(f"- `{name}` ({kinds[name]}) broke: " + "; ".join(f"{c} ({r})" for c, r in sorted(rules))
                      for name, rules in broken.items())
    return (f"The schema caught all {len(broken)} problems, {len(set(kinds.values()))} different kinds and "
            f"{len(all_rules)} different rules in all:\n\n{lines}")


def solution_1_1() -> dict:
    def negative_price(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        out.loc[out.index[:3], "price_usd"] = -1.0
        return out

    def duplicated_listing(df: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([df, df.iloc[:2]], ignore_index=True)

    def unknown_rarity(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        out.loc[out.index[0], "rarity"] = "Mega Ultra Rare"
        return out

    def renamed_price_column(df: pd.DataFrame) -> pd.DataFrame:
        return df.rename(columns={"price_usd": "price"})

    def graded_without_grade(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        graded_rows = out.index[out["graded"]][:2]
        out.loc[graded_rows, "grade"] = np.nan
        return out

    corruptions = {
        "negative price": negative_price,
        "duplicated listing": duplicated_listing,
        "unknown rarity": unknown_rarity,
        "renamed price column": renamed_price_column,
        "graded without a grade": graded_without_grade,
    }
    return corruptions


break_the_data = Exercise(
    id="1.1",
    title="Break the data: five problems the schema catches",
    check_fn=check_corruptions,
    hints=[
        "Each function receives a clean DataFrame and returns a *broken copy*. Think of what goes "
        "wrong in real feeds: impossible values, unknown categories, duplicates, missing values, "
        "renamed or missing columns.",
        "Look at the rules table in Module 1 (or `clean_listing_schema()`): `price_usd` must be in "
        "a range, `rarity` must be a known value, `listing_id` must be unique, a graded listing "
        "needs a grade... Break one rule per function, and vary the kind of problem: NaN in five "
        "columns is one kind five times (the check wants at least three kinds).",
        "Pattern for one corruption:\n\n```python\ndef negative_price(df):\n    out = df.copy()\n"
        "    out.loc[out.index[:3], 'price_usd'] = -1.0\n    return out\n```\n\nForgetting "
        "`.copy()` modifies the caller's data: the check tests for that.",
    ],
    solution=solution_1_1,
    solution_note="In the notebook, assign the dict to `corruptions`.",
)


# ======================================================================================
# 1.2 Refactor messy loading code into a tested function
# ======================================================================================
PRICE_COLUMNS = ["listing_id", "listing_date", "card_id", "price_usd"]


def messy_load(path: str | Path) -> pd.DataFrame:
    """The code exercise 1.2 starts from, kept as it was found (it runs, and it has bugs)."""
    df = pd.read_csv(path)
    df = df[df["price"].notnull()]
    df["price2"] = 0.0
    for i, row in df.iterrows():
        p = str(row["price"])
        if row["currency"] == "EUR":
            p = p.replace(" EUR", "").replace(".", "").replace(",", ".")
            df.loc[i, "price2"] = float(p)
        elif p.startswith("$"):
            df.loc[i, "price2"] = float(p[1:].replace(",", ""))
        elif "." not in p:
            df.loc[i, "price2"] = float(p) / 100
        else:
            df.loc[i, "price2"] = float(p)
    df = df.drop_duplicates(subset=["listing_id"])
    df = df[["listing_id", "listing_date", "card_id", "price2"]]
    df.columns = ["listing_id", "listing_date", "card_id", "price_usd"]
    return df


def solution_1_2_loader(path: str | Path) -> pd.DataFrame:
    """Load listing prices from a raw feed file: one row per listing, prices in USD.

    - reads every column as text, so nothing is guessed (and "NA" or "null" stay text);
    - parses "12.34", "$1,234.50", integer cents ("1234") and "1.234,50 EUR";
    - drops listings without a price;
    - keeps the latest scrape of each listing (re-scrapes repeat a listing_id).
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    text = raw["price"].str.strip()
    is_eur = raw["currency"].eq("EUR")
    euro_amount = text.str.removesuffix(" EUR").str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    usd_text = text.str.replace(r"[$,]", "", regex=True)
    in_cents = ~is_eur & text.str.fullmatch(r"\d+").fillna(False)
    price = pd.to_numeric(usd_text.where(~is_eur, euro_amount), errors="coerce")
    price = price.where(~in_cents, price / 100).where(~is_eur, price * EUR_TO_USD).round(2)
    prices = pd.DataFrame({
        "listing_id": raw["listing_id"].astype("int64"),
        "listing_date": pd.to_datetime(raw["listing_date"], format="%Y-%m-%d"),
        "card_id": raw["card_id"],
        "price_usd": price,
        "scraped_at": raw["scraped_at"],
    })
    latest = prices.sort_values(["listing_id", "scraped_at"]).drop_duplicates("listing_id", keep="last")
    return latest[latest["price_usd"].notna()][PRICE_COLUMNS].reset_index(drop=True)


def solution_1_2_checks(load, path) -> None:
    """Checks that would have caught each bug of the messy loader."""
    df = load(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    assert list(df.columns) == ["listing_id", "listing_date", "card_id", "price_usd"]
    assert df["listing_id"].is_unique, "one row per listing"
    assert df["price_usd"].notna().all(), "listings without a price are dropped"
    assert pd.api.types.is_datetime64_any_dtype(df["listing_date"]), "listing_date is a date"
    prices = df.set_index("listing_id")["price_usd"]

    # a re-scraped listing whose price changed: the latest scrape wins
    plain = raw[raw["currency"].eq("USD") & raw["price"].str.fullmatch(r"\d+\.\d{2}").fillna(False)]
    changed = plain[plain.groupby("listing_id")["price"].transform("nunique") > 1]
    latest = changed.sort_values("scraped_at").groupby("listing_id").tail(1).iloc[0]
    assert abs(prices[int(latest["listing_id"])] - float(latest["price"])) < 0.005, "latest scrape wins"

    # a euro price is converted at 1.08 USD per EUR (checked on the dearest euro row: on a few
    # cents the conversion can vanish in the rounding)
    euros = raw[raw["currency"].eq("EUR")]
    amounts = euros["price"].str.removesuffix(" EUR").str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    eur = euros.loc[amounts.astype(float).idxmax()]
    amount = float(amounts[eur.name])
    assert abs(prices[int(eur["listing_id"])] - round(amount * 1.08, 2)) < 0.005, "EUR converted to USD"


def _read_text(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _mutant_keeps_first_scrape(path):
    first = _read_text(path).sort_values("scraped_at").drop_duplicates("listing_id", keep="first")
    return solution_1_2_loader(io.StringIO(first.to_csv(index=False)))


def _mutant_no_euro_conversion(path):
    df = solution_1_2_loader(path)
    raw = _read_text(path)
    eur_ids = raw.loc[raw["currency"].eq("EUR"), "listing_id"].astype("int64")
    df.loc[df["listing_id"].isin(eur_ids), "price_usd"] = (df["price_usd"] / EUR_TO_USD).round(2)
    return df


def _mutant_date_left_as_text(path):
    df = solution_1_2_loader(path)
    return df.assign(listing_date=df["listing_date"].dt.strftime("%Y-%m-%d"))


# The messy loader's three bugs, one per buggy loader: the learner's checks must catch each.
MUTANTS = {
    "keeps the first (stale) scrape of a re-scraped listing": _mutant_keeps_first_scrape,
    "forgets to convert EUR prices to USD": _mutant_no_euro_conversion,
    "leaves listing_date as text": _mutant_date_left_as_text,
}


def _compare_prices(got: pd.DataFrame, path: Path) -> None:
    expected = solution_1_2_loader(path)
    if not isinstance(got, pd.DataFrame):
        raise Incorrect(f"Your loader returned {type(got).__name__}, not a DataFrame. Did you forget `return`?")
    if list(got.columns) != PRICE_COLUMNS:
        raise Incorrect(f"Expected exactly the columns {PRICE_COLUMNS} in that order, got {list(got.columns)}.")
    if not pd.api.types.is_integer_dtype(got["listing_id"]):
        raise Incorrect(f"`listing_id` should be an integer column, got {got['listing_id'].dtype}.")
    if not pd.api.types.is_datetime64_any_dtype(got["listing_date"]):
        raise Incorrect(f"`listing_date` should be a datetime64 column, got {got['listing_date'].dtype}: "
                        "parse it with `pd.to_datetime`.")
    if not pd.api.types.is_float_dtype(got["price_usd"]):
        raise Incorrect(f"`price_usd` should be a float column, got {got['price_usd'].dtype}.")
    if got["listing_id"].duplicated().any():
        dup = int(got.loc[got["listing_id"].duplicated(), "listing_id"].iloc[0])
        raise Incorrect(f"listing_id {dup} appears more than once: keep one row per listing (the latest scrape).")
    if got["price_usd"].isna().any():
        lid = int(got.loc[got["price_usd"].isna(), "listing_id"].iloc[0])
        raise Incorrect(f"listing {lid} has no price (NaN): drop listings whose price is missing.")
    missing = sorted(set(expected["listing_id"]) - set(got["listing_id"]))
    extra = sorted(set(got["listing_id"]) - set(expected["listing_id"]))
    if missing:
        raise Incorrect(f"{len(missing)} listing(s) with a valid price are missing from your result, e.g. {missing[0]}.")
    if extra:
        raise Incorrect(f"{len(extra)} listing(s) should not be in your result, e.g. {extra[0]}.")
    unrounded = (got["price_usd"] * 100 - (got["price_usd"] * 100).round()).abs() > 1e-6
    if unrounded.any():
        row = got[unrounded].iloc[0]
        raise Incorrect(f"listing {int(row['listing_id'])} has price {row['price_usd']!r}: round prices to the cent.")
    merged = expected.merge(got, on="listing_id", suffixes=("_expected", "_got"))
    wrong = merged[(merged["price_usd_expected"] - merged["price_usd_got"]).abs() > 0.005]
    if len(wrong):
        raw = _read_text(path)
        row = wrong.iloc[0]
        feed = raw[raw["listing_id"] == str(int(row["listing_id"]))]
        texts = ", ".join(f"'{p}' {c} scraped {s}" for p, c, s in
                          zip(feed["price"], feed["currency"], feed["scraped_at"], strict=True))
        raise Incorrect(f"{len(wrong)} price(s) differ. Listing {int(row['listing_id'])}: the feed says {texts}; "
                        f"expected {row['price_usd_expected']:.2f} USD, you returned {row['price_usd_got']:.2f}.")
    dates = merged[merged["listing_date_expected"] != pd.to_datetime(merged["listing_date_got"])]
    if len(dates):
        raise Incorrect(f"{len(dates)} listing date(s) differ, e.g. listing {int(dates['listing_id'].iloc[0])}.")


def check_loader_and_checks(load: object, checks: object) -> str:
    if is_stub(load) and is_stub(checks):
        raise NotAttempted()
    path = sample_raw_path()
    if is_stub(load):
        raise NotAttempted("Write `load_listing_prices` first (your checks are tested against it and against buggy versions).")
    got = call_learner(load, str(path), what="load_listing_prices(path)")
    _compare_prices(got, path)
    again = call_learner(load, Path(path), what="load_listing_prices(Path(path))")
    if not isinstance(again, pd.DataFrame) or not again.reset_index(drop=True).equals(got.reset_index(drop=True)):
        raise Incorrect("Called a second time (with a pathlib.Path), your loader returned something different: "
                        "it should accept str or Path and give the same result every run.")
    if is_stub(checks):
        raise Incorrect("Your loader is correct. Now write `check_loader(load, path)`: checks that would "
                        "have caught the messy code's bugs.")
    try:
        call_learner(checks, solution_1_2_loader, path, what="check_loader on a correct loader")
    except Incorrect as exc:
        raise Incorrect(f"Your checks fail on a correct loader, so they would raise false alarms: {exc}") from exc
    except NotAttempted as exc:
        raise Incorrect("Your loader is correct. Now write `check_loader(load, path)`: checks that would have "
                        "caught the messy code's bugs.") from exc
    for bug, mutant in MUTANTS.items():
        try:
            returned = call_learner(checks, mutant, path, what="check_loader")
        except Incorrect:
            continue
        if returned is not None:
            raise Incorrect(f"check_loader returned {returned!r} for a loader that {bug}. It must *raise* when "
                            "the loader is wrong: use `assert condition, 'message'`, not `return`.")
        raise Incorrect(f"Your checks pass on a loader that {bug}. Add a check that catches it.")
    return ("Your loader matches the reference on every listing, and your checks pass on it while "
            f"catching all {len(MUTANTS)} bugs of the messy version.")


refactor_loader = Exercise(
    id="1.2",
    title="Refactor messy loading code into a tested function",
    check_fn=check_loader_and_checks,
    hints=[
        "Start from the behaviour, not the code: one row per listing, the latest scrape, a USD "
        "price parsed from four formats, no missing prices, proper dtypes. Write the function "
        "first, then one `assert` per bug of the messy code in `check_loader`: it keeps the first "
        "scrape, it never converts euros, and it leaves the date as text.",
        "Read everything as text: `pd.read_csv(path, dtype=str, keep_default_na=False, "
        "na_values=[''])`. To keep the latest scrape, sort by `scraped_at` and "
        "`drop_duplicates('listing_id', keep='last')`. Vectorise the price parsing with `.str` "
        "methods instead of `iterrows`.",
        "In `check_loader(load, path)`, compare `load(path)` with facts you can read from the raw "
        "file yourself: pick a re-scraped listing *whose price changed between scrapes* (about "
        "half of them) and assert the loader kept the latest price; pick an EUR row and assert it "
        "was multiplied by 1.08; assert `listing_date` is a datetime column. A check is an "
        "`assert` that raises when the loader is wrong.",
    ],
    solution="\n\n\n".join(inspect.getsource(f) for f in (solution_1_2_loader, solution_1_2_checks)),
    solution_note="`EUR_TO_USD` is 1.08 (importable from `mlcourse.dataset`).",
)


# ======================================================================================
# 1.3 From slow pandas to fast polars
# ======================================================================================
MONTHLY_COLUMNS = ["set_name", "rarity", "month", "median_price", "n_listings"]
# Graded on the shape of the work, counted, never on a timer: polars expressions run in compiled
# code, so the Python calls a good answer makes are the same few on 2,000 or 8,000 listings; a
# loop over rows or groups (or a Python function per row, map_elements) makes more with every one.
COUNT_SIZES = (2_000, 8_000)
MAX_PYTHON_CALLS_PER_1000_ROWS = 20


def slow_monthly_medians(listings: pd.DataFrame) -> pd.DataFrame:
    """Median price and listing count per set, rarity and month: correct, and slow."""
    rows = []
    for (set_name, rarity), group in listings.groupby(["set_name", "rarity"]):
        months = group["listing_date"].dt.strftime("%Y-%m")
        for month in sorted(months.unique()):
            prices = group.loc[months == month, "price_usd"]
            rows.append({"set_name": set_name, "rarity": rarity, "month": month,
                         "median_price": prices.median(), "n_listings": len(prices)})
    return pd.DataFrame(rows)


@functools.lru_cache(maxsize=1)
def _speed_data() -> tuple[pd.DataFrame, pl.DataFrame]:
    listings = load_listings().iloc[:8_000]
    return listings, pl.from_pandas(listings)


def speed_data() -> pl.DataFrame:
    """The polars frame exercise 1.3 times on (the first 8,000 clean listings)."""
    return _speed_data()[1]


@functools.lru_cache(maxsize=1)
def slow_reference() -> tuple[pd.DataFrame, float]:
    """The slow pandas result on the speed data and how long it took (computed once)."""
    listings, _ = _speed_data()
    start = time.perf_counter()
    result = slow_monthly_medians(listings)
    return result, time.perf_counter() - start


def _best_time(fn, data, repeats: int = 3) -> float:
    """Best of ``repeats`` runs, in seconds: shown to the learner, never graded."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call_learner(fn, data, what="fast_monthly_medians(listings)")
        best = min(best, time.perf_counter() - start)
    return best


def python_calls(fn, data: pl.DataFrame) -> int:
    """The Python-level function calls (Python and built-in) of one run of ``fn(data)``, after a run uncounted.

    A count, not a time: the same on every machine for the same code and data.
    """
    call_learner(fn, data, what="fast_monthly_medians(listings)")  # first-call costs (imports, caches) uncounted
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call" or event == "c_call":
            count += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        call_learner(fn, data, what="fast_monthly_medians(listings)")
    finally:
        sys.setprofile(previous)
    return count


def python_calls_per_1000_rows(fn, data: pl.DataFrame | None = None) -> float:
    """How many more Python calls ``fn`` makes per 1,000 extra listings (between COUNT_SIZES rows of ``data``)."""
    data = speed_data() if data is None else data
    small, large = COUNT_SIZES
    extra = python_calls(fn, data.head(large)) - python_calls(fn, data.head(small))
    return max(0.0, extra / (large - small) * 1000)


@functools.lru_cache(maxsize=1)
def _other_data() -> tuple[pd.DataFrame, pl.DataFrame]:
    listings = load_listings().iloc[8_000:11_000]
    return listings, pl.from_pandas(listings)


def other_data() -> pl.DataFrame:
    """3,000 listings the learner never sees (after the first 8,000): a right function gets them right too."""
    return _other_data()[1]


def _compare_monthly(got: object, expected: pd.DataFrame, where: str) -> None:
    """Raise Incorrect unless ``got`` is the polars table of ``expected``'s groups and values."""
    if isinstance(got, pd.DataFrame):
        raise Incorrect("Your function returned a pandas DataFrame: the exercise is to do the work in polars "
                        "and return a polars DataFrame.")
    if isinstance(got, pl.LazyFrame):
        raise Incorrect("Your function returned a LazyFrame: call `.collect()` before returning.")
    if not isinstance(got, pl.DataFrame):
        raise Incorrect(f"Expected a polars DataFrame, got {type(got).__name__}. Did you forget `return`?")
    if sorted(got.columns) != sorted(MONTHLY_COLUMNS):
        raise Incorrect(f"Expected the columns {MONTHLY_COLUMNS}, got {got.columns}.")
    if got.schema["month"] != pl.String:
        raise Incorrect(f"`month` should be text like '2024-03', got {got.schema['month']}: use `.dt.strftime('%Y-%m')`.")
    keys = ["set_name", "rarity", "month"]
    mine = got.select(MONTHLY_COLUMNS).to_pandas().sort_values(keys).reset_index(drop=True)
    ref = expected.sort_values(keys).reset_index(drop=True)
    if len(mine) != len(ref):
        raise Incorrect(f"Expected {len(ref)} (set, rarity, month) groups{where}, got {len(mine)}.")
    if not (mine[keys].astype(str).to_numpy() == ref[keys].astype(str).to_numpy()).all():
        raise Incorrect(f"Your groups{where} differ from the reference: group by set_name, rarity and month.")
    wrong_n = mine["n_listings"].to_numpy() != ref["n_listings"].to_numpy()
    if wrong_n.any():
        row = ref[wrong_n].iloc[0]
        raise Incorrect(f"n_listings differs{where} for {row['set_name']} / {row['rarity']} / {row['month']}: "
                        f"expected {row['n_listings']}, got {mine[wrong_n]['n_listings'].iloc[0]}.")
    if got.schema["median_price"] == pl.Null:
        mine = mine.assign(median_price=np.nan)
    elif not got.schema["median_price"].is_numeric():
        raise Incorrect(f"`median_price` should be a number, got {got.schema['median_price']}.")
    mine_median = mine["median_price"].to_numpy(dtype=float)
    missing = np.isnan(mine_median)
    if missing.any():
        row = ref[missing].iloc[0]
        raise Incorrect(f"median_price is missing (NaN or null){where} for {int(missing.sum())} group(s), e.g. "
                        f"{row['set_name']} / {row['rarity']} / {row['month']}: every group has prices, so "
                        "every group has a median. Take it of `price_usd`.")
    diff = np.abs(mine_median - ref["median_price"].to_numpy(dtype=float))
    wrong = ~(diff <= 1e-6)  # NaN counts as wrong
    if wrong.any():
        i = int(np.argmax(wrong))
        row = ref.iloc[i]
        raise Incorrect(f"median_price differs{where} for {row['set_name']} / {row['rarity']} / {row['month']}: "
                        f"expected {row['median_price']:.6g}, got {mine_median[i]:.6g}. "
                        "Is it the median (not the mean)?")


def check_fast_monthly(fn: object) -> str:
    if is_stub(fn):
        raise NotAttempted()
    data = speed_data()
    got = call_learner(fn, data, what="fast_monthly_medians(listings)")
    expected, slow_seconds = slow_reference()
    _compare_monthly(got, expected, "")
    other_pandas, other = _other_data()
    got_other = call_learner(fn, other, what=f"fast_monthly_medians(other {other.height:,} listings)")
    _compare_monthly(got_other, slow_monthly_medians(other_pandas),
                     f" on {other.height:,} other listings the check also sent (does the function use its argument?)")
    through_pandas = _pandas_round_trip(fn)
    if through_pandas:
        raise Incorrect(f"Same result, but your function calls `{through_pandas}`: the work is done in pandas and "
                        "only wrapped in polars. The point of the exercise is to write it in polars: one "
                        "`group_by().agg()`, no conversion.")
    growth = python_calls_per_1000_rows(fn, data)
    if growth > MAX_PYTHON_CALLS_PER_1000_ROWS:
        raise Incorrect(f"Same result, but your function makes about {growth:,.0f} more Python function calls for "
                        f"every 1,000 more listings (counted on {COUNT_SIZES[0]:,} and {COUNT_SIZES[1]:,}): Python "
                        "does work per row or per group (a loop, `iter_rows`, `map_elements`), which is what made "
                        "the pandas version slow. Let polars do it: derive the month with `.dt.strftime`, then "
                        "one `group_by().agg()`.")
    fast_seconds = _best_time(fn, data)
    speedup = slow_seconds / max(fast_seconds, 1e-9)
    return (f"Same result as the pandas loop, on the exercise's {len(data):,} listings and on {other.height:,} "
            f"others, with polars doing the work (no Python calls per row or group). Measured here, for "
            f"information: {fast_seconds * 1000:.1f} ms against the loop's {slow_seconds * 1000:.0f} ms, "
            f"{speedup:,.0f}x faster.")


_CONVERSIONS = ("to_pandas", "from_pandas")


def _pandas_round_trip(fn: object) -> str | None:
    """The pandas conversion a function's source calls (`to_pandas`, `from_pandas`), if any.

    Read from the code's tokens, so comments and strings do not count. None when the source
    cannot be read (a built-in, or code typed at a prompt).
    """
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (OSError, TypeError, tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return next((t.string for t in tokens if t.type == tokenize.NAME and t.string in _CONVERSIONS), None)


def solution_1_3(listings: pl.DataFrame) -> pl.DataFrame:
    return (
        listings
        .with_columns(pl.col("listing_date").dt.strftime("%Y-%m").alias("month"))
        .group_by("set_name", "rarity", "month")
        .agg(pl.col("price_usd").median().alias("median_price"), pl.len().alias("n_listings"))
        .sort("set_name", "rarity", "month")
    )


polars_speedup = Exercise(
    id="1.3",
    title="Make a slow pandas aggregation fast with polars",
    check_fn=check_fast_monthly,
    hints=[
        "The slow version loops over groups in Python. polars can do the whole thing in one "
        "expression: derive the month, group, aggregate.",
        "`pl.col('listing_date').dt.strftime('%Y-%m')` gives the month as text; "
        "`.group_by('set_name', 'rarity', 'month').agg(...)` groups.",
        "Inside `.agg(...)`: `pl.col('price_usd').median().alias('median_price')` and "
        "`pl.len().alias('n_listings')`.",
    ],
    solution=solution_1_3,
    solution_note="In the notebook the function is called `fast_monthly_medians`.",
)
