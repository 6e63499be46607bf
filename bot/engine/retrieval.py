"""Fuzzy, IDF-weighted passage retrieval: which sentence, row or item a question is about."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.engine.cognates import cognates
from bot.engine.coverage import is_verb_form
from bot.engine.index import Passage, ReportIndex
from bot.engine.normalize import content_tokens

CONTEXT_WEIGHT = 0.5
INFLECTION_SIMILARITY = 0.55
SYNONYM_SIMILARITY = 0.85


@dataclass
class Hit:
    passage: Passage
    score: float  # share of the question's weight the passage covers, 0..1
    matched: dict[str, str] = field(default_factory=dict)  # query term -> passage term
    missing: list[str] = field(default_factory=list)  # query terms it does not cover


def query_terms(question: str, synonyms: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Each content term of the question with the alternative terms it may stand for."""
    terms: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for term in content_tokens(question):
        if term in seen:
            continue
        seen.add(term)
        alternatives = [a for a in synonyms.get(term, []) if a != term]
        terms.append((term, alternatives))
    return terms


def search(
    index: ReportIndex,
    terms: list[tuple[str, list[str]]],
    *,
    limit: int = 8,
    kinds: tuple[str, ...] | None = None,
    ignore: frozenset[str] = frozenset(),
    english: bool = False,
) -> list[Hit]:
    """Top passages by covered question weight. Terms in `ignore` (measure words) weigh less."""
    weights: dict[str, float] = {}
    per_term: list[tuple[str, list[tuple[str, float]], float, bool]] = []
    for term, alternatives in terms:
        if term in ignore:
            alternatives = []  # a question word's "synonyms" ("cuánto" ~ "dinero") add noise
        own = index.expand_term(term)
        if english and not alternatives and not any(sim == 1.0 for _, sim in own):
            # An English word neither the report nor the glossary knows: its Spanish cognates.
            alternatives = cognates(term, index)
        if english and alternatives:
            # An English word the Spanish report happens to use is a name ("COLOMBIA INVESTMENT
            # SUMMIT"); the question means its translation.
            alternatives = [*alternatives, *(v for v, sim in own if sim == 1.0)]
            own = []
        exact = [(v, sim) for v, sim in own if sim == 1.0]
        inflections = [
            (v, INFLECTION_SIMILARITY)
            for v, _ in own
            if v != term and len(term) >= 6 and v[:5] == term[:5] and v.isalpha()
        ]
        # A word the report uses as typed is not a typo: no typo neighbours for it, but its
        # inflections still count ("trabajan" ~ "trabajando").
        if exact:
            expansions: list[tuple[str, float]] = exact + inflections
        elif alternatives:
            # A known synonym or translation beats guessing a typo ("line" is "línea", not "cine").
            expansions = inflections
        else:
            expansions = own
        translated: list[str] = []
        for alternative in alternatives:
            # Curated alternatives are words as the report writes them: no typo guessing.
            if alternative in index.idf and alternative not in translated:
                translated.append(alternative)
                # A synonym or related word is a weaker match than the word itself.
                expansions.append((alternative, SYNONYM_SIMILARITY))
        if own:
            best_similarity = max(sim for _, sim in (exact or own))
            weight = max(index.term_idf(v) for v, sim in (exact or own) if sim == best_similarity)
        elif translated:
            # A word known only through its synonyms weighs as its most common rendering
            # ("investment" as "inversión", not as the rare "INVESTMENT" of an event's name).
            weight = min(index.term_idf(v) for v in translated)
        elif expansions:
            weight = max(index.term_idf(v) for v, _ in expansions)
        else:
            weight = index.max_idf
        if term in ignore:
            # Question words ("cuánto", "valor") steer the measure, not the topic.
            weight = 0.0
        elif not expansions and english:
            # An English word the report (in Spanish) cannot contain says little about topic.
            weight *= 0.3
        elif not expansions:
            # A word the report never uses: counts against the passage, but a verb form
            # ("atrajo", "recogió") should not sink a question whose topic words all match.
            weight *= 0.3 if is_verb_form(term, "es") else 0.45
        weights[term] = weight
        per_term.append((term, expansions, weight, term in ignore))
    total = sum(weights.values())
    if not total:
        return []
    total = max(total, 1e-9)
    # Dense arrays over passages: each term adds its best-matching expansion's gain.
    n = len(index.passages)
    scores = np.zeros(n, dtype=np.float64)
    best_vocab: list[np.ndarray] = []
    for _term, expansions, weight, ignored in per_term:
        term_gain = np.zeros(n, dtype=np.float64)
        chosen = np.full(n, -1, dtype=np.int32)
        for position, (vocab_term, similarity) in enumerate(expansions):
            idf = index.term_idf(vocab_term)
            gain = (0.1 * idf if ignored else min(idf, weight)) * similarity
            own, context = index.term_positions(vocab_term)
            # Only the passages that hold the word are touched (postings are short).
            for where, value in ((context, gain * CONTEXT_WEIGHT), (own, gain)):
                if where.size:
                    better = where[term_gain[where] < value]
                    term_gain[better] = value
                    chosen[better] = position
        scores += term_gain
        best_vocab.append(chosen)
    scores = np.minimum(1.0, scores / total)
    if kinds:
        scores = np.where(index.kind_mask(kinds), scores, 0.0)
    candidates = np.flatnonzero(scores > 0)
    if candidates.size == 0:
        return []
    order = candidates[np.lexsort((candidates, -scores[candidates]))][:limit]
    hits: list[Hit] = []
    for pid in order:
        matched = {}
        for (term, expansions, _, _), chosen in zip(per_term, best_vocab, strict=True):
            if chosen[pid] >= 0:
                matched[term] = expansions[chosen[pid]][0]
        hits.append(
            Hit(
                passage=index.passages[pid],
                score=float(scores[pid]),
                matched=matched,
                missing=[t for t in weights if t not in matched],
            )
        )
    return hits
