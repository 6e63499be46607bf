"""Curated knowledge the engine uses: synonyms (as query alternatives) and known discrepancies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.normalize import content_tokens, fold


@dataclass(frozen=True)
class DiscrepancySide:
    quote: str
    section: str
    value: str


@dataclass(frozen=True)
class Discrepancy:
    id: str
    keywords: tuple[str, ...]  # folded topic words, Spanish and English
    description_es: str
    description_en: str
    sides: tuple[DiscrepancySide, ...]

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_es

    def topic_words_in(self, folded_text: str) -> int:
        """How many distinct single-word topic keywords the text contains."""
        words = {w.rstrip("s") for w in folded_text.split()}
        return len({k.rstrip("s") for k in self.keywords if " " not in k} & words)

    def matches_question(self, folded_text: str) -> bool:
        """Every word of at least one keyword phrase is in the text (folded)."""
        return _matches(self.keywords, folded_text)


@lru_cache(maxsize=8192)
def _word_sets(folded_text: str) -> tuple[frozenset[str], frozenset[str]]:
    words = frozenset(folded_text.split())
    return words, frozenset(w.rstrip("s") for w in words)


def _matches(keywords: tuple[str, ...], folded_text: str) -> bool:
    words, stems = _word_sets(folded_text)
    for parts in _phrase_parts(keywords):
        if all(p in words or stem in stems for p, stem in parts):
            return True
    return False


@lru_cache(maxsize=64)
def _phrase_parts(keywords: tuple[str, ...]) -> tuple[tuple[tuple[str, str], ...], ...]:
    return tuple(
        tuple((p, p.rstrip("s")) for p in phrase.split()) for phrase in keywords if phrase.split()
    )


@lru_cache(maxsize=1)
def _curated() -> object | None:
    try:
        from knowledge.curated import load_curated
    except ImportError:  # the curated data module lands with the ingest work
        return None
    from bot.errors import IngestError

    try:
        return load_curated()
    except IngestError:
        return None


@lru_cache(maxsize=1)
def load_synonyms() -> dict[str, list[str]]:
    """Query term -> alternative terms (stemmed content tokens), both directions of each entry."""
    curated = _curated()
    if curated is None:
        return {}
    table: dict[str, list[str]] = {}
    for canonical, aliases in curated.synonyms.items():
        group = [canonical, *aliases]
        group_terms = [content_tokens(phrase) for phrase in group]
        flat = [term for terms in group_terms for term in terms]
        singles = [terms[0] for terms in group_terms if len(terms) == 1]
        for terms in group_terms:
            if len(terms) != 1:
                # Each word of a spelled-out name also stands for its abbreviation:
                # "intelligent cities challenge" -> "icc".
                for word in terms:
                    alternatives = table.setdefault(word, [])
                    alternatives.extend(s for s in singles if s not in alternatives and s != word)
                continue
            alternatives = table.setdefault(terms[0], [])
            # An abbreviation stands for every word of its spelled-out name ("ied" ->
            # "inversion extranjera directa"); a plain word only for the other single words.
            raw_member = next((p for p in group if content_tokens(p) == terms), "")
            is_abbreviation = raw_member.isupper() or len(terms[0]) <= 4
            pool = flat if is_abbreviation else singles
            for term in pool:
                if term != terms[0] and term not in alternatives:
                    alternatives.append(term)
    for english, spanish in _glossary().items():
        alternatives = table.setdefault(
            content_tokens(english)[0] if content_tokens(english) else english, []
        )
        for phrase in spanish:
            for term in content_tokens(str(phrase)):
                if term not in alternatives:
                    alternatives.append(term)
    return table


def _glossary() -> dict[str, list[str]]:
    import yaml

    from bot.engine.catalog import DATA_DIR

    path = DATA_DIR / "glossary_en.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["glossary"]


@lru_cache(maxsize=1)
def exclusion_patterns() -> tuple[re.Pattern[str], ...]:
    """Curated patterns of numbers that are not figures (dates, years, names like COVID-19)."""
    curated = _curated()
    if curated is None:
        return ()
    return tuple(e.regex for e in curated.exclusions if e.kind != "date")


@lru_cache(maxsize=1)
def load_discrepancies() -> list[Discrepancy]:
    curated = _curated()
    if curated is None:
        return []
    items = []
    for entry in curated.discrepancies:
        items.append(
            Discrepancy(
                id=entry.id,
                keywords=tuple(fold(k) for k in entry.topic),
                description_es=entry.description_es,
                description_en=entry.description_en,
                sides=tuple(
                    DiscrepancySide(quote=s.quote, section=s.section, value=str(s.value or ""))
                    for s in entry.sides
                ),
            )
        )
    return items
