"""Variants of the bundled report made by code (tests/variants.py): ingest follows the new text.

Headings renamed, a chapter moved, column headers renamed, the year changed, figures changed:
ingest works, the same lists and table roles are found, commands answer from the new text and no
old figure leaks; with renamed headings, and with the year changed (the questions' years moved
with it, as anyone asking the new report would), every shared question set scores within 5
points of the original. Each variant is parsed once per session.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.commands import run_command
from bot.engine.core import Engine
from bot.engine.render import to_plain_text
from knowledge.curated import QuoteIndex
from knowledge.ingest import parse_report, read_report_file
from knowledge.model import ParsedReport
from tests import variants
from tests.question_sets.run import SETS, load_set
from tests.question_sets.score import judge

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge" / "reports" / "informe-gestion-aci-medellin-2020.md"
COMMANDS = ("eventos", "indicadores", "presupuesto", "premios", "redes", "resumen")


@pytest.fixture(scope="module")
def text() -> str:
    return read_report_file(BUNDLED)


@pytest.fixture(scope="module")
def original(parsed_report: ParsedReport) -> ParsedReport:
    return parsed_report  # the session's parse of the same text


def _shape(report: ParsedReport) -> tuple[int, Counter[str], int]:
    return len(report.enumerations), Counter(t.role for t in report.tables), len(report.sections)


def _variant(name: str, text: str, report: ParsedReport) -> str:
    if name == "headings":
        edited, changed = variants.rename_headings(text)
        assert changed >= 4
        return edited
    if name == "columns":
        edited, changed = variants.rename_columns(text, report)
        assert changed >= 3
        return edited
    if name == "chapter":
        edited, _, _ = variants.move_chapter(text, report)
        return edited
    if name == "year":
        return variants.change_year(text, report)
    raise ValueError(name)


_PARSED: dict[str, tuple[str, ParsedReport]] = {}


def _parsed(name: str, text: str, report: ParsedReport) -> tuple[str, ParsedReport]:
    """A variant's text and parsed report, made once per session."""
    if name not in _PARSED:
        edited = _variant(name, text, report)
        _PARSED[name] = edited, parse_report(edited)
    return _PARSED[name]


@pytest.mark.parametrize("name", ["headings", "columns", "chapter", "year"])
def test_structure_survives_the_variant(name: str, text: str, original: ParsedReport) -> None:
    edited, report = _parsed(name, text, original)
    assert edited != text
    lists, roles, sections = _shape(report)
    o_lists, o_roles, o_sections = _shape(original)
    assert sections == o_sections
    assert roles == o_roles
    if name == "year":
        # a new year is another report: the overlay of the old one names nothing; the rules
        # find the same lists (the overlay only named them; one it adds the rules cannot see)
        assert report.report_id != original.report_id
        assert lists >= o_lists - 1
    else:
        assert lists == o_lists
    engine = Engine([report])
    for command in COMMANDS:
        result = run_command(engine, command, "")
        out = to_plain_text(result.answer)
        assert out.strip()
        assert result.answer.report and str(report.year) in result.answer.report


def test_a_moved_chapter_is_found_under_its_new_number(text: str, original: ParsedReport):
    edited, first, second = variants.move_chapter(text, original)
    report = parse_report(edited)
    numbers = {s.title: s.number for s in report.sections if s.level == 1}
    old = {s.title: s.number for s in original.sections if s.level == 1}
    assert numbers[first] == old[second] and numbers[second] == old[first]


def test_the_year_changes_every_label(text: str, original: ParsedReport) -> None:
    _, report = _parsed("year", text, original)
    engine = Engine([report])
    old = str(original.year)
    for command in COMMANDS:
        result = run_command(engine, command, "")
        assert old not in (result.answer.report or ""), command
    help_answer = engine.ask("hola").answer
    assert old not in help_answer.text and str(report.year) in help_answer.text
    lone = re.compile(rf"(?<![\d-]){old}(?!\s*-\s*\d)")  # a plan period "2020-2023" may stay
    assert not any(lone.search(s) for s in engine.topics())


def test_changed_figures_are_answered_and_old_ones_never_leak(text: str,
                                                              original: ParsedReport) -> None:
    edited, changes = variants.change_facts(text, original, n=6)
    assert len(changes) >= 4
    report = parse_report(edited)
    engine = Engine([report])
    old_engine = Engine([original])
    checked = 0
    for fact in original.facts:
        value = round(fact.value, 6)
        if value not in changes or fact.source != "prose":
            continue
        clause = fact.clause or fact.sentence
        asked = re.sub(r"(?:USD|COP)?\s*\$?\d[\d.,]*\s*(?:millones|mil\b)?", " ", clause)
        question = f"¿cuánto? {' '.join(asked.split())[:160]}"
        before = old_engine.ask(question).answer
        after = engine.ask(question).answer
        old_raw = fact.raw.split()[0] if fact.raw[0].isdigit() else None
        if before.status == "answered" and any(f.value == fact.value for f in before.figures):
            checked += 1
            assert after.status == "answered", question
            assert any(abs((f.value or 0) - changes[value]) < 1e-6 for f in after.figures), (
                question, after.text)
        if old_raw and after.status == "answered":
            assert not any(f.raw and f.raw.startswith(old_raw) and f.value == fact.value
                           for f in after.figures), question
    assert checked >= 2
    index = QuoteIndex(edited)  # every contradiction quotes the new text
    for c in report.contradictions:
        for side in c.sides:
            assert side.table or index.line_of(side.quote[:40]) is not None, side.quote


_SCORES: dict[str, dict[str, float]] = {}


def _scores(name: str, engine: Engine, year: int | None = None) -> dict[str, float]:
    """Per shared set, the share of right answers (once per session and engine); with `year`,
    each question's years move as the report's did."""
    if name not in _SCORES:
        out = {}
        for set_name in SETS:
            questions = load_set(set_name)
            if year is not None:
                questions = [variants.change_year_in_question(q, year) for q in questions]
            right = sum(judge(q, engine.ask(q["q"]).answer.model_dump()) == "right"
                        for q in questions)
            out[set_name] = 100 * right / len(questions)
        _SCORES[name] = out
    return _SCORES[name]


@pytest.mark.parametrize("name", ["headings", "year"])
def test_the_variant_scores_within_five_points(name: str, text: str, original: ParsedReport,
                                               answer_engine: Engine) -> None:
    _, report = _parsed(name, text, original)
    before = _scores("original", answer_engine)
    after = _scores(name, Engine([report]), original.year if name == "year" else None)
    print(f"\n{name}: " + ", ".join(f"{s} {after[s]:.1f} % (original {before[s]:.1f} %)"
                                    for s in SETS))
    for set_name in SETS:
        assert after[set_name] >= before[set_name] - 5, (set_name, after, before)


def test_a_new_year_gets_no_intent_of_the_old_report(text: str, original: ParsedReport,
                                                      answer_engine: Engine) -> None:
    """The old report's hand-named lists and tables (its overlay) stay with it: the new year's
    intents are derived from its own lists and tables, one for each."""
    _, report = _parsed("year", text, original)
    engine = Engine([report])
    keys = {t.key for t in report.tables} | {e.key for e in report.enumerations}
    own = [i for i in engine.matcher.intents if i.targets]
    assert own and all(all(k in keys for k in i.targets) for i in own)
    old_ids = {i.id for i in answer_engine.matcher.intents if i.targets}
    assert not old_ids & {i.id for i in own}
    targeted = {k for i in own for k in i.targets}
    assert {e.key for e in report.enumerations} <= targeted
    assert {t.key for t in report.tables if t.kind == "grid"} <= targeted
