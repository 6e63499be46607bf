"""Another organisation's report (tests/data), two reports in one store, start-up that keeps a
working store: nothing of the bundled report leaks, years route, answers name their report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.commands import COMMANDS, help_text, run_command
from bot.engine.core import Engine
from bot.engine.render import to_plain_text
from bot.settings import Settings
from knowledge.ingest import parse_report, read_report_file
from knowledge.ingest.report import organisation_of
from knowledge.model import ParsedReport
from knowledge.text import clean, fold
from tests import variants
from tests.question_sets.run import SETS, load_set

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge" / "reports" / "informe-gestion-aci-medellin-2020.md"
OTHER = ROOT / "tests" / "data" / "informe-gestion-bureau-turismo-cartagena-2022.md"
QUESTIONS = ["hola", "ayuda", "¿en qué se contradice el informe?", "¿qué premios ganó?",
             "¿cuáles son las redes?", "¿cuánta inversión extranjera llegó?", "¿cuántas PQRS hubo?",
             "resumen de cooperación", "eventos de octubre", "¿cuántos contratos se firmaron?",
             "How many events were there?", "¿qué rutas hay?", "¿cuántos cruceros llegaron?"]


@pytest.fixture(scope="module")
def bundled(parsed_report: ParsedReport) -> ParsedReport:
    return parsed_report  # the session's parse of the same file


@pytest.fixture(scope="module")
def other() -> ParsedReport:
    return parse_report(read_report_file(OTHER))


def test_its_own_contradictions_are_found(other: ParsedReport) -> None:
    rules = {c.rule for c in other.contradictions}
    assert {"count-items", "text-table"} <= rules
    assert not any(c.rule == "overlay" for c in other.contradictions)
    for c in other.contradictions:
        for side in c.sides:
            assert side.table or side.quote[:30] in clean(other.lines[side.line - 1])


def _bundled_signals(bundled: ParsedReport, other: ParsedReport) -> list[str]:
    """What only the bundled report says: its organisation's words, its distinctive figures,
    its contradiction quotes and its section titles (all read from it by code)."""
    other_text = fold(" ".join(other.lines))
    signals = [w for w in organisation_of(bundled.title).split() if len(w) > 2]
    signals += [f.raw for f in bundled.facts
                if f.source == "prose" and len(re.sub(r"\D", "", f.raw)) >= 4
                and fold(f.raw) not in other_text][:40]
    signals += [s.quote[:40] for c in bundled.contradictions for s in c.sides]
    signals += [s.title for s in bundled.sections  # a one-word title ("EVENTOS") is a word
                if len(s.title.split()) >= 2 and fold(s.title) not in other_text]
    return [s for s in signals if s and fold(s) not in other_text]


def test_nothing_of_the_bundled_report_leaks(bundled: ParsedReport, other: ParsedReport) -> None:
    engine = Engine([other])
    outputs = [help_text("es"), help_text("en")]
    for q in QUESTIONS:
        answer = engine.ask(q).answer
        outputs += [to_plain_text(answer), *answer.suggestions, *answer.notes]
    for spec in COMMANDS:
        for lang in ("es", "en"):
            result = run_command(engine, spec.name, "", lang=lang)
            outputs.append(to_plain_text(result.answer))
            outputs += [c.label for c in result.choices]
            assert result.answer.report and "2022" in result.answer.report
    outputs += engine.topics("es") + engine.topics("en")
    seen = fold("\n".join(outputs))
    leaks = [s for s in _bundled_signals(bundled, other) if fold(s) in seen]
    assert not leaks


def test_no_shared_question_gets_anything_of_the_bundled_report(bundled: ParsedReport,
                                                                other: ParsedReport) -> None:
    """Every question of the shared sets (written about the bundled report) asked of the other
    organisation's: answers, suggestions and notes hold none of the bundled report's names,
    figures, quotes or titles (beyond the question's own words, which a refusal may name), and
    no intent of the bundled report's overlay is offered."""
    engine = Engine([other])
    keys = {t.key for t in other.tables} | {e.key for e in other.enumerations}
    assert all(all(k in keys for k in i.targets) for i in engine.matcher.intents)
    signals = [fold(s) for s in _bundled_signals(bundled, other)]
    assert len(signals) >= 20
    leaks = []
    for set_name in SETS:
        for q in load_set(set_name):
            answer = engine.ask(q["q"]).answer
            seen = fold("\n".join([to_plain_text(answer), *answer.suggestions, *answer.notes]))
            asked = fold(q["q"])  # what the question itself says may be echoed back
            leaks += [(q["q"], s) for s in signals if s in seen and s not in asked]
    assert not leaks, leaks[:5]


def test_two_reports_in_one_store_route_by_year_and_compare(bundled: ParsedReport) -> None:
    text = read_report_file(BUNDLED)
    fact, _ = variants.repeated_fact(bundled)
    newer_text = variants.change_figure(variants.change_year(text, bundled), fact.value,
                                        fact.value + 20)
    newer = parse_report(newer_text)
    engine = Engine([bundled, newer])
    old, new = bundled.year, newer.year
    question = "¿cuánta inversión nacional y extranjera se reportó?"
    latest = engine.ask(question).answer
    assert latest.report_id == newer.report_id and str(new) in (latest.report or "")
    asked_old = engine.ask(f"¿cuánta inversión nacional y extranjera se reportó en {old}?").answer
    assert asked_old.report_id == bundled.report_id and str(old) in (asked_old.report or "")
    assert any(f.value == fact.value for f in asked_old.figures)
    assert any(f.value == fact.value + 20 for f in latest.figures)
    compared = engine.ask(f"¿cómo cambió la inversión nacional y extranjera reportada entre "
                          f"{old} y {new}?").answer
    assert compared.intent == "compare_years", compared.text
    assert str(old) in compared.text and str(new) in compared.text
    assert any(f.computed and abs((f.value or 0) - 20) < 1e-6 for f in compared.figures)
    plan = engine.ask(f"¿cuáles son los retos {old}-{old + 3}?").answer  # a plan period
    assert plan.report_id == newer.report_id


def test_start_up_keeps_a_good_store_when_the_report_breaks(tmp_path: Path) -> None:
    from db.store import ensure_store, ingest_failures, load_reports

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    good = tmp_path / "informe.md"
    good.write_text(read_report_file(OTHER), encoding="utf-8")
    ensure_store(Settings(database_url=url, report_path=good)).dispose()
    for broken in ("", "texto sin estructura de informe 123\n"):
        good.write_text(broken, encoding="utf-8")
        engine = ensure_store(Settings(database_url=url, report_path=good))
        try:
            reports = load_reports(engine)
            assert [r.year for r in reports] == [2022]
            assert ingest_failures(engine) and "informe.md" in ingest_failures(engine)[0]["source"]
        finally:
            engine.dispose()
    missing = Settings(database_url=url, report_path=tmp_path / "no-existe.md")
    engine = ensure_store(missing)
    try:
        assert load_reports(engine)
    finally:
        engine.dispose()
