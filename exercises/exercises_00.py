import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Exercises 0: ML in business")


@app.cell
def _():
    import marimo as mo
    import numpy as np
    import pandas as pd

    from mlcourse import business, progress
    from mlcourse.exercises import ex00

    return business, ex00, mo, np, pd, progress


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Exercises 0: ML in business

    Four exercises, about an hour in all. Each has a cell for your answer (look for `TODO`),
    a check right below it that runs every time you change the answer, and hints that you
    open one at a time. The solution is there too: try the hints first. Two exercises are
    partly open-ended: the check verifies what can be verified (the numbers, the required
    parts), and a rubric and a model answer help you judge the rest.

    | | exercise | time |
    |---|---|---|
    | 0.1 | Should you use ML? Five scenarios | 10 min |
    | 0.2 | A one-page proposal for a card price predictor, with its ROI | 25 min |
    | 0.3 | Translate business requirements into technical metrics | 15 min |
    | 0.4 | Stakeholder Q&A: why not rules, what is the ROI, what if it fails | 15 min |

    Your results are saved on this machine only (`.mlcourse_progress.json`); see the
    progress table at the bottom, or run `uv run python -m mlcourse.progress`.
    """)
    return


@app.cell
def _(business, ex00, mo):
    _scenarios = "\n".join(f"- **`{k}`**: {v}" for k, v in ex00.SCENARIOS.items())
    _checklist = "\n".join(f"{i}. {q}" for i, q in enumerate(business.RULES_CHECKLIST, start=1))
    mo.md(f"""
    ## Exercise 0.1: Should you use ML?

    For each scenario, answer **"yes"** (build a model), **"no"** (rules do it) or
    **"maybe"** (start with a simple heuristic, measure, then decide), and give your reason
    in one sentence.

    {_scenarios}

    Module 0's checklist, each "yes" a point for rules:

    {_checklist}
    """)
    return


@app.cell
def _():
    # Exercise 0.1 -- your answers here.
    # TODO: replace each ... with a pair (answer, reason), for example:
    #   "spam_filter": ("yes", "Spammers adapt to any fixed rule, and ..."),
    decisions = {
        "spam_filter": ...,
        "inventory_reorder": ...,
        "card_fraud": ...,
        "translation": ...,
        "calculator": ...,
    }
    return (decisions,)


@app.cell
def _(decisions, ex00):
    verdict_0_1 = ex00.should_use_ml.check(decisions)
    verdict_0_1
    return (verdict_0_1,)


@app.cell
def _(ex00):
    ex00.should_use_ml.help()
    return


@app.cell
def _(ex00, mo, pd):
    _scenario = ex00.proposal_scenario()
    mo.vstack([
        mo.md(f"""
    ## Exercise 0.2: A one-page proposal for a card price predictor

    A card marketplace asks you whether to build the price model of Module 0. Write the
    one-page proposal you would send, with its business case computed, not guessed.

    **Part 1, the numbers.** Write `proposal_roi(scenario)`. It receives a dict of
    assumptions (the marketplace's are below) and returns a dict with three numbers:

    ```text
    labour savings  = listings_per_month x share_automated x minutes_saved_per_listing / 60 x hourly_cost_usd
    pricing gain    = listings_per_month x share_automated x error_reduction_usd x share_of_error_lost
    monthly_net_benefit_usd = labour savings + pricing gain - running_cost_per_month_usd
    payback_months  = build_cost_usd / monthly_net_benefit_usd   (float('inf') if the net benefit is <= 0)
    roi             = (monthly_net_benefit_usd x horizon_months - build_cost_usd) / build_cost_usd   (a fraction)
    ```

    Only the automated share of listings is priced by the model, so only it gains the model's
    accuracy. One assumption is not assumed but measured: `error_reduction_usd`
    (\\${_scenario['error_reduction_usd']:.2f}) is what the model saved per listing against the
    price guide on marketplace listings in Module 0 ("saved per listing" in the evidence
    table below). The check runs your function on this scenario and on two others (it must
    work for any assumptions, including a project that never pays back). Rounded results are
    fine (to the dollar, to 0.1 month, to the whole percent).
    """),
        pd.DataFrame([{"assumption": k, "value": v} for k, v in _scenario.items()]),
    ])
    return


@app.cell
def _(ex00, mo):
    mo.vstack([
        mo.md(f"""
    **Part 2, the page.** Fill in the six sections of `proposal` (plain text, at least
    {ex00.MIN_SECTION_WORDS} words each, {ex00.MAX_PROPOSAL_WORDS} words at most in all).
    The check verifies what can be verified: every section written, a comparison with the
    price guide backed by a number (the evidence below, measured in Module 0 on marketplace
    listings), a target number in `success_metrics`, the payback and the ROI of *your*
    calculation quoted in `roi`, durations in `timeline`, and at least two risks, one per
    line starting with `- `. Then score your page with the rubric.
    """),
        ex00.evidence_table(),
        mo.accordion({"Rubric for the proposal": mo.md(ex00.PROPOSAL_RUBRIC)}),
    ])
    return


@app.cell
def _():
    # Exercise 0.2 -- your code and your page here.
    def proposal_roi(scenario: dict) -> dict:
        """Monthly net benefit, payback (months) and ROI (a fraction) of the business case."""
        # TODO: the five formulas above, then
        # return {"monthly_net_benefit_usd": ..., "payback_months": ..., "roi": ...}
        raise NotImplementedError("TODO")

    proposal = {
        "problem": "TODO: who has the problem, what it costs today, what decision the model changes.",
        "why_ml": "TODO: why the price guide (a rule) is not enough, with evidence from Module 0.",
        "success_metrics": "TODO: one business metric and one model metric, each with a target number.",
        "roi": "TODO: the monthly net benefit, the payback and the first-year ROI from your calculation.",
        "timeline": "TODO: the phases, in weeks, with a decision at the end of each.",
        "risks": "TODO: one risk per line, each starting with '- ', and what you will do about it.",
    }
    return proposal, proposal_roi


@app.cell
def _(ex00, proposal, proposal_roi):
    verdict_0_2 = ex00.project_proposal.check(proposal_roi, proposal)
    verdict_0_2
    return (verdict_0_2,)


@app.cell
def _(ex00):
    ex00.project_proposal.help()
    return


@app.cell
def _(ex00, mo):
    _reqs = "\n".join(f"- **{k}**: {v}" for k, v in ex00.REQUIREMENTS.items())
    mo.md(f"""
    ## Exercise 0.3: From business requirements to technical metrics

    Stakeholders state requirements in their words. Translate each into a metric you can
    compute, with its numbers:

    {_reqs}

    Pick each metric from: {", ".join(f"`{m}`" for m in ex00.METRICS)}. For R1 give the
    `tolerance` and the `target`; for R2 the `target` (in dollars: today's price guide is
    off by **\\${ex00.guide_mae_usd():.2f}** per marketplace listing on average, measured in
    Module 0); for R3 the `target` and the workload cap `max_flagged_share`. Write shares as
    fractions (0.8 for 80%).

    Then implement R1's metric: `share_within(actual, predicted, tolerance)` returns the
    share of predictions within `tolerance` (a fraction) **of the actual price**. The check
    runs it on real predictions for marketplace listings.
    """)
    return


@app.cell
def _(np):
    # Exercise 0.3 -- your answers here.
    translations = {
        "R1": {"metric": ..., "tolerance": ..., "target": ...},
        "R2": {"metric": ..., "target": ...},
        "R3": {"metric": ..., "target": ..., "max_flagged_share": ...},
    }

    def share_within(actual, predicted, tolerance):
        """Share of predictions within `tolerance` (0.2 = 20%) of the actual price."""
        # TODO: one line with numpy (np is imported for you).
        raise NotImplementedError("TODO")

    _ = np
    return share_within, translations


@app.cell
def _(ex00, share_within, translations):
    verdict_0_3 = ex00.metrics_translation.check(translations, share_within)
    verdict_0_3
    return (verdict_0_3,)


@app.cell
def _(ex00):
    ex00.metrics_translation.help()
    return


@app.cell
def _(ex00, mo):
    _questions = "\n".join(f"- **`{k}`**: {v}" for k, v in ex00.QUESTIONS.items())
    mo.vstack([
        mo.md(f"""
    ## Exercise 0.4: Stakeholder Q&A

    Three executives, one question each. Answer each in {ex00.MIN_ANSWER_WORDS} to
    {ex00.MAX_ANSWER_WORDS} words, in their language:

    {_questions}

    The check verifies the parts that can be verified: the length; no jargon your
    listener would have to look up (RMSE, hyperparameters, cross-validation...); a measured
    number in the answer to the VP (from the evidence table of 0.2, written with its unit, a
    dollar sign or a percent sign; rounding to the whole dollar or percent is fine); the
    payback of the 0.2 scenario in the answer to the CFO, in months ("N months", rounded to
    the month at most); and, for the CTO, a fallback and how you would notice the failure.
    The rest is judgement: use the rubric.
    """),
        mo.accordion({"Rubric for the answers": mo.md(ex00.QA_RUBRIC)}),
    ])
    return


@app.cell
def _():
    # Exercise 0.4 -- your answers here (plain text).
    answers = {
        "vp_why_not_rules": "TODO",
        "cfo_roi": "TODO",
        "cto_what_if_it_fails": "TODO",
    }
    return (answers,)


@app.cell
def _(answers, ex00):
    verdict_0_4 = ex00.stakeholder_qa.check(answers)
    verdict_0_4
    return (verdict_0_4,)


@app.cell
def _(ex00):
    ex00.stakeholder_qa.help()
    return


@app.cell
def _(progress, verdict_0_1, verdict_0_2, verdict_0_3, verdict_0_4):
    _ = (verdict_0_1, verdict_0_2, verdict_0_3, verdict_0_4)  # refresh after every check
    progress.module_panel(0, "Module 1, data engineering (`01_data_engineering.py`).")
    return


if __name__ == "__main__":
    app.run()
