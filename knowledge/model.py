"""The shape of a parsed report: what ingest produces, what the store keeps, what the engine loads.

Ingest turns the report text into a `ParsedReport`; `db.store` writes it to SQL and reads it back
as the same model, so the answer engine never depends on SQL and the store never on parsing.
Every element carries the 1-based line of the report text it comes from.

Reading the knowledge layer (what answers are built from):
- `report.facts`: every figure of the prose, the highlight boxes and every table cell, in line
  order, `index` = position. Each says what it is (`meaning`: target, result, budgeted,
  executed, collected, granted, share, return, count, amount...), what it counts (`counted`),
  whose it is (`subject`), `unit`/`scale`/`value` ("USD 4,9 millones" -> 4.9, "USD",
  "millones"), `period` and `cutoff`, `total`, `part_of` (the index of the whole it belongs
  to), the `clause` quoting it with `clause_line`, and its origin (`source`; for cells
  `table_key`, `row_index`, `col_index`, `header`). The first fields (`role`, `sentence`) are
  those of the first engine, kept as they were.
- `report.clauses`: every clause of the prose and highlights (`clause_index` of a fact points
  here); clauses of one sentence share `sentence`. `report.facts_of_clause(c)`.
- `report.tables`: each with `role` (indicators, budget_income, budget_expenses, events,
  breakdown, register, other), `heading`, `label_column` (`row_label(row)`) and `columns`
  (type, meaning, header_meaning, unit, period, cutoff); rows know `total` and `parent`.
  `report.tables_with_role("events")`, `table.column("executed")`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, model_validator

FactRole = Literal["result", "target", "budget", "execution", "count", "other"]

# What a figure measures (ParsedFact.meaning) or what a table column holds (ParsedColumn.meaning).
# One set for both, so a question's measure matches a prose figure and a cell alike. The cue words
# that give each meaning are in knowledge/data/fact_roles.yaml (prose) and table_roles.yaml
# (headers); nothing here is keyed to one report.
Meaning = Literal[
    "target",  # meta: what was planned to reach ("META 2020", "establecido como meta")
    "result",  # avance / logrado / alcanzado / reportado: what was reached
    "budgeted",  # presupuesto / asignado / ppto (inicial): money planned to spend or receive
    "adjustment",  # adiciones / reducciones / modificaciones of a budget
    "final_budget",  # presupuesto definitivo / final / vigente (after adjustments)
    "executed",  # ejecutado / gastado / utilizado / comprometido: money spent
    "collected",  # recaudado / recibido (income): money that came in
    "granted",  # otorgado / donado / entregado / destinado / aportado: given by a party
    "total",  # "un total de", "en total" when nothing more specific is said
    "share",  # a percentage of a whole (execution %, "el 64 % de las PQRS")
    "return",  # retorno / ROI / "por cada peso"
    "count",  # a plain count of things (personas, eventos...) with no other cue
    "amount",  # a plain amount of money with no other cue
    "label",  # (columns only) the row's name: indicator, event, project, budget line
    "unit",  # (columns only) the unit of measure of the row ("UNIDAD DE MEDIDA")
    "date",  # (columns only) when the row happened
    "category",  # (columns only) a group the row belongs to (línea temática, tipo, país)
    "other",
]
FactSource = Literal["prose", "highlight", "cell"]
# prose: a sentence of a paragraph or bullet; highlight: a box or emphasised block (a figure on
# its own line under a label, an all-capitals paragraph); cell: a table cell (its own value, or
# a figure inside a descriptive cell).

# What a table is (ParsedTable.role), from its title, the heading above it and its header row:
TableRole = Literal[
    "indicators",  # rows of indicators with a target column and a result column
    "budget_income",  # budget execution of income: budgeted vs collected
    "budget_expenses",  # budget execution of expenses: budgeted vs executed
    "events",  # dated happenings: a name column and a date column
    "breakdown",  # counts or amounts by category (a label column + figure columns)
    "register",  # a list of named things described in words (projects, cases, agendas)
    "other",
]
ColumnType = Literal["name", "date", "count", "money", "percent", "category", "text"]


class ParsedSection(BaseModel):
    """A chapter ("3", title "ATRACCIÓN DE INVERSIÓN") or a numbered section ("3.2")."""

    number: str  # "1" .. "8" for chapters, "3.2", "4.3.1" for sections
    title: str  # as printed in the body, whitespace folded
    level: int  # 1 for chapters, 2 for "3.2", 3 for "4.3.1"
    parent: str | None = None
    line_start: int
    line_end: int
    text: str  # the body text of this section only (not of its subsections)
    page: int | None = None  # page of its heading, for a report read from a PDF


class ParsedCell(BaseModel):
    """One table cell as written, with its numeric reading when it has one."""

    raw: str  # as written: "100+", "6 empresas", "\\$964.165.992", "90%"
    value: float | None = None  # numeric part in the unit below, before scale: 381.3, 100, 6
    unit: str | None = None  # "USD", "COP", "%", "personas", "m²", ...
    scale: str | None = None  # "mil", "millones", "billones", "MM" when written in the cell
    qualifier: str | None = None  # what the raw text adds to the number: "+", "empresas", ...


class ParsedRow(BaseModel):
    line: int
    cells: list[ParsedCell]
    total: bool = False  # a total row: "Total Contratos", or the sum of the rows it heads
    parent: int | None = None  # index of the row whose figures this row's add up to (budgets)


class ParsedColumn(BaseModel):
    """What one column of a table holds, read from its header and its cells."""

    index: int
    header: str  # as the report writes it, never renamed ("RECAUDOS" in the expenses table)
    type: ColumnType = "text"
    meaning: Meaning = "other"  # what the values are in this table (executed, not "RECAUDOS")
    header_meaning: Meaning = "other"  # what the header's words say on their own
    unit: str | None = None  # the unit of its figures when the column or table says it
    scale: str | None = None
    period: str | None = None  # "2020" from "META 2020"
    cutoff: str | None = None  # "15 de diciembre de 2020" from "AVANCE AL 15 DE DICIEMBRE ..."


class ParsedTable(BaseModel):
    """A tab-separated table (continued pages merged) or a key/value block."""

    key: str  # stable id within the report, e.g. "3.2-indicadores", "5.2-eventos-propios"
    section: str  # section number it belongs to
    title: str  # caption or nearest heading, e.g. "EVENTOS PROPIOS"
    kind: Literal["grid", "keyvalue"] = "grid"
    header: list[str]
    rows: list[ParsedRow]
    line_start: int
    line_end: int
    role: TableRole = "other"
    heading: str = ""  # the section heading (or caption) the table sits under, as written
    columns: list[ParsedColumn] = Field(default_factory=list)  # one per header cell
    label_column: int | None = None  # the column that names each row (its subject)

    def column(self, meaning: str) -> ParsedColumn | None:
        """The first column with this meaning ("target", "executed", "label"...)."""
        return next((c for c in self.columns if c.meaning == meaning), None)

    def row_label(self, row: ParsedRow) -> str:
        k = self.label_column
        return row.cells[k].raw if k is not None and k < len(row.cells) else ""


class ParsedClause(BaseModel):
    """A clause of the prose: the part of a sentence between ";", ":" or the comma (or "y")
    that opens a new item of an enumeration, with its dependent continuations attached
    ("..., de los cuales ...", "..., que ...", "..., con un ..."). See knowledge.text.clauses."""

    index: int  # position in ParsedReport.clauses
    section: str
    line: int  # 1-based line where the clause starts
    line_end: int  # 1-based line where it ends
    text: str  # markdown removed
    source: FactSource = "prose"
    subject: str | None = None  # the entity or place it is about (the last one named)
    entities: list[str] = Field(default_factory=list)  # every proper name in it, in order
    sentence: int = 0  # index of its sentence; clauses of one sentence share it


class ParsedFact(BaseModel):
    """A figure of the prose, a highlight box or a table cell, attributed.

    The first fields are the original ones (kept for older readers); the attribution fields
    below them have defaults. For a cell, `sentence` and `clause` are the row as a quote.
    """

    section: str
    line: int
    raw: str  # the figure, markdown removed: "USD **\\$381,30 millones**" -> "USD $381,30 millones"
    value: float  # numeric part as written, e.g. 381.3 for "381,30 millones"
    unit: str | None = None  # "USD", "COP", "%", "personas", "proyectos", "m²", "km", ...
    scale: str | None = None  # "mil", "millones", "billones", "MM"
    sentence: str  # the whole sentence, markdown bold removed
    role: FactRole = "other"  # coarse role of the first engine; prefer `meaning`
    cutoff: str | None = None  # "15 de diciembre de 2020" when the sentence gives one
    # --- attribution
    index: int = 0  # position in ParsedReport.facts
    source: FactSource = "prose"
    meaning: Meaning = "other"  # what the figure is (see Meaning)
    counted: str | None = None  # what it counts: the noun phrase after it, or the column header
    subject: str | None = None  # whose/what it is about: entity of the clause, or the row label
    period: str | None = None  # the year or period it is for ("2020", "vigencia 2020")
    total: bool = False  # a total ("un total de", a total row)
    part_of: int | None = None  # index of the fact it is part of ("189 ..., de los cuales 133")
    clause: str = ""  # the clause that states it (for a cell: the row quote)
    clause_line: int | None = None  # 1-based line where that clause starts
    clause_index: int | None = None  # position in ParsedReport.clauses (prose and highlights)
    table_key: str | None = None  # for cells: the table
    row_index: int | None = None  # for cells: the row (0-based, in ParsedTable.rows)
    col_index: int | None = None  # for cells: the column (0-based)
    header: str | None = None  # for cells: the column header as written


class EnumerationItem(BaseModel):
    position: int  # 1-based
    label: str  # "AGRONEGOCIOS", "C40", "Promoción de la ciudad región ..."
    description: str = ""
    line: int


class ParsedEnumeration(BaseModel):
    """A list the report presents as such: sectors, thematic lines, networks, awards, phases..."""

    key: str  # e.g. "sectores-inversion", "lineas-cooperacion", "redes-ciudad", "premios"
    title: str
    section: str
    items: list[EnumerationItem]


class ContradictionSide(BaseModel):
    """One side of a contradiction: what the report says, where, and the figure it gives."""

    quote: str  # as a reader sees it (markdown removed), a sentence, a clause or a table row
    section: str
    line: int  # 1-based
    value: str = ""  # the figure or date as written ("62", "4,989", "14 de noviembre")
    table: str | None = None  # a table key when this side is a table (a row or its row count)


class ParsedContradiction(BaseModel):
    """Two places where the report gives the same fact two ways, found at ingest by a rule
    (or, for what rules miss, written in the report's overlay and checked against its text)."""

    key: str  # stable within the report: "<rule>-<section>-<line>"
    rule: Literal["count-items", "count-rows", "summary-section", "text-table",
                  "same-count", "overlay"]
    subject: str  # what the sides count or measure, in the report's words: "premios"
    keywords: list[str] = Field(default_factory=list)  # folded words that name the subject
    description_es: str
    description_en: str
    sides: list[ContradictionSide] = Field(min_length=2)


class ParsedReport(BaseModel):
    report_id: str  # "aci-medellin-2020"
    title: str  # "INFORME DE GESTIÓN ACI MEDELLÍN 2020"
    year: int
    source_sha256: str
    sections: list[ParsedSection] = Field(default_factory=list)
    tables: list[ParsedTable] = Field(default_factory=list)
    facts: list[ParsedFact] = Field(default_factory=list)
    enumerations: list[ParsedEnumeration] = Field(default_factory=list)
    clauses: list[ParsedClause] = Field(default_factory=list)
    contradictions: list[ParsedContradiction] = Field(default_factory=list)
    lines: list[str] = Field(default_factory=list)  # the report text, for quoting by line

    _pages: list[int] | None = PrivateAttr(default=None)

    def section(self, number: str) -> ParsedSection | None:
        return next((s for s in self.sections if s.number == number), None)

    @model_validator(mode="after")
    def _section_pages(self) -> ParsedReport:
        """A report read from a PDF marks each page start with a form feed ("\\f") in its
        lines; the page of a line is 1 + the form feeds up to it (None for a text report)."""
        if any("\f" in line for line in self.lines):
            pages, page = [], 1
            for line in self.lines:
                page += line.count("\f")
                pages.append(page)
            self._pages = pages
            for s in self.sections:
                if s.page is None:
                    s.page = self.page_of(s.line_start)
        return self

    def page_of(self, line: int | None) -> int | None:
        """The PDF page a 1-based line is on; None for a report ingested from text."""
        if self._pages is None or line is None or not 1 <= line <= len(self._pages):
            return None
        return self._pages[line - 1]

    def table(self, key: str) -> ParsedTable | None:
        return next((t for t in self.tables if t.key == key), None)

    def tables_with_role(self, role: str) -> list[ParsedTable]:
        return [t for t in self.tables if t.role == role]

    def facts_of_clause(self, clause: ParsedClause) -> list[ParsedFact]:
        return [f for f in self.facts if f.clause_index == clause.index]
