"""Which figure of a passage answers the question: the measure asked and the noun counted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.engine.answer import Answer
from bot.engine.attributed import Choice, asked, choose, passage_facts, stem_words
from bot.engine.index import Number, Passage, ReportIndex, clean_text
from bot.engine.normalize import content_tokens, fold, stem
from bot.engine.quoting import (
    FIGURE_TEXT_LIMIT,
    MEASURE_WORDS,
    MONEY_UNITS,
    number_figure,
    shorten,
    source_of,
    title_case,
)
from bot.engine.retrieval import Hit
from bot.engine.rows import indicator_parts, row_name
from bot.texts import say as t
from knowledge.ingest.table_roles import money_meanings
from knowledge.model import ParsedFact

if TYPE_CHECKING:
    from bot.engine.core import Engine, Request

MONEY_MEANINGS = money_meanings()


def pick_number(passage: Passage, request: Request) -> Number | None:
    return pick(passage, request).number


def pick(passage: Passage, request: Request) -> Choice:
    """The figure of the passage that answers: the measure's score of each number, and the
    attributed fact behind it (its clause holds the question's subject, its meaning and kind
    are the ones asked: bot/engine/attributed.py)."""
    numbers = passage.numbers
    if not numbers:
        return Choice(number=None)
    measure = request.slots.measure
    question_terms = set(content_tokens(request.question))

    def score(number: Number) -> float:
        value = 0.0
        unit = number.unit or ""
        meaning = number.meaning or ""  # the column's meaning, read at ingest
        if measure in ("valor", "costo", "presupuesto") and (
            unit in MONEY_UNITS or meaning in MONEY_MEANINGS
        ):
            value += 2
        if measure == "presupuesto" and meaning == "final_budget":
            value += 1
        if measure in ("porcentaje", "ejecucion") and unit == "%":
            value += 2
        if measure == "recaudo" and meaning == "collected":
            value += 2
        if measure == "asistentes" and (meaning == "count" or unit == "personas"):
            value += 2
        if measure == "meta" and meaning == "target":
            value += 2
        if measure == "cantidad" and unit not in MONEY_UNITS and unit != "%":
            value += 1
            if meaning == "count":
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
        # Inflections count too: "¿cuántos organizó…?" is "16 organizados".
        value += 0.5 * min(3, len(_inflected_overlap(following, question_terms)))
        nearest = _words_after(passage.text, number.raw, count=2)
        if unit:
            nearest.add(stem(fold(unit)))
        if noun and _noun_in(noun, nearest):
            value += 2
        return value

    noun = counted_noun(request)
    return choose(
        passage, request, {k: score(n) for k, n in enumerate(numbers)}, noun, fact_counts
    )


_COUNT_CUE = re.compile(r"\b(?:cuantos|cuantas|how many|numero de|cantidad de|number of)\s+(.*)")


def counted_noun(request: Request) -> str | None:
    """What '¿cuántos X…?' counts: the first content word after the cue ("personas")."""
    match = _COUNT_CUE.search(request.folded)
    if not match:
        return None
    words = [w for w in content_tokens(match.group(1)) if w not in _SCALE_WORDS]
    first = next(iter(fold(match.group(1)).split()), "")
    partitive = _PARTITIVE.search(request.folded[: match.start()])
    if words and partitive and request.lang != "en" and _is_verb(first):
        # "De todos los eventos, ¿cuántos organizó la ACI?": the partitive names what is counted.
        return content_tokens(partitive.group(1))[0]
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


def _inflected_overlap(words: set[str], question_terms: set[str]) -> set[str]:
    return {
        w
        for w in words
        if w in question_terms
        or (len(w) >= 6 and any(len(q) >= 6 and q[:6] == w[:6] for q in question_terms))
    }


_PARTITIVE = re.compile(r"\bde (?:todos |todas )?(?:los|las|esos|esas|estos|estas) ([a-z]{4,})\b")


def _is_verb(word: str) -> bool:
    from bot.engine.coverage import is_verb_form

    return is_verb_form(word, "es")


_ENGLISH_AUXILIARIES = frozenset(
    {
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "will",
        "would",
        "have",
        "has",
        "had",
        "can",
        "could",
    }
)


_SCALE_WORDS = frozenset(
    {"mil", "millon", "millone", "billon", "billone", "thousand", "million", "billion"}
)


def noun_matches(noun: str, word: str) -> bool:
    """Does a figure's unit word ("mascarillas") name what "¿cuántos X?" counts?"""
    return _noun_in(noun, set(content_tokens(word)) | {word})


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


def fact_counts(fact: ParsedFact, noun: str) -> bool:
    """Does a fact count what the question counts? A cell's column header or row label says
    it ("NÚMERO DE ASISTENTES", "PQRS"); a figure of a text, its unit word ("476 habitaciones
    de hotel" counts rooms, not hotels) or, with none, the words after it."""
    if fact.unit == "%":
        return False
    if fact.unit and fact.unit not in MONEY_UNITS:
        if _noun_in(noun, {stem(fold(fact.unit))}):
            return True
        if fact.clause_index is not None:
            return False
    if fact.clause_index is None:  # a cell's own figure
        words = set(content_tokens(" ".join(x for x in (fact.counted, fact.subject) if x)))
        return _noun_in(noun, words)
    return _noun_in(noun, _words_after(fact.clause, fact.raw, count=3))


def counts_noun(passage: Passage, noun: str, index: ReportIndex | None = None) -> bool:
    """Does the passage give a figure of what the question counts?"""
    if passage.kind == "row" and index is not None:
        # A cell's figure counts what its column header or the row's label names ("NÚMERO DE
        # ASISTENTES", "PQRS"), not what a descriptive cell of the row mentions ("Medellín
        # como ciudad mentora" under FINALIDAD); a figure inside a text cell, what follows it.
        facts = [f for f in passage_facts(index, passage).facts if f is not None]
        if facts:
            return any(fact_counts(f, noun) for f in facts)
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


_NOT_FIGURES = frozenset({"quien", "donde", "anio", "fecha"})


def row_answer(request: Request, hit: Hit, engine: Engine) -> Answer:
    passage = hit.passage
    lang = request.lang
    indicator = indicator_parts(passage, lang)
    if indicator is not None:
        return Answer(
            status="answered",
            text=f"{indicator.line}\n«{shorten(passage.text, 400)}»",
            figures=[indicator.figure],
            sources=[source_of(request.index, passage)],
            intent="indicator",
            kind="target",
            score=hit.score,
        )
    when = request.slots.measure == "fecha"
    number = None if _names_asked(request) or when else pick_number(passage, request)
    name = row_name(passage)
    lead = ""
    date = next((c.raw for _, c in passage.cells or [] if when and _is_date(c.raw)), None)
    if date:
        lead = f"{clean_text(date)} — {shorten(name, 200)}"  # "¿cuándo fue…?": the date cell
    figures = []
    if number is not None:
        figure = number_figure(
            number, f"{name} — {number.column}" if number.column else name, lang, passage.section
        )
        figures.append(figure)
        lead = f"{figure.display} — {title_case(number.column or '')}: {shorten(name, 200)}"
    quote = shorten(passage.text, FIGURE_TEXT_LIMIT - len(lead) - 10)
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


def not_of_subject(request: Request, passage: Passage, choice: Choice) -> Answer:
    """The question's subject is a clause of the passage with no figure of the asked kind:
    the report does not give it (the figure of the next clause is someone else's)."""
    lang = request.lang
    clause = choice.other_clause
    assert clause is not None
    words = stem_words(request.question, choice.subject_words) or choice.subject_words
    subject = ", ".join(f"«{w}»" for w in words)
    kind = asked(request).kind or "number"
    text = t("not_of_subject", lang, measure=t(f"measure_{kind}", lang), subject=subject)
    quote = shorten(clean_text(clause.text), 220)
    text += "\n" + t("closest", lang, closest=f"«{quote}» (§{passage.section})")
    source = source_of(request.index, passage)
    source.quote = clause.text
    return Answer(
        status="not_found",
        text=text,
        sources=[source],
        intent="not_covered",
        kind="figure",
        notes=[t("missing_terms", lang, missing=subject)],
    )


def sentence_answer(request: Request, hit: Hit, engine: Engine) -> Answer:
    passage = hit.passage
    lang = request.lang
    choice = pick(passage, request)
    if choice.other_clause is not None and request.slots.measure not in _NOT_FIGURES:
        return not_of_subject(request, passage, choice)
    number = choice.number
    counted = number is not None and number.unit not in MONEY_UNITS and number.unit != "%"
    if counted and asked(request).money_named:
        # "¿cuánto dinero…?" answered with "90 ciudades" counts nothing asked.
        label = shorten(passage.text, 80)
        return Answer(
            status="not_found",
            text=t("not_found_measure", lang, topic=label, measure=t("measure_money", lang)),
            sources=[source_of(request.index, passage)],
            intent="not_covered",
            kind="figure",
        )
    figures = []
    lead = ""
    if _names_asked(request):
        number = None
    if number is not None and request.slots.measure not in ("quien", "donde", "anio", "fecha"):
        figure = number_figure(number, shorten(passage.text, 120), lang, passage.section)
        figures.append(figure)
        lead = figure.display
    quote = shorten(
        passage.text, FIGURE_TEXT_LIMIT - len(lead) - 10, around=number.raw if number else None
    )
    text = f"{lead} — «{quote}»" if lead else f"«{quote}»"
    for other in passage.numbers:
        if other is not number and len(figures) < 6:
            figures.append(number_figure(other, shorten(passage.text, 120), lang, passage.section))
    return Answer(
        status="answered",
        text=text,
        figures=figures,
        sources=[source_of(request.index, passage)],
        intent="fact.sentence",
        kind="figure" if lead else "who",
        score=hit.score,
    )


_NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


def _is_date(raw: str) -> bool:
    """A cell that gives a date: it names a month ("14 de noviembre", "28 sept") or is d/m/y."""
    from bot.engine.slots import extract_months

    return bool(_NUMERIC_DATE.search(raw) or extract_months(fold(raw)))


def _names_asked(request: Request) -> bool:
    """"¿A qué ciudad…?", "¿con quiénes…?": names answer it, not a figure the passage holds."""
    from bot.engine.coverage import asks_for_names

    return request.slots.measure in (None, "quien", "donde") and asks_for_names(
        request.question, request.lang
    )
