"""Run the reliability suite and write its fault table to docs/reliability.md.

Usage (from the project root, in the venv)::

    python scripts/reliability_report.py          # the full set, slow trials included
    python scripts/reliability_report.py --ci     # the CI subset only
    python scripts/reliability_report.py --print  # also print the table

Every test in tests/reliability names its fault class (``@pytest.mark.fault``) and records how
many cases it tried and what happened (the ``cases`` fixture); this script runs pytest
in-process, folds those records per class and writes the table between the markers in
docs/reliability.md. The exit code is pytest's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- fault-table:begin -->", "<!-- fault-table:end -->"


@dataclass
class FaultClass:
    """Aggregated results of one class of fault."""

    cases: int = 0
    passed: int = 0
    failed: int = 0
    skipped: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)


class Collector:
    """A pytest plugin that keeps the fault class, cases and outcome of each test."""

    def __init__(self) -> None:
        self.marks: dict[str, str] = {}
        self.classes: dict[str, FaultClass] = defaultdict(FaultClass)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Remember each test's fault class."""
        for item in items:
            mark = item.get_closest_marker("fault")
            self.marks[item.nodeid] = str(mark.args[0]) if mark else "other"

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold one test phase's result into its fault class."""
        klass = self.classes[self.marks.get(report.nodeid, "other")]
        if hasattr(report, "wasxfail") and report.when == "call":
            klass.cases += 1
            klass.outcomes.append(f"known bug (xfail): {report.wasxfail}")
            return
        if report.when == "setup" and report.skipped:
            reason = (
                report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            )
            klass.skipped.append(f"{report.nodeid.split('::')[-1]}: {reason}")
            return
        if report.when == "setup" and report.failed:
            klass.failed += 1
            return
        if report.when != "call":
            return
        props: dict[str, Any] = {}
        for key, value in report.user_properties:
            props[key] = value
        klass.cases += int(props.get("cases", 1))
        if report.passed:
            klass.passed += 1
            if props.get("outcome") and props["outcome"] not in klass.outcomes:
                klass.outcomes.append(str(props["outcome"]))
        else:
            klass.failed += 1
            klass.outcomes.append(f"FAILED {report.nodeid.split('::')[-1]}")


def table(classes: dict[str, FaultClass]) -> str:
    """The markdown table."""
    rows = [
        "| Fault class | Cases tried | Tests passed | Tests failed | Outcome |",
        "|---|---:|---:|---:|---|",
    ]
    for name in sorted(classes):
        c = classes[name]
        outcome = "<br>".join(o.replace("|", "/") for o in c.outcomes[:12]) or "-"
        if c.skipped:
            outcome += f"<br>skipped: {len(c.skipped)} ({c.skipped[0].replace('|', '/')[:160]})"
        rows.append(f"| {name} | {c.cases} | {c.passed} | {c.failed} | {outcome} |")
    return "\n".join(rows)


def write(doc: Path, body: str, mode: str) -> None:
    """Replace the table between the markers (or append it) in ``doc``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{BEGIN}\n_Generated {stamp} by `python scripts/reliability_report.py{mode}`._\n\n"
        f"{body}\n{END}"
    )
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Reliability\n\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the suite, write the table, return pytest's exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ci", action="store_true", help="only the CI subset (no slow trials)")
    parser.add_argument("--print", action="store_true", help="print the table too")
    parser.add_argument("--doc", default=str(DOC), help="markdown file to update")
    args = parser.parse_args(argv)
    collector = Collector()
    marks = "not slow" if args.ci else "slow or not slow"
    code = pytest.main(
        [str(ROOT / "tests" / "reliability"), "-q", "-p", "no:cacheprovider", "-m", marks],
        plugins=[collector],
    )
    body = table(collector.classes)
    write(Path(args.doc), body, " --ci" if args.ci else "")
    if args.print:
        print(body)
    return int(code)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
