"""Where a chart's or a file's figures come from, in one line a journalist can print.

"Fuente: Informe de Gestión ACI Medellín 2020, §8, corte 15 de diciembre de 2020": the report's
name from its own title, the sections the figures sit in, and the cut-off date the report gives
(the table's own header first, then the section's sentences, then the date the whole report
says its figures run to). Nothing here is typed per report; every part is read from it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from bot.engine.slots import MONTH_NAMES_EN, MONTH_NAMES_ES
from bot.report_tables import fold, sentence_case
from knowledge.model import ParsedReport, ParsedTable

# Spanish function words stay in lower case inside a title ("Informe de Gestión").
_FUNCTION_WORDS = frozenset(
    {"a", "al", "de", "del", "e", "el", "en", "la", "las", "lo", "los", "o", "para", "por", "u"}
    | {"un", "una", "y", "con", "sin", "sobre"}
)
_MONTHS = "|".join(fold(m) for m in MONTH_NAMES_ES) + "|setiembre"
# "hasta el 15 de diciembre de 2020", "AVANCE AL 15 DE DICIEMBRE DE 2020", "con corte al 30 de …";
# not the end of a range ("del 07 al 14 de octubre").
_CUTOFF = re.compile(
    r"(?<!\d )\b(?:al cierre del|con corte al|corte al|hasta el|al)\s+(\d{1,2})\s+de\s+"
    rf"({_MONTHS})"
    r"(?:\s+(?:de|del)\s+(\d{4}))?"
)

_LABELS = {
    "es": {"source": "Fuente", "cutoff": "corte"},
    "en": {"source": "Source", "cutoff": "cut-off"},
}


def report_name(report: ParsedReport) -> str:
    """The report's title as a name: "INFORME DE GESTIÓN ACI MEDELLÍN 2020" ->
    "Informe de Gestión ACI Medellín 2020" (names and acronyms as the report's prose writes them,
    other words capitalised, function words in lower case)."""
    # Every answer names its report: worked out once per title and text (the casing's key).
    key = (report.title, report.source_sha256)
    name = _NAMES.get(key)
    if name is None:
        name = _report_name(report)
        if len(_NAMES) < 256:
            _NAMES[key] = name
    return name


_NAMES: dict[tuple[str, str], str] = {}


def _report_name(report: ParsedReport) -> str:
    title = " ".join(report.title.split())
    if not title.isupper():
        return title
    words = sentence_case(title, report).split(" ")
    out = []
    for index, word in enumerate(words):
        if index and word.islower() and word not in _FUNCTION_WORDS:
            word = word[:1].upper() + word[1:]
        out.append(word)
    return " ".join(out)


def _dates(text: str) -> list[tuple[int, int, int | None]]:
    months = [fold(m) for m in MONTH_NAMES_ES]
    found = []
    for match in _CUTOFF.finditer(fold(text)):
        month = match.group(2).replace("setiembre", "septiembre")
        year = int(match.group(3)) if match.group(3) else None
        found.append((int(match.group(1)), months.index(month) + 1, year))
    return found


def _format_date(day: int, month: int, year: int, lang: str) -> str:
    if lang == "en":
        return f"{day} {MONTH_NAMES_EN[month - 1]} {year}"
    return f"{day} de {MONTH_NAMES_ES[month - 1]} de {year}"


def report_cutoff(report: ParsedReport) -> tuple[int, int, int] | None:
    """The date the report says its figures run to: the cut-off date it repeats most."""
    counts: Counter[tuple[int, int, int]] = Counter()
    for line in report.lines:
        for day, month, year in _dates(line):
            counts[(day, month, year or report.year)] += 1
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def table_cutoff(report: ParsedReport, table: ParsedTable) -> tuple[int, int, int] | None:
    """A table's cut-off: its caption or header ("AVANCE AL 15 DE DICIEMBRE DE 2020"), else a
    cut-off its section's sentences give, else the report's."""
    for text in (" ".join(table.header), table.title):
        dates = _dates(text)
        if dates:
            day, month, year = dates[0]
            return day, month, year or report.year
    return section_cutoff(report, table.section)


def section_cutoff(report: ParsedReport, number: str) -> tuple[int, int, int] | None:
    section = report.section(number)
    if section is not None:
        for line in report.lines[section.line_start - 1 : section.line_end]:
            if "\t" in line:  # a table row: its dates are what it lists, not a cut-off
                continue
            dates = _dates(line)
            if dates:
                day, month, year = dates[0]
                return day, month, year or report.year
    return report_cutoff(report)


def cutoff_text(cutoff: tuple[int, int, int] | None, lang: str = "es") -> str | None:
    return None if cutoff is None else _format_date(*cutoff, lang)


def source_line(
    report: ParsedReport,
    sections: Iterable[str],
    cutoff: tuple[int, int, int] | None = None,
    lang: str = "es",
) -> str:
    """ "Fuente: Informe de Gestión ACI Medellín 2020, §8, corte 15 de diciembre de 2020"."""
    labels = _LABELS["en" if lang == "en" else "es"]
    numbers = sorted(set(sections), key=_section_key)
    parts = [report_name(report)]
    if numbers:
        parts.append(", ".join(f"§{n}" for n in numbers))
    date = cutoff_text(cutoff, lang)
    if date:
        parts.append(f"{labels['cutoff']} {date}")
    return f"{labels['source']}: " + ", ".join(parts)


def _section_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))
