"""Shared language data (knowledge/data/*.yaml) and the text index overlays quote against.

- synonyms.yaml: canonical term -> aliases (abbreviations, chat words, English), general language;
- number_exclusions.yaml: numbers that are not figures (dates, years in names...), with reasons.
Everything that belongs to one report (list names, a contradiction the rules miss, aliases of
its names) lives in that report's overlay (knowledge/overlay.py), checked against its text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from bot.errors import IngestError
from knowledge.text import clean, split_lines

DATA_DIR = Path(__file__).resolve().parent / "data"


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


class Curated(BaseModel):
    """General language data shared by every report."""

    synonyms: dict[str, list[str]]
    exclusions: list[Exclusion]

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
    """Read and type-check the shared data files. Bad data is an IngestError naming the file."""
    d = data_dir or DATA_DIR
    files = {name: _read_yaml(d / f"{name}.yaml") for name in
             ("synonyms", "number_exclusions")}
    try:
        curated = Curated(
            synonyms=files["synonyms"]["synonyms"],
            exclusions=files["number_exclusions"]["exclusions"],
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


