"""Module 2's exploration of the card market, computed once for the notebook and the tests.

Raw medians by group mix everything else that differs between the groups: the median
Lightly Played listing can cost more than the median Near Mint one simply because
different cards get listed in each condition. Every comparison here therefore comes in
two forms:

- **raw**: the median price of each group, what a quick ``groupby`` shows;
- **like for like**: the same comparison made inside groups of similar listings (the
  same card, or the same era and rarity), then summarised by the median over those
  groups. This is what a buyer choosing between two copies of the same card sees.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlcourse.dataset import load_ground_truth
from mlcourse.reference import CONDITIONS, ERA_ORDER, FINISHES, LANGUAGES, RARITY_ORDER

PRICE = "price_usd"

# ======================================================================================
# Price by group
# ======================================================================================
PRICE_BY_OPTIONS = ["rarity", "era", "finish", "condition", "language", "supertype", "graded", "first_edition"]
"""The columns the notebook's "Price by" dropdown offers."""

GRADED_LABEL = "graded (no condition)"
MISSING_LABEL = "missing"
_LEVEL_ORDER: dict[str, list[str]] = {
    "rarity": RARITY_ORDER,
    "era": ERA_ORDER,
    "finish": FINISHES,
    "condition": [*CONDITIONS, GRADED_LABEL],
    "language": list(LANGUAGES),
    "supertype": ["Pokemon", "Trainer", "Energy"],
    "graded": ["ungraded", "graded"],
    "first_edition": ["unlimited", "1st edition"],
}
_BOOLEAN_LABELS = {"graded": ("ungraded", "graded"), "first_edition": ("unlimited", "1st edition")}
LIKE_FOR_LIKE: dict[str, list[str]] = {
    "rarity": ["era"],
    "era": ["rarity"],
    "finish": ["card_id"],
    "condition": ["card_id"],
    "language": ["card_id"],
    "supertype": ["era", "rarity"],
    "graded": ["card_id"],
    "first_edition": ["card_id"],
}
"""For each column: the groups of similar listings inside which its levels are compared."""

_WITHIN_WORDS = {("card_id",): "the same card", ("era",): "the same era", ("rarity",): "the same rarity",
                 ("era", "rarity"): "the same era and rarity"}


def within_words(key: str) -> str:
    """How the like-for-like comparison of ``key`` reads in prose ("the same card")."""
    _check_key(key)
    return _WITHIN_WORDS[tuple(LIKE_FOR_LIKE[key])]


def _check_key(key: str) -> None:
    if key not in PRICE_BY_OPTIONS:
        raise ValueError(f"key must be one of {PRICE_BY_OPTIONS}, got {key!r}")


def group_labels(listings: pd.DataFrame, key: str) -> pd.Series:
    """The column as text labels: booleans named ("graded"/"ungraded"), a missing value as a named group.

    Graded cards have no condition (a slab is graded instead), so their missing
    condition becomes the group "graded (no condition)".
    """
    _check_key(key)
    values = listings[key]
    if pd.api.types.is_bool_dtype(values):
        no, yes = _BOOLEAN_LABELS.get(key, ("no", "yes"))
        return values.map({True: yes, False: no}).astype("object")
    missing = GRADED_LABEL if key == "condition" else MISSING_LABEL
    return values.astype("object").where(values.notna(), missing).astype(str)


def level_order(key: str, present: Sequence[str]) -> list[str]:
    """The natural order of the levels present (rarity ladder, eras in time, NM to DMG, ...)."""
    _check_key(key)
    known = [level for level in _LEVEL_ORDER[key] if level in set(present)]
    return known + sorted(set(present) - set(known))


def price_by(listings: pd.DataFrame, key: str) -> pd.DataFrame:
    """Price by the levels of ``key``: raw quartiles and median, and the like-for-like ratio.

    Columns: the level (text), listings, p25, median, p75 (dollars), ``like for like`` (the
    median price ratio to the reference level, the first level, inside groups of similar
    listings; NaN when no group has both levels) and ``groups compared`` (how many groups
    had both). One row per level, in the natural order of the levels.
    """
    labels = group_labels(listings, key)
    prices = listings[PRICE]
    order = level_order(key, labels.unique())
    grouped = prices.groupby(labels.to_numpy())
    table = pd.DataFrame({
        "listings": grouped.size(),
        "p25": grouped.quantile(0.25),
        "median": grouped.median(),
        "p75": grouped.quantile(0.75),
    }).reindex(order)
    ratio, groups = _like_for_like(listings, labels, key, reference=order[0])
    table["like for like"] = ratio.reindex(order)
    table["groups compared"] = groups.reindex(order).fillna(0).astype(int)
    return table.rename_axis(key).reset_index()


def _like_for_like(listings: pd.DataFrame, labels: pd.Series, key: str, reference: str) -> tuple[pd.Series, pd.Series]:
    within = LIKE_FOR_LIKE[key]
    frame = listings[within].copy()
    frame["_level"] = labels.to_numpy()
    frame["_log_price"] = np.log(listings[PRICE].to_numpy(dtype="float64"))
    medians = frame.groupby([*within, "_level"], dropna=False)["_log_price"].median().unstack("_level")
    gaps = medians.sub(medians[reference], axis=0)
    return np.exp(gaps.median()), gaps.notna().sum()


def order_reversals(table: pd.DataFrame, min_ratio: float = 1.1) -> list[tuple[str, str]]:
    """Pairs (a, b) where the raw median puts level a above level b, but like for like a sells below b.

    The sign that the raw groups mix other attributes. Only pairs whose like-for-like prices
    differ by at least ``min_ratio`` count (smaller swaps are noise); the most striking
    pair comes first. ``table`` is a :func:`price_by` result.
    """
    key = table.columns[0]
    rows = table.dropna(subset=["like for like"]).set_index(key)
    found = []
    for a in rows.index:
        for b in rows.index:
            gap = rows.loc[b, "like for like"] / rows.loc[a, "like for like"]
            if rows.loc[a, "median"] > rows.loc[b, "median"] and gap >= min_ratio:
                found.append((gap, str(a), str(b)))
    return [(a, b) for _, a, b in sorted(found, key=lambda item: -item[0])]


def price_by_chart(table: pd.DataFrame, key: str):
    """Two Altair panels for a :func:`price_by` table: raw quartiles and median, and the like-for-like ratio."""
    import altair as alt

    order = [str(level) for level in table[key]]
    base = alt.Chart(table).encode(y=alt.Y(f"{key}:N", sort=order, title=None))
    raw = (base.mark_rule().encode(x=alt.X("p25:Q", scale=alt.Scale(type="log"),
                                           title="price ($, log scale): middle half and median"), x2="p75:Q")
           + base.mark_point(filled=True, size=60).encode(
               x="median:Q", tooltip=[key, alt.Tooltip("median:Q", format="$,.2f"), "listings"])
           ).properties(width=300, height=24 * len(table), title=f"Raw: price by {key}")
    fair = base.mark_bar().encode(
        x=alt.X("like for like:Q", scale=alt.Scale(type="log"), title=f"price relative to {order[0]} (log scale)"),
        tooltip=[key, alt.Tooltip("like for like:Q", format=".2f"), "groups compared"],
    ).properties(width=220, height=24 * len(table), title=f"Like for like: within {within_words(key)}")
    return alt.hconcat(raw, fair)


def describe_price_by(table: pd.DataFrame, key: str) -> str:
    """The notebook's reading of a :func:`price_by` table, in Markdown; true for whatever the numbers are."""
    rows = table.set_index(key)
    cheap, dear = rows["median"].idxmin(), rows["median"].idxmax()
    reference = rows.index[0]
    compared = rows["like for like"].dropna().drop(reference, errors="ignore")
    uncompared = [str(level) for level in rows.index[rows["like for like"].isna()]]
    within = within_words(key)
    text = (f"By {key}, the raw median price runs from \\${rows.loc[cheap, 'median']:,.2f} ({cheap}) to "
            f"\\${rows.loc[dear, 'median']:,.2f} ({dear}), a factor of "
            f"{rows.loc[dear, 'median'] / rows.loc[cheap, 'median']:,.1f}. The horizontal lines show the middle "
            "half of the prices: wide lines mean the grouping leaves much unexplained.")
    if len(compared):
        ratios = ", ".join(f"{ratio:.2f}x for {level}" for level, ratio in compared.items())
        text += f" Like for like, within {within}, the price relative to {reference} is {ratios}."
    if uncompared:
        text += (f" No {within.removeprefix('the same ')} has listings both in {reference} and in "
                 f"{', '.join(uncompared)}, so {'that level' if len(uncompared) == 1 else 'those levels'} cannot "
                 "be compared like for like.")
    reversals = order_reversals(table)
    if reversals:
        above, below = reversals[0]
        text += (f" **The raw medians mislead here.** Raw, {above} (\\${rows.loc[above, 'median']:,.2f}) sells "
                 f"above {below} (\\${rows.loc[below, 'median']:,.2f}); like for like, {above} is worth "
                 f"{rows.loc[above, 'like for like']:.2f}x {reference} and {below} "
                 f"{rows.loc[below, 'like for like']:.2f}x. The raw groups also differ in everything else "
                 "(which cards, and their other attributes).")
        if len(reversals) > 1:
            text += f" {len(reversals) - 1} other pair(s) of levels swap places the same way."
    elif len(compared):
        text += " Here the raw ranking and the like-for-like ranking agree (up to swaps under 10%)."
    return text


# ======================================================================================
# Species and other card attributes, like for like
# ======================================================================================
SPECIES_WITHIN = ["era", "rarity", "finish", "graded"]


def _gap_to_peers(listings: pd.DataFrame, within: Sequence[str]) -> pd.Series:
    """Each listing's log price minus the median log price of its peers (same values of ``within``)."""
    log_price = pd.Series(np.log(listings[PRICE].to_numpy(dtype="float64")), index=listings.index)
    return log_price - log_price.groupby([listings[c] for c in within], dropna=False).transform("median")


def species_premium(listings: pd.DataFrame, min_listings: int = 50) -> pd.DataFrame:
    """Species with at least ``min_listings`` listings: the raw median, the rarity mix, and the premium.

    ``premium`` is the median ratio of a species' price to the median price of listings of
    the same era, rarity, finish and grading status: what collectors pay for *which*
    Pokemon it is, with the rarity mix taken out. Sorted by premium, highest first.
    """
    pokemon = listings[listings["supertype"].eq("Pokemon")]
    gap = _gap_to_peers(pokemon, SPECIES_WITHIN)
    by_species = pokemon.groupby("species")
    table = pd.DataFrame({
        "listings": by_species.size(),
        "median price ($)": by_species[PRICE].median(),
        "most common rarity": by_species["rarity"].agg(lambda r: r.value_counts().index[0]),
        "its share": by_species["rarity"].agg(lambda r: r.value_counts(normalize=True).iloc[0]),
        "premium": np.exp(gap.groupby(pokemon["species"]).median()),
    })
    table = table[table["listings"] >= min_listings]
    return table.sort_values("premium", ascending=False).rename_axis("species").reset_index()


def raw_median_caveat(species: pd.DataFrame, top: int = 10) -> str:
    """What the highest raw median by species says, in words (``species`` from :func:`species_premium`).

    If the species with the highest raw median also earns a top premium like for like, the
    caveat names the highest raw median that does not (outside the ``top`` premiums): the
    rarity or era mix behind a raw median shows there.
    """
    order = species.sort_values("median price ($)", ascending=False, kind="stable")
    rank = {name: i + 1 for i, name in enumerate(species["species"])}

    def mix(row: pd.Series) -> str:
        return f"{row['its share']:.0%} of its {row['listings']:,} listings are {row['most common rarity']}s"

    def like_for_like(row: pd.Series) -> str:
        return f"like for like it ranks {rank[row['species']]} ({row['premium']:.1f}x its peers)"

    first = order.iloc[0]
    lesson = "a raw median by species mixes in the rarities and eras each species was printed in"
    if rank[first["species"]] > top:
        return f"but {mix(first)}, and {like_for_like(first)}: {lesson}"
    stays = (f"and like for like it stays on top ({first['premium']:.1f}x its peers; {mix(first)})"
             if rank[first["species"]] == 1 else f"and {like_for_like(first)}; {mix(first)}")
    others = order[order["species"].map(rank) > top]
    if others.empty:
        return stays
    other = others.iloc[0]
    return (f"{stays}. But {other['species']} (\\${other['median price ($)']:,.2f}, the highest raw median outside "
            f"the top {top} premiums) owes it to its mix: {mix(other)}, and {like_for_like(other)}: {lesson}")


def premium_by(listings: pd.DataFrame, flag: str, by: str = "rarity",
               within: Sequence[str] = ("era", "rarity", "finish", "graded")) -> pd.DataFrame:
    """How much more listings with ``flag`` sell for, for each level of ``by``: raw and like for like.

    ``raw premium``: median price with the flag / median price without it. ``like for like``:
    the same ratio after comparing each listing with its peers (same values of ``within``),
    so that a difference in the era or finish mix between the two groups does not count.
    """
    gap = _gap_to_peers(listings, list(within))
    log_price = np.log(listings[PRICE])
    flags = listings[flag].astype(bool)
    raw = log_price.groupby([listings[by], flags]).median().unstack()
    fair = gap.groupby([listings[by], flags]).median().unstack()
    counts = listings.groupby([listings[by], flags]).size().unstack(fill_value=0)
    order = [level for level in (RARITY_ORDER if by == "rarity" else sorted(raw.index)) if level in raw.index]
    table = pd.DataFrame({
        "raw premium": np.exp(raw[True] - raw[False]),
        "like for like": np.exp(fair[True] - fair[False]),
        f"listings with {flag}": counts[True],
    }).reindex(order).dropna(subset=["raw premium", "like for like"])
    return table.rename_axis(by).reset_index()


# ======================================================================================
# The market over time, like for like
# ======================================================================================
def market_level(listings: pd.DataFrame, eras: Sequence[str], min_listings: int = 50,
                 window: int = 3) -> pd.DataFrame:
    """Monthly market level per era: the median price relative to each card's own median price.

    Comparing each listing with the same card's typical price removes the mix of cards
    listed each month, which a plain monthly median does not. ``level`` is that ratio
    (1.0 = a typical month for the card); ``smoothed`` is a centred rolling median over
    ``window`` months, less sensitive to a single noisy month. Months with fewer than
    ``min_listings`` listings are left out.
    """
    rows = []
    for era in eras:
        cards = listings[listings["era"].eq(era)]
        if cards.empty:
            raise ValueError(f"no listings of era {era!r}")
        gap = _gap_to_peers(cards, ["card_id"])
        month = cards["listing_date"].dt.to_period("M").dt.to_timestamp()
        monthly = gap.groupby(month).agg(["median", "size"])
        monthly = monthly[monthly["size"] >= min_listings]
        level = np.exp(monthly["median"])
        rows.append(pd.DataFrame({
            "era": era, "month": monthly.index, "listings": monthly["size"].to_numpy(),
            "level": level.to_numpy(),
            "smoothed": level.rolling(window, center=True, min_periods=1).median().to_numpy(),
        }))
    return pd.concat(rows, ignore_index=True)


# ======================================================================================
# Noise and a hidden missing value
# ======================================================================================
def noise_band(listings: pd.DataFrame) -> dict[str, float]:
    """How far sale prices fall from the noise-free price of the same listing (ground truth).

    Returns the ratio price / noise-free median price at the 2.5th, 16th, 84th and 97.5th
    percentiles (the middle 68% and 95% of listings) and the standard deviation of its log.
    """
    truth = load_ground_truth()[["listing_id", "median_price"]]
    merged = listings[["listing_id", PRICE]].merge(truth, on="listing_id", how="inner", validate="one_to_one")
    if merged.empty:
        raise ValueError("none of these listings are in the ground truth")
    ratio = merged[PRICE] / merged["median_price"]
    quantiles = ratio.quantile([0.025, 0.16, 0.84, 0.975])
    return {"p2.5": float(quantiles.iloc[0]), "p16": float(quantiles.iloc[1]), "p84": float(quantiles.iloc[2]),
            "p97.5": float(quantiles.iloc[3]), "log_sd": float(np.log(ratio).std())}


def defense_zero_facts(listings: pd.DataFrame) -> dict[str, float]:
    """The evidence that Defense = 0 means "not recorded": the same species' other cards.

    Species stats are the same on every card of a species, so a Defense-0 card can be
    compared with the species' other cards: their Defense is not 0, and their base stat
    total (which counts Defense) is the same as the Defense-0 card's.
    """
    pokemon = listings[listings["supertype"].eq("Pokemon")]
    zero = pokemon["defense"].eq(0).fillna(False).astype(bool)
    cards = pokemon.drop_duplicates("card_id")
    cards_zero = cards["defense"].eq(0).fillna(False).astype(bool)
    elsewhere = cards[~cards_zero].groupby("species").agg(defense_elsewhere=("defense", "median"),
                                                          total_elsewhere=("base_stat_total", "median"))
    compared = cards[cards_zero].merge(elsewhere, left_on="species", right_index=True, how="inner")
    return {
        "listings": int(zero.sum()),
        "share": float(zero.mean()),
        "cards": int(cards_zero.sum()),
        "species": int(cards.loc[cards_zero, "species"].nunique()),
        "species_compared": int(compared["species"].nunique()),
        "share_nonzero_elsewhere": float((compared["defense_elsewhere"] > 0).mean()) if len(compared) else float("nan"),
        "share_same_total": float((compared["base_stat_total"].astype("float64")
                                   == compared["total_elsewhere"].astype("float64")).mean())
        if len(compared) else float("nan"),
    }
