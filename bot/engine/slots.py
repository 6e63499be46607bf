"""Slots read from a question: months, years, thresholds, section, measure, question type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.engine.normalize import fold

MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
MONTH_ABBREVIATIONS = {
    "sept": 9,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dic": 12,
    "ene": 1,
    "feb": 2,
    "abr": 4,
    "ago": 8,
    "jun": 6,
    "jul": 7,
    "dec": 12,
    "aug": 8,
}
MONTH_NAMES_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
MONTH_NAMES_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_SECTION = re.compile(
    r"(?:§|\bseccion\b|\bsection\b|\bcapitulo\b|\bchapter\b)\s*(\d{1,2}(?:\.\d{1,2}){0,2})"
)
# A comparison with a number: "más de 100", "por debajo del 70 %", "que pasan de 115 millones".
_THRESHOLD = re.compile(
    r"\b(mas de(?:l| los| las)?|menos de(?:l| los| las)?|(?:mayor|menor)(?:es)? (?:a|al|que)|"
    r"al menos|minimo|como minimo|(?:superior|inferior)(?:es)? a(?:l)?|"
    r"por (?:encima|debajo) de(?:l| los| las)?|arriba de(?:l)?|"
    r"(?:pasan|pasaron|paso|pasa) de(?:l| los| las)?|(?:superan|superaron|supera|supero|exceden|"
    r"excedieron|excede|sobrepasan|sobrepasaron) (?:el|los|las|la)?|"
    r"more than|less than|fewer than|over|under|at least|above|below|exceeding|exceed)"
    r"\s*\$?\s*(\d+(?:[.,]\d+)*)(?:\s*(millones|millon|mil|billones|mm|million|millions|"
    r"thousand|billion)\b)?"
)
_THRESHOLD_SCALES = {
    "mil": 1e3,
    "thousand": 1e3,
    "millones": 1e6,
    "millon": 1e6,
    "mm": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "billones": 1e12,
    "billion": 1e9,
}


def threshold_spans(folded: str) -> list[tuple[int, int]]:
    """Where the question compares with a number: those numbers are constraints, not names."""
    return [match.span() for match in _THRESHOLD.finditer(folded)]


# Measures a question can ask for; the first cue found wins, in this order.
MEASURE_CUES: list[tuple[str, tuple[str, ...]]] = [
    (
        "anio",
        (
            "which years",
            "what years",
            "que anos",
            "entre que anos",
            "desde cuando",
            "hasta cuando",
            "hasta que ano",
            "desde que ano",
            "until when",
            "which year",
            "what year",
            "que ano",
            "en que ano",
            "years",
        ),
    ),
    ("poblacion", ("population", "poblacion", "habitantes", "inhabitants")),
    (
        "meta",
        (
            "meta",
            "metas",
            "target",
            "goal",
            "objetivo numerico",
            "se supero",
            "cumplio",
            "cumplimiento",
            "exceed",
            "supero",
            "asignado vs",
            "avance",
            "progreso",
            "progress",
        ),
    ),
    (
        "ejecucion",
        (
            "ejecucion",
            "ejecuto",
            "ejecutado",
            "ejecutaron",
            "execution",
            "executed",
            "se gasto",
            "gastado",
        ),
    ),
    ("presupuesto", ("presupuesto", "budget", "asigno", "asignaron", "asignado", "asignada")),
    ("recaudo", ("recaudo", "recaudaron", "recaudado", "collected")),
    (
        "asistentes",
        (
            "asistentes",
            "asistieron",
            "attended",
            "attendees",
            "asistencia",
            "convoco",
            "se conectaron",
            "conectaron",
            "participaron",
            "personas",
        ),
    ),
    ("fecha", ("cuando", "fecha", "when", "date", "que dia", "what day")),
    (
        "costo",
        (
            "cuesta",
            "costo",
            "coste",
            "cost",
            "precio",
            "price",
            "gana",
            "cuanto gano",
            "cuanto ganaron",
            "salario",
            "sueldo",
            "salary",
            "earn",
            "earns",
            "vale",
        ),
    ),
    (
        "valor",
        (
            "valor",
            "monto",
            "value",
            "amount",
            "cuanto dinero",
            "cuanta plata",
            "plata",
            "cuanto",
            "cuanta",
            "how much",
        ),
    ),
    (
        "cantidad",
        (
            "cuantos",
            "cuantas",
            "how many",
            "numero de",
            "cantidad",
            "number of",
            "la cifra",
        ),
    ),
    ("area", ("area", "superficie", "metros cuadrados", "m2", "square meters", "square metres")),
    ("longitud", ("longitud", "kilometros", "km", "length", "how long", "que tan largo")),
    ("porcentaje", ("porcentaje", "percentage", "tasa", "rate", "%")),
    ("donde", ("donde", "where", "en que ciudad", "que pais", "which country", "which city")),
    ("quien", ("quien", "quienes", "who", "whom", "que entidad", "que empresa", "cual entidad")),
]

LIST_CUES = (
    "cuales son",
    "cuales fueron",
    "lista",
    "listado",
    "enumera",
    "which are",
    "list",
    "what are",
    "todos los",
    "todas las",
    "que tipos",
    "cuales",
)
# "¿qué sectores…?", "which networks…": a plural noun after a which-word asks for a list.
_PLURAL_WHICH = re.compile(r"^(?:que|cuales|which|what)\s+[a-z]{4,}s\b")
SUMMARY_CUES = (
    "resumen",
    "resume",
    "resumes",
    "resumir",
    "resumeme",
    "resumame",
    "sintesis",
    "de que trata",
    "de que se trata",
    "que esta pasando con",
    "que pasa con",
    "que paso con",
    "que ha pasado con",
    "what happened with",
    "what is happening with",
    "what s happening with",
    "summary",
    "summarize",
    "summarise",
    "overview",
    "que ha hecho",
    "que hizo",
    "que se hizo",
    "que hicieron",
    "balance de",
    "que logros",
)
# "What did Medellín do in C40?" asks for a summary; "what did Seoul donate?" does not.
_WHAT_DONE = re.compile(r"\bwhat (?:did|has|have|does) .{0,60}\b(?:do|done|achieve|achieved)\b")
SUPERLATIVE_MAX = (
    "mas asistentes",
    "el mayor",
    "la mayor",
    "mas grande",
    "maximo",
    "most",
    "largest",
    "biggest",
    "highest",
    "mas alto",
    "mas alta",
)
SUPERLATIVE_MIN = (
    "menos asistentes",
    "el menor",
    "la menor",
    "mas pequeno",
    "minimo",
    "least",
    "smallest",
    "lowest",
    "mas bajo",
    "mas baja",
)
TOTAL_CUES = ("total", "en total", "suma", "sumados", "in total", "overall", "por modalidad")


@dataclass
class Slots:
    months: list[int] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    threshold: tuple[str, float] | None = None  # ("gt"|"lt"|"ge", value)
    section: str | None = None
    measure: str | None = None
    wants_list: bool = False
    wants_summary: bool = False
    superlative: str | None = None  # "max" | "min"
    wants_total: bool = False


def _is_word(word: str) -> bool:
    import simplemma

    return simplemma.is_known(word, lang="es") or simplemma.is_known(word, lang="en")


def extract_months(folded: str) -> list[int]:
    found: list[int] = []
    for word in folded.split():
        month = MONTHS.get(word) or MONTH_ABBREVIATIONS.get(word)
        # A misspelt month ("septiembr"), never a real word near one ("genero" is "género").
        if month is None and len(word) >= 6 and not word.isdigit() and not _is_word(word):
            match = process.extractOne(word, MONTH_NAMES_ES, scorer=fuzz.ratio, score_cutoff=85)
            if match:
                month = MONTHS[match[0]]
        if month and month not in found:
            found.append(month)
    return found


_YEAR_RANGE = re.compile(r"\b(?:19|20)\d\d\s*-\s*(?:19|20)\d\d\b")


def extract_years(folded: str) -> list[int]:
    """Years asked about; a period ("2020-2023", the plan's) names no single report year."""
    return [int(y) for y in _YEAR.findall(_YEAR_RANGE.sub(" ", folded))]


def without_operators(folded: str) -> str:
    """The question without the words of its table operator: comparisons ("pasan de 115
    millones"), largest or smallest ("la más grande"), totals ("en total"). What is left is
    what the rows must be about."""
    text = f" {_THRESHOLD.sub(' ', folded)} "
    for cue in sorted((*SUPERLATIVE_MAX, *SUPERLATIVE_MIN, *TOTAL_CUES), key=len, reverse=True):
        text = text.replace(f" {cue} ", " ")
    return " ".join(text.split())


def extract_threshold(folded: str) -> tuple[str, float] | None:
    """("gt"|"lt"|"ge", value): the value with the scale the question gives ("115 millones"
    is 115000000), so it compares with the cells as the report writes them."""
    match = _THRESHOLD.search(folded)
    if not match:
        return None
    cue, number, scale = match.groups()
    digits = number
    if "," in digits or digits.count(".") > 1 or (
        "." in digits and len(digits.rsplit(".", 1)[1]) == 3
    ):
        digits = digits.replace(".", "").replace(",", ".")  # Spanish: 1.500 or 2,5
    try:
        value = float(digits)
    except ValueError:
        return None
    value *= _THRESHOLD_SCALES.get(scale or "", 1.0)
    if cue.startswith(
        ("menos", "menor", "less", "fewer", "under", "below", "inferior", "por debajo")
    ):
        return ("lt", value)
    if cue.startswith(("al menos", "minimo", "como minimo", "at least")):
        return ("ge", value)
    return ("gt", value)


def extract_section(text: str) -> str | None:
    match = _SECTION.search(fold(text).replace("§ ", "§"))
    if match is None:
        match = re.search(r"§\s*(\d{1,2}(?:\.\d{1,2}){0,2})", text)
    return match.group(1) if match else None


def extract_measure(folded: str) -> str | None:
    padded = f" {folded} "
    for measure, cues in MEASURE_CUES:
        if any(f" {cue} " in padded for cue in cues):
            return measure
    return None


def _has_any(folded: str, cues: tuple[str, ...]) -> bool:
    padded = f" {folded} "
    return any(f" {cue} " in padded for cue in cues)


# "avance al 15 de diciembre": the date figures are given at, not a month to filter by.
_CUT_OFF = re.compile(
    r"\b(?:al|hasta el|corte al|con corte al|as of|until)\s+\d{1,2}\s+de\s+[a-z]+"
)
_WHICH_ONE = re.compile(r"\b(?:cual|cuales|que|quien|quienes|which|who)\b")
_MOST = re.compile(r"\b(mas|menos)\s+(?!de\b|que\b|o\b|y\b)[a-z]{3,}")


def extract_slots(question: str) -> Slots:
    folded = fold(question)
    superlative = None
    if _has_any(folded, SUPERLATIVE_MAX) and not _has_any(folded, ("mayor parte",)):
        superlative = "max"
    elif _has_any(folded, SUPERLATIVE_MIN):
        superlative = "min"
    elif _WHICH_ONE.search(folded) and (most := _MOST.search(_THRESHOLD.sub(" ", folded))):
        # "¿Cuál tuvo más gente?", "¿qué evento recibió menos asistentes?": the most or least.
        superlative = "max" if most.group(1) == "mas" else "min"
    return Slots(
        months=extract_months(_CUT_OFF.sub(" ", folded)),
        years=extract_years(folded),
        threshold=extract_threshold(folded),
        section=extract_section(question),
        measure=extract_measure(folded),
        wants_list=_has_any(folded, LIST_CUES) or bool(_PLURAL_WHICH.search(folded)),
        wants_summary=_has_any(folded, SUMMARY_CUES) or bool(_WHAT_DONE.search(folded)),
        superlative=superlative,
        wants_total=_has_any(folded, TOTAL_CUES),
    )
