"""Report variants made by code, for table roles: renamed headers and headings, new figures.

`renamed_tables` rewrites every table's header row and the capitalised heading lines above the
tables with general synonyms, multiplies every figure of every table cell (sums stay sums), and
changes the title's year, so no hand-written overlay of the bundled report applies.
"""

from __future__ import annotations

import re

# General synonyms a report of another year or organisation could use instead.
HEADER_WORDS = {
    "META": "OBJETIVO", "AVANCE": "RESULTADO", "PPTO": "PRESUPUESTO", "NOMBRE": "DENOMINACIÓN",
    "NÚMERO DE ASISTENTES": "PARTICIPANTES", "FECHA DE REALIZACIÓN": "DÍA", "DETALLE": "CONCEPTO",
    "RECAUDOS": "RECAUDADO", "UNIDAD DE MEDIDA": "UNIDAD", "NRO.": "CANTIDAD",
}
HEADING_WORDS = {
    "EVENTOS": "ENCUENTROS", "PROPIOS": "ORGANIZADOS", "PRESUPUESTAL": "DEL PRESUPUESTO",
    "GASTOS": "EGRESOS", "INDICADORES": "MEDICIONES", "BANCO": "CARTERA",
}
_NUMBER = re.compile(r"(?<![\w/])(\d{1,3}(?:\.\d{3})+|\d+)(,\d+)?(?![\w/])")


def _replace_words(text: str, words: dict[str, str]) -> str:
    for old, new in sorted(words.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, text)
    return text


def _times(match: re.Match[str], factor: int) -> str:
    whole, decimals = match.group(1), match.group(2) or ""
    if re.fullmatch(r"(?:19|20)\d{2}", whole) and not decimals:
        return match.group()  # a year
    value = int(whole.replace(".", "")) * factor
    grouped = f"{value:,}".replace(",", ".") if "." in whole else str(value)
    return grouped + decimals


def _scale_cell(cell: str, factor: int) -> str:
    if re.search(r"\d{1,2}/\d{1,2}/\d{4}|\bde\s+[a-z]+|\d{15,}", cell, re.IGNORECASE):
        return cell  # dates and case numbers are not figures
    return _NUMBER.sub(lambda m: _times(m, factor), cell)


def renamed_tables(text: str, factor: int = 3) -> str:
    lines = text.split("\n")
    out = list(lines)
    for i, line in enumerate(lines):
        if "\t" not in line:
            continue
        first_of_block = i == 0 or "\t" not in lines[i - 1]
        if first_of_block and not _is_keyvalue_line(line):
            out[i] = _replace_words(line, HEADER_WORDS)
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            if j >= 0 and lines[j].strip().isupper():
                out[j] = _replace_words(lines[j], HEADING_WORDS)
        else:
            out[i] = "\t".join(_scale_cell(c, factor) for c in line.split("\t"))
    for k in [k for k, line in enumerate(out) if line.strip()][:2]:  # the title and its year
        out[k] = re.sub(r"\b(19|20)(\d{2})\b", lambda m: str(int(m.group()) + 1), out[k])
    return "\n".join(out)


def _is_keyvalue_line(line: str) -> bool:
    cells = line.split("\t")
    return len(cells) == 2 and cells[0].strip().isupper() and not cells[1].strip().isupper()
