"""Exercise messages are rendered as Markdown, where a pair of $ signs starts a formula.

Messages about prices ("RMSE $4.99, the target was $5.21") would turn into math. The
course's checks escape their dollar signs with ``dollar_safe``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from mlcourse.checker import Incorrect, NotAttempted

_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def escape_dollars(text: str) -> str:
    """``text`` with every unescaped $ written as \\$ (a literal dollar sign in Markdown)."""
    return _UNESCAPED_DOLLAR.sub(r"\\$", text)


def dollar_safe(check_fn: Callable[..., str | None]) -> Callable[..., str | None]:
    """Wrap a check function so its verdict messages show dollar amounts as text."""

    @functools.wraps(check_fn)
    def wrapper(*answers: Any) -> str | None:
        try:
            message = check_fn(*answers)
        except Incorrect as exc:
            raise Incorrect(escape_dollars(str(exc))) from exc
        except NotAttempted as exc:
            if str(exc):
                raise NotAttempted(escape_dollars(str(exc))) from exc
            raise
        return escape_dollars(message) if message else message

    return wrapper
