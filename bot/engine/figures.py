"""Which figure of a passage answers the question: the measure asked and the noun counted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.engine.answer import Answer
from bot.engine.index import Number, Passage
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
from knowledge.ingest.table_roles import money_meanings

if TYPE_CHECKING:
    from bot.engine.core import Engine, Request

MONEY_MEANINGS = money_meanings()


def pick_number(passage: Passage, request: Request) -> Number | None:
    numbers = passage.numbers
    if not numbers:
        return None
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
    number = None if _names_asked(request) else pick_number(passage, request)
    name = row_name(passage)
    lead = ""
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


def sentence_answer(request: Request, hit: Hit, engine: Engine) -> Answer:
    passage = hit.passage
    lang = request.lang
    number = pick_number(passage, request)
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


def _names_asked(request: Request) -> bool:
    """"¿A qué ciudad…?", "¿con quiénes…?": names answer it, not a figure the passage holds."""
    from bot.engine.coverage import asks_for_names

    return request.slots.measure in (None, "quien", "donde") and asks_for_names(
        request.question, request.lang
    )
