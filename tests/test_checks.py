"""The shared check vocabulary: each helper accepts what it should, and refuses the rest with one clear message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcourse import checks
from mlcourse.checker import Exercise, Incorrect, NotAttempted, registry, safe_markdown


def _message(fn, *args, **kwargs) -> str:
    with pytest.raises(Incorrect) as info:
        fn(*args, **kwargs)
    return str(info.value)


# ------------------------------------------------------------------------------ showing values
def test_numbers_are_shown_as_people_write_them():
    assert checks.fmt(np.float64(4.321), "$") == "$4.32"
    assert checks.fmt(0.125, "%") == "12.5%"
    assert checks.fmt(1234) == "1,234"
    assert checks.fmt(np.float64(0.1234567)) == "0.1235"
    assert checks.fmt(-2.5, "$") == "-$2.50"
    assert checks.fmt(float("nan")) == "NaN"
    assert "np.float64" not in checks.show([np.float64(1.5)])
    assert checks.show(np.float64(4.2)) == "4.2"


def test_data_in_messages_is_escaped_for_markdown():
    assert checks.md_escape("<table>") == "&lt;table&gt;"
    assert checks.md_escape("a*b_c") == "a\\*b\\_c"
    assert checks.code("<table>") == "`<table>`"
    assert checks.code("a`b") == "``a`b``"
    rendered = safe_markdown("column `<table>` and <table> cost $4, in code `$5`")
    assert rendered == "column `<table>` and &lt;table&gt; cost \\$4, in code `$5`"


# ------------------------------------------------------------------------------ answers
def test_expect_number_refuses_bools_strings_and_nan():
    assert checks.expect_number(np.int64(3), "x") == 3.0
    assert "number, got bool" in _message(checks.expect_number, True, "x")
    assert "without quotes" in _message(checks.expect_number, "4.5", "x")
    assert "finite" in _message(checks.expect_number, float("nan"), "x")
    assert "at least $0.00" in _message(checks.expect_number, -1, "price", lo=0, unit="$")


def test_expect_close_names_expected_and_got():
    assert checks.expect_close(4.3201, 4.32, "RMSE", rel=1e-3) == pytest.approx(4.3201)
    message = _message(checks.expect_close, 4.5, 4.32, "RMSE", rel=1e-3, unit="$")
    assert "expected $4.32" in message and "got $4.50" in message


def test_expect_array_and_series():
    assert checks.expect_array([1, 2, 3], "p", length=3).tolist() == [1.0, 2.0, 3.0]
    assert "3 values; expected 4" in _message(checks.expect_array, [1, 2, 3], "p", length=4)
    assert "NaN" in _message(checks.expect_array, [1, np.nan], "p")
    assert "Did you forget `return`" in _message(checks.expect_array, None, "p")
    assert "array of numbers" in _message(checks.expect_array, "1,2", "p")
    index = pd.Index([10, 11, 12])
    shuffled = pd.Series([3.0, 1.0, 2.0], index=[12, 10, 11])
    assert checks.expect_series(shuffled, "f", index=index).tolist() == [1.0, 2.0, 3.0]
    assert "reset_index" in _message(checks.expect_series, pd.Series([1.0, 2.0, 3.0]), "f", index=index)
    assert checks.expect_series([1, 2, 3], "f", index=index).index.equals(index)


def test_expect_frame_mapping_choice_text_records_timestamp():
    frame = pd.DataFrame({"a": [1], "b": [2]})
    assert checks.expect_frame(frame, "df", columns=["a"]) is frame
    assert "`c`" in _message(checks.expect_frame, frame, "df", columns=["c"])
    assert "DataFrame" in _message(checks.expect_frame, [1], "df")
    assert checks.expect_mapping({"a": 1}, "d", keys=["a"]) == {"a": 1}
    assert "missing the key(s) `b`" in _message(checks.expect_mapping, {"a": 1}, "d", keys=["a", "b"])
    assert "unexpected key" in _message(checks.expect_mapping, {"a": 1, "z": 2}, "d", keys=["a"])
    assert checks.expect_choice(" Random Forest ", ["random_forest", "xgboost"], "c") == "random_forest"
    assert "choose one of" in _message(checks.expect_choice, "svm", ["random_forest", "xgboost"], "c")
    assert "a string" in _message(checks.expect_choice, 3, ["a"], "c")
    assert "distinct words" in _message(checks.expect_text, "x x x x x x", "reason", min_words=5)
    assert "TODO" in _message(checks.expect_text, "TODO: write", "reason")
    records = checks.expect_records([("a.py", 3, "blocking")], "review", fields=["file", "line", "severity"])
    assert records == [{"file": "a.py", "line": 3, "severity": "blocking"}]
    assert "no `line`" in _message(checks.expect_records, [{"file": "a.py"}], "review", fields=["file", "line"])
    assert checks.expect_timestamp("2025-03-14 09:30", "t") == pd.Timestamp("2025-03-14 09:30")
    assert checks.expect_timestamp("2025-03-14T09:30:00+01:00", "t") == pd.Timestamp("2025-03-14 08:30")
    assert "could not be read as a time" in _message(checks.expect_timestamp, "last tuesday", "t")
    assert "number" in _message(checks.expect_timestamp, 5, "t")


def test_expect_answered():
    with pytest.raises(NotAttempted):
        checks.expect_answered(..., None, "  ", "TODO")
    with pytest.raises(NotAttempted):
        checks.expect_answered({"a": ..., "b": "TODO"})
    checks.expect_answered(..., 3)  # one answer given: attempted


# ------------------------------------------------------------------------------ functions on cases
def _cases():
    return [checks.Case((2,), want=4, label="x=2", seen=True), checks.Case((5,), want=25, label="x=5")]


def test_expect_cases_accepts_a_right_function_written_another_way():
    assert checks.expect_cases(lambda x: x ** 2, _cases(), "square") == [4, 25]
    assert checks.expect_cases(lambda x: float(np.square(x)), _cases(), "square") == [4.0, 25.0]


def test_expect_cases_catches_a_function_that_ignores_its_inputs():
    message = _message(checks.expect_cases, lambda x: 4, _cases(), "square")
    assert "ignore its arguments" in message


def test_expect_cases_names_the_failing_case_and_junk():
    assert "on x=5: expected 25, got 10" in _message(checks.expect_cases, lambda x: 2 * x if x > 2 else x * x,
                                                        _cases(), "square")
    assert "ZeroDivisionError" in _message(checks.expect_cases, lambda x: x / 0, _cases(), "square")
    assert "number, got str" in _message(checks.expect_cases, lambda x: "4", _cases(), "square")
    with pytest.raises(ValueError):
        checks.expect_cases(lambda x: x, [checks.Case((1,), want=1, seen=True)], "f")


# ------------------------------------------------------------------------------ prose
def test_quantities_carry_their_units():
    found = checks.quantities_in("Payback in 7.2 months, $12k saved, 66 percent, 50 ms, 3x faster, 1.2 million")
    assert found == [(7.2, "months"), (12000.0, "$"), (66.0, "%"), (50.0, "ms"), (3.0, "x"), (1_200_000.0, None)]


def test_a_number_must_be_tied_to_its_subject():
    dodge = "The rollout takes 7 months. The payback comes later, once the pilot is done."
    assert not checks.quantity_near(dodge, 7, unit="months", subject=["payback"])
    assert checks.quantity_near("The payback is about 7.2 months.", 7.2, unit="months", subject=["payback"])


@pytest.mark.parametrize("text, term, rivals, expected", [
    ("For the offline app I recommend the linear model rather than xgboost.", "linear model", ["xgboost"], True),
    ("For the offline app I recommend the linear model rather than xgboost.", "xgboost", ["linear model"], False),
    ("We should not use the linear model; xgboost is best.", "linear model", [], False),
    ("We should not use the linear model; xgboost is best.", "xgboost", [], True),
    ("Ship xgboost.", "xgboost", [], True),
    ("xgboost is accurate, but it is too large for the phone.", "xgboost", [], False),
    ("The linear model is mentioned here without any verdict.", "linear model", [], False),
])
def test_endorses_reads_the_recommendation_not_the_mention(text, term, rivals, expected):
    assert checks.endorses(text, term, rivals) is expected


def test_filler_is_not_prose():
    assert checks.is_filler("x x x x x")
    assert checks.is_filler("asdf asdf asdf asdf qwer zxcv")
    assert not checks.is_filler("Because the rates are fixed by law and never change.")


def test_mentions_matches_whole_words():
    assert checks.mentions("We track the error.", "track")
    assert not checks.mentions("Its track record is good.", "record keeping")
    assert not checks.mentions("guidelines", "guide")
    assert checks.mentions("a price guide", "price guide")


def test_expect_prose_applies_its_rules():
    rule = checks.ProseRule("fallback", lambda t: checks.mentions(t, "fallback", "price guide"),
                            "name what prices the cards when the model is down.")
    good = "If the model fails, the price guide takes over at once, and alerts tell the team within minutes."
    assert checks.expect_prose(good, "CTO answer", min_words=10, rules=[rule]) == good
    assert "name what prices" in _message(checks.expect_prose, "It will not fail, our engineers are very good at this.",
                                          "CTO answer", min_words=5, rules=[rule])
    assert "`RMSE`" in _message(checks.expect_prose, "The RMSE is fine and the team is confident overall.",
                                "VP answer", min_words=5, forbid=["RMSE"])


# ------------------------------------------------------------------------------ the registry
def test_a_duplicate_exercise_id_raises_at_declaration():
    def check_a(x):
        return "ok"

    def check_b(x):
        return "ok"

    Exercise(id="98.1", title="first", check_fn=check_a, hints=[], solution="")
    try:
        Exercise(id="98.1", title="first, declared again", check_fn=check_a, hints=[], solution="")  # a reload
        with pytest.raises(ValueError, match="declared twice"):
            Exercise(id="98.1", title="another exercise", check_fn=check_b, hints=[], solution="")
        assert registry()["98.1"].title == "first, declared again"
    finally:
        registry()  # a copy: remove from the real registry
        from mlcourse import checker

        checker._REGISTRY.pop("98.1", None)
