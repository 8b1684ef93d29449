"""Small display helpers the notebooks share, so each notebook cell reads as narrative.

- :func:`source` shows a function's (or class's) real source, indentation intact. Never paste
  ``inspect.getsource(...)`` into an indented f-string: ``mo.md`` dedents the whole text and
  the displayed Python loses its structure.
- :func:`code_block` shows any code text the same way.
- :func:`pause_and_think` is the "Pause and think" block: the question in the open, the
  discussion one click away.
- :func:`fine_print` is the "How sure are we?" accordion for the statistical care behind a
  main-line claim.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any


def source_text(obj: Any) -> str:
    """The source of a function, class or module, dedented, without trailing blank lines."""
    return textwrap.dedent(inspect.getsource(obj)).rstrip()


def _fence(text: str) -> str:
    longest = max((len(line) - len(line.lstrip("`")) for line in text.splitlines() if line.startswith("```")),
                  default=0)
    return "`" * max(3, longest + 1)


def code_block(text: str, language: str = "python"):
    """A fenced code block rendered by marimo, showing *text* exactly (indentation kept)."""
    import marimo as mo

    text = textwrap.dedent(text).strip("\n")
    fence = _fence(text)
    return mo.md(f"{fence}{language}\n{text}\n{fence}")


def source(obj: Any):
    """The real source of *obj* as a Python code block."""
    return code_block(source_text(obj))


def pause_and_think(question: str, discussion, *, number: int | None = None):
    """A "Pause and think" question in the open and its worked discussion inside an accordion.

    *discussion* is Markdown text or any marimo element (for example ``mo.md(f"...")`` with
    computed numbers)."""
    import marimo as mo

    label = f"**{number}. {question}**" if number is not None else f"**{question}**"
    body = mo.md(discussion) if isinstance(discussion, str) else discussion
    return mo.vstack([mo.md(label), mo.accordion({"Discussion": body})])


def fine_print(body, title: str = "How sure are we?"):
    """The statistical fine print behind a main-line claim, one click away."""
    import marimo as mo

    return mo.accordion({title: mo.md(body) if isinstance(body, str) else body})
