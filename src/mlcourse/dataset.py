"""The seeded Pokemon card market: generate it, cache it, load it, and know its truth.

One call gives a learner the data, generating and caching it on first use::

    from mlcourse.dataset import load_listings
    listings = load_listings()            # the cleaned table the modules use
    raw = load_listings("raw")            # the listing feed as scraped, faults and all

The generative model is documented in ``data/README.md``. In short: every card printing
has a log-price built from its rarity, era, set, species popularity, finish and a
card-level effect; every listing adds its condition, language, first edition, grading, the
market index on its date and a new-release premium, then log-normal noise (sigma 0.15).
The seller picks the sales channel from a noisy estimate of the card's value.
Because the course generates the data, it knows the noise-free expected price of every
listing (:func:`load_ground_truth`) and so the best RMSE any model can reach
(:func:`best_possible_rmse`), and every fault it injected into the raw feed
(:func:`load_fault_log`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlcourse import reference as ref

GENERATOR_VERSION = 3
DEFAULT_SEED = 42
DEFAULT_N_LISTINGS = 120_000

WINDOW_START = pd.Timestamp("2020-01-01")
WINDOW_END = pd.Timestamp("2025-12-31")
REFERENCE_DATE = pd.Timestamp("2025-03-01")  # the calibration snapshot date
NOISE_SIGMA = 0.15  # listing noise on the log-price scale
CARD_EFFECT_SIGMA = {"wotc": 0.6}  # sd of the card-level effect (log scale); 0.45 in the other eras
CHASE_AMPLIFICATION = 1.6  # species popularity (log scale) at the top chase rarities, over its plain value
ERA_POPULARITY_AMPLIFICATION = {"wotc": 1.3}  # the first 151 species' popularity counts 1.3x on vintage cards
EUR_TO_USD = 1.08  # fixed conversion rate used by the feed and by the cleaning
# The seller picks the channel from their own estimate of the card's value (see simulate_listings)
BULK_MAX_USD = 1.5
AUCTION_MIN_USD = 50.0
SELLER_APPRAISAL_SIGMA = 0.15  # the seller's estimate of value: the expected price x exp(N(0, 0.15^2))
SELLER_HABIT_SIGMA = 0.2       # sellers' auction cut-offs differ: AUCTION_MIN_USD x exp(N(0, 0.2^2))
AUCTIONEER_SHARE = 0.08        # sellers who auction everything they do not bundle into a bulk lot
RELEASE_PREMIUM = 0.5  # log-price premium on release day, decaying with a 30-day time constant
RELEASE_DECAY_DAYS = 30.0

# Vintage market index (boom and slump); log-linear between the knots.
MARKET_INDEX_KNOTS = [("2020-01-01", 100.0), ("2021-02-01", 350.0), ("2023-01-01", 140.0),
                      ("2026-01-01", 230.0)]

# Rates of the faults injected into the raw feed, as a share of the true listings.
FAULT_RATES: dict[str, float] = {
    "missing_price": 0.04,        # empty price; mostly newest sets and alternate arts
    "duplicate_scrape": 0.015,    # an older scrape of the same listing (extra row)
    "set_name_typo": 0.01,        # misspelt set name
    "rarity_mislabel": 0.01,      # rarity moved to a neighbouring tier
    "rarity_missing": 0.005,      # empty rarity
    "price_dollar_string": 0.02,  # "$1,234.50"
    "price_eur": 0.015,           # "1.234,50 EUR" with currency EUR
    "price_in_cents": 0.005,      # "1234" meaning $12.34
    "lot_as_single": 0.0015,      # a multi-card lot listed as one card (extra row)
    "slab_in_ungraded": 0.0015,   # a graded slab with its grading fields blanked
    "hp_as_string": 0.01,         # "120 HP" instead of "120" (share of Pokemon rows)
    "stale_date": 0.003,          # listing date before the set was released
}
DEFENSE_ZERO_CARD_RATE = 0.01  # share of Pokemon cards whose Defense the source recorded as 0

# A slab's price over the Near Mint ungraded price, by grade (PSA; the grader multiplier below).
GRADE_MULTIPLIER = {
    "vintage": {7.0: 1.4, 8.0: 2.0, 9.0: 3.2, 9.5: 4.1, 10.0: 10.0},
    "modern": {7.0: 0.6, 8.0: 0.8, 9.0: 1.2, 9.5: 1.5, 10.0: 3.0},
}
# A slab never sells for much less than what grading costs (a fee of about $18-20): the floor
# under a slab's price, by grade. A low grade is worth less than the fee it cost.
SLAB_FLOOR_USD = {7.0: 6.0, 8.0: 9.0, 9.0: 14.0, 9.5: 17.0, 10.0: 22.0}
GRADER_MULTIPLIER = {"PSA": 1.0, "BGS": 0.9, "CGC": 0.7}
CGC_TEN_MULTIPLIER = 0.35  # a CGC 10 trades about 3x below a PSA 10
GRADE_MIX = {  # grade distribution by grader (PSA gives no 9.5)
    "PSA": [0.10, 0.20, 0.35, 0.0, 0.35],
    "BGS": [0.05, 0.15, 0.35, 0.35, 0.10],
    "CGC": [0.10, 0.20, 0.30, 0.25, 0.15],
}

CARD_COLUMNS = [
    "card_id", "set_code", "set_name", "era", "release_date", "card_number", "card_name",
    "supertype", "species", "pokemon_type", "generation", "is_legendary", "is_mythical", "hp",
    "attack", "defense", "speed", "base_stat_total", "rarity", "is_alt_art",
]
LISTING_COLUMNS = (
    ["listing_id", "listing_date"] + CARD_COLUMNS
    + ["finish", "first_edition", "language", "graded", "grader", "grade", "condition",
       "channel", "price_usd"]
)
RAW_COLUMNS = [
    "listing_id", "scraped_at", "listing_date", "title", "card_id", "set_code", "set_name",
    "card_number", "card_name", "supertype", "species", "pokemon_type", "generation",
    "is_legendary", "is_mythical", "hp", "attack", "defense", "speed", "base_stat_total",
    "rarity", "is_alt_art", "finish", "first_edition", "language", "graded", "grader", "grade",
    "condition", "channel", "price", "currency",
]
STAT_COLUMNS = ["hp", "attack", "defense", "speed", "base_stat_total"]


# --------------------------------------------------------------------------------------
# The market: sets, species, cards and printings, with their latent price parameters
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Market:
    """The card catalog plus the hidden parameters the price model uses."""

    sets: pd.DataFrame
    species: pd.DataFrame
    cards: pd.DataFrame       # public columns (CARD_COLUMNS) plus hidden ones
    printings: pd.DataFrame   # one row per card and finish, with mu_ref (log median at REFERENCE_DATE)


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _build_sets() -> pd.DataFrame:
    rows = []
    era_counter: dict[str, int] = {}
    for name, date, era, first_ed in ref.SETS:
        era_counter[era] = era_counter.get(era, 0) + 1
        rows.append({"set_code": f"{era}-{era_counter[era]:02d}", "set_name": name,
                     "release_date": pd.Timestamp(date), "era": era, "has_first_edition": first_ed})
    sets = pd.DataFrame(rows)
    sets["release_date"] = sets["release_date"].astype("datetime64[us]")
    return sets


def _build_species(rng: np.random.Generator) -> pd.DataFrame:
    species = pd.DataFrame(ref.SPECIES)
    n = len(species)
    special = (species["is_legendary"] | species["is_mythical"]).to_numpy()
    bst = np.where(special, rng.choice([580, 600, 660, 670, 680], size=n),
                   np.clip(np.round(rng.normal(420, 85, size=n) / 5) * 5, 200, 600))
    shares = rng.dirichlet(np.full(6, 9.0), size=n)
    stats = np.round(shares * bst[:, None]).astype(int)
    hp, attack, defense, speed = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 5]
    bst = stats.sum(axis=1)
    for i, name in enumerate(species["species"]):
        if name in ref.KNOWN_STATS:
            hp[i], attack[i], defense[i], speed[i], bst[i] = ref.KNOWN_STATS[name]
    species["hp"], species["attack"], species["defense"] = hp, attack, defense
    species["speed"], species["base_stat_total"] = speed, bst
    popularity = (0.15 * (bst - 430) / 100 + 0.30 * species["is_legendary"]
                  + 0.40 * species["is_mythical"] + 0.20 * (species["generation"] == 1)
                  + rng.normal(0, 0.35, size=n))
    named = species["species"].map(ref.NAMED_PREMIUM)
    species["popularity"] = np.where(named.notna(), np.log(named.fillna(1.0)), popularity)
    # popularity at the top chase rarities: amplified (x1.6 on the log scale) unless named
    chase = species["species"].map(ref.CHASE_PREMIUM)
    species["chase_popularity"] = np.where(chase.notna(), np.log(chase.fillna(1.0)),
                                           CHASE_AMPLIFICATION * species["popularity"])
    return species


def _largest_remainder(n: int, shares: dict[str, float]) -> list[str]:
    names = list(shares)
    raw = np.array([shares[k] for k in names]) * n
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    out: list[str] = []
    for name in sorted(names, key=lambda r: ref.RARITIES[r]["tier"]):
        out += [name] * int(counts[names.index(name)])
    return out


_CARDS_PER_SET = {"wotc": (64, 110), "ex": (95, 115), "dp": (100, 140), "bw_xy": (100, 165),
                  "sm": (130, 210), "swsh": (150, 220), "sv": (150, 230)}
_TRAINER_SHARE = {"Common": 0.16, "Uncommon": 0.18, "Rare": 0.10, "Rare Holo": 0.05,
                  "Ultra Rare": 0.15, "Secret Rare": 0.10, "Hyper Rare": 0.10,
                  "Special Illustration Rare": 0.15}
_ENERGY_SHARE = {"Common": 0.05, "Uncommon": 0.04}


def build_market(seed: int = DEFAULT_SEED) -> Market:
    """Build the card catalog and its latent price parameters (deterministic in ``seed``)."""
    rng = _rng(seed, 0)
    sets = _build_sets()
    species = _build_species(rng)
    trainer_pop = dict(zip(ref.TRAINERS, rng.normal(0.0, 0.3, size=len(ref.TRAINERS)), strict=True))
    energy_pop = dict(zip(ref.ENERGIES, rng.normal(-0.2, 0.2, size=len(ref.ENERGIES)), strict=True))

    species_by_gen = species["generation"].to_numpy()
    special = (species["is_legendary"] | species["is_mythical"]).to_numpy()
    named = species["species"].isin(list(ref.NAMED_PREMIUM)).to_numpy()

    species_names = species["species"].to_numpy()
    species_pop = species["popularity"].to_numpy()
    species_chase_pop = species["chase_popularity"].to_numpy()
    species_index = {name: i for i, name in enumerate(species_names)}
    parts = []
    for s in sets.itertuples(index=False):
        lo, hi = _CARDS_PER_SET[s.era]
        n_cards = int(rng.integers(lo, hi + 1))
        n_cards = ref.SET_SIZE.get(s.set_name, n_cards)
        rarities = np.array(_largest_remainder(n_cards, ref.RARITY_MIX[s.era]), dtype=object)
        tiers = np.array([ref.RARITIES[r]["tier"] for r in rarities])
        only_gen = ref.SET_GENERATION_OVERRIDE.get(s.set_name)
        max_gen = only_gen or ref.ERAS[s.era]["max_gen"]
        eligible = species_by_gen == only_gen if only_gen else species_by_gen <= max_gen
        base_w = eligible * (1.0 + 2.0 * (species_by_gen == max_gen))
        u = rng.random(n_cards)
        t_share = np.array([_TRAINER_SHARE.get(r, 0.0) for r in rarities])
        e_share = np.array([_ENERGY_SHARE.get(r, 0.0) for r in rarities])
        supertype = np.where(u < t_share, "Trainer", np.where(u < t_share + e_share, "Energy", "Pokemon"))
        species_idx = np.full(n_cards, -1)
        for tier in np.unique(tiers):
            rows = np.flatnonzero((tiers == tier) & (supertype == "Pokemon"))
            if len(rows):
                w = base_w * np.where(special, 0.2 + 0.04 * tier, 1.0) * np.where(named, 1.0 + 0.3 * tier, 1.0)
                species_idx[rows] = rng.choice(len(w), size=len(rows), p=w / w.sum())
        roster = ref.HOLO_ROSTER.get(s.set_name, [])
        holo_rows = np.flatnonzero((rarities == "Rare Holo") & (supertype == "Pokemon"))[: len(roster)]
        species_idx[holo_rows] = [species_index[name] for name in roster[: len(holo_rows)]]
        in_roster = np.zeros(n_cards, dtype=bool)
        in_roster[holo_rows] = True
        trainer_pick = rng.integers(len(ref.TRAINERS), size=n_cards)
        energy_pick = rng.integers(len(ref.ENERGIES), size=n_cards)
        suffix = np.array([ref.NAME_SUFFIX.get(s.era, {}).get(r, "") for r in rarities], dtype=object)
        trainer_names = np.array(ref.TRAINERS, dtype=object)[trainer_pick]
        energy_names = np.array(ref.ENERGIES, dtype=object)[energy_pick]
        pokemon_names = species_names[np.maximum(species_idx, 0)] + suffix
        card_name = np.where(supertype == "Trainer", trainer_names,
                             np.where(supertype == "Energy", energy_names, pokemon_names))
        other_pop = np.where(supertype == "Trainer", [trainer_pop[t] for t in trainer_names],
                             [energy_pop[e] for e in energy_names])
        is_pokemon = supertype == "Pokemon"
        popularity = np.where(is_pokemon, species_pop[np.maximum(species_idx, 0)], other_pop)
        chase_popularity = np.where(is_pokemon, species_chase_pop[np.maximum(species_idx, 0)],
                                    CHASE_AMPLIFICATION * other_pop)
        parts.append(pd.DataFrame({
            "set_code": s.set_code, "set_name": s.set_name, "era": s.era, "release_date": s.release_date,
            "card_number": np.arange(1, n_cards + 1), "rarity": rarities, "supertype": supertype,
            "card_name": card_name, "species_idx": species_idx, "popularity": popularity,
            "chase_popularity": chase_popularity, "in_roster": in_roster,
            "set_effect": np.log(ref.SET_PRICE_FACTOR.get(s.set_name, 1.0))}))
    cards = pd.concat(parts, ignore_index=True)
    n = len(cards)
    cards["card_id"] = cards["set_code"] + "-" + cards["card_number"].astype(str).str.zfill(3)
    card_effect = rng.normal(0.0, 1.0, size=n) * cards["era"].map(CARD_EFFECT_SIGMA).fillna(0.45).to_numpy()
    # a roster card's price is known to every collector: its species and set make it, no surprise
    cards["card_effect"] = np.where(cards["in_roster"], 0.0, card_effect)
    is_ir = cards["rarity"].isin(["Illustration Rare", "Special Illustration Rare"])
    swsh_alt = (cards["era"] == "swsh") & cards["rarity"].isin(["Ultra Rare", "Secret Rare"]) & (
        cards["supertype"] == "Pokemon") & (rng.random(n) < 0.2)
    cards["is_alt_art"] = is_ir | swsh_alt
    cards["alt_art_bonus"] = np.where(swsh_alt, 1.0, 0.0)

    # species attributes (structurally missing for Trainer and Energy cards)
    sp_idx = cards["species_idx"].to_numpy()
    has_sp = sp_idx >= 0
    take = np.where(has_sp, sp_idx, 0)
    cards["species"] = pd.Series(np.where(has_sp, species["species"].to_numpy()[take], None), dtype="str")
    cards["pokemon_type"] = pd.Series(np.where(has_sp, species["pokemon_type"].to_numpy()[take], None),
                                      dtype="str")
    cards["generation"] = pd.array(np.where(has_sp, species_by_gen[take], 0), dtype="Int8")
    cards.loc[~has_sp, "generation"] = pd.NA
    cards["is_legendary"] = has_sp & species["is_legendary"].to_numpy()[take]
    cards["is_mythical"] = has_sp & species["is_mythical"].to_numpy()[take]
    for col in STAT_COLUMNS:
        values = pd.array(species[col].to_numpy()[take], dtype="Int16")
        values[~has_sp] = pd.NA
        cards[col] = values
    defense_zero = has_sp & (rng.random(n) < DEFENSE_ZERO_CARD_RATE)
    cards.loc[defense_zero, "defense"] = 0
    cards["defense_recorded_as_zero"] = defense_zero

    for col in ["card_id", "set_code", "set_name", "era", "card_name", "supertype", "rarity"]:
        cards[col] = cards[col].astype("str")
    cards["card_number"] = cards["card_number"].astype("int16")

    printings = _build_printings(cards, sets)
    return Market(sets=sets, species=species, cards=cards, printings=printings)


def _build_printings(cards: pd.DataFrame, sets: pd.DataFrame) -> pd.DataFrame:
    """One row per card and finish, with the log median price at REFERENCE_DATE (NM, English)."""
    has_reverse = cards["release_date"] >= pd.Timestamp("2002-05-24")  # Legendary Collection
    low = cards["rarity"].isin(["Common", "Uncommon", "Rare"])
    natural = np.where(low, "normal", "holofoil")
    parts = [cards.assign(finish=natural)]
    rev = cards[has_reverse & cards["rarity"].isin(["Common", "Uncommon", "Rare", "Rare Holo"])]
    parts.append(rev.assign(finish="reverse_holo"))
    pr = pd.concat(parts, ignore_index=True)
    pr = pr.sort_values(["card_id", "finish"], kind="stable").reset_index(drop=True)

    chase = pr["rarity"].map(lambda r: ref.RARITIES[r]["chase"]).to_numpy()
    era_mult = np.array([ref.ERA_MULTIPLIER[e].get(r, 1.0) for e, r in zip(pr["era"], pr["rarity"], strict=True)])
    reverse_premium = np.array([
        ref.REVERSE_HOLO_PREMIUM.get(name, {}).get("normal" if low else "holofoil", ref.REVERSE_HOLO_PREMIUM_DEFAULT)
        for name, low in zip(pr["set_name"], pr["rarity"].isin(["Common", "Uncommon", "Rare"]), strict=True)])
    finish_term = np.where(pr["finish"] == "reverse_holo", np.log(reverse_premium), 0.0)
    # species popularity, from its plain value (chase 0) to its value at the top chase rarities (chase 1)
    popularity = (1 - chase) * pr["popularity"].to_numpy() + chase * pr["chase_popularity"].to_numpy()
    first_generation = pr["generation"].eq(1).fillna(False).to_numpy(dtype=bool)
    popularity = popularity * np.where(first_generation, pr["era"].map(ERA_POPULARITY_AMPLIFICATION).fillna(1.0), 1.0)
    rest = (popularity + pr["card_effect"].to_numpy() + pr["alt_art_bonus"].to_numpy()
            + pr["set_effect"].to_numpy() + finish_term)
    release_age = (REFERENCE_DATE - pr["release_date"]).dt.days.to_numpy()
    rest_at_ref = rest + _release_premium(release_age)
    # Calibrate each rarity's base so that the modern median (natural finish, at the
    # reference date) equals the market median in ref.RARITIES.
    modern = pr["era"].isin(["swsh", "sv"]).to_numpy() & (pr["finish"] != "reverse_holo").to_numpy()
    base = {}
    for rarity, spec in ref.RARITIES.items():
        mask = modern & (pr["rarity"] == rarity).to_numpy()
        offset = float(np.median(rest_at_ref[mask])) if mask.any() else 0.0
        base[rarity] = np.log(spec["median"]) - offset
    pr["mu_static"] = pr["rarity"].map(base).to_numpy() + np.log(era_mult) + rest
    pr["mu_ref"] = pr["mu_static"] + _release_premium(release_age)
    # the part of the price that scarcity makes (a small print run, a rare chase reverse holo):
    # it makes a printing dear without bringing it more listings
    reverse_scarcity = np.where(pr["finish"] == "reverse_holo",
                                np.log(reverse_premium / ref.REVERSE_HOLO_PREMIUM_DEFAULT), 0.0)
    pr["scarcity"] = pr["set_effect"].to_numpy() + reverse_scarcity
    return pr


# --------------------------------------------------------------------------------------
# Time effects
# --------------------------------------------------------------------------------------
def market_index(dates: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """The vintage market index (100 = Jan 2020) on the given dates, log-linear between knots."""
    knots_t = np.array([pd.Timestamp(d).value for d, _ in MARKET_INDEX_KNOTS], dtype=float)
    knots_v = np.log([v for _, v in MARKET_INDEX_KNOTS])
    t = pd.to_datetime(pd.Series(np.asarray(dates))).astype("datetime64[ns]").astype("int64").to_numpy(dtype=float)
    return np.exp(np.interp(t, knots_t, knots_v))


_INDEX_LAMBDA = {era: spec["index_lambda"] for era, spec in ref.ERAS.items()}


def _release_premium(age_days: np.ndarray) -> np.ndarray:
    age = np.asarray(age_days, dtype=float)
    return np.where(age >= 0, RELEASE_PREMIUM * np.exp(-np.clip(age, 0, None) / RELEASE_DECAY_DAYS), 0.0)


def catalog_prices(market: Market, date: pd.Timestamp = REFERENCE_DATE) -> pd.DataFrame:
    """Expected market price of every printing on ``date``: Near Mint, English, ungraded.

    This is the "price guide" face of the market, the one the calibration facts describe.
    """
    pr = market.printings
    age = (pd.Timestamp(date) - pr["release_date"]).dt.days.to_numpy()
    lam = pr["era"].map(_INDEX_LAMBDA).to_numpy()
    index_term = lam * np.log(market_index(np.full(len(pr), pd.Timestamp(date))) /
                              market_index(np.array([REFERENCE_DATE]))[0])
    mu = pr["mu_static"].to_numpy() + _release_premium(age) + index_term
    out = pr[["card_id", "set_name", "era", "rarity", "finish", "supertype", "species"]].copy()
    out["market_price"] = np.exp(mu)
    return out


# --------------------------------------------------------------------------------------
# Listings
# --------------------------------------------------------------------------------------
def _sample_dates(rng: np.random.Generator, lo_days: np.ndarray, hi_days: np.ndarray,
                  total: float) -> np.ndarray:
    """Listing volume grows over the window: density proportional to 1 + 1.5 x, x in [0, 1]."""
    def cdf(x: np.ndarray) -> np.ndarray:
        return x + 0.75 * x**2

    lo, hi = lo_days / total, hi_days / total
    c = cdf(lo) + rng.random(len(lo)) * (cdf(hi) - cdf(lo))
    x = (-1 + np.sqrt(1 + 3 * c)) / 1.5
    return np.clip(np.round(x * total), lo_days, hi_days).astype(int)


def _near_mint_log_price(printing: pd.DataFrame, listing_date: pd.Series, first_edition: np.ndarray,
                         language: np.ndarray) -> np.ndarray:
    """Log of the noise-free price of an ungraded Near Mint copy (rows of market.printings, per listing)."""
    vintage = printing["era"].isin(["wotc", "ex"]).to_numpy()
    language = np.asarray(language, dtype=object)
    lang_term = np.select([language == name for name in ref.LANGUAGES], list(ref.LANGUAGES.values()), np.nan)
    lang_term = np.where(vintage & (language == "Japanese"), -0.8, lang_term)
    lam = printing["era"].map(_INDEX_LAMBDA).to_numpy()
    index_ref = market_index(np.array([REFERENCE_DATE]))[0]
    index_term = lam * np.log(market_index(listing_date) / index_ref)
    age = (pd.Series(listing_date).to_numpy() - printing["release_date"].to_numpy()).astype("timedelta64[D]").astype(float)
    return (printing["mu_static"].to_numpy() + np.log(2.0) * np.asarray(first_edition, dtype=bool) + lang_term
            + index_term + _release_premium(age))


def near_mint_price(market: Market, listings: pd.DataFrame) -> np.ndarray:
    """Noise-free price of each listing's card as an ungraded Near Mint copy: same printing
    (card and finish), edition, language and listing date. For a graded listing, the price the
    slab's grade multiple applies to; for an ungraded one, its price before the condition."""
    key = ["card_id", "finish"]
    printing = listings[key].merge(market.printings[key + ["era", "release_date", "mu_static"]],
                                   on=key, how="left", validate="many_to_one")
    if printing["mu_static"].isna().any():
        raise ValueError("some listings name a card and finish that this market does not print")
    return np.exp(_near_mint_log_price(printing, pd.to_datetime(listings["listing_date"]).reset_index(drop=True),
                                       listings["first_edition"].to_numpy(), listings["language"].to_numpy()))


def slab_median_price(nm_price: np.ndarray, grade: np.ndarray, grader: np.ndarray,
                      vintage: np.ndarray) -> np.ndarray:
    """Noise-free price of a graded slab from the card's Near Mint ungraded price.

    The card's graded value (NM price x grade multiple x grader multiple), but never below the
    slab floor of its grade (what grading costs), so cheap cards get large multiples.
    """
    nm_price, grade = np.asarray(nm_price, dtype=float), np.asarray(grade, dtype=float)
    grader, vintage = np.asarray(grader, dtype=object), np.asarray(vintage, dtype=bool)
    grade_pos = np.searchsorted(ref.GRADES, grade)
    vintage_mult = np.array([GRADE_MULTIPLIER["vintage"][g] for g in ref.GRADES])[grade_pos]
    modern_mult = np.array([GRADE_MULTIPLIER["modern"][g] for g in ref.GRADES])[grade_pos]
    grader_mult = np.select([grader == g for g in GRADER_MULTIPLIER], list(GRADER_MULTIPLIER.values()), np.nan)
    grader_mult = np.where((grader == "CGC") & (grade == 10.0), CGC_TEN_MULTIPLIER, grader_mult)
    floor = np.array([SLAB_FLOOR_USD[g] for g in ref.GRADES])[grade_pos]
    return np.maximum(floor, nm_price * np.where(vintage, vintage_mult, modern_mult) * grader_mult)


def choose_channel(expected_price: np.ndarray, graded: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The seller's choice of sales channel, made before the sale from what the seller believes.

    The seller estimates the card's value with an error (SELLER_APPRAISAL_SIGMA on the log
    scale) and has a habit: most put a card up for auction from a cut-off of their own (about
    AUCTION_MIN_USD, spread by SELLER_HABIT_SIGMA), a few (AUCTIONEER_SHARE) auction every
    card they do not bundle. Graded slabs always go to auction; a card the seller values at
    BULK_MAX_USD or less goes into a bulk lot; one they value at their cut-off or more goes to
    auction; the rest to the marketplace.
    """
    n = len(expected_price)
    estimate = np.asarray(expected_price) * np.exp(rng.normal(0.0, SELLER_APPRAISAL_SIGMA, size=n))
    auction_cutoff = AUCTION_MIN_USD * np.exp(rng.normal(0.0, SELLER_HABIT_SIGMA, size=n))
    auction_cutoff = np.where(rng.random(n) < AUCTIONEER_SHARE, 0.0, auction_cutoff)
    graded = np.asarray(graded, dtype=bool)
    bulk = ~graded & (estimate <= BULK_MAX_USD)
    auction = graded | (~bulk & (estimate >= auction_cutoff))
    return np.where(auction, "auction", np.where(bulk, "bulk_lot", "marketplace"))


def simulate_listings(market: Market, n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate ``n`` true (fault-free) listings; return (listings, truth)."""
    rng = _rng(seed, 1)
    pr = market.printings
    total_days = float((WINDOW_END - WINDOW_START).days)
    lo_days = np.clip((pr["release_date"] - WINDOW_START).dt.days.to_numpy(), 0, None).astype(float)
    lo_days = np.minimum(lo_days, total_days)
    x_lo = lo_days / total_days
    avail = (1 + 0.75) - (x_lo + 0.75 * x_lo**2)  # share of listing volume after release
    appeal = np.exp(0.65 * (pr["mu_ref"] - pr["scarcity"]).to_numpy())  # scarce printings are listed less
    finish_supply = np.where(pr["finish"] == "reverse_holo", 0.6, 1.0)
    weight = appeal * avail * finish_supply
    pick = rng.choice(len(pr), size=n, p=weight / weight.sum())
    day = _sample_dates(rng, lo_days[pick], np.full(n, total_days), total_days)
    # listing ids follow the listing date (ties broken by a seeded shuffle)
    order = np.lexsort((rng.permutation(n), day))
    pick, day = pick[order], day[order]
    p = pr.iloc[pick].reset_index(drop=True)
    listing_date = WINDOW_START + pd.to_timedelta(day, unit="D")
    vintage = p["era"].isin(["wotc", "ex"]).to_numpy()

    lang_idx = rng.choice(len(ref.LANGUAGES), size=n, p=[0.80, 0.14, 0.02, 0.025, 0.015])
    language = np.array(list(ref.LANGUAGES), dtype=object)[lang_idx]
    first_ed_sets = market.sets.loc[market.sets["has_first_edition"], "set_code"]
    set_first_ed = p["set_code"].isin(first_ed_sets).to_numpy()
    first_edition = set_first_ed & (rng.random(n) < 0.25)
    mu_nm = _near_mint_log_price(p, listing_date, first_edition, language)

    # grading: expensive cards get graded far more often
    p_graded = 0.012 + 0.28 / (1 + np.exp(-(mu_nm - np.log(30.0)) / 0.8))
    graded = rng.random(n) < p_graded
    grader_idx = rng.choice(len(ref.GRADERS), size=n, p=[0.70, 0.15, 0.15])
    grader = np.array(ref.GRADERS, dtype=object)[grader_idx]
    grade = np.empty(n)
    for g in ref.GRADERS:
        m = grader == g
        grade[m] = rng.choice(ref.GRADES, size=int(m.sum()), p=GRADE_MIX[g])

    cond_p = np.where(vintage[:, None], [[0.35, 0.30, 0.18, 0.11, 0.06]], [[0.58, 0.22, 0.11, 0.06, 0.03]])
    cum = cond_p.cumsum(axis=1)
    cond_idx = (rng.random(n)[:, None] > cum).sum(axis=1)
    cond_names = np.array(list(ref.CONDITIONS))
    condition = cond_names[np.minimum(cond_idx, 4)]
    cond_term = np.log(np.array(list(ref.CONDITIONS.values()))[np.minimum(cond_idx, 4)])

    median_ungraded = np.exp(mu_nm + cond_term)
    median_graded = slab_median_price(np.exp(mu_nm), grade, grader, vintage)
    median = np.where(graded, median_graded, median_ungraded)
    noise = rng.normal(0.0, NOISE_SIGMA, size=n)
    price = np.maximum(np.round(median * np.exp(noise), 2), 0.01)
    expected = median * np.exp(NOISE_SIGMA**2 / 2)
    channel = choose_channel(expected, graded, rng)

    listings = p[CARD_COLUMNS].copy()
    listings.insert(0, "listing_date", listing_date.astype("datetime64[us]"))
    listings["finish"] = p["finish"].astype("str")
    listings["first_edition"] = first_edition
    listings["language"] = pd.Series(language, dtype="str")
    listings["graded"] = graded
    listings["grader"] = pd.Series(np.where(graded, grader, None), dtype="str")
    listings["grade"] = np.where(graded, grade, np.nan)
    listings["condition"] = pd.Series(np.where(graded, None, condition), dtype="str")
    listings["channel"] = pd.Series(channel, dtype="str")
    listings["price_usd"] = price
    ids = np.arange(1_000_001, 1_000_001 + n, dtype=np.int64)
    listings.insert(0, "listing_id", ids)
    truth = pd.DataFrame({"listing_id": ids, "expected_price": expected, "median_price": median})
    return listings[LISTING_COLUMNS], truth


# --------------------------------------------------------------------------------------
# The raw feed: format the true listings as scraped text and inject faults
# --------------------------------------------------------------------------------------
def _fmt_usd(values: np.ndarray) -> pd.Series:
    """12.3 -> "12.30" (vectorised: whole dollars and zero-padded cents)."""
    cents = np.round(np.asarray(values) * 100).astype(np.int64)
    whole = pd.Series(cents // 100).astype("str")
    frac = pd.Series(cents % 100).astype("str").str.zfill(2)
    return whole + "." + frac


def _fmt_dollar_string(values: np.ndarray) -> list[str]:
    return [f"${v:,.2f}" for v in values]


def _fmt_eur(values: np.ndarray) -> list[str]:
    return [f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") + " EUR" for v in values]


_GRADE_TEXT = {g: f"{g:g}" for g in ref.GRADES}


def _titles(df: pd.DataFrame) -> pd.Series:
    finish = df["finish"].map({"normal": "", "reverse_holo": " Reverse Holo", "holofoil": " Holo"})
    first = pd.Series(np.where(df["first_edition"], " 1st Edition", ""), index=df.index)
    lang = df["language"].map({"English": "", "Japanese": " [JP]", "German": " [DE]",
                               "French": " [FR]", "Italian": " [IT]"})
    graded_label = " " + df["grader"].fillna("") + " " + df["grade"].map(_GRADE_TEXT).fillna("")
    tail = graded_label.where(df["graded"], " - " + df["condition"].fillna(""))
    return (df["card_name"] + " #" + df["card_number"].astype("str") + " " + df["set_name"] + finish
            + first + lang + tail).astype("str")


_TYPO_RULES = [lambda s: s.lower(), lambda s: s + " ", lambda s: s.replace("a", "aa", 1) if "a" in s else s + "s",
               lambda s: s[:-1] if len(s) > 3 else s + "x", lambda s: s.replace(" ", "  ", 1) if " " in s else s.upper()]


def _misspell(name: str, rule: int) -> str:
    """Apply one typo rule; a rule that would leave the name unchanged adds a trailing space."""
    typo = _TYPO_RULES[rule](name)
    return typo if typo != name else name + " "


def _neighbour_rarity(era: np.ndarray, rarity: np.ndarray, go_down: np.ndarray) -> list[str]:
    """A rarity one tier up or down within the era's own rarity ladder."""
    out = []
    for e, r, down in zip(era, rarity, go_down, strict=True):
        ladder = sorted(ref.RARITY_MIX[e], key=lambda x: ref.RARITIES[x]["tier"])
        i = ladder.index(r)
        step = -1 if (i == len(ladder) - 1 or (i > 0 and down)) else 1
        out.append(ladder[i + step])
    return out


def inject_faults(listings: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn true listings into the raw scraped feed.

    Returns (raw, fault_log, listings): the listings come back with the USD price of the
    EUR rows set to what the feed's fixed rate gives back, so that the truth and the feed
    agree to the cent. The input frame is not modified.
    """
    rng = _rng(seed, 2)
    n = len(listings)
    listings = listings.copy()
    df = listings
    price = df["price_usd"].to_numpy().copy()
    release = df["release_date"]

    def take(rate: float, available: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Draw round(rate * n) rows among the available ones (optionally weighted)."""
        pool = np.flatnonzero(available)
        size = min(len(pool), int(round(rate * n)))
        p = None if weights is None else weights[pool] / weights[pool].sum()
        return np.sort(rng.choice(pool, size=size, replace=False, p=p))

    # Row-removing and price-rewriting faults hit disjoint rows.
    free = np.ones(n, dtype=bool)
    missing_w = (1.0 + 4.0 * ((WINDOW_END - release).dt.days < 200).to_numpy()
                 + 3.0 * df["is_alt_art"].to_numpy())
    missing_rows = take(FAULT_RATES["missing_price"], free, missing_w)
    free[missing_rows] = False
    slab_rows = take(FAULT_RATES["slab_in_ungraded"], free & df["graded"].to_numpy())
    free[slab_rows] = False
    chosen = {}
    for fault in ["price_dollar_string", "price_eur", "price_in_cents", "stale_date"]:
        chosen[fault] = take(FAULT_RATES[fault], free)
        free[chosen[fault]] = False
    dollar_rows, eur_rows = chosen["price_dollar_string"], chosen["price_eur"]
    cents_rows, stale_rows = chosen["price_in_cents"], chosen["stale_date"]

    # EUR rows: the feed holds the euro amount; the true USD price is what the fixed rate gives back
    eur_amount = np.maximum(np.round(price[eur_rows] / EUR_TO_USD, 2), 0.01)
    price[eur_rows] = np.round(eur_amount * EUR_TO_USD, 2)
    listings.loc[eur_rows, "price_usd"] = price[eur_rows]

    price_text = _fmt_usd(price).astype(object)
    price_text[dollar_rows] = _fmt_dollar_string(price[dollar_rows])
    price_text[eur_rows] = _fmt_eur(eur_amount)
    price_text[cents_rows] = [str(int(round(v * 100))) for v in price[cents_rows]]
    price_text[missing_rows] = None
    currency = np.full(n, "USD", dtype=object)
    currency[eur_rows] = "EUR"

    scraped = df["listing_date"] + pd.to_timedelta(rng.integers(1, 72, size=n), unit="h")
    listing_date = df["listing_date"].copy()
    stale_shift = pd.to_timedelta(rng.integers(30, 1500, size=len(stale_rows)), unit="D")
    listing_date.iloc[stale_rows] = (release.iloc[stale_rows] - stale_shift).to_numpy()

    raw = pd.DataFrame({"listing_id": df["listing_id"].astype("str"),
                        "scraped_at": scraped.dt.strftime("%Y-%m-%d %H:%M:%S"),
                        "listing_date": listing_date.dt.strftime("%Y-%m-%d"),
                        "title": _titles(df)})
    for col in RAW_COLUMNS[4:-2]:
        raw[col] = df[col].astype("str").where(df[col].notna(), None)
    raw["grade"] = df["grade"].map(_GRADE_TEXT)
    raw["price"] = price_text.to_numpy()
    raw["currency"] = currency
    sort_time = scraped.to_numpy().astype("datetime64[s]").astype(np.int64)

    # slabs leaking into the ungraded feed: grading fields blanked, the title still says the grade
    raw.loc[slab_rows, ["graded", "grader", "grade", "condition"]] = ["False", None, None, "NM"]

    # label faults, fixed later by joining the card catalog on card_id
    anywhere = np.ones(n, dtype=bool)
    typo_rows = take(FAULT_RATES["set_name_typo"], anywhere)
    rules = rng.integers(len(_TYPO_RULES), size=len(typo_rows))
    raw.loc[typo_rows, "set_name"] = [_misspell(name, r) for r, name in
                                      zip(rules, raw.loc[typo_rows, "set_name"], strict=True)]
    mislabel_rows = take(FAULT_RATES["rarity_mislabel"], anywhere)
    raw.loc[mislabel_rows, "rarity"] = _neighbour_rarity(
        df["era"].to_numpy()[mislabel_rows], df["rarity"].to_numpy()[mislabel_rows],
        rng.random(len(mislabel_rows)) < 0.5)
    not_mislabelled = anywhere.copy()
    not_mislabelled[mislabel_rows] = False
    missing_rarity_rows = take(FAULT_RATES["rarity_missing"], not_mislabelled)
    raw.loc[missing_rarity_rows, "rarity"] = None
    is_pokemon = (df["supertype"] == "Pokemon").to_numpy()
    hp_rows = take(FAULT_RATES["hp_as_string"] * is_pokemon.mean(), is_pokemon)
    raw.loc[hp_rows, "hp"] = raw.loc[hp_rows, "hp"] + " HP"

    # duplicate scrapes: the scraper saw the listing twice. The first scrape (the extra,
    # older row) is the one above; the final scrape, days later, holds the final price.
    plain_price = np.ones(n, dtype=bool)
    plain_price[np.concatenate([missing_rows, dollar_rows, eur_rows, cents_rows])] = False
    dup_rows = take(FAULT_RATES["duplicate_scrape"], plain_price)
    dups = raw.iloc[dup_rows].copy()
    changed = rng.random(len(dup_rows)) < 0.5
    dups["price"] = _fmt_usd(price[dup_rows] * np.where(changed, rng.uniform(1.03, 1.15, len(dup_rows)), 1.0)).to_numpy()
    dup_time = sort_time[dup_rows].copy()
    days_later = rng.integers(1, 10, size=len(dup_rows))
    final_scrape = scraped.iloc[dup_rows] + pd.to_timedelta(days_later, unit="D")
    raw.loc[dup_rows, "scraped_at"] = final_scrape.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy()
    sort_time[dup_rows] += days_later * 86_400

    # multi-card lots posted as if they were single cards
    lot_src = take(FAULT_RATES["lot_as_single"], anywhere)
    lots = raw.iloc[lot_src].copy()
    k = rng.integers(10, 80, size=len(lot_src))
    lot_ids = np.arange(1_000_001 + n, 1_000_001 + n + len(lot_src))
    lots["listing_id"] = lot_ids.astype(str)
    lots["title"] = ["Lot of " + str(kk) + " Pokemon cards bulk incl. " + nm
                     for kk, nm in zip(k, lots["card_name"], strict=True)]
    lots["price"] = _fmt_usd(k * rng.uniform(0.1, 0.5, size=len(lot_src))).to_numpy()
    lots[["currency", "graded", "grader", "grade", "condition", "channel"]] = ["USD", "False", None, None, "LP", "bulk_lot"]

    # the feed arrives in scrape order
    full = pd.concat([raw, dups, lots], ignore_index=True)
    ids = np.concatenate([df["listing_id"].to_numpy(), df["listing_id"].to_numpy()[dup_rows], lot_ids])
    times = np.concatenate([sort_time, dup_time, sort_time[lot_src]])
    order = np.lexsort((ids, times))
    full = full.iloc[order].reset_index(drop=True)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))  # position[i] = raw row of the i-th concatenated row

    parts = {"missing_price": missing_rows, "price_dollar_string": dollar_rows, "price_eur": eur_rows,
             "price_in_cents": cents_rows, "stale_date": stale_rows, "slab_in_ungraded": slab_rows,
             "set_name_typo": typo_rows, "rarity_mislabel": mislabel_rows,
             "rarity_missing": missing_rarity_rows, "hp_as_string": hp_rows,
             "duplicate_scrape": n + np.arange(len(dup_rows)),
             "lot_as_single": n + len(dup_rows) + np.arange(len(lot_src)),
             "defense_zero": np.flatnonzero((df["defense"] == 0).fillna(False).to_numpy())}
    fault_log = pd.concat(
        [pd.DataFrame({"raw_row": position[rows], "listing_id": ids[rows], "fault": fault})
         for fault, rows in parts.items()], ignore_index=True)
    fault_log = fault_log.sort_values(["raw_row", "fault"], kind="stable").reset_index(drop=True)
    fault_log["fault"] = fault_log["fault"].astype("str")
    return full[RAW_COLUMNS], fault_log, listings


# --------------------------------------------------------------------------------------
# Generate, cache and load
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeneratedData:
    market: Market
    listings: pd.DataFrame  # the true listings (before any fault)
    truth: pd.DataFrame
    raw: pd.DataFrame
    fault_log: pd.DataFrame


def generate(seed: int = DEFAULT_SEED, n_listings: int = DEFAULT_N_LISTINGS) -> GeneratedData:
    """Generate the whole dataset in memory."""
    if not isinstance(n_listings, (int, np.integer)) or n_listings < 1_000:
        raise ValueError(f"n_listings must be an integer of at least 1000, got {n_listings!r}")
    market = build_market(seed)
    listings, truth = simulate_listings(market, int(n_listings), seed)
    raw, fault_log, listings = inject_faults(listings, seed)
    return GeneratedData(market=market, listings=listings, truth=truth, raw=raw, fault_log=fault_log)


def public_cards(market: Market) -> pd.DataFrame:
    """The card catalog as a reference table (no hidden price parameters)."""
    return market.cards[CARD_COLUMNS].reset_index(drop=True)


# the repository root when the course runs from a clone (src/mlcourse/dataset.py -> ../..)
REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Where generated files are cached: $MLCOURSE_DATA_DIR, else the repo's data/generated/."""
    env = os.environ.get("MLCOURSE_DATA_DIR")
    if env:
        return Path(env)
    repo_data = REPO_ROOT / "data"
    if repo_data.is_dir():
        return repo_data / "generated"
    return Path.home() / ".cache" / "mlcourse"


_FILES = {
    "cards": ("cards", "parquet", False),
    "raw": ("listings_raw", "csv", True),
    "clean": ("listings_clean", "parquet", True),
    "truth": ("ground_truth", "parquet", True),
    "faults": ("fault_log", "parquet", True),
}


def dataset_path(kind: str, seed: int = DEFAULT_SEED, n_listings: int = DEFAULT_N_LISTINGS,
                 directory: Path | None = None) -> Path:
    """Path of one generated file (it may not exist yet)."""
    if kind not in _FILES:
        raise ValueError(f"kind must be one of {sorted(_FILES)}, got {kind!r}")
    stem, ext, sized = _FILES[kind]
    name = f"{stem}_v{GENERATOR_VERSION}_seed{seed}" + (f"_n{n_listings}" if sized else "") + f".{ext}"
    return (directory or data_dir()) / name


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_dataset(seed: int = DEFAULT_SEED, n_listings: int = DEFAULT_N_LISTINGS,
                  directory: Path | None = None) -> dict[str, Path]:
    """Generate the dataset and write every file atomically; return their paths."""
    import polars as pl

    from mlcourse.cleaning import clean_listings, read_raw_listings

    data = generate(seed, n_listings)
    paths = {k: dataset_path(k, seed, n_listings, directory) for k in _FILES}
    cards = public_cards(data.market)
    _atomic_write(paths["cards"], lambda p: cards.to_parquet(p, index=False))
    _atomic_write(paths["raw"], lambda p: pl.from_pandas(data.raw).write_csv(p))
    _atomic_write(paths["truth"], lambda p: data.truth.to_parquet(p, index=False))
    _atomic_write(paths["faults"], lambda p: data.fault_log.to_parquet(p, index=False))
    clean = clean_listings(read_raw_listings(paths["raw"]), cards)
    _atomic_write(paths["clean"], lambda p: clean.to_parquet(p, index=False))
    return paths


def _ensure(kind: str, seed: int, n_listings: int) -> Path:
    path = dataset_path(kind, seed, n_listings)
    if not path.exists():
        write_dataset(seed, n_listings)
    return path


def load_listings(kind: str = "clean", seed: int = DEFAULT_SEED, n_listings: int = DEFAULT_N_LISTINGS,
                  backend: str = "pandas"):
    """Load the listings, generating and caching them on first use.

    kind: "clean" (validated, typed, one row per real single-card listing) or "raw" (the
    feed as scraped: every column as text, with the faults listed in data/README.md).
    backend: "pandas" or "polars".
    """
    if kind not in ("clean", "raw"):
        raise ValueError(f"kind must be 'clean' or 'raw', got {kind!r}")
    if backend not in ("pandas", "polars"):
        raise ValueError(f"backend must be 'pandas' or 'polars', got {backend!r}")
    path = _ensure(kind, seed, n_listings)
    if kind == "raw":
        if backend == "polars":
            import polars as pl
            return pl.read_csv(path, infer_schema=False)
        from mlcourse.cleaning import read_raw_listings
        return read_raw_listings(path)
    if backend == "polars":
        import polars as pl
        return pl.read_parquet(path)
    return pd.read_parquet(path)


def load_cards(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The card catalog (one row per card): the reference the cleaning joins on card_id."""
    path = dataset_path("cards", seed)
    if not path.exists():
        write_dataset(seed, DEFAULT_N_LISTINGS)
    return pd.read_parquet(path)


def load_ground_truth(seed: int = DEFAULT_SEED, n_listings: int = DEFAULT_N_LISTINGS) -> pd.DataFrame:
    """Noise-free prices of every true listing: expected_price (the RMSE-optimal prediction)
    and median_price (the log-scale centre)."""
    return pd.read_parquet(_ensure("truth", seed, n_listings))


def load_fault_log(seed: int = DEFAULT_SEED, n_listings: int = DEFAULT_N_LISTINGS) -> pd.DataFrame:
    """Every fault injected into the raw feed: raw_row (position in the raw table), listing_id, fault."""
    return pd.read_parquet(_ensure("faults", seed, n_listings))


def best_possible_rmse(listings: pd.DataFrame, seed: int = DEFAULT_SEED,
                       n_listings: int = DEFAULT_N_LISTINGS) -> float:
    """The noise floor: RMSE of the expected price (a model that knows the formula) on these listings."""
    if "listing_id" not in listings or "price_usd" not in listings:
        raise ValueError("listings must have 'listing_id' and 'price_usd' columns")
    truth = load_ground_truth(seed, n_listings)
    merged = listings[["listing_id", "price_usd"]].merge(truth, on="listing_id", how="inner", validate="one_to_one")
    if len(merged) == 0:
        raise ValueError("none of these listing_ids are in the ground truth for this seed and size")
    return float(np.sqrt(np.mean((merged["price_usd"] - merged["expected_price"]) ** 2)))
