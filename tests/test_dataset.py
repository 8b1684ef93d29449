"""The generator: deterministic, fast enough, realistic, and honest about its truth."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from mlcourse import dataset as ds
from mlcourse import reference as ref
from mlcourse.cleaning import clean_listings, read_raw_listings
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def generated() -> ds.GeneratedData:
    return ds.generate(ds.DEFAULT_SEED, ds.DEFAULT_N_LISTINGS)


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    return ds.catalog_prices(ds.build_market(ds.DEFAULT_SEED))


def _file_bytes(paths: dict) -> dict:
    return {kind: path.read_bytes() for kind, path in paths.items()}


def test_same_seed_and_size_give_identical_bytes(tmp_path):
    first = ds.write_dataset(ds.DEFAULT_SEED, ds.DEFAULT_N_LISTINGS, tmp_path / "a")
    second = ds.write_dataset(ds.DEFAULT_SEED, ds.DEFAULT_N_LISTINGS, tmp_path / "b")
    a, b = _file_bytes(first), _file_bytes(second)
    assert set(a) == {"cards", "raw", "clean", "truth", "faults"}
    for kind in a:
        assert a[kind] == b[kind], f"{kind} differs between two runs with the same seed"


def test_another_seed_gives_another_market():
    a = ds.generate(1, 5_000).listings["price_usd"].to_numpy()
    b = ds.generate(2, 5_000).listings["price_usd"].to_numpy()
    assert not np.array_equal(a, b)


def test_size_argument_is_validated():
    with pytest.raises(ValueError, match="at least 1000"):
        ds.generate(1, 10)
    with pytest.raises(ValueError, match="integer"):
        ds.generate(1, 5000.5)


# ------------------------------------------------------------------------------ realism
def _within_factor_two(name: str, got: float, target: float) -> str | None:
    return None if target / 2 <= got <= target * 2 else f"{name}: got {got:.3g}, target {target:.3g}"


def test_modern_catalog_matches_market_calibration_facts(catalog):
    modern = catalog[catalog["era"].isin(["swsh", "sv"])]
    p = modern["market_price"]
    problems = [
        _within_factor_two("share under $1", (p < 1).mean(), 0.77),
        _within_factor_two("share under $5", (p < 5).mean(), 0.90),
        _within_factor_two("median", p.median(), 0.17),
        _within_factor_two("90th percentile", p.quantile(0.9), 4.89),
        _within_factor_two("99th percentile", p.quantile(0.99), 63.0),
        _within_factor_two("log-price sd", np.log(p).std(), 1.8),
        _within_factor_two("log-price skew", np.log(p).skew(), 1.3),
    ]
    by_rarity = modern.groupby("rarity")["market_price"].median()
    for rarity, spec in ref.RARITIES.items():
        problems.append(_within_factor_two(f"median {rarity}", by_rarity[rarity], spec["median"]))
    by_finish = modern.groupby("finish")["market_price"].median()
    for finish, target in {"normal": 0.07, "reverse_holo": 0.18, "holofoil": 2.26}.items():
        problems.append(_within_factor_two(f"median {finish}", by_finish[finish], target))
    sir = modern.loc[modern["rarity"] == "Special Illustration Rare", "market_price"]
    problems.append(_within_factor_two("SIR 90th percentile", sir.quantile(0.9), 229.0))
    problems = [p for p in problems if p]
    assert not problems, problems


def test_heavy_tail_and_supertype(catalog):
    modern = catalog[catalog["era"].isin(["swsh", "sv"])]
    assert modern["market_price"].skew() > 10, "raw prices are heavily right-skewed"
    by_type = modern.groupby("supertype")["market_price"].median()
    assert by_type.max() / by_type.min() < 3, "supertype barely moves the median"


def test_species_premium_over_rarity_and_finish_median(catalog):
    modern = catalog[catalog["era"].isin(["swsh", "sv"])].copy()
    cell = modern.groupby(["rarity", "finish"])["market_price"].transform("median")
    premium = (modern["market_price"] / cell).groupby(modern["species"]).median()
    problems = [_within_factor_two(f"{sp} premium", premium[sp], target) for sp, target in ref.NAMED_PREMIUM.items()]
    problems = [p for p in problems if p]
    assert not problems, problems
    assert 0.5 < premium.median() < 2, "most species carry about no premium"
    resid = np.log(modern["market_price"] / cell)
    assert _within_factor_two("spread after rarity and finish", resid.std(), 0.7) is None


def test_vintage_medians(catalog):
    wotc = catalog[catalog["era"] == "wotc"].groupby("rarity")["market_price"].median()
    problems = [_within_factor_two(f"vintage {r}", wotc[r], t)
                for r, t in {"Rare Holo": 39.0, "Rare": 5.0, "Common": 0.7}.items()]
    assert not [p for p in problems if p], problems


def test_market_index_follows_the_knots():
    dates = [pd.Timestamp(d) for d, _ in ds.MARKET_INDEX_KNOTS]
    values = ds.market_index(dates)
    assert np.allclose(values, [v for _, v in ds.MARKET_INDEX_KNOTS])


def test_listing_level_targets(generated):
    listings = generated.listings
    assert 0.06 <= listings["is_legendary"].mean() <= 0.08, "is_legendary is the imbalanced class (6-8%)"
    assert 0.06 <= listings["graded"].mean() <= 0.12
    market = listings[listings["channel"] == "marketplace"]
    assert 0.10 <= (market["price_usd"] > 20).mean() <= 0.25, "high_value is about 15-20% of marketplace listings"
    assert set(listings["channel"]) == {"bulk_lot", "marketplace", "auction"}
    assert (listings["listing_date"] >= listings["release_date"]).all()
    assert listings["listing_id"].is_monotonic_increasing


def test_channel_rule_is_the_documented_business_rule(generated):
    listings = generated.listings.merge(generated.truth, on="listing_id")
    expected = np.where(listings["graded"] | (listings["expected_price"] >= ds.AUCTION_MIN_USD), "auction",
                        np.where(listings["expected_price"] <= ds.BULK_MAX_USD, "bulk_lot", "marketplace"))
    assert (listings["channel"].to_numpy() == expected).all()


# ------------------------------------------------------------------------------ ground truth
def test_ground_truth_is_the_noise_floor(generated):
    listings = generated.listings.merge(generated.truth, on="listing_id")
    ratio = listings["price_usd"] / listings["expected_price"]
    assert abs(ratio.mean() - 1) < 0.01, "expected_price is the mean price"
    log_resid = np.log(listings["price_usd"] / listings["median_price"])
    ungraded_big = (~listings["graded"]) & (listings["price_usd"] > 1)
    assert abs(log_resid[ungraded_big].std() - ds.NOISE_SIGMA) < 0.01


def test_best_possible_rmse_beats_a_simple_model():
    clean = ds.load_listings()
    market = clean[(clean["channel"] == "marketplace") & ~clean["graded"]]
    floor = ds.best_possible_rmse(market)
    median_rmse = float(np.sqrt(((market["price_usd"] - market["price_usd"].median()) ** 2).mean()))
    assert 1.5 < floor < 4.0
    assert floor < median_rmse / 3


def test_best_possible_rmse_rejects_junk():
    with pytest.raises(ValueError, match="listing_id"):
        ds.best_possible_rmse(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="none of these"):
        ds.best_possible_rmse(pd.DataFrame({"listing_id": [-1], "price_usd": [1.0]}))


# ------------------------------------------------------------------------------ faults and cleaning
def test_fault_rates_match_the_documentation(generated):
    counts = generated.fault_log["fault"].value_counts()
    n = len(generated.listings)
    for fault, rate in ds.FAULT_RATES.items():
        share = counts.get(fault, 0) / (n * (generated.listings["supertype"] == "Pokemon").mean()
                                        if fault == "hp_as_string" else n)
        assert abs(share - rate) <= 0.1 * rate, f"{fault}: {share:.4f} vs documented {rate:.4f}"
    assert counts.get("defense_zero", 0) > 0


def test_missing_prices_are_not_at_random(generated):
    missing_ids = generated.fault_log.loc[generated.fault_log["fault"] == "missing_price", "listing_id"]
    listings = generated.listings
    missing = listings["listing_id"].isin(missing_ids)
    assert listings.loc[missing, "is_alt_art"].mean() > 2 * listings["is_alt_art"].mean()
    newest = listings["release_date"] >= pd.Timestamp("2025-06-15")
    assert missing[newest].mean() > 2 * missing.mean()


def test_data_readme_documents_every_fault_and_rate():
    text = (ROOT / "data" / "README.md").read_text()
    for fault, rate in ds.FAULT_RATES.items():
        assert f"`{fault}`" in text, fault
        assert f"{rate * 100:g}%" in text, f"{fault} rate {rate * 100:g}%"
    for column in ds.LISTING_COLUMNS:
        assert f"`{column}`" in text, column


def test_cleaning_recovers_every_kept_listing_exactly(generated, tmp_path):
    path = tmp_path / "raw.csv"
    generated.raw.to_csv(path, index=False)
    cleaned = clean_listings(read_raw_listings(path), ds.public_cards(generated.market))
    dropped = generated.fault_log["fault"].isin(["missing_price", "slab_in_ungraded", "stale_date"])
    keep = ~generated.listings["listing_id"].isin(generated.fault_log.loc[dropped, "listing_id"])
    expected = generated.listings[keep].reset_index(drop=True)
    pd.testing.assert_frame_equal(cleaned, expected, check_dtype=False)


def test_cleaning_does_not_modify_its_input(generated):
    raw = generated.raw.head(5_000).copy()
    before = raw.copy()
    clean_listings(raw, ds.public_cards(generated.market))
    pd.testing.assert_frame_equal(raw, before)


# ------------------------------------------------------------------------------ loading
def test_loaders_give_both_faces_and_both_backends():
    import polars as pl

    clean = ds.load_listings()
    raw = ds.load_listings("raw")
    assert list(clean.columns) == ds.LISTING_COLUMNS
    assert list(raw.columns) == ds.RAW_COLUMNS
    assert len(raw) > len(clean)
    assert isinstance(ds.load_listings(backend="polars"), pl.DataFrame)
    assert isinstance(ds.load_listings("raw", backend="polars"), pl.DataFrame)
    assert ds.load_cards()["card_id"].is_unique


@pytest.mark.parametrize("kwargs, message", [({"kind": "dirty"}, "kind must be"),
                                             ({"backend": "spark"}, "backend must be")])
def test_loader_rejects_unknown_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ds.load_listings(**kwargs)


def test_loading_generates_on_first_use(tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOURSE_DATA_DIR", str(tmp_path))
    clean = ds.load_listings(seed=5, n_listings=2_000)
    assert len(clean) > 1_800
    assert ds.dataset_path("clean", 5, 2_000).parent == tmp_path
    assert not list(tmp_path.glob("*.tmp")), "no temporary files left behind"


def _load_in_child(directory: str) -> int:
    import os

    os.environ["MLCOURSE_DATA_DIR"] = directory
    from mlcourse.dataset import load_listings

    return len(load_listings(seed=9, n_listings=20_000))


def test_concurrent_first_loads_never_see_a_half_written_file(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        sizes = pool.map(_load_in_child, [str(tmp_path)] * 3)
    assert len(set(sizes)) == 1 and sizes[0] > 18_000
    reference = ds.write_dataset(9, 20_000, tmp_path / "single")
    for kind, path in reference.items():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), kind


def test_command_line_entry_point(tmp_path):
    script = ROOT / "data" / "generate_dataset.py"
    done = subprocess.run([sys.executable, str(script), "--n-listings", "2000", "--seed", "3", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "generated in" in done.stdout
    assert len(list(tmp_path.glob("*_seed3*"))) == 5
    bad = subprocess.run([sys.executable, str(script), "--n-listings", "5"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "at least 1000" in bad.stderr


def test_every_scrape_happens_after_its_listing_went_live(generated):
    raw = generated.raw
    assert (raw["scraped_at"].str[:10] >= raw["listing_date"]).all()
    dup_ids = generated.fault_log.loc[generated.fault_log["fault"] == "duplicate_scrape", "listing_id"].astype(str)
    repeated = raw[raw["listing_id"].isin(dup_ids)].sort_values(["listing_id", "scraped_at"])
    latest = repeated.drop_duplicates("listing_id", keep="last").set_index("listing_id")["price"]
    truth = generated.listings.set_index(generated.listings["listing_id"].astype(str))["price_usd"]
    assert (latest.astype(float) - truth.loc[latest.index]).abs().max() < 0.005, "the latest scrape holds the true price"
