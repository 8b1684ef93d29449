"""Behavioural checks for sample PR 2 (sample_prs/pr2-automatic-model-selection): ``select_model``.

They need the pull request's code, so they are not part of the course's test suite:
``tests/test_sample_prs.py`` runs them on a copy of the repository with the diff applied.
To run them yourself, on a branch with the pull request applied::

    uv run pytest tests/review_checks/pr2_automatic_model_selection.py -n0

What the report of a model selection must honour: the same inputs give the same report; the
test set does not take part in the choice; the test score comes from rows the reported model
never trained on; nothing is written outside the course's output folder.
"""

from __future__ import annotations

import contextlib
import functools
import io

import numpy as np
import pandas as pd

from mlcourse import modeling
from mlcourse.evaluation import rmse
from mlcourse.model_selection import select_model


@functools.lru_cache(maxsize=1)
def _data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    sample = modeling.pricing_listings().sample(6_000, random_state=0)
    listings, fresh = sample.iloc[:3_000].sort_values("listing_id"), sample.iloc[3_000:]
    train, test = modeling.random_split(listings.reset_index(drop=True))
    return train, test, fresh.reset_index(drop=True)


def _select(train, test, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return select_model(train.copy(), test.copy(), save=kwargs.pop("save", False), **kwargs)


def _summary(report) -> dict:
    return {"family": report["family"], "test_rmse": round(report["test_rmse"], 6),
            "validation_rmse": {k: round(v, 6) for k, v in report["validation_rmse"].items()}}


def test_two_runs_give_the_same_report():
    train, test, _ = _data()
    first, second = _summary(_select(train, test)), _summary(_select(train, test))
    assert first == second, f"two identical calls, two reports:\n{first}\n{second}"


def test_the_test_prices_do_not_choose_the_model():
    train, test, _ = _data()
    rule = modeling.make_model("era_rarity").fit(train, train["price_usd"])
    planted = test.assign(price_usd=rule.predict(test))  # a test set on which the simple rule is perfect
    np.random.seed(0)
    honest = _select(train, test)["family"]
    np.random.seed(0)
    with_planted = _select(train, planted)["family"]
    assert honest == with_planted, (f"{honest!r} is chosen with the real test prices, {with_planted!r} with test "
                                    "prices that favour the era x rarity rule: the test set chose the model")


def test_the_reported_test_rmse_is_out_of_sample():
    train, test, fresh = _data()
    np.random.seed(0)
    report = _select(train, test)
    unseen = rmse(fresh["price_usd"], report["model"].predict(fresh))
    assert report["test_rmse"] > 0.7 * unseen, (
        f"reported test RMSE ${report['test_rmse']:.2f}, but ${unseen:.2f} on listings the function never saw: "
        "the reported score is not out of sample")


def test_nothing_is_written_into_the_working_directory(tmp_path, monkeypatch):
    train, test, _ = _data()
    monkeypatch.chdir(tmp_path)
    np.random.seed(0)
    _select(train.head(600), test.head(150), save=True)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert not written, f"select_model wrote {written} into the current folder; use mlcourse.paths.output_dir()"


def measure() -> dict[str, str]:
    """The description's claim: the winner and its test RMSE, and the era x rarity rule's, on the data above."""
    train, test, _ = _data()
    np.random.seed(0)
    report = _select(train, test)
    return {"family": report["family"], "test_rmse": f"{report['test_rmse']:.2f}",
            "rule_rmse": f"{report['validation_rmse']['era x rarity median']:.2f}"}
