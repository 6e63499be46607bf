"""Knowledge the engine uses beside the report text: synonyms (as query alternatives) and the
contradictions each report was found to contain at ingest (stored with it, per report).

Synonyms are the shared general-language ones plus the aliases of the overlays written for the
loaded reports; contradictions come only from the stored reports, so a report never shows
another's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.normalize import content_tokens, fold, identity_version
from knowledge.model import ParsedReport


@dataclass(frozen=True)
class DiscrepancySide:
    quote: str
    section: str
    value: str
    line: int | None = None


@dataclass(frozen=True)
class Discrepancy:
    id: str
    keywords: tuple[str, ...]  # folded topic words, Spanish and English
    description_es: str
    description_en: str
    sides: tuple[DiscrepancySide, ...]
    report_id: str = ""

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
    from bot.errors import IngestError
    from knowledge.curated import load_curated

    try:
        return load_curated()
    except IngestError:
        return None


_ACTIVE: dict[str, list[str]] | None = None


def load_synonyms(reports: Sequence[ParsedReport] | None = None) -> dict[str, list[str]]:
    """Query term -> alternative terms (stemmed content tokens), both directions of each entry.

    With `reports`, the aliases of their overlays join the shared synonyms and the result
    becomes the one later calls without arguments get.
    """
    global _ACTIVE
    if reports is None:
        return _ACTIVE if _ACTIVE is not None else _synonym_table((), identity_version())
    from knowledge.overlays import overlay_for

    groups: list[tuple[str, tuple[str, ...]]] = []
    for report in reports:
        groups += report_acronyms(report)  # from its text: "Intelligent Cities Challenge – ICC"
        overlay = overlay_for(report.title)
        if overlay is not None:
            groups += [(k, tuple(v)) for k, v in overlay.synonyms.items()]
    _ACTIVE = _synonym_table(tuple(groups), identity_version())
    return _ACTIVE


@lru_cache(maxsize=8)
def _synonym_table(extra: tuple[tuple[str, tuple[str, ...]], ...],
                   _identity: int = 0) -> dict[str, list[str]]:
    curated = _curated()
    entries = list(curated.synonyms.items()) if curated is not None else []
    entries += [(k, list(v)) for k, v in extra]
    table: dict[str, list[str]] = {}
    for canonical, aliases in entries:
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


def load_discrepancies(reports: Sequence[ParsedReport] = ()) -> list[Discrepancy]:
    """The contradictions stored with each report (found at ingest, or from its overlay)."""
    english = _english_words()
    items = []
    for report in reports:
        for c in report.contradictions:
            words = [fold(k) for k in c.keywords if k.strip()]
            # The same words in English (general glossary), so English questions match too.
            words += [e for w in words for e in english.get(w, ())]
            items.append(
                Discrepancy(
                    id=c.key,
                    keywords=tuple(dict.fromkeys(words)),
                    description_es=c.description_es,
                    description_en=c.description_en,
                    sides=tuple(
                        DiscrepancySide(quote=s.quote, section=s.section, value=s.value,
                                        line=s.line)
                        for s in c.sides
                    ),
                    report_id=report.report_id,
                )
            )
    return items


@lru_cache(maxsize=1)
def _english_words() -> dict[str, tuple[str, ...]]:
    """Folded Spanish word -> the English glossary words rendered by it."""
    out: dict[str, list[str]] = {}
    for english, spanish in _glossary().items():
        for phrase in spanish:
            out.setdefault(fold(str(phrase)), []).append(fold(english))
    return {k: tuple(v) for k, v in out.items()}


def for_report(items: Sequence[Discrepancy], report_id: str | None) -> list[Discrepancy]:
    """The contradictions of one report (all of them when no report is named)."""
    return [d for d in items if report_id is None or d.report_id == report_id]


_JOINING = frozenset({"de", "del", "la", "las", "los", "el", "y", "e", "of", "the", "and", "for",
                      "para", "en", "a"})
_ACRONYM_AFTER = re.compile(r"[\s–—-]+\(?([A-ZÁÉÍÓÚÑ]{2,8})\)?(?![\wÁÉÍÓÚÑáéíóúñ])")


def report_acronyms(report: ParsedReport) -> list[tuple[str, tuple[str, ...]]]:
    """Names the report writes with their acronym right after them ("Intelligent Cities
    Challenge – ICC", "Área Metropolitana del Valle de Aburrá (AMVA)"): the acronym's letters
    are the initials of the name's words (joining words may be skipped)."""
    from knowledge.text import clean

    found: dict[str, str] = {}
    for line in report.lines:
        text = clean(line)
        for m in _ACRONYM_AFTER.finditer(text):
            acronym = m.group(1)
            if acronym in found or text[:m.start()].isupper():
                continue
            words = re.findall(r"[\wÁÉÍÓÚÑáéíóúñ]+", text[:m.start()])[-12:]
            name = _name_for(acronym, words)
            if name:
                found[acronym] = name
    return [(name, (acronym,)) for acronym, name in found.items()]


def _name_for(acronym: str, words: list[str]) -> str | None:
    """The shortest run of words ending at the acronym whose initials spell it."""
    letters = fold(acronym)
    for start in range(len(words) - 1, -1, -1):
        run = words[start:]
        if not run[0][:1].isupper():
            continue
        initials = "".join(fold(w)[:1] for w in run if fold(w) not in _JOINING)
        if initials == letters and len(run) >= 2:
            return " ".join(run)
        if len(initials) > len(letters):
            return None
    return None
