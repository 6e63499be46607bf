"""The one answer shape every front end renders: Telegram, console, CLI text and JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

AnswerStatus = Literal["answered", "ambiguous", "not_found"]
Language = Literal["es", "en"]


class Figure(BaseModel):
    """A number the answer states, as the report writes it, with what it measures."""

    label: str  # what it measures: "Monto de inversión nacional y extranjera reportada"
    value: float | None = None  # numeric reading in the unit and scale below
    unit: str | None = None  # "USD", "COP", "%", "personas", ...
    scale: str | None = None  # "millones", "mil", ...
    display: str  # formatted for the answer's language: "USD 381,3 millones"
    raw: str | None = None  # as written in the report: "381,3" / "USD $381,30 millones"
    target: str | None = None  # the report's target, formatted, when it has one
    share_of_target: str | None = None  # computed, e.g. "109 %"
    cutoff: str | None = None  # "15 de diciembre de 2020"
    section: str | None = None
    computed: bool = False  # True when derived from report figures (a total, a share...)
    computed_from: list[str] = Field(default_factory=list)


class Source(BaseModel):
    section: str  # "3.2"
    title: str  # "Indicadores de inversión"
    quote: str  # the sentence or table row the answer rests on
    line: int | None = None
    page: int | None = None  # the PDF page, for a report ingested from a PDF

    def label(self) -> str:
        """ "§3.2 Indicadores de inversión", or "§3.2, p. 14 Indicadores ..." from a PDF."""
        where = f"§{self.section}" + (f", p. {self.page}" if self.page else "")
        return f"{where} {self.title}".strip()


class Answer(BaseModel):
    status: AnswerStatus
    text: str
    figures: list[Figure] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)  # human-readable, askable as questions
    intent: str | None = None
    score: float = 0.0
    lang: Language = "es"
    kind: str | None = None  # figure | list | filter | who | target | summary | source | help
    report_id: str | None = None
    report: str | None = None  # the report's name and year: "Informe de Gestión ... 2020"
    notes: list[str] = Field(default_factory=list)  # contradictions, computed-figure remarks
