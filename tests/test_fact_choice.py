"""Which figure answers: the attributed fact of the asked subject and measure (issue 10).

Asserted by rule over the ingested report, never over typed figures: every sentence whose
clauses state figures of different subjects (ingest's `ParsedClause.subject`) is asked about
each subject in turn, and the answer must never lead with another clause's figure; the budget
rows are asked how much was spent, and the answer gives the executed column, not the share; a
subject the report names only in a clause whose figures are of another kind is not answered with
a figure of the next clause. The same rule holds on a variant of the report whose figures of
those sentences were rewritten (tests/variants.py), so no answer can hold by memory.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from bot.engine.core import Engine
from knowledge.ingest import parse_report, read_report_file
from knowledge.model import ParsedFact, ParsedReport
from tests.conftest import BUNDLED_REPORT
from tests.variants import change_figure

MONEY = {"COP", "USD"}


def _kind(fact: ParsedFact) -> str:
    if fact.unit in MONEY:
        return "money"
    return "share" if fact.unit == "%" else "count"


def _pairs(report: ParsedReport) -> list[tuple[ParsedFact, list[ParsedFact]]]:
    """(fact B, facts A of the same sentence and kind, each in a clause of another subject)."""
    by_sentence: dict[int, list[ParsedFact]] = defaultdict(list)
    for fact in report.facts:
        if fact.source == "prose" and fact.clause_index is not None and fact.part_of is None:
            by_sentence[report.clauses[fact.clause_index].sentence].append(fact)
    out = []
    for facts in by_sentence.values():
        owned = [f for f in facts if report.clauses[f.clause_index].subject]
        for b in owned:
            subject = report.clauses[b.clause_index].subject
            others = [
                a for a in owned
                if a.clause_index != b.clause_index
                and report.clauses[a.clause_index].subject != subject
                and _kind(a) == _kind(b) and abs(a.value - b.value) > 1e-9
            ]
            if others and _kind(b) != "share":
                out.append((b, others))
    return out


def _questions(report: ParsedReport, fact: ParsedFact) -> list[str]:
    subject = report.clauses[fact.clause_index].subject
    if _kind(fact) == "money":
        return [f"¿de cuánto dinero fue lo de {subject}?", f"cuanto dio {subject}"]
    counted = fact.counted or fact.unit or ""
    return [f"¿cuántos {counted} para {subject}?", f"cuantos {counted.lower()} de {subject}"]


def _lead(engine: Engine, question: str) -> float | None:
    answer = engine.ask(question).answer
    if answer.status != "answered" or not answer.figures:
        return None
    return answer.figures[0].value


def _never_another_clause(report: ParsedReport, engine: Engine) -> list[str]:
    wrong = []
    pairs = _pairs(report)
    assert len(pairs) >= 4, "the report has sentences of several subjects with figures"
    for b, others in pairs:
        for question in _questions(report, b):
            lead = _lead(engine, question)
            if lead is not None and any(abs(lead - a.value) < 1e-9 for a in others):
                wrong.append(f"{question!r} -> {lead} (the figure of another clause)")
    return wrong


def test_a_clause_figure_is_never_given_for_another_clause_subject(
    parsed_report: ParsedReport, answer_engine: Engine
) -> None:
    assert _never_another_clause(parsed_report, answer_engine) == []


def test_the_figure_of_the_subject_asked_leads(
    parsed_report: ParsedReport, answer_engine: Engine
) -> None:
    """Where the report names each subject of a sentence of amounts, asking for one gives its
    own amount first (the Departamento's, the Área Metropolitana's...)."""
    right = total = 0
    for b, _others in _pairs(parsed_report):
        if _kind(b) != "money":
            continue
        total += 1
        right += _lead(answer_engine, _questions(parsed_report, b)[0]) == b.value
    assert total >= 3
    assert right >= total - 1, f"{right}/{total} led with the subject's own amount"


def test_how_much_was_spent_is_the_executed_amount_not_the_share(
    parsed_report: ParsedReport, answer_engine: Engine
) -> None:
    """Every line of the expenses table: "¿cuánto se gastó en X?" states the executed column
    (whatever its header says), and a single-figure answer leads with it."""
    tables = [t for t in parsed_report.tables_with_role("budget_expenses") if t.column("executed")]
    assert tables
    checked = 0
    for table in tables:
        executed = table.column("executed")
        assert executed is not None
        for row in table.rows:
            label, cell = table.row_label(row), row.cells[executed.index]
            if not label or cell.value is None:
                continue
            answer = answer_engine.ask(f"¿cuánto se gastó en {label.lower()}?").answer
            assert answer.status == "answered", label
            written = cell.raw.replace("\\$", "").replace("$", "").strip()
            assert written in answer.text or any(
                abs(f.value - cell.value) < 1e-6 for f in answer.figures), (label, answer.text)
            if answer.intent in ("fact.row", "fact.sentence"):
                assert abs(answer.figures[0].value - cell.value) < 1e-6, (label, answer.text)
            checked += 1
    assert checked >= 4


def test_an_amount_is_never_answered_with_a_count_of_the_subject_clause(
    parsed_report: ParsedReport, answer_engine: Engine
) -> None:
    """A clause that names its own subject and states only counts ("1 portátil MacBook, esta
    compra se realizó a través de la Tienda Virtual ..."): asked how much money that subject
    got, the answer is never one of the sentence's counts."""
    by_sentence: dict[int, list[int]] = defaultdict(list)
    for clause in parsed_report.clauses:
        by_sentence[clause.sentence].append(clause.index)
    facts_of: dict[int, list[ParsedFact]] = defaultdict(list)
    for fact in parsed_report.facts:
        if fact.clause_index is not None and fact.source == "prose":
            facts_of[fact.clause_index].append(fact)
    asked = 0
    for indexes in by_sentence.values():
        counts = [f for j in indexes for f in facts_of.get(j, []) if _kind(f) == "count"]
        for k in indexes:
            clause = parsed_report.clauses[k]
            own = facts_of.get(k, [])
            if len(indexes) < 2 or not clause.subject or not own:
                continue
            if any(_kind(f) != "count" for f in own):
                continue
            for question in (f"¿cuánto dinero recibió {clause.subject}?",
                             f"¿cuánto costó lo de {clause.subject}?"):
                asked += 1
                lead = _lead(answer_engine, question)
                assert lead is None or all(abs(lead - f.value) > 1e-9 for f in counts), (
                    question, lead)
    assert asked >= 2


def test_two_figures_of_one_clause_the_meaning_asked_chooses(
    parsed_report: ParsedReport, answer_engine: Engine
) -> None:
    """A clause with a whole and its part ("$189 millones, de los cuales se recaudaron 133"):
    the part's meaning asked (its cue word) gives the part, the plain question the whole."""
    parts = [f for f in parsed_report.facts if f.part_of is not None and f.source == "prose"
             and f.unit in MONEY and f.meaning == "collected"]
    assert parts
    for part in parts:
        whole = parsed_report.facts[part.part_of]
        subject = parsed_report.clauses[part.clause_index].subject
        assert subject
        assert _lead(answer_engine, f"¿cuánto se recaudó de {subject}?") == part.value
        assert _lead(answer_engine, f"¿de cuánto fue lo de {subject}?") == whole.value


@pytest.fixture(scope="module")
def shifted() -> tuple[ParsedReport, Engine]:
    """The report with every figure of its multi-subject sentences rewritten (value * 1.1 + 1):
    the rule must hold on figures no answer has ever been tuned to."""
    text = read_report_file(BUNDLED_REPORT)
    report = parse_report(text, report_id="aci-medellin-2020", source_name=BUNDLED_REPORT.name)
    values = {round(f.value, 6): f.line for b, others in _pairs(report) for f in (b, *others)}
    for value, line in values.items():
        new = round(value * 1.1 + 1, 0 if value == int(value) else 1)
        text = change_figure(text, value, new, only_lines={line})
    variant = parse_report(text, report_id="aci-medellin-2020", source_name=BUNDLED_REPORT.name)
    return variant, Engine([variant])


def test_the_rule_holds_with_other_figures(shifted: tuple[ParsedReport, Engine]) -> None:
    report, engine = shifted
    assert _never_another_clause(report, engine) == []


def test_a_follow_up_count_keeps_the_subject(
    parsed_report: ParsedReport, answer_engine: Engine
) -> None:
    """"¿cuántos X de S?" then "¿y a cuántas Y?", Y a thing the report counts elsewhere but
    not in S's sentence: the follow-up is about S, so it is S's figure or not_found, never
    the report's figure of Y for someone else."""
    from bot.engine.normalize import fold

    heads = []
    for fact in parsed_report.facts:
        if fact.source == "prose" and fact.counted and fact.unit not in MONEY | {"%"}:
            head = fact.counted.split()[0].lower()
            if len(head) > 4 and head not in heads:
                heads.append(head)
    checked = 0
    for b, _others in _pairs(parsed_report):
        if _kind(b) != "count":
            continue
        subject = parsed_report.clauses[b.clause_index].subject or ""
        sentence = fold(b.sentence)
        named = sum(fold(subject) in fold(c.text) for c in parsed_report.clauses)
        if named > 3:
            continue  # a name the report uses all over (its own organisation) is no subject
        first = answer_engine.ask(_questions(parsed_report, b)[0])
        if first.answer.status != "answered":
            continue
        for head in [h for h in heads if fold(h) not in sentence][:3]:
            follow = answer_engine.ask(f"¿y cuántos {head}?", first.context).answer
            checked += 1
            if follow.status == "answered" and follow.figures:
                quoted = fold(" ".join(s.quote for s in follow.sources) + " " + follow.text)
                assert fold(subject) in quoted, (subject, head, follow.text[:200])
                # and it counts what the follow-up asks, not what the first question did
                assert fold(head)[:5] in fold(follow.figures[0].display), (
                    subject, head, follow.text[:200])
    assert checked >= 3
