"""The reference cleaning pipeline: raw scraped feed in, one typed row per real listing out.

Each step is a small pure function (DataFrame in, new DataFrame out, input untouched), so
the pipeline is reproducible: the same raw file always gives byte-identical output, and
:func:`mlcourse.versioning.content_hash` of the result is a data version.
Module 1 walks through every step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from mlcourse.dataset import EUR_TO_USD, LISTING_COLUMNS, RAW_COLUMNS

LOT_PATTERN = r"(?i)\blot of\b|\bbulk\b"
GRADED_TITLE_PATTERN = r"\b(?:PSA|BGS|CGC) \d"
CARD_ATTRIBUTES = ["set_code", "set_name", "card_number", "card_name", "supertype", "species",
                   "pokemon_type", "generation", "is_legendary", "is_mythical", "hp", "attack",
                   "defense", "speed", "base_stat_total", "rarity", "is_alt_art"]

_USD = re.compile(r"^\d+\.\d{2}$")
_DOLLAR = re.compile(r"^\$\d{1,3}(?:,\d{3})*\.\d{2}$")
_CENTS = re.compile(r"^\d+$")
_EUR = re.compile(r"^\d{1,3}(?:\.\d{3})*,\d{2} EUR$")


def read_raw_listings(path: str | Path) -> pd.DataFrame:
    """Read the raw feed exactly as scraped: every column as text, only empty cells missing.

    ``keep_default_na=False`` matters: pandas would otherwise turn strings such as "NA",
    "null" or "None" into missing values.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], engine="pyarrow")
    missing = [c for c in RAW_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: the raw feed is missing columns {missing}")
    return df


def keep_latest_scrape(raw: pd.DataFrame) -> pd.DataFrame:
    """Re-scrapes repeat a listing_id; the latest scrape holds the final price.

    Only the repeated ids need sorting, which keeps this fast on a million rows.
    """
    repeated = raw["listing_id"].duplicated(keep=False)
    latest = (raw[repeated].sort_values(["listing_id", "scraped_at"], kind="stable")
              .drop_duplicates("listing_id", keep="last"))
    return pd.concat([raw[~repeated], latest]).sort_index()


def drop_non_single_listings(df: pd.DataFrame) -> pd.DataFrame:
    """Drop multi-card lots, and graded slabs that leaked into the feed without their grade."""
    title = df["title"].fillna("")
    is_lot = title.str.contains(LOT_PATTERN, regex=True)
    slab_leak = (df["graded"] != "True") & title.str.contains(GRADED_TITLE_PATTERN, regex=True)
    return df[~(is_lot | slab_leak)]


def parse_price(price: pd.Series, currency: pd.Series) -> pd.Series:
    """Parse the price text into US dollars; anything unparseable becomes NaN.

    Formats seen in the feed: "12.34", "$1,234.50", "1234" (integer cents) and
    "1.234,50 EUR" (currency EUR, converted at the feed's fixed rate).
    """
    text = price.fillna("").astype(str).str.strip()
    out = pd.Series(np.nan, index=price.index, dtype="float64")
    usd = currency.eq("USD")
    plain = usd & text.str.match(_USD)
    out[plain] = text[plain].astype(float)
    dollar = usd & text.str.match(_DOLLAR)
    out[dollar] = text[dollar].str.replace(r"[$,]", "", regex=True).astype(float)
    cents = usd & text.str.match(_CENTS)
    out[cents] = text[cents].astype(float) / 100
    eur = currency.eq("EUR") & text.str.match(_EUR)
    amount = text[eur].str.removesuffix(" EUR").str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    out[eur] = (amount.astype(float) * EUR_TO_USD).round(2)
    return out.round(2)


def parse_prices(df: pd.DataFrame) -> pd.DataFrame:
    """Add price_usd and drop listings whose price is missing or unparseable."""
    out = df.assign(price_usd=parse_price(df["price"], df["currency"]))
    return out[out["price_usd"].notna()].drop(columns=["price", "currency"])


def attach_catalog(df: pd.DataFrame, cards: pd.DataFrame) -> pd.DataFrame:
    """Replace the scraped card attributes with the catalog's, joined on card_id.

    Fixes set-name typos, mislabelled or missing rarities and stats stored as text in one
    move: trust the key, not the label. Listings for unknown cards are dropped.
    """
    slim = df.drop(columns=CARD_ATTRIBUTES)
    return slim.merge(cards, on="card_id", how="inner", validate="many_to_one")


def drop_impossible_dates(df: pd.DataFrame) -> pd.DataFrame:
    """A listing cannot predate its set's release: such dates are stale or corrupt."""
    listing_date = pd.to_datetime(df["listing_date"], format="%Y-%m-%d")
    ok = listing_date >= df["release_date"]
    return df[ok].assign(listing_date=listing_date[ok].astype("datetime64[us]"))


def cast_and_order(df: pd.DataFrame) -> pd.DataFrame:
    """Typed listing-level fields, the documented column order, sorted by listing_id."""
    out = df.assign(
        listing_id=df["listing_id"].astype("int64"),
        first_edition=df["first_edition"].eq("True"),
        graded=df["graded"].eq("True"),
        grade=df["grade"].astype("float64"),
    )
    for col in ["finish", "language", "grader", "condition", "channel"]:
        out[col] = out[col].astype("str").where(out[col].notna(), None).astype("str")
    return out[LISTING_COLUMNS].sort_values("listing_id", kind="stable").reset_index(drop=True)


def pipeline_steps(cards: pd.DataFrame) -> list[tuple[str, Callable[[pd.DataFrame], pd.DataFrame]]]:
    """The cleaning steps in order, as (name, function) pairs."""
    return [
        ("keep the latest scrape of each listing", keep_latest_scrape),
        ("drop lots and leaked graded slabs", drop_non_single_listings),
        ("parse prices to USD, drop missing", parse_prices),
        ("join the card catalog on card_id", lambda df: attach_catalog(df, cards)),
        ("drop listings dated before release", drop_impossible_dates),
        ("cast types and order columns", cast_and_order),
    ]


def clean_listings(raw: pd.DataFrame, cards: pd.DataFrame,
                   report: list[dict] | None = None) -> pd.DataFrame:
    """Run the whole pipeline. If ``report`` is a list, append one row count per step to it."""
    df = raw
    for name, step in pipeline_steps(cards):
        before = len(df)
        df = step(df)
        if report is not None:
            report.append({"step": name, "rows_in": before, "rows_out": len(df)})
    return df
