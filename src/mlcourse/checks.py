"""The shared vocabulary of exercise checks.

A check is a few declarative lines built from these helpers. Each ``expect_*`` either returns
the value it vetted (converted to the type the check works with) or raises
:class:`~mlcourse.checker.Incorrect` / :class:`~mlcourse.checker.NotAttempted` with a message
of one shape: *what* was looked at, what was expected, what was found::

    def check_share(fn) -> str:
        expect_answered(fn)
        expect_cases(fn, [
            Case((actual, predicted, 10.0), want=0.8, label="the example from the notebook", seen=True),
            Case((other_actual, other_predicted, 5.0), want=0.25, label="listings you have not seen"),
        ], what="share_within")
        return "Correct: ..."

Messages are Markdown (the notebook renders them in a callout). Anything that quotes data or
a library's words goes through :func:`show` or :func:`code`, so a column called ``<table>``
is displayed, not swallowed by the browser as an HTML tag, and numbers never appear as
``np.float64(4.2)``.

Prose helpers (:func:`words`, :func:`sentences`, :func:`quantities_in`, :func:`mentions`,
:func:`endorses`, :func:`quantity_near`...) check what a text *does* (a number tied to its
subject, a recommendation tied to the right option), never only that some word occurs.
They cannot judge whether an argument is good: every prose exercise carries a rubric and a
model answer for that, and its check says so.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlcourse.checker import Incorrect, NotAttempted, call_learner, is_stub

__all__ = [
    "Case", "ProseRule", "call_learner", "code", "endorses", "expect_answered", "expect_array",
    "expect_cases", "expect_choice", "expect_close", "expect_frame", "expect_mapping", "expect_number",
    "expect_prose", "expect_records", "expect_series", "expect_text", "expect_timestamp", "expect_type",
    "fmt", "is_filler", "is_untouched_text", "md_escape", "mentions", "numbers_in", "quantities_in",
    "quantity_near", "sentences", "sentences_with", "show", "words",
]

# ======================================================================================
# Showing values in messages
# ======================================================================================
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~$])")


def md_escape(text: object) -> str:
    """Text that Markdown (and the HTML under it) shows literally: ``<table>`` stays visible,
    ``*`` and ``_`` do not start emphasis, ``$`` does not start a formula."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def code(text: object) -> str:
    """An inline code span that shows *text* exactly, whatever backticks it contains."""
    text = str(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fmt(value: object, unit: str = "", digits: int | None = None) -> str:
    """A number as a person writes it: ``$4.32``, ``12.5%``, ``1,234``, ``0.0031``; never a numpy repr.

    *unit* is ``"$"`` (dollars, two decimals), ``"%"`` (a share given as a fraction: 0.125 -> 12.5%),
    or any suffix (``"ms"``, ``"x"``, ``" months"``).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return show(value)
    x = float(value)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return ("-" if x < 0 else "") + "inf"
    if unit == "$":
        d = 2 if digits is None else digits
        return f"-${abs(x):,.{d}f}" if x < 0 else f"${x:,.{d}f}"
    if unit == "%":
        d = 1 if digits is None else digits
        return f"{100 * x:.{d}f}%"
    if digits is not None:
        text = f"{x:,.{digits}f}"
    elif x == int(x) and abs(x) < 1e15:
        text = f"{int(x):,}"
    elif abs(x) >= 1000:
        text = f"{x:,.0f}"
    else:
        text = f"{x:.4g}"
    return f"{text}{unit}"


def show(value: object, limit: int = 80) -> str:
    """A short, Markdown-safe rendering of any value a learner gave us, for a message."""
    if value is None or value is ...:
        return code(repr(value))
    if isinstance(value, bool):
        return code(repr(value))
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return fmt(value)
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 3] + "..."
        return code(repr(text) if not text.strip() else text)
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame of {len(value):,} rows and columns {code(list(map(str, value.columns))[:8])}"
    if isinstance(value, pd.Series):
        return f"a Series of {len(value):,} values"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if callable(value):
        return f"the function {code(getattr(value, '__name__', type(value).__name__))}"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that raises is the learner's object's problem
        text = f"<{type(value).__name__}>"
    text = re.sub(r"np\.(float|int)\d+\(([^)]*)\)", r"\2", text)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return code(text)


def _type_name(value: object) -> str:
    return "None" if value is None else type(value).__name__


# ======================================================================================
# Answers: attempted, of the right type, the right shape
# ======================================================================================
def is_untouched_text(value: object) -> bool:
    """A stub, an empty string, or a text that still holds its ``TODO``."""
    return is_stub(value) or (isinstance(value, str) and (not value.strip() or "TODO" in value))


def expect_answered(*values: object, message: str = "") -> None:
    """NotAttempted when every value is still a stub (``...``, None, an empty or TODO text)."""
    if all(is_untouched_text(v) or (isinstance(v, Mapping) and v and all(is_untouched_text(x) for x in v.values()))
           for v in values):
        raise NotAttempted(message or "Not attempted yet: replace the `...` (or the TODO) in the cell above.")


def expect_type(value: object, types: type | tuple[type, ...], what: str, hint: str = "") -> Any:
    """*value* itself, if it is an instance of *types* (bool is never accepted as a number)."""
    wanted = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool) and bool not in wanted:
        ok = False
    else:
        ok = isinstance(value, wanted)
    if not ok:
        names = " or ".join(t.__name__ for t in wanted)
        raise Incorrect(f"{what} should be a {names}, got {_type_name(value)} ({show(value)}).{_sp(hint)}")
    return value


def expect_number(value: object, what: str, *, finite: bool = True, lo: float | None = None,
                  hi: float | None = None, unit: str = "") -> float:
    """A real number (int, float or numpy scalar; not a bool, not a string), as a float."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        extra = ""
        if isinstance(value, str) and numbers_in(value):
            extra = " Write the number itself, without quotes."
        raise Incorrect(f"{what} should be a number, got {_type_name(value)} ({show(value)}).{extra}")
    x = float(value)
    if finite and not math.isfinite(x):
        raise Incorrect(f"{what} should be a finite number, got {fmt(x)}.")
    if lo is not None and x < lo:
        raise Incorrect(f"{what} should be at least {fmt(lo, unit)}, got {fmt(x, unit)}.")
    if hi is not None and x > hi:
        raise Incorrect(f"{what} should be at most {fmt(hi, unit)}, got {fmt(x, unit)}.")
    return x


def expect_close(got: object, want: float, what: str, *, rel: float = 1e-6, abs_tol: float = 1e-9,
                 unit: str = "", hint: str = "") -> float:
    """*got* as a float, if within ``max(rel * |want|, abs_tol)`` of *want*."""
    x = expect_number(got, what, unit=unit)
    if not math.isclose(x, float(want), rel_tol=rel, abs_tol=abs_tol):
        tol = max(rel * abs(float(want)), abs_tol)
        within = f" (within {fmt(tol, unit if unit != '%' else '')})" if tol >= 1e-6 else ""
        raise Incorrect(f"{what}: expected {fmt(want, unit)}{within}, got {fmt(x, unit)}.{_sp(hint)}")
    return x


def expect_array(value: object, what: str, *, length: int | None = None, finite: bool = True,
                 dtype: type = float) -> np.ndarray:
    """A one-dimensional numeric array (from a list, tuple, Series, array...), of *length* if given."""
    if value is None:
        raise Incorrect(f"{what} is None. Did you forget `return`?")
    if isinstance(value, str | bytes | Mapping) or np.ndim(value) == 0 and not hasattr(value, "__len__"):
        raise Incorrect(f"{what} should be an array of numbers, got {_type_name(value)} ({show(value)}).")
    if isinstance(value, pd.DataFrame):
        if value.shape[1] != 1:
            raise Incorrect(f"{what} should be one column of numbers, got a DataFrame with {value.shape[1]} columns.")
        value = value.iloc[:, 0]
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"{what} should hold numbers only; it could not be read as numbers ({md_escape(exc)}).") from exc
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1:
        raise Incorrect(f"{what} should be one-dimensional, got shape {array.shape}.")
    if length is not None and len(array) != length:
        raise Incorrect(f"{what} has {len(array):,} values; expected {length:,} (one per row).")
    if finite and dtype is float:
        bad = ~np.isfinite(array)
        if bad.any():
            kind = "NaN" if np.isnan(array[bad]).any() else "infinite"
            raise Incorrect(f"{what} holds {int(bad.sum()):,} {kind} value(s) (the first at position "
                            f"{int(np.argmax(bad))}): every value must be a finite number.")
    return array


def expect_series(value: object, what: str, *, index: pd.Index, finite: bool = True,
                  numeric: bool = True) -> pd.Series:
    """A Series aligned on *index* by label: the same labels in another order are re-ordered, not
    misread; a plain array or list is accepted in the row order of *index*."""
    if isinstance(value, pd.DataFrame) and value.shape[1] == 1:
        value = value.iloc[:, 0]
    if isinstance(value, pd.Series):
        if not value.index.is_unique:
            raise Incorrect(f"{what} has repeated index labels; return one value per row of the input.")
        if value.index.equals(index):
            series = value
        elif len(value) == len(index) and set(value.index) == set(index):
            series = value.reindex(index)  # another row order: align on the labels
        else:
            missing = index.difference(value.index)
            extra = value.index.difference(index)
            if len(missing) == len(index) and len(value) == len(index):
                raise Incorrect(f"{what} has {len(value):,} values but none of the input's index labels (it was "
                                "probably re-indexed, e.g. by `reset_index`); keep the input's index.")
            detail = (f"{len(missing):,} input row(s) have no value (e.g. label {show(missing[0])})" if len(missing)
                      else f"{len(extra):,} label(s) are not in the input (e.g. {show(extra[0])})")
            raise Incorrect(f"{what} should have one value per input row, with the input's index: {detail}.")
    else:
        array = expect_array(value, what, length=len(index), finite=False, dtype=float if numeric else object)
        series = pd.Series(array, index=index)
    if numeric:
        try:
            series = series.astype(float)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{what} should hold numbers; {md_escape(exc)}.") from exc
        if finite:
            bad = ~np.isfinite(series.to_numpy())
            if bad.any():
                raise Incorrect(f"{what} holds {int(bad.sum()):,} missing or infinite value(s) (the first at "
                                f"label {show(series.index[bad][0])}).")
    return series


def expect_frame(value: object, what: str, *, columns: Iterable[str] = (), rows: int | None = None,
                 min_rows: int | None = None, allow_polars: bool = True) -> pd.DataFrame:
    """A pandas DataFrame (a polars one is converted) with at least *columns*, and *rows* rows if given."""
    if allow_polars and type(value).__module__.startswith("polars"):
        try:
            value = value.to_pandas()
        except Exception as exc:  # noqa: BLE001 - whatever polars raises, say it plainly
            raise Incorrect(f"{what} could not be converted from polars to pandas ({md_escape(exc)}).") from exc
    if value is None:
        raise Incorrect(f"{what} is None. Did you forget `return`?")
    if not isinstance(value, pd.DataFrame):
        raise Incorrect(f"{what} should be a DataFrame, got {_type_name(value)} ({show(value)}).")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise Incorrect(f"{what} is missing the column(s) {', '.join(code(c) for c in missing)}; it has "
                        f"{', '.join(code(c) for c in map(str, value.columns[:12]))}.")
    if rows is not None and len(value) != rows:
        raise Incorrect(f"{what} has {len(value):,} rows; expected {rows:,}.")
    if min_rows is not None and len(value) < min_rows:
        raise Incorrect(f"{what} has {len(value):,} rows; expected at least {min_rows:,}.")
    return value


def expect_mapping(value: object, what: str, *, keys: Sequence[str], extra: bool = False) -> dict:
    """A dict with every key of *keys* (and, unless *extra*, no other)."""
    if not isinstance(value, Mapping):
        raise Incorrect(f"{what} should be a dict with the keys {', '.join(code(k) for k in keys)}, got "
                        f"{_type_name(value)}.")
    missing = [k for k in keys if k not in value]
    if missing:
        raise Incorrect(f"{what} is missing the key(s) {', '.join(code(k) for k in missing)}.")
    unknown = [k for k in value if k not in keys]
    if unknown and not extra:
        raise Incorrect(f"{what} has unexpected key(s) {', '.join(show(k) for k in unknown)}; the keys are "
                        f"{', '.join(code(k) for k in keys)}.")
    return dict(value)


def _norm_choice(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().lower())


def expect_choice(value: object, options: Sequence[str], what: str) -> str:
    """One of *options* (case, spaces, hyphens and underscores forgiven), returned as written in *options*."""
    if is_stub(value):
        raise Incorrect(f"{what} is still `...`: choose one of {', '.join(code(o) for o in options)}.")
    if not isinstance(value, str):
        raise Incorrect(f"{what} should be one of {', '.join(code(o) for o in options)} (a string), got "
                        f"{_type_name(value)} ({show(value)}).")
    by_norm = {_norm_choice(o): o for o in options}
    got = by_norm.get(_norm_choice(value))
    if got is None:
        raise Incorrect(f"{what} is {show(value)}; choose one of {', '.join(code(o) for o in options)}.")
    return got


def expect_text(value: object, what: str, *, min_words: int = 0, max_words: int | None = None) -> str:
    """A string, not a stub, not filler, between *min_words* and *max_words* words."""
    if is_untouched_text(value):
        raise Incorrect(f"{what} is still empty or holds its TODO.")
    if not isinstance(value, str):
        raise Incorrect(f"{what} should be text (a string), got {_type_name(value)} ({show(value)}).")
    n = len(words(value))
    if n < min_words:
        raise Incorrect(f"{what} has {n} words; write at least {min_words}.")
    if max_words is not None and n > max_words:
        raise Incorrect(f"{what} has {n} words; keep it to at most {max_words}.")
    if min_words and is_filler(value, min_words):
        raise Incorrect(f"{what} does not read as sentences (too few distinct words): write it for a colleague.")
    return value


_TIME_FORMATS_HINT = "an ISO timestamp such as `2025-03-14 09:30` (or a pandas Timestamp)"


def expect_timestamp(value: object, what: str) -> pd.Timestamp:
    """A point in time: a pandas/py datetime or an ISO string; returned as a naive UTC Timestamp."""
    if is_stub(value):
        raise Incorrect(f"{what} is still `...`: give {_TIME_FORMATS_HINT}.")
    if isinstance(value, bool) or isinstance(value, numbers.Number):
        raise Incorrect(f"{what} should be a time, {_TIME_FORMATS_HINT}; got the number {fmt(value)}.")
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"{what} could not be read as a time ({show(value)}): give {_TIME_FORMATS_HINT}.") from exc
    if pd.isna(stamp):
        raise Incorrect(f"{what} is not a time ({show(value)}): give {_TIME_FORMATS_HINT}.")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def expect_records(value: object, what: str, *, fields: Sequence[str], optional: Sequence[str] = (),
                   min_count: int = 0) -> list[dict]:
    """A list of records (dicts with *fields*; tuples in the order of *fields* are accepted too)."""
    if isinstance(value, pd.DataFrame):
        value = value.to_dict("records")
    if isinstance(value, Mapping) or isinstance(value, str) or not isinstance(value, Iterable):
        raise Incorrect(f"{what} should be a list of records with the fields {', '.join(code(f) for f in fields)}, "
                        f"got {_type_name(value)}.")
    records = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, Mapping):
            record = dict(item)
        elif isinstance(item, tuple | list) and len(item) in range(len(fields), len(fields) + len(optional) + 1):
            record = dict(zip([*fields, *optional], item, strict=False))
        else:
            raise Incorrect(f"{what}: item {i} should be a dict with the fields {', '.join(code(f) for f in fields)}, "
                            f"got {_type_name(item)} ({show(item)}).")
        missing = [f for f in fields if f not in record]
        if missing:
            raise Incorrect(f"{what}: item {i} has no {', '.join(code(f) for f in missing)}.")
        records.append(record)
    if len(records) < min_count:
        raise Incorrect(f"{what} has {len(records)} item(s); expected at least {min_count}.")
    return records


# ======================================================================================
# A learner's function on several inputs
# ======================================================================================
@dataclass
class Case:
    """One call of a learner's function and what it must return.

    *want* is the expected value, or a function ``want(got) -> str | None`` returning a
    complaint. *seen* says whether the learner has seen this input in the notebook: every
    :func:`expect_cases` call needs at least one unseen case, so a function that ignores its
    inputs (or returns what it printed once) cannot pass.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    want: Any = None
    label: str = ""
    seen: bool = False
    rel: float = 1e-6
    abs_tol: float = 1e-9
    unit: str = ""


def _compare(got: Any, want: Any, case: Case, what: str) -> str | None:
    if callable(want):
        return want(got)
    if isinstance(want, pd.DataFrame | pd.Series | np.ndarray | list | tuple):
        got_array = expect_array(got, what, length=len(want), finite=False)
        want_array = np.asarray(want, dtype=float)
        if np.allclose(got_array, want_array, rtol=case.rel, atol=case.abs_tol, equal_nan=True):
            return None
        worst = int(np.nanargmax(np.abs(got_array - want_array)))
        return f"at position {worst} expected {fmt(want_array[worst], case.unit)}, got {fmt(got_array[worst], case.unit)}"
    if isinstance(want, numbers.Real) and not isinstance(want, bool):
        x = expect_number(got, what, finite=math.isfinite(float(want)), unit=case.unit)
        if math.isclose(x, float(want), rel_tol=case.rel, abs_tol=case.abs_tol):
            return None
        return f"expected {fmt(want, case.unit)}, got {fmt(x, case.unit)}"
    return None if got == want else f"expected {show(want)}, got {show(got)}"


def expect_cases(fn: object, cases: Sequence[Case], what: str, *, hint: Callable[[Case, Any], str] | None = None) -> list:
    """Call *fn* on every case and compare; the outputs, if all match.

    At least one case must be unseen (raises ValueError for the course author otherwise). A
    function returning the same value for cases that expect different values is told that
    it ignores its inputs.
    """
    if not any(not c.seen for c in cases):
        raise ValueError("expect_cases needs at least one case the learner has not seen")
    outputs = []
    for case in cases:
        label = f" on {case.label}" if case.label else ""
        got = call_learner(fn, *case.args, what=f"{what}{label}", **case.kwargs)
        if got is None and case.want is not None:
            raise Incorrect(f"{what}{label} returned None. Did you forget `return`?")
        problem = _compare(got, case.want, case, f"{what}{label}")
        if problem:
            if len(outputs) and all(_same(got, o) for o in outputs) and not all(_same(case.want, c.want) for c in cases[:len(outputs)]):
                raise Incorrect(f"{what} returned the same answer for different inputs ({problem}{label}): it seems to "
                                "ignore its arguments. Compute the result from the inputs it is given.")
            extra = f" {hint(case, got)}" if hint else ""
            raise Incorrect(f"{what}{label}: {problem}.{extra}")
        outputs.append(got)
    return outputs


def _same(a: Any, b: Any) -> bool:
    try:
        if callable(a) or callable(b):
            return False
        return bool(np.all(np.asarray(a, dtype=float) == np.asarray(b, dtype=float)))
    except (TypeError, ValueError):
        try:
            return bool(a == b)
        except Exception:  # noqa: BLE001
            return False


# ======================================================================================
# Prose
# ======================================================================================
_WORD = re.compile(r"[A-Za-z0-9$€%][\w$€%.,'’/-]*")
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?|(?<![\w.])-?\.\d+")
_STOPWORDS = frozenset("""a an and are as at be but by for from has have i if in is it its of on or so that the
their then there this to was we were will with you your not no our they them he she his her do does""".split())


def words(text: str) -> list[str]:
    """The words of a text (numbers and $ amounts count as words)."""
    return _WORD.findall(text)


def is_filler(text: str, min_words: int = 5) -> bool:
    """True for text that has words but no content: "x x x x x", "asdf asdf", "lorem ipsum" repeated.

    It asks for at least ``min(min_words, 4)`` distinct content words (two letters or more, not a
    stopword), and that no single word is more than half of the text."""
    tokens = [w.lower().strip(".,'’") for w in words(text)]
    content = {w for w in tokens if len(w) >= 2 and re.search(r"[a-z]", w) and w not in _STOPWORDS}
    if len(content) < min(min_words, 4):
        return True
    if tokens:
        top = max(tokens.count(w) for w in set(tokens))
        if len(tokens) >= 6 and top > len(tokens) / 2:
            return True
    return False


_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|vs|etc|approx|incl|no|fig|mr|ms|dr)\.", re.I)


def sentences(text: str) -> list[str]:
    """The sentences (and list items, and lines) of a text."""
    protected = _ABBREVIATIONS.sub(lambda m: m.group().replace(".", "\u2024"), text)
    protected = re.sub(r"(?<=\d)\.(?=\d)", "\u2024", protected)
    parts = re.split(r"(?<=[.!?;])\s+|\n\s*[-*\d.)]*\s*", protected)
    return [p.replace("\u2024", ".").strip() for p in parts if p and p.strip()]


def _term_pattern(term: str) -> str:
    if term.startswith("re:"):
        return term[3:]
    escaped = re.escape(term).replace(r"\ ", r"[\s_-]+")
    return rf"(?<![\w-]){escaped}(?![\w])"


def mentions(text: str, *terms: str) -> bool:
    """Does *text* name any of *terms* as a whole word or phrase (case-insensitive)?

    A term starting with ``re:`` is a regular expression."""
    return any(re.search(_term_pattern(t), text, re.I) for t in terms)


def sentences_with(text: str, *terms: str) -> list[str]:
    """The sentences of *text* that mention any of *terms*."""
    return [s for s in sentences(text) if mentions(s, *terms)]


_NEGATION_BEFORE = re.compile(
    r"\b(not|never|no|n't|instead of|rather than|over|against|avoid|reject|rejects|rejected|drop|dropped|"
    r"skip|without|than|unlike|except|cannot|can't|won't|don't|shouldn't|wouldn't)\b[^.;,]*$", re.I)
_NEGATION_AFTER = re.compile(r"^[^.;]{0,40}\b(is|was|would be|are)\s+(not|too|worse|unsuitable|ruled out)\b", re.I)
_ENDORSE = re.compile(r"\b(recommend\w*|suggest\w*|choose|chose|chosen|pick\w*|go with|going with|ship\w*|deploy\w*|"
                      r"use|using|adopt\w*|prefer\w*|select\w*|propose\w*|should|best|winner|switch to|stick with)\b",
                      re.I)


def endorses(text: str, term: str, rivals: Sequence[str] = ()) -> bool:
    """Does *text* recommend *term* (not merely mention it)?

    True when some sentence names *term* with a word of recommendation and without a negation
    attached to it ("we should not use X", "X rather than Y" endorses X, not Y), and names none
    of *rivals* in a more favourable position. A heuristic: it reads sentences, not arguments."""
    for sentence in sentences(text):
        match = re.search(_term_pattern(term), sentence, re.I)
        if not match or not _ENDORSE.search(sentence):
            continue
        before, after = sentence[: match.start()], sentence[match.end():]
        clause = re.split(r"[,;:]|\bbut\b|\bwhile\b|\bwhereas\b", before)[-1]
        if _NEGATION_BEFORE.search(clause) or _NEGATION_AFTER.search(after):
            continue
        if any(_rival_endorsed_before(sentence, match.start(), r) for r in rivals):
            continue
        return True
    return False


def _rival_endorsed_before(sentence: str, term_start: int, rival: str) -> bool:
    """True when *rival* comes first and the term follows a "rather than / instead of / over" after it."""
    rival_match = re.search(_term_pattern(rival), sentence[:term_start], re.I)
    if not rival_match:
        return False
    between = sentence[rival_match.end():term_start]
    return bool(re.search(r"\b(rather than|instead of|over|not|than|beats?|better than)\b", between, re.I))


_UNIT_BEFORE = re.compile(r"(\$|USD\s?|US\$|€|EUR\s?)\s?$", re.I)
_UNIT_AFTER = [
    ("$", re.compile(r"^\s?(dollars?|usd)\b", re.I)),
    ("%", re.compile(r"^\s?(%|percent\b|per cent\b|pp\b|percentage points?\b)", re.I)),
    ("months", re.compile(r"^[\s-]?months?\b", re.I)),
    ("weeks", re.compile(r"^[\s-]?weeks?\b", re.I)),
    ("days", re.compile(r"^[\s-]?days?\b", re.I)),
    ("hours", re.compile(r"^[\s-]?(hours?|h)\b", re.I)),
    ("minutes", re.compile(r"^[\s-]?(minutes?|mins?)\b", re.I)),
    ("ms", re.compile(r"^[\s-]?(ms|milliseconds?)\b", re.I)),
    ("s", re.compile(r"^[\s-]?(s|seconds?|secs?)\b", re.I)),
    ("x", re.compile(r"^\s?(x|×|times)(?![\w])", re.I)),
]
_SCALE_AFTER = re.compile(r"^\s?(k|thousand|m|million|bn|billion)\b", re.I)
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}


def numbers_in(text: str) -> list[float]:
    """Every number written in a text ("$9,200", "9.8 months", "23%" give 9200, 9.8, 23)."""
    return [value for value, _ in quantities_in(text)]


def quantities_in(text: str) -> list[tuple[float, str | None]]:
    """Every number in a text with its unit: ``$``, ``%``, ``months``, ``weeks``, ``days``, ``hours``,
    ``minutes``, ``ms``, ``s``, ``x`` or None. "$12k" is 12,000 dollars; "1.2 million" is 1,200,000."""
    found: list[tuple[float, str | None]] = []
    for match in _NUMBER.finditer(text):
        token = match.group()
        try:
            value = float(token.replace(",", ""))
        except ValueError:  # pragma: no cover - the pattern only matches numbers
            continue
        before = text[max(0, match.start() - 5):match.start()]
        after = text[match.end():match.end() + 24]
        scale = _SCALE_AFTER.match(after)
        if scale and not (scale.group(1).lower() == "m" and re.match(r"^\s?m\s?(in|s)\b", after, re.I)):
            value *= _SCALES[scale.group(1).lower()]
            after = after[scale.end():]
        unit = "$" if _UNIT_BEFORE.search(before) else None
        if unit is None:
            for name, pattern in _UNIT_AFTER:
                if pattern.match(after):
                    unit = name
                    break
        found.append((value, unit))
    return found


def quantity_near(text: str, value: float, *, unit: str | None, rel: float = 0.02, abs_tol: float = 0.0,
                  subject: Sequence[str] = ()) -> bool:
    """Does *text* state *value* (in *unit*; None accepts a bare number), within the tolerance, in a
    sentence that also names one of *subject* (when given)? A "7-month rollout" does not state a
    7-month payback unless the sentence is about the payback."""
    pool = sentences_with(text, *subject) if subject else [text]
    for sentence in pool:
        for got, got_unit in quantities_in(sentence):
            if unit is not None and got_unit != unit:
                continue
            if math.isclose(got, value, rel_tol=rel, abs_tol=abs_tol):
                return True
    return False


@dataclass
class ProseRule:
    """One thing a text must do (``test`` returns True when it does) and what to say when it does not."""

    name: str
    test: Callable[[str], bool]
    message: str


def expect_prose(value: object, what: str, *, min_words: int = 0, max_words: int | None = None,
                 rules: Sequence[ProseRule] = (), forbid: Sequence[str] = ()) -> str:
    """A text that passes :func:`expect_text`, names none of *forbid* (whole words), and passes every rule."""
    text = expect_text(value, what, min_words=min_words, max_words=max_words)
    for term in forbid:
        if mentions(text, term):
            raise Incorrect(f"{what} uses {code(term.removeprefix('re:'))}: say it in plain words for this reader.")
    for rule in rules:
        if not rule.test(text):
            raise Incorrect(f"{what}: {rule.message}")
    return text


def _sp(hint: str) -> str:
    return f" {hint}" if hint else ""
