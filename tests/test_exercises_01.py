"""Every Module 1 exercise: the notebook's stub, the solution, plausible wrong answers, junk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from mlcourse.checker import CORRECT, INCORRECT, NOT_ATTEMPTED
from mlcourse.exercises import ex01
from tests.conftest import ROOT, notebook_defs

NOTEBOOK = ROOT / "exercises" / "exercises_01.py"


@pytest.fixture(scope="module")
def stubs() -> dict:
    return notebook_defs(NOTEBOOK)


def _evaluate(exercise, *answers):
    return exercise.evaluate(*answers, record=False)


# ------------------------------------------------------------------------------ 1.1
def test_1_1_stub_is_not_attempted(stubs):
    assert _evaluate(ex01.break_the_data, stubs["corruptions"]).status == NOT_ATTEMPTED


def test_1_1_solution_is_correct():
    result = _evaluate(ex01.break_the_data, ex01.solution_1_1())
    assert result.status == CORRECT, result.message


def _in_place(df):
    df.loc[df.index[0], "price_usd"] = -1.0
    return df


def _double_prices(df):
    return df.assign(price_usd=df["price_usd"] * 2)


@pytest.mark.parametrize("change, message", [
    (lambda c: dict(list(c.items())[:3]), "five different problems"),
    (lambda c: {**c, "doubled prices": _double_prices}, "schema accepted"),
    (lambda c: {**c, "in place": _in_place}, "in place"),
    (lambda c: {**c, "negative again": c["negative price"]}, "same rule"),
    (lambda c: {**c, "forgot return": lambda df: None}, "forget `return`"),
    (lambda c: {**c, "identity": lambda df: df.copy()}, "unchanged"),
])
def test_1_1_wrong_answers_get_specific_messages(change, message):
    result = _evaluate(ex01.break_the_data, change(ex01.solution_1_1()))
    assert result.status == INCORRECT
    assert message in result.message, result.message


@pytest.mark.parametrize("junk, message", [
    ([1, 2, 3], "should be a dict"),
    ({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, "to be a function"),
    ({k: (lambda df: df["nope"]) for k in "abcde"}, "KeyError"),
])
def test_1_1_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex01.break_the_data, junk)
    assert result.status == INCORRECT and message in result.message, result.message


# ------------------------------------------------------------------------------ 1.2
def test_1_2_stub_is_not_attempted(stubs):
    result = _evaluate(ex01.refactor_loader, stubs["load_listing_prices"], stubs["check_loader"])
    assert result.status == NOT_ATTEMPTED


def test_1_2_solution_is_correct():
    result = _evaluate(ex01.refactor_loader, ex01.solution_1_2_loader, ex01.solution_1_2_checks)
    assert result.status == CORRECT, result.message


def test_1_2_the_messy_loader_itself_fails():
    result = _evaluate(ex01.refactor_loader, ex01.messy_load, ex01.solution_1_2_checks)
    assert result.status == INCORRECT and "datetime64" in result.message


@pytest.mark.parametrize("bug, message", [
    ("keeps the first (stale) scrape of a re-scraped listing", "scraped"),
    ("forgets to convert EUR prices to USD", "EUR"),
    ("leaves listing_date as text", "datetime64"),
])
def test_1_2_each_bug_of_the_messy_code_is_named(bug, message):
    result = _evaluate(ex01.refactor_loader, ex01.MUTANTS[bug], ex01.solution_1_2_checks)
    assert result.status == INCORRECT and message in result.message, result.message


def test_1_2_checks_that_miss_a_bug_are_incorrect():
    def weak_checks(load, path):
        df = load(path)
        assert df["listing_id"].is_unique

    result = _evaluate(ex01.refactor_loader, ex01.solution_1_2_loader, weak_checks)
    assert result.status == INCORRECT and "Add a check" in result.message


def test_1_2_checks_that_reject_a_correct_loader_are_incorrect():
    def false_alarm(load, path):
        assert len(load(path)) == 0

    result = _evaluate(ex01.refactor_loader, ex01.solution_1_2_loader, false_alarm)
    assert result.status == INCORRECT and "false alarms" in result.message


def test_1_2_correct_loader_without_checks_asks_for_checks(stubs):
    for checks in (stubs["check_loader"], ...):
        result = _evaluate(ex01.refactor_loader, ex01.solution_1_2_loader, checks)
        assert result.status == INCORRECT and "Now write `check_loader" in result.message


def test_1_2_checks_must_raise_not_return_false():
    def returns_false(load, path):
        return bool(load(path)["listing_id"].is_unique and False)

    result = _evaluate(ex01.refactor_loader, ex01.solution_1_2_loader, returns_false)
    assert result.status == INCORRECT and "must *raise*" in result.message


def test_1_2_prices_must_be_rounded_to_the_cent():
    def unrounded(path):
        df = ex01.solution_1_2_loader(path)
        return df.assign(price_usd=df["price_usd"] + 0.001)

    result = _evaluate(ex01.refactor_loader, unrounded, ex01.solution_1_2_checks)
    assert result.status == INCORRECT and "round prices to the cent" in result.message


def test_learner_errors_point_at_the_learners_line_not_into_pandas():
    def price_as_text(df):
        out = df.copy()
        out["price_usd"] = out["price_usd"] + "$"
        return out

    result = _evaluate(ex01.break_the_data, {**ex01.solution_1_1(), "text": price_as_text})
    assert result.status == INCORRECT
    assert 'out["price_usd"] + "$"' in result.message, result.message


@pytest.mark.parametrize("junk, message", [
    ("not a function", "to be a function"),
    (lambda path: pd.DataFrame(), "columns"),
    (lambda path: 42, "not a DataFrame"),
    (lambda path: open(path + "nope"), "FileNotFoundError"),
])
def test_1_2_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex01.refactor_loader, junk, ex01.solution_1_2_checks)
    assert result.status == INCORRECT and message in result.message, result.message


# ------------------------------------------------------------------------------ 1.3
def test_1_3_stub_is_not_attempted(stubs):
    assert _evaluate(ex01.polars_speedup, stubs["fast_monthly_medians"]).status == NOT_ATTEMPTED


def test_1_3_solution_is_correct():
    result = _evaluate(ex01.polars_speedup, ex01.solution_1_3)
    assert result.status == CORRECT, result.message


def _mean_not_median(df):
    return ex01.solution_1_3(df.with_columns(pl.col("price_usd"))).drop("median_price").join(
        df.with_columns(pl.col("listing_date").dt.strftime("%Y-%m").alias("month"))
        .group_by("set_name", "rarity", "month").agg(pl.col("price_usd").mean().alias("median_price")),
        on=["set_name", "rarity", "month"])


@pytest.mark.parametrize("answer, message", [
    (_mean_not_median, "median"),
    (lambda df: pl.from_pandas(ex01.slow_monthly_medians(df.to_pandas())), "faster"),
    (lambda df: ex01.solution_1_3(df).to_pandas(), "pandas DataFrame"),
    (lambda df: ex01.solution_1_3(df).lazy(), "collect"),
    (lambda df: ex01.solution_1_3(df).drop("n_listings"), "columns"),
    (lambda df: ex01.solution_1_3(df.filter(pl.col("price_usd") > 1)), "groups"),
    (lambda df: ex01.solution_1_3(df).with_columns(pl.col("n_listings") + 1), "n_listings"),
])
def test_1_3_wrong_answers_get_specific_messages(answer, message):
    result = _evaluate(ex01.polars_speedup, answer)
    assert result.status == INCORRECT and message in result.message, result.message


@pytest.mark.parametrize("junk, message", [
    (3.14, "to be a function"),
    (lambda df: None, "forget `return`"),
    (lambda df: df.select(pl.col("no_such_column")), "ColumnNotFoundError"),
])
def test_1_3_junk_gets_a_clear_message(junk, message):
    result = _evaluate(ex01.polars_speedup, junk)
    assert result.status == INCORRECT and message in result.message, result.message


def test_exercise_data_is_deterministic():
    a, b = ex01.sample_listings(), ex01.sample_listings()
    pd.testing.assert_frame_equal(a, b)
    a.loc[0, "price_usd"] = np.nan
    assert not ex01.sample_listings()["price_usd"].isna().any(), "each call returns a fresh copy"
