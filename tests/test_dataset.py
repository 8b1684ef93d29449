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


def _within_factor(got: float, target: float, factor: float) -> bool:
    return target / factor <= got <= target * factor


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


# Facts from PriceCharting and TCGplayer snapshots of the vintage and modern market (March 2025),
# measured on the price guide (Near Mint, English, unlimited) unless a test says otherwise.
def test_vintage_tail_is_as_heavy_as_the_real_one(catalog):
    wotc = catalog.loc[catalog["era"] == "wotc", "market_price"]
    p90 = wotc.quantile(0.9)
    assert _within_factor(p90, 87.0, 2), f"Wizards-era 90th percentile ${p90:.2f}, real $87"


def test_dearest_base_set_card_is_priced_like_the_real_one(catalog):
    base = catalog[catalog["set_name"] == "Base Set"]
    dearest = base.loc[base["market_price"].idxmax()]
    assert _within_factor(dearest["market_price"], 399.0, 2), (
        f"dearest Base Set card {dearest['card_id']} ({dearest['species']}) ${dearest['market_price']:.2f}, real $399")
    assert dearest["species"] == "Charizard", "Base Set's holos are the real ones, and Charizard is the dearest"


def test_legendary_collection_reverse_holos_are_a_chase(catalog):
    lc = catalog[(catalog["set_name"] == "Legendary Collection")]
    prices = lc.pivot_table(index="card_id", columns="finish", values="market_price")
    ratio = (prices["reverse_holo"] / prices["normal"]).dropna()
    assert len(ratio) > 50
    assert _within_factor(ratio.median(), 48.0, 2), f"reverse holo over normal x{ratio.median():.1f}, real x48"
    elsewhere = catalog[(catalog["era"].isin(["swsh", "sv"]))]
    modern = elsewhere.pivot_table(index="card_id", columns="finish", values="market_price")
    assert (modern["reverse_holo"] / modern["normal"]).dropna().median() < 3, "an ordinary reverse holo is no chase"


def test_vintage_uncommons_are_worth_many_modern_ones(catalog):
    uncommon = catalog[catalog["rarity"] == "Uncommon"]
    wotc = uncommon.loc[uncommon["era"] == "wotc", "market_price"].median()
    modern = uncommon.loc[uncommon["era"].isin(["swsh", "sv"]), "market_price"].median()
    assert _within_factor(wotc / modern, 18.0, 2), f"vintage Uncommon median x{wotc / modern:.1f} the modern one, real x18"


def _illustration_rare_premium(species: str) -> float:
    """Median price of a species' Illustration and Special Illustration Rares over their rarity's
    median, pooled over five markets (one market holds only a handful per species)."""
    parts = []
    for seed in range(ds.DEFAULT_SEED, ds.DEFAULT_SEED + 5):
        catalog = ds.catalog_prices(ds.build_market(seed))
        ir = catalog[catalog["rarity"].isin(["Illustration Rare", "Special Illustration Rare"])]
        parts.append(ir["market_price"] / ir.groupby("rarity")["market_price"].transform("median"))
        parts[-1] = parts[-1][ir["species"] == species]
    relative = pd.concat(parts)
    assert len(relative) >= 10, species
    return float(relative.median())


@pytest.mark.parametrize("species, real", [("Charizard", 6.0), ("Pikachu", 9.0)])
def test_illustration_rare_premium_by_species(species, real):
    premium = _illustration_rare_premium(species)
    assert _within_factor(premium, real, 1.6), f"{species} Illustration Rare premium x{premium:.1f}, real x{real:g}"


def _graded_multiples(generated: ds.GeneratedData, eras: list[str], grader: str) -> pd.Series:
    """Median slab price over the same card's Near Mint ungraded price, by grade, on the graded listings."""
    listings = generated.listings.merge(generated.truth, on="listing_id")
    slabs = listings[listings["graded"] & listings["era"].isin(eras) & listings["grader"].eq(grader)]
    ratio = slabs["median_price"].to_numpy() / ds.near_mint_price(generated.market, slabs)
    return pd.Series(ratio, index=slabs.index).groupby(slabs["grade"]).median()


@pytest.mark.parametrize("grade, grader, real", [(9.0, "PSA", 3.2), (9.5, "BGS", 4.1), (10.0, "PSA", 10.0)])
def test_vintage_grading_multiples(generated, grade, grader, real):
    multiple = _graded_multiples(generated, ["wotc"], grader)[grade]
    assert _within_factor(multiple, real, 1.3), f"vintage {grader} {grade:g} x{multiple:.2f} over Near Mint, real x{real:g}"


@pytest.mark.parametrize("grade", [7.0, 8.0])
def test_modern_low_grades_sell_below_near_mint(generated, grade):
    multiple = _graded_multiples(generated, ["swsh", "sv"], "PSA")[grade]
    assert 0.4 <= multiple < 1.0, f"modern PSA {grade:g} x{multiple:.2f} over Near Mint: real ones sell below"


def test_grading_multiples_rise_with_grade_and_cheap_slabs_sit_on_the_floor():
    nm = np.array([1.0, 1.0, 500.0, 500.0])
    slabs = ds.slab_median_price(nm, np.array([7.0, 10.0, 9.0, 10.0]), np.array(["PSA"] * 4),
                                 np.array([False, False, True, True]))
    assert slabs[0] == ds.SLAB_FLOOR_USD[7.0] and slabs[1] == ds.SLAB_FLOOR_USD[10.0]
    assert slabs[2] == 500 * ds.GRADE_MULTIPLIER["vintage"][9.0] < slabs[3]
    cgc = ds.slab_median_price(np.array([500.0]), np.array([10.0]), np.array(["CGC"]), np.array([True]))
    assert cgc[0] == pytest.approx(slabs[3] * ds.CGC_TEN_MULTIPLIER), "a CGC 10 trades about 3x below a PSA 10"
    for era in ("vintage", "modern"):
        multiples = [ds.GRADE_MULTIPLIER[era][g] for g in ref.GRADES]
        assert multiples == sorted(multiples), era


def test_near_mint_price_is_the_ungraded_price_before_condition(generated):
    listings = generated.listings.merge(generated.truth, on="listing_id")
    raw = listings[~listings["graded"]].head(20_000)
    condition = raw["condition"].map(ref.CONDITIONS).to_numpy()
    assert np.allclose(raw["median_price"].to_numpy(), ds.near_mint_price(generated.market, raw) * condition)


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


def _noise_free_channel(listings: pd.DataFrame) -> np.ndarray:
    """The channel a seller who knew the expected price and had no habit would choose."""
    return np.where(listings["graded"] | (listings["expected_price"] >= ds.AUCTION_MIN_USD), "auction",
                    np.where(listings["expected_price"] <= ds.BULK_MAX_USD, "bulk_lot", "marketplace"))


def test_channel_is_a_noisy_seller_decision_not_a_function_of_the_price(generated):
    listings = generated.listings.merge(generated.truth, on="listing_id")
    ungraded = listings[~listings["graded"]]
    near_cut = ungraded[ungraded["expected_price"].between(35, 70)]
    shares = near_cut["channel"].value_counts(normalize=True)
    assert shares.get("marketplace", 0) > 0.2 and shares.get("auction", 0) > 0.2, "both channels near the cut-off"
    agreement = (listings["channel"].to_numpy() == _noise_free_channel(listings)).mean()
    assert 0.85 <= agreement <= 0.97, f"agrees with the noise-free rule on {agreement:.1%} of listings"


def test_channel_is_informative(generated):
    listings = generated.listings.merge(generated.truth, on="listing_id")
    assert listings.loc[listings["graded"], "channel"].eq("auction").all(), "slabs go to auction"
    ungraded = listings[~listings["graded"]]
    median = ungraded.groupby("channel")["expected_price"].median()
    assert median["bulk_lot"] < median["marketplace"] < median["auction"]
    assert ungraded.loc[ungraded["channel"] == "bulk_lot", "expected_price"].max() < 4 * ds.BULK_MAX_USD
    dear = ungraded[ungraded["expected_price"] >= 3 * ds.AUCTION_MIN_USD]
    assert dear["channel"].eq("auction").mean() > 0.99, "nobody lists a dear card at a fixed price by mistake"
    bands = pd.cut(ungraded["expected_price"], [0, 5, 20, 40, 60, 100, np.inf])
    auction_share = ungraded["channel"].eq("auction").groupby(bands, observed=True).mean()
    assert auction_share.is_monotonic_increasing, auction_share


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
