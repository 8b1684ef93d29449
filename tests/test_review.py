"""Code review as data: parsing diffs, matching comments to an answer key."""

from __future__ import annotations

from mlcourse import pullrequests, review
from mlcourse.review import Comment

DIFF = """diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -10,4 +10,5 @@ def create():
     a = 1
-    b = 2
+    b = 3
+    c = 4
     return a
diff --git a/new.py b/new.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/new.py
@@ -0,0 +1,2 @@
+x = 1
+y = 2
"""


def test_parse_diff_numbers_the_new_file():
    files = {f.path: f for f in review.parse_diff(DIFF)}
    assert set(files) == {"app.py", "new.py"} and files["new.py"].is_new and not files["app.py"].is_new
    assert files["app.py"].new_side() == {10: "    a = 1", 11: "    b = 3", 12: "    c = 4", 13: "    return a"}
    assert files["app.py"].added() == {11: "    b = 3", 12: "    c = 4"}
    assert files["new.py"].new_side() == {1: "x = 1", 2: "y = 2"}
    view = review.numbered_view(files["app.py"])
    assert "11 +     b = 3" in view and "   -     b = 2" in view


def test_every_sample_diff_parses_into_its_files():
    for pr in pullrequests.catalogue():
        assert {f.path for f in review.parse_diff(pr.diff())} == set(pr.touched_files())


def test_severities_verdicts_and_files_are_read_generously():
    assert review.normalise_severity(" Blocker ") == "blocking"
    assert review.normalise_severity("NIT:") == "nit"
    assert review.normalise_severity("high") is None
    assert review.normalise_verdict("LGTM") == "approve"
    assert review.normalise_verdict("Request-Changes") == "request changes"
    files = ["src/mlcourse/service/app.py", "src/mlcourse/service/estimate.py", "tests/test_service_estimate.py"]
    assert review.resolve_file("b/src/mlcourse/service/app.py", files) == files[0]
    assert review.resolve_file("estimate.py", files) == files[1]
    assert review.resolve_file("service/estimate.py", files) == files[1]
    assert review.resolve_file("model.py", files) is None


def _key() -> review.ReviewKey:
    def loc(first, last, anchor="x"):
        return review.Location("f.py", (first, last), anchor)

    bug = review.Finding("bug", "blocking", "data leakage", "t", "w", "f", "h", "c", ("re:leak",), (loc(20, 20),),
                         ("blocking",))
    style = review.Finding("style", "nit", "code design", "t", "w", "f", "h", "c", ("naming",), (loc(40, 40),),
                           ("suggestion", "nit"))
    lead = review.FalseLead((loc(23, 23),), "fine")
    return review.ReviewKey("k", 1, "request changes", "s", (bug, style), (lead,))


def _comment(line, severity, text, number=1):
    return Comment("f.py", line, severity, text, number)


def test_a_finding_needs_the_place_the_severity_and_the_words():
    key = _key()
    assert review.score_review(key, [_comment(22, "blocking", "this leaks")]).passed  # within the tolerance
    assert not review.score_review(key, [_comment(30, "blocking", "this leaks")]).passed
    assert review.score_review(key, [_comment(20, "nit", "this leaks")]).under_rated
    assert review.score_review(key, [_comment(20, "blocking", "I do not like it")]).unnamed


def test_false_alarms_misplaced_bugs_and_over_rated_nits():
    key = _key()
    score = review.score_review(key, [_comment(20, "blocking", "leak"), _comment(23, "blocking", "wrong", 2)])
    assert [lead.why for _, lead in score.false_alarms] == ["fine"]  # exactly at a false lead: an alarm
    score = review.score_review(key, [_comment(60, "blocking", "a leak here")])
    assert score.misplaced and score.false_alarms and not score.passed
    score = review.score_review(key, [_comment(20, "blocking", "leak"), _comment(40, "blocking", "naming", 2)])
    assert score.over_rated and not score.passed
    score = review.score_review(key, [_comment(20, "blocking", "leak"), _comment(40, "nit", "naming", 2)])
    assert score.passed and score.noted


def test_the_keys_load_with_their_categories():
    keys = review.keys()
    assert {k.number for k in keys.values()} == {1, 2, 3, 4}
    assert all(f.category in review.categories() for k in keys.values() for f in k.findings)
    assert review.key_table(review.key_for(1))[0]["severity"] == "blocking"
