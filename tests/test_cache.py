"""The disk cache of expensive steps: a hit returns what was computed, any change of input or code recomputes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcourse import cache, modeling


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MLCOURSE_CACHE", raising=False)
    return tmp_path / "cache"


def _counting():
    calls = []

    def compute(frame, scale=1.0):
        calls.append(1)
        return float(frame["x"].sum() * scale)

    return compute, calls


def test_a_second_call_reads_the_result_back(folder):
    compute, calls = _counting()
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    assert cache.cached_call("step", compute, frame) == 3.0
    assert cache.cached_call("step", compute, frame.copy()) == 3.0
    assert len(calls) == 1 and len(list(folder.glob("step--*.pkl"))) == 1


def test_another_input_or_argument_is_another_entry(folder):
    compute, calls = _counting()
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    cache.cached_call("step", compute, frame)
    changed = frame.assign(x=[1.0, 2.5])
    assert cache.cached_call("step", compute, changed) == 3.5
    assert cache.cached_call("step", compute, frame, scale=2.0) == 6.0
    assert len(calls) == 3


def test_the_function_and_estimators_are_part_of_the_key(folder):
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    assert cache.cached_call("step", lambda f: 1, frame) == 1
    assert cache.cached_call("step", lambda f: 2, frame) == 2  # other code, other entry
    a = cache.fingerprint(modeling.make_model("xgboost", max_depth=3))
    assert a == cache.fingerprint(modeling.make_model("xgboost", max_depth=3))
    assert a != cache.fingerprint(modeling.make_model("xgboost", max_depth=4))
    assert cache.fingerprint(np.arange(3)) != cache.fingerprint(np.arange(3.0))


def test_a_progress_bar_is_not_part_of_the_key(folder):
    compute, calls = _counting()
    frame = pd.DataFrame({"x": [1.0]})

    def bars_in(progress):
        return lambda f, progress=None: compute(f)

    cache.cached_call("step", bars_in(None), frame, progress=lambda items, total: items)
    cache.cached_call("step", bars_in(None), frame, progress=lambda items, total: list(items))
    assert len(calls) == 1


def test_a_torn_file_is_recomputed_not_raised(folder):
    compute, calls = _counting()
    frame = pd.DataFrame({"x": [4.0]})
    cache.cached_call("step", compute, frame)
    (path,) = folder.glob("step--*.pkl")
    path.write_bytes(b"not a pickle")
    assert cache.cached_call("step", compute, frame) == 4.0 and len(calls) == 2


def test_the_cache_can_be_switched_off_and_cleared(folder, monkeypatch):
    compute, calls = _counting()
    frame = pd.DataFrame({"x": [1.0]})
    monkeypatch.setenv("MLCOURSE_CACHE", "off")
    cache.cached_call("step", compute, frame)
    cache.cached_call("step", compute, frame)
    assert len(calls) == 2 and not list(folder.glob("*.pkl"))
    monkeypatch.setenv("MLCOURSE_CACHE", "on")
    cache.cached_call("step", compute, frame)
    assert cache.clear() == 1 and not list(folder.glob("*.pkl"))


def test_old_entries_are_pruned(folder):
    for i in range(cache.KEEP_PER_NAME + 3):
        cache.cached("step", lambda i=i: i, i)
    assert len(list(folder.glob("step--*.pkl"))) == cache.KEEP_PER_NAME


def test_names_are_checked(folder):
    with pytest.raises(ValueError, match="cache name"):
        cache.cached("../escape", lambda: 1)


def test_a_fitted_model_comes_back_predicting_the_same(folder):
    listings = modeling.pricing_listings(sample=800, seed=2)
    fitted = cache.cached_call("fit", modeling.fit_model, "xgboost", listings, n_estimators=10)
    again = cache.cached_call("fit", modeling.fit_model, "xgboost", listings, n_estimators=10)
    assert again is not fitted
    np.testing.assert_array_equal(again.predict(listings), fitted.predict(listings))


def test_the_cache_lives_where_paths_says(folder):
    from mlcourse import paths

    assert paths.cache_dir() == folder and folder.is_dir()
