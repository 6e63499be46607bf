"""The last check before an answer leaves the engine: its evidence covers the question.

An answer built by any operator (a figure, a row, a list, a filter) names the passages it rests
on in its sources. When a salient term of the question (bot/engine/coverage.py) appears neither
in those passages, nor in their headings, section or table titles, the answer is about something
else, and it becomes `not_found`: the reply names what the report does not say and offers, as
the closest thing it does say, what the rejected answer held.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.engine.answer import Answer, Source
from bot.engine.coverage import (
    Term,
    asks_quantity,
    cited_numbers,
    continues_previous,
    evidence_terms,
    joint_members,
    missing_terms,
    salient_terms,
)
from bot.engine.normalize import content_tokens, fold
from bot.texts import say as t
from knowledge.numbers import find_numbers
from knowledge.text import shorten

if TYPE_CHECKING:
    from bot.engine.core import Request
    from bot.engine.index import Passage, ReportIndex

# Answers that are not a figure or a fact drawn from a passage: nothing to check.
UNCHECKED_KINDS = frozenset({"summary", "help", "source", "section"})
# Answers whose count is the rows or items they list.
COUNTING_KINDS = frozenset({"list", "filter", "target"})
CLOSEST_CHARS = 220
# How many sentences back a chain of sentences that point back may reach.
CONTEXT_CHAIN = 6


def gate_answer(answer: Answer, request: Request, synonyms: dict[str, list[str]]) -> Answer:
    """The answer, or a `not_found` naming the salient terms its evidence does not cover."""
    if answer.status != "answered" or not answer.sources or answer.kind == "help":
        return answer
    kind = answer.kind or ""
    counting = kind in COUNTING_KINDS or answer.intent == "discrepancy"
    if asks_quantity(request.question) and not answer.figures and not counting:
        # "¿Cuánta gente asistió…?" answered with a row that has no attendance, a passage, or
        # a summary: the report does not give that figure.
        return _not_covered(answer, [], request.lang, figure=True)
    if kind in UNCHECKED_KINDS:
        return answer
    if _count_answered_with_money(answer, request):
        # "¿Cuántos empleados…?" answered with a peso amount counts nothing asked.
        return _not_covered(answer, [], request.lang, figure=True)
    if _money_answered_otherwise(answer, request) or _other_thing_counted(answer, request):
        # "¿Cuánta plata puso…?" answered with "500 personas"; "¿cuántas mascarillas donó
        # Seúl?" answered with Seúl's "3.000 trajes": the figure is not of what was asked.
        return _not_covered(answer, [], request.lang, figure=True)
    from bot.engine.quoting import MEASURE_WORDS

    index = request.index
    terms = salient_terms(request.question, index, synonyms, MEASURE_WORDS, request.lang)
    texts = _evidence_texts(answer, request)
    evidence = evidence_terms(texts)
    missing = missing_terms(terms, evidence, index, request.lang)
    folded_evidence = " ".join(fold(text) for text in texts)
    years = set(request.slots.years)
    evidence_values: set[float] | None = None
    for number in cited_numbers(request.question, years):
        if re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", folded_evidence):
            continue
        if evidence_values is None:
            evidence_values = _values(" ".join(texts))  # read only when a number needs it
        if _values_of_cited(request.question, number) & evidence_values:
            continue  # "423 millones" is the report's "$423.000.000"
        missing.append(Term(stem=number, word=number))
    if not missing:
        elsewhere = _subject_elsewhere(answer, request, evidence)
        if elsewhere is not None:
            return elsewhere
        return _joint_figure(answer, request, terms)
    return _not_covered(answer, missing, request.lang)


def _subject_elsewhere(answer: Answer, request: Request, evidence: frozenset[str]) -> Answer | None:
    """A figure whose evidence lacks a subject word the report names only where it gives no
    figure of the asked kind (bot/engine/attributed.py): not_found naming it."""
    if answer.kind != "figure" or not answer.figures or answer.intent not in _FACT_INTENTS:
        return None
    from bot.engine.attributed import subject_elsewhere
    from bot.engine.figures import counted_noun, fact_counts

    found = subject_elsewhere(request, evidence, counted_noun(request), fact_counts)
    if found is None:
        return None
    lang = request.lang
    kind = "number"
    from bot.engine.attributed import asked

    kind = asked(request).kind or kind
    subject = ", ".join(f"«{w}»" for w in found.words)
    text = t("not_of_subject", lang, measure=t(f"measure_{kind}", lang), subject=subject)
    quote = found.quote if len(found.quote) <= CLOSEST_CHARS else (
        found.quote[:CLOSEST_CHARS].rsplit(" ", 1)[0] + "…")
    text += "\n" + t("closest", lang, closest=f"«{quote}» (§{found.section})")
    return Answer(
        status="not_found",
        text=text,
        sources=[Source(section=found.section, title="", quote=found.quote)],
        intent="not_covered",
        kind=answer.kind,
        lang=answer.lang,
        notes=[t("missing_terms", lang, missing=subject)],
    )


_FACT_INTENTS = frozenset({"fact.sentence", "fact.row"})


def _joint_figure(answer: Answer, request: Request, terms: list[Term]) -> Answer:
    """"¿Cuánto aportó Globant a la Donatón?" answered with the Donatón's total, which the
    report gives for Globant and three others together: the member's share is not said."""
    if not answer.figures or answer.kind != "figure" or not asks_quantity(request.question):
        return answer
    quote = answer.sources[0].quote if answer.sources else ""
    folded_question = fold(request.question)
    for term in terms:
        members = joint_members(quote, term.word)
        if not members:
            continue
        asked = set(folded_question.split())
        named = [m for m in members if set(fold(m).split()) & asked]
        if len(named) == len(members):
            continue  # the question asks about all the members together
        lang = request.lang
        text = t(
            "joint_figure",
            lang,
            members=", ".join(members),
            figure=answer.figures[0].display,
            member=next((m for m in members if term.word in fold(m).split()), term.word),
        )
        return Answer(
            status="not_found",
            text=text + "\n" + t("closest", lang, closest=_closest(answer)),
            sources=answer.sources[:1],
            intent="joint_figure",
            kind=answer.kind,
            lang=answer.lang,
            notes=[t("missing_terms", lang, missing=f"«{term.word}»")],
        )
    return answer


def _evidence_texts(answer: Answer, request: Request) -> list[str]:
    """What the answer rests on: quotes, titles, figure labels, and each quoted passage's own
    context in the index (its heading, sub-heading, table title, the sentence before it)."""
    index = request.index
    texts: list[str] = []
    for source in answer.sources:
        texts += [source.quote, source.title]
        section = index.sections.get(source.section)
        if section is not None:
            texts.append(section.title)
            if section.parent and section.parent in index.sections:
                texts.append(index.sections[section.parent].title)
        for passage in index.passages_at(source.line):
            texts.append(passage.text)
            if passage.subheading:
                texts.append(passage.subheading)
            if passage.table_key and passage.table_key in index.tables:
                table = index.tables[passage.table_key]
                texts += [table.title, " ".join(table.header)]
            texts.append(" ".join(passage.context_terms))
            # A sentence that points back ("Esta compañía…") is about what the one before named.
            texts += _context_chain(index, passage)
    texts += [figure.label for figure in answer.figures]
    # Lists, rows and filters are written from the rows and items they hold.
    texts.append(answer.text)
    return texts


_NOT_COUNTS = frozenset({"COP", "USD", "%"})
_SCALE_FACTORS = {"mil": 1e3, "millones": 1e6, "MM": 1e6, "billones": 1e12}


def _values(text: str) -> set[float]:
    """Every figure of the text as a plain value, its scale applied ("$189 millones" 189e6)."""
    out: set[float] = set()
    for number in find_numbers(text):
        out.add(round(number.value, 6))
        out.add(round(number.value * _SCALE_FACTORS.get(number.scale or "", 1.0), 6))
    return out


def _values_of_cited(question: str, raw: str) -> set[float]:
    return {
        v
        for number in find_numbers(question)
        if fold(number.raw).startswith(raw) or raw in fold(number.raw)
        for v in (round(number.value, 6), round(
            number.value * _SCALE_FACTORS.get(number.scale or "", 1.0), 6))
    }


def _count_answered_with_money(answer: Answer, request: Request) -> bool:
    from bot.engine.figures import counted_noun

    if not answer.figures or answer.figures[0].unit not in _NOT_COUNTS:
        return False
    noun = counted_noun(request)
    return bool(noun) and request.slots.measure not in {"costo", "valor", "porcentaje"}


# "¿Cuánta plata…?", "how much money…": money asked in so many words, right after the cue.
_MONEY_ASKED = re.compile(
    r"\b(?:cuanta|cuanto|cuantos|how much|how many)\s+(?:plata|dinero|pesos|dolares|money|"
    r"dollars)\b|\bcuanto (?:cuesta|costo|costaron|vale|valio)\b|\bhow much did .{0,40}\bcost\b"
)
_QUANTITY_CUES = re.compile(r"\b(?:cuant[oa]s?|how much|how many|que porcentaje)\b")


def _money_answered_otherwise(answer: Answer, request: Request) -> bool:
    """The question asks for money in so many words, and nothing else, and the figure is not an
    amount."""
    if not answer.figures or answer.kind != "figure":
        return False
    folded = fold(request.question)
    if len(_QUANTITY_CUES.findall(folded)) != 1 or not _MONEY_ASKED.search(folded):
        return False
    return answer.figures[0].unit not in ("COP", "USD")


def _other_thing_counted(answer: Answer, request: Request) -> bool:
    """"¿Cuántas X…?" answered from a passage none of whose figures counts X (the lead one
    counts something the passage names otherwise: "3.000 trajes" for mascarillas)."""
    from bot.engine.figures import counted_noun, noun_matches

    if not answer.figures or answer.kind != "figure" or request.lang == "en":
        return False
    if len(_QUANTITY_CUES.findall(fold(request.question))) != 1:
        return False
    noun = counted_noun(request)
    units = [fold(f.unit or "") for f in answer.figures]
    if not noun or not units[0] or not units[0].isalpha() or answer.figures[0].unit in _NOT_COUNTS:
        return False
    return not any(u and u.isalpha() and noun_matches(noun, u) for u in units)


def _context_chain(index: ReportIndex, passage: Passage) -> list[str]:
    """The sentences a sentence goes on from: the earlier ones of its paragraph, and the
    paragraph before when its paragraph opens by pointing back or on a thing that paragraph
    named. A highlight box stands alone."""
    out: list[str] = []
    current = passage
    for _ in range(CONTEXT_CHAIN):
        if current.emphasis and current.first_in_paragraph:
            break
        earlier = index.preceding(current)
        if earlier is None:
            break
        if earlier.line != current.line:
            paragraph = " ".join(p.text for p in index.passages_at(earlier.line))
            if not _continues(current.text, paragraph):
                break
        out.append(earlier.text)
        current = earlier
    return out


def _continues(sentence: str, previous: str) -> bool:
    """A sentence points back ("Esta compañía…") or opens on a thing the previous one named
    ("…el Mayors Migration Council. La subvención fue…" after "…una subvención…")."""
    if continues_previous(sentence):
        return True
    opening = content_tokens(sentence)[:2]
    return bool(set(opening) & set(content_tokens(previous)))


def _not_covered(answer: Answer, missing: list[Term], lang: str, figure: bool = False) -> Answer:
    words = ", ".join(f"«{term.word}»" for term in missing)
    closest = _closest(answer)
    text = t("no_figure", lang) if figure else t("not_covered", lang, missing=words)
    if closest:
        text += "\n" + t("closest", lang, closest=closest)
    return Answer(
        status="not_found",
        text=text,
        sources=answer.sources[:1],
        intent="not_covered",
        kind=answer.kind,
        lang=answer.lang,
        notes=[t("missing_terms", lang, missing=words)] if missing else [],
    )


def _closest(answer: Answer) -> str:
    source = answer.sources[0]
    return f"«{shorten(source.quote, CLOSEST_CHARS)}» (§{source.section})"
