"""The engine's fast look-ups give what the plain computation they replace gives.

Each speed-up (letter-count pools for typo search, a translate table for accents, set tests for
keyword phrases, per-word ratio columns for intents, simplemma's low-memory backend) must not
change a result: every test here compares it with the straightforward version on many inputs.
"""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import simplemma
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.engine import lemmas
from bot.engine.catalog import IntentMatcher, _words, load_catalog
from bot.engine.curated import _matches
from bot.engine.normalize import fold
from knowledge.text import strip_marks

LETTERS = "abcdefghijklmnopqrstuvwxyzñ"


def _variants(words: list[str], seed: int, per_word: int = 2) -> list[str]:
    """Typos of report words: a letter dropped, changed, added or swapped; and compounds."""
    rng = random.Random(seed)
    out: set[str] = set()
    for word in words:
        for _ in range(per_word):
            i = rng.randrange(len(word))
            op = rng.randrange(4)
            if op == 0:
                out.add(word[:i] + word[i + 1 :])
            elif op == 1:
                out.add(word[:i] + rng.choice(LETTERS) + word[i + 1 :])
            elif op == 2:
                out.add(word[:i] + rng.choice(LETTERS) + word[i:])
            else:
                out.add(word[:i] + word[i + 1 : i + 2] + word[i : i + 1] + word[i + 2 :])
        out.update({word + "es", "x" + word, word + word[:3]})
    return sorted(w for w in out if w)


def test_typo_pool_finds_what_the_whole_length_window_finds(answer_engine) -> None:
    index = next(iter(answer_engine.indexes.values()))
    words = random.Random(1).sample(index.vocabulary, 400)
    checked = 0
    for term in _variants(words, seed=2):
        if len(term) <= 3:
            continue
        edits = 1 if len(term) <= 7 else 2
        spread = 0 if len(term) <= 5 else edits
        window = [
            w
            for length in range(len(term) - spread, len(term) + spread + 1)
            for w in index.by_length.get(length, ())
        ]
        pool = index.typo_pool(term, spread, edits)
        assert set(pool) <= set(window)
        full = process.extract(term, window, scorer=OSA.distance, score_cutoff=edits, limit=8)
        fast = process.extract(term, pool, scorer=OSA.distance, score_cutoff=edits, limit=8)
        assert [m[:2] for m in fast] == [m[:2] for m in full], term
        checked += bool(full)
    assert checked > 100  # the typos do find words: the comparison is not vacuous


def test_partial_pool_finds_what_the_whole_vocabulary_finds(answer_engine) -> None:
    index = next(iter(answer_engine.indexes.values()))
    words = [w for w in random.Random(3).sample(index.vocabulary, 120) if len(w) >= 5]
    found = 0
    for term in _variants(words, seed=4, per_word=1):
        if len(term) < 6:
            continue
        pool = index._partial_pool(term)
        full = process.extract(
            term, index.vocabulary, scorer=fuzz.partial_ratio, score_cutoff=92, limit=2
        )
        fast = process.extract(term, pool, scorer=fuzz.partial_ratio, score_cutoff=92, limit=2)
        assert [m[:2] for m in fast] == [m[:2] for m in full], term
        found += bool(full)
    assert found > 20


def test_strip_marks_drops_exactly_the_combining_marks() -> None:
    rng = random.Random(5)
    samples = ["Medellín, Área Metropolitana, cooperación, m²", "plain ascii", ""]
    samples += ["".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(40)) for _ in range(500)]
    for text in samples:
        decomposed = unicodedata.normalize("NFKD", text)
        expected = "".join(c for c in decomposed if not unicodedata.combining(c))
        assert strip_marks(decomposed) == expected


def _matches_plainly(keywords: tuple[str, ...], folded_text: str) -> bool:
    words = set(folded_text.split())
    stems = {w.rstrip("s") for w in words}
    return any(
        all(p in words or p.rstrip("s") in stems for p in phrase.split())
        for phrase in keywords
        if phrase.split()
    )


def test_keyword_phrases_match_as_word_by_word() -> None:
    rng = random.Random(6)
    vocabulary = ["contratos", "contrato", "premio", "premios", "red", "redes", "s", "ss", "c40"]
    for _ in range(2000):
        keywords = tuple(
            " ".join(rng.sample(vocabulary, rng.randint(1, 3))) for _ in range(rng.randint(1, 4))
        )
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 6)))
        assert _matches(keywords, text) == _matches_plainly(keywords, text), (keywords, text)


def test_intent_scores_equal_the_whole_ratio_matrix() -> None:
    matcher = IntentMatcher(load_catalog())
    questions = [
        "cuantos eventos hubo en noviembre", "presupuesto de gastos", "which networks does ACI",
        "resumen del banco de proyectos", "hola", "indicadores de inversion y sus metas",
    ]
    for question in questions:
        query = _words(question).split()
        matrix = process.cdist(
            matcher._vocabulary, query, scorer=fuzz.ratio, score_cutoff=80, dtype=np.float32
        )
        columns = [matcher._word_column(word) for word in query]
        assert np.array_equal(np.maximum.reduce(columns), matrix.max(axis=1))


def test_low_memory_lemmas_equal_the_default_dictionary(answer_engine) -> None:
    index = next(iter(answer_engine.indexes.values()))
    words = sorted({fold(w) for w in index.vocabulary if w.isalpha()})[:400]
    words += ["llegó", "ganaron", "asistio", "donated", "trabajando", "hogares", "creará"]
    for word in words:
        for lang in ("es", "en"):
            assert lemmas.lemmatize(word, lang) == simplemma.lemmatize(word, lang=lang)
            assert lemmas.is_known(word, lang) == simplemma.is_known(word, lang=lang)
