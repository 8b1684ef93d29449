"""Module 0 exercises: ML in business.

0.1 Should you use ML? Five scenarios, each answered yes / no / maybe with a reason.
0.2 A one-page proposal for a card price predictor, with an ROI calculation checked numerically.
0.3 Translate three business requirements into technical metrics (and implement one).
0.4 Answer a VP, a CFO and a CTO: checked for length, jargon and numbers; rubric and model answers.
"""

from __future__ import annotations

import functools
import inspect
import math
import re

import numpy as np
import pandas as pd

from mlcourse import business
from mlcourse.checker import Exercise, Incorrect, NotAttempted, call_learner, is_stub

# ======================================================================================
# Helpers for checking prose
# ======================================================================================
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")


def numbers_in(text: str) -> list[float]:
    """Every number written in a text ("$9,200", "9.8 months", "23%" give 9200, 9.8, 23)."""
    found = []
    for token in _NUMBER.findall(text):
        try:
            found.append(float(token.replace(",", "")))
        except ValueError:  # pragma: no cover - the pattern only matches numbers
            continue
    return found


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9$%][\w$%.,'-]*", text))


_DOLLAR_BEFORE = re.compile(r"(\$|USD|US\$)\s?$", re.I)
_DOLLAR_AFTER = re.compile(r"^\s?(dollars?|usd)\b", re.I)
_PERCENT_AFTER = re.compile(r"^\s?(%|percent\b|per cent\b)", re.I)
_MONTHS_AFTER = re.compile(r"^[\s-]?months?\b", re.I)  # "7 months", "a 7-month payback"


def quantities_in(text: str) -> list[tuple[float, str | None]]:
    """Every number in a text with its unit: "$", "%", "months" or None ("$13", "66 percent", "7.2 months")."""
    found = []
    for match in _NUMBER.finditer(text):
        value = float(match.group().replace(",", ""))
        before, after = text[max(0, match.start() - 4):match.start()], text[match.end():match.end() + 10]
        if _DOLLAR_BEFORE.search(before) or _DOLLAR_AFTER.search(after):
            unit = "$"
        elif _PERCENT_AFTER.search(after):
            unit = "%"
        elif _MONTHS_AFTER.search(after):
            unit = "months"
        else:
            unit = None
        found.append((value, unit))
    return found


def _quotes_evidence(text: str, evidence: dict[str, float]) -> bool:
    """Does the text quote one of the measured numbers, in its unit, rounded at most to a whole dollar or percent?"""
    for value, unit in quantities_in(text):
        for name, measured in evidence.items():
            wanted_unit = "%" if "(%)" in name else "$"
            if unit == wanted_unit and math.isclose(value, measured, rel_tol=0.02, abs_tol=0.5 + 1e-9):
                return True
    return False


def _is_untouched(text: object) -> bool:
    return is_stub(text) or (isinstance(text, str) and (not text.strip() or "TODO" in text))


# ======================================================================================
# 0.1 Should you use ML?
# ======================================================================================
SCENARIOS: dict[str, str] = {
    "spam_filter": "An email provider wants to keep spam out of hundreds of millions of inboxes. "
                   "Users click 'this is spam' millions of times a day.",
    "inventory_reorder": "A shop with 300 products wants to know when to reorder stock. Sales are "
                         "steady, with a peak before the holidays; two years of daily sales exist.",
    "card_fraud": "A payment company wants to block fraudulent card payments as they happen. "
                  "Fraudsters change tactics every few weeks; chargebacks confirm fraud later.",
    "translation": "A card marketplace wants the free-text descriptions sellers write (condition notes, "
                   "the card's story, shipping terms) translated between English, Japanese, German, French "
                   "and Italian, as soon as they are posted.",
    "calculator": "An accounting app must compute the VAT on every invoice, at the rates set by law.",
}
CHOICES = ("yes", "no", "maybe")
EXPECTED_CHOICE = {"spam_filter": "yes", "inventory_reorder": "maybe", "card_fraud": "yes",
                   "translation": "yes", "calculator": "no"}
EXPLANATIONS = {
    "spam_filter": "Yes. Spammers adapt to any fixed rule (checklist question 2 is a clear 'no'), the "
                   "inputs are free text, and users label spam for free every day. Keep a few rules "
                   "(block-lists) next to the model.",
    "inventory_reorder": "Maybe: start with a heuristic. A reorder point (average daily sales x lead "
                         "time + safety stock, with a seasonal bump) is explainable and usually good "
                         "enough for 300 steady products. Measure stock-outs and overstock; a "
                         "forecasting model pays when products, seasonality and promotions multiply.",
    "card_fraud": "Yes. The pattern is adversarial and changes every few weeks, the signals interact, "
                  "and chargebacks provide labels (late, so plan for it). Rules stay as a first line "
                  "(velocity limits, block-lists) and as the fallback.",
    "translation": "Yes. Free text written by sellers cannot be translated by rules (decades of rule-based "
                   "systems tried), and parallel text to learn from is plentiful. Buy it (a translation API "
                   "is a model you rent) or fine-tune one, do not build from scratch; a glossary of official "
                   "card names on top keeps the names right.",
    "calculator": "No. The law is the rule: every answer must be exact and explainable. A model that "
                  "is right 99% of the time files wrong tax returns.",
}
WRONG_CHOICE_HINTS = {
    ("spam_filter", "no"): "Could a fixed rule keep up with senders who change their messages to get past it?",
    ("spam_filter", "maybe"): "Go through the checklist: are the patterns stable? Are labels scarce? Both answers point one way.",
    ("inventory_reorder", "yes"): "Would a reorder point (average sales x lead time + a safety stock) "
                                  "already work for 300 steady products? Start cheaper and measure.",
    ("inventory_reorder", "no"): "Seasonality and two years of history: a heuristic first, but a forecasting "
                                 "model may pay later. That is neither a clear yes nor a clear no.",
    ("card_fraud", "no"): "Fraudsters change tactics every few weeks: how long would hand-written rules stay right?",
    ("card_fraud", "maybe"): "Adversarial, fast-changing, with labels from chargebacks: which way does the checklist point?",
    ("translation", "no"): "Could anyone write the translation of free text between five languages down as "
                           "if-then rules? If your plan is to buy a translation API, that is machine learning "
                           "bought rather than built: the answer to 'should you use ML?' is still yes.",
    ("translation", "maybe"): "A glossary handles card names, but these are free-text descriptions: condition "
                              "notes, stories, shipping terms. Is there a rule-based way to translate those "
                              "well? The checklist is all 'no'.",
    ("calculator", "yes"): "VAT is defined by law: must every answer be exactly right? Then who needs a model?",
    ("calculator", "maybe"): "Must every answer be exactly right and explainable? Then the rule is the only option.",
}
MIN_REASON_WORDS = 5


def _normalise_choice(choice: str) -> str:
    """'Yes.', ' YES! ' and 'yes' are the same answer."""
    return choice.strip().strip(".!;:,").strip().lower()


def check_should_use_ml(decisions: object) -> str:
    if is_stub(decisions):
        raise NotAttempted()
    if not isinstance(decisions, dict):
        raise Incorrect(f"`decisions` should be a dict mapping each scenario to (answer, reason), "
                        f"got a {type(decisions).__name__}.")
    if decisions and all(is_stub(v) for v in decisions.values()):
        raise NotAttempted("Not attempted yet: replace each `...` with a tuple like ('yes', 'because ...').")
    missing = [s for s in SCENARIOS if s not in decisions]
    if missing:
        raise Incorrect(f"Missing scenario(s): {', '.join(missing)}. Answer all {len(SCENARIOS)}.")
    unknown = [k for k in decisions if k not in SCENARIOS]
    if unknown:
        raise Incorrect(f"Unknown scenario key(s): {', '.join(map(repr, unknown))}. Use the keys of SCENARIOS.")
    choices = {}
    for scenario in SCENARIOS:
        value = decisions[scenario]
        if is_stub(value):
            raise Incorrect(f"`{scenario}` is still `...`: answer it with (answer, reason).")
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise Incorrect(f"`{scenario}` should be a pair (answer, reason), like ('yes', 'because ...'); "
                            f"got {value!r}.")
        choice, reason = value
        normalised = _normalise_choice(choice) if isinstance(choice, str) else None
        if normalised not in CHOICES:
            raise Incorrect(f"The answer for `{scenario}` should be one of {', '.join(CHOICES)}; got {choice!r}.")
        if not isinstance(reason, str) or word_count(reason) < MIN_REASON_WORDS:
            raise Incorrect(f"Give a reason for `{scenario}` in a sentence (at least {MIN_REASON_WORDS} words): "
                            "the justification is the point of the exercise.")
        choices[scenario] = normalised
    wrong = [s for s in SCENARIOS if choices[s] != EXPECTED_CHOICE[s]]
    if wrong:
        details = " ".join(f"`{s}` ('{choices[s]}'): {WRONG_CHOICE_HINTS[(s, choices[s])]}" for s in wrong)
        raise Incorrect(f"{len(SCENARIOS) - len(wrong)} of {len(SCENARIOS)} right. Reconsider {details}")
    discussion = "\n".join(f"- **{s}**: {EXPLANATIONS[s]}" for s in SCENARIOS)
    return f"All {len(SCENARIOS)} right. Compare your reasons with these:\n\n{discussion}"


def solution_0_1() -> dict:
    decisions = {
        "spam_filter": ("yes", "Spammers adapt to fixed rules, and users label spam for free every day."),
        "inventory_reorder": ("maybe", "A reorder-point heuristic is likely good enough; measure it before a forecasting model."),
        "card_fraud": ("yes", "Fraud patterns change every few weeks and chargebacks give labels; keep rules as a first line."),
        "translation": ("yes", "Nobody can write the translation of free text down as rules; buy a translation "
                               "model (an API) rather than build one."),
        "calculator": ("no", "VAT is defined by law: every answer must be exact and explainable."),
    }
    return decisions


should_use_ml = Exercise(
    id="0.1",
    title="Should you use ML? Five scenarios",
    check_fn=check_should_use_ml,
    hints=[
        "Run each scenario through the five questions of Module 0's checklist: written down as rules? "
        "stable? few inputs? must be exact? no labels? Mostly 'yes' means rules.",
        "Two scenarios are adversarial or impossible to write as rules; one is defined by law; one "
        "has a cheap heuristic that may well be enough.",
        "'maybe' is the right answer exactly once: for the scenario where a simple heuristic should "
        "be tried and measured before any model.",
    ],
    solution=solution_0_1,
    solution_note="In the notebook, assign the dict to `decisions`.",
)


# ======================================================================================
# 0.2 A one-page project proposal, with a checked ROI
# ======================================================================================
_ASSUMPTIONS: dict[str, float] = {
    "listings_per_month": 8_000,
    "share_automated": 0.6,
    "minutes_saved_per_listing": 3.0,
    "hourly_cost_usd": 30.0,
    "error_reduction_usd": math.nan,  # measured: see proposal_scenario()
    "share_of_error_lost": 0.25,
    "build_cost_usd": 90_000,
    "running_cost_per_month_usd": 3_000,
    "horizon_months": 12,
}


@functools.lru_cache(maxsize=1)
def _proposal_scenario() -> dict[str, float]:
    saved = round(_evidence()["saved per listing ($)"], 2)
    return {k: (saved if k == "error_reduction_usd" else v) for k, v in _ASSUMPTIONS.items()}


def proposal_scenario() -> dict[str, float]:
    """The marketplace's assumptions for exercise 0.2 (a fresh dict).

    ``error_reduction_usd`` is not assumed: it is the dollars per listing the model saved
    against the price guide on marketplace listings in Module 0 (the evidence table).
    """
    return dict(_proposal_scenario())


# A rounded answer is a right answer: to the dollar, to 0.1 month, to the whole percent.
ROI_ROUNDING = {"monthly_net_benefit_usd": 0.5, "payback_months": 0.05, "roi": 0.005}
ROI_KEYS = ("monthly_net_benefit_usd", "payback_months", "roi")
PROPOSAL_SECTIONS = ("problem", "why_ml", "success_metrics", "roi", "timeline", "risks")
MIN_SECTION_WORDS = 15
MAX_PROPOSAL_WORDS = 600

PROPOSAL_TEMPLATE: dict[str, str] = {
    "problem": "TODO: who has the problem, what it costs today, what decision the model changes.",
    "why_ml": "TODO: why the price guide (a rule) is not enough, with evidence from Module 0.",
    "success_metrics": "TODO: one business metric and one model metric, each with a target number.",
    "roi": "TODO: the monthly net benefit, the payback and the first-year ROI from your calculation.",
    "timeline": "TODO: the phases, in weeks, with a decision at the end of each.",
    "risks": "TODO: one risk per line, each starting with '- ', and what you will do about it.",
}

PROPOSAL_RUBRIC = """
| criterion | 0 | 1 | 2 |
|---|---|---|---|
| **Problem** | no user or cost named | a user and a vague cost | a named user, a cost in money or time, and the decision that changes |
| **Why ML** | "ML is better" | a reason without evidence | the rule's measured shortfall, and why a model closes it |
| **Success metrics** | none, or accuracy alone | a model metric with a target | a business metric and a model metric, both with targets, and how they link |
| **ROI** | no numbers | numbers without assumptions | net of running costs, payback, ROI, and the assumption that matters most |
| **Timeline** | a date for the final model | phases | phases with a decision (go / stop) at the end of each |
| **Risks** | none | risks without mitigation | data, adoption and model-failure risks, each with a mitigation and a fallback |

10 or more: ready to send. 7 to 9: one more pass. Below 7: rewrite the weakest two sections first.
"""


def _roi_truth(scenario: dict) -> business.ROIResult:
    return business.roi(business.ROIInputs(**scenario))


def _roi_mistakes(scenario: dict) -> dict[str, dict[str, float]]:
    """What the classic mistakes give on a scenario, to name them when a learner makes one."""
    i = business.ROIInputs(**scenario)
    labour = i.listings_per_month * i.share_automated * i.minutes_saved_per_listing / 60 * i.hourly_cost_usd
    pricing = i.listings_per_month * i.share_automated * i.error_reduction_usd * i.share_of_error_lost
    net = labour + pricing - i.running_cost_per_month_usd
    gross = labour + pricing
    hours_not_minutes = labour * 60 + pricing - i.running_cost_per_month_usd
    every_listing = labour + i.listings_per_month * i.error_reduction_usd * i.share_of_error_lost \
        - i.running_cost_per_month_usd
    return {
        "applied the pricing gain to every listing (only the automated share is priced by the model)": {
            "monthly_net_benefit_usd": every_listing, "payback_months": i.build_cost_usd / every_listing,
            "roi": (every_listing * i.horizon_months - i.build_cost_usd) / i.build_cost_usd},
        "forgot the running cost (gross savings are not net benefit)": {
            "monthly_net_benefit_usd": gross, "payback_months": i.build_cost_usd / gross,
            "roi": (gross * i.horizon_months - i.build_cost_usd) / i.build_cost_usd},
        "treated minutes as hours (divide the minutes by 60)": {
            "monthly_net_benefit_usd": hours_not_minutes},
        "did not subtract the build cost from the return (ROI is (value - cost) / cost)": {
            "roi": net * i.horizon_months / i.build_cost_usd},
        "gave the ROI in percent (return a fraction: 0.25 for 25%)": {
            "roi": 100 * (net * i.horizon_months - i.build_cost_usd) / i.build_cost_usd},
    }


def _roi_variants() -> list[dict]:
    base = proposal_scenario()
    return [
        base,
        {**base, "running_cost_per_month_usd": 6_500, "horizon_months": 24, "share_automated": 0.8},
        {**base, "listings_per_month": 1_000, "error_reduction_usd": 1.0},  # never pays back
    ]


def _check_roi_function(fn: object) -> dict[str, float]:
    """Check the learner's ROI function on the scenario and two variants; return its main-scenario result."""
    main_result: dict[str, float] = {}
    for n, scenario in enumerate(_roi_variants()):
        got = call_learner(fn, dict(scenario), what="proposal_roi(scenario)")
        if not isinstance(got, dict):
            raise Incorrect(f"proposal_roi returned {type(got).__name__}; return a dict with the keys "
                            f"{', '.join(ROI_KEYS)}. Did you forget `return`?")
        missing = [k for k in ROI_KEYS if k not in got]
        if missing:
            raise Incorrect(f"proposal_roi's result is missing {', '.join(missing)} (expected keys: {', '.join(ROI_KEYS)}).")
        truth = _roi_truth(scenario)
        expected = {"monthly_net_benefit_usd": truth.monthly_net_benefit_usd,
                    "payback_months": truth.payback_months, "roi": truth.roi}
        for key in ROI_KEYS:
            value, want = got[key], expected[key]
            is_number = not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)
            if math.isinf(want):
                if not is_number or not math.isinf(value) or value < 0:
                    raise Incorrect(f"With a net benefit of ${truth.monthly_net_benefit_usd:,.0f} a month "
                                    f"(listings_per_month={scenario['listings_per_month']:,}), the model never pays "
                                    f"back, so payback_months should be float('inf'); got {value!r}.")
                continue
            if not is_number:
                raise Incorrect(f"`{key}` should be a number, got {value!r}.")
            value = float(value)
            if _close_enough(key, value, want):
                continue
            if n == 0:
                for mistake, values in _roi_mistakes(scenario).items():
                    if key in values and _close_enough(key, value, values[key]):
                        raise Incorrect(f"`{key}` is {value:,.4g}; expected {want:,.4g}. It looks like you {mistake}.")
            where = "the exercise's scenario" if n == 0 else f"another scenario ({_describe_change(scenario)})"
            raise Incorrect(f"On {where}, `{key}` is {value:,.4g}; expected {want:,.4g} (rounding is fine: "
                            "to the dollar, to 0.1 month, to the whole percent). Follow the formulas in the "
                            "instructions line by line.")
        if n == 0:
            main_result = {k: float(got[k]) for k in ROI_KEYS}
    return main_result


def _close_enough(key: str, value: float, want: float) -> bool:
    return math.isclose(value, want, rel_tol=1e-6, abs_tol=ROI_ROUNDING[key] + 1e-9)


def _describe_change(scenario: dict) -> str:
    base = proposal_scenario()
    changed = {k: v for k, v in scenario.items() if base[k] != v}
    return ", ".join(f"{k}={v:,}" for k, v in changed.items())


def _check_proposal_text(proposal: object, roi_result: dict[str, float]) -> None:
    if not isinstance(proposal, dict):
        raise Incorrect(f"`proposal` should be a dict of sections, got a {type(proposal).__name__}.")
    missing = [s for s in PROPOSAL_SECTIONS if s not in proposal]
    if missing:
        raise Incorrect(f"The proposal is missing section(s): {', '.join(missing)}.")
    for section in PROPOSAL_SECTIONS:
        text = proposal[section]
        if not isinstance(text, str):
            raise Incorrect(f"Section `{section}` should be text, got {type(text).__name__}.")
        if _is_untouched(text):
            raise Incorrect(f"Section `{section}` still has its TODO: write it.")
        if word_count(text) < MIN_SECTION_WORDS:
            raise Incorrect(f"Section `{section}` has {word_count(text)} words; a section that says something "
                            f"takes at least {MIN_SECTION_WORDS}.")
    total = sum(word_count(proposal[s]) for s in PROPOSAL_SECTIONS)
    if total > MAX_PROPOSAL_WORDS:
        raise Incorrect(f"The proposal has {total} words; one page is about {MAX_PROPOSAL_WORDS}. Cut: a "
                        "decision-maker reads one page.")
    if not re.search(r"\b(rules?|guide|baseline|heuristic)\b", proposal["why_ml"], re.I):
        raise Incorrect("`why_ml` does not compare with today's method: say what the price guide (the rule) "
                        "misses, with a number from Module 0.")
    if not numbers_in(proposal["why_ml"]):
        raise Incorrect("`why_ml` has no number: back the claim with evidence (the guide's error against the model's).")
    if not numbers_in(proposal["success_metrics"]):
        raise Incorrect("`success_metrics` has no target number: a metric without a target can be neither met nor missed.")
    payback = roi_result["payback_months"]
    stated = quantities_in(proposal["roi"])
    if math.isinf(payback):
        pays_back = bool(re.search(r"\bnever\b|\bdoes not pay\b|\bno payback\b", proposal["roi"], re.I))
    else:
        pays_back = any(unit == "months" and abs(value - payback) <= 0.5 for value, unit in stated)
    if not pays_back:
        raise Incorrect(f"`roi` does not state the payback your calculation gives ({payback:.1f} months, written "
                        "as 'N months'). The prose and the numbers must agree.")
    if not any((unit == "%" and abs(value - 100 * roi_result["roi"]) <= 1.0)
               or (unit is None and abs(value - roi_result["roi"]) <= 0.01) for value, unit in stated):
        raise Incorrect(f"`roi` does not state the first-year ROI your calculation gives "
                        f"({roi_result['roi']:.0%}, as a percent or a fraction).")
    if not re.search(r"\b\d+(\.\d+)?\s*(weeks?|months?)\b", proposal["timeline"], re.I):
        raise Incorrect("`timeline` gives no durations: state each phase in weeks (or months).")
    risk_lines = [line for line in proposal["risks"].splitlines() if line.strip().startswith(("-", "*"))]
    if len(risk_lines) < 2:
        raise Incorrect(f"`risks` lists {len(risk_lines)} risk(s) as lines starting with '- '; name at least two, "
                        "each with what you will do about it.")


def check_proposal(proposal_roi: object, proposal: object) -> str:
    roi_stub = is_stub(proposal_roi)
    text_stub = is_stub(proposal) or (isinstance(proposal, dict) and all(_is_untouched(v) for v in proposal.values()))
    if roi_stub and text_stub:
        raise NotAttempted()
    if roi_stub:
        raise NotAttempted("Write `proposal_roi` first: the proposal's numbers come from it.")
    roi_result = _check_roi_function(proposal_roi)
    if text_stub:
        raise Incorrect(f"Your ROI calculation is right (payback {roi_result['payback_months']:.1f} months, "
                        f"first-year ROI {roi_result['roi']:.0%}). Now write the proposal's sections.")
    _check_proposal_text(proposal, roi_result)
    return (f"The ROI calculation is right on three scenarios (including one that never pays back), and the "
            f"proposal has every section, a target for its metrics, durations, risks, and the numbers "
            f"(payback {roi_result['payback_months']:.1f} months, ROI {roi_result['roi']:.0%}) agree with the "
            "calculation. Now score it with the rubric, and compare with the model proposal in the solution.")


def solution_0_2_roi(scenario: dict) -> dict:
    labour = (scenario["listings_per_month"] * scenario["share_automated"]
              * scenario["minutes_saved_per_listing"] / 60 * scenario["hourly_cost_usd"])
    pricing = (scenario["listings_per_month"] * scenario["share_automated"]
               * scenario["error_reduction_usd"] * scenario["share_of_error_lost"])
    net = labour + pricing - scenario["running_cost_per_month_usd"]
    horizon_value = net * scenario["horizon_months"] - scenario["build_cost_usd"]
    return {
        "monthly_net_benefit_usd": net,
        "payback_months": scenario["build_cost_usd"] / net if net > 0 else float("inf"),
        "roi": horizon_value / scenario["build_cost_usd"],
    }


@functools.lru_cache(maxsize=1)
def _evidence() -> dict[str, float]:
    """The numbers from Module 0's comparison that answers may quote (marketplace listings)."""
    row = business.segment_table(business.rule_vs_model()).set_index("channel").loc["marketplace"]
    return {
        "guide error ($)": float(row["rule error ($)"]),
        "model error ($)": float(row["model error ($)"]),
        "saved per listing ($)": float(row["saved per listing ($)"]),
        "guide error (%)": 100 * float(row["rule error (%)"]),
        "model error (%)": 100 * float(row["model error (%)"]),
    }


def evidence_table() -> pd.DataFrame:
    """Module 0's measured comparison on marketplace listings, the evidence 0.2 and 0.4 may quote."""
    return pd.DataFrame([{"measure": k, "value": round(v, 2)} for k, v in _evidence().items()])


def solution_0_2_proposal() -> dict:
    scenario = proposal_scenario()
    result = solution_0_2_roi(scenario)
    evidence = _evidence()
    proposal = {
        "problem": f"Our pricing experts spend about {scenario['minutes_saved_per_listing']:.0f} minutes on each "
                   f"of {scenario['listings_per_month']:,.0f} marketplace listings a month, and prices set from "
                   "the price guide are off by "
                   f"${evidence['guide error ($)']:.2f} per listing on average, which sellers and we lose as "
                   "underpriced sales and listings that sit unsold.",
        "why_ml": "Half of the price guide's prices (a rule: median price by era and rarity) are more than "
                  f"{evidence['guide error (%)']:.0f}% off; half of a model's, trained on the same history, more "
                  f"than {evidence['model error (%)']:.0f}%, saving ${evidence['saved per listing ($)']:.2f} per listing. The gap comes from "
                  "interactions (species, finish, condition, market trend) that no short rule captures.",
        "success_metrics": "Business: cut dollars lost to mispricing by 40% and expert hours on pricing by "
                           "half within six months of launch. Model: at least 60% of suggested prices within "
                           "25% of the sale price, checked every week on new sales.",
        "roi": f"Net benefit ${result['monthly_net_benefit_usd']:,.0f} a month after running costs, counting "
               f"the ${scenario['error_reduction_usd']:.2f} per listing the model saved in our comparison on the "
               f"{scenario['share_automated']:.0%} of listings it prices alone; payback in "
               f"{result['payback_months']:.1f} months; first-year ROI {result['roi']:.0%}. The answer is most "
               "sensitive to the listing volume, the automated share and the share of an error that is lost: "
               "a one-month pilot measures all three.",
        "timeline": "Discovery 2 weeks (go/stop on the baseline), data 4 weeks, modelling 2 weeks (go/stop on "
                    "the offline evaluation), production 2 weeks behind a feature flag, then a 4-week pilot.",
        "risks": "- Data: prices scraped with faults; mitigation: schema checks at ingestion (Module 1).\n"
                 "- Adoption: experts distrust suggestions; mitigation: show the comparable sales behind each price.\n"
                 "- Failure in production: the model drifts with the market; mitigation: monitoring, and the "
                 "price guide kept as an automatic fallback.",
    }
    return proposal


project_proposal = Exercise(
    id="0.2",
    title="A one-page proposal for a card price predictor, with its ROI",
    check_fn=check_proposal,
    hints=[
        "Start with `proposal_roi`: write the five formulas of the instructions one per line "
        "(labour savings, pricing gain, net benefit, payback, ROI). Check it on the scenario by hand.",
        "Payback divides by the *net* monthly benefit (after running costs); when that is zero or "
        "negative the model never pays back: return `float('inf')`. ROI is a fraction: "
        "(net x horizon - build cost) / build cost. The pricing gain counts only the automated share "
        "of listings: the others are still priced by an expert.",
        "For the prose, copy the numbers from your function's output into the `roi` section (payback "
        "and ROI), put a target number in `success_metrics`, durations in `timeline`, and write "
        "each risk on its own line starting with '- '.",
    ],
    solution="\n\n\n".join(inspect.getsource(f) for f in (solution_0_2_roi, solution_0_2_proposal)),
    solution_note="A model answer, not the only one: score yours with the rubric.",
)


# ======================================================================================
# 0.3 From business requirements to technical metrics
# ======================================================================================
METRICS = ("accuracy", "precision", "recall", "r2", "rmse_log", "mae_usd", "share_within_tolerance")


@functools.lru_cache(maxsize=1)
def guide_mae_usd() -> float:
    """Today's price guide: its mean absolute error in dollars on marketplace listings (Module 0)."""
    return _evidence()["guide error ($)"]


REQUIREMENTS: dict[str, str] = {
    "R1": "Sellers must be able to trust our suggestions: at least 80% of suggested prices must be "
          "within 20% of the price the card sells for.",
    "R2": "Finance: mispricing costs us money in proportion to the dollars we are off. Halve the "
          "average dollar error of today's price guide on marketplace listings.",
    "R3": "Experts will double-check listings flagged as likely high-value (over $20). They can review "
          "at most 30% of listings, and must see at least 90% of the truly high-value ones.",
}


def _expected_translations() -> dict[str, dict[str, float | str]]:
    return {
        "R1": {"metric": "share_within_tolerance", "tolerance": 0.2, "target": 0.8},
        "R2": {"metric": "mae_usd", "target": guide_mae_usd() / 2},
        "R3": {"metric": "recall", "target": 0.9, "max_flagged_share": 0.3},
    }


WRONG_METRIC_HINTS = {
    "R1": "R1 counts suggestions that land inside a band around the sale price: which metric counts "
          "a share of predictions within a tolerance?",
    "R2": "R2 is about dollars, averaged over listings: an error in percent or on a log scale weighs a "
          "$1 miss on a $2 card like a $25 miss on a $50 card.",
    "R3": "R3 says 'must see at least 90% of the truly high-value ones': that is the share of actual "
          "positives found. Accuracy would reward flagging nothing; precision counts wasted reviews.",
}


@functools.lru_cache(maxsize=1)
def _metric_test_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    market = business.rule_vs_model()
    market = market[market["channel"].eq("marketplace")]
    return (market["price_usd"].to_numpy(), market["model_price"].to_numpy(), market["rule_price"].to_numpy())


def _check_share_within(fn: object) -> None:
    actual, model_price, rule_price = _metric_test_data()
    cases = [(model_price, 0.2), (rule_price, 0.2), (model_price, 0.5)]
    for predicted, tolerance in cases:
        got = call_learner(fn, actual.copy(), predicted.copy(), tolerance,
                           what=f"share_within(actual, predicted, {tolerance})")
        if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
            raise Incorrect(f"share_within returned {got!r}; return one number, the share (a fraction).")
        want = business.share_within_tolerance(actual, predicted, tolerance)
        low, high = _share_within_range(actual, predicted, tolerance, relative_to=actual)
        got = float(got)
        if low - 1e-9 <= got <= high + 1e-9:
            continue
        if 100 * low - 1e-6 <= got <= 100 * high + 1e-6:
            raise Incorrect(f"share_within returned {got:.4g}, a percentage; return a fraction ({want:.4f}).")
        if len(actual) * low - 1e-6 <= got <= len(actual) * high + 1e-6:
            raise Incorrect(f"share_within returned {got:.0f}, a count; return the share ({want:.4f}).")
        low_p, high_p = _share_within_range(actual, predicted, tolerance, relative_to=predicted)
        if low_p - 1e-9 <= got <= high_p + 1e-9:
            raise Incorrect(f"share_within returned {got:.4f}; expected {want:.4f}. The tolerance is a share "
                            "of the *actual* sale price, not of the prediction.")
        raise Incorrect(f"share_within(actual, predicted, {tolerance}) returned {got:.4f} on "
                        f"{len(actual):,} marketplace listings; expected {want:.4f}.")


def _share_within_range(actual: np.ndarray, predicted: np.ndarray, tolerance: float,
                        relative_to: np.ndarray) -> tuple[float, float]:
    """The share within the tolerance, counting the ties at exactly the tolerance out, then in.

    A price guide often lands exactly on the edge (a $12 guide price for a $10 sale is 20% off),
    and equivalent formulas (`abs(p / a - 1) <= t`, `abs(p - a) <= t * a`) round those ties
    differently in floating point: either way is right.
    """
    error = np.abs(predicted - actual)
    limit = tolerance * np.abs(relative_to)
    tie = np.isclose(error, limit, rtol=1e-9, atol=1e-12)
    return float(np.mean((error <= limit) & ~tie)), float(np.mean((error <= limit) | tie))


def check_translations(translations: object, share_within: object) -> str:
    if is_stub(translations) and is_stub(share_within):
        raise NotAttempted()
    if not isinstance(translations, dict):
        raise Incorrect(f"`translations` should be a dict with keys R1, R2, R3, got a {type(translations).__name__}.")
    if all(is_stub(v) or (isinstance(v, dict) and all(is_stub(x) for x in v.values())) for v in translations.values()):
        raise NotAttempted("Not attempted yet: fill in the metric and the numbers for R1, R2 and R3.")
    expected = _expected_translations()
    for req, want in expected.items():
        got = translations.get(req)
        if not isinstance(got, dict):
            raise Incorrect(f"`{req}` should be a dict like {{'metric': ..., 'target': ...}}, got {got!r}.")
        metric = got.get("metric")
        if not isinstance(metric, str) or metric not in METRICS:
            raise Incorrect(f"`{req}`'s metric should be one of {', '.join(METRICS)}; got {metric!r}.")
        if metric != want["metric"]:
            raise Incorrect(f"`{req}`: '{metric}' does not measure what the requirement asks. {WRONG_METRIC_HINTS[req]}")
        for key, value in want.items():
            if key == "metric":
                continue
            have = got.get(key)
            if isinstance(have, bool) or not isinstance(have, int | float | np.integer | np.floating):
                raise Incorrect(f"`{req}` needs a number for '{key}', got {have!r}.")
            if isinstance(value, float) and value <= 1 and math.isclose(float(have), 100 * value, rel_tol=1e-6):
                raise Incorrect(f"`{req}`'s '{key}' is {have}: write shares as fractions ({value} for {100 * value:.0f}%).")
            if not math.isclose(float(have), value, rel_tol=0.01, abs_tol=1e-9):
                if req == "R2":
                    raise Incorrect(f"`R2`'s target is {have}; today's guide is off by ${guide_mae_usd():.2f} per "
                                    "listing on average (shown above): halve it.")
                raise Incorrect(f"`{req}`'s '{key}' is {have}; read the requirement again for its number.")
    if is_stub(share_within):
        raise Incorrect("Your translations are right. Now implement `share_within`.")
    _check_share_within(share_within)
    actual, model_price, rule_price = _metric_test_data()
    r1 = expected["R1"]
    model_share = business.share_within_tolerance(actual, model_price, r1["tolerance"])
    rule_share = business.share_within_tolerance(actual, rule_price, r1["tolerance"])
    verdict = ("Neither meets R1 yet: that is worth telling the stakeholder now, not at launch."
               if max(model_share, rule_share) < r1["target"] else "The model meets R1.")
    return (f"All three translations are right, and `share_within` matches on {len(actual):,} listings. Measured "
            f"against R1: the model puts {model_share:.0%} of prices within {r1['tolerance']:.0%} (target "
            f"{r1['target']:.0%}), the price guide {rule_share:.0%}. {verdict}")


def solution_0_3() -> tuple[dict, object]:
    translations = {
        "R1": {"metric": "share_within_tolerance", "tolerance": 0.2, "target": 0.8},
        "R2": {"metric": "mae_usd", "target": guide_mae_usd() / 2},
        "R3": {"metric": "recall", "target": 0.9, "max_flagged_share": 0.3},
    }

    def share_within(actual, predicted, tolerance):
        actual = np.asarray(actual, dtype=float)
        predicted = np.asarray(predicted, dtype=float)
        return float(np.mean(np.abs(predicted - actual) <= tolerance * np.abs(actual)))

    return translations, share_within


metrics_translation = Exercise(
    id="0.3",
    title="Translate business requirements into technical metrics",
    check_fn=check_translations,
    hints=[
        "For each requirement ask: what is counted, over which listings, and in which unit? A "
        "share of suggestions in a band; an average of dollars; a share of the positives found.",
        "R1 is `share_within_tolerance` (tolerance 0.2, target 0.8). R2 is in dollars. R3 is about "
        "not missing positives, under a workload cap (`max_flagged_share`).",
        "R2's target is half of `guide_mae_usd()`. `share_within` is one line: "
        "`np.mean(np.abs(predicted - actual) <= tolerance * np.abs(actual))`.",
    ],
    solution=solution_0_3,
    solution_note="In the notebook, fill in `translations` and write `share_within`.",
)


# ======================================================================================
# 0.4 Stakeholder Q&A
# ======================================================================================
QUESTIONS: dict[str, str] = {
    "vp_why_not_rules": "VP of Sales: \"We have priced cards with a price guide for years. Why can't we "
                        "just keep using rules?\"",
    "cfo_roi": "CFO: \"What is the ROI of this project, and when do we get our money back?\"",
    "cto_what_if_it_fails": "CTO: \"What happens when the model fails in production?\"",
}
MIN_ANSWER_WORDS, MAX_ANSWER_WORDS = 25, 180
JARGON = ("RMSE", "MAE", "R2", "R²", "MAPE", "hyperparameter", "hyperparameters", "gradient", "XGBoost",
          "overfit", "overfitting", "cross-validation", "cross validation", "log scale", "log-scale",
          "embedding", "loss function", "F1")
FALLBACK_WORDS = r"\b(fall ?back|rule|price guide|guide|manual|roll ?back|revert|previous version|expert)"
MONITOR_WORDS = r"\b(monitor\w*|alert\w*|dashboard\w*|track\w*|detect\w*|watch\w*)"

QA_RUBRIC = """
| criterion | 0 | 1 | 2 |
|---|---|---|---|
| **Answers the question asked** | talks around it | answers, late | the first sentence answers it |
| **Evidence** | opinion | a number without source | measured numbers (Module 0), with the baseline |
| **Their language** | jargon | some jargon | dollars, hours, risk; no metric they would have to look up |
| **Honesty** | promises certainty | hedges everything | says what is known, what is not, and how we will find out |
| **Next step** | none | vague | a concrete decision or pilot they can approve |

Read each answer aloud: if it takes more than a minute, cut it.
"""


def _payback_of_proposal() -> float:
    return _roi_truth(proposal_scenario()).payback_months


def check_stakeholder_answers(answers: object) -> str:
    if is_stub(answers):
        raise NotAttempted()
    if not isinstance(answers, dict):
        raise Incorrect(f"`answers` should be a dict with the keys {', '.join(QUESTIONS)}, got a {type(answers).__name__}.")
    if all(_is_untouched(v) for v in answers.values()):
        raise NotAttempted("Not attempted yet: write your three answers.")
    missing = [q for q in QUESTIONS if q not in answers]
    if missing:
        raise Incorrect(f"Missing answer(s): {', '.join(missing)}.")
    for key in QUESTIONS:
        text = answers[key]
        if not isinstance(text, str):
            raise Incorrect(f"The answer `{key}` should be text, got {type(text).__name__}.")
        if _is_untouched(text):
            raise Incorrect(f"`{key}` is still empty or has its TODO.")
        words = word_count(text)
        if words < MIN_ANSWER_WORDS:
            raise Incorrect(f"`{key}` has {words} words: too short to be convincing (aim for "
                            f"{MIN_ANSWER_WORDS} to {MAX_ANSWER_WORDS}).")
        if words > MAX_ANSWER_WORDS:
            raise Incorrect(f"`{key}` has {words} words: an executive stops listening long before that "
                            f"(at most {MAX_ANSWER_WORDS}).")
        for term in JARGON:
            if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.I):
                raise Incorrect(f"`{key}` uses '{term}': your listener would have to look it up. Say it in "
                                "dollars, hours or plain words.")
    evidence = _evidence()
    if not _quotes_evidence(answers["vp_why_not_rules"], evidence):
        quoted = ", ".join(f"{k} {v:.2f}%" if "(%)" in k else f"{k} ${v:.2f}" for k, v in evidence.items())
        raise Incorrect("The answer to the VP has no measured evidence. Quote the comparison from Module 0 with "
                        f"its unit, rounded if you like (one of: {quoted}).")
    payback = _payback_of_proposal()
    stated = quantities_in(answers["cfo_roi"])
    if not any(unit == "months" and abs(value - payback) <= 0.5 for value, unit in stated):
        unitless = [value for value, unit in stated if unit != "months" and abs(value - payback) <= 0.5]
        why = (f" You write {unitless[0]:g}, but not as months: say 'N months'." if unitless else "")
        raise Incorrect(f"The answer to the CFO does not say when the money comes back: the proposal's payback "
                        f"is {payback:.1f} months. Lead with it, in months.{why}")
    cto = answers["cto_what_if_it_fails"]
    if not re.search(FALLBACK_WORDS, cto, re.I):
        raise Incorrect("The answer to the CTO names no fallback: what prices the cards while the model is "
                        "down or wrong (the price guide, an expert, the previous model version)?")
    if not re.search(MONITOR_WORDS, cto, re.I):
        raise Incorrect("The answer to the CTO does not say how you would know it failed: name the monitoring "
                        "or alerting.")
    return ("Your answers are the right length, free of jargon, backed by the measured numbers, and the CTO "
            "gets a fallback and monitoring. Now score them with the rubric, and compare with the model answers.")


def solution_0_4() -> dict:
    evidence = _evidence()
    payback = _payback_of_proposal()
    answers = {
        "vp_why_not_rules": (
            f"We measured it. On marketplace listings, the price guide is off by ${evidence['guide error ($)']:.2f} "
            f"per card on average; a model trained on the same sales is off by ${evidence['model error ($)']:.2f}. "
            "The guide only knows era and rarity; prices also depend on the species, the finish, the condition "
            "and the market's mood that month. The guide stays: it is our fallback, and for bulk cards it is "
            "already good enough."),
        "cfo_roi": (
            f"Payback in about {payback:.1f} months, from two sources: expert time saved and fewer underpriced "
            "sales, net of hosting and maintenance. The number that matters most is how many listings we price "
            "each month; a four-week pilot on one category measures it before we commit the full budget."),
        "cto_what_if_it_fails": (
            "It degrades to what we do today. Every suggestion is checked against sanity bounds; if the service is "
            "down or a price is out of bounds, the price guide answers instead. We monitor input data, prediction "
            "ranges and accepted-price rates with alerts, and can roll back to the previous model version in "
            "minutes."),
    }
    return answers


stakeholder_qa = Exercise(
    id="0.4",
    title="Stakeholder Q&A: why not rules, what is the ROI, what if it fails",
    check_fn=check_stakeholder_answers,
    hints=[
        "Answer in the first sentence, then give one piece of evidence, then a next step. Each "
        "answer under a minute spoken.",
        "The VP wants evidence: quote the guide's and the model's measured error in dollars. The CFO "
        "wants the payback of the 0.2 scenario, written in months. The CTO wants a fallback and monitoring.",
        "Replace every technical term with what it means to the listener: not 'RMSE' but 'off by "
        "$X per card on average'.",
    ],
    solution=solution_0_4,
    solution_note="Model answers, not the only good ones: score yours with the rubric.",
)
