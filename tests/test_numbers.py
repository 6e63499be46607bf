"""Spanish number formats as the report writes them (knowledge.numbers)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.numbers import find_numbers, parse_number


@pytest.mark.parametrize(
    ("text", "value", "unit", "scale"),
    [
        ("381,30", 381.3, None, None),
        ("2.975", 2975, None, None),
        ("\\$1.424.430.012", 1424430012, "COP", None),
        ("100 mil", 100, None, "mil"),
        ("1MM", 1, None, "MM"),
        ("4,8", 4.8, None, None),
        ("4,989", 4.989, None, None),
        ("USD \\$4,8 millones", 4.8, "USD", "millones"),
        ("USD **\\$381,30 millones**", 381.3, "USD", "millones"),
        ("UDS\\$100 MIL", 100, "USD", "mil"),
        ("22.188,74 m²", 22188.74, "m²", None),
        ("22.188,74 m ²", 22188.74, "m²", None),
        ("101.539,15m²", 101539.15, "m²", None),
        ("98,81%", 98.81, "%", None),
        ("100,00%", 100, "%", None),
        ("10 %", 10, "%", None),
        # comma is always the decimal mark in this report, even before 3 digits (documented)
        ("23,049 m ²", 23.049, "m²", None),
        ("1,3 billones", 1.3, None, "billones"),
        ("COP \\$27.502 millones", 27502, "COP", "millones"),
        ("COP \\$20,8 billones", 20.8, "COP", "billones"),
        ("2.800 MILLONES DE PESOS", 2800, "COP", "millones"),
        ("350 MILLONES DE DÓLARES", 350, "USD", "millones"),
        ("\\$40 millones", 40, "COP", "millones"),
        ("13,25 km", 13.25, "km", None),
        ("14 kilómetros", 14, "km", None),
        ("500Mbps", 500, "Mbps", None),
        ("0", 0, None, None),
    ],
)
def test_parse_number_formats(text: str, value: float, unit: str | None, scale: str | None):
    n = parse_number(text)
    assert n is not None
    assert n.value == pytest.approx(value)
    assert (n.unit, n.scale) == (unit, scale)


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("100+", 100, None, "+"),
        ("100 +", 100, None, "+"),
        ("6 empresas", 6, "empresas", "empresas"),
        ("160 representantes de empresas", 160, "representantes", "representantes de empresas"),
        ("25 personas", 25, "personas", "personas"),
        ("90%", 90, "%", None),
        ("\\$964.165.992", 964165992, "COP", None),
        ("120.839.667", 120839667, None, None),
    ],
)
def test_parse_number_cells_keep_qualifier(text, value, unit, qualifier):
    n = parse_number(text)
    assert n is not None
    assert (n.value, n.unit, n.qualifier) == (value, unit, qualifier)
    assert n.raw == text.replace("\\$", "$")


@pytest.mark.parametrize(
    "text",
    ["14 de mayo", "28/04/2020", "Septiembre 23", "30 septiembre", "Del 07 al 14 de octubre",
     "2, 3 y 4 de diciembre", "10 y 11 de diciembre", "Octubre 2", "", "Ecociudad",
     "Metro Ligero de la 80", "05001333300520130018000"],
)
def test_parse_number_rejects_dates_text_and_codes(text):
    assert parse_number(text) is None


def test_find_numbers_sentence_with_markdown_spans():
    s = "Se logró un monto de inversión de USD **\\$381,30 millones** y **6.851 FAMILIAS**."
    found = find_numbers(s)
    assert [(m.raw, m.value, m.unit, m.scale) for m in found] == [
        ("USD $381,30 millones", 381.3, "USD", "millones"),
        ("6.851 FAMILIAS", 6851, "familias", None),
    ]
    # spans index the original text, markdown included
    assert s[found[0].span[0]:found[0].span[1]] == "USD **\\$381,30 millones"
    assert s[found[1].span[0]:found[1].span[1]] == "6.851 FAMILIAS"


def test_find_numbers_units_from_following_words():
    found = find_numbers("MEDELLÍN CONECTA A 96 DE LAS CIUDADES y se ahorrarían 1,3 billones "
                         "de toneladas de CO2")
    assert [(m.value, m.unit, m.scale) for m in found] == [
        (96, "ciudades", None), (1.3, "toneladas", "billones")]


def test_find_numbers_list_shares_unit_and_skips_dates():
    s = ("PARTICIPAMOS EN 46 EVENTOS, 16 organizados y liderados por la ACI Medellín, "
         "17 invitados como panelistas y 13 para asesorar, el 14 de octubre")
    found = find_numbers(s)
    assert [(m.value, m.unit) for m in found] == [
        (46, "eventos"), (16, "eventos"), (17, "eventos"), (13, "eventos")]
    assert [m.value for m in find_numbers(s, include_dates=True)][-1] == 14


def test_find_numbers_inherits_currency_and_scale_words():
    s = "por \\$189 millones, de los cuales se recaudaron en esta vigencia 133 millones."
    assert [(m.value, m.unit, m.scale) for m in find_numbers(s)] == [
        (189, "COP", "millones"), (133, "COP", "millones")]


def test_find_numbers_spelled_counts_only_with_a_unit_and_without_digits():
    found = find_numbers("HA GANADO TRES PREMIOS, beneficiando a cinco (5) servidores; "
                         "siete reuniones de Junta; una hora")
    assert [(m.value, m.unit, m.spelled) for m in found] == [
        (3, "premios", True), (5, "servidores", False), (7, "reuniones", True)]


def test_find_numbers_mixed_markers():
    found = find_numbers("Y EL BID ENTREGÓ UDS\\$100 MIL; 100 mil pruebas; 1MM de hogares; "
                         "por cada COP\\$1 invertido; el 0,13% del presupuesto")
    assert [(m.value, m.unit, m.scale) for m in found] == [
        (100, "USD", "mil"), (100, "pruebas", "mil"), (1, "hogares", "MM"), (1, "COP", None),
        (0.13, "%", None)]


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_spanish_formatting_round_trips(whole: int, cents: int):
    """Any amount written the Spanish way ("1.424.430.012,05") reads back to its value."""
    grouped = f"{whole:,}".replace(",", ".")
    text = f"$ {grouped},{cents:02d} millones"
    n = parse_number(text)
    assert n is not None
    assert (n.unit, n.scale) == ("COP", "millones")
    assert n.value == pytest.approx(whole + cents / 100)
