"""The intent catalog (knowledge/data/intents.yaml) and the rapidfuzz matcher over its phrasings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from bot.engine.normalize import content_tokens, fold

MATCH_CACHE_SIZE = 20_000
WORD_COLUMN_CACHE_SIZE = 8192  # one float32 per catalog word each
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
    """Scores a question against every catalog phrasing on content words (typos tolerated).

    A phrasing scores by how much of it the question says (each of its words matched by
    rapidfuzz ratio >= 80), damped when the question says much more. All phrasings are scored
    at once: one ratio matrix between catalog words and question words, then a matrix product.
    """

    def __init__(self, intents: tuple[Intent, ...]) -> None:
        self.intents = intents
        self._phrasings = [
            (intent, phrasing, _words(phrasing).split())
            for intent in intents
            for phrasing in intent.patterns
        ]
        self._phrasings = [entry for entry in self._phrasings if entry[2]]
        self._vocabulary = sorted({w for _, _, words in self._phrasings for w in words})
        column = {word: i for i, word in enumerate(self._vocabulary)}
        self._weights = np.zeros((len(self._phrasings), len(self._vocabulary)))
        for row, (_, _, words) in enumerate(self._phrasings):
            for word in words:
                self._weights[row, column[word]] += 1 / len(words)
        self._lengths = np.array([len(words) for _, _, words in self._phrasings], dtype=float)
        self._cache: dict[tuple[str, int], list[IntentMatch]] = {}
        self._columns: dict[str, np.ndarray] = {}

    def match(self, question: str, limit: int = 3) -> list[IntentMatch]:
        """The best intents for a question, best first (one per intent)."""
        key = (question, limit)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._match(question, limit)
            if len(self._cache) < MATCH_CACHE_SIZE:
                self._cache[key] = cached
        return list(cached)

    def _match(self, question: str, limit: int) -> list[IntentMatch]:
        query_words = _words(question).split()
        if not query_words:
            return []
        columns = [self._word_column(word) for word in query_words]
        best_per_word = (columns[0] if len(columns) == 1 else np.maximum.reduce(columns)) / 100
        coverage = self._weights @ best_per_word
        # Penalise questions that say much more than the phrasing (a long specific question
        # that merely contains "eventos" is about one event, not about the events table).
        extra = np.maximum(0, len(query_words) - self._lengths)
        scores = 100 * coverage / (1 + 0.15 * extra)
        best: dict[str, IntentMatch] = {}
        for row in np.argsort(-scores, kind="stable"):
            intent, phrasing, _ = self._phrasings[row]
            if intent.id not in best:
                best[intent.id] = IntentMatch(
                    intent=intent, score=float(scores[row]), phrasing=phrasing
                )
                if len(best) >= limit:
                    break
        return list(best.values())

    def _word_column(self, word: str) -> np.ndarray:
        """One question word's ratio (>= 80, else 0) to every catalog word: a column of the
        ratio matrix, worked out once per word (questions share most of their words)."""
        column = self._columns.get(word)
        if column is None:
            column = process.cdist(
                self._vocabulary, [word], scorer=fuzz.ratio, score_cutoff=80, dtype=np.float32
            )[:, 0]
            if len(self._columns) < WORD_COLUMN_CACHE_SIZE:
                self._columns[word] = column
        return column

    def by_id(self, intent_id: str) -> Intent | None:
        return next((i for i in self.intents if i.id == intent_id), None)


def _words(text: str) -> str:
    """Content words; the plain folded words for texts made only of stop words ("hola")."""
    return " ".join(content_tokens(text)) or fold(text)
