"""Summaries of a section or a topic: the passages that carry its figures, in report order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.engine.answer import Answer
from bot.engine.coverage import is_form_word, is_verbal
from bot.engine.index import Number, Passage, ReportIndex, clean_text
from bot.engine.normalize import content_tokens, fold
from bot.engine.quoting import (
    SUMMARY_SENTENCE_LIMIT,
    SUMMARY_TEXT_LIMIT,
    number_figure,
    shorten,
    source_of,
    title_case,
)
from bot.engine.retrieval import Hit, query_terms, search
from bot.engine.rows import indicator_parts, row_name
from bot.engine.slots import MONTH_NAMES_ES, MONTHS
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
    summary = _summary_from(request, number, section.title, passages, intent="summary.section")
    if summary is not None:
        return summary
    # Nothing but headings: name what the section holds.
    parts = [s for s in index.sections.values() if s.number.startswith(number + ".")]
    lines = [f"• §{s.number} {title_case(s.title)}" for s in parts]
    header = t("summary_header", request.lang, number=number, title=title_case(section.title))
    return Answer(
        status="answered",
        text="\n".join([header, *lines]),
        sources=[source_of(index, p) for p in passages[:1]],
        intent="summary.section",
        kind="summary",
        score=1.0,
    )


def topic_summary(request: Request, engine: Engine) -> Answer | None:
    """Summary of the block the question is about: the chapter, section or sub-heading whose
    title covers the topic's words (weighed by how particular each word is) and where the
    topic's passages gather; when no title fits, the passages about a topic the report
    names (a programme, an organisation, an event), where they gather. None when nothing
    fits: the caller searches the passages instead."""
    index = request.index
    year = str(index.report.year)
    terms = [
        (term, alts)
        for term, alts in query_terms(request.question, engine.synonyms)
        # A month is the period asked about, not the topic (see `_in_period`).
        if term not in _SUMMARY_WORDS and term != year and term not in MONTHS
    ]
    names = _question_names(request.question)
    if not terms and not names:
        return section_summary(request, "1", engine)
    if any(f" {name} " not in _normal_report(index) for name in names):
        return None  # a name the report never writes: nothing of it to summarise
    english = request.lang == "en"
    weights = {term: _term_weight(index, term, alts, request.lang) for term, alts in terms}
    spellings = {term: _spellings(index, term, alts, english) for term, alts in terms}
    hits = search(index, terms, limit=80, english=english) if terms else []
    named, named_names = _named_passages(index, names)
    # Where the topic is written about: a chapter gathers the weight of its sections, a
    # section that of its sub-headings.
    weight: dict[tuple[str, str | None], float] = {}
    evidence = [(h.passage, h.score) for h in hits] + [(p, 1.0) for p in named]
    for passage, score in evidence:
        parts = passage.section.split(".")
        for depth in range(1, len(parts) + 1):
            key = (".".join(parts[:depth]), None)
            weight[key] = weight.get(key, 0.0) + score
        if passage.subheading:
            key = (passage.section, passage.subheading)
            weight[key] = weight.get(key, 0.0) + score
    blocks, titled, title_words = _blocks(index)
    # A name counts when the report writes it in a few places or in a title ("ACI" on every
    # page names no topic).
    names = [n for n in names if n in named_names or any(f" {n} " in t for t in titled)]
    total = sum(weights.values()) + _NAME_WEIGHT * len(names)
    coverages = []
    for words, normal_title in zip(title_words, titled, strict=True):
        covered = sum(w for term, w in weights.items() if _in_title(spellings[term], words))
        covered += _NAME_WEIGHT * sum(1 for name in names if f" {name} " in normal_title)
        coverages.append((covered / total if total else 0.0, words))
    # Where the topic is written about, among the blocks whose title names some of it.
    most = (
        max(
            (
                weight.get((n, h), 0.0)
                for (n, h, _), (c, _) in zip(blocks, coverages, strict=True)
                if c
            ),
            default=0.0,
        )
        or max(weight.values(), default=0.0)
        or 1.0
    )
    scored: list[tuple[float, str, str | None, float]] = []
    for (number, heading, _), (coverage, words) in zip(blocks, coverages, strict=True):
        # A title that is mostly the topic beats one that mentions it among other things.
        precision = _title_precision(words, spellings)
        share = min(1.0, weight.get((number, heading), 0.0) / most)
        score = 0.7 * coverage + 0.05 * precision + 0.25 * share
        scored.append((score, number, heading, coverage))
    scored.sort(key=lambda item: -item[0])
    best_score, number, heading, best_coverage = scored[0]
    if best_score < 0.55 or best_coverage < 0.5:
        # No title says most of the topic: where the passages about it are, if anywhere.
        return _focused_summary(request, hits, named, weights)
    section = index.sections[number]
    if heading:
        # Sibling sub-headings that fit as well ("ingresos" and "gastos" of the budget).
        headings = [
            h
            for sc, n, h, c in scored
            if n == number and h and c >= best_coverage - 0.2 and sc >= best_score - 0.2
        ]
        passages = [p for p in index.passages if p.section == number and p.subheading in headings]
        passages += [
            p
            for p in index.passages
            if p.kind == "row" and p.section == number and _row_under(index, p, headings)
        ]
        shown_headings = {_normal(h): title_case(h) for h in headings}  # "AL-LAS" = "AL LAS"
        title = " / ".join(shown_headings.values())
        return _summary_from(
            request,
            number,
            f"{title_case(section.title)} — {title}",
            _in_period(request, passages),
            intent="summary.topic",
        )
    passages = [
        p for p in index.passages if p.section == number or p.section.startswith(number + ".")
    ]
    return _summary_from(
        request, number, section.title, _in_period(request, passages), intent="summary.topic"
    )


def _in_period(request: Request, passages: list[Passage]) -> list[Passage]:
    """The block's passages about the period the question names, when it names one and the
    block writes about it in a few sentences at least; else the whole block."""
    focus = _period_focus(request, passages)
    if focus is None or sum(1 for p in passages if p.id in focus and _is_prose(p)) < 3:
        return passages
    return [p for p in passages if p.id in focus or p.kind == "row"]


def _period_focus(request: Request, passages: list[Passage]) -> dict[int, float] | None:
    """A question that names months ('entre septiembre y diciembre') asks about that period:
    the passages that name one of its months and what follows them under the same heading
    (the actions a period's sentence announces). None when the question names no month or
    the block never does."""
    months = [MONTH_NAMES_ES[m - 1] for m in request.slots.months]
    if not months:
        return None
    focus: dict[int, float] = {}
    current: tuple[str, str | None] | None = None
    for passage in passages:
        place = (passage.section, passage.subheading)
        if any(re.search(rf"\b{m}\b", fold(passage.text)) for m in months):
            current = place
            focus[passage.id] = 1.0
        elif current == place:
            focus[passage.id] = 0.8  # under the period's sentence
        else:
            current = None
    return focus or None


_NAME_WEIGHT = 6.0  # a name the question writes as the report does ("AL-LAS", "C40") is the topic


def _blocks(
    index: ReportIndex,
) -> tuple[list[tuple[str, str | None, str]], list[str], list[list[str]]]:
    """Every chapter and section (number, None, title) and every sub-heading inside one
    (number, heading, heading), in report order; with their titles as `_normal` writes them
    and their content words (worked out once per index)."""
    cached = index.__dict__.get("_summary_blocks")
    if cached is None:
        blocks = _block_list(index)
        titled = [f" {_normal(title)} " for _, _, title in blocks]
        cached = (blocks, titled, [content_tokens(title) for _, _, title in blocks])
        index.__dict__["_summary_blocks"] = cached
    return cached


def _block_list(index: ReportIndex) -> list[tuple[str, str | None, str]]:
    blocks: list[tuple[str, str | None, str]] = []
    for number, section in index.sections.items():
        blocks.append((number, None, section.title))
        own = content_tokens(section.title)
        for heading, _ in index.subheadings.get(number, []):
            if content_tokens(heading) != own:  # not the section's title printed again
                blocks.append((number, heading, heading))
    return blocks


def _term_weight(index: ReportIndex, term: str, alternatives: list[str], lang: str) -> float:
    """How much a question word says about its topic: rare in the report, much; a word the
    report never uses (nor a translation of it), the most: no title covers it; but a verb the
    report never uses ("me das", "se acaba") says what is asked, little of what about."""
    spelling = _best_spelling(index, term)
    if spelling in index.idf:
        return index.term_idf(spelling)
    known = [a for a in alternatives if a in index.idf]
    if known:
        return min(index.term_idf(a) for a in known)
    if is_form_word(term) or is_verbal(term, lang):
        return 0.3 * index.max_idf
    return index.max_idf  # a topic the report never names is all the more the question's


def _spellings(
    index: ReportIndex, term: str, alternatives: list[str], english: bool = False
) -> set[str]:
    """The forms a question word may take in a title: as typed, as the report spells it and,
    for a word the report does not use or a question in English, its translations or
    synonyms (the Spanish report may use "award" in a name; its title says "premios")."""
    forms = {term, _best_spelling(index, term)}
    if english or term not in index.idf:
        forms.update(a for a in alternatives if a in index.idf)
    return forms


def _in_title(forms: set[str], words: list[str]) -> bool:
    for word in words:
        for form in forms:
            if word == form or (min(len(form), len(word)) >= 6 and word[:6] == form[:6]):
                return True
            if len(form) >= 5 and fuzz.ratio(word, form) >= 85:
                return True
    return False


def _title_precision(words: list[str], spellings: dict[str, set[str]]) -> float:
    if not words:
        return 0.0
    forms = [f for fs in spellings.values() for f in fs]
    return sum(1 for w in words if _in_title(set(forms), [w])) / len(words)


_NAME_TOKEN = re.compile(r"[0-9A-Za-zÁÉÍÓÚÑÜáéíóúñü]+(?:[-–][0-9A-Za-zÁÉÍÓÚÑÜáéíóúñü]+)*")


def _normal(text: str) -> str:
    """Folded words separated by single spaces; hyphens count as spaces ("AL-LAS" = "AL LAS")."""
    return " ".join(re.findall(r"[0-9a-z]+", fold(clean_text(text))))


def _normal_passages(index: ReportIndex) -> list[str]:
    """Each passage as `_normal` writes it, padded with spaces (worked out once)."""
    cached = index.__dict__.get("_summary_normal_passages")
    if cached is None:
        cached = [f" {_normal(p.text)} " for p in index.passages]
        index.__dict__["_summary_normal_passages"] = cached
    return cached


def _normal_report(index: ReportIndex) -> str:
    """The whole report as `_normal` writes it, padded with spaces (worked out once)."""
    cached = index.__dict__.get("_summary_normal_text")
    if cached is None:
        cached = " ".join(_normal_passages(index))
        index.__dict__["_summary_normal_text"] = cached
    return cached


def _question_names(question: str) -> list[str]:
    """Names the question writes as names are written: acronyms and codes ("AL-LAS", "C40",
    "ICC"), normalised; ordinary words and capitalised first words are not names."""
    names = []
    for match in _NAME_TOKEN.finditer(question):
        token = match.group()
        capitals = sum(1 for ch in token if ch.isupper())
        has_digit = any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token)
        if (capitals >= 2 and len(token) >= 3) or has_digit:
            names.append(_normal(token))
    return [n for n in dict.fromkeys(names) if n]


def _named_passages(index: ReportIndex, names: list[str]) -> tuple[list[Passage], set[str]]:
    """The passages that write one of the names, when the name is particular (said in a few
    places, not on every page), and those names."""
    found: list[Passage] = []
    particular = set()
    for name in names:
        pattern = f" {name} "
        matches = [
            p
            for p, text in zip(index.passages, _normal_passages(index), strict=True)
            if pattern in text
        ]
        if 0 < len(matches) <= 0.02 * len(index.passages):
            particular.add(name)
            for passage in matches:
                found.append(passage)
                if _is_label(passage):
                    found.extend(_labelled(index, passage))
    return sorted({p.id: p for p in found}.values(), key=lambda p: p.id), particular


def _is_label(passage: Passage) -> bool:
    """A name standing alone before what is said about it ("AL LAS:")."""
    text = clean_text(passage.text)
    return text.endswith(":") and len(text) <= 60


def _labelled(index: ReportIndex, label: Passage) -> list[Passage]:
    """The passages under a label, up to the next label or the end of its section."""
    out = []
    for passage in index.passages[label.id + 1 : label.id + 12]:
        if passage.section != label.section or _is_label(passage):
            break
        out.append(passage)
    return out


def _focused_summary(
    request: Request, hits: list[Hit], named: list[Passage], weights: dict[str, float]
) -> Answer | None:
    """No title fits. A name the report writes in a few places: the passages that write it,
    wherever they are, those that also say the question's other words first. Otherwise the
    section where the passages about the topic gather, weighed towards them, only when they
    do gather (several strong passages in one section)."""
    index = request.index
    scores = {hit.passage.id: hit.score for hit in hits}
    if named:
        relevance = {p.id: 1.0 + scores.get(p.id, 0.0) for p in named}
        passages = named
    else:
        relevance = {}
        top = hits[0].score if hits else 0.0
        total = sum(weights.values()) or 1.0
        said = max((sum(weights.get(t, 0.0) for t in h.matched) for h in hits), default=0.0)
        if said < 0.5 * total:
            return None  # no passage says most of what the question asks about
        for hit in hits:
            if hit.score >= max(0.3, 0.7 * top):
                relevance[hit.passage.id] = hit.score
        passages = []
    by_section: dict[str, float] = {}
    for pid, score in relevance.items():
        section = index.passages[pid].section
        by_section[section] = by_section.get(section, 0.0) + score
    if not by_section:
        return None
    number, gathered = max(by_section.items(), key=lambda item: (item[1], -len(item[0])))
    if not named:
        strong = [pid for pid in relevance if index.passages[pid].section == number]
        if len(strong) < 2 or gathered < 0.4 * sum(by_section.values()):
            return None
        # The section, weighed towards what it says about the topic.
        passages = [p for p in index.passages if p.section == number]
    section = index.sections.get(number)
    if section is None:
        return None
    top = max(relevance.values())
    focus = {pid: score / top for pid, score in relevance.items()}
    title = title_case(section.title)
    labels = [clean_text(p.text).rstrip(":") for p in named if _is_label(p) and p.section == number]
    if labels:
        title = f"{title} — {labels[0]}"  # the name as the report writes it
    return _summary_from(request, number, title, passages, intent="summary.topic", focus=focus)


def _best_spelling(index: ReportIndex, term: str) -> str:
    """The report's spelling of a (possibly mistyped) question word."""
    expansions = index.expand_term(term)
    return max(expansions, key=lambda e: e[1])[0] if expansions else term


_SUMMARY_WORDS = frozenset(
    content_tokens(
        "resumen resume resumes resumir resumeme summary summarize summarise overview hecho hizo "
        "hicieron logros balance que ha what has did done trata tratan capitulo seccion parte "
        "chapter section part pasa paso pasando pasado happening happened quick breve corto "
        "short gracias thanks"
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
    request: Request,
    number: str,
    title: str,
    passages: list[Passage],
    intent: str,
    focus: dict[int, float] | None = None,
) -> Answer | None:
    """Extractive summary: the indicator figures, then the sentences that carry the most facts
    (figures, names of programmes, organisations and places, highlights, the opening), taken
    in turn from every sub-section before going deeper in one, repeated facts left out, shown in
    report order within SUMMARY_TEXT_LIMIT characters, each cut only at a word or a clause.

    `focus` (passage id -> relevance) weighs the passages a question is about, when the
    summary is of a topic spread over a block rather than of a whole section. None when the
    block has nothing to say beyond its headings."""
    lang = request.lang
    index = request.index
    header = t("summary_header", lang, number=number, title=title_case(title))
    rows = [p for p in passages if p.kind == "row"]
    items = [p for p in passages if p.kind == "item"]

    indicator_lines = []
    covered = _Covered()
    for row in rows:
        is_indicator = bool(row.table_key and "indicadores" in row.table_key)
        indicator = indicator_parts(row, lang) if is_indicator else None
        if indicator is not None:
            line = f"• {indicator.short}"
            if line not in indicator_lines:
                indicator_lines.append(line)
                covered.add_numbers(row.numbers)
    label = "Incluye" if lang == "es" else "Includes"
    include_line = None
    # What a table or list of the block names; shorter when it is one part of a chapter.
    include_limit = 400 if len({p.section for p in passages}) == 1 else 250
    row_names = [row_name(p) for p in rows if p.cells]
    include_names: list[str] = []
    if row_names and not indicator_lines:
        include_names = list(dict.fromkeys(n for n in row_names if n))
    elif items and not indicator_lines:
        include_names = list(dict.fromkeys(clean_text(p.text.split(":")[0]) for p in items[:12]))
    if include_names:
        include_line = f"• {label}: {shorten('; '.join(include_names), include_limit)}"
    used = len(header) + sum(len(line) + 1 for line in indicator_lines)
    # Room for the names line at its longest (it is written once the sentences are chosen).
    used += len(f"• {label}: ") + include_limit + 2 if include_line else 0

    sections = {p.section for p in passages}
    prefix_sections = len(sections) > 1
    # Headings printed again as a passage (the section's or a sub-heading's own title) are not
    # content.
    titles = {fold(index.sections[n].title) for n in sections if n in index.sections}
    candidates = [
        _Candidate.of(p, index, prefix_sections)
        for p in passages
        if _is_prose(p) and fold(clean_text(p.text)) not in titles | {fold(p.subheading or "")}
    ]
    # A lead-in to a list or a table ("…se encuentran:") says nothing by itself, nor does a
    # word or two.
    candidates = [
        c
        for c in candidates
        if (not c.shown.endswith(":") or c.numbers) and len(c.shown.split()) >= 4
    ]
    # Sub-sections in report order, each with its sub-headings' sentences.
    tree: dict[str, dict[str | None, list[_Candidate]]] = {}
    for candidate in candidates:
        passage = candidate.passage
        tree.setdefault(passage.section, {}).setdefault(passage.subheading, []).append(candidate)
    for subgroups in tree.values():
        for group in subgroups.values():
            group[0].opening = 1.0  # the first sentence under a heading says what it is about
        next(iter(subgroups.values()))[0].opening = 2.0  # and a section's, what it is about

    chosen: list[_Candidate] = []
    seen_words: list[set[str]] = []
    # A block whose sentences all fit is shown whole; a larger one keeps what tells most.
    crowded = used + sum(len(c.line) + 1 for c in candidates) > SUMMARY_TEXT_LIMIT
    if candidates and focus is None:
        # The block's opening sentence says what it is about.
        first = candidates[0]
        tree[first.passage.section][first.passage.subheading].remove(first)
        if used + len(first.line) + 1 <= SUMMARY_TEXT_LIMIT:
            chosen.append(first)
            covered.add(first)
            seen_words.append(set(content_tokens(first.shown)))
            used += len(first.line) + 1
    while any(g for subgroups in tree.values() for g in subgroups.values()):
        # Each round, the best sentence under every heading: first one per sub-section, then
        # the others, the most telling first when the round does not fit whole.
        leads: list[_Candidate] = []
        rest: list[_Candidate] = []
        for subgroups in tree.values():
            picks = []
            for group in subgroups.values():
                if group:
                    best = max(group, key=lambda c: (c.gain(covered, focus), -c.passage.id))
                    group.remove(best)
                    picks.append(best)
            picks.sort(key=lambda c: (-c.gain(covered, focus), c.passage.id))
            leads += picks[:1]
            rest += picks[1:]
        round_ = sorted(leads, key=lambda c: (-c.gain(covered, focus), c.passage.id))
        round_ += sorted(rest, key=lambda c: (-c.gain(covered, focus), c.passage.id))
        for best in round_:
            gain = best.gain(covered, focus)
            minimum = _MIN_GAIN if (chosen or indicator_lines) and crowded else -1e9
            if gain < minimum or used + len(best.line) + 1 > SUMMARY_TEXT_LIMIT:
                continue
            words = set(content_tokens(best.shown))
            if any(len(words & other) >= 0.6 * max(1, len(words | other)) for other in seen_words):
                continue  # the same thing said again
            seen_words.append(words)
            chosen.append(best)
            covered.add(best)
            used += len(best.line) + 1
    chosen.sort(key=lambda c: c.passage.id)
    lines = indicator_lines + [c.line for c in chosen]
    shown_text = fold(" ".join(lines))
    # The names of the block's list or table, but those its sentences already show.
    rest = [n for n in include_names if fold(shorten(n, 60).rstrip("…")) not in shown_text]
    if include_line and rest:
        lines.append(f"• {label}: {shorten('; '.join(rest), include_limit)}")
    if not lines:
        return None  # headings only: nothing to summarise
    figures = [
        number_figure(n, shorten(c.passage.text, 120), lang, c.passage.section)
        for c in chosen
        for n in c.passage.numbers[:2]
    ][:8]
    shown = chosen or [c for c in candidates][:1]
    by_relevance = sorted(shown, key=lambda c: -c.gain(_Covered(), focus))[:4]
    return Answer(
        status="answered",
        text="\n".join([header, *lines]),
        figures=figures,
        sources=[
            source_of(index, c.passage) for c in sorted(by_relevance, key=lambda c: c.passage.id)
        ]
        or [source_of(index, p) for p in passages[:1]],
        intent=intent,
        kind="summary",
        score=1.0,
    )


_MIN_GAIN = 0.9  # a sentence with no figure, name or highlight of its own adds nothing


def _is_prose(passage: Passage) -> bool:
    """A sentence worth quoting: not a heading printed in capitals, not a bare label."""
    if passage.kind != "sentence":
        return False
    text = clean_text(passage.text)
    if len(text) <= 40 and not passage.numbers:
        return False
    return not (text.isupper() and not passage.numbers and len(text) <= 120)


_WORD = re.compile(r"[0-9A-Za-zÁÉÍÓÚÑÜáéíóúñü][0-9A-Za-zÁÉÍÓÚÑÜáéíóúñü-]*")
_CLAUSE_END = re.compile(r"(?<=[,;:·])\s+")


def _names(text: str, casing: dict[str, bool]) -> set[str]:
    """Words that name someone or something (people, places, organisations, programmes,
    acronyms): capitalised inside the sentence's own prose, or, at its start and inside
    stretches in capitals, words the report's prose writes capitalised."""
    words = [m.group() for m in _WORD.finditer(text)]
    found = set()
    for i, word in enumerate(words):
        key = fold(word)
        if len(key) < 3 and not any(ch.isdigit() for ch in key):
            continue
        if i and not _in_capitals(words, i):
            if word[:1].isupper():
                found.add(key)
        elif casing.get(key):
            found.add(key)
    return {name for name in found if content_tokens(name)}


def _in_capitals(words: list[str], i: int) -> bool:
    """A word in capitals next to another: part of a highlight or heading, not an acronym."""
    if not (words[i].isupper() and len(words[i]) > 1):
        return False
    around = [words[j] for j in (i - 1, i + 1) if 0 <= j < len(words)]
    return any(w.isupper() and len(w) > 1 and not w.isdigit() for w in around)


def _name_casing(index: ReportIndex) -> dict[str, bool]:
    """Folded word -> whether the report's prose writes it capitalised, counted only where it
    is not part of a stretch in capitals and not at the start of a sentence. Worked out once
    per index."""
    cached = index.__dict__.get("_summary_casing")
    if cached is not None:
        return cached
    upper: dict[str, int] = {}
    lower: dict[str, int] = {}
    for passage in index.passages:
        words = [m.group() for m in _WORD.finditer(clean_text(passage.text))]
        for i in range(1, len(words)):
            if _in_capitals(words, i):
                continue
            key = fold(words[i])
            counts = upper if words[i][:1].isupper() else lower
            counts[key] = counts.get(key, 0) + 1
    cached = {w: n > lower.get(w, 0) for w, n in upper.items()}
    index.__dict__["_summary_casing"] = cached
    return cached


def _compact(text: str, limit: int, casing: dict[str, bool], figures: list[str]) -> str:
    """The sentence within `limit` characters: whole when it fits, else its first clause and
    the clauses that carry figures or names, the gaps marked with …; when a figure would be
    left out that way, its first words and the words around each figure. Never a cut word."""
    text = clean_text(text)
    if len(text) <= limit:
        return text
    figures = [fold(f) for f in figures if f.strip()]

    def has_figure(clause: str) -> bool:
        folded = fold(clause)
        return bool(re.search(r"\d", clause)) or any(f in folded for f in figures)

    clauses = _CLAUSE_END.split(text)
    if len(clauses) == 1 or len(clauses[0]) > limit - 2:
        return _windows(text, limit, casing, figures)
    weight = [
        2 * has_figure(c) + min(2, len(_names(c, casing))) + (1 if i == 0 else 0)
        for i, c in enumerate(clauses)
    ]
    keep = {0}
    size = len(clauses[0]) + 2
    for i in sorted(range(1, len(clauses)), key=lambda i: (-weight[i], i)):
        if weight[i] == 0:
            break
        if size + len(clauses[i]) + 3 <= limit:
            keep.add(i)
            size += len(clauses[i]) + 3
    if any(has_figure(c) for i, c in enumerate(clauses) if i not in keep):
        return _windows(text, limit, casing, figures)
    # Fill what is left with the clauses that follow the kept ones, in order.
    for i in range(1, len(clauses)):
        if i not in keep and i - 1 in keep and size + len(clauses[i]) + 1 <= limit:
            keep.add(i)
            size += len(clauses[i]) + 1
    out = ""
    previous = -1
    for i in sorted(keep):
        if previous >= 0:
            out = out + " " if i == previous + 1 else out.rstrip(",;: ") + " … "
        out += clauses[i]
        previous = i
    if previous != len(clauses) - 1:
        out = out.rstrip(" ,;:") + "…"
    if len(out) < limit // 2:
        return _windows(text, limit, casing, figures)  # a stub of short clauses says nothing
    return out


def _windows(text: str, limit: int, casing: dict[str, bool], figures: list[str]) -> str:
    """A long sentence within `limit`: its first words and the words around each figure,
    then around each name, the gaps marked with …; whole words only."""
    words = text.split()
    head = 12
    weight = [0 if i < head else _word_weight(w, casing) for i, w in enumerate(words)]
    bare = [w.strip("()[]\"“”'.,;:") for w in words]
    for i in range(head, len(words)):
        # A name in the sentence's prose (not in a stretch of capitals) is worth keeping too.
        around = [bare[j] for j in (i - 1, i + 1) if 0 <= j < len(bare)]
        in_capitals = any(w.isupper() and len(w) > 1 for w in around) and bare[i].isupper()
        if weight[i] == 0 and len(bare[i]) > 1 and bare[i][:1].isupper() and not in_capitals:
            weight[i] = int(bool(_names(bare[i], casing)) or bare[i].isupper())
    folded = [fold(w) for w in words]
    for figure in figures:  # figures written in words ("TRES PREMIOS") too
        parts = figure.split()
        for i in range(head, len(words) - len(parts) + 1):
            if all(folded[i + j].strip(".,;:") == parts[j] for j in range(len(parts))):
                weight[i] = max(weight[i], 2)
    keep = set(range(min(head, len(words))))

    def size(kept: set[int]) -> int:
        gaps = sum(1 for i in kept if i and i - 1 not in kept) + (max(kept) < len(words) - 1)
        return sum(len(words[i]) + 1 for i in kept) + 2 * gaps

    for i in sorted(range(len(words)), key=lambda i: (-weight[i], i)):
        if weight[i] == 0:
            break
        # A figure with the words that say what it counts; a name with its neighbours.
        before, after = (3, 2) if weight[i] >= 2 else (1, 2)
        window = keep | set(range(max(0, i - before), min(len(words), i + after)))
        if len(words) - max(window) <= 7:
            window |= set(range(max(window), len(words)))  # the sentence's last words too
        if size(window) <= limit:
            keep = window
    if max(keep) < head:
        return shorten(text, limit)  # nothing to keep past the opening: its first words
    out: list[str] = []
    for i in sorted(keep):
        if out and i - 1 not in keep:
            out[-1] = out[-1].rstrip(",;:")
            out.append("…")
        out.append(words[i])
    result = " ".join(out)
    if max(keep) < len(words) - 1:
        result = result.rstrip(" ,;:") + "…"
    return result if len(result) <= limit else shorten(text, limit)


def _word_weight(word: str, casing: dict[str, bool]) -> int:
    """How much a word of a long sentence is worth keeping as a figure: 2, a year 1."""
    if re.search(r"\d", word):
        return 1 if re.fullmatch(r"\W*(?:19|20)\d\d\W*", word) else 2
    return 0


class _Covered:
    """Figures and names a summary already shows."""

    def __init__(self) -> None:
        self.numbers: set[tuple[float, str | None]] = set()
        self.names: set[str] = set()
        self.words: set[str] = set()
        self.paragraphs: set[tuple[str, int]] = set()

    def add_numbers(self, numbers: list[Number]) -> None:
        self.numbers.update((round(n.value, 6), n.unit) for n in numbers)

    def add(self, candidate: _Candidate) -> None:
        self.add_numbers(candidate.numbers)
        self.names.update(candidate.names)
        self.words.update(candidate.rare_words)
        self.paragraphs.add((candidate.passage.section, candidate.passage.line))


@dataclass
class _Candidate:
    passage: Passage
    shown: str
    line: str
    numbers: list[Number]
    names: set[str]
    rarity: dict[str, float]
    rare_words: set[str]
    opening: float = 0.0

    @classmethod
    def of(cls, passage: Passage, index: ReportIndex, prefix_section: bool) -> _Candidate:
        cache = index.__dict__.setdefault("_summary_candidates", {})
        parts = cache.get(passage.id)
        if parts is None:
            parts = cache[passage.id] = _candidate_parts(passage, index)
        shown, numbers, names, rarity, rare = parts
        where = f"§{passage.section} " if prefix_section else ""
        return cls(passage, shown, f"• {where}{shown}", numbers, names, rarity, rare)

    def gain(self, covered: _Covered, focus: dict[int, float] | None) -> float:
        new_numbers = {(round(n.value, 6), n.unit) for n in self.numbers} - covered.numbers
        value = 3.0 * len(new_numbers)
        # Names count up to three a sentence: a list of names is not three facts.
        value += min(3.0, sum(self.rarity[n] for n in self.names - covered.names))
        value += min(0.6, 0.15 * len(self.rare_words - covered.words))
        if self.passage.emphasis:
            value += 1.5  # the report's own highlight (bold, capitals)
        value += self.opening
        if not self.opening and self.passage.first_in_paragraph:
            value += 1.0  # a paragraph's topic sentence
        if (self.passage.section, self.passage.line) in covered.paragraphs:
            value -= 2.0  # every paragraph once before a second sentence of one
        if focus is not None:
            value += 4.0 * focus.get(self.passage.id, 0.0) - 1.0
        return value


def _candidate_parts(
    passage: Passage, index: ReportIndex
) -> tuple[str, list[Number], set[str], dict[str, float], set[str]]:
    """What a sentence would show and the facts it carries; the same for every question, so
    worked out once per passage."""
    casing = _name_casing(index)
    shown = _compact(passage.text, SUMMARY_SENTENCE_LIMIT, casing, [n.raw for n in passage.numbers])
    folded = fold(shown)
    numbers = [n for n in passage.numbers if fold(n.raw) in folded]
    names = _names(shown, casing)
    df = _name_frequency(index)
    total = max(1, len(index.passages))
    # A name on every page ("Medellín") tells less than one said in a few places.
    rarity = {n: 1.0 if df.get(n, 0) <= 0.03 * total else 0.3 for n in names}
    # Words used in few places carry what is particular to the sentence ("newsletter").
    rare = {w for w in content_tokens(shown) if index.term_idf(w) >= 0.8 * index.max_idf}
    return shown, numbers, names, rarity, rare


def _name_frequency(index: ReportIndex) -> dict[str, int]:
    """In how many passages each capitalised name occurs (worked out once per index)."""
    cached = index.__dict__.get("_summary_name_df")
    if cached is None:
        counts: dict[str, int] = {}
        for passage in index.passages:
            for name in _names(passage.text, _name_casing(index)):
                counts[name] = counts.get(name, 0) + 1
        cached = counts
        index.__dict__["_summary_name_df"] = cached
    return cached
