"""Every Module 1 exercise: the notebook's stub, the solution, plausible wrong answers, junk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from mlcourse.checker import CORRECT, INCORRECT, NOT_ATTEMPTED
from mlcourse.exercises import ex01
from tests.conftest import ROOT, notebook_defs, shipped_notebook

NOTEBOOK = ROOT / "exercises" / "exercises_01.py"


@pytest.fixture(scope="module")
def stubs() -> dict:
    return notebook_defs(shipped_notebook(NOTEBOOK))  # the stubs as shipped, not a learner's answers


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


def _break_column(column, fault):
    def corruption(df):
        return df.assign(**{column: df[column].astype(str) if fault == "text" else np.nan})
    return corruption


def _same_fault_in_five_columns(fault, columns=("price_usd", "hp", "attack", "defense", "speed")):
    return {f"{fault} {c}": _break_column(c, fault) for c in columns}


@pytest.mark.parametrize("fault, kind", [("text", "a wrong type"), ("nan", "a")])
def test_1_1_one_fault_in_five_columns_is_one_kind_of_problem(fault, kind):
    result = _evaluate(ex01.break_the_data, _same_fault_in_five_columns(fault))
    assert result.status == INCORRECT, result.message
    assert "kind" in result.message and f"at least {ex01.MIN_PROBLEM_KINDS} different kinds" in result.message
    assert f"({kind}" in result.message, result.message


def test_1_1_nan_in_five_required_columns_is_one_kind_of_problem():
    columns = ["listing_id", "listing_date", "card_id", "set_code", "set_name"]
    result = _evaluate(ex01.break_the_data, _same_fault_in_five_columns("nan", columns))
    assert result.status == INCORRECT and "only one kind of problem (a missing value" in result.message, result.message


def _missing_price(df):
    out = df.copy()
    out.loc[out.index[:2], "price_usd"] = np.nan
    return out


def _price_as_text(df):
    return df.assign(price_usd=df["price_usd"].astype(str))


def _too_expensive(df):
    out = df.copy()
    out.loc[out.index[0], "price_usd"] = 1e9
    return out


def _negative_hp(df):
    out = df.copy()
    out.loc[out.index[0], "hp"] = -5
    return out


def _unknown_finish(df):
    out = df.copy()
    out.loc[out.index[0], "finish"] = "glitter"
    return out


def test_1_1_three_kinds_of_problem_are_enough():
    # two values out of range, a missing value, a wrong type, an unknown category: four kinds
    answer = {"too expensive": _too_expensive, "negative hp": _negative_hp, "missing price": _missing_price,
              "price as text": _price_as_text, "unknown finish": _unknown_finish}
    result = _evaluate(ex01.break_the_data, answer)
    assert result.status == CORRECT, result.message
    # five different rules, but only two kinds: values out of range, and a missing value
    two_kinds = {"too expensive": _too_expensive, "negative hp": _negative_hp, "missing price": _missing_price,
                 "negative attack": lambda df: df.assign(attack=-df["attack"] - 1),
                 "negative defense": lambda df: df.assign(defense=-df["defense"] - 1)}
    result = _evaluate(ex01.break_the_data, two_kinds)
    assert result.status == INCORRECT and "only 2 kinds of problem" in result.message, result.message


@pytest.mark.parametrize("rules, kind", [
    ({("listing_id", "dtype('int64')"), ("listing_id", "not_nullable")}, "a missing value"),
    ({("hp", "dtype('Int16')"), ("hp", "in_range(0, 1000)")}, "a wrong type"),
    ({("<table>", "column_in_dataframe"), ("<table>", "column_in_schema")}, "a missing or unexpected column"),
    ({("<table>", "grading_fields_consistent")}, "a broken cross-column rule"),
    ({("card_id", "str_matches('^x$')")}, "a malformed value"),
])
def test_1_1_a_problem_counts_as_its_root_cause(rules, kind):
    assert ex01.problem_kind(frozenset(rules)) == kind


@pytest.mark.parametrize("junk, message", [
    ([1, 2, 3], "should be a dict"),
    (pd.DataFrame({"a": [1, 2]}), "should be a dict"),
    (pd.DataFrame(), "should be a dict"),
    (np.arange(3), "should be a dict"),
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
    (lambda df: pl.from_pandas(ex01.slow_monthly_medians(df.to_pandas())), "the work is done in pandas"),
    (lambda df: ex01.solution_1_3(df).to_pandas(), "pandas DataFrame"),
    (lambda df: ex01.solution_1_3(df).lazy(), "collect"),
    (lambda df: ex01.solution_1_3(df).drop("n_listings"), "columns"),
    (lambda df: ex01.solution_1_3(df.filter(pl.col("price_usd") > 1)), "groups"),
    (lambda df: ex01.solution_1_3(df).with_columns(pl.col("n_listings") + 1), "n_listings"),
])
def test_1_3_wrong_answers_get_specific_messages(answer, message):
    result = _evaluate(ex01.polars_speedup, answer)
    assert result.status == INCORRECT and message in result.message, result.message


def _monthly_with(median):
    def fast_monthly_medians(listings):
        return (listings.with_columns(pl.col("listing_date").dt.strftime("%Y-%m").alias("month"))
                .group_by("set_name", "rarity", "month")
                .agg(median.alias("median_price"), pl.len().alias("n_listings")))
    return fast_monthly_medians


@pytest.mark.parametrize("median", [
    pl.lit(float("nan")),                                   # NaN is not larger than any tolerance
    pl.col("hp").filter(pl.lit(False)).median(),             # null floats
    pl.lit(None),                                            # a column of nulls
])
def test_1_3_missing_medians_are_incorrect(median):
    result = _evaluate(ex01.polars_speedup, _monthly_with(median))
    assert result.status == INCORRECT and "median_price is missing (NaN or null)" in result.message, result.message


def test_1_3_the_median_must_be_a_number():
    result = _evaluate(ex01.polars_speedup, _monthly_with(pl.lit("12.5")))
    assert result.status == INCORRECT and "should be a number" in result.message, result.message


def _pandas_groupby_wrapped_in_polars(listings):
    df = listings.to_pandas()
    df["month"] = df["listing_date"].dt.strftime("%Y-%m")
    out = (df.groupby(["set_name", "rarity", "month"], observed=True)["price_usd"]
           .agg(median_price="median", n_listings="size").reset_index())
    return pl.from_pandas(out)


def test_1_3_a_fast_pandas_groupby_wrapped_in_polars_is_incorrect():
    result = _evaluate(ex01.polars_speedup, _pandas_groupby_wrapped_in_polars)
    assert result.status == INCORRECT and "calls `to_pandas`" in result.message, result.message


def test_1_3_another_polars_answer_and_a_comment_about_pandas_pass():
    def fast_monthly_medians(listings):
        # no to_pandas() here: polars all the way
        month = pl.col("listing_date").dt.strftime("%Y-%m")
        return (listings.group_by(pl.col("set_name"), pl.col("rarity"), month.alias("month"))
                .agg(pl.col("price_usd").quantile(0.5, interpolation="midpoint").alias("median_price"),
                     pl.col("price_usd").count().cast(pl.UInt32).alias("n_listings")))

    result = _evaluate(ex01.polars_speedup, fast_monthly_medians)
    assert result.status == CORRECT, result.message
    assert ex01._pandas_round_trip(fast_monthly_medians) is None
    assert ex01._pandas_round_trip(len) is None  # no source to read: no verdict


def _month_by_map_elements(listings):
    month = pl.col("listing_date").map_elements(lambda d: d.strftime("%Y-%m"), return_dtype=pl.String)
    return (listings.with_columns(month.alias("month")).group_by("set_name", "rarity", "month")
            .agg(pl.col("price_usd").median().alias("median_price"), pl.len().alias("n_listings")))


def _loop_over_polars_groups(listings):
    with_month = listings.with_columns(pl.col("listing_date").dt.strftime("%Y-%m").alias("month"))
    rows = [{"set_name": s, "rarity": r, "month": m, "median_price": g["price_usd"].median(), "n_listings": g.height}
            for (s, r, m), g in with_month.group_by(["set_name", "rarity", "month"])]
    return pl.DataFrame(rows)


def _loop_over_rows(listings):
    import collections
    import statistics

    prices = collections.defaultdict(list)
    for row in listings.iter_rows(named=True):
        prices[(row["set_name"], row["rarity"], row["listing_date"].strftime("%Y-%m"))].append(row["price_usd"])
    return pl.DataFrame([{"set_name": s, "rarity": r, "month": m, "median_price": statistics.median(v),
                          "n_listings": len(v)} for (s, r, m), v in prices.items()])


_PRECOMPUTED = ex01.solution_1_3(ex01.speed_data())


@pytest.mark.filterwarnings("ignore::polars.exceptions.PolarsInefficientMapWarning")
@pytest.mark.parametrize("answer, message", [
    (_month_by_map_elements, "more Python function calls for every 1,000 more listings"),
    (_loop_over_polars_groups, "a loop, `iter_rows`, `map_elements`"),
    (_loop_over_rows, "more Python function calls"),
    (lambda df: _PRECOMPUTED, "other listings the check also sent"),  # ignores its input
])
def test_1_3_python_work_per_row_or_group_is_counted_not_timed(answer, message):
    result = _evaluate(ex01.polars_speedup, answer)
    assert result.status == INCORRECT and message in result.message, result.message


def test_1_3_the_count_is_deterministic_and_the_solution_makes_no_calls_per_row():
    assert ex01.python_calls_per_1000_rows(ex01.solution_1_3) == ex01.python_calls_per_1000_rows(ex01.solution_1_3)
    assert ex01.python_calls_per_1000_rows(ex01.solution_1_3) <= ex01.MAX_PYTHON_CALLS_PER_1000_ROWS / 4
    lazy = lambda df: ex01.solution_1_3(df.lazy()).collect()  # noqa: E731 - a right answer written another way
    assert _evaluate(ex01.polars_speedup, lazy).status == CORRECT


def test_1_3_a_busy_machine_cannot_fail_a_right_answer(monkeypatch):
    monkeypatch.setattr(ex01, "_best_time", lambda fn, data, repeats=3: 60.0)  # a minute: a very busy machine
    result = _evaluate(ex01.polars_speedup, ex01.solution_1_3)
    assert result.status == CORRECT and "for information" in result.message, result.message


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
