"""Run a sample pull request's behavioural checks (and its measurements) in one process; print JSON.

    python -m tests.review_checks.run tests/review_checks/pr1_card_price_trend.py [more test files] [--measure]

Used by tests/test_sample_prs.py in a copy of the repository with the pull request applied: the
last line of the output is ``{"outcomes": {test id: "passed" | "failed" | ...}, "measured": {...}}``.
"""

from __future__ import annotations

import importlib
import json
import sys

import pytest


class _Outcomes:
    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.messages: dict[str, str] = {}

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or report.failed or report.skipped:
            self.outcomes[report.nodeid] = report.outcome
            if report.failed:
                self.messages[report.nodeid] = str(report.longrepr)[-1500:]


def main(argv: list[str]) -> int:
    measure = "--measure" in argv
    paths = [a for a in argv if a != "--measure"]
    collector = _Outcomes()
    pytest.main([*paths, "-q", "-n0", "-p", "no:cacheprovider", "-p", "no:randomly"], plugins=[collector])
    measured = {}
    if measure:
        module = importlib.import_module(paths[0].removesuffix(".py").replace("/", "."))
        measured = module.measure()
    print(json.dumps({"outcomes": collector.outcomes, "messages": collector.messages, "measured": measured}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
