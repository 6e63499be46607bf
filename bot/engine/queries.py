"""Queries over a report's passages, tables and enumerations, each returning an `Answer`.

Every figure an answer states comes from a report cell or sentence (quoted in `sources`), or is
computed from them and says so (`Figure.computed`).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.engine.answer import Answer, Figure, Source
from bot.engine.curated import for_report
from bot.engine.format import format_figure, format_number, format_share
from bot.engine.index import WORD_CASING, Number, Passage, ReportIndex, clean_text
from bot.engine.normalize import content_tokens, fold, stem
from bot.engine.retrieval import Hit, query_terms, search
from bot.engine.slots import MONTH_NAMES_EN, MONTH_NAMES_ES, extract_months
from bot.engine.texts import t

if TYPE_CHECKING:
    from bot.engine.catalog import Intent, IntentMatch
    from bot.engine.core import Engine, Request

FIGURE_TEXT_LIMIT = 700
LIST_TEXT_LIMIT = 1500
SUMMARY_SENTENCE_LIMIT = 220
SUMMARY_TEXT_LIMIT = 1900  # longer summaries are paginated by the bot
ANSWER_THRESHOLD = 0.46
RARE_TERM_IDF = 0.8  # share of the largest IDF above which a word names something specific
MONEY_UNITS = {"USD", "COP"}


def _question_words() -> frozenset[str]:
    import yaml

    from bot.engine.catalog import DATA_DIR

    data = yaml.safe_load((DATA_DIR / "question_words.yaml").read_text(encoding="utf-8"))
    words = " ".join(data["words"]["es"] + data["words"]["en"])
    return frozenset(content_tokens(words)) | frozenset(words.split())


MEASURE_WORDS = _question_words()


# ---------------------------------------------------------------------------- small helpers


def source_of(index: ReportIndex, passage: Passage) -> Source:
    return Source(
        section=passage.section,
        title=_title_case(passage.section_title),
        quote=_shorten(passage.text, 500),
        line=passage.line,
    )


def _title_case(title: str) -> str:
    """Section titles are printed in capitals; show them in sentence case, keeping the casing
    the report's own prose uses for names and acronyms ("Sobre la ACI Medellín")."""
    if not title.isupper():
        return title
    words = []
    for position, word in enumerate(title.split()):
        known = WORD_CASING.get(word.lower())
        if known:
            words.append(known)
        elif position == 0:
            words.append(word[:1] + word[1:].lower())
        else:
            words.append(word.lower())
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _cut_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"  # cut at a word, and said to be cut


def _shorten(text: str, limit: int, around: str | None = None) -> str:
    if len(text) <= limit:
        return text
    if around:
        position = fold(text).find(fold(around))
        if position > limit // 2:
            start = max(0, position - limit // 3)
            start = text.find(" ", start) + 1 if start and text[start - 1] != " " else start
            window = text[start : start + limit - 2].rsplit(" ", 1)[0]
            return "…" + window.rstrip(" ,;:") + "…"  # words whole at both ends
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def unit_from_header(unit_text: str) -> tuple[str | None, str | None]:
    """'Millones de dólares' -> ('USD', 'millones'); 'Porcentaje' -> ('%', None)."""
    folded = fold(unit_text)
    scale = "millones" if "millon" in folded else ("mil" if folded.startswith("mil ") else None)
    if "dolar" in folded:
        return "USD", scale
    if "peso" in folded:
        return "COP", scale
    if "porcentaje" in folded:
        return "%", None
    return (unit_text.strip().lower() or None), scale


def number_figure(number: Number, label: str, lang: str, section: str) -> Figure:
    return Figure(
        label=label,
        value=number.value,
        unit=number.unit,
        scale=number.scale,
        display=format_figure(number.value, number.unit, number.scale, lang, number.raw),
        raw=number.raw,
        section=section,
    )


def _criteria_text(
    lang: str, month: int | None, threshold: tuple[str, float] | None, matched: str | None
) -> str:
    parts = []
    if month:
        names = MONTH_NAMES_EN if lang == "en" else MONTH_NAMES_ES
        parts.append(t("in_month", lang, month=names[month - 1]))
    if threshold:
        parts.append(t(f"threshold_{threshold[0]}", lang, value=format_number(threshold[1], lang)))
    if matched:
        parts.append(t("matching", lang, value=matched))
    return "".join(parts)


# ---------------------------------------------------------------------------- simple answers


def help_answer(engine: Engine, lang: str, key: str = "help") -> Answer:
    from bot.engine.reports import help_examples, report_label

    report = engine.reports[engine.latest_report_id]
    about = {"report": report_label(report), "examples": help_examples(report, lang)}
    text = t(key, lang) if key != "help" else t("help", lang, **about)
    if key != "help":
        text = f"{text}\n{t('help', lang, **about)}"
    return Answer(
        status="not_found" if key != "help" else "answered",
        text=text,
        intent="help",
        kind="help",
        suggestions=engine.topics(lang)[:4],
        score=1.0,
    )


def year_not_found(request: Request, year: int, engine: Engine) -> Answer:
    years = ", ".join(str(y) for y in engine.years())
    return Answer(
        status="not_found",
        text=t("not_found_year", request.lang, year=year, years=years),
        intent="year_not_available",
        score=0.0,
        suggestions=suggestions_for(request, engine, request.lang),
    )


def suggestions_for(request: Request | None, engine: Engine, lang: str) -> list[str]:
    """Up to three close topics the engine does know (labels users can ask as questions)."""
    if request is None:
        return engine.topics(lang)[:3]
    labels: list[str] = []
    # The topics of the passages closest to the question first: the table or list a row or
    # item belongs to, else the summary of the passage's section.
    hits = search(
        request.index,
        query_terms(request.question, engine.synonyms),
        limit=6,
        ignore=MEASURE_WORDS,
        english=lang == "en",
    )
    for hit in hits:
        if hit.score <= 0.2:
            continue
        passage = hit.passage
        key = passage.table_key or passage.enumeration_key
        owner = next((i for i in engine.matcher.intents if key and key in i.targets), None)
        if owner is not None:
            labels.append(owner.label(lang))
            continue
        # Short enough for a button (Telegram shows about 60 characters), cut between words.
        title = _cut_words(_title_case(passage.section_title), 36)
        labels.append(
            f"Resumen de §{passage.section} {title}"
            if lang == "es"
            else f"Summary of §{passage.section} {title}"
        )
    known = set(engine.topics(lang))  # the catalog's topics this report has
    for match in engine.matcher.match(request.question, limit=6):
        handler = match.intent.handler
        if handler not in ("help", "summary", "discrepancies") and match.score >= 50 and (
            match.intent.label(lang) in known
        ):
            labels.append(match.intent.label(lang))
    unique: list[str] = []
    for label in labels:
        if label not in unique:
            unique.append(label)
    return unique[:3] or engine.topics(lang)[:3]


# ---------------------------------------------------------------------------- summaries


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


def topic_summary(request: Request, engine: Engine) -> Answer:
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
        return retrieval_answer(request, engine, intent_hint=None)
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
        title = " / ".join(_title_case(h) for h in headings)
        return _summary_from(
            request,
            number,
            f"{_title_case(section.title)} — {title}",
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
        indicator = _indicator_parts(row, lang) if is_indicator else None
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
    lines = indicator_lines + [f"• {_shorten(p.text, SUMMARY_SENTENCE_LIMIT)}" for p in chosen]
    label = "Incluye" if lang == "es" else "Includes"
    row_names = [_row_name(p) for p in rows if p.cells]
    if row_names and not indicator_lines:
        names = "; ".join(dict.fromkeys(n for n in row_names if n))
        lines.append(f"• {label}: {_shorten(names, 400)}")
    elif items and not indicator_lines:
        names = "; ".join(clean_text(p.text.split(":")[0]) for p in items[:12])
        lines.append(f"• {label}: {_shorten(names, 400)}")
    figures = [
        number_figure(n, _shorten(p.text, 120), lang, p.section)
        for p in chosen
        for n in p.numbers[:2]
    ][:8]
    header = t("summary_header", lang, number=number, title=_title_case(title))
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


# ---------------------------------------------------------------------------- enumerations


def enumeration_answer(request: Request, intent: Intent, engine: Engine) -> Answer | None:
    index = request.index
    enumeration = next((e for e in index.report.enumerations if e.key in intent.targets), None)
    if enumeration is None or not enumeration.items:
        return None
    lang = request.lang
    section = index.sections.get(enumeration.section)
    lines = [t("list_header", lang, title=intent.label(lang), count=len(enumeration.items))]
    for item in enumeration.items:
        label = clean_text(item.label).rstrip(":")
        description = clean_text(item.description)
        line = f"{item.position}. {label}"
        if description:
            line += f": {_shorten(description, 160)}"
        lines.append(line)
    text = "\n".join(lines)
    first = enumeration.items[0]
    return Answer(
        status="answered",
        text=text,
        sources=[
            Source(
                section=enumeration.section,
                title=_title_case(section.title) if section else enumeration.title,
                quote=_shorten(clean_text(enumeration.title), 200),
                line=first.line,
            )
        ],
        intent=intent.id,
        kind="list",
        score=1.0,
    )


# ---------------------------------------------------------------------------- indicator tables


def indicators_answer(request: Request, intent: Intent, engine: Engine) -> Answer | None:
    index = request.index
    table = next((index.tables[k] for k in intent.targets if k in index.tables), None)
    if table is None:
        return None
    rows = [p for p in index.passages if p.table_key == table.key]
    # A question about one indicator gets that row, not the whole table.
    terms = [
        (term, alts)
        for term, alts in query_terms(request.question, engine.synonyms)
        if term not in _INDICATOR_WORDS
    ]
    if terms:
        hits = search(index, terms, kinds=("row",), limit=4)
        hits = [h for h in hits if h.passage.table_key == table.key]
        if (
            hits
            and hits[0].score >= 0.5
            and (len(hits) == 1 or hits[0].score - hits[1].score >= 0.1)
        ):
            return row_answer(request, hits[0], engine)
    lang = request.lang
    lines = [t("list_header", lang, title=intent.label(lang), count=len(rows))]
    figures: list[Figure] = []
    for passage in rows:
        indicator = _indicator_parts(passage, lang)
        if indicator is None:
            continue
        figures.append(indicator.figure)
        lines.append(f"• {indicator.line}")
    section = index.sections.get(table.section)
    return Answer(
        status="answered",
        text="\n".join(lines),
        figures=figures,
        sources=[
            Source(
                section=table.section,
                title=_title_case(section.title) if section else table.title,
                quote=_shorten(" | ".join(table.header), 300),
                line=table.line_start,
            )
        ],
        intent=intent.id,
        kind="target",
        score=1.0,
    )


_INDICATOR_WORDS = frozenset(
    content_tokens(
        "indicador indicadores meta metas avance 2020 inversion cooperacion cual era sus y de la "
        "target targets indicator indicators progress investment cooperation and are what"
    )
)


class _Indicator:
    def __init__(self, line: str, figure: Figure, short: str) -> None:
        self.line = line
        self.figure = figure
        self.short = short  # one compact line for summaries


def _indicator_parts(passage: Passage, lang: str) -> _Indicator | None:
    cells = {fold(header): cell for header, cell in passage.cells or []}
    name = next((c for h, c in cells.items() if h.startswith("indicador")), None)
    unit_cell = next((c for h, c in cells.items() if "unidad" in h), None)
    target = next((c for h, c in cells.items() if h.startswith("meta")), None)
    progress = next((c for h, c in cells.items() if h.startswith("avance")), None)
    if name is None or target is None or progress is None:
        return None
    unit, scale = unit_from_header(unit_cell.raw if unit_cell else "")
    progress_unit = "%" if progress.raw.strip().endswith("%") else unit
    target_display = format_figure(target.value, unit, scale, lang, target.raw)
    progress_display = format_figure(progress.value, progress_unit, scale, lang, progress.raw)
    share = None
    verdict = ""
    if target.value and progress.value is not None and progress_unit == unit:
        share = format_share(progress.value, target.value, lang)
        if progress.value > target.value:
            verdict = t("target_met", lang)
        elif progress.value == target.value:
            verdict = t("target_reached", lang)
        else:
            verdict = t("target_missed", lang)
    header_progress = next((h for h in cells if h.startswith("avance")), "avance")
    cutoff = _cutoff_from_header(header_progress)
    label = clean_text(name.raw)
    line = (
        f"{label}: {t('target', lang)} {target_display}; {t('progress', lang)} {progress_display}"
    )
    if cutoff:
        line += f" ({cutoff})"
    if share:
        line += "; " + t(
            "share_of_target",
            lang,
            share=share,
            value=format_number(progress.value or 0, lang),
            target=format_number(target.value or 0, lang),
        )
        line += f". {verdict}"
    figure = Figure(
        label=label,
        value=progress.value,
        unit=progress_unit,
        scale=scale,
        display=progress_display,
        raw=progress.raw,
        target=target_display,
        share_of_target=share,
        cutoff=cutoff,
        section=passage.section,
        computed_from=[target.raw, progress.raw] if share else [],
    )
    short = f"{_shorten(label, 90)}: {progress_display} ({t('target', lang)} {target_display})"
    return _Indicator(line, figure, short)


def _cutoff_from_header(folded_header: str) -> str | None:
    match = re.search(r"al (\d{1,2} de [a-z]+ de \d{4})", folded_header)
    return match.group(1) if match else None


# ---------------------------------------------------------------------------- other tables


def table_answer(request: Request, intent: Intent, engine: Engine) -> Answer | None:
    """Filters, superlatives and totals over a table; the whole table when asked for a list."""
    index = request.index
    tables = [index.tables[k] for k in intent.targets if k in index.tables]
    if not tables:
        return None
    slots = request.slots
    lang = request.lang
    rows = [p for p in index.passages if p.kind == "row" and p.table_key in intent.targets]
    month = slots.months[0] if slots.months else None
    matched_value, rows_by_value = _categorical_filter(request, rows)
    has_filter = bool(month or slots.threshold or matched_value)
    if slots.measure in ("cantidad", "valor", "costo", "fecha") and not (
        has_filter or slots.superlative
    ):
        return None  # "¿cuántos eventos hubo?" is stated in a sentence; retrieval finds it
    if not (
        has_filter
        or slots.superlative
        or slots.wants_total
        or slots.wants_list
        or _names_table(request, intent)
    ):
        return None
    selected = rows
    if matched_value:
        selected = rows_by_value
    if month:
        selected = [p for p in selected if month in _row_months(p)]
    numeric_column = _numeric_column(selected or rows, request)
    if slots.threshold and numeric_column:
        op, value = slots.threshold
        selected = [
            p
            for p in selected
            if (v := _cell_value(p, numeric_column)) is not None
            and (
                (op == "gt" and v > value)
                or (op == "lt" and v < value)
                or (op == "ge" and v >= value)
            )
        ]
    title = intent.label(lang)
    criteria = _criteria_text(lang, month, slots.threshold, matched_value)
    if slots.superlative and numeric_column and selected:
        return _superlative(request, intent, selected, numeric_column, title)
    if slots.wants_total and numeric_column and selected and not (month or slots.threshold):
        # The total of the rows asked for: all of them, or those of the named kind.
        return _total(request, intent, selected, numeric_column, title)
    if not selected:
        return Answer(
            status="answered",
            text=t("filter_none", lang, title=title, criteria=criteria),
            intent=intent.id,
            kind="filter",
            score=0.8,
            sources=[_table_source(index, tables[0])],
        )
    lines = [t("filter_header", lang, title=title, count=len(selected), criteria=criteria)]
    figures: list[Figure] = []
    for passage in selected:
        lines.append(f"• {_row_line(passage, numeric_column)}")
        if numeric_column:
            number = next((n for n in passage.numbers if n.column == numeric_column), None)
            if number:
                figures.append(number_figure(number, _row_name(passage), lang, passage.section))
    return Answer(
        status="answered",
        text="\n".join(lines),
        figures=figures[:20],
        sources=[
            _table_source(index, index.tables[k])
            for k in dict.fromkeys(p.table_key for p in selected if p.table_key)
        ],
        intent=intent.id,
        kind="filter" if has_filter else "list",
        score=0.9,
    )


def _names_table(request: Request, intent: Intent) -> bool:
    """Short questions that name a table ("pqrs por proceso", "/redes") want the whole table."""
    words = content_tokens(request.question)
    return len(words) <= 4 and intent.handler == "table"


def _table_source(index: ReportIndex, table: object) -> Source:
    section = index.sections.get(table.section)  # type: ignore[attr-defined]
    return Source(
        section=table.section,  # type: ignore[attr-defined]
        title=_title_case(section.title) if section else table.title,  # type: ignore[attr-defined]
        quote=_shorten(f"{table.title}: " + " | ".join(table.header), 300),  # type: ignore[attr-defined]
        line=table.line_start,  # type: ignore[attr-defined]
    )


def _row_name(passage: Passage) -> str:
    if passage.name is None:
        passage.name = _find_row_name(passage)
    return passage.name


def _find_row_name(passage: Passage) -> str:
    if not passage.cells:
        return passage.text
    # The first wide text cell names the row (event name, project, process...).
    for header, cell in passage.cells:
        folded = fold(header)
        if any(
            w in folded
            for w in (
                "nombre",
                "indicador",
                "proceso",
                "modalidad",
                "tipo",
                "detalle",
                "hechos",
                "nombre de la agenda",
            )
        ):
            return clean_text(cell.raw)
    return clean_text(passage.cells[0][1].raw)


def _row_line(passage: Passage, numeric_column: str | None) -> str:
    name = _row_name(passage)
    extras = []
    for header, cell in passage.cells or []:
        raw = clean_text(cell.raw)
        if not raw or raw == name:
            continue
        folded = fold(header)
        if (
            "fecha" in folded
            or header == numeric_column
            or any(
                w in folded
                for w in (
                    "linea",
                    "pais",
                    "cooperante",
                    "secretaria",
                    "participante",
                    "valor",
                    "nro",
                    "cantidad",
                    "pqrs",
                    "juzgado",
                    "demandado",
                    "demandante",
                    "radicado",
                    "%",
                    "recaudo",
                    "ppto definitivo",
                    "asistentes",
                )
            )
        ):
            extras.append(f"{_title_case(header)}: {_shorten(raw, 140)}")
    line = _shorten(name, 220)
    return f"{line} — {'; '.join(extras)}" if extras else line


def _row_months(passage: Passage) -> set[int]:
    months: set[int] = set()
    for header, cell in passage.cells or []:
        if "fecha" not in fold(header):
            continue
        raw = clean_text(cell.raw)
        months.update(extract_months(fold(raw)))
        for match in re.finditer(r"\b\d{1,2}/(\d{1,2})/\d{4}\b", raw):
            months.add(int(match.group(1)))
        span = re.search(
            r"(\d{1,2})\s*(?:de\s+)?([a-z]+)\s*-\s*\d{1,2}\s*(?:de\s+)?([a-z]+)", fold(raw)
        )
        if span:
            first = extract_months(span.group(2))
            last = extract_months(span.group(3))
            if first and last:
                months.update(range(first[0], last[0] + 1))
    return months


def _categorical_filter(request: Request, rows: list[Passage]) -> tuple[str | None, list[Passage]]:
    """Rows whose short category cell (línea, país, tipo...) the question names.

    A cell said only by words of its own table's caption is the question naming the table, not
    a row: «presupuesto de gastos» asks for the expenses table, whose total row is «GASTOS»."""
    question = f" {request.folded} "
    best_value: str | None = None
    best_rows: list[Passage] = []
    captions: dict[str | None, set[str]] = {}
    for passage in rows:
        if passage.table_key not in captions:
            table = request.index.tables.get(passage.table_key) if passage.table_key else None
            captions[passage.table_key] = set(fold(table.title).split()) if table else set()
        caption = captions[passage.table_key]
        for header, cell in passage.cells or []:
            raw = clean_text(cell.raw)
            folded = fold(raw)
            if not folded or len(folded) > 40 or cell.value is not None or len(folded) < 4:
                continue
            if "fecha" in fold(header) or "nombre" in fold(header):
                continue
            if set(folded.split()) <= caption:
                continue  # the table's own word: the question names the table
            if f" {folded} " in question or (
                fuzz.partial_ratio(folded, question) >= 92
                and len(folded.split()) <= 4
                and _all_words_in(folded, question)
            ):
                if best_value is None or len(folded) > len(fold(best_value)):
                    best_value, best_rows = raw, []
                if fold(best_value) == folded:
                    best_rows.append(passage)
    return best_value, best_rows


def _all_words_in(phrase: str, question: str) -> bool:
    words = question.split()
    return all(any(fuzz.ratio(w, q) >= 85 for q in words) for w in phrase.split() if len(w) > 2)


def _numeric_column(rows: list[Passage], request: Request) -> str | None:
    """The column a filter or superlative works on: the one the question names, else the last."""
    columns: list[str] = []
    for passage in rows:
        for number in passage.numbers:
            if number.column and number.column not in columns:
                columns.append(number.column)
    if not columns:
        return None
    measure = request.slots.measure
    for column in columns:
        folded = fold(column)
        if (
            (measure == "asistentes" and "asistentes" in folded)
            or (measure in ("valor", "costo") and "valor" in folded)
            or (measure == "porcentaje" and "%" in column)
            or (measure == "recaudo" and "recaudo" in folded)
        ):
            return column
    for column in columns:
        if any(w in fold(column) for w in ("asistentes", "pqrs", "cantidad", "nro", "contratos")):
            return column
    return columns[-1]


def _cell_value(passage: Passage, column: str) -> float | None:
    return next((n.value for n in passage.numbers if n.column == column), None)


def _superlative(
    request: Request, intent: Intent, rows: list[Passage], column: str, title: str
) -> Answer:
    lang = request.lang
    valued = [(v, p) for p in rows if (v := _cell_value(p, column)) is not None]
    pick = max if request.slots.superlative == "max" else min
    value, passage = pick(valued, key=lambda item: item[0])
    number = next(n for n in passage.numbers if n.column == column)
    key = "max_row" if request.slots.superlative == "max" else "min_row"
    text = t(
        key,
        lang,
        column=_title_case(column),
        title=title,
        value=number.raw,
        name=_row_name(passage),
    )
    ties = [p for v, p in valued if v == value and p is not passage]
    if ties:
        text += " (" + "; ".join(_row_name(p) for p in ties) + ")"
    mixed = sorted(
        {
            n.raw
            for _, p in valued
            for n in p.numbers
            if n.column == column and not re.fullmatch(r"[\d.,%$ ]+", n.raw)
        }
    )
    if mixed:
        text += "\n" + t("mixed_cells", lang, examples="», «".join(mixed[:4]))
    return Answer(
        status="answered",
        text=text,
        figures=[number_figure(number, _row_name(passage), lang, passage.section)],
        sources=[source_of(request.index, passage)],
        intent=intent.id,
        kind="filter",
        score=0.9,
    )


def _total(
    request: Request, intent: Intent, rows: list[Passage], column: str, title: str
) -> Answer:
    lang = request.lang
    body = [p for p in rows if not fold(_row_name(p)).startswith("total")]
    total_rows = [p for p in rows if fold(_row_name(p)).startswith("total")]
    values = [(v, p) for p in body if (v := _cell_value(p, column)) is not None]
    total = sum(v for v, _ in values)
    lines = [f"• {_row_line(p, column)}" for p in body]
    text = "\n".join(
        [
            f"{title}:",
            *lines,
            t(
                "total",
                lang,
                column=_title_case(column),
                value=format_number(total, lang),
                count=len(values),
            ),
        ]
    )
    for passage in total_rows:
        reported = _cell_value(passage, column)
        if reported is not None:
            text += " " + t("total_row", lang, value=format_number(reported, lang))
    figure = Figure(
        label=f"Total {column}",
        value=total,
        display=format_number(total, lang),
        computed=True,
        computed_from=[n.raw for _, p in values for n in p.numbers if n.column == column],
        section=body[0].section if body else None,
    )
    return Answer(
        status="answered",
        text=text,
        figures=[figure],
        sources=[source_of(request.index, p) for p in (total_rows or body[:1])],
        intent=intent.id,
        kind="filter",
        score=0.9,
    )


# ---------------------------------------------------------------------------- retrieval


_MONEY_MEASURES = {"costo", "valor", "presupuesto", "recaudo", "ejecucion"}
_NUMBER_MEASURES = {"cantidad", "asistentes", "porcentaje", "meta", "poblacion"} | _MONEY_MEASURES


def retrieval_answer(request: Request, engine: Engine, intent_hint: IntentMatch | None) -> Answer:
    """A single figure or fact: the passage that covers the question best, quoted."""
    answer = _retrieval_answer(request, engine)
    if answer.status == "not_found":
        # A figure the report gives two ways is a known topic even when no single passage
        # states it cleanly: "¿cuántos eventos se gestionaron para la alcaldía?" (13 vs 14).
        return _asked_discrepancy(request, engine, by_topic=True) or answer
    return answer


def _retrieval_answer(request: Request, engine: Engine) -> Answer:
    lang = request.lang
    parts = _split_question(request)
    if len(parts) > 1:
        answers = [retrieval_answer(part, engine, None) for part in parts]
        answered = [a for a in answers if a.status == "answered"]
        if len(answered) == len(answers):
            return _merge_answers(answered)
    discrepancy = _asked_discrepancy(request, engine)
    if discrepancy is not None:
        return discrepancy
    terms = query_terms(request.question, engine.synonyms)
    hits = search(
        request.index, terms, limit=12, ignore=MEASURE_WORDS, english=request.lang == "en"
    )
    measure = request.slots.measure
    hits = _rerank(hits, request)
    if not hits or hits[0].score < ANSWER_THRESHOLD:
        return _not_found(request, engine)
    ambiguous = _ambiguity(request, hits, engine)
    if ambiguous is not None:
        return ambiguous
    top = hits[0]
    passage = top.passage
    if measure in _MONEY_MEASURES | {"costo"} and not _has_money(passage) and measure == "costo":
        return _not_found(request, engine, topic=passage, measure="money")
    if measure in _NUMBER_MEASURES and not _fits_measure(passage, measure):
        neighbour = _next_sentence(request.index, passage, measure)
        if passage.kind == "sentence" and neighbour is not None:
            top = Hit(passage=neighbour, score=top.score, matched=top.matched)
            passage = neighbour
    if measure in _NUMBER_MEASURES and not passage.numbers and passage.kind != "row":
        alternative = next(
            (
                h
                for h in hits[1:6]
                if h.passage.numbers and h.score >= max(top.score - 0.25, ANSWER_THRESHOLD)
            ),
            None,
        )
        if alternative is None:
            return _not_found(request, engine, topic=passage, measure="number")
        top, passage = alternative, alternative.passage
    if measure == "costo" and not _has_money(passage):
        return _not_found(request, engine, topic=passage, measure="money")
    if measure == "costo" and [t for t in top.missing if t not in MEASURE_WORDS]:
        # What something costs or earns belongs to that thing: a money figure about something
        # else ("salario emocional" for "el salario del alcalde") is not an answer.
        return _not_found(request, engine, topic=passage, measure="money")
    rare_missing = [
        term
        for term in top.missing
        if term not in MEASURE_WORDS
        and term in request.index.idf
        and request.index.term_idf(term) >= RARE_TERM_IDF * request.index.max_idf
        and _is_name(term)
    ]
    rare_matched = [
        term
        for term, vocab in top.matched.items()
        if term not in MEASURE_WORDS
        and request.index.term_idf(vocab) >= RARE_TERM_IDF * request.index.max_idf
    ]
    if rare_missing and not rare_matched and top.passage.kind != "item":
        # The question names something specific ("inversión en Bogotá") and the best passage
        # only matches its general words: the figure it has is about something else.
        return _not_found(request, engine, topic=passage, measure="number")
    if measure == "fecha" and not passage.has_date:
        dated = next((p for p in index_following(request.index, passage) if p.has_date), None)
        if dated is not None:
            top = Hit(passage=dated, score=top.score, matched=top.matched)
            passage = dated
    if measure == "poblacion" and not _fits_measure(passage, measure):
        return _not_found(request, engine, topic=passage, measure="number")
    noun = counted_noun(request)
    if noun and not counts_noun(passage, noun):
        # "¿Cuántos empleos…?" needs a figure of empleos: a neighbour sentence or a close hit.
        # A close hit only stands in if it covers the same topic words as the top one.
        covered = set(top.matched) - MEASURE_WORDS
        candidates = [
            h.passage
            for h in hits[1:10]
            if h.score >= max(top.score - 0.3, ANSWER_THRESHOLD)
            and len(covered & set(h.matched)) >= 0.6 * len(covered)
        ]
        following = index_following(request.index, passage)
        found = next((p for p in following + candidates if counts_noun(p, noun)), None)
        if found is None:
            return _not_found(request, engine, topic=passage, measure="number")
        top = Hit(passage=found, score=top.score, matched=top.matched)
        passage = found
    if (
        passage.kind == "sentence"
        and measure in _NUMBER_MEASURES
        and not _fits_measure(passage, measure)
    ):
        neighbour = _next_sentence(request.index, passage, measure)
        if neighbour is not None:
            top = Hit(passage=neighbour, score=top.score, matched=top.matched)
            passage = neighbour
    if passage.kind == "row":
        answer = row_answer(request, top, engine)
    else:
        answer = sentence_answer(request, top, engine)
    also = "También" if lang == "es" else "Also"
    extras = _companions(hits, top, request)
    for extra in extras:
        answer.text += f"\n{also}: «{_shorten(extra.text, 300)}»"
        answer.sources.append(source_of(request.index, extra))
    answer.score = round(top.score, 3)
    return answer


AMBIGUITY_MARGIN = 0.015


def _ambiguity(request: Request, hits: list[Hit], engine: Engine) -> Answer | None:
    """A broad question ("¿cuántos asistentes hubo?") that several passages fit equally well:
    ask which one is meant instead of picking one at random."""
    topic = [t for t in content_tokens(request.question) if t not in MEASURE_WORDS]
    if len(topic) > 2 or request.slots.wants_list or _LIST_QUESTION.search(request.folded):
        return None
    if request.anchor is not None:
        return None  # a follow-up refines the previous answer
    top = hits[0]
    tied = [h for h in hits if top.score - h.score <= AMBIGUITY_MARGIN]
    # Only rows of one table that the question fits equally ("¿cuántos asistentes hubo?" over
    # the events table): other near-ties are resolved by the ranking.
    if top.passage.kind != "row" or request.slots.wants_total:
        return None
    if any(h.passage.table_key != top.passage.table_key for h in tied):
        return None
    distinct = [h for h in tied if h.passage.numbers]
    if len(distinct) < 3:
        return None
    lang = request.lang
    options = []
    for hit in distinct[:3]:
        options.append(f"{request.question.strip(' ¿?')} — {_readable_topic(hit.passage)}")
    lines = [t("ambiguous", lang), *[f"• {o}" for o in options]]
    return Answer(
        status="ambiguous",
        text="\n".join(lines),
        suggestions=options,
        sources=[source_of(request.index, h.passage) for h in distinct[:3]],
        intent="ambiguous",
        kind="figure",
        score=round(top.score, 3),
    )


def _readable_topic(passage: Passage) -> str:
    """What a passage is about, short enough for a button: a row's name or its section."""
    if passage.kind == "row":
        return _cut_words(_row_name(passage), 40)
    return _cut_words(_title_case(passage.section_title), 40)


_LIST_QUESTION = re.compile(r"\b(?:quienes|cuales|con que|que (?:\w+ )?(?:y|e) |which|who)\b")


def _companions(hits: list[Hit], top: Hit, request: Request) -> list[Passage]:
    """Passages that complete the answer: close runners-up, more of them for list questions."""
    listy = bool(_LIST_QUESTION.search(request.folded)) or request.slots.wants_list
    margin = 0.12 if listy else 0.02
    # A figure answer stays on its figure; list questions gather several passages.
    wanted = 3 if listy else 0
    chosen: list[Passage] = []
    for hit in hits[1:8]:
        if len(chosen) >= wanted or hit.score < top.score - margin:
            break
        if hit.passage.text == top.passage.text or hit.passage.text in top.passage.text:
            continue
        if not listy and not _different_topic(top, hit):
            continue
        if not listy and not set(top.matched) <= set(hit.matched):
            continue  # "también" only for a passage as much about the question as the answer
        chosen.append(hit.passage)
    return chosen


def index_following(index: ReportIndex, passage: Passage) -> list[Passage]:
    """The next sentences of the same paragraph region (where a figure is often stated)."""
    out = []
    for following in index.passages[passage.id + 1 : passage.id + 4]:
        if following.kind != passage.kind or following.section != passage.section:
            break
        if following.line - passage.line > 8:
            break
        out.append(following)
    return out


def _fits_measure(passage: Passage, measure: str | None) -> bool:
    if measure in _MONEY_MEASURES:
        return _has_money(passage)
    if measure in ("porcentaje",):
        return any(n.unit == "%" for n in passage.numbers)
    if measure == "poblacion":
        return any(n.unit in _PEOPLE_UNITS for n in passage.numbers)
    return bool(passage.numbers)


_PEOPLE_UNITS = {"personas", "habitantes", "familias", "ciudadanos", "hogares"}


def _next_sentence(index: ReportIndex, passage: Passage, measure: str | None) -> Passage | None:
    """The figure a sentence introduces is often in one of the next few sentences."""
    for following in index.passages[passage.id + 1 : passage.id + 4]:
        if following.kind != passage.kind or following.section != passage.section:
            return None
        if following.line - passage.line > 8:
            return None
        if _fits_measure(following, measure):
            return following
    return None


def _asked_discrepancy(
    request: Request, engine: Engine, *, by_topic: bool = False
) -> Answer | None:
    """'¿son 62 o 61 contratos?': a question naming both sides of a known contradiction; with
    `by_topic`, a figure question naming two of its topic words."""
    question_numbers = set(re.findall(r"\d+(?:[.,]\d+)?", request.folded))
    for item in for_report(engine.discrepancies, request.report_id):
        values = {fold(side.value) for side in item.sides if side.value}
        named_both = len(values & question_numbers) >= 2
        on_topic = (
            by_topic
            and request.slots.measure is not None
            and item.topic_words_in(request.folded) >= 2
        )
        if item.matches_question(request.folded) and (named_both or on_topic):
            lang = request.lang
            lines = [t("contradiction", lang, description=item.description(lang))]
            lines += [
                f"• §{side.section} {t('says', lang)}: «{_shorten(side.quote, 240)}»"
                for side in item.sides
            ]
            return Answer(
                status="answered",
                text="\n".join(lines),
                sources=[
                    Source(
                        section=side.section,
                        title=_section_title(request, side.section),
                        quote=side.quote,
                    )
                    for side in item.sides
                ],
                notes=[f"[{item.id}]"],
                intent="discrepancy",
                kind="figure",
                score=1.0,
            )
    return None


def _split_question(request: Request) -> list[Request]:
    """'¿cuánto fue X y cuánto Y?' → two requests, when both halves name a topic."""
    from bot.engine.core import Request as RequestType

    match = re.search(r"\s(?:y|and)\s+(?=(?:cuant|cual|que|how|what)\w*\b)", request.folded)
    if not match:
        return [request]
    first, second = request.folded[: match.start()], request.folded[match.end() :]
    halves = [first, second]
    if any(len([w for w in content_tokens(h) if w not in MEASURE_WORDS]) < 1 for h in halves):
        return [request]
    from bot.engine.slots import extract_slots

    return [
        RequestType(
            question=h,
            folded=fold(h),
            lang=request.lang,
            slots=extract_slots(h),
            index=request.index,
            report_id=request.report_id,
        )
        for h in halves
    ]


def _merge_answers(answers: list[Answer]) -> Answer:
    merged = answers[0].model_copy(deep=True)
    for other in answers[1:]:
        merged.text += "\n\n" + other.text
        merged.figures += other.figures
        merged.sources += other.sources
    merged.score = min(a.score for a in answers)
    return merged


def _rerank(hits: list[Hit], request: Request) -> list[Hit]:
    """Prefer passages that carry what the question asks for (a number, money, a date)."""
    measure = request.slots.measure
    topic_terms = [t for t in content_tokens(request.question) if t not in MEASURE_WORDS]
    broad = len(topic_terms) <= 2
    reranked = []
    for hit in hits:
        passage = hit.passage
        bonus = 0.0
        if measure in _NUMBER_MEASURES and passage.numbers:
            bonus += 0.04
            if _unit_named(passage, request):
                bonus += 0.1
        if measure in _MONEY_MEASURES and _has_money(passage):
            bonus += 0.04
        if measure == "fecha" and passage.has_date:
            bonus += 0.05
        if measure == "anio":
            # "¿hasta qué año…?" can only be answered by a passage that names years.
            bonus += 0.08 * min(passage.years, 2) if passage.years else -0.15
        if measure == "asistentes" and any(
            (n.column and "asistentes" in fold(n.column)) or n.unit == "personas"
            for n in passage.numbers
        ):
            bonus += 0.05
        if measure == "meta":
            if passage.kind == "row" and passage.table_key and "indicadores" in passage.table_key:
                bonus += 0.15
            elif "meta" in passage.terms:
                bonus += 0.04
        if passage.kind == "row" and _row_named(passage, request):
            bonus += 0.12  # the question names the row: "gastos de personal", "subasta inversa"
        if passage.kind == "sentence" and passage.text.endswith(":") and len(passage.text) < 90:
            bonus -= 0.12  # a label ("RED … ARCOÍRIS:") says less than the item it introduces
        if passage.kind == "sentence" and len(passage.text) < 25:
            bonus -= 0.05
        # The report's headline figures (indicator rows, highlights) are what most questions
        # about a broad topic mean.
        if passage.kind == "row" and passage.table_key and "indicadores" in passage.table_key:
            bonus += 0.03
        if request.anchor is not None and any(
            n.value is not None and abs(n.value - request.anchor) < 1e-9 for n in passage.numbers
        ):
            bonus += 0.1  # "¿y la meta?" is about the figure just given
        if passage.kind == "sentence" and len(passage.terms) > 24:
            # A long sentence matches many words by chance (BM25's length normalisation).
            bonus -= 0.03 * math.log2(len(passage.terms) / 24)
        if request.slots.wants_total and len(passage.numbers) >= 3:
            bonus += 0.05  # "¿cuántos en total?": the sentence that gives the breakdown
        if passage.emphasis and passage.numbers:
            # A broad question ("¿cuánta inversión?") means the report's headline figure.
            bonus += 0.06 if broad else 0.02
        bonus += _section_named_bonus(request, passage, set(hit.matched.values()))
        reranked.append(
            Hit(passage=passage, score=hit.score + bonus, matched=hit.matched, missing=hit.missing)
        )
    reranked.sort(key=lambda h: (-h.score, h.passage.id))
    return reranked


def _is_name(term: str) -> bool:
    """A word the report's prose writes capitalised: a place or an organisation ("Bogotá")."""
    written = WORD_CASING.get(term)
    return bool(written) and written[:1].isupper()


def _row_named(passage: Passage, request: Request) -> bool:
    name_words = content_tokens(_row_name(passage))
    if not name_words or len(name_words) > 6:
        return False
    question_words = content_tokens(request.question)
    return all(any(fuzz.ratio(w, q) >= 85 for q in question_words) for w in name_words)


def _unit_named(passage: Passage, request: Request) -> bool:
    """A figure whose unit the question names: '¿cuántas ciudades…?' and '90 ciudades'."""
    words = _question_words_and_synonyms(request.question)
    for number in passage.numbers:
        unit = stem(fold(number.unit)) if number.unit else ""
        if unit and any(fuzz.ratio(unit, word) >= 85 for word in words):
            return True
    return False


@lru_cache(maxsize=4096)
def _question_words_and_synonyms(question: str) -> frozenset[str]:
    from bot.engine.curated import load_synonyms

    synonyms = load_synonyms()
    words = set(content_tokens(question))
    for word in list(words):
        words.update(synonyms.get(word, []))
    return frozenset(words)


def _section_named_bonus(request: Request, passage: Passage, matched: set[str]) -> float:
    """'según el resumen ejecutivo…': the question names the section to look in."""
    title_terms = set(content_tokens(passage.section_title))
    question_terms = set(content_tokens(request.question)) | matched
    if len(title_terms) >= 2 and title_terms <= question_terms:
        return 0.08
    return 0.0


def _has_money(passage: Passage) -> bool:
    return any(
        n.unit in MONEY_UNITS
        or (n.column and any(w in fold(n.column) for w in ("valor", "ppto", "recaudo")))
        for n in passage.numbers
    )


def _different_topic(a: Hit, b: Hit) -> bool:
    return a.passage.section != b.passage.section or a.passage.table_key != b.passage.table_key


def _not_found(
    request: Request, engine: Engine, topic: Passage | None = None, measure: str | None = None
) -> Answer:
    lang = request.lang
    if topic is not None and measure:
        label = _shorten(_row_name(topic) if topic.kind == "row" else topic.text, 80)
        text = t("not_found_measure", lang, topic=label, measure=t(f"measure_{measure}", lang))
    else:
        text = t("not_found", lang)
    suggestions = suggestions_for(request, engine, lang)
    text += "\n" + t("suggest_intro", lang) + " " + "; ".join(suggestions)
    return Answer(
        status="not_found", text=text, suggestions=suggestions, intent="unknown", score=0.0
    )


def _pick_number(passage: Passage, request: Request) -> Number | None:
    numbers = passage.numbers
    if not numbers:
        return None
    measure = request.slots.measure
    question_terms = set(content_tokens(request.question))

    def score(number: Number) -> float:
        value = 0.0
        column = fold(number.column or "")
        unit = number.unit or ""
        if measure in ("valor", "costo", "presupuesto") and (
            unit in MONEY_UNITS or "valor" in column or "ppto" in column
        ):
            value += 2
        if measure == "presupuesto" and "definitivo" in column:
            value += 1
        if measure in ("porcentaje", "ejecucion") and unit == "%":
            value += 2
        if measure == "recaudo" and "recaudo" in column:
            value += 2
        if measure == "asistentes" and ("asistentes" in column or unit == "personas"):
            value += 2
        if measure == "meta" and column.startswith("meta"):
            value += 2
        if measure == "cantidad" and unit not in MONEY_UNITS and unit != "%":
            value += 1
            if any(w in column for w in ("nro", "cantidad", "pqrs")):
                value += 1
        if unit and fold(unit) in question_terms | {t + "s" for t in question_terms}:
            value += 1.5
        if measure in ("cantidad", "asistentes") and unit == "%":
            value -= 1.5  # "¿cuántas…?" asks for a count, not a share
        if measure == "area" and unit == "m²":
            value += 2
        if measure == "longitud" and unit in ("km", "kilómetros", "metros"):
            value += 2
        # The words right after a figure say what it counts: "3 ciudades mentoras internacionales".
        following = _words_after(passage.text, number.raw)
        if unit:
            following.add(stem(fold(unit)))
        value += 0.5 * min(3, len(following & question_terms))
        nearest = _words_after(passage.text, number.raw, count=2)
        if unit:
            nearest.add(stem(fold(unit)))
        if noun and _noun_in(noun, nearest):
            value += 2
        return value

    noun = counted_noun(request)
    return max(numbers, key=lambda n: (score(n), -numbers.index(n)))


_COUNT_CUE = re.compile(r"\b(?:cuantos|cuantas|how many|numero de|cantidad de|number of)\s+(.*)")


def counted_noun(request: Request) -> str | None:
    """What '¿cuántos X…?' counts: the first content word after the cue ("personas")."""
    match = _COUNT_CUE.search(request.folded)
    if not match:
        return None
    words = [w for w in content_tokens(match.group(1)) if w not in _SCALE_WORDS]
    if not words or words[0] in MEASURE_WORDS or words[0].endswith(("ron", "ban", "ian")):
        return None  # "¿cuántos asistieron…?": a verb, the count is implicit
    if request.lang == "en" and len(words) > 1:
        # English puts adjectives and possessors first ("how many heritage properties", "how
        # many of the world's largest cities"): any word up to the verb may be the counted one.
        head = fold(match.group(1)).split()
        stop = next((i for i, w in enumerate(head) if w in _ENGLISH_AUXILIARIES), len(head))
        nouns = [w for w in content_tokens(" ".join(head[:stop])) if w not in _SCALE_WORDS]
        return "|".join(nouns or words[:2])
    return words[0]


_ENGLISH_AUXILIARIES = frozenset(
    {"do", "does", "did", "is", "are", "was", "were", "will", "would", "have", "has", "had",
     "can", "could"}
)


_SCALE_WORDS = frozenset(
    {"mil", "millon", "millone", "billon", "billone", "thousand", "million", "billion"}
)


def _noun_in(noun: str, words: set[str]) -> bool:
    from bot.engine.curated import load_synonyms

    synonyms = load_synonyms()
    candidates = {c for part in noun.split("|") for c in (part, *synonyms.get(part, []))}
    return any(fuzz.ratio(c, w) >= 85 for c in candidates for w in words if w)


def _words_after(text: str, raw: str, count: int = 5) -> set[str]:
    folded = fold(text)
    match = re.search(r"(?<![\d.,])" + re.escape(fold(raw)) + r"(?![\d])", folded)
    if match is None:
        return set()
    tail_words = []
    for word in folded[match.end() :].split()[:count]:
        if any(ch.isdigit() for ch in word):
            break  # the next figure's words are not this one's
        tail_words.append(word)
    tail = " ".join(tail_words)
    return set(content_tokens(tail))


def counts_noun(passage: Passage, noun: str) -> bool:
    """Does the passage give a figure of what the question counts?"""
    if passage.kind == "row":
        # A column named for it ("NÚMERO DE ASISTENTES") or a short cell ("Mínima Cuantía");
        # figures inside long text cells are read like sentences, below.
        short = " ".join(f"{h} {c.raw}" for h, c in passage.cells or [] if len(c.raw) <= 60)
        cell_numbers = [n for n in passage.numbers if len(n.raw) <= 60 and n.raw in short]
        if cell_numbers and _noun_in(noun, set(content_tokens(short))):
            return True
    for number in passage.numbers:
        if number.unit == "%":
            continue
        if number.unit and number.unit not in MONEY_UNITS:
            # A counted figure says what it counts: "476 habitaciones" are not hotels.
            if _noun_in(noun, {stem(fold(number.unit))}):
                return True
            continue
        if _noun_in(noun, _words_after(passage.text, number.raw, count=3)):
            return True
    return False


def row_answer(request: Request, hit: Hit, engine: Engine) -> Answer:
    passage = hit.passage
    lang = request.lang
    indicator = _indicator_parts(passage, lang)
    if indicator is not None:
        return Answer(
            status="answered",
            text=f"{indicator.line}\n«{_shorten(passage.text, 400)}»",
            figures=[indicator.figure],
            sources=[source_of(request.index, passage)],
            intent="indicator",
            kind="target",
            score=hit.score,
        )
    number = _pick_number(passage, request)
    name = _row_name(passage)
    lead = ""
    figures = []
    if number is not None:
        figure = number_figure(
            number, f"{name} — {number.column}" if number.column else name, lang, passage.section
        )
        figures.append(figure)
        lead = f"{figure.display} — {_title_case(number.column or '')}: {_shorten(name, 200)}"
    quote = _shorten(passage.text, FIGURE_TEXT_LIMIT - len(lead) - 10)
    text = f"{lead}\n«{quote}»" if lead else f"«{quote}»"
    for other in passage.numbers:
        if number is not None and other is not number and len(figures) < 6:
            figures.append(number_figure(other, f"{name} — {other.column}", lang, passage.section))
    return Answer(
        status="answered",
        text=text,
        figures=figures,
        sources=[source_of(request.index, passage)],
        intent="fact.row",
        kind="figure" if number is not None else "who",
        score=hit.score,
    )


def sentence_answer(request: Request, hit: Hit, engine: Engine) -> Answer:
    passage = hit.passage
    lang = request.lang
    number = _pick_number(passage, request)
    figures = []
    lead = ""
    if number is not None and request.slots.measure not in ("quien", "donde", "anio", "fecha"):
        figure = number_figure(number, _shorten(passage.text, 120), lang, passage.section)
        figures.append(figure)
        lead = figure.display
    quote = _shorten(
        passage.text, FIGURE_TEXT_LIMIT - len(lead) - 10, around=number.raw if number else None
    )
    text = f"{lead} — «{quote}»" if lead else f"«{quote}»"
    for other in passage.numbers:
        if other is not number and len(figures) < 6:
            figures.append(number_figure(other, _shorten(passage.text, 120), lang, passage.section))
    return Answer(
        status="answered",
        text=text,
        figures=figures,
        sources=[source_of(request.index, passage)],
        intent="fact.sentence",
        kind="figure" if figures else "who",
        score=hit.score,
    )


def search_answer(request: Request, engine: Engine, limit: int = 5) -> Answer:
    """Top passages for free text (the /buscar command): quotes with their sections."""
    terms = query_terms(request.question, engine.synonyms)
    hits = [h for h in search(request.index, terms, limit=limit) if h.score >= 0.3]
    if not hits:
        return _not_found(request, engine)
    lines = [f"• §{h.passage.section}: «{_shorten(h.passage.text, 260)}»" for h in hits]
    return Answer(
        status="answered",
        text="\n".join(lines),
        sources=[source_of(request.index, h.passage) for h in hits],
        intent="search",
        kind="list",
        score=round(hits[0].score, 3),
    )


# ---------------------------------------------------------------------------- discrepancies


def discrepancies_answer(request: Request, engine: Engine) -> Answer:
    lang = request.lang
    lines = [t("discrepancies_header", lang)]
    sources = []
    for item in for_report(engine.discrepancies, request.report_id):
        lines.append(f"• {item.description(lang)}")
        for side in item.sides:
            sources.append(
                Source(
                    section=side.section,
                    title=_section_title(request, side.section),
                    quote=side.quote,
                )
            )
    return Answer(
        status="answered",
        text="\n".join(lines),
        sources=sources,
        intent="discrepancies",
        kind="list",
        score=1.0,
    )


def _section_title(request: Request, number: str) -> str:
    section = request.index.sections.get(number)
    return _title_case(section.title) if section else ""


def attach_discrepancies(answer: Answer, request: Request, engine: Engine) -> None:
    """When an answer touches a figure the report gives two ways, say so and quote both."""
    if answer.kind in ("filter", "list") and answer.intent != "discrepancy":
        return  # a listing of rows is not a figure the report gives two ways
    answer_text = fold(answer.text + " " + " ".join(s.quote for s in answer.sources))
    question = request.folded
    for item in for_report(engine.discrepancies, request.report_id):
        if any(item.id in note for note in answer.notes):
            continue
        touches = any(fold(side.quote)[:60] in answer_text for side in item.sides)
        topical = item.matches_question(question) and any(
            fold(side.value) in answer_text for side in item.sides if side.value
        )
        if not (touches or topical) or not item.matches_question(question + " " + answer_text):
            continue
        description = item.description(request.lang)
        sides = "; ".join(
            f"§{side.section} {t('says', request.lang)}: «{_shorten(side.quote, 160)}»"
            for side in item.sides
        )
        note = t("contradiction", request.lang, description=description)
        answer.notes.append(f"[{item.id}] {note}")
        # A summary names the contradiction; a figure answer also quotes both sides.
        answer.text += f"\n⚠️ {note}" if answer.kind == "summary" else f"\n⚠️ {note} {sides}"
        for side in item.sides:
            if not any(s.quote == side.quote for s in answer.sources):
                answer.sources.append(
                    Source(
                        section=side.section,
                        title=_section_title(request, side.section),
                        quote=side.quote,
                    )
                )
