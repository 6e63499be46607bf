"""Summaries of a section or a topic: the passages that carry its figures, in report order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.engine.answer import Answer
from bot.engine.index import Passage, ReportIndex, clean_text
from bot.engine.normalize import content_tokens, fold
from bot.engine.quoting import (
    SUMMARY_SENTENCE_LIMIT,
    SUMMARY_TEXT_LIMIT,
    number_figure,
    shorten,
    source_of,
    title_case,
)
from bot.engine.retrieval import query_terms, search
from bot.engine.rows import indicator_parts, row_name
from bot.texts import say as t

if TYPE_CHECKING:
    from bot.engine.core import Engine, Request


def section_summary(request: Request, number: str, engine: Engine) -> Answer:
    index = request.index
    number = number.lstrip("0") or number
    section = index.sections.get(number)
    if section is None:
        listing = ", ".join(s for s in index.sections if "." not in s)
        return Answer(
            status="not_found",
            text=t("section_not_found", request.lang, number=number, sections=listing),
            intent="section",
        )
    passages = [
        p for p in index.passages if p.section == number or p.section.startswith(number + ".")
    ]
    return _summary_from(request, number, section.title, passages, intent="summary.section")


def topic_summary(request: Request, engine: Engine) -> Answer | None:
    """Summary of the section (or sub-heading block) the question is about."""
    index = request.index
    terms = [
        (term, alts)
        for term, alts in query_terms(request.question, engine.synonyms)
        if term not in _SUMMARY_WORDS
    ]
    if not terms:
        return section_summary(request, "1", engine)
    # Score sections by title similarity and by the retrieval weight of their passages.
    topic = " ".join(_best_spelling(index, term) for term, _ in terms)
    scored: list[tuple[float, str, str | None]] = []
    for number, section in index.sections.items():
        own_title = " ".join(content_tokens(section.title))
        title = own_title
        title_score = (
            0.75 * fuzz.token_set_ratio(topic, title) + 0.25 * fuzz.ratio(topic, title)
        ) / 100
        scored.append((title_score, number, None))
        for heading, _ in index.subheadings.get(number, []):
            words = " ".join(content_tokens(heading))
            if words == own_title:
                continue  # the section's title printed again over its content
            heading_score = (
                0.75 * fuzz.token_set_ratio(topic, words) + 0.25 * fuzz.ratio(topic, words)
            ) / 100
            scored.append((heading_score * 0.9, number, heading))
    # Enough hits to see where the topic is written about (equal scores come in report order).
    hits = search(index, terms, limit=80)
    weight: dict[str, float] = {}
    for hit in hits:
        # A chapter gathers the weight of its sections' passages.
        parts = hit.passage.section.split(".")
        for depth in range(1, len(parts) + 1):
            key = ".".join(parts[:depth])
            weight[key] = weight.get(key, 0) + hit.score
    rescored = []
    most = max(weight.values(), default=0.0) or 1.0
    for score, number, heading in scored:
        # What the sections say counts too: "cooperación" is the chapter full of it.
        bonus = 0.15 * weight.get(number, 0) / most
        rescored.append((score + bonus, number, heading))
    rescored.sort(key=lambda item: -item[0])
    best_score, number, heading = rescored[0]
    if best_score < 0.55:
        return None  # no section fits: the caller searches the passages instead
    section = index.sections[number]
    if heading:
        # Sibling sub-headings that fit as well ("ingresos" and "gastos" of the budget).
        headings = [h for s, n, h in rescored if n == number and h and s >= best_score - 0.05]
        passages = [p for p in index.passages if p.section == number and p.subheading in headings]
        passages += [
            p
            for p in index.passages
            if p.kind == "row" and p.section == number and _row_under(index, p, headings)
        ]
        title = " / ".join(title_case(h) for h in headings)
        return _summary_from(
            request,
            number,
            f"{title_case(section.title)} — {title}",
            passages,
            intent="summary.topic",
        )
    passages = [
        p for p in index.passages if p.section == number or p.section.startswith(number + ".")
    ]
    return _summary_from(request, number, section.title, passages, intent="summary.topic")


def _best_spelling(index: ReportIndex, term: str) -> str:
    """The report's spelling of a (possibly mistyped) question word."""
    expansions = index.expand_term(term)
    return max(expansions, key=lambda e: e[1])[0] if expansions else term


_SUMMARY_WORDS = frozenset(
    content_tokens(
        "resumen resume resumir resumeme summary summarize summarise overview hecho hizo hicieron "
        "logros balance 2020 que ha what has did done"
    )
)


def _row_under(index: ReportIndex, passage: Passage, headings: list[str]) -> bool:
    lines = index.subheadings.get(passage.section, [])
    owner = None
    for heading, line in lines:
        if line <= passage.line:
            owner = heading
    return owner in headings


def _summary_from(
    request: Request, number: str, title: str, passages: list[Passage], intent: str
) -> Answer:
    """Extractive summary: the indicator figures, then each paragraph's topic sentence and the
    highlighted figures, taken in turn from every subsection, shown in report order."""
    lang = request.lang
    sentences = [
        p
        for p in passages
        if p.kind == "sentence" and len(p.text) > 40 and not (p.text.isupper() and not p.numbers)
    ]
    rows = [p for p in passages if p.kind == "row"]
    items = [p for p in passages if p.kind == "item"]

    indicator_lines = []
    for row in rows:
        is_indicator = bool(row.table_key and "indicadores" in row.table_key)
        indicator = indicator_parts(row, lang) if is_indicator else None
        if indicator is not None:
            indicator_lines.append(f"• {indicator.short}")
    used = sum(len(line) for line in indicator_lines)

    by_section: dict[str, list[Passage]] = {}
    for passage in sorted(sentences, key=_summary_priority):
        by_section.setdefault(passage.section, []).append(passage)
    chosen: list[Passage] = []
    seen_texts: set[str] = set()
    while any(by_section.values()):
        for queue in by_section.values():
            if not queue:
                continue
            passage = queue.pop(0)
            size = min(len(passage.text), SUMMARY_SENTENCE_LIMIT) + 4
            key = fold(passage.text)[:80]
            if used + size > SUMMARY_TEXT_LIMIT or key in seen_texts:
                continue
            seen_texts.add(key)
            chosen.append(passage)
            used += size
    chosen.sort(key=lambda p: p.id)
    lines = indicator_lines + [f"• {shorten(p.text, SUMMARY_SENTENCE_LIMIT)}" for p in chosen]
    label = "Incluye" if lang == "es" else "Includes"
    row_names = [row_name(p) for p in rows if p.cells]
    if row_names and not indicator_lines:
        names = "; ".join(dict.fromkeys(n for n in row_names if n))
        lines.append(f"• {label}: {shorten(names, 400)}")
    elif items and not indicator_lines:
        names = "; ".join(clean_text(p.text.split(":")[0]) for p in items[:12])
        lines.append(f"• {label}: {shorten(names, 400)}")
    figures = [
        number_figure(n, shorten(p.text, 120), lang, p.section)
        for p in chosen
        for n in p.numbers[:2]
    ][:8]
    header = t("summary_header", lang, number=number, title=title_case(title))
    return Answer(
        status="answered",
        text="\n".join([header, *lines]),
        figures=figures,
        sources=[source_of(request.index, p) for p in chosen[:4]],
        intent=intent,
        kind="summary",
        score=1.0,
    )


def _summary_priority(passage: Passage) -> tuple[int, int]:
    """Topic sentences with figures or highlights, other topic sentences, highlighted figures,
    other figures, the rest; in report order within each rank."""
    topic = passage.first_in_paragraph and len(passage.text) > 60
    if topic and (passage.numbers or passage.emphasis):
        rank = 0
    elif topic:
        rank = 1
    elif passage.emphasis and passage.numbers:
        rank = 2
    elif passage.numbers:
        rank = 3
    else:
        rank = 4
    return rank, passage.id
