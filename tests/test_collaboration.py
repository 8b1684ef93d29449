"""Module 7's demonstrations: real git in a temporary folder, the code pairs, the codebase statistics."""

from __future__ import annotations

import pytest

from mlcourse import collaboration, gittools, modeling


@pytest.fixture(scope="module")
def listings():
    return modeling.pricing_listings(sample=2_000)


def test_the_gitignore_check_is_real_git():
    table = collaboration.gitignore_check("*.pkl\ndata/\n", {"a/model.pkl": ("a model", False),
                                                            "data/x.csv": ("data", False),
                                                            "src/code.py": ("code", True)})
    assert table.set_index("file")["git"].to_dict() == {"a/model.pkl": "ignored", "data/x.csv": "ignored",
                                                        "src/code.py": "commit"}
    assert table.set_index("file").loc["a/model.pkl", "ignored by"] == "*.pkl"


def test_the_ml_additions_fix_every_mistake_of_the_course_gitignore():
    course = collaboration.course_gitignore()
    before = collaboration.mistakes(collaboration.gitignore_check(course))
    after = collaboration.mistakes(collaboration.gitignore_check(course + collaboration.ML_GITIGNORE_ADDITIONS))
    assert after.empty and set(before["file"]) >= {".env", "models/best_model.pkl"}
    assert "must never" in collaboration.gitignore_verdict(before)
    assert "every file" in collaboration.gitignore_verdict(after)


@pytest.mark.parametrize("message, bad, good", [
    ("fixed stuff", ["does not say what changed", "as a command"], []),
    ("", ["empty"], []),
    ("feat(features): card history\n\nValidation R2 0.868 -> 0.895 on the time split", [],
     ["Typed `feat`", "quotes the number", "a body"]),
    ("Improve the model", ["gives no number"], ["says what changed"]),
    ("wip: try things", ["not a Conventional Commits type"], []),
    ("fix: " + "x " * 50, ["characters"], []),
])
def test_commit_message_feedback(message, bad, good):
    notes = collaboration.commit_message_feedback(message)
    for text in bad:
        assert any(text in n.note and not n.ok for n in notes), (text, notes)
    for text in good:
        assert any(text in n.note and n.ok for n in notes), (text, notes)


def test_a_notebook_merge_conflict_is_one_block_in_marimo_and_many_in_jupyter():
    merges = collaboration.notebook_merge_conflicts()
    marimo, jupyter = merges["card_model.py"], merges["card_model.ipynb"]
    assert marimo.conflicts == 1 and jupyter.conflicts > marimo.conflicts
    assert jupyter.conflicted_lines > marimo.conflicted_lines
    assert "Automatic merge failed" in marimo.git_says
    excerpt = collaboration.conflict_excerpt(marimo)
    assert "<<<<<<< HEAD" in excerpt and "max_depth=8" in excerpt and "learning_rate=0.1" in excerpt
    compile(marimo.conflicted_text.replace("<<<<<<< HEAD\n", "").split("=======\n")[0]
            + marimo.conflicted_text.split(">>>>>>> exp/deeper-trees\n")[1], "resolved.py", "exec")


def test_the_seeded_pair_repeats_and_the_unseeded_one_does_not(listings):
    seeded = {round(collaboration.rule_rmse_seeded(listings), 9) for _ in range(3)}
    unseeded = {round(collaboration.rule_rmse_unseeded(listings), 9) for _ in range(3)}
    assert len(seeded) == 1 and len(unseeded) > 1


def test_scoring_on_the_training_rows_is_optimistic(listings):
    train, test = modeling.random_split(listings)
    model = modeling.make_model("xgboost").fit(train, train["price_usd"])
    assert collaboration.rmse_on_training_rows(model, train, test) < collaboration.rmse_on_held_out_rows(
        model, train, test)


def test_the_loop_and_the_group_by_give_the_same_medians(listings):
    assert collaboration.median_price_by_set_loop(listings).equals(collaboration.median_price_by_set(listings))


def test_two_trainings_of_a_model_share_almost_nothing(listings):
    sizes = collaboration.pickled_model_sizes(listings.head(500))
    assert not sizes["identical"] and sizes["megabytes"] > sizes["compressed_megabytes"] > 0
    assert sizes["shared_share"] < 0.05


def test_the_package_map_sees_the_shared_features():
    modules = collaboration.package_modules().set_index("module")
    assert modules.loc["mlcourse.features", "imported by"] >= 3
    assert modules.loc["mlcourse.dataset", "imported by"] > modules.loc["mlcourse.ui", "imported by"]
    assert (modules["with a docstring"] <= modules["public definitions"]).all()
    users = collaboration.users_of("feature_arrays")
    assert "mlcourse.service.model" in users and "mlcourse.features" not in users


def test_debt_markers_count_comments_not_strings(tmp_path):
    (tmp_path / "a.py").write_text('x = 1  # TODO: remove\ntext = "# TODO in a string is code"\n# FIXME later\n')
    collaboration._module_trees.cache_clear()
    assert collaboration.markers(tmp_path) == 2


def test_results_message_gives_both_numbers_the_spread_and_the_folds():
    text = collaboration.results_message("A change", "the rule", [10.0, 11.0, 12.0], "the model", [9.0, 10.5, 11.0],
                                         "RMSE", "3 folds", "more folds")
    assert "10.17 ± 1.04 for the model" in text and "11.00 ± 1.00 for the rule" in text
    assert "better on every one of the 3 folds" in text and "Next: more folds" in text


def test_git_without_git_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(gittools.shutil, "which", lambda name: None)
    with pytest.raises(gittools.GitError, match="git-scm.com"):
        gittools.git(["status"], tmp_path)
