"""Every number in the report body is a fact, a table cell, or excluded with a reason.

The numbers are enumerated here with an independent, deliberately simple regex (digits with
"." or "," groups, not glued to a letter before them), line by line, on the body (after the
table of contents). Each one must be:
- inside the raw text of a fact found on that line, or
- inside a header or cell of a table that spans that line, or
- covered by an exclusion of knowledge/data/number_exclusions.yaml (which carries a reason).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from knowledge.curated import load_curated
from knowledge.ingest.sections import parse_toc
from knowledge.model import ParsedReport
from knowledge.text import clean

REPORT = (Path(__file__).resolve().parent.parent / "knowledge" / "reports"
          / "informe-gestion-aci-medellin-2020.md")
NUMBER = re.compile(r"(?<!\w)\d+(?:[.,]\d+)*")


def tokens(text: str) -> set[str]:
    return set(NUMBER.findall(clean(text)))


@pytest.fixture(scope="module")
def report(parsed_report: ParsedReport) -> ParsedReport:
    return parsed_report  # the session's parse of the same file


def audit(report: ParsedReport):
    curated = load_curated()
    lines = report.lines
    body_start = parse_toc(lines).body_start
    facts_by_line: dict[int, set[str]] = {}
    for f in report.facts:
        facts_by_line.setdefault(f.line, set()).update(tokens(f.raw))
    table_tokens = []
    for t in report.tables:
        found = set().union(*(tokens(h) for h in t.header))
        for row in t.rows:
            for c in row.cells:
                found |= tokens(c.raw)
        table_tokens.append((t.line_start, t.line_end, found))

    captured, excluded, missing = 0, Counter(), []
    for i in range(body_start, len(lines)):
        line_no, text = i + 1, clean(lines[i])
        spans = curated.excluded_spans(text)
        for m in NUMBER.finditer(text):
            number = m.group()
            if number in facts_by_line.get(line_no, set()) or any(
                    a <= line_no <= b and number in found for a, b, found in table_tokens):
                captured += 1
                continue
            reason = next((e.reason for s, e_, e in spans if s <= m.start() < e_), None)
            if reason:
                excluded[reason] += 1
            else:
                missing.append(f"line {line_no}: {number!r} in {text[:90]!r}")
    return captured, excluded, missing


def test_every_body_number_is_captured_or_excluded_with_a_reason(report: ParsedReport):
    captured, excluded, missing = audit(report)
    assert not missing, "numbers neither captured nor excluded:\n" + "\n".join(missing)
    assert captured > 350  # cells and facts: the bulk (396 when written)
    # exclusions (174 when written: markers, section numbers, years, COVID-19...) stay fewer
    assert sum(excluded.values()) < captured


def test_every_exclusion_has_a_reason_and_is_used(report: ParsedReport):
    curated = load_curated()
    body = [clean(line) for line in report.lines[parse_toc(report.lines).body_start:]]
    for e in curated.exclusions:
        assert e.reason.strip() and e.kind
        assert any(e.regex.search(line) for line in body), f"unused exclusion {e.pattern}"


def test_exclusions_do_not_hide_figures(report: ParsedReport):
    # the figures the report is about are never excluded
    curated = load_curated()
    for sample in ("USD $381,30 millones", "6.851 FAMILIAS", "98,81%", "1780 empleos",
                   "$11.070.019", "22.188,74 m ²", "1MM de hogares", "2.800 MILLONES DE PESOS"):
        assert not curated.excluded_spans(sample), sample
