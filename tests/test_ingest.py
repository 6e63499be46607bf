"""parse_report against the real report (knowledge/reports/informe-gestion-aci-medellin-2020.md).

Expected counts were made by reading the report text (line numbers are `cat -n` lines).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from bot.errors import IngestError
from knowledge.ingest import parse_report, read_report_file
from knowledge.ingest.sections import parse_toc
from knowledge.model import ParsedReport, ParsedTable
from knowledge.text import fold, split_lines

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "knowledge" / "reports" / "informe-gestion-aci-medellin-2020.md"


@pytest.fixture(scope="module")
def text() -> str:
    return read_report_file(REPORT)


@pytest.fixture(scope="module")
def report(parsed_report: ParsedReport) -> ParsedReport:
    return parsed_report  # the session's parse of the same text


def table(report: ParsedReport, key: str) -> ParsedTable:
    found = [t for t in report.tables if t.key == key]
    assert len(found) == 1, f"table {key}: {[t.key for t in report.tables]}"
    return found[0]


# ----------------------------------------------------------------------------- report, sections


def test_report_identity(report: ParsedReport, text: str):
    assert report.report_id == "aci-medellin-2020"
    assert report.title == "INFORME DE GESTIÓN ACI MEDELLÍN 2020"
    assert report.year == 2020
    assert len(report.source_sha256) == 64
    assert report.lines == split_lines(text)
    assert len(report.lines) == 1412  # `wc -l` says 1411: the last line has no newline


def test_every_toc_entry_is_a_body_section_with_its_number(report: ParsedReport, text: str):
    toc = parse_toc(split_lines(text))
    # TOC (lines 9-79): 8 chapters; sections 2.1-2.3, 3.1-3.4, 4.1-4.4.4 (11), 5.1-5.2, 6.1-6.2,
    # 7.1-7.3 = 25
    assert len(toc.chapters) == 8 and len(toc.sections) == 25
    assert toc.body_start + 1 == 81  # the body starts at the second "01" (line 81)
    for number, title in toc.entries():
        section = report.section(number)
        assert section is not None, f"TOC entry {number} {title} not found in the body"
        assert fold(section.title) == fold(title), (number, section.title, title)
        assert section.line_start > 80, "a section was taken from the table of contents"


def test_section_tree(report: ParsedReport):
    assert len(report.sections) == 33  # 8 chapters + 25 numbered sections
    assert [s.number for s in report.sections if s.level == 1] == [str(n) for n in range(1, 9)]
    s = report.section("4.3.1")
    assert (s.level, s.parent, s.line_start) == (3, "4.3", 582)  # number and title on one line
    assert report.section("4.3.2").line_start == 608  # "4.3.2" alone, title on the next line
    assert report.section("3").line_start == 239
    assert report.section("3.2").parent == "3"
    # repeated captions are not new sections: 4.3.2 runs through its continued table to 644,
    # 5.2 through "5.2 / EVENTOS PROPIOS" (956) to the end of the events tables (1015)
    assert report.section("4.3.2").line_end == 644
    assert report.section("5.2").line_end == 1015
    # the decorative "02" (line 147) does not open a chapter; chapter 2 ends before 2.1
    assert report.section("2").line_end == 153
    # numbered list items inside sections are not chapters (the 12 city networks are in 4.4.4)
    assert report.section("4.4.4").line_end == 891
    ordered = [(s.line_start, s.line_end) for s in report.sections]
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ordered))


def test_section_text_is_own_body_cleaned(report: ParsedReport):
    s = report.section("3.3")
    assert "USD 381,30 Millones proyectando generar 1780 empleos directos" in s.text
    assert "**" not in s.text and "\\$" not in s.text
    assert "INDICADORES DE INVERSIÓN" not in s.text  # next section's heading
    assert report.section("3").text == ""  # chapter 3 has no text of its own before 3.1


# ----------------------------------------------------------------------------- tables

# Rows counted in the report text: one per tab-separated line after the header line.
EXPECTED_ROWS = {
    "3.2-indicadores-inversion": 4,  # lines 387-390
    "4.2-indicadores-cooperacion": 5,  # lines 568-572
    "4.3.2-proyectos-cooperacion": 20,  # 613-621 (9) + 626-633 (8) + 638-640 (3), 3 pages
    "4.4.3-sur-sur": 4,  # lines 765-768
    "5.2-eventos-propios": 16,  # lines 961-976
    "5.2-eventos-invitados": 17,  # lines 981-997
    "5.2-eventos-alcaldia": 14,  # lines 1002-1015
    "6.1-valle-software-cooperacion": 3,  # lines 1081-1083
    "6.1-valle-software-inversion": 4,  # lines 1086-1089
    "6.1-valle-software-promocion": 1,  # line 1092
    "6.2-banco-proyectos": 11,  # lines 1110-1120
    "8-contratos-modalidad": 6,  # lines 1237-1242 (5 modalities + "Total Contratos")
    "8-pqrs-tipo": 3,  # lines 1251-1253
    "8-pqrs-proceso": 6,  # lines 1256-1261
    "8-procesos-judiciales": 3,  # key/value blocks at 1269, 1275, 1281
    "8-presupuesto-ingresos": 3,  # lines 1339-1341
    "8-presupuesto-gastos": 8,  # lines 1348-1355
}


def test_table_count_and_rows(report: ParsedReport):
    assert {t.key: len(t.rows) for t in report.tables} == EXPECTED_ROWS
    assert sum(EXPECTED_ROWS.values()) == 128


def test_continued_table_is_one_table(report: ParsedReport):
    t = table(report, "4.3.2-proyectos-cooperacion")
    assert (t.line_start, t.line_end) == (612, 640)
    assert t.header == ["LÍNEA TEMÁTICA", "HECHOS CONCRETOS", "SECRETARÍA",
                        "COOPERANTE O ALIADO INTERNACIONAL"]
    assert [r.line for r in t.rows][8:10] == [621, 626]  # page break skipped
    assert t.rows[-1].cells[3].raw == "SEGITTUR"
    assert not any(r.cells[0].raw == "LÍNEA TEMÁTICA" for r in t.rows)  # repeated header


def test_keyvalue_table(report: ParsedReport):
    t = table(report, "8-procesos-judiciales")
    assert t.kind == "keyvalue"
    assert t.header == ["PROCESO", "RADICADO", "JUZGADO", "DEMANDANTE", "DEMANDADO"]
    assert [r.cells[0].raw for r in t.rows] == [
        "Ejecutivo singular", "Controversia contractual", "Ordinario Laboral"]
    assert t.rows[2].cells[2].raw == "Once Laboral del Circuito de Medellín"
    assert t.rows[2].cells[4].raw == "SURA EPS"
    assert t.rows[0].cells[1].raw == "05001333300520130018000"
    assert t.rows[0].cells[1].value is None  # a case number, not a figure


def cell(t: ParsedTable, row: int, col: int):
    return t.rows[row].cells[col]


def test_indicator_cells_typed_with_row_units(report: ParsedReport):
    t = table(report, "3.2-indicadores-inversion")
    assert t.header[3] == "AVANCE AL 15 DE DICIEMBRE DE 2020"
    c = cell(t, 0, 3)
    assert (c.raw, c.value, c.unit, c.scale) == ("381,3", 381.3, "USD", "millones")
    assert (cell(t, 1, 2).value, cell(t, 1, 2).unit) == (10, "%")
    assert (cell(t, 1, 3).raw, cell(t, 1, 3).value, cell(t, 1, 3).unit) == ("90%", 90, "%")
    assert (cell(t, 2, 2).value, cell(t, 2, 3).value, cell(t, 2, 3).unit) == (15, 17, "proyectos")
    t = table(report, "4.2-indicadores-cooperacion")
    assert (cell(t, 0, 2).value, cell(t, 0, 3).value, cell(t, 0, 3).unit) == (4.8, 4.9, "USD")
    assert (cell(t, 1, 2).raw, cell(t, 1, 3).value) == ("288,3", 386.2)
    assert (cell(t, 2, 2).value, cell(t, 2, 3).value) == (12, 17)


def test_event_cells_keep_qualifiers_and_dates_stay_text(report: ParsedReport):
    t = table(report, "5.2-eventos-propios")
    assert t.header == ["NOMBRE DEL EVENTO", "FECHA DE REALIZACIÓN", "FINALIDAD",
                        "NÚMERO DE ASISTENTES"]
    date = cell(t, 0, 1)
    assert (date.raw, date.value) == ("14 de mayo", None)
    plus = cell(t, 3, 3)
    assert (plus.raw, plus.value, plus.qualifier) == ("100+", 100, "+")
    israel = cell(t, 13, 3)
    assert (israel.raw, israel.value, israel.unit, israel.qualifier) == (
        "6 empresas", 6, "empresas", "empresas")
    metro = cell(t, 15, 3)
    assert (metro.raw, metro.value, metro.qualifier) == (
        "160 representantes de empresas", 160, "representantes de empresas")
    assert (cell(t, 11, 0).raw, cell(t, 11, 3).value) == (
        "¿Por qué Medellín y su Área Metropolitana? País Vasco", 34)
    t = table(report, "5.2-eventos-invitados")
    assert (cell(t, 4, 3).raw, cell(t, 4, 3).value) == ("200", 200)  # ICC
    assert cell(t, 5, 3).raw == "100 +" and cell(t, 5, 3).value == 100
    assert cell(t, 6, 3).raw == "" and cell(t, 6, 3).value is None  # empty cell kept
    assert (cell(t, 6, 1).raw, cell(t, 6, 1).value) == ("Del 07 al 14 de octubre", None)
    assert cell(t, 7, 3).value == 50  # Start Out Brasil
    t = table(report, "5.2-eventos-alcaldia")
    assert (cell(t, 1, 3).raw, cell(t, 1, 3).value) == ("28/04/2020", None)
    assert cell(t, 1, 1).raw == "Encuentro de Autoridades de Educación de Iberoamérica"


def test_money_tables(report: ParsedReport):
    t = table(report, "8-contratos-modalidad")
    c = cell(t, 0, 2)
    assert (c.raw, c.value, c.unit) == ("$964.165.992", 964165992, "COP")
    subasta = cell(t, 3, 2)  # written without "$": the column says COP
    assert (subasta.raw, subasta.value, subasta.unit) == ("120.839.667", 120839667, "COP")
    assert (cell(t, 5, 0).raw, cell(t, 5, 1).value, cell(t, 5, 2).value) == (
        "Total Contratos", 61, 1424430012)
    assert cell(t, 5, 1).unit == "contratos"
    t = table(report, "8-presupuesto-ingresos")
    assert (cell(t, 1, 0).raw, cell(t, 1, 4).value, cell(t, 1, 4).unit) == (
        "INGRESOS CORRIENTES", 6375707410, "COP")
    assert (cell(t, 1, 5).raw, cell(t, 1, 5).value, cell(t, 1, 5).unit) == ("100,00%", 100, "%")
    t = table(report, "8-presupuesto-gastos")
    assert (cell(t, 0, 3).value, cell(t, 0, 4).value, cell(t, 0, 5).value) == (
        7599198066, 6172926682, 81.23)
    assert (cell(t, 3, 0).raw, cell(t, 3, 5).raw) == ("SERVICIOS PERSONALES INDIRECTOS", "85,53%")
    assert cell(t, 6, 1).value == 0
    t = table(report, "8-pqrs-proceso")
    assert (t.rows[0].cells[0].raw, t.rows[0].cells[1].value) == (
        "Direccionamiento estratégico", 3)
    assert sum(r.cells[1].value for r in table(report, "8-pqrs-tipo").rows) == 137


def test_descriptive_tables_keep_text_cells(report: ParsedReport):
    t = table(report, "6.2-banco-proyectos")
    assert cell(t, 0, 0).raw == "Metro Ligero de la 80" and cell(t, 0, 0).value is None
    assert "22.188,74 m ²" in cell(t, 5, 1).raw and cell(t, 5, 1).value is None
    t = table(report, "6.1-valle-software-inversion")
    assert cell(t, 1, 0).raw == ""  # the strategic focus is written once for its rows
    assert cell(t, 1, 2).raw == "Relacionamiento estratégico con actores y empresas"
    t = table(report, "4.4.3-sur-sur")
    assert len(t.header) == 7 and cell(t, 3, 3).raw == "Cuenca"


# ----------------------------------------------------------------------------- facts


def text_figures(report: ParsedReport) -> list:
    """Facts written in sentences: prose, highlights and figures inside descriptive cells (not
    the facts that are a figure cell of a table)."""
    def value_cell(f) -> bool:
        table = report.table(f.table_key) if f.table_key else None
        return table is not None and table.rows[f.row_index].cells[f.col_index].value is not None
    return [f for f in report.facts if not value_cell(f)]


def fact(report: ParsedReport, line: int, raw: str):
    found = [f for f in report.facts if f.line == line and f.raw == raw]
    assert len(found) == 1, [(f.line, f.raw) for f in report.facts if f.line == line]
    return found[0]


@pytest.mark.parametrize(
    ("line", "raw", "section", "value", "unit", "scale", "role"),
    [
        (95, "USD $381,30 millones", "1", 381.3, "USD", "millones", "result"),
        (97, "USD $4,989 MILLONES", "1", 4.989, "USD", "millones", "result"),
        (132, "6.851 FAMILIAS", "1", 6851, "familias", None, "result"),
        (139, "13", "1", 13, "eventos", None, "result"),
        (151, "COP $27.502 millones", "2", 27502, "COP", "millones", "budget"),
        (151, "COP $20,8 billones", "2", 20.8, "COP", "billones", "budget"),
        (161, "$2.800 MILLONES", "2.1", 2800, "COP", "millones", "budget"),
        (161, "USD $350 millones", "2.1", 350, "USD", "millones", "target"),
        (195, "COP $2.975 millones", "2.2", 2975, "COP", "millones", "budget"),
        (197, "USD $4,8 millones de dólares", "2.2", 4.8, "USD", "millones", "target"),
        (207, "2.975 MILLONES DE PESOS", "2.2", 2975, "COP", "millones", "other"),
        (404, "40 empresarios", "3.3", 40, "empresarios", None, "count"),
        (414, "1780 empleos", "3.3", 1780, "empleos", None, "target"),
        (414, "17 proyectos", "3.3", 17, "proyectos", None, "result"),
        (441, "9%", "3.4", 9, "%", None, "result"),
        (441, "10 %", "3.4", 10, "%", None, "target"),
        (596, "UDS$100 MIL", "4.3.1", 100, "USD", "mil", "result"),
        (602, "10 mil protectores", "4.3.1", 10, "protectores", "mil", "result"),
        (683, "30 PAISAS", "4.3.3", 30, "paisas", None, "result"),
        (720, "1,3 billones de toneladas", "4.4.1", 1.3, "toneladas", "billones", "other"),
        (706, "96 DE LAS CIUDADES", "4.4.1", 96, "ciudades", None, "count"),
        (876, "USD 174.000", "4.4.4", 174000, "USD", None, "budget"),
        (922, "TRES PREMIOS", "5.1", 3, "premios", None, "count"),
        (997, "5 empresas", "5.2", 5, "empresas", None, "count"),
        (1058, "21 NUEVOS CENTROS", "6.1", 21, "centros", None, "count"),
        (1115, "22.188,74 m ²", "6.2", 22188.74, "m²", None, "other"),
        (1114, "23,049 m ²", "6.2", 23.049, "m²", None, "other"),
        (1116, "1MM de hogares", "6.2", 1, "hogares", "MM", "target"),
        (1144, "35%", "7.1", 35, "%", None, "other"),
        (1232, "62 contratos", "8", 62, "contratos", None, "result"),
        (1297, "$40 millones", "8", 40, "COP", "millones", "budget"),
        (1297, "39%", "8", 39, "%", None, "execution"),
        (1297, "$11.070.019", "8", 11070019, "COP", None, "execution"),
        (1301, "93%", "8", 93, "%", None, "execution"),
        (1336, "98,81%", "8", 98.81, "%", None, "execution"),
        (1336, "133 millones", "8", 133, "COP", "millones", "execution"),
        (1345, "$6.173 millones", "8", 6173, "COP", "millones", "execution"),
    ],
)
def test_fact_sample_per_chapter(report, line, raw, section, value, unit, scale, role):
    f = fact(report, line, raw)
    assert (f.section, f.unit, f.scale, f.role) == (section, unit, scale, role)
    assert f.value == pytest.approx(value)


def test_fact_sentences_are_clean_and_whole(report: ParsedReport):
    f = fact(report, 1301, "93%")
    # the paragraph wraps over lines 1299-1301: the sentence is rebuilt whole
    assert f.sentence.startswith("Para el Plan de Bienestar Laboral e Incentivos Institucionales")
    assert "$40 millones" in f.sentence and "**" not in f.sentence
    f = fact(report, 171, "2.800 MILLONES DE PESOS")  # a "DATOS 2020" box gets its label
    assert f.sentence == ("Desarrollo de estrategias para el impulso de inversión nacional y "
                          "extranjera en la ciudad: 2.800 MILLONES DE PESOS")
    f = fact(report, 1115, "22.188,74 m ²")  # a table description gets its row name
    assert f.sentence.startswith("Ciudadela Universitaria Norte: Tiene una capacidad")


def test_fact_cutoff(report: ParsedReport):
    f = fact(report, 414, "USD 381,30 Millones")
    assert f.cutoff == "15 de diciembre de 2020"
    assert fact(report, 95, "USD $381,30 millones").cutoff is None


def test_no_facts_from_toc_dates_years_or_names(report: ParsedReport):
    assert all(f.line > 80 for f in report.facts)
    facts = text_figures(report)
    raws = {f.raw for f in facts}
    for not_a_figure in ("2020", "2023", "9001", "666", "19", "13", "80"):
        assert not any(f.raw == not_a_figure and f.line != 139 for f in facts), (
            not_a_figure, raws)
    assert not [f for f in report.facts if f.line == 87]  # "hasta el 15 de diciembre de 2020"
    assert not [f for f in report.facts if f.line == 1330 and f.raw.startswith("9001")]


def test_fact_count(report: ParsedReport):
    # every figure outside tables and dates; guarded by the coverage test in detail
    assert 150 <= len(text_figures(report)) <= 200
    # and one fact per figure cell of every table
    cells = sum(c.value is not None for t in report.tables for r in t.rows for c in r.cells)
    assert len(report.facts) - len(text_figures(report)) == cells


# ----------------------------------------------------------------------------- enumerations

EXPECTED_ITEMS = {
    "premios-resumen": 4, "fases-inversion": 5, "frentes-inversion": 5,
    "sectores-inversion": 8, "objetivos-zonas-francas": 6, "acciones-zonas-francas": 8,
    "frentes-cooperacion": 5, "fases-cooperacion": 5, "lineas-cooperacion": 5,
    "donantes-donaton": 4, "redes-ciudad": 12, "premios": 4,
    "empresas-habilitadoras-valle-software": 4, "retos-inversion": 6, "retos-cooperacion": 8,
    "retos-comunicaciones": 4, "instrumentos-archivisticos": 2, "programa-auditoria": 4,
    "informes-ley": 14, "actividades-mipg": 3, "aportes-control-interno": 5,
}


def test_enumeration_items(report: ParsedReport):
    # found by rule (named by the report's overlay); the rules may find more lists than these
    assert EXPECTED_ITEMS.items() <= {e.key: len(e.items) for e in report.enumerations}.items()
    by_key = {e.key: e for e in report.enumerations}
    sectors = [i.label for i in by_key["sectores-inversion"].items]
    assert sectors[0] == "AGRONEGIOS" and sectors[-1] == "SERVICIOS DE TECNOLOGÍA"
    assert by_key["sectores-inversion"].items[-1].description.startswith(
        "empresas que desarrollan software")
    redes = by_key["redes-ciudad"]
    assert [i.label for i in redes.items][:4] == [
        "C40", "100RC - RED 100 CIUDADES RESILIENTES", "METRÓPOLIS", "AL-LAS"]
    assert redes.items[9].label == "RED DE CIUDADES LÍDERES EN MOVILIDAD URBANA (MUSAL)"
    assert redes.section == "4.4.4" and redes.items[0].line == 790
    lines = [i.label for i in by_key["lineas-cooperacion"].items]
    assert lines == ["DESARROLLO ECONÓMICO", "DESARROLLO SOCIAL",
                     "TRANSFORMACIÓN EDUCATIVA Y CULTURAL", "ECOCIUDAD E INNOVACIÓN DIGITAL",
                     "GOBERNANZA Y CONSTRUCCIÓN DE PAZ"]
    social = by_key["lineas-cooperacion"].items[1].description
    assert social.startswith("oportunidades relacionadas") and "fundamentales, a través" in social
    fronts = by_key["frentes-inversion"].items
    assert fronts[1].label == "ARTICULACIÓN CON ALIADOS" and "Cámaras binacionales" in (
        fronts[1].description)
    assert by_key["fases-inversion"].items[4].label.endswith("(SERVICIOS AFTERCARE).")
    assert "no postulado por la ACI Medellín" in by_key["premios"].items[2].label
    assert by_key["retos-cooperacion"].items[7].label.startswith("En el mediano -largo plazo")
    assert by_key["acciones-zonas-francas"].items[0].label == "Mesa de trabajo con Proantioquia"


# ----------------------------------------------------------------------------- dev questions


def searchable(report: ParsedReport) -> str:
    parts = [s.title + "\n" + s.text for s in report.sections]
    for t in report.tables:
        parts += [t.title, " ".join(t.header)]
        parts += [c.raw for r in t.rows for c in r.cells]
    parts += [f"{f.raw}\n{f.sentence}" for f in report.facts]
    parts += [f"{i.label}\n{i.description}" for e in report.enumerations for i in e.items]
    return "\n".join(parts).casefold()


def test_every_dev_expect_is_in_the_parsed_report(report: ParsedReport):
    questions = yaml.safe_load((ROOT / "tests" / "question_sets" / "dev.yaml").read_text("utf-8"))
    haystack = searchable(report)
    missing = [(q["id"], e) for q in questions for e in q["expect"]
               if str(e).casefold() not in haystack]
    assert not missing


# ----------------------------------------------------------------------------- broken input


@pytest.mark.parametrize(
    "bad",
    ["", "   \n\n", "hola, esto no es un informe\n\nsolo texto suelto 123",
     "INFORME 2020\n\n01\n\nuna línea cualquiera\n", "\x00\x01\x02"],
)
def test_text_without_report_structure_is_an_ingest_error(bad: str):
    with pytest.raises(IngestError):
        parse_report(bad)


def test_read_report_file_errors(tmp_path: Path):
    with pytest.raises(IngestError, match="No existe"):
        read_report_file(tmp_path / "nope.md")
    bad = tmp_path / "latin1.md"
    bad.write_bytes("INFORME DE GESTIÓN".encode("latin-1"))
    with pytest.raises(IngestError, match="UTF-8"):
        read_report_file(bad)
    with pytest.raises(IngestError):
        read_report_file(tmp_path)  # a directory


def test_minimal_report_without_toc_or_curated_data():
    text = ("INFORME ANUAL DE PRUEBA\n\n2021\n\n01\n\nRESUMEN\n\nSe atendieron 25 personas.\n\n"
            "1.1\n\nDETALLE\n\nA\tB\nx\t$1.000\n\n02\n\nCIERRE\n\nFin.\n")
    r = parse_report(text, report_id="prueba-2021")
    assert (r.title, r.year) == ("INFORME ANUAL DE PRUEBA 2021", 2021)
    assert [s.number for s in r.sections] == ["1", "1.1", "2"]
    assert r.tables[0].rows[0].cells[1].value == 1000 and r.tables[0].key.startswith("1.1-")
    assert [(f.raw, f.unit, f.source) for f in r.facts] == [
        ("25 personas", "personas", "prose"), ("$1.000", "COP", "cell")]
    assert r.enumerations == []  # no list in this text


def test_parse_is_deterministic(text: str, report: ParsedReport):
    assert parse_report(text).model_dump() == report.model_dump()
