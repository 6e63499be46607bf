"""Queries over a report's passages, tables and enumerations, each returning an `Answer`.

Every figure an answer states comes from a report cell or sentence (quoted in `sources`), or is
computed from them and says so (`Figure.computed`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.engine.answer import Answer, Source
from bot.engine.coverage import (
    asked_types,
    asks_for_names,
    is_verb_form,
    name_list,
    plural_names_asked,
)
from bot.engine.curated import for_report
from bot.engine.figures import counted_noun, counts_noun, row_answer, sentence_answer
from bot.engine.index import WORD_CASING, Passage, ReportIndex
from bot.engine.normalize import content_tokens, fold, identity_version, stem
from bot.engine.quoting import MEASURE_WORDS, MONEY_UNITS, shorten, source_of, title_case
from bot.engine.retrieval import Hit, query_terms, search
from bot.engine.rows import row_name
from bot.engine.slots import extract_months
from bot.texts import say as t
from knowledge.ingest.table_roles import money_meanings

if TYPE_CHECKING:
    from bot.engine.catalog import IntentMatch
    from bot.engine.core import Engine, Request

ANSWER_THRESHOLD = 0.46
RARE_TERM_IDF = 0.8  # share of the largest IDF above which a word names something specific


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
        title = shorten(title_case(passage.section_title), 36)
        labels.append(
            f"Resumen de §{passage.section} {title}"
            if lang == "es"
            else f"Summary of §{passage.section} {title}"
        )
    known = set(engine.topics(lang))  # the catalog's topics this report has
    for match in engine.matcher.match(request.question, limit=6):
        handler = match.intent.handler
        if (
            handler not in ("help", "summary", "discrepancies")
            and match.score >= 50
            and (match.intent.label(lang) in known)
        ):
            labels.append(match.intent.label(lang))
    unique: list[str] = []
    for label in labels:
        if label not in unique:
            unique.append(label)
    return unique[:3] or engine.topics(lang)[:3]


# ---------------------------------------------------------------------------- summaries


# ---------------------------------------------------------------------------- enumerations


# ---------------------------------------------------------------------------- retrieval


MONEY_MEANINGS = money_meanings()
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
    if _names_asked_and_missed(top, request):
        return _not_found(request, engine)
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
        elif not passage.years and not extract_months(fold(passage.text)):
            # "¿Para cuándo estará lista…?" answered by a passage with no date at all.
            return _not_found(request, engine, topic=passage, measure="date")
    if measure == "poblacion" and not _fits_measure(passage, measure):
        return _not_found(request, engine, topic=passage, measure="number")
    noun = counted_noun(request)
    if noun and not counts_noun(passage, noun, request.index):
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
        found = next(
            (p for p in following + candidates if counts_noun(p, noun, request.index)), None
        )
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
        answer.text += f"\n{also}: «{shorten(extra.text, 300)}»"
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
        return shorten(row_name(passage), 40)
    return shorten(title_case(passage.section_title), 40)


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
                f"• §{side.section} {t('says', lang)}: «{shorten(side.quote, 240)}»"
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
    several_names = measure in (None, "quien", "donde") and plural_names_asked(
        request.question, request.lang
    )
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
            n.meaning == "count" or n.unit == "personas" for n in passage.numbers
        ):
            bonus += 0.05
        if measure == "meta":
            if passage.kind == "row" and passage.table_role == "indicators":
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
        if passage.kind == "row" and passage.table_role == "indicators":
            bonus += 0.03
        if request.anchor is not None and any(
            n.value is not None and abs(n.value - request.anchor) < 1e-9 for n in passage.numbers
        ):
            bonus += 0.1  # "¿y la meta?" is about the figure just given
        if passage.kind == "sentence" and len(passage.terms) > 24:
            # A long sentence matches many words by chance (BM25's length normalisation).
            bonus -= 0.03 * math.log2(len(passage.terms) / 24)
        if request.slots.wants_total and passage.total:
            bonus += 0.08  # "el total de gastos": the table's total row
        if request.slots.wants_total and len(passage.numbers) >= 3:
            bonus += 0.05  # "¿cuántos en total?": the sentence that gives the breakdown
        if passage.emphasis and passage.numbers:
            # A broad question ("¿cuánta inversión?") means the report's headline figure.
            bonus += 0.06 if broad else 0.02
        if several_names and passage.kind == "sentence" and name_list(passage.text):
            bonus += 0.1  # "¿de qué países…?": the sentence that lists them
        bonus += _section_named_bonus(request, passage, set(hit.matched.values()))
        reranked.append(
            Hit(passage=passage, score=hit.score + bonus, matched=hit.matched, missing=hit.missing)
        )
    reranked.sort(key=lambda h: (-h.score, h.passage.id))
    return reranked


def _names_asked_and_missed(top: Hit, request: Request) -> bool:
    """"¿Quién ganó el mundial de fútbol?": a question that asks for a name and says what about
    in a word or two is not answered by a passage that lacks one of those words, though the
    report uses it elsewhere (a name from the wrong passage would be made up)."""
    if request.slots.measure not in (None, "quien", "donde"):
        return False
    if not asks_for_names(request.question, request.lang):
        return False
    index = request.index
    kinds = set(content_tokens(" ".join(asked_types(request.question, request.lang))))
    topic = [
        term
        for word in fold(request.question).split()
        for term in content_tokens(word)[:1]
        if term not in MEASURE_WORDS and term not in kinds and not is_verb_form(word, request.lang)
    ]
    if not topic or len(topic) > 2:
        return False
    return any(t in top.missing and index.expand_term(t) for t in topic)


def _is_name(term: str) -> bool:
    """A word the report's prose writes capitalised: a place or an organisation ("Bogotá")."""
    written = WORD_CASING.get(term)
    return bool(written) and written[:1].isupper()


def _row_named(passage: Passage, request: Request) -> bool:
    name_words = content_tokens(row_name(passage))
    if not name_words or len(name_words) > 6:
        return False
    question_words = content_tokens(request.question)
    return all(_close_word(w, question_words) for w in name_words)


def _unit_named(passage: Passage, request: Request) -> bool:
    """A figure whose unit the question names: '¿cuántas ciudades…?' and '90 ciudades'."""
    words = _question_words_and_synonyms(request.question)
    for number in passage.numbers:
        unit = _unit_stem(number.unit) if number.unit else ""
        if unit and _close_word(unit, words):
            return True
    return False


@lru_cache(maxsize=4096)
def _unit_stem(unit: str) -> str:
    return stem(fold(unit))


def _close_word(word: str, words: Collection[str]) -> bool:
    """Is any of the words the same as this one but for a typo (ratio ≥ 85)? One C call."""
    return process.extractOne(word, words, scorer=fuzz.ratio, score_cutoff=85) is not None


def _question_words_and_synonyms(question: str) -> frozenset[str]:
    return _words_and_synonyms(question, identity_version())


@lru_cache(maxsize=4096)
def _words_and_synonyms(question: str, _identity: int) -> frozenset[str]:
    from bot.engine.curated import load_synonyms

    synonyms = load_synonyms()
    words = set(content_tokens(question))
    for word in list(words):
        words.update(synonyms.get(word, []))
    return frozenset(words)


def _section_named_bonus(request: Request, passage: Passage, matched: set[str]) -> float:
    """'según el resumen ejecutivo…': the question names the section to look in."""
    title_terms = _term_set(passage.section_title)
    if len(title_terms) >= 2 and title_terms <= _term_set(request.question) | matched:
        return 0.08
    return 0.0


def _term_set(text: str) -> frozenset[str]:
    return _term_set_of(text, identity_version())


@lru_cache(maxsize=8192)
def _term_set_of(text: str, _identity: int) -> frozenset[str]:
    return frozenset(content_tokens(text))


def _has_money(passage: Passage) -> bool:
    return any(
        n.unit in MONEY_UNITS or n.meaning in MONEY_MEANINGS for n in passage.numbers
    )


def _different_topic(a: Hit, b: Hit) -> bool:
    return a.passage.section != b.passage.section or a.passage.table_key != b.passage.table_key


def _not_found(
    request: Request, engine: Engine, topic: Passage | None = None, measure: str | None = None
) -> Answer:
    lang = request.lang
    if topic is not None and measure:
        label = shorten(row_name(topic) if topic.kind == "row" else topic.text, 80)
        text = t("not_found_measure", lang, topic=label, measure=t(f"measure_{measure}", lang))
    else:
        text = t("not_found", lang)
    suggestions = suggestions_for(request, engine, lang)
    text += "\n" + t("suggest_intro", lang) + " " + "; ".join(suggestions)
    return Answer(
        status="not_found", text=text, suggestions=suggestions, intent="unknown", score=0.0
    )


def search_answer(request: Request, engine: Engine, limit: int = 5) -> Answer:
    """Top passages for free text (the /buscar command): quotes with their sections."""
    terms = query_terms(request.question, engine.synonyms)
    hits = [h for h in search(request.index, terms, limit=limit) if h.score >= 0.3]
    if not hits:
        return _not_found(request, engine)
    lines = [f"• §{h.passage.section}: «{shorten(h.passage.text, 260)}»" for h in hits]
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
    return title_case(section.title) if section else ""


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
            f"§{side.section} {t('says', request.lang)}: «{shorten(side.quote, 160)}»"
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
