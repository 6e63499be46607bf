"""Shared language data, per-report overlays and contradictions found at ingest.

Nothing here types a figure or quote of the report: edits are made by code from the parsed report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.errors import IngestError
from knowledge import overlays
from knowledge.curated import DATA_DIR, QuoteIndex, load_curated
from knowledge.ingest import parse_report, read_report_file
from knowledge.ingest.report import organisation_of, report_id_for, title_year
from knowledge.model import ParsedReport
from knowledge.text import clean, fold
from tests import variants

REPORT = (Path(__file__).resolve().parent.parent / "knowledge" / "reports"
          / "informe-gestion-aci-medellin-2020.md")


@pytest.fixture(scope="module")
def text() -> str:
    return read_report_file(REPORT)


@pytest.fixture(scope="module")
def report(parsed_report: ParsedReport) -> ParsedReport:
    return parsed_report  # the session's parse of the same text


# ----------------------------------------------------------------------------- shared data


def test_synonyms_cover_abbreviations_and_chat_words():
    synonyms = load_curated().synonyms
    aliases = {fold(a): canon for canon, al in synonyms.items() for a in al}
    assert aliases["ied"] == "inversión extranjera directa"
    assert aliases["plata"] == aliases["lana"] == aliases["dinero"] == "recursos"
    assert aliases["cooperation"] == "cooperación"
    for english, spanish in [("events", "eventos"), ("budget", "presupuesto"),
                             ("contracts", "contratos"), ("awards", "premios")]:
        assert aliases[english] == spanish


def test_shared_data_names_no_report(report: ParsedReport):
    """No shared data file names the report's organisation (its words come from the title)."""
    org_words = [w for w in fold(organisation_of(report.title)).split() if len(w) > 2]
    assert org_words
    for path in DATA_DIR.glob("*.yaml"):
        if path.name in ("number_exclusions.yaml", "glossary_en.yaml", "question_words.yaml"):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        words = set(fold(yaml.safe_dump(data, allow_unicode=True)).split())
        assert not words & set(org_words), path.name


def test_broken_data_file_is_an_ingest_error(tmp_path: Path):
    for f in DATA_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    assert load_curated(tmp_path).synonyms
    (tmp_path / "synonyms.yaml").write_text("synonyms: [unclosed", encoding="utf-8")
    with pytest.raises(IngestError, match=r"synonyms\.yaml"):
        load_curated(tmp_path)


def test_quote_index_finds_quotes_across_markdown_and_lines(text: str, report: ParsedReport):
    index = QuoteIndex(text)
    table = report.tables[0]
    row = table.rows[0]
    quote = " ".join(c.raw for c in row.cells if c.raw)
    assert index.line_of(quote) == row.line  # tabs fold to a space
    assert index.line_of(quote.swapcase()) is None  # case must match


# ----------------------------------------------------------------------------- identity


def test_identity_comes_from_the_title(report: ParsedReport):
    assert report.year == title_year(report.title)
    assert report.report_id == report_id_for(report.title)
    org = organisation_of(report.title)
    assert org and str(report.year) not in org
    assert report_id_for(f"Informe de Gestión 2019-2022 {org} 2021").endswith("-2021")
    assert title_year("RETOS 2020-2023") is None  # a plan period is not the report's year


def test_a_new_year_gets_its_own_id_and_no_overlay(text: str, report: ParsedReport):
    edited = variants.change_year(text, report)
    warnings: list[str] = []
    other = parse_report(edited, warnings=warnings)
    assert other.year == report.year + 1 and other.report_id != report.report_id
    assert not any(c.rule == "overlay" for c in other.contradictions)
    overlay = overlays.overlay_for(report.title)
    assert overlay is not None and overlays.overlay_for(other.title) is None
    assert not warnings


# ----------------------------------------------------------------------------- overlays


def _overlay_dir(tmp_path: Path, report: ParsedReport, **data: object) -> Path:
    root = tmp_path / "overlays"
    (root / "x").mkdir(parents=True)
    body = {"fingerprint": {"title": report.title}, **data}
    (root / "x" / "overlay.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), "utf-8")
    overlays.load_overlays.cache_clear()
    return root


def test_stale_overlay_entries_are_skipped_with_a_warning(tmp_path: Path, text: str,
                                                          report: ParsedReport):
    first = report.enumerations[0]
    sides = [{"quote": "una frase que el informe no contiene", "section": first.section},
             {"quote": clean(report.lines[first.items[0].line - 1]), "section": first.section}]
    root = _overlay_dir(tmp_path, report,
                        lists=[{"key": "nombre-propio", "title": "t", "section": first.section},
                               {"key": "perdida", "title": "t", "section": "99.9"}],
                        contradictions=[{"id": "inventada", "topic": ["x"], "description_es": "x",
                                         "description_en": "x", "sides": sides}])
    warnings: list[str] = []
    parsed = parse_report(text, overlay_root=root, warnings=warnings)
    keys = {e.key for e in parsed.enumerations}
    assert "nombre-propio" in keys and "perdida" not in keys
    assert not any(c.key == "inventada" for c in parsed.contradictions)
    assert any("'perdida'" in w for w in warnings)
    assert any("'inventada'" in w for w in warnings)


def test_an_unreadable_overlay_never_stops_ingest(tmp_path: Path, text: str):
    root = tmp_path / "overlays"
    (root / "rota").mkdir(parents=True)
    (root / "rota" / "overlay.yaml").write_text("fingerprint: [unclosed", "utf-8")
    overlays.load_overlays.cache_clear()
    assert parse_report(text, overlay_root=root).sections
    assert any("rota" in w for w in overlays.load_overlays(root).warnings)


def test_the_bundled_overlay_is_current(text: str):
    warnings: list[str] = []
    parse_report(text, warnings=warnings)
    assert warnings == []


# ----------------------------------------------------------------------------- contradictions


def test_contradictions_quote_their_lines(report: ParsedReport):
    found = [c for c in report.contradictions if c.rule != "overlay"]
    assert len({c.rule for c in found}) >= 3
    assert len(found) <= 10  # few false alarms: every rule is strict
    for c in found:
        assert c.keywords and c.description_es and c.description_en
        for side in c.sides:
            assert side.quote[:40] in clean(report.lines[side.line - 1]) or side.table
            assert report.section(side.section) is not None


def test_a_list_whose_count_differs_is_a_contradiction(text: str, report: ParsedReport):
    """Remove one item of a list whose intro announces its count: count-items fires there."""
    edited, line = variants.drop_list_item(text, report)
    parsed = parse_report(edited)
    assert any(c.rule == "count-items" and any(s.line == line for s in c.sides)
               for c in parsed.contradictions)


def test_one_of_two_occurrences_changed_is_found_and_a_consistent_change_is_not(
        text: str, report: ParsedReport):
    fact, lines = variants.repeated_fact(report)
    assert len(lines) >= 2
    one = variants.change_figure(text, fact.value, fact.value + 10, only_lines={lines[0]})
    parsed = parse_report(one)
    assert any(lines[0] in {s.line for s in c.sides} for c in parsed.contradictions)
    both = variants.change_figure(text, fact.value, fact.value + 10)
    parsed = parse_report(both)
    assert not any(set(lines) & {s.line for s in c.sides} for c in parsed.contradictions)
