"""Data contracts for the card market, written with pandera.

Two schemas, two jobs:

* :func:`raw_listing_schema` guards the door. The raw feed arrives as text; the schema
  names every fault the feed is known to carry (see data/README.md), so a failing
  validation says *which* rows broke *which* rule. It needs the card catalog, because
  some rules ("the rarity matches the catalog") are cross-references.
* :func:`clean_listing_schema` is the contract every later module relies on: dtypes,
  allowed values, ranges, and the structural rules (a Trainer card has no species; a
  graded listing has a grader and a grade but no condition).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from mlcourse import reference as ref
from mlcourse.cleaning import GRADED_TITLE_PATTERN, LOT_PATTERN
from mlcourse.dataset import WINDOW_END, WINDOW_START

_DIGITS = r"^\d+$"
_PRICE_TEXT = r"^\d+\.\d{2}$"
_GRADE_TEXT = [f"{g:g}" for g in ref.GRADES]
SET_NAMES = [name for name, *_ in ref.SETS]


def _text(*checks: pa.Check, nullable: bool = False, unique: bool = False) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=nullable, unique=unique)


def raw_listing_schema(cards: pd.DataFrame) -> pa.DataFrameSchema:
    """The contract for the raw feed (every column is text), checked against the catalog."""
    rarity_of = cards.set_index("card_id")["rarity"]
    release_of = cards.set_index("card_id")["release_date"].dt.strftime("%Y-%m-%d")

    def rarity_matches_catalog(df: pd.DataFrame) -> pd.Series:
        expected = df["card_id"].map(rarity_of)
        return df["rarity"].isna() | expected.isna() | (df["rarity"] == expected)

    def listed_after_release(df: pd.DataFrame) -> pd.Series:
        release = df["card_id"].map(release_of)
        return release.isna() | df["listing_date"].isna() | (df["listing_date"] >= release)

    def scraped_after_listing(df: pd.DataFrame) -> pd.Series:
        return df["scraped_at"].isna() | df["listing_date"].isna() | (df["scraped_at"].str[:10] >= df["listing_date"])

    def ungraded_title_has_no_grade(df: pd.DataFrame) -> pd.Series:
        return ~(df["graded"].eq("False") & df["title"].fillna("").str.contains(GRADED_TITLE_PATTERN))

    card_ids = set(cards["card_id"])
    digits = pa.Check.str_matches(_DIGITS, error="digits only")

    def one_of(values: list[str], what: str) -> pa.Check:
        return pa.Check.isin(values, error=f"a known {what}")

    return pa.DataFrameSchema(
        {
            "listing_id": _text(digits, unique=True),
            "scraped_at": _text(pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
                                                     error="YYYY-MM-DD hh:mm:ss")),
            "listing_date": _text(pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$", error="YYYY-MM-DD")),
            "title": _text(pa.Check(lambda s: ~s.str.contains(LOT_PATTERN), name="not_a_lot",
                                    error="a single card, not a multi-card lot")),
            "card_id": _text(pa.Check(lambda s: s.isin(card_ids), name="in_catalog",
                                      error="a card_id in the catalog")),
            "set_code": _text(),
            "set_name": _text(one_of(SET_NAMES, "set name")),
            "card_number": _text(digits),
            "card_name": _text(),
            "supertype": _text(one_of(["Pokemon", "Trainer", "Energy"], "supertype")),
            "species": _text(nullable=True),
            "pokemon_type": _text(one_of(ref.POKEMON_TYPES, "type"), nullable=True),
            "generation": _text(digits, nullable=True),
            "is_legendary": _text(one_of(["True", "False"], "boolean")),
            "is_mythical": _text(one_of(["True", "False"], "boolean")),
            "hp": _text(digits, nullable=True),
            "attack": _text(digits, nullable=True),
            "defense": _text(
                digits,
                pa.Check(lambda s: s != "0", name="defense_not_zero", raise_warning=True,
                         error="not 0 (the source's placeholder for 'not recorded')"),
                nullable=True),
            "speed": _text(digits, nullable=True),
            "base_stat_total": _text(digits, nullable=True),
            "rarity": _text(one_of(ref.RARITY_ORDER, "rarity")),
            "is_alt_art": _text(one_of(["True", "False"], "boolean")),
            "finish": _text(one_of(ref.FINISHES, "finish")),
            "first_edition": _text(one_of(["True", "False"], "boolean")),
            "language": _text(one_of(list(ref.LANGUAGES), "language")),
            "graded": _text(one_of(["True", "False"], "boolean")),
            "grader": _text(one_of(ref.GRADERS, "grader"), nullable=True),
            "grade": _text(one_of(_GRADE_TEXT, "grade"), nullable=True),
            "condition": _text(one_of(list(ref.CONDITIONS), "condition"), nullable=True),
            "channel": _text(one_of(["bulk_lot", "marketplace", "auction"], "channel")),
            "price": _text(pa.Check.str_matches(_PRICE_TEXT, error="plain dollars and cents, like 12.34")),
            "currency": _text(pa.Check.isin(["USD"], error="USD")),
        },
        checks=[
            pa.Check(rarity_matches_catalog, name="rarity_matches_catalog",
                     error="rarity matches the catalog's rarity for the card_id"),
            pa.Check(listed_after_release, name="listed_after_release",
                     error="listing_date on or after the set's release"),
            pa.Check(scraped_after_listing, name="scraped_after_listing",
                     error="scraped_at on or after listing_date"),
            pa.Check(ungraded_title_has_no_grade, name="ungraded_title_has_no_grade",
                     error="an ungraded listing's title names no grader and grade"),
        ],
        strict=True,
        name="raw_listings",
    )


def _structural_checks() -> list[pa.Check]:
    def species_iff_pokemon(df: pd.DataFrame) -> pd.Series:
        return df["species"].notna() == df["supertype"].eq("Pokemon")

    def grading_fields_consistent(df: pd.DataFrame) -> pd.Series:
        graded = df["graded"]
        return ((df["grader"].notna() == graded) & (df["grade"].notna() == graded)
                & (df["condition"].notna() == ~graded))

    def listed_after_release(df: pd.DataFrame) -> pd.Series:
        return df["listing_date"] >= df["release_date"]

    return [pa.Check(species_iff_pokemon, name="species_iff_pokemon"),
            pa.Check(grading_fields_consistent, name="grading_fields_consistent"),
            pa.Check(listed_after_release, name="listed_after_release")]


def clean_listing_schema() -> pa.DataFrameSchema:
    """The contract of the cleaned listings table that every module uses."""
    stat = {"nullable": True, "checks": pa.Check.in_range(0, 1000)}
    return pa.DataFrameSchema(
        {
            "listing_id": pa.Column("int64", unique=True),
            "listing_date": pa.Column("datetime64[us]", pa.Check.in_range(WINDOW_START, WINDOW_END)),
            "card_id": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+-\d{2}-\d{3}$")),
            "set_code": pa.Column(str),
            "set_name": pa.Column(str, pa.Check.isin(SET_NAMES, error=f"one of the {len(SET_NAMES)} known set names")),
            "era": pa.Column(str, pa.Check.isin(ref.ERA_ORDER)),
            "release_date": pa.Column("datetime64[us]"),
            "card_number": pa.Column("int16", pa.Check.ge(1)),
            "card_name": pa.Column(str),
            "supertype": pa.Column(str, pa.Check.isin(["Pokemon", "Trainer", "Energy"])),
            "species": pa.Column(str, nullable=True),
            "pokemon_type": pa.Column(str, pa.Check.isin(ref.POKEMON_TYPES), nullable=True),
            "generation": pa.Column("Int8", pa.Check.in_range(1, 9), nullable=True),
            "is_legendary": pa.Column(bool),
            "is_mythical": pa.Column(bool),
            "hp": pa.Column("Int16", **stat),
            "attack": pa.Column("Int16", **stat),
            "defense": pa.Column("Int16", **stat),  # 0 = not recorded at the source; see data/README.md
            "speed": pa.Column("Int16", **stat),
            "base_stat_total": pa.Column("Int16", nullable=True, checks=pa.Check.in_range(100, 800)),
            "rarity": pa.Column(str, pa.Check.isin(ref.RARITY_ORDER)),
            "is_alt_art": pa.Column(bool),
            "finish": pa.Column(str, pa.Check.isin(ref.FINISHES)),
            "first_edition": pa.Column(bool),
            "language": pa.Column(str, pa.Check.isin(list(ref.LANGUAGES))),
            "graded": pa.Column(bool),
            "grader": pa.Column(str, pa.Check.isin(ref.GRADERS), nullable=True),
            "grade": pa.Column("float64", pa.Check.isin(ref.GRADES), nullable=True),
            "condition": pa.Column(str, pa.Check.isin(list(ref.CONDITIONS)), nullable=True),
            "channel": pa.Column(str, pa.Check.isin(["bulk_lot", "marketplace", "auction"])),
            "price_usd": pa.Column("float64", pa.Check.in_range(0.01, 100_000)),
        },
        checks=_structural_checks(),
        strict=True,
        ordered=True,
        name="clean_listings",
    )


def failure_summary(error: pa.errors.SchemaErrors) -> pd.DataFrame:
    """One row per failed rule: the column (or <table> for cross-column rules), the rule,
    how many rows broke it, and one offending value."""
    fc = error.failure_cases
    table_level = fc["schema_context"].eq("DataFrameSchema")
    fc = fc.assign(column=fc["column"].astype("str").where(~table_level, "<table>").fillna("<table>"),
                   check=fc["check"].astype("str"))
    # a table-level rule reports every column of a failing row: keep one entry per row
    fc = fc.drop_duplicates(["column", "check", "index"])
    out = (fc.groupby(["column", "check"], dropna=False, sort=False)
           .agg(rows=("index", lambda s: s.dropna().nunique()), example=("failure_case", "first"))
           .reset_index().sort_values("rows", ascending=False, kind="stable"))
    out["example"] = out["example"].astype("str")
    return out.reset_index(drop=True)


def rules_table(schema: pa.DataFrameSchema) -> pd.DataFrame:
    """The schema's rules as a table a learner can read: column, dtype, nullable, unique, checks."""
    rows = []
    for name, col in schema.columns.items():
        dtype = str(col.dtype)
        if dtype.startswith("datetime64"):
            dtype = "datetime64 (any unit)"  # pandera checks datetimes without their unit
        rows.append({"column": name, "dtype": dtype, "nullable": col.nullable, "unique": col.unique,
                     "checks": "; ".join(str(c.error or c.name) for c in col.checks)})
    for check in schema.checks:
        rows.append({"column": "<table>", "dtype": "", "nullable": "", "unique": "",
                     "checks": str(check.error or check.name)})
    return pd.DataFrame(rows)
