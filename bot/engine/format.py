"""Numbers and units in the answer's language: `USD 381,3 millones` / `USD 381.3 million`."""

from __future__ import annotations

SCALE_WORDS = {
    "es": {"mil": "mil", "millones": "millones", "billones": "billones", "MM": "millones"},
    "en": {"mil": "thousand", "millones": "million", "billones": "billion", "MM": "million"},
}

CURRENCIES = {"USD", "COP"}


def format_number(value: float, lang: str = "es", decimals: int | None = None) -> str:
    """1424430012 -> '1.424.430.012' (es) / '1,424,430,012' (en); 381.3 -> '381,3' / '381.3'."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else min(_decimals_of(value), 3)
    text = f"{value:,.{decimals}f}"
    if lang == "es":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _decimals_of(value: float) -> int:
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    return len(text.split(".")[1].rstrip("0"))


def format_figure(
    value: float | None,
    unit: str | None,
    scale: str | None,
    lang: str = "es",
    raw: str | None = None,
) -> str:
    """A figure with its unit and scale in the answer's language; the raw text when not numeric."""
    if value is None:
        return raw or ""
    number = format_number(value, lang)
    scale_word = SCALE_WORDS[lang].get(scale or "", scale or "")
    if unit == "%":
        return f"{number} %" if lang == "es" else f"{number}%"
    if unit in CURRENCIES:
        return " ".join(p for p in (unit, number, scale_word) if p)
    parts = [number, scale_word, _unit_word(unit, lang)]
    return " ".join(p for p in parts if p)


_UNIT_EN = {
    "personas": "people",
    "proyectos": "projects",
    "eventos": "events",
    "familias": "families",
    "empresas": "companies",
    "contratos": "contracts",
    "premios": "awards",
    "ciudades": "cities",
    "paisas": "paisas",
    "acciones": "actions",
    "aportes": "contributions",
    "toneladas": "tonnes",
    "predios": "properties",
    "hogares": "households",
    "servidores": "employees",
    "estaciones": "stations",
    "pesos": "pesos",
    "dólares": "dollars",
}


def _unit_word(unit: str | None, lang: str) -> str:
    if not unit:
        return ""
    if lang == "en":
        return _UNIT_EN.get(unit, unit)
    return unit


def format_share(part: float, whole: float, lang: str = "es") -> str:
    """Share of a target, rounded to a whole percent: 381.3 of 350 -> '109 %'."""
    share = round(part / whole * 100)
    return f"{share} %" if lang == "es" else f"{share}%"
