"""The exercise checker engine: three outcomes, never a traceback, progress recorded."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from mlcourse import progress
from mlcourse.checker import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    Exercise,
    Incorrect,
    NotAttempted,
    call_learner,
    registry,
)


def _check_square(fn):
    got = call_learner(fn, 3, what="square(3)")
    if got != 9:
        raise Incorrect(f"square(3) returned {got!r}; expected 9.")
    return "Correct: square(3) == 9."


def _solution_square(x):
    return x * x


def _buggy_checker(fn):
    return {}["missing"]  # a bug in the checker itself


SQUARE = Exercise(id="99.1", title="Square a number", check_fn=_check_square,
                  hints=["Multiply x by itself.", "`x * x`"], solution=_solution_square)
BUGGY = Exercise(id="99.2", title="A checker with a bug", check_fn=_buggy_checker, hints=[], solution="pass")


def _not_implemented(x):
    raise NotImplementedError("TODO")


def _raises(x):
    return x / 0


def test_stub_is_not_attempted(progress_file):
    assert SQUARE.evaluate(...).status == NOT_ATTEMPTED
    assert SQUARE.evaluate(None).status == NOT_ATTEMPTED
    assert SQUARE.evaluate(_not_implemented).status == NOT_ATTEMPTED


def test_correct_and_incorrect(progress_file):
    assert SQUARE.evaluate(_solution_square).status == CORRECT
    result = SQUARE.evaluate(lambda x: x + x)
    assert result.status == INCORRECT and "returned 6" in result.message


def test_learner_exception_becomes_a_message_naming_their_line(progress_file):
    result = SQUARE.evaluate(_raises)
    assert result.status == INCORRECT
    assert "ZeroDivisionError" in result.message and "x / 0" in result.message


def test_junk_answers_get_clear_messages(progress_file):
    result = SQUARE.evaluate(42)
    assert result.status == INCORRECT and "to be a function" in result.message


def test_a_checker_bug_never_reaches_the_learner_as_a_traceback(progress_file):
    result = BUGGY.evaluate(_solution_square)
    assert result.status == INCORRECT and "could not evaluate" in result.message


def test_check_renders_a_callout_and_help_reveals_hints_then_solution(progress_file):
    html = SQUARE.check(_solution_square).text
    assert "Correct" in html and "99.1" in html
    assert "Not attempted" in SQUARE.check(...).text
    help_html = html_lib.unescape(SQUARE.help().text)
    assert "Hint 1" in help_html and "Hint 2" in help_html and "Solution" in help_html
    assert "return x * x" in re.sub(r"<[^>]+>", "", help_html)
    assert SQUARE.solution_source().startswith("def _solution_square")


def test_progress_keeps_best_and_latest(progress_file):
    SQUARE.evaluate(_solution_square)
    SQUARE.evaluate(lambda x: 0)
    SQUARE.evaluate(...)
    entry = json.loads(progress_file.read_text())["99.1"]
    assert entry["best"] == "correct"
    assert entry["latest"] == "not_attempted"
    assert entry["attempts"] == 2
    assert "first_correct_at" in entry


def test_corrupt_or_unwritable_progress_never_breaks_a_check(tmp_path, monkeypatch):
    bad = tmp_path / "progress.json"
    bad.write_text("{not json")
    monkeypatch.setenv("MLCOURSE_PROGRESS_FILE", str(bad))
    assert SQUARE.evaluate(_solution_square).status == CORRECT
    assert json.loads(bad.read_text())["99.1"]["best"] == "correct"
    monkeypatch.setenv("MLCOURSE_PROGRESS_FILE", str(tmp_path / "a-file" / "below-a-file.json"))
    (tmp_path / "a-file").write_text("")
    assert SQUARE.evaluate(_solution_square).status == CORRECT


def test_progress_report_lists_every_course_exercise_and_nothing_else(progress_file):
    SQUARE.evaluate(_solution_square)  # a toy exercise declared here, not in the course
    progress.record("1.2", "correct")
    rows = progress.report_rows()
    ids = [r["exercise"] for r in rows]
    assert {"0.1", "1.1", "1.2", "1.3", "5.3"} <= set(ids)
    assert "99.1" not in ids
    assert next(r for r in rows if r["exercise"] == "1.2")["status"] == "correct"
    assert "Exercises solved" in progress.report()


def test_progress_cli_prints_a_report(progress_file):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "mlcourse.progress"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "1.1" in done.stdout


def test_exercise_ids_are_unique_across_modules():
    ids = list(progress.all_exercises())
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("exc, status", [(NotAttempted("x"), NOT_ATTEMPTED), (Incorrect("x"), INCORRECT)])
def test_check_functions_signal_with_exceptions(exc, status, progress_file):
    def check(answer):
        raise exc

    assert Exercise(id="99.3", title="t", check_fn=check, hints=[], solution="").evaluate(1).status == status
    registry().pop("99.3", None)


def test_dollar_amounts_render_as_text_not_formulas(progress_file):
    from mlcourse.checker import escape_dollars

    assert escape_dollars("RMSE $4.99, target $5.21, already \\$1") == "RMSE \\$4.99, target \\$5.21, already \\$1"

    def check(answer):
        raise Incorrect("RMSE $4.99, the target was $5.21")

    html = Exercise(id="99.4", title="t", check_fn=check, hints=[], solution="").check(1).text
    registry().pop("99.4", None)
    assert "RMSE $4.99, the target was $5.21" in html_lib.unescape(html), "dollar amounts stay plain text"


def test_module_panel_counts_that_modules_solved_exercises(progress_file):
    from mlcourse.exercises import ex01

    ex01.polars_speedup.evaluate(ex01.solution_1_3)
    text = html_lib.unescape(progress.module_panel(1, "Module 2.").text)
    assert "Your progress in Module 1" in text and "1 of 3 exercises solved" in text and "Module 2." in text
