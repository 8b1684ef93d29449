"""The data contracts: the raw schema catches every injected fault; the clean one holds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from mlcourse import dataset as ds
from mlcourse.schemas import clean_listing_schema, failure_summary, raw_listing_schema, rules_table


@pytest.fixture(scope="module")
def raw_validation():
    raw = ds.load_listings("raw")
    schema = raw_listing_schema(ds.load_cards())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(pa.errors.SchemaErrors) as info:
            schema.validate(raw, lazy=True)
    return raw, info.value, caught


def test_raw_schema_catches_every_injected_fault(raw_validation):
    _, errors, _ = raw_validation
    flagged = set(errors.failure_cases["index"].dropna().astype(int))
    faults = ds.load_fault_log()
    for fault, rows in faults.groupby("fault"):
        if fault == "defense_zero":
            continue  # a warning by design, tested below
        missed = rows.loc[~rows["raw_row"].isin(flagged), "raw_row"]
        assert missed.empty, f"{fault}: {len(missed)} of {len(rows)} rows not caught, e.g. raw row {missed.iloc[0]}"


def test_each_fault_is_caught_by_its_own_rule(raw_validation):
    raw, errors, _ = raw_validation
    fc = errors.failure_cases.dropna(subset=["index"])
    rule_rows = {}
    for (_column, check), group in fc.groupby(["column", "check"]):
        rule_rows.setdefault(check, set()).update(group["index"].astype(int))
    faults = ds.load_fault_log()
    expected_rule = {
        "missing_price": "not_nullable", "price_dollar_string": "plain dollars and cents, like 12.34",
        "price_in_cents": "plain dollars and cents, like 12.34", "price_eur": "USD",
        "duplicate_scrape": "field_uniqueness", "set_name_typo": "a known set name",
        "rarity_mislabel": "rarity matches the catalog's rarity for the card_id",
        "rarity_missing": "not_nullable", "hp_as_string": "digits only",
        "lot_as_single": "a single card, not a multi-card lot",
        "slab_in_ungraded": "an ungraded listing's title names no grader and grade",
        "stale_date": "listing_date on or after the set's release",
    }
    for fault, rule in expected_rule.items():
        rows = set(faults.loc[faults["fault"] == fault, "raw_row"])
        assert rows <= rule_rows[rule], f"{fault} should be caught by the rule {rule!r}"


def test_defense_zero_is_a_warning_not_an_error(raw_validation):
    _, errors, caught = raw_validation
    assert any("not 0" in str(w.message) for w in caught)
    summary = failure_summary(errors)
    assert not summary["check"].str.contains("not 0").any()


def test_failure_summary_has_one_row_per_rule(raw_validation):
    _, errors, _ = raw_validation
    summary = failure_summary(errors)
    assert list(summary.columns) == ["column", "check", "rows", "example"]
    assert not summary.duplicated(["column", "check"]).any()
    assert (summary["column"] == "<table>").sum() == 3, "cross-column rules are reported once, not per column"
    assert summary["rows"].is_monotonic_decreasing


def test_clean_table_honours_the_clean_contract():
    clean_listing_schema().validate(ds.load_listings(), lazy=True)


def _broken(df: pd.DataFrame, column: str, value) -> pd.DataFrame:
    out = df.copy()
    out.loc[out.index[0], column] = value
    return out


@pytest.mark.parametrize("mutate, rule", [
    (lambda d: _broken(d, "price_usd", -5.0), "in_range"),
    (lambda d: _broken(d, "rarity", "Mega Rare"), "isin"),
    (lambda d: pd.concat([d, d.iloc[:1]], ignore_index=True), "field_uniqueness"),
    (lambda d: d.rename(columns={"price_usd": "price"}), "column_in_dataframe"),
    (lambda d: _broken(d, "species", None).assign(supertype="Pokemon"), "species_iff_pokemon"),
    (lambda d: _broken(d, "condition", "NM").assign(graded=True, grader="PSA", grade=10.0), "grading_fields_consistent"),
    (lambda d: _broken(d, "listing_date", pd.Timestamp("1998-01-01")), "listed_after_release"),
    (lambda d: d.assign(price_usd=d["price_usd"].astype(str)), "dtype"),
])
def test_clean_contract_rejects_each_kind_of_problem(mutate, rule):
    sample = ds.load_listings().head(500)
    with pytest.raises(pa.errors.SchemaErrors) as info:
        clean_listing_schema().validate(mutate(sample), lazy=True)
    assert failure_summary(info.value)["check"].str.contains(rule, regex=False).any()


def test_rules_table_lists_every_column_and_table_rule():
    table = rules_table(clean_listing_schema())
    assert set(ds.LISTING_COLUMNS) <= set(table["column"])
    assert (table["column"] == "<table>").sum() == 3
    assert not np.any(table["checks"].str.len() > 200), "rules stay readable"
