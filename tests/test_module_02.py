"""Module 2's exploration (mlcourse.eda): every dropdown option works, and the facts the prose states hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcourse import eda
from mlcourse.dataset import load_listings
from mlcourse.reference import CONDITIONS


@pytest.fixture(scope="module")
def listings() -> pd.DataFrame:
    return load_listings()


# ------------------------------------------------------------------------------ price by group
@pytest.mark.parametrize("key", eda.PRICE_BY_OPTIONS)
def test_every_price_by_option_gives_a_table_a_chart_and_prose(listings, key):
    table = eda.price_by(listings, key)
    assert list(table.columns) == [key, "listings", "p25", "median", "p75", "like for like", "groups compared"]
    assert table["listings"].sum() == len(listings), "every listing is in a group, missing values included"
    assert table[key].notna().all() and table[key].is_unique
    assert (table["p25"] <= table["median"]).all() and (table["median"] <= table["p75"]).all()
    assert table["like for like"].iloc[0] == 1.0, "the first level is the reference"
    chart = eda.price_by_chart(table, key).to_dict()  # a valid Altair spec
    assert len(chart["hconcat"]) == 2
    text = eda.describe_price_by(table, key)
    assert f"By {key}," in text and "nan" not in text.lower()


def test_graded_cards_form_a_named_condition_group(listings):
    table = eda.price_by(listings, "condition").set_index("condition")
    assert list(table.index) == [*CONDITIONS, eda.GRADED_LABEL]
    assert table.loc[eda.GRADED_LABEL, "listings"] == listings["graded"].sum()


def test_like_for_like_recovers_the_condition_multipliers_the_raw_medians_hide(listings):
    table = eda.price_by(listings, "condition").set_index("condition")
    for condition, multiplier in CONDITIONS.items():
        assert table.loc[condition, "like for like"] == pytest.approx(multiplier, rel=0.05)
    assert table.loc["LP", "median"] > table.loc["NM", "median"], "the raw medians put LP above NM"
    assert ("LP", "NM") in eda.order_reversals(table.reset_index())
    assert "mislead" in eda.describe_price_by(table.reset_index(), "condition")


def test_levels_never_seen_together_are_not_compared(listings):
    table = eda.price_by(listings, "finish").set_index("finish")
    assert np.isnan(table.loc["holofoil", "like for like"]) and table.loc["holofoil", "groups compared"] == 0
    assert "cannot be compared" in eda.describe_price_by(table.reset_index(), "finish")
    # an ordinary reverse holo is worth twice the normal card; Wizards-era chase reverse holos
    # (Legendary Collection, the e-Card sets) pull the whole market's median a little above that
    ordinary = eda.price_by(listings[listings["era"].ne("wotc")], "finish").set_index("finish")
    assert ordinary.loc["reverse_holo", "like for like"] == pytest.approx(2.0, rel=0.05)
    assert 2.0 <= table.loc["reverse_holo", "like for like"] < 2.5


def test_price_by_rejects_an_unknown_column(listings):
    with pytest.raises(ValueError, match="key must be one of"):
        eda.price_by(listings, "species")


def test_order_reversals_ignore_small_swaps_and_put_the_largest_first():
    table = pd.DataFrame({"x": ["a", "b", "c", "d", "e"], "median": [1.0, 5.0, 3.0, 2.9, 4.0],
                          "like for like": [1.0, 2.0, 8.0, 2.05, 3.0]})
    # raw, b is dearer than c, d and e; like for like c is 4x b, e 1.5x b, d only 1.025x b (noise)
    assert eda.order_reversals(table) == [("b", "c"), ("e", "c"), ("b", "e")]


# ------------------------------------------------------------------------------ species, interactions
def test_species_premium_finds_the_chase_species_not_the_rarity_mix(listings):
    species = eda.species_premium(listings, min_listings=50)
    assert (species["listings"] >= 50).all()
    assert list(species["premium"]) == sorted(species["premium"], reverse=True)
    assert {"Umbreon", "Charizard"} <= set(species["species"].head(3)), "the generator's two largest premiums"
    caveat = eda.raw_median_caveat(species)
    misled = species[species["species"].map(lambda s: f" {s} " in f" {caveat} ")]
    misled = misled[misled.index >= 10]
    assert len(misled) == 1, caveat
    assert misled["its share"].iloc[0] > 0.5, "the raw median it names owes its rank to one rarity"
    assert f"ranks {misled.index[0] + 1} " in caveat and "mixes in the rarities" in caveat


def test_raw_median_caveat_covers_a_misleading_top_and_a_deserved_one():
    species = pd.DataFrame({"species": ["A", "B", "C"], "listings": [100, 200, 300],
                            "median price ($)": [5.0, 9.0, 50.0], "most common rarity": ["Rare"] * 3,
                            "its share": [0.4, 0.5, 0.9], "premium": [6.0, 3.0, 1.1]})
    misleading = eda.raw_median_caveat(species, top=2)
    assert misleading.startswith("but 90% of its 300 listings are Rares, and like for like it ranks 3 (1.1x")
    deserved = eda.raw_median_caveat(species.assign(**{"median price ($)": [60.0, 9.0, 50.0]}), top=2)
    assert deserved.startswith("and like for like it stays on top (6.0x its peers")
    assert "But C (\\$50.00, the highest raw median outside the top 2 premiums)" in deserved
    assert eda.raw_median_caveat(species.head(2).assign(**{"median price ($)": [60.0, 9.0]}), top=2).endswith("Rares)")


def test_the_legendary_premium_is_positive_like_for_like(listings):
    table = eda.premium_by(listings[listings["supertype"].eq("Pokemon")], "is_legendary", by="rarity")
    assert (table["like for like"] > 1).all()
    assert (table["raw premium"] < 1).any(), "the raw medians hide it in some rarities"


# ------------------------------------------------------------------------------ market, noise, defense
def test_the_vintage_market_peaks_in_early_2021_and_bottoms_out_around_2023(listings):
    level = eda.market_level(listings, ["wotc"]).set_index("month")["smoothed"]
    peak = level.idxmax()
    assert pd.Timestamp("2020-12-01") <= peak <= pd.Timestamp("2021-03-01")  # the index peaks in Feb 2021
    trough = level[level.index > peak].idxmin()
    assert pd.Timestamp("2022-09-01") <= trough <= pd.Timestamp("2023-04-01")  # and bottoms in Jan 2023
    with pytest.raises(ValueError, match="no listings"):
        eda.market_level(listings, ["no_such_era"])


def test_noise_band_matches_the_generator(listings):
    band = eda.noise_band(listings)
    assert band["log_sd"] == pytest.approx(0.15, abs=0.01)
    assert band["p2.5"] < band["p16"] < 1 < band["p84"] < band["p97.5"]
    assert band["p84"] - 1 > 0.1, "a band of about 15%, not a few percent"


def test_defense_zero_is_a_placeholder(listings):
    facts = eda.defense_zero_facts(listings)
    assert facts["listings"] > 0 and facts["species_compared"] == facts["species"]
    assert facts["share_nonzero_elsewhere"] == 1.0 and facts["share_same_total"] == 1.0
