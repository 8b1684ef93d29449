import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="Module 7: Collaboration and ML code review",
)


@app.cell
def _():
    import time

    import marimo as mo

    from mlcourse import collaboration, modeling, review, ui
    from mlcourse.versioning import content_hash

    return collaboration, content_hash, mo, modeling, review, time, ui


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Module 7: Collaboration and ML code review

    **Time:** about 1.5 hours, plus about 2.5 hours for the exercises.

    **Why this module matters.** A junior ML engineer's first weeks are spent reading other
    people's code and having theirs reviewed. The bugs that hurt ML teams rarely crash: a feature
    that peeks at the answer, a score measured on the training rows, a seed nobody set, an
    endpoint that prices garbage with confidence. They pass the tests and get merged, unless a
    reviewer catches them. This module is about the habits that let a team work on one model
    without breaking it: git used the ML way, reviews that find what matters, changes to a system
    you did not write, and results shared so others can act on them.

    **You will learn to**

    1. decide what goes into git and what does not, write a `.gitignore` for an ML project, and
       version data and models outside git;
    2. write commit messages and pull request descriptions a teammate can act on;
    3. resolve a merge conflict in a notebook, and see why marimo's plain-Python files make it easy;
    4. review ML code for leakage, reproducibility, evaluation, validation and error handling,
       with blocking, suggestion and nit comments;
    5. find your way in an existing ML codebase and change it safely;
    6. share an experiment's result with its uncertainty and its next step.

    **You need** Modules 2 (leakage), 3 (splits, seeds, the test set), and 5 (the service and its
    validation). Every number on this page is computed when the notebook runs; the git
    examples run real git in a temporary folder, never in your repository.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 1. Git for ML

    Git was built for source code: small text files, changed by people, merged line by line. An
    ML project also produces data, models, experiment logs, caches and secrets. Most of them must
    stay out of git, and the ones that stay out still need a version.

    **Branches.** Name a branch after what it is for, with a prefix the team agrees on:
    `feature/card-price-history`, `fix/nan-in-estimate`, `exp/xgboost-depth-8` (an experiment
    that may never be merged), `data/generator-v3`. Keep branches short-lived: an experiment
    branch that lives for a month drifts so far from `main` that its result no longer applies.

    ### 1.1 What to commit, what to ignore

    Here is a typical ML project after a few days of work, and what git does with each file under
    this course's own `.gitignore`. The check is real: the files are created in a temporary
    repository and `git check-ignore` says which rule, if any, ignores each one.
    """)
    return


@app.cell
def _(collaboration, mo):
    course_rules = collaboration.course_gitignore()
    with_course_rules = collaboration.gitignore_check(course_rules)
    with_ml_rules = collaboration.gitignore_check(course_rules + collaboration.ML_GITIGNORE_ADDITIONS)
    course_mistakes = collaboration.mistakes(with_course_rules)
    mo.ui.table(with_course_rules, selection=None, page_size=len(with_course_rules))
    return course_mistakes, with_ml_rules


@app.cell(hide_code=True)
def _(collaboration, course_mistakes, mo, ui, with_ml_rules):
    mo.vstack([
        mo.md(f"""
    The course's `.gitignore` is written for the course: it ignores the generated data, MLflow's
    store, the `outputs/` folder, the virtual environment and marimo's cache.
    {collaboration.gitignore_verdict(course_mistakes)} A model pickle in git bloats every clone
    forever; an `.env` file in git is a leaked credential, even if the next commit deletes it (the
    history keeps it). The lines an ML project adds:
    """),
        ui.code_block(collaboration.ML_GITIGNORE_ADDITIONS, language="gitignore"),
        mo.md(f"""
    With them, git's decision is right for all {len(with_ml_rules)} files
    ({len(collaboration.mistakes(with_ml_rules))} mistakes left). **Commit** what a teammate needs to
    rebuild everything: code, notebooks, tests, `pyproject.toml` *and* `uv.lock` (the exact
    versions), configuration, the data dictionary. **Ignore** what can be rebuilt or must not be
    shared: data, models, runs, caches, environments, secrets. And add the `.gitignore` rule
    *before* the first `git add .`, not after.
    """),
    ])
    return


@app.cell
def _(collaboration, content_hash, modeling):
    listings = modeling.pricing_listings()
    data_mb = collaboration.folder_megabytes(collaboration.REPO_ROOT / "data" / "generated")
    code_mb = collaboration.tracked_megabytes()
    listings_hash = content_hash(listings)
    return code_mb, data_mb, listings, listings_hash


@app.cell(hide_code=True)
def _(code_mb, data_mb, listings, listings_hash, mo):
    _code = (f"all the files git tracks in this repository come to {code_mb:.1f} MB, and the generated data "
             f"to {data_mb:.0f} MB ({data_mb / code_mb:.0f} times more)" if code_mb else
             f"the generated data takes {data_mb:.0f} MB")
    mo.md(rf"""
    ### 1.2 Large files: data and models get a version, outside git

    In this course {_code}. A real project's data is gigabytes, and each retraining adds a model.
    Git keeps every version of every file in every clone, so large files go elsewhere, with a
    small pointer in git:

    - **Regenerate instead of store**, when you can. This course commits the generator and its seed,
      never the data: the {len(listings):,} pricing listings hash to `{listings_hash}` on every
      machine (Module 1's `content_hash`), and that hash is logged with every model (Module 3).
    - **[DVC](https://dvc.org)** keeps data and models in a remote store (a bucket, a shared drive)
      and commits small `.dvc` pointer files with their hashes: `dvc add`, `dvc push`, and a
      teammate's `dvc pull` gets the exact bytes.
    - **[Git LFS](https://git-lfs.com)** replaces large files in git by pointers, transparently;
      simple, but every version is stored in full, and hosting quotas bite.
    - **A model registry** (MLflow's, Module 3) for models: each version with its metrics, its
      data hash, the commit of its code, and a stage (candidate, production).
    """)
    return


@app.cell(hide_code=True)
def _(collaboration, mo):
    mo.vstack([
        mo.md(r"""
    ### 1.3 Commit messages

    A commit message is read months later by someone running `git log` or `git blame` to find out
    why a line is the way it is. The subject line says *what* the commit does, as a command, in
    under 72 characters; the body, after a blank line, says *why*. Many teams add a type prefix,
    the [Conventional Commits](https://www.conventionalcommits.org) convention, so tools can build
    changelogs; for an ML team, two more types are useful:
    """),
        mo.md(collaboration.markdown_table({f"`{k}`": v for k, v in collaboration.COMMIT_TYPES.items()},
                                           ("type", "for"))),
        mo.md(r"""
    A commit that changes a model or a metric says by how much, on what data. Try your own
    message below; the feedback is what a reviewer would say.
    """),
    ])
    return


@app.cell
def _(mo):
    commit_message = mo.ui.text_area(value="fixed stuff", label="A commit message", rows=3, full_width=True)
    commit_message
    return (commit_message,)


@app.cell
def _(collaboration, commit_message, mo, ui):
    def _feedback(message):
        notes = collaboration.commit_message_feedback(message)
        return mo.md("\n".join(f"- {'✓' if n.ok else '✗'} {n.note}" for n in notes))

    _claims = collaboration.sample_pr_claims("pr4-card-price-history")
    _examples = {
        "Your message": commit_message.value,
        "A better one": "fix(model_selection): seed the search sample\n\nTwo runs on the same data chose\n"
                        "different families; with random_state the\nreport is the same on every run.",
        "A metric that moved": "feat(features): card price history from earlier sales\n\nValidation R2 "
                               f"{_claims['validation_r2_before']} -> {_claims['validation_r2_after']} on Module 2's\n"
                               "time split; leakage.audit passes.",
    }
    mo.vstack([mo.hstack([mo.vstack([mo.md(f"**{_name}**"), ui.code_block(_text, language="text")]),
                          _feedback(_text)], widths=[3, 2], align="start", gap=1)
               for _name, _text in _examples.items()])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ### 1.4 A merge conflict in a notebook

    Two teammates change the same line of a notebook on two branches: one tries deeper trees on
    `exp/deeper-trees`, the other a slower learning rate on `main`. Merging the branch stops with a
    conflict, as it should: git cannot know which change you want. What matters is what the
    person who resolves it has to read. Below, the same notebook and the same two changes, merged
    with real git, once as marimo stores a notebook (a Python file) and once as Jupyter stores it
    (JSON, with each cell's execution count and outputs, after both teammates ran their copy):
    """)
    return


@app.cell
def _(collaboration):
    merges = collaboration.notebook_merge_conflicts()
    marimo_merge, jupyter_merge = merges["card_model.py"], merges["card_model.ipynb"]
    return jupyter_merge, marimo_merge


@app.cell(hide_code=True)
def _(collaboration, marimo_merge, mo, ui):
    mo.vstack([
        mo.md(f"**marimo** (`{marimo_merge.file}`): {marimo_merge.conflicts} conflict block, "
              f"{marimo_merge.conflicted_lines} lines inside it:"),
        ui.code_block(collaboration.conflict_excerpt(marimo_merge)),
    ])
    return


@app.cell(hide_code=True)
def _(collaboration, jupyter_merge, mo, ui):
    mo.vstack([
        mo.md(f"**Jupyter** (`{jupyter_merge.file}`): {jupyter_merge.conflicts} conflict blocks, "
              f"{jupyter_merge.conflicted_lines} lines inside them (the first ones):"),
        ui.code_block(collaboration.conflict_excerpt(jupyter_merge, context=1, max_lines=22), language="json"),
    ])
    return


@app.cell(hide_code=True)
def _(jupyter_merge, marimo_merge, mo):
    mo.md(f"""
    git says the same thing in both cases (*{marimo_merge.git_says}*). In the marimo file the
    conflict is the one line both people changed, in Python, inside its cell: keep one version
    (or combine them: `max_depth=8, learning_rate=0.1`), delete the markers, and the file is a
    valid notebook again (`marimo check` confirms it). In the Jupyter file, the same one-line
    change comes with {jupyter_merge.conflicts - 1} more conflicts that nobody made: execution
    counts and outputs, saved because both people ran their notebook. The real change is buried
    in escaped JSON strings, and a wrong resolution leaves a file Jupyter cannot open. That is why
    Jupyter teams install tools such as `nbstripout` (strip outputs before commit) and `nbdime`
    (notebook-aware diffs); with marimo the notebook is code, and git's own tools work on it.
    """)
    return


@app.cell(hide_code=True)
def _(collaboration, mo, review):
    _categories = review.categories()
    mo.vstack([
        mo.md(r"""
    ## 2. ML code review

    Code review in an ML team has two jobs: the usual one (is the code correct, clear, tested?)
    and one that ordinary review misses: **are the numbers true?** A pull request can be clean,
    tested and well named, and still report a score that will not survive contact with
    production. The questions a reviewer of ML code asks:
    """),
        mo.md(collaboration.markdown_table({_name: _c["description"] for _name, _c in _categories.items()},
                                           ("look for", "what it means"))),
        mo.md(r"""
    **Smells** that say "look closer here": a score that jumps after one new feature (Module 2: a
    leak until proven otherwise); `fit` or `fit_transform` on anything but the training rows; the
    test set used in a loop; `sample`, `shuffle` or a model without a seed; a path that starts
    with `/home/` or `C:\`; a bare `except:` or `except Exception: pass`; `dict.get(key, default)`
    in front of a model; the same feature computed twice, once for training and once for serving;
    `print` as the only record of an experiment; tests that would pass if the feature were the
    price itself.
    """),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ### 2.1 Good code against bad, side by side, run

    Three pairs of functions from `mlcourse/collaboration.py`. Each bad one runs without an error
    and returns a plausible number; only running them side by side shows the problem.
    """)
    return


@app.cell
def _(collaboration, modeling, time):
    pair_listings = modeling.pricing_listings(sample=4_000)
    pair_train, pair_test = modeling.random_split(pair_listings)
    unseeded_runs = [collaboration.rule_rmse_unseeded(pair_listings) for _ in range(3)]
    seeded_runs = [collaboration.rule_rmse_seeded(pair_listings) for _ in range(3)]
    pair_model = modeling.make_model("xgboost").fit(pair_train, pair_train["price_usd"])
    rmse_training_rows = collaboration.rmse_on_training_rows(pair_model, pair_train, pair_test)
    rmse_held_out_rows = collaboration.rmse_on_held_out_rows(pair_model, pair_train, pair_test)
    _start = time.perf_counter()
    loop_medians = collaboration.median_price_by_set_loop(pair_listings)
    loop_seconds = time.perf_counter() - _start
    _start = time.perf_counter()
    vector_medians = collaboration.median_price_by_set(pair_listings)
    vector_seconds = time.perf_counter() - _start
    same_medians = bool(loop_medians.equals(vector_medians))
    return (
        loop_seconds,
        pair_listings,
        pair_test,
        pair_train,
        rmse_held_out_rows,
        rmse_training_rows,
        same_medians,
        seeded_runs,
        unseeded_runs,
        vector_medians,
        vector_seconds,
    )


@app.cell(hide_code=True)
def _(collaboration, mo, pair_listings, seeded_runs, unseeded_runs):
    def _runs(values):
        return ", ".join(f"\\${v:.2f}" for v in values)

    mo.vstack([
        mo.md(f"**Reproducibility.** The era x rarity rule scored on a random 20% of {len(pair_listings):,} "
              "listings, three runs each:"),
        collaboration.code_pair(collaboration.rule_rmse_unseeded, collaboration.rule_rmse_seeded,
                                f"Three runs: {_runs(unseeded_runs)}. Which one goes in the report?",
                                f"Three runs: {_runs(seeded_runs)}. Anyone, anywhere, gets the same number."),
    ])
    return


@app.cell(hide_code=True)
def _(
    collaboration,
    mo,
    pair_test,
    pair_train,
    rmse_held_out_rows,
    rmse_training_rows,
):
    mo.vstack([
        mo.md(f"**Evaluation.** One xgboost model, `make_model(\"xgboost\").fit(train, train[\"price_usd\"])` on "
              f"{len(pair_train):,} listings, scored two ways:"),
        collaboration.code_pair(collaboration.rmse_on_training_rows, collaboration.rmse_on_held_out_rows,
                                f"RMSE \\${rmse_training_rows:.2f}: how well it remembers.",
                                f"RMSE \\${rmse_held_out_rows:.2f} on {len(pair_test):,} listings it never saw: "
                                f"{rmse_held_out_rows / rmse_training_rows:.1f}x the other number, and the one "
                                "to report."),
    ])
    return


@app.cell(hide_code=True)
def _(
    collaboration,
    loop_seconds,
    mo,
    pair_listings,
    same_medians,
    vector_medians,
    vector_seconds,
):
    mo.vstack([
        mo.md(f"**Performance.** The median price of each of {len(vector_medians):,} sets:"),
        collaboration.code_pair(collaboration.median_price_by_set_loop, collaboration.median_price_by_set,
                                f"{loop_seconds * 1000:.0f} ms on {len(pair_listings):,} rows, and it grows with "
                                "every row (a Python call per row).",
                                f"{vector_seconds * 1000:.1f} ms, "
                                f"{'the same medians' if same_medians else 'DIFFERENT medians'} "
                                f"({loop_seconds / max(vector_seconds, 1e-6):.0f}x faster on this run; times vary, "
                                "the ranking does not)."),
    ])
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ### 2.2 Comments that get bugs fixed

    Label every comment with its weight, so the author knows what must change before the merge:

    - **blocking**: the code is wrong, or the numbers it reports are. The pull request must not be
      merged until it is fixed. Say what is wrong, show the evidence, say what would fix it.
    - **suggestion**: a better way, worth doing; the author may decide otherwise, or do it later.
    - **nit**: style, naming, taste. Never holds up a merge; many teams let a formatter decide.

    A bad comment and a good one about the same line:

    > ✗ *"This is wrong."* (What is? Why? The author has to guess, or argue.)
    >
    > ✓ *"blocking: `scaler.fit(pd.concat([train, valid]))` learns its means and spreads from the
    > validation rows, so the validation score is measured on data the preprocessing has seen
    > (Module 2's first leak). `leakage.audit` flags it: a validation prediction moves when other
    > validation rows are removed. Put the scaler in the pipeline and fit it on `train` only."*

    Review the code, not the person ("this line leaks", not "you leaked"); ask when you are not
    sure ("is the test set used anywhere else?"); say what is good too, so it stays. Prefer evidence
    to opinion: a failing test is the best review comment there is. And review the numbers in the
    description as hard as the code: a jump that is too good to be true usually is.

    The exercises give you four real pull requests against this course's code (`sample_prs/`),
    with an answer key line by line. Three have bugs; one does not.
    """)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 3. Working with existing systems

    Most of the time you will change a system someone else built. This course's own package is a
    fair example. Reading every line is not the way in; read its structure first. Here it is, read
    from the source with `ast` (module by module: its lines, the course modules it imports, how
    many import it, and how many of its public functions and classes have a docstring):
    """)
    return


@app.cell
def _(collaboration, mo):
    modules = collaboration.package_modules()
    feature_users = sorted(set(collaboration.users_of("feature_arrays")) | set(collaboration.users_of("feature_frame")))
    debt_markers = collaboration.markers()
    mo.ui.table(modules.sort_values("imported by", ascending=False).reset_index(drop=True), selection=None,
                page_size=10)
    return debt_markers, feature_users, modules


@app.cell(hide_code=True)
def _(debt_markers, feature_users, mo, modules):
    _topic = modules[~modules["module"].str.startswith("mlcourse.exercises")]
    _entry = _topic[_topic["imported by"].eq(0)]["module"].tolist()
    _base = _topic.sort_values("imported by", ascending=False).iloc[0]
    _documented = int(_topic["with a docstring"].sum())
    _public = int(_topic["public definitions"].sum())
    mo.md(f"""
    {len(modules)} modules and {modules['lines'].sum():,} lines in all.

    - **Start from the edges.** The modules nobody imports are entry points or leaves
      ({len(_entry)} of them here, for example `{_entry[0]}`); the most imported one is the foundation
      (`{_base['module']}`, imported by {_base['imported by']} modules): change it last and most carefully.
    - **Follow one feature end to end.** The features are defined once, in `mlcourse.features`, and
      used by {len(feature_users)} modules: {', '.join(f'`{m}`' for m in feature_users)}. That is
      training and serving calling the same code, so they can never compute a feature two ways.
      Before you add a feature, find this path in your own system: a feature computed in a notebook
      for training and re-implemented in the service is the most common source of
      training/serving skew.
    - **Run it before you change it.** The tests (`uv run pytest`), the notebooks, the service's
      `train` and `serve` commands: a codebase you can run is one you can change safely.
    - **Change a production model through its safety net.** Module 5's service refuses a model
      whose metadata is incomplete or whose file does not match its hash, and replays reference
      predictions at start-up (a self-test); a new version goes out as a canary first. Use the
      net; do not go around it.
    - **Documentation is part of the change.** {_documented} of the {_public} public functions and
      classes of the course's topic modules have a docstring. Update the docstring, the README and
      the model card (Module 4) in the same pull request as the code they describe.
    - **Name technical debt where it lives.** This package has {debt_markers} `TODO`-style comments;
      in a real system, a `# TODO` with no owner and no issue is debt nobody will pay. Hidden debt in
      ML systems is mostly not in the code (Sculley et al., *Hidden Technical Debt in Machine
      Learning Systems*, 2015): glue code, pipeline jungles, undeclared consumers of a model's
      output, and features nobody dares remove.
    """)
    return


@app.cell
def _(collaboration, modeling, pair_listings):
    _sample = pair_listings.head(2_000)
    rule_folds = modeling.cross_validate(modeling.make_model("era_rarity"), _sample, "k-fold")
    ridge_folds = modeling.cross_validate(modeling.make_model("linear"), _sample, "k-fold")
    results_text = collaboration.results_message(
        change="Ridge on the shared features, against the era x rarity rule",
        baseline_name="the rule", baseline=list(rule_folds["rmse"]),
        candidate_name="Ridge", candidate=list(ridge_folds["rmse"]),
        metric="RMSE (USD)", data=f"5-fold cross-validation of {len(_sample):,} pricing listings",
        next_step="the same folds for xgboost tomorrow; runs logged in MLflow under `card-prices`.")
    return (results_text,)


@app.cell(hide_code=True)
def _(mo, results_text):
    mo.md(rf"""
    ## 4. Team communication

    **Sharing experiment results.** "The new model is better!" is not a result: better by how
    much, on what, and is it more than noise? A message a teammate can act on has the change, both
    numbers with their spread, the data, and the next step. This one is built from a
    cross-validation run in this notebook:

    > {results_text}

    Put the run ids and the commit in the thread, so anyone can reproduce it; put the bad news in
    too (the folds where it lost, the slice where it is worse); and say what you are *not*
    claiming yet.

    **Asking for help.** A good question is a minimal reproduction: what you ran (the command or a
    few lines), what you expected, what happened (the exact error, copied, not paraphrased), what
    you tried, and the versions (`uv.lock` is in git for this reason). Half the time, writing it
    finds the bug; the other half, it lets someone answer in two minutes instead of an hour.

    **Pair programming for ML.** Pair on the parts where a mistake is expensive and invisible: the
    split and the evaluation protocol, a new feature's leakage check, a change to the service's
    validation. One person drives; the other asks "what does the model know at prediction
    time?" and "which rows is this fitted on?". Review an experiment's *design* before it runs for
    a day, not its result after.
    """)
    return


@app.cell
def _(collaboration, pair_train):
    model_file = collaboration.pickled_model_sizes(pair_train.head(2_000))
    return (model_file,)


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## 5. Pause and think

    Answer each question before you open its discussion.
    """)
    return


@app.cell(hide_code=True)
def _(course_mistakes, mo, ui, with_ml_rules):
    _ignored = with_ml_rules[with_ml_rules["git"] == "ignored"]
    ui.pause_and_think(
        "What files should you commit to Git? What should you .gitignore?",
        mo.md(f"""
    Commit everything a teammate needs to rebuild the project from a clean clone: source code and
    notebooks, tests, `pyproject.toml` and the lock file (`uv.lock`: the exact versions), configuration,
    small reference files (the data dictionary), the `.gitignore` itself. Ignore what can be rebuilt
    from those, is large, is personal, or is secret: generated data, trained models, experiment
    stores (`mlruns/`), caches (`__pycache__/`, `__marimo__/`, `.ipynb_checkpoints/`), virtual
    environments, and credentials (`.env`). In section 1.1, {len(_ignored)} of the
    {len(with_ml_rules)} files of the example project are ignored by the final rules, and the
    course's own `.gitignore` missed {len(course_mistakes)}: write the rules before the first
    commit, and check them with `git status --ignored` or `git check-ignore -v FILE`. A secret
    that was committed once must be rotated: deleting it in a later commit leaves it in the
    history.
    """), number=1)
    return


@app.cell(hide_code=True)
def _(mo, ui):
    ui.pause_and_think(
        "You found a critical bug in a teammate's PR. How do you communicate it?",
        mo.md(r"""
    In the review, on the line, as a **blocking** comment: what is wrong, the evidence (the
    failing test, the number that moves), and what would fix it, with no judgement of the person.
    Mark it blocking so it cannot be missed; request changes rather than approving with a
    comment. If the bug has already hurt (the number in the description went into a slide deck,
    the model shipped), talk to the author directly first: a call is faster and kinder than a
    thread, and then the fix and its consequences are written down in the pull request. Offer the
    failing test as the first commit of the fix. If you are not sure it is a bug, say so and ask
    ("is the test set used for the choice here?"): a wrong blocking comment costs trust too. And
    when it is fixed, say so, and approve.
    """), number=2)
    return


@app.cell(hide_code=True)
def _(mo, model_file, ui):
    ui.pause_and_think(
        "Should you commit trained model files to Git? Why or why not?",
        mo.md(f"""
    No, with rare exceptions (a tiny reference model used by the tests). A random forest trained in
    this notebook on 2,000 listings pickles to {model_file['megabytes']:.1f} MB
    ({model_file['compressed_megabytes']:.1f} MB compressed). Retrained with another seed, the file is
    {'identical' if model_file['identical'] else 'different'}, and the two versions share almost
    nothing a delta could reuse (compressing them together saves {model_file['shared_share']:.2%}
    over compressing them apart): git would store every retraining in full, in every clone,
    forever. A pickle also runs code when loaded and breaks across library versions. Store models
    in a registry or an artifact store (MLflow, Module 3) with the data hash, the code commit,
    the metrics and the library versions; commit the code and the configuration that produce
    the model, and, if you must version the file next to the code, a pointer to it (DVC).
    """), number=3)
    return


@app.cell(hide_code=True)
def _(mo, modules, ui):
    _topic = modules[~modules["module"].str.startswith("mlcourse.exercises")]
    ui.pause_and_think(
        "How do you onboard to an existing ML codebase?",
        mo.md(f"""
    Run it first, then read its structure, then change something small. Clone it and get the
    tests and one end-to-end run passing on your machine (if that takes more than a day, that is
    your first contribution: fix the README). Map the modules and who imports whom, as in
    section 3 ({len(_topic)} topic modules here, from the foundation to the entry points). Follow
    one prediction end to end: where the data comes from, where each feature is computed, how the
    model is trained, how it is served, what is logged. Find the evaluation protocol and the
    current numbers, and reproduce one. Read the last few months of merged pull requests: they
    say what the team cares about and what breaks. Then take a small, real task (a test, a
    docstring, a small bug) through the whole process: branch, commit, pull request, review,
    merge. Ask questions early, and write down the answers where the next newcomer will find
    them.
    """), number=4)
    return


@app.cell(hide_code=True)
def _(jupyter_merge, marimo_merge, mo, rmse_held_out_rows, rmse_training_rows):
    mo.md(f"""
    ## Key takeaways

    - **Git holds what rebuilds the project**: code, notebooks, tests, configuration, the lock
      file. Data, models, runs, caches and secrets stay out, with a version elsewhere (a seed and a
      hash, DVC, a model registry).
    - **Commit messages and pull request descriptions are for the reader**: what changed, why,
      how it was tested, and the numbers, with the data they come from.
    - **marimo notebooks merge like code**: the same change was {marimo_merge.conflicts} conflict of
      {marimo_merge.conflicted_lines} lines as a marimo file and {jupyter_merge.conflicts} conflicts of
      {jupyter_merge.conflicted_lines} lines as a Jupyter file.
    - **ML review asks whether the numbers are true**: leakage, seeds, which rows a score comes
      from (\\${rmse_training_rows:.2f} on the training rows against \\${rmse_held_out_rows:.2f} on
      held-out ones, for the same model), validation at the boundary, errors that name the field.
    - **Label comments blocking, suggestion or nit**, back blocking ones with evidence, and do not
      raise false alarms.
    - **In an existing system, change things through its safety nets**: the shared feature code,
      the tests, the model's self-test, the canary.
    - **Share results with their uncertainty and their next step.**

    **Next:** open `exercises/exercises_07.py`: review three pull requests against an answer key
    (7.1 to 7.3), write a pull request description (7.4) and a review checklist (7.5), refactor a
    messy script into tested functions (7.6), and review a fourth pull request with your checklist
    (7.7). The pull requests are in `sample_prs/`; its README says how to apply one on a branch and
    watch its bug bite. Then Module 8, the capstone.
    """)
    return


if __name__ == "__main__":
    app.run()
