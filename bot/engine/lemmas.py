"""Spanish and English lemmas (simplemma's bundled general-language dictionaries), cached.

simplemma's default backend decodes a whole language into a Python dict (about 100 MB resident
for Spanish alone); its low-memory backend keeps the compressed stream and decodes one block per
lookup (about 12 MB for both languages) and gives the same lemmas. Questions repeat their words,
so each answer is cached here and a word costs one block decode the first time it is seen.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma

LANGS = ("es", "en")


@lru_cache(maxsize=65536)
def lemmatize(word: str, lang: str) -> str:
    return simplemma.lemmatize(word, lang=lang, low_memory=True)


@lru_cache(maxsize=65536)
def is_known(word: str, lang: str) -> bool:
    return simplemma.is_known(word, lang=lang, low_memory=True)


def warm_up() -> None:
    """Read both dictionaries now (at engine build), not on a user's first question."""
    for lang in LANGS:
        simplemma.lemmatize("casas", lang=lang, low_memory=True)
        simplemma.is_known("casa", lang=lang, low_memory=True)
