"""The intent catalog (knowledge/data/intents.yaml) and the rapidfuzz matcher over its phrasings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.engine.normalize import content_tokens, fold

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge" / "data"


@dataclass(frozen=True)
class Intent:
    id: str
    handler: str
    targets: tuple[str, ...]
    label_es: str
    label_en: str
    phrasings: tuple[str, ...]  # example questions
    aliases: tuple[str, ...] = ()  # the topic's short names

    @property
    def patterns(self) -> tuple[str, ...]:
        return self.aliases + self.phrasings

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_es


@dataclass(frozen=True)
class IntentMatch:
    intent: Intent
    score: float  # 0..100
    phrasing: str


@lru_cache(maxsize=4)
def load_catalog(path: Path = DATA_DIR / "intents.yaml") -> tuple[Intent, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    intents = []
    for entry in data["intents"]:
        target = entry.get("target")
        targets = tuple(target) if isinstance(target, list) else ((target,) if target else ())
        phrasings = tuple(entry["phrasings"].get("es", []) + entry["phrasings"].get("en", []))
        aliases_data = entry.get("aliases") or {}
        aliases = tuple(aliases_data.get("es", []) + aliases_data.get("en", []))
        intents.append(
            Intent(
                id=entry["id"],
                handler=entry["handler"],
                targets=tuple(str(t) for t in targets),
                label_es=entry["label"]["es"],
                label_en=entry["label"]["en"],
                phrasings=phrasings,
                aliases=aliases,
            )
        )
    return tuple(intents)


class IntentMatcher:
    """Scores a question against every catalog phrasing on content words (typos tolerated)."""

    def __init__(self, intents: tuple[Intent, ...]) -> None:
        self.intents = intents
        self._phrasings = [
            (intent, phrasing, _words(phrasing))
            for intent in intents
            for phrasing in intent.patterns
        ]

    def match(self, question: str, limit: int = 3) -> list[IntentMatch]:
        query = _words(question)
        if not query:
            return []
        best: dict[str, IntentMatch] = {}
        for intent, phrasing, folded in self._phrasings:
            if not folded:
                continue
            score = _phrase_score(query, folded)
            if score > (best[intent.id].score if intent.id in best else -1):
                best[intent.id] = IntentMatch(intent=intent, score=score, phrasing=phrasing)
        ranked = sorted(best.values(), key=lambda m: -m.score)
        return ranked[:limit]

    def by_id(self, intent_id: str) -> Intent | None:
        return next((i for i in self.intents if i.id == intent_id), None)


def _words(text: str) -> str:
    """Content words; the plain folded words for texts made only of stop words ("hola")."""
    return " ".join(content_tokens(text)) or fold(text)


def _phrase_score(query: str, phrasing: str) -> float:
    """How much of the phrasing the question says: all of a phrasing's words weigh, not a subset."""
    phrasing_words = phrasing.split()
    query_words = query.split()
    found = 0.0
    for word in phrasing_words:
        best = max((fuzz.ratio(word, q) for q in query_words), default=0.0)
        if best >= 80:
            found += best / 100
    coverage = found / len(phrasing_words)
    # Penalise questions that say much more than the phrasing (a long specific question that
    # merely contains "eventos" is about one event, not about the events table).
    extra = max(0, len(query_words) - len(phrasing_words))
    return 100 * coverage * (1 / (1 + 0.15 * extra))
