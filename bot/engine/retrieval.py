"""Fuzzy, IDF-weighted passage retrieval: which sentence, row or item a question is about."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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
    contributions: dict[int, dict[str, tuple[float, str]]] = defaultdict(dict)
    weights: dict[str, float] = {}
    for term, alternatives in terms:
        own = index.expand_term(term)
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
        for alternative in alternatives:
            found = index.expand_term(alternative)
            found = [(v, sim) for v, sim in found if sim == 1.0] or found
            # A synonym or related word is a weaker match than the word itself.
            expansions.extend((v, sim * SYNONYM_SIMILARITY) for v, sim in found)
        if own:
            best_similarity = max(sim for _, sim in (exact or own))
            weight = max(index.term_idf(v) for v, sim in (exact or own) if sim == best_similarity)
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
            # ("atrajo") should not sink a question whose topic words all match.
            weight *= 0.45
        weights[term] = weight
        for vocab_term, similarity in expansions:
            idf = index.term_idf(vocab_term)
            gain = min(idf, weight) * similarity
            if term in ignore:
                gain = 0.1 * idf * similarity
            for pid in index.postings.get(vocab_term, ()):
                _keep_best(contributions[pid], term, gain, vocab_term)
            for pid in index.context_postings.get(vocab_term, ()):
                _keep_best(contributions[pid], term, gain * CONTEXT_WEIGHT, vocab_term)
    total = sum(weights.values())
    if not total:
        return []
    total = max(total, 1e-9)
    hits: list[Hit] = []
    for pid, per_term in contributions.items():
        passage = index.passages[pid]
        if kinds and passage.kind not in kinds:
            continue
        score = min(1.0, sum(gain for gain, _ in per_term.values()) / total)
        hits.append(
            Hit(
                passage=passage,
                score=score,
                matched={t: v for t, (_, v) in per_term.items()},
                missing=[t for t in weights if t not in per_term],
            )
        )
    hits.sort(key=lambda h: (-h.score, h.passage.id))
    return hits[:limit]


def _keep_best(slot: dict[str, tuple[float, str]], term: str, gain: float, vocab: str) -> None:
    if gain > slot.get(term, (0.0, ""))[0]:
        slot[term] = (gain, vocab)
