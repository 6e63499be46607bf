"""A command and the free-text question that says the same give the same rows and counts.

The pairs are made by code from the report's table roles: for each table of a role and each
value of its filterable columns (months of the date column, category cells, the table itself),
the command form (`/eventos octubre`, `/presupuesto gastos funcionamiento`) and the question form
(«eventos de octubre», «gastos de funcionamiento»), the latter through `Engine.ask`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot import dialog
from bot.engine import operators
from bot.engine.answer import Answer
from bot.engine.core import Engine
from bot.report_tables import month_name, table_title
from bot.texts import say
from knowledge.text import fold
from tests.bundled import bundled_engine, bundled_report

REPORT = bundled_report()  # at collection: the pairs below are read from it


@dataclass(frozen=True)
class Pair:
    command: str
    question: str
    expected: tuple[str, ...]  # row names the operators select
    figures: tuple[str, ...] = ()  # cells both forms must state, as the report writes them


def _pairs() -> list[Pair | object]:
    pairs = []
    events = operators.rows_of(operators.tables_of(REPORT, "events"))
    for month in sorted({m for r in events for m in r.months}):
        name = month_name(month)
        rows = operators.by_month(events, month)
        pairs.append(Pair(f"/eventos {name}", f"eventos de {name}", _names(rows)))
        english = month_name(month, "en")
        pairs.append(Pair(f"/events {english}", f"events in {english}", _names(rows)))
    for table in operators.tables_of(REPORT, "events"):
        title = table_title(table, REPORT)
        pairs.append(Pair(f"/eventos {title}", title, _names(operators.rows_of([table]))))
    for value in operators.categories(events):
        rows = operators.by_category(events, value)
        pairs.append(Pair(f"/eventos {value}", f"eventos de {value}", _names(rows)))
    for role in ("budget_expenses", "budget_income"):
        word = "gastos" if role == "budget_expenses" else "ingresos"
        rows = operators.rows_of(operators.tables_of(REPORT, role))
        # The whole table: its total row is named by the table's own word, which names the table.
        pairs.append(Pair(f"/presupuesto {word}", f"presupuesto de {word}", _names(rows)))
        english = say(f"{role}_words", "en").split()[0]  # "expenses", "income"
        pairs.append(Pair(f"/budget {english}", f"{english} budget", _names(rows)))
        for row in rows:
            if fold(row.name) == word:
                continue  # the total row is named by the table's own word: the pair above
            figures = (row.text("planned"), row.text("executed"))
            question = f"presupuesto de {row.name.lower()}"
            pairs.append(Pair(f"/presupuesto {word} {row.name}", question, (row.name,), figures))
    return pairs


def _names(rows: list[operators.Row]) -> tuple[str, ...]:
    return tuple(r.name for r in rows)


PAIRS = _pairs()


@pytest.fixture(scope="module")
def engine() -> Engine:
    return bundled_engine()


def _engine_rows(answer: Answer) -> list[str]:
    """Row names of an engine answer: the bullets of a list or filter ("• <name> — <cells>"), or
    the row a one-row answer cites."""
    bullets = [
        line[2:].split(" — ", 1)[0].strip()
        for line in answer.text.split("\n")
        if line.startswith("• ")
    ]
    return bullets or _rows_at([s.line for s in answer.sources])


def _rows_at(lines: list[int | None]) -> list[str]:
    names = []
    for line in lines:
        for table in REPORT.tables:
            for row in table.rows:
                if row.line == line:
                    names.append(operators.Row(table, row).name)
    return names


def _command_rows(reply: dialog.Reply) -> list[str]:
    return _rows_at([s.line for s in reply.answer.sources])


def _same(a: str, b: str) -> bool:
    """The engine shortens long names with "…" at a word: a prefix counts as the same row."""
    a, b = fold(a.rstrip("…")), fold(b.rstrip("…"))
    return a == b or a.startswith(b) or b.startswith(a)


@pytest.mark.parametrize(
    "pair", PAIRS, ids=[p.command if isinstance(p, Pair) else p.id for p in PAIRS]
)
def test_command_and_question_select_the_same_rows(engine: Engine, pair: Pair) -> None:
    command = dialog.respond(engine, pair.command)
    assert command.answer.status == "answered", command.answer.text
    assert sorted(_command_rows(command)) == sorted(pair.expected)
    question = engine.ask(pair.question).answer
    assert question.status == "answered", question.text
    rows = _engine_rows(question)
    missing = [n for n in pair.expected if not any(_same(n, r) for r in rows)]
    extra = [r for r in rows if not any(_same(n, r) for n in pair.expected)]
    assert not missing and not extra, (pair.question, missing, extra)
    counted = re.search(r"(\d+) (?:resultado|result)", question.text)
    if counted:
        assert int(counted.group(1)) == len(pair.expected)
    stated = question.text + " ".join(s.quote for s in question.sources)
    for figure in pair.figures:
        assert figure in command.answer.text and figure in stated, (figure, question.text)
