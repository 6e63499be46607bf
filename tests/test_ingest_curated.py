"""Curated data (knowledge/data/*.yaml): loads, cites the report verbatim, fails loudly when not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.errors import IngestError
from knowledge.curated import (
    DATA_DIR,
    Discrepancy,
    DiscrepancySide,
    QuoteIndex,
    load_curated,
    validate_curated,
)
from knowledge.ingest import parse_report, read_report_file
from knowledge.ingest.sections import section_at
from knowledge.model import ParsedReport
from knowledge.numbers import find_numbers
from knowledge.text import fold

REPORT = (Path(__file__).resolve().parent.parent / "knowledge" / "reports"
          / "informe-gestion-aci-medellin-2020.md")


@pytest.fixture(scope="module")
def text() -> str:
    return read_report_file(REPORT)


@pytest.fixture(scope="module")
def report(text: str) -> ParsedReport:
    return parse_report(text)


def test_synonyms_cover_abbreviations_and_chat_words():
    synonyms = load_curated().synonyms
    aliases = {fold(a): canon for canon, al in synonyms.items() for a in al}
    assert aliases["ied"] == "inversión extranjera directa"
    assert aliases["zf"] == "zonas francas"
    assert aliases["plata"] == aliases["lana"] == aliases["dinero"] == "recursos"
    assert aliases["cooperation"] == "cooperación"
    assert aliases["investment"] == "inversión"
    assert "PQRS" in synonyms and aliases["quejas"] == "PQRS"
    for english, spanish in [("events", "eventos"), ("budget", "presupuesto"),
                             ("contracts", "contratos"), ("awards", "premios"),
                             ("networks", "redes de ciudades")]:
        assert aliases[english] == spanish


def test_topics_point_to_existing_sections(report: ParsedReport):
    topics = load_curated().topics
    assert len({t.key for t in topics}) == len(topics) >= 20
    for topic in topics:
        assert topic.name_es and topic.name_en
        assert all(report.section(n) is not None for n in topic.sections), topic.key


REQUIRED_DISCREPANCIES = {
    "contratos-62-vs-61", "premios-4-vs-3", "eventos-alcaldia-13-vs-14",
    "cooperacion-4989-vs-49", "zonas-francas-9-vs-90", "sos-paisa-austin-fecha",
    "por-que-medellin-espana-asistentes",
}


def test_discrepancy_quotes_are_in_the_report_in_their_section(text: str, report: ParsedReport):
    curated = load_curated()
    assert {d.id for d in curated.discrepancies} >= REQUIRED_DISCREPANCIES
    index = validate_curated(curated, text)
    keys = {t.key for t in report.tables}
    for disc in curated.discrepancies:
        assert disc.description_es and disc.description_en and disc.topic
        assert len(disc.sides) >= 2
        for side in disc.sides:
            line = index.line_of(side.quote)
            assert line is not None, side.quote
            assert section_at(report.sections, line).number == side.section, side.quote
            if side.value is not None:
                assert side.value in side.quote
            if side.table is not None:
                assert side.table in keys


def test_discrepancy_sides_disagree_in_the_parsed_data(report: ParsedReport):
    """The store holds both sides: the figures of each pair differ in the parsed report."""
    tables = {t.key: t for t in report.tables}
    # 62 contracts in prose, 61 in the PAA total row
    assert any(f.raw == "62 contratos" for f in report.facts)
    total = tables["8-contratos-modalidad"].rows[-1]
    assert (total.cells[0].raw, total.cells[1].value) == ("Total Contratos", 61)
    # 13 events for the mayor's office in the summary, 14 rows in the table
    assert any(f.line == 139 and f.value == 13 for f in report.facts)
    assert len(tables["5.2-eventos-alcaldia"].rows) == 14
    # 4 awards in the summary, "TRES PREMIOS" in 5.1 which then lists 4
    assert any(f.raw == "4 PREMIOS" and f.section == "1" for f in report.facts)
    assert any(f.raw == "TRES PREMIOS" and f.section == "5.1" for f in report.facts)
    # 9% (text 3.4) vs 90% (table 3.2)
    assert any(f.raw == "9%" and f.section == "3.4" for f in report.facts)
    assert tables["3.2-indicadores-inversion"].rows[1].cells[3].value == 90


def test_side_values_are_read_from_their_quotes():
    for disc in load_curated().discrepancies:
        for side in disc.sides:
            if side.value and side.value[0].isdigit() and " de " not in side.value:
                values = [m.value for m in find_numbers(side.quote)]
                assert find_numbers(side.value)[0].value in values, (disc.id, side.value)


def _with_discrepancy(quote: str, value: str | None = None):
    curated = load_curated()
    bad = Discrepancy(
        id="inventada", topic=["x"], description_es="x", description_en="x",
        sides=[DiscrepancySide(quote="para un total de 62 contratos suscritos", section="8"),
               DiscrepancySide(quote=quote, section="8", value=value)])
    return curated.model_copy(update={"discrepancies": [*curated.discrepancies, bad]})


def test_a_quote_not_in_the_report_fails_validation_naming_it(text: str):
    curated = _with_discrepancy("para un total de 63 contratos suscritos")
    with pytest.raises(IngestError, match="63 contratos suscritos"):
        validate_curated(curated, text)
    with pytest.raises(IngestError, match="inventada"):
        parse_report(text, curated=curated)


def test_a_value_not_in_its_quote_fails(text: str):
    curated = _with_discrepancy("Total Contratos 61", value="62")
    with pytest.raises(IngestError, match="«62»"):
        validate_curated(curated, text)


def test_a_quote_in_the_wrong_section_fails(text: str):
    curated = load_curated()
    disc = curated.discrepancies[0]
    moved = disc.model_copy(update={"sides": [
        disc.sides[0].model_copy(update={"section": "5.2"}), *disc.sides[1:]]})
    curated = curated.model_copy(update={"discrepancies": [moved, *curated.discrepancies[1:]]})
    with pytest.raises(IngestError, match=r"sección 8, no en la 5\.2"):
        parse_report(text, curated=curated)


def test_an_edited_report_that_loses_a_quote_fails_ingest(text: str):
    edited = text.replace("para un total de 62 contratos", "para un total de 61 contratos")
    with pytest.raises(IngestError, match="62 contratos suscritos"):
        parse_report(edited)


def test_a_missing_enumeration_anchor_fails(text: str):
    edited = text.replace("ACTUALMENTE MEDELLÍN PARTICIPA EN LAS SIGUIENTES REDES:",
                          "ACTUALMENTE MEDELLÍN PARTICIPA EN ESTAS REDES:")
    with pytest.raises(IngestError, match="redes-ciudad"):
        parse_report(edited)


def test_an_enumeration_with_a_different_count_fails(text: str):
    edited = text.replace("MANUFACTURA:\n\nempresas con enfoque en plástico", "empresas con "
                          "enfoque en plástico")
    assert edited != text
    with pytest.raises(IngestError, match="sectores-inversion"):
        parse_report(edited)


def test_broken_data_file_is_an_ingest_error(tmp_path: Path):
    for f in DATA_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    assert load_curated(tmp_path).report_title
    (tmp_path / "discrepancies.yaml").write_text(
        "report_title: INFORME DE GESTIÓN ACI MEDELLÍN 2020\ndiscrepancies:\n  - id: x\n",
        encoding="utf-8")
    with pytest.raises(IngestError, match="inválidos"):
        load_curated(tmp_path)
    (tmp_path / "synonyms.yaml").write_text("synonyms: [unclosed", encoding="utf-8")
    with pytest.raises(IngestError, match=r"synonyms\.yaml"):
        load_curated(tmp_path)


def test_quote_index_finds_quotes_across_markdown_and_lines(text: str):
    index = QuoteIndex(text)
    assert index.line_of("USD $381,30 millones") == 95  # written "USD **\\$381,30 millones**"
    assert index.line_of("MEDELLÍN PARTICIPA ACTIVAMENTE EN LA RED C40") == 704  # 2 lines
    assert index.line_of("Total Contratos 61") == 1242  # tabs fold to a space
    assert index.line_of("total contratos 61") is None  # case must match
