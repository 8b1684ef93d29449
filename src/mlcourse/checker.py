"""A small exercise checker for marimo notebooks.

Each exercise is declared once, in the course package::

    square = Exercise(
        id="9.1", title="Square a number",
        check=check_square,                 # raises Incorrect("...") or NotAttempted()
        hints=["Multiply the number by itself.", "`x * x` or `x ** 2`"],
        solution=solution_square,           # a function; its source is what the learner sees
    )

and a notebook only calls it: ``square.check(learner_function)`` renders a callout
(not attempted / incorrect with a specific message / correct) and ``square.help()``
renders the tiered hints and the solution, each behind its own accordion item.

The contract, tested for every exercise: the check never raises at the learner. A
learner's exception, a wrong type or a checker bug all become a clear message.
"""

from __future__ import annotations

import inspect
import re
import sysconfig
import textwrap
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NOT_ATTEMPTED = "not_attempted"
INCORRECT = "incorrect"
CORRECT = "correct"

_REGISTRY: dict[str, Exercise] = {}


class Incorrect(Exception):
    """Raise inside a check function to fail the learner's answer with this message."""


class NotAttempted(Exception):
    """Raise inside a check function when the learner's answer is still the stub."""


@dataclass(frozen=True)
class Result:
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == CORRECT


def is_stub(value: Any) -> bool:
    """Stubs in the exercise notebooks are ``...`` (Ellipsis) or None."""
    return value is ... or value is None


def call_learner(fn: Any, *args: Any, what: str = "your function", **kwargs: Any) -> Any:
    """Call learner code; turn its exceptions into a message about *their* code."""
    if not callable(fn):
        raise Incorrect(f"Expected {what} to be a function, got {type(fn).__name__}.")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        raise NotAttempted(f"{what} still raises NotImplementedError: replace the TODO.") from exc
    except (Incorrect, NotAttempted):
        raise
    except Exception as exc:  # the learner's bug, reported as a message, not a traceback
        line = _learner_line(exc)
        where = f" (at `{line}`)" if line else ""
        raise Incorrect(f"{what} raised {type(exc).__name__}: {exc}{where}") from exc


_NOT_LEARNER_CODE = tuple(
    {str(Path(__file__).resolve().parent)}
    | {str(Path(p).resolve()) for key in ("stdlib", "platstdlib", "purelib", "platlib")
       if (p := sysconfig.get_paths().get(key))}
)


def _learner_line(exc: BaseException) -> str:
    """The deepest traceback line in the learner's own code (not the course, a library or Python)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        filename = str(Path(frame.filename).resolve())
        if frame.line and not filename.startswith(_NOT_LEARNER_CODE) and "site-packages" not in filename:
            return frame.line.strip()
    return ""


@dataclass
class Exercise:
    """One checked exercise: what it checks, hints from gentle to explicit, a solution."""

    id: str
    title: str
    check_fn: Callable[..., str | None]
    hints: list[str]
    solution: Callable[..., Any] | str
    solution_note: str = ""
    extra_solutions: list[Callable[..., Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        previous = _REGISTRY.get(self.id)
        if previous is not None and _identity(previous.check_fn) != _identity(self.check_fn):
            raise ValueError(f"Exercise id {self.id!r} is declared twice: {previous.title!r} "
                             f"({_identity(previous.check_fn)}) and {self.title!r} ({_identity(self.check_fn)}).")
        _REGISTRY[self.id] = self  # the same declaration again (a module reloaded) replaces itself

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, *answers: Any, record: bool = True) -> Result:
        """Check the answer(s) and return a Result; never raises."""
        if answers and all(is_stub(a) for a in answers):
            result = Result(NOT_ATTEMPTED, "Not attempted yet: replace the `...` in the cell above, then this check runs again.")
        else:
            result = self._run(*answers)
        if record:
            from mlcourse import progress

            progress.record(self.id, result.status)
        return result

    def _run(self, *answers: Any) -> Result:
        try:
            message = self.check_fn(*answers)
        except NotAttempted as exc:
            return Result(NOT_ATTEMPTED, str(exc) or "Not attempted yet: fill in the TODO above.")
        except Incorrect as exc:
            return Result(INCORRECT, str(exc))
        except Exception as exc:  # a checker bug: say so plainly, never show a traceback
            return Result(INCORRECT, "The checker could not evaluate this answer "
                                     f"({type(exc).__name__}: {exc}). Check the expected type and "
                                     "shape in the instructions; if your answer matches them, this "
                                     "is a bug in the course, please report it.")
        return Result(CORRECT, message or "Correct!")

    # ------------------------------------------------------------------ rendering
    def check(self, *answers: Any):
        """Evaluate and render the verdict as a marimo callout."""
        import marimo as mo

        result = self.evaluate(*answers)
        kind = {CORRECT: "success", INCORRECT: "warn", NOT_ATTEMPTED: "neutral"}[result.status]
        label = {CORRECT: "Correct", INCORRECT: "Not yet", NOT_ATTEMPTED: "Not attempted"}[result.status]
        return mo.callout(mo.md(f"**Exercise {self.id} · {label}.** {safe_markdown(result.message)}"), kind=kind)

    def solution_source(self) -> str:
        if isinstance(self.solution, str):
            return textwrap.dedent(self.solution).strip()
        return textwrap.dedent(inspect.getsource(self.solution)).strip()

    def help(self):
        """Tiered hints and the solution, each revealed on request."""
        import marimo as mo

        items = {f"Hint {i}": mo.md(h) for i, h in enumerate(self.hints, start=1)}
        note = f"\n\n{self.solution_note}" if self.solution_note else ""
        items["Solution (try the hints first)"] = mo.md(f"```python\n{self.solution_source()}\n```{note}")
        return mo.accordion(items)


_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def escape_dollars(text: str) -> str:
    """Every unescaped $ written as \\$: in Markdown a pair of $ starts a formula, and
    messages about prices ("RMSE $4.99, the target was $5.21") must stay text."""
    return _UNESCAPED_DOLLAR.sub(r"\\$", text)


def _identity(fn: Callable) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)


def safe_markdown(text: str) -> str:
    """A message made safe to render: outside code spans, every $ is escaped (no formulas) and
    every < and > is an entity (no HTML tag swallowed by the browser); code spans stay as written."""
    out, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_escape_prose(text[last:match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(_escape_prose(text[last:]))
    return "".join(out)


def _escape_prose(text: str) -> str:
    return escape_dollars(text).replace("<", "&lt;").replace(">", "&gt;")


def registry() -> dict[str, Exercise]:
    """Every exercise declared so far (import the exercise modules to fill it)."""
    return dict(_REGISTRY)
