"""Several reports in one store: which report a question is about, and year-over-year answers.

- `route`: a question goes to the latest report of the organisation it names (or of the only
  one), unless it names a year one of that organisation's reports has ("2020-2023", a plan
  period, names none);
- `compare_years`: "¿cómo cambió X entre 2020 y 2021?" asks X of both years' reports and, when
  both give the figure in the same unit, answers with both and the computed difference;
- `topic_labels`: the topics a report is written in (its chapter and section titles), for help
  and suggestions; `report_label`: the report's name and year, as its title writes them.
Identity comes from each report's own title (knowledge.ingest.report), nothing here names one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.engine.answer import Answer, Figure, Source
from bot.engine.format import format_number
from bot.engine.normalize import fold
from bot.engine.slots import extract_years
from bot.texts import say as t
from knowledge.ingest.report import organisation_of
from knowledge.model import ParsedReport

if TYPE_CHECKING:
    from bot.engine.core import Engine

_CHANGE = re.compile(
    r"\b(?:cambi\w*|vari\w*|diferencia\w*|compar\w*|evoluci\w*|crec\w*|aument\w*|dismin\w*|"
    r"change[sd]?|differ\w*|compare[sd]?|grow\w*|grew|increase[sd]?|decrease[sd]?|vs)\b"
)


def report_label(report: ParsedReport) -> str:
    """"Informe de Gestión ACI Medellín 2020": the title as a name, with its year."""
    from bot.attribution import report_name

    name = report_name(report)
    return name if str(report.year) in name else f"{name} {report.year}"


def name_answer(engine: Engine, answer: Answer) -> Answer:
    """Every answer names the report (or, comparing years, the reports) it comes from."""
    if not answer.report:
        report = engine.reports.get(answer.report_id or engine.latest_report_id)
        if report is not None:
            answer.report = report_label(report)
            answer.report_id = answer.report_id or report.report_id
    return answer


def _org_key(report: ParsedReport) -> str:
    return _org_of_title(report.title)


@lru_cache(maxsize=256)
def _org_of_title(title: str) -> str:
    """A report's organisation, folded (worked out once per title: every question asks)."""
    return fold(organisation_of(title))


def _names_org(folded_question: str, org: str) -> bool:
    words = [w for w in org.split() if len(w) > 2]
    if not words:
        return False
    asked = set(folded_question.split())
    return all(w in asked for w in words) or (len(words) > 1 and words[0] in asked
                                              and words[0].isalpha() and len(words[0]) <= 5)


def candidates(engine: Engine, question: str) -> list[ParsedReport]:
    """The reports of the organisation the question names (or all), oldest first."""
    folded = fold(question)
    reports = sorted(engine.reports.values(), key=lambda r: (r.year, r.report_id))
    orgs = {_org_key(r) for r in reports}
    named = [o for o in orgs if _names_org(folded, o)]
    if len(named) == 1:
        return [r for r in reports if _org_key(r) == named[0]]
    return reports


def route(engine: Engine, question: str) -> str:
    """The id of the report a question is about."""
    pool = candidates(engine, question)
    years = {r.year: r.report_id for r in pool}
    for year in extract_years(fold(question)):
        if year in years:
            return years[year]
    latest = max(pool, key=lambda r: (r.year, r.report_id))
    # Several organisations and none named: the latest of the engine's default.
    if len({_org_key(r) for r in pool}) > 1:
        return engine.latest_report_id
    return latest.report_id


def topic_labels(report: ParsedReport, lang: str = "es", intents: tuple = ()) -> list[str]:
    """The topics of a report, as askable labels: the catalog's topics whose table or list this
    report has, then its chapters and sections in its own words."""
    from bot.report_tables import sentence_case

    keys = {t.key for t in report.tables} | {e.key for e in report.enumerations}
    labels: list[str] = []
    for intent in intents:
        if intent.handler in ("help", "summary") or not intent.targets:
            continue
        if all(target in keys for target in intent.targets):
            label = intent.label(lang)
            if label not in labels:
                labels.append(label)
    for section in report.sections:
        if section.level > 2 or not section.title.strip():
            continue
        label = sentence_case(section.title, report).rstrip(" .:")
        if label and label not in labels:
            labels.append(label)
    return labels


def help_examples(report: ParsedReport, lang: str) -> str:
    """Example questions made of the report's own topics, section numbers and tables."""
    from bot.report_tables import sentence_case

    def lower_first(text: str) -> str:
        return text[:1].lower() + text[1:] if text[1:2].islower() else text

    subsections = [s for s in report.sections if s.level == 2]
    tables = [t.title for t in report.tables if t.kind == "grid" and t.title]
    quote = ("«{}»", "“{}”")[lang == "en"]
    pieces = []
    if subsections:
        topic = lower_first(sentence_case(subsections[0].title, report))
        pieces.append(quote.format(("resumen de ", "summary of ")[lang == "en"] + topic))
    if tables:
        pieces.append(quote.format(lower_first(sentence_case(tables[0][:60], report))))
    sections = [s.number for s in subsections]
    if sections:
        pieces.append(quote.format(("sección ", "section ")[lang == "en"] + sections[0]))
    return ", ".join(pieces)


# ----------------------------------------------------------------------------- year over year


def _strip_years(question: str, years: list[int]) -> str:
    text = question
    for y in years:
        text = re.sub(rf"\b{y}\b", " ", text)
    text = re.sub(r"\b(?:entre|between|y|and|vs\.?|frente a|comparado con)\s*(?=[?¿\s]*$)",
                  " ", text)
    return " ".join(text.split())


def compare_years(engine: Engine, question: str, lang: str) -> Answer | None:
    """Both years' figures and their difference, for a question about a change between two
    years of one organisation's reports; None when the question is not one."""
    folded = fold(question)
    if not _CHANGE.search(folded):
        return None
    pool = candidates(engine, question)
    by_year = {r.year: r for r in pool}
    years = [y for y in dict.fromkeys(extract_years(folded)) if y in by_year]
    if len(years) != 2 or len({_org_key(by_year[y]) for y in years}) != 1:
        return None
    years.sort()
    asked = _strip_years(question, years)
    answers = []
    for y in years:
        request = engine._request(asked, lang, by_year[y].report_id)
        answer = engine._route(request)
        answers.append(answer if answer.status == "answered" else None)
    figures = [a.figures[0] if a is not None and a.figures else None for a in answers]
    if figures[0] is None and figures[1] is None:
        return None
    sources = [
        Source(section=s.section, title=f"{report_label(by_year[y])} §{s.section} {s.title}",
               quote=s.quote, line=s.line)
        for y, a in zip(years, answers, strict=True) if a is not None for s in a.sources[:1]
    ]
    if figures[0] is None or figures[1] is None or figures[0].value is None \
            or figures[1].value is None or figures[0].unit != figures[1].unit \
            or figures[0].scale != figures[1].scale:
        k = 0 if figures[0] is not None else 1
        known = figures[k]
        return Answer(status="answered" if known else "not_found",
                      text=t("yoy_missing", lang, year=years[k],
                             value=known.display if known else "?"),
                      figures=[known] if known else [], sources=sources, intent="compare_years",
                      kind="figure", score=0.5,
                      report="; ".join(report_label(by_year[y]) for y in years))
    a, b = figures
    diff = b.value - a.value
    pct = f"{100 * diff / a.value:+.1f} %".replace(".", "," if lang == "es" else ".") \
        if a.value else "—"
    unit = f"{a.unit} " if a.unit in ("USD", "COP") else ""
    scale = f" {a.scale}" if a.scale else ""
    tail = f" {a.unit}" if a.unit and a.unit not in ("USD", "COP", "%") else (
        " %" if a.unit == "%" else "")
    sign = "+" if diff > 0 else ""
    diff_text = f"{sign}{unit}{format_number(diff, lang)}{scale}{tail}".strip()
    text = t("yoy", lang, label=a.label, a_year=years[0], a=a.display, b_year=years[1],
             b=b.display, diff=diff_text, pct=pct)
    computed = Figure(label=t("difference", lang), value=diff, unit=a.unit, scale=a.scale,
                      display=diff_text, computed=True, computed_from=[a.display, b.display])
    return Answer(status="answered", text=text, figures=[a, b, computed], sources=sources,
                  intent="compare_years", kind="figure", score=1.0,
                  report="; ".join(report_label(by_year[y]) for y in years))
