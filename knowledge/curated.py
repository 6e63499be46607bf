"""Curated knowledge kept as data (knowledge/data/*.yaml), loaded and checked against the report.

- synonyms.yaml: canonical term -> aliases (abbreviations, chat words, English);
- topics.yaml: the topics the bot knows, with the sections that hold them;
- discrepancies.yaml: places where the report contradicts itself, each side quoted verbatim;
- number_exclusions.yaml: numbers that are not figures (dates, years in names...), with reasons;
- tables.yaml / enumerations.yaml: stable keys and titles for what ingest extracts.

Quotes and anchors cite the report: `validate_curated` fails ingest, naming the quote, when one
is not in the report text. Quotes are compared on the text a reader sees: markdown "**" and "\\$"
removed, runs of spaces, tabs and line breaks folded to one space; case and accents must match.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from bot.errors import IngestError
from knowledge.text import clean, fold, split_lines

DATA_DIR = Path(__file__).resolve().parent / "data"


class Topic(BaseModel):
    key: str
    name_es: str
    name_en: str
    sections: list[str]
    keywords: list[str] = Field(default_factory=list)  # Spanish and English words that name it


class DiscrepancySide(BaseModel):
    quote: str  # verbatim (see module doc)
    section: str  # the section the quote sits in
    value: str | None = None  # the figure or date as written inside the quote: "62", "4,989"
    table: str | None = None  # a table key when this side is a table (e.g. its row count)


class Discrepancy(BaseModel):
    id: str
    topic: list[str]  # keywords (es + en) that tell the engine the question is about this
    description_es: str
    description_en: str
    sides: list[DiscrepancySide] = Field(min_length=2)


class Exclusion(BaseModel):
    kind: str
    pattern: str
    reason: str

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE)


class TableSpec(BaseModel):
    key: str
    section: str
    title: str
    match: list[str]
    column_units: dict[str, str] = Field(default_factory=dict)


class EnumerationSpec(BaseModel):
    """Where a list starts and how its items are written; the items come from the report."""

    key: str
    title: str
    section: str
    # numbered: loose "01", "02"... lines; labeled: capitalised "LABEL:" lines with text or
    # bullets under each; bullets: "- item" lines; inline: "intro: a; b; c." in one sentence
    kind: Literal["numbered", "labeled", "bullets", "inline"]
    anchor: str | None = None  # verbatim text of the line the list follows (None: section start)
    count: int | None = None  # how many items the report announces, when it says


class Curated(BaseModel):
    report_title: str  # the report the quotes, anchors and keys belong to
    synonyms: dict[str, list[str]]
    topics: list[Topic]
    discrepancies: list[Discrepancy]
    exclusions: list[Exclusion]
    tables: list[TableSpec]
    enumerations: list[EnumerationSpec]

    def applies_to(self, report_title: str) -> bool:
        return fold(report_title) == fold(self.report_title)

    def excluded_spans(self, text: str) -> list[tuple[int, int, Exclusion]]:
        """Where a clean line holds numbers that are not figures."""
        return [(m.start(), m.end(), e) for e in self.exclusions for m in e.regex.finditer(text)]


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IngestError(f"Archivo de datos curados ilegible: {path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise IngestError(f"Archivo de datos curados sin contenido válido: {path.name}")
    return data


def load_curated(data_dir: Path | None = None) -> Curated:
    """Read and type-check every curated data file. Bad data is an IngestError naming the file."""
    d = data_dir or DATA_DIR
    files = {name: _read_yaml(d / f"{name}.yaml") for name in
             ("synonyms", "topics", "discrepancies", "number_exclusions", "tables",
              "enumerations")}
    titles = {f.get("report_title") for f in files.values() if f.get("report_title")}
    if len(titles) != 1:
        raise IngestError(f"Los datos curados citan informes distintos: {sorted(titles)}")
    try:
        curated = Curated(
            report_title=titles.pop(),
            synonyms=files["synonyms"]["synonyms"],
            topics=files["topics"]["topics"],
            discrepancies=files["discrepancies"]["discrepancies"],
            exclusions=files["number_exclusions"]["exclusions"],
            tables=files["tables"]["tables"],
            enumerations=files["enumerations"]["enumerations"],
        )
        for e in curated.exclusions:
            _ = e.regex
    except (KeyError, ValidationError, re.error) as exc:
        raise IngestError(f"Datos curados inválidos en {d}: {exc}") from exc
    return curated


class QuoteIndex:
    """The report as a reader sees it, one string, to find quotes and the line they start on."""

    def __init__(self, report_text: str) -> None:
        self._starts: list[int] = []
        parts: list[str] = []
        pos = 0
        for line in split_lines(report_text):
            self._starts.append(pos)
            piece = clean(line)
            parts.append(piece)
            pos += len(piece) + 1
        self.text = " ".join(parts)

    def line_of(self, quote: str) -> int | None:
        """1-based line where the quote starts, None when the report does not contain it."""
        at = self.text.find(clean(quote))
        return None if at < 0 else bisect_right(self._starts, at)


def validate_curated(curated: Curated, report_text: str) -> QuoteIndex:
    """Every quote and anchor must be in the report; every side value inside its quote."""
    index = QuoteIndex(report_text)
    for disc in curated.discrepancies:
        for side in disc.sides:
            if index.line_of(side.quote) is None:
                raise IngestError(
                    f"Discrepancia '{disc.id}': la cita no está en el informe: «{side.quote}»")
            if side.value is not None and side.value not in clean(side.quote):
                raise IngestError(
                    f"Discrepancia '{disc.id}': el valor «{side.value}» no está en su cita "
                    f"«{side.quote}»")
    for spec in curated.enumerations:
        if spec.anchor is not None and index.line_of(spec.anchor) is None:
            raise IngestError(
                f"Enumeración '{spec.key}': el texto de inicio no está en el informe: "
                f"«{spec.anchor}»")
    return index
