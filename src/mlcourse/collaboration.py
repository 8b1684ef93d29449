"""Module 7's demonstrations: git for ML, code review side by side, reading a codebase, sharing results.

Everything here runs for real: the git demonstrations use git in a temporary folder (nothing
touches the learner's repository), the code pairs are trained and scored on course data, and
the codebase statistics are read from the package's own source with ``ast``.
"""

from __future__ import annotations

import ast
import functools
import json
import pickle
import re
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlcourse import gittools
from mlcourse.dataset import REPO_ROOT
from mlcourse.evaluation import rmse
from mlcourse.modeling import make_model

# ======================================================================================
# Git for ML: what is committed, what is ignored
# ======================================================================================
ML_GITIGNORE_ADDITIONS = """\
# models and other training outputs (version them in a registry, not in git)
*.pkl
*.joblib
*.onnx
*.h5
*.pt
models/

# notebooks' own caches and checkpoints
.ipynb_checkpoints/

# secrets: never in git, not even once (the history keeps them)
.env
*.pem
"""

# A typical ML project after a few days of work: path -> (what it is, should it be in git?)
PROJECT_FILES: dict[str, tuple[str, bool]] = {
    "src/mlcourse/features.py": ("code shared by training and serving", True),
    "07_collaboration.py": ("a marimo notebook (plain Python)", True),
    "tests/test_features.py": ("tests", True),
    "pyproject.toml": ("dependencies, as ranges", True),
    "uv.lock": ("the exact versions of every dependency", True),
    "data/README.md": ("the data dictionary", True),
    "data/generated/listings_clean_v2_seed42_n120000.parquet": ("generated data (rebuilt from the seed)", False),
    "mlruns/mlflow.db": ("the experiment tracker's store", False),
    "models/best_model.pkl": ("a trained model", False),
    "outputs/card_pricer/model.json": ("the service's trained model", False),
    ".env": ("credentials (an API key)", False),
    "__marimo__/session/07_collaboration.py.json": ("marimo's session cache", False),
    ".ipynb_checkpoints/analysis-checkpoint.ipynb": ("a Jupyter checkpoint", False),
    ".venv/bin/python": ("the virtual environment", False),
}


def course_gitignore() -> str:
    """The course repository's own .gitignore."""
    path = REPO_ROOT / ".gitignore"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def gitignore_check(gitignore: str, files: dict[str, tuple[str, bool]] = PROJECT_FILES) -> pd.DataFrame:
    """What git does with each file of a project under ``gitignore``: real git, in a temporary repository.

    One row per file: the path, what it is, whether it belongs in git, what git does with it
    (``commit`` or ``ignored``), and the .gitignore rule that ignores it.
    """
    with tempfile.TemporaryDirectory(prefix="gitignore-demo-") as tmp:
        repo = gittools.init(Path(tmp) / "project")
        (repo / ".gitignore").write_text(gitignore, encoding="utf-8")
        for path in files:
            target = repo / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("x\n", encoding="utf-8")
        done = gittools.git(["check-ignore", "--verbose", "--non-matching", *files], repo, check=False)
    rules = {}
    for line in done.stdout.splitlines():
        source, _, path = line.partition("\t")
        pattern = source.split(":", 2)[-1] if source.strip() and source != "::" else ""
        rules[path] = pattern
    rows = []
    for path, (what, belongs) in files.items():
        rule = rules.get(path, "")
        rows.append({"file": path, "what it is": what, "belongs in git": "yes" if belongs else "no",
                     "git": "ignored" if rule else "commit", "ignored by": rule})
    return pd.DataFrame(rows)


def mistakes(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a gitignore_check where git's decision is wrong (a file committed or lost)."""
    wrong = (table["belongs in git"] == "yes") != (table["git"] == "commit")
    return table[wrong].reset_index(drop=True)


def gitignore_verdict(mistakes_found: pd.DataFrame) -> str:
    """What the course's .gitignore gets wrong on the example project, in words."""
    if mistakes_found.empty:
        return "On this project it already makes the right decision for every file."
    files = ", ".join(f"`{f}`" for f in mistakes_found["file"])
    count = len(mistakes_found)
    return (f"On this project it would still let git commit {count} file{'s' if count != 1 else ''} that must never "
            f"be in a repository: {files}.")


def folder_megabytes(path: Path) -> float:
    """Total size of the files under ``path`` in MB (0 if it does not exist)."""
    if not path.exists():
        return 0.0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def tracked_megabytes(root: Path = REPO_ROOT) -> float | None:
    """Size in MB of the files git tracks in ``root`` (None outside a git checkout)."""
    if not gittools.available():
        return None
    done = gittools.git(["ls-files", "-z"], root, check=False)
    if done.returncode != 0:
        return None
    return sum((root / p).stat().st_size for p in done.stdout.split("\0") if p and (root / p).is_file()) / 1e6


# ======================================================================================
# Commit messages
# ======================================================================================
COMMIT_TYPES = {"feat": "a new feature", "fix": "a bug fix", "docs": "documentation only",
                "refactor": "no change in behaviour", "test": "tests only", "perf": "faster, same results",
                "build": "dependencies, packaging", "ci": "the CI pipeline", "chore": "maintenance",
                "data": "a change of the data or its pipeline", "model": "a change of the model or its training"}
_VAGUE = re.compile(r"^(fix(ed)?|update[ds]?|changes?|misc|stuff|wip|tweaks?|minor|cleanup|more|final|try|test)"
                    r"(\s+(stuff|things|it|this|changes?|code|bugs?|fixes))?\W*$", re.I)
_METRIC_CLAIM = re.compile(r"\b(rmse|mae|mape|r2|r²|accuracy|latency|auc|f1|precision|recall|metric|score|"
                           r"improv\w*|better|faster|slower|worse|boost\w*|reduc\w*)\b", re.I)


@dataclass(frozen=True)
class CommitNote:
    ok: bool
    note: str


def sample_pr_claims(slug: str) -> dict[str, str]:
    """The metric claims a sample pull request's description makes, as sample_prs/refresh.py measured them."""
    return json.loads((REPO_ROOT / "sample_prs" / slug / "pr.json").read_text(encoding="utf-8"))["claims"]


def commit_message_feedback(message: str) -> list[CommitNote]:
    """What a reviewer would say about a commit message: its subject, its type, its specifics."""
    lines = message.strip().splitlines()
    if not lines:
        return [CommitNote(False, "The message is empty: say what the commit changes.")]
    subject = lines[0].strip()
    body = "\n".join(lines[1:]).strip()
    notes = []
    typed = re.match(r"^(\w+)(\([\w./-]+\))?(!)?:\s*(.*)$", subject)
    described = typed.group(4) if typed else subject
    if typed and typed.group(1).lower() not in COMMIT_TYPES:
        notes.append(CommitNote(False, f"`{typed.group(1)}` is not a Conventional Commits type; use one of "
                                       f"{', '.join(COMMIT_TYPES)}."))
    elif typed:
        notes.append(CommitNote(True, f"Typed `{typed.group(1)}`: {COMMIT_TYPES[typed.group(1).lower()]}."))
    if _VAGUE.match(described) or len(described.split()) < 3:
        notes.append(CommitNote(False, "The subject does not say what changed: a reader of `git log` in six "
                                       "months must know without opening the diff."))
    else:
        notes.append(CommitNote(True, "The subject says what changed."))
    if len(subject) > 72:
        notes.append(CommitNote(False, f"The subject is {len(subject)} characters; keep it under 72 (details go "
                                       "in the body, after a blank line)."))
    first_word = described.split()[0] if described.split() else ""
    if first_word.lower().endswith("ed") and len(first_word) > 4:
        notes.append(CommitNote(False, f"`{first_word}`: write the subject as a command (`Add`, `Fix`), as git "
                                       "itself does (`Merge branch ...`)."))
    if _METRIC_CLAIM.search(message) and not re.search(r"\d", message):
        notes.append(CommitNote(False, "It claims a change in a metric but gives no number: say by how much, "
                                       "and on what data."))
    elif re.search(r"\d", message) and _METRIC_CLAIM.search(message):
        notes.append(CommitNote(True, "It quotes the number that changed, and what it was measured on."
                                if re.search(r"\b(on|split|set|fold|listings)\b", message) else
                                "It quotes the number that changed."))
    if body:
        notes.append(CommitNote(True, "It has a body explaining why."))
    return notes


# ======================================================================================
# A merge conflict in a notebook: marimo's plain Python against Jupyter's JSON
# ======================================================================================
_MARIMO_NOTEBOOK = '''\
import marimo

app = marimo.App()


@app.cell
def _():
    from mlcourse import modeling
    return (modeling,)


@app.cell
def _(modeling):
    train, test = modeling.random_split(modeling.pricing_listings(sample=5_000))
    return test, train


@app.cell
def _(modeling, train):
    model = modeling.make_model("xgboost", max_depth=6)
    model.fit(train, train["price_usd"])
    return (model,)


@app.cell
def _(model, test):
    from mlcourse.evaluation import rmse
    rmse(test["price_usd"], model.predict(test))
    return


if __name__ == "__main__":
    app.run()
'''


def _jupyter_notebook(marimo_text: str, first_count: int, rmse_shown: str) -> str:
    """The same notebook as Jupyter saves it after a run: JSON, with execution counts and outputs."""
    cells = []
    for count, block in enumerate(re.findall(r"@app\.cell\ndef _\([^)]*\):\n(.*?)\n    return", marimo_text, re.S),
                                  start=first_count):
        source = [line[4:] + "\n" for line in block.splitlines()]
        source[-1] = source[-1].rstrip("\n")
        outputs = []
        if "rmse(" in block:
            outputs = [{"data": {"text/plain": [rmse_shown]}, "execution_count": count, "metadata": {},
                        "output_type": "execute_result"}]
        cells.append({"cell_type": "code", "execution_count": count, "id": f"cell-{len(cells)}", "metadata": {},
                      "outputs": outputs, "source": source})
    notebook = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                            "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1) + "\n"


@dataclass(frozen=True)
class MergeConflict:
    file: str
    conflicted_text: str
    conflicts: int  # conflict blocks (<<<<<<< ... >>>>>>>)
    conflicted_lines: int  # lines inside the conflict blocks
    git_says: str


def _count_conflicts(text: str) -> tuple[int, int]:
    blocks = lines = 0
    inside = False
    for line in text.splitlines():
        if line.startswith("<<<<<<<"):
            blocks, inside = blocks + 1, True
        elif line.startswith(">>>>>>>"):
            inside = False
        elif inside and not line.startswith("======="):
            lines += 1
    return blocks, lines


def notebook_merge_conflicts() -> dict[str, MergeConflict]:
    """Two teammates change the same line of a notebook on two branches; git merges: real git, a temp folder.

    Done twice: with the notebook as marimo stores it (plain Python) and as Jupyter stores it
    (JSON with execution counts and outputs, both teammates having run their copy).
    """
    main_line = 'model = modeling.make_model("xgboost", max_depth=6)'
    theirs = main_line.replace("max_depth=6", "max_depth=8")
    ours = main_line.replace("max_depth=6", "max_depth=6, learning_rate=0.1")
    versions = {
        "card_model.py": (_MARIMO_NOTEBOOK, _MARIMO_NOTEBOOK.replace(theirs.replace("8", "6"), theirs),
                          _MARIMO_NOTEBOOK.replace(main_line, ours)),
        "card_model.ipynb": (_jupyter_notebook(_MARIMO_NOTEBOOK, 1, "4.87"),
                             _jupyter_notebook(_MARIMO_NOTEBOOK.replace(main_line, theirs), 5, "4.61"),
                             _jupyter_notebook(_MARIMO_NOTEBOOK.replace(main_line, ours), 3, "4.52")),
    }
    results = {}
    with tempfile.TemporaryDirectory(prefix="merge-demo-") as tmp:
        for name, (base, branch_text, main_text) in versions.items():
            repo = gittools.init(Path(tmp) / name.replace(".", "-"))
            path = repo / name
            path.write_text(base, encoding="utf-8")
            gittools.git(["add", name], repo)
            gittools.git(["commit", "-q", "-m", "Train the card price model"], repo)
            gittools.git(["switch", "-q", "-c", "exp/deeper-trees"], repo)
            path.write_text(branch_text, encoding="utf-8")
            gittools.git(["commit", "-q", "-am", "Deeper trees: max_depth 8"], repo)
            gittools.git(["switch", "-q", "main"], repo)
            path.write_text(main_text, encoding="utf-8")
            gittools.git(["commit", "-q", "-am", "Slower learning rate: 0.1"], repo)
            merged = gittools.git(["merge", "--no-edit", "exp/deeper-trees"], repo, check=False)
            text = path.read_text(encoding="utf-8")
            blocks, lines = _count_conflicts(text)
            results[name] = MergeConflict(name, text, blocks, lines,
                                          (merged.stdout + merged.stderr).strip().splitlines()[-1])
    return results


def conflict_excerpt(conflict: MergeConflict, context: int = 2, max_lines: int = 40) -> str:
    """The lines around the conflict blocks of a merged file (what the person resolving it reads first)."""
    lines = conflict.conflicted_text.splitlines()
    keep: set[int] = set()
    inside = False
    for i, line in enumerate(lines):
        if line.startswith("<<<<<<<"):
            inside = True
        if inside:
            keep.update(range(max(0, i - context), min(len(lines), i + context + 1)))
        if line.startswith(">>>>>>>"):
            inside = False
    out, previous = [], None
    for i in sorted(keep):
        if previous is not None and i != previous + 1:
            out.append("...")
        out.append(lines[i])
        previous = i
    if len(out) > max_lines:
        out = out[:max_lines] + [f"... ({len(out) - max_lines} more lines)"]
    return "\n".join(out)


# ======================================================================================
# Code review: bad and good code, side by side, run on course data
# ======================================================================================
def rule_rmse_unseeded(listings: pd.DataFrame) -> float:
    """BAD: score the era x rarity rule on a random
    20% of the listings, drawn without a seed."""
    test = listings.sample(frac=0.2)
    train = listings.drop(test.index)
    rule = make_model("era_rarity")
    rule.fit(train, train["price_usd"])
    return rmse(test["price_usd"], rule.predict(test))


def rule_rmse_seeded(listings: pd.DataFrame,
                     seed: int = 0) -> float:
    """GOOD: the same, with a seed: the same number
    on every run, on every machine."""
    test = listings.sample(frac=0.2, random_state=seed)
    train = listings.drop(test.index)
    rule = make_model("era_rarity")
    rule.fit(train, train["price_usd"])
    return rmse(test["price_usd"], rule.predict(test))


def rmse_on_training_rows(model, train: pd.DataFrame,
                          test: pd.DataFrame) -> float:
    """BAD: score the model (fitted on ``train``)
    on the rows it was trained on."""
    return rmse(train["price_usd"], model.predict(train))


def rmse_on_held_out_rows(model, train: pd.DataFrame,
                          test: pd.DataFrame) -> float:
    """GOOD: score it on rows it never saw."""
    return rmse(test["price_usd"], model.predict(test))


def median_price_by_set_loop(
        listings: pd.DataFrame) -> pd.Series:
    """BAD: a Python loop over the rows."""
    prices: dict[str, list[float]] = {}
    for _, row in listings.iterrows():
        prices.setdefault(row["set_code"], [])
        prices[row["set_code"]].append(row["price_usd"])
    medians = {code: float(np.median(p))
               for code, p in prices.items()}
    return pd.Series(medians).sort_index()


def median_price_by_set(
        listings: pd.DataFrame) -> pd.Series:
    """GOOD: one vectorised group-by."""
    by_set = listings.groupby("set_code")["price_usd"]
    return by_set.median().sort_index()


def timed(fn: Callable, *args) -> tuple[object, float]:
    """``fn(*args)`` and the seconds it took (shown as information, never used to decide anything)."""
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


# ======================================================================================
# Models in git: why not
# ======================================================================================
def pickled_model_sizes(train: pd.DataFrame, seeds: tuple[int, int] = (0, 1)) -> dict[str, float]:
    """A random forest pickled after two trainings that differ only by the seed: sizes and what they share.

    ``shared_share`` is how much smaller the two files are compressed together than separately:
    what a delta between the versions could save (git stores binary files whole).
    """
    blobs = [pickle.dumps(make_model("random_forest", seed=s).fit(train, train["price_usd"])) for s in seeds]
    alone = sum(len(zlib.compress(b, 6)) for b in blobs)
    together = len(zlib.compress(blobs[0] + blobs[1], 6))
    return {"megabytes": len(blobs[0]) / 1e6, "compressed_megabytes": len(zlib.compress(blobs[0], 6)) / 1e6,
            "shared_share": 1 - together / alone, "identical": blobs[0] == blobs[1]}


# ======================================================================================
# Reading a codebase: the package's own structure
# ======================================================================================
@functools.lru_cache(maxsize=4)
def _module_trees(package_dir: Path) -> tuple[tuple[str, str, ast.Module], ...]:
    """(module name, source, syntax tree) of every module under ``package_dir``, parsed once."""
    out = []
    for path in sorted(package_dir.rglob("*.py")):
        name = ".".join(("mlcourse", *path.relative_to(package_dir).with_suffix("").parts)).removesuffix(".__init__")
        text = path.read_text(encoding="utf-8")
        out.append((name, text, ast.parse(text)))
    return tuple(out)


PACKAGE_DIR = Path(__file__).resolve().parent


def package_modules(package_dir: Path = PACKAGE_DIR) -> pd.DataFrame:
    """One row per module of the ``mlcourse`` package: lines, the course modules it imports, who imports it,
    and its public functions and classes with and without a docstring."""
    trees = _module_trees(package_dir)
    names = {name for name, _, _ in trees}
    imports: dict[str, set[str]] = {}
    rows = []
    for name, _, tree in trees:
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mlcourse"):
                found |= {t for t in [f"{node.module}.{a.name}" for a in node.names] + [node.module] if t in names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name in names}
        imports[name] = found - {name, "mlcourse"}
    for name, text, tree in trees:
        if name == "mlcourse":
            continue
        public = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")]
        rows.append({"module": name, "lines": len(text.splitlines()), "imports": len(imports[name]),
                     "imported by": sum(name in targets for targets in imports.values()),
                     "public definitions": len(public),
                     "with a docstring": sum(ast.get_docstring(n) is not None for n in public)})
    return pd.DataFrame(rows)


@functools.lru_cache(maxsize=4)
def _names(package_dir: Path) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per module: the names its code uses (names, attributes, imports) and the functions it defines."""
    out = {}
    for name, _, tree in _module_trees(package_dir):
        used: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.ImportFrom):
                used |= {a.name for a in node.names}
        defines = frozenset(n.name for n in tree.body if isinstance(n, ast.FunctionDef))
        out[name] = (frozenset(used), defines)
    return out


def users_of(function: str, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """The package modules whose code uses ``function`` (a name such as ``feature_arrays``) without defining it."""
    return [name for name, (used, defines) in _names(package_dir).items() if function in used and function not in defines]


_DEBT = re.compile(r"(?:^|\s)#\s*(TODO|FIXME|XXX|HACK)\b")


def markers(package_dir: Path = PACKAGE_DIR) -> int:
    """How many comments in the package mark known debt (``#`` followed by TODO, FIXME, XXX or HACK)."""
    return sum(len(_DEBT.findall(text)) for _, text, _ in _module_trees(package_dir))


# ======================================================================================
# Sharing results
# ======================================================================================
def results_message(change: str, baseline_name: str, baseline: list[float], candidate_name: str,
                    candidate: list[float], metric: str, data: str, next_step: str) -> str:
    """A results message a teammate can act on: the change, both numbers with their spread, the data, the
    size of the gain against the noise, and what happens next."""
    base, cand = np.asarray(baseline, dtype=float), np.asarray(candidate, dtype=float)
    gain = base.mean() - cand.mean()
    spread = float(np.std(base - cand, ddof=1)) if len(base) > 1 else float("nan")
    better = "lower" if gain > 0 else "higher"
    folds = len(base)
    every = int(np.sum(cand < base))
    verdict = (f"better on {every} of {folds} folds" if every not in (0, folds)
               else f"better on every one of the {folds} folds" if every == folds else "worse on every fold")
    return (f"**{change}.** {metric} {cand.mean():.2f} ± {np.std(cand, ddof=1):.2f} for {candidate_name} against "
            f"{base.mean():.2f} ± {np.std(base, ddof=1):.2f} for {baseline_name} ({abs(gain):.2f} {better}; the "
            f"fold-to-fold spread of the difference is {spread:.2f}), {verdict}, on {data}. Next: {next_step}")


# ======================================================================================
# Display
# ======================================================================================
def code_pair(bad: Callable, good: Callable, bad_result: str, good_result: str):
    """Two functions side by side, their real source, each with what it gave when run (Markdown)."""
    import marimo as mo

    from mlcourse.ui import source

    return mo.hstack([mo.vstack([mo.md("**Bad**"), source(bad), mo.md(bad_result)]),
                      mo.vstack([mo.md("**Good**"), source(good), mo.md(good_result)])],
                     widths="equal", align="start", gap=1)


def markdown_table(rows: dict[str, str], headers: tuple[str, str]) -> str:
    """A two-column Markdown table (which wraps long text, where a data table would cut it)."""
    lines = [f"| {headers[0]} | {headers[1]} |", "|:---|:---|"]
    lines += [f"| {key} | {value} |" for key, value in rows.items()]
    return "\n".join(lines)
