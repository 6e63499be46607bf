"""English words read as their Spanish cognates in the report (knowledge/data/cognates_en_es.yaml).

"Which Peruvian health group…" asks about "peruano"; the glossary cannot list every such word,
but general rewrite rules of endings and spellings, checked against the report's own vocabulary
by a small edit distance, find it. Only words the report uses come out, so nothing is invented.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.engine.index import ReportIndex

DATA = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "cognates_en_es.yaml"
MIN_LENGTH = 5
CACHE_SIZE = 4096


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    endings = tuple((a, b) for a, b in data["endings"])
    spellings = tuple((a, b) for a, b in data["spellings"])
    return endings, spellings


def rewrites(word: str) -> list[str]:
    """Spanish-looking forms of an English word (folded): its ending, then its spellings."""
    endings, spellings = _rules()
    forms = {word}
    for old, new in endings:
        if word.endswith(old) and len(word) - len(old) >= 3:
            forms.add(word[: -len(old)] + new)
            break
    for form in list(forms):
        spelled = form
        for old, new in spellings:
            spelled = spelled.replace(old, new)
        forms.add(spelled)
    return sorted(forms)


def cognates(term: str, index: ReportIndex) -> list[str]:
    """Words of the report that an English term is a cognate of (empty when none is close)."""
    if len(term) < MIN_LENGTH or not term.isalpha():
        return []
    cache: dict[str, list[str]] = index.__dict__.setdefault("_cognates", {})
    found = cache.get(term)
    if found is None:
        found = []
        for form in rewrites(term):
            if form == term:
                continue  # no rule applies: an English word, not a cognate
            allowed = 1 if len(form) <= 8 else 2
            nearby = index.typo_pool(form, allowed, allowed)  # the words in reach, in order
            for word, _distance, _ in process.extract(
                form, nearby, scorer=OSA.distance, score_cutoff=allowed, limit=3
            ):
                if word != term and word not in found and word[:2] == form[:2]:
                    found.append(word)
        if len(cache) < CACHE_SIZE:
            cache[term] = found
    return found
