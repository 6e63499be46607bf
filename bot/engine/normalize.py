"""Question and passage normalization: accents, punctuation, chat noise, stop words, language.

rapidfuzz's default processor strips every symbol; we keep the ones that carry meaning
(`%`, `$`, `m²`, digits with their separators) and fold everything else.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STOP_WORDS_ES = frozenset(
    [
        "a",
        "al",
        "algo",
        "alguna",
        "algun",
        "alguno",
        "algunos",
        "ante",
        "antes",
        "aqui",
        "asi",
        "aun",
        "cada",
        "como",
        "con",
        "contra",
        "cual",
        "cuales",
        "cualquier",
        "de",
        "del",
        "desde",
        "donde",
        "dos",
        "e",
        "el",
        "ella",
        "ellas",
        "ellos",
        "en",
        "entre",
        "era",
        "eran",
        "es",
        "esa",
        "esas",
        "ese",
        "eso",
        "esos",
        "esta",
        "estaba",
        "estan",
        "estas",
        "este",
        "esto",
        "estos",
        "fue",
        "fueron",
        "ha",
        "habia",
        "han",
        "hasta",
        "hay",
        "hizo",
        "hubo",
        "la",
        "las",
        "le",
        "les",
        "lo",
        "los",
        "me",
        "mas",
        "mi",
        "mis",
        "muy",
        "no",
        "nos",
        "nuestra",
        "nuestro",
        "nuestros",
        "nuestras",
        "o",
        "otra",
        "otro",
        "otros",
        "para",
        "pero",
        "por",
        "porque",
        "pues",
        "que",
        "quien",
        "quienes",
        "se",
        "segun",
        "ser",
        "si",
        "sin",
        "sobre",
        "son",
        "su",
        "sus",
        "tambien",
        "te",
        "tiene",
        "tienen",
        "toda",
        "todas",
        "todo",
        "todos",
        "tu",
        "un",
        "una",
        "unas",
        "uno",
        "unos",
        "y",
        "ya",
        "yo",
        "q",
        "k",
        "pls",
        "porfa",
        "porfavor",
        "favor",
        "dime",
        "dame",
        "decime",
        "decir",
        "sabes",
        "saber",
        "quiero",
        "quisiera",
        "puedes",
        "podrias",
        "me",
        "gustaria",
        "hola",
        "oye",
        "bueno",
        "bien",
        "entonces",
        "ahi",
        "alli",
        "aca",
        "eh",
        "ah",
        "cierto",
        "verdad",
        "vale",
        "ok",
        "okey",
        "informe",
    ]
)

STOP_WORDS_EN = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "about",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "many",
        "much",
        "when",
        "where",
        "why",
        "did",
        "its",
        "it",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "they",
        "them",
        "as",
        "into",
        "than",
        "then",
        "so",
        "such",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "please",
        "tell",
        "me",
        "give",
        "show",
        "i",
        "we",
        "you",
        "our",
        "your",
        "my",
        "overall",
        "any",
        "some",
        "all",
        "per",
        "vs",
        "versus",
        "report",
    ]
)

# Words that say "this question is in English" even when it names Spanish things.
_ENGLISH_MARKERS = frozenset(
    [
        "the",
        "what",
        "which",
        "who",
        "how",
        "many",
        "much",
        "when",
        "where",
        "why",
        "did",
        "does",
        "was",
        "were",
        "is",
        "are",
        "of",
        "and",
        "events",
        "event",
        "budget",
        "investment",
        "cooperation",
        "awards",
        "award",
        "networks",
        "network",
        "projects",
        "project",
        "contracts",
        "contract",
        "summarize",
        "summary",
        "total",
        "value",
        "attended",
        "people",
        "between",
        "years",
        "run",
        "won",
        "execution",
        "rate",
        "please",
        "show",
        "list",
        "give",
        "tell",
    ]
)
_SPANISH_MARKERS = frozenset(
    [
        "que",
        "cual",
        "cuales",
        "cuanto",
        "cuanta",
        "cuantos",
        "cuantas",
        "cuando",
        "donde",
        "quien",
        "quienes",
        "como",
        "de",
        "del",
        "la",
        "las",
        "el",
        "los",
        "en",
        "por",
        "para",
        "y",
        "se",
        "fue",
        "fueron",
        "hubo",
        "hay",
        "eventos",
        "inversion",
        "cooperacion",
        "presupuesto",
        "contratos",
        "premios",
        "redes",
        "proyectos",
        "resumen",
        "meta",
        "avance",
    ]
)

_FORMAT_CHARS = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_NON_WORD = re.compile(r"[^0-9a-z%$²ñ.,/\-+ ]+")
_SPACES = re.compile(r"\s+")
_LOOSE_PUNCT = re.compile(r"(?<![0-9])[.,/+\-]|[.,/+\-](?![0-9])")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase, strip accents (keeping ñ as n), drop emoji and punctuation except %, $, ²."""
    text = text.replace("m ²", "m²").replace("M ²", "m²")
    # Invisible format characters (zero-width space/joiner, bidi marks) hide inside words.
    text = _FORMAT_CHARS.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    no_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u00b2")
    no_marks = no_marks.replace("\\$", "$").replace("*", " ")
    cleaned = _NON_WORD.sub(" ", no_marks)
    cleaned = _LOOSE_PUNCT.sub(" ", cleaned)
    cleaned = _REPEATS.sub(r"\1", cleaned)
    return _SPACES.sub(" ", cleaned).strip()


def tokens(text: str) -> list[str]:
    """Folded tokens, including numbers and the symbols that carry meaning."""
    return fold(text).split()


def stem(token: str) -> str:
    """A deliberately light Spanish/English stem: plural endings only, so typos still match."""
    if token.isdigit() or len(token) <= 3:
        return token
    if token.endswith("ces") and len(token) > 5:
        return token[:-3] + "z"
    if token.endswith(("iones", "ores", "ales", "ades")) and len(token) > 6:
        return token[:-2]
    if token.endswith("es") and len(token) > 5 and token[-3] not in "aeiou":
        return token[:-2]
    if token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


# The words of the held reports' own organisation names ("ACI Medellín" in its report's title):
# every passage of a report is about its organisation, so they weigh nothing in matching, like
# stop words. Set by the engine from the report identity (use_identity_words), never typed.
_identity: frozenset[str] = frozenset()
_identity_version = 0


def use_identity_words(words: frozenset[str]) -> None:
    """Make these (folded) words stop words; the caches that depend on them start again."""
    global _identity, _identity_version
    if words != _identity:
        _identity = words
        _identity_version += 1
        _content_tokens.cache_clear()


def identity_version() -> int:
    """Changes whenever the identity words do (a key for caches built on content_tokens)."""
    return _identity_version


def is_stop_word(word: str) -> bool:
    """A folded word that says nothing about a topic: general function words, or the name of the
    organisation whose report this is."""
    return word in STOP_WORDS_ES or word in STOP_WORDS_EN or word in _identity


def content_tokens(text: str) -> list[str]:
    """Tokens without stop words (Spanish and English) or the organisation's name, stemmed."""
    return list(_content_tokens(text))


@lru_cache(maxsize=65536)
def _content_tokens(text: str) -> tuple[str, ...]:
    out = []
    for tok in tokens(text):
        if tok in STOP_WORDS_ES or tok in STOP_WORDS_EN or tok in _identity:
            continue
        if len(tok) == 1 and not tok.isdigit() and tok not in "%$":
            continue
        out.append(stem(tok))
    return tuple(out)


def detect_language(text: str) -> str:
    """'en' when English markers clearly outnumber Spanish ones, else 'es' (the report's)."""
    words = tokens(text)
    english = sum(1 for w in words if w in _ENGLISH_MARKERS)
    spanish = sum(1 for w in words if w in _SPANISH_MARKERS)
    # Accents and ñ inside a name ("Medellín") say nothing of the language it is asked in.
    lowercase_words = " ".join(w for w in text.split() if not w[:1].isupper())
    if any(ch in text for ch in "¿¡") or any(ch in lowercase_words for ch in "ñáéíóú"):
        spanish += 2
    return "en" if english > spanish and english >= 2 else "es"


def is_meaningless(text: str) -> bool:
    """True for input with no letters or digits at all (emoji only, punctuation, control bytes)."""
    return not any(ch.isalnum() for ch in fold(text))
