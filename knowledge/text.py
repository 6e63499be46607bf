"""Text helpers for the PDF-converted report: lines, folding, sentences and clauses.

The one place that splits text: `sentences` (periods inside abbreviations do not end one) and
`clauses` (the parts of a sentence a figure belongs to; rules in data/clauses.yaml).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml

from knowledge.numbers import DATA_DIR, clean_markdown, find_numbers

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[¿¡\"“(]?[A-ZÁÉÍÓÚÑ])")
_ABBREVIATIONS = ("S.A.S.", "S.A.", "No.", "Dr.", "DR.", "etc.")


def split_lines(text: str) -> list[str]:
    """Report lines, 1-based by index + 1, as `cat -n` shows them."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def clean(line: str) -> str:
    """Markdown removed and whitespace folded: the text a reader sees."""
    return re.sub(r"[ \t\u00a0]+", " ", clean_markdown(line)).strip()


def shorten(text: str, limit: int, around: str | None = None) -> str:
    """At most `limit` characters, cut between words and marked "…" where cut: the one way any
    text is shortened for a reader. With `around`, a window that keeps that phrase in view. A
    first word longer than `limit` is kept whole: a word is never cut."""
    if len(text) <= limit:
        return text
    position = _word_at(text, around) if around else None
    if position is not None and position > limit // 2:
        start = max(0, position - limit // 3)
        if start and not text[start - 1].isspace():
            start = _next_word(text, start)
        return "…" + _head(text[start:], limit - 1) + "…"  # words whole at both ends
    return _head(text, limit) + "…"


def _word_at(text: str, phrase: str) -> int | None:
    """Where in `text` (as written: markdown, accents) the first word starting `phrase` is."""
    key = fold(phrase)
    if not key:
        return None
    for match in re.finditer(r"\w+", text):
        if fold(text[match.start() : match.start() + 2 * len(phrase) + 8]).startswith(key):
            return match.start()
    return None


def _head(text: str, limit: int) -> str:
    """The words of `text` that fit in `limit - 1` characters (one left for the ellipsis)."""
    window = text[: limit - 1]
    if len(text) > len(window) and not text[len(window)].isspace():
        words = window.rsplit(None, 1)
        window = words[0] if len(words) > 1 else text.split(None, 1)[0]
    return window.rstrip(" ,;:-.\n\t") or text.split(None, 1)[0]


def _next_word(text: str, start: int) -> int:
    match = re.compile(r"\s+").search(text, start)
    return match.end() if match else start


def fold(text: str, *, punctuation: bool = False) -> str:
    """Comparison key: no accents, casefolded, whitespace folded; punctuation-insensitive unless
    `punctuation` keeps it ("22/04/2020", "5.2-eventos" stay as written, lowercased)."""
    decomposed = unicodedata.normalize("NFKD", clean_markdown(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    if not punctuation:
        plain = re.sub(r"[^\w%$]+", " ", plain)
    return re.sub(r"\s+", " ", plain).strip()


def is_blank(line: str) -> bool:
    return not line.strip()


_LETTERS = re.compile(r"[^\W\d_]")


def is_upper(text: str) -> bool:
    """Mostly capital letters: headings, labels and highlighted phrases."""
    letters = "".join(_LETTERS.findall(text))
    if not letters:
        return False
    lowered = sum(1 for a, b in zip(letters, letters.upper(), strict=True) if a != b)
    return lowered <= 0.2 * len(letters)


def is_table_line(line: str) -> bool:
    return "\t" in line


def is_bullet(line: str) -> bool:
    return line.lstrip().startswith("- ")


def bullet_text(line: str) -> str:
    return clean(re.sub(r"^\s*-\s*(?:▀\s*)?", "", line))


def starts_lower(text: str) -> bool:
    stripped = clean(text)
    return bool(stripped) and stripped[0].islower()


def sentences(paragraph: str) -> list[tuple[int, int]]:
    """Sentence spans of a clean paragraph (periods inside abbreviations do not end one)."""
    masked = paragraph
    for abbr in _ABBREVIATIONS:
        masked = masked.replace(abbr, abbr.replace(".", "\x00"))
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(masked):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(paragraph)))
    return [(s, e) for s, e in spans if paragraph[s:e].strip()]


# ----------------------------------------------------------------------------- clauses


@dataclass(frozen=True)
class _ClauseRules:
    dependent: tuple[str, ...]  # folded openers, longest first
    conjunctions: frozenset[str]
    range_openers: frozenset[str]


@lru_cache(maxsize=1)
def _clause_rules() -> _ClauseRules:
    data = yaml.safe_load((DATA_DIR / "clauses.yaml").read_text(encoding="utf-8"))
    return _ClauseRules(
        dependent=tuple(sorted({fold(d) for d in data["dependent"]}, key=len, reverse=True)),
        conjunctions=frozenset(fold(c) for c in data["conjunctions"]),
        range_openers=frozenset(fold(c) for c in data["range_openers"]),
    )


def _depth_mask(text: str) -> list[int]:
    """Nesting depth of each character: inside (), [] or quotes a clause never ends."""
    depth, quoted, out = 0, False, []
    for ch in text:
        if ch in "([":
            depth += 1
        out.append(depth + (1 if quoted else 0))
        if ch in ")]" and depth:
            depth -= 1
        elif ch in "\"“”«»":
            quoted = ch not in "”»" and not (quoted and ch == '"')
    return out


def _figure_starts(sentence: str, excluded: list[tuple[int, int]]) -> list[int]:
    """Where the figures of a sentence start: not bare years ("ACI Medellín 2020, con un
    recaudo ...") nor numbers the caller excludes (names such as COVID-19)."""
    return [m.span[0] for m in find_numbers(sentence)
            if not m.spelled
            and not (m.unit is None and m.scale is None
                     and m.value.is_integer() and 1900 <= m.value <= 2099)
            and not any(s <= m.span[0] < e for s, e in excluded)]


def _opens_dependent(text: str) -> bool:
    head = fold(text[:60]) + " "
    return any(head.startswith(d + " ") for d in _clause_rules().dependent)


def clauses(sentence: str, excluded: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Clause spans of a clean sentence, in order, covering it (separators left out).

    ";" and ": " always end a clause. A comma, or a conjunction ("y", "e"), ends one when it
    opens a new item of an enumeration: the clause so far and the next stretch (up to the next
    comma or conjunction) both hold a figure, the next stretch does not open with a dependent
    continuation ("de los cuales", "que", "con un"... see data/clauses.yaml) and the two
    figures are not the ends of a range ("entre 350 y 400"). Nothing inside brackets or quotes
    splits a clause. Numbers inside `excluded` spans (names, dates) are not figures.
    """
    rules = _clause_rules()
    figures = _figure_starts(sentence, list(excluded))

    def has_figure(start: int, end: int) -> bool:
        return any(start <= f < end for f in figures)

    depth = _depth_mask(sentence)
    hard = [m for m in re.finditer(r";|:(?=\s)", sentence) if depth[m.start()] == 0]
    spans: list[tuple[int, int]] = []
    starts = [0] + [m.end() for m in hard]
    ends = [m.start() for m in hard] + [len(sentence)]
    bounds = list(zip(starts, ends, strict=True))
    conj = "|".join(re.escape(c) for c in sorted(rules.conjunctions))
    soft_re = re.compile(rf",(?=\s)\s*(?:(?:{conj})\s+)?|\s+(?:{conj})\s+", re.IGNORECASE)
    for b_start, b_end in bounds:
        piece = sentence[b_start:b_end]
        inside = [f for f in figures if b_start <= f < b_end]
        cuts = [m for m in soft_re.finditer(piece) if depth[b_start + m.start()] == 0] \
            if len(inside) >= 2 else []
        commas = [m.start() for m in cuts if "," in m.group()] + [len(piece)]
        clause_start = item_start = 0
        for k, m in enumerate(cuts):
            comma = "," in m.group()
            nxt_end = (next(c for c in commas if c > m.start()) if comma
                       else cuts[k + 1].start() if k + 1 < len(cuts) else len(piece))
            left_start = clause_start if comma else item_start
            left = piece[left_start:m.start()]
            right = piece[m.end():nxt_end]
            item_start = m.end()
            if not (has_figure(b_start + left_start, b_start + m.start())
                    and has_figure(b_start + m.end(), b_start + nxt_end)) \
                    or _opens_dependent(right):
                continue
            if not comma:
                words = re.findall(r"[^\W\d_]+|\d[\d.,]*", left)
                if len(words) >= 2 and fold(words[-2]) in rules.range_openers \
                        and re.match(r"\s*[$\d]", right):
                    continue  # "entre 350 y 400 personas": a range
            spans.append((b_start + clause_start, b_start + m.start()))
            clause_start = m.end()
        spans.append((b_start + clause_start, b_end))
    out = []
    for s, e in spans:
        while s < e and sentence[s].isspace():
            s += 1
        while e > s and sentence[e - 1] in " \t.,":
            e -= 1
        if e > s:
            out.append((s, e))
    return out


# ----------------------------------------------------------------------------- proper names

_NAME_WORD = re.compile(r"[^\W\d_][^\W_]*(?:[-'’.][^\W\d_]+)*\.?|\d+")


class Casing:
    """How the report writes each word in mixed-case text, to tell names from common words.

    Inside a mixed-case text a capitalised word that does not open it is a name, as a reader
    sees it. The first word of a text, and every word of an all-capitals text, is a name only
    when the report capitalises that word inside sentences more often than not ("Antioquia",
    "Departamento" of "Departamento de Antioquia") or writes it as an acronym ("BID", "EPM").
    Built once per report from its own lines.
    """

    def __init__(self, lines: list[str]) -> None:
        self._upper: dict[str, int] = {}
        self._lower: dict[str, int] = {}
        self._acronym: dict[str, int] = {}
        for line in lines:
            text = clean(line)
            if is_upper(text):
                continue
            # words that open a sentence are capitalised by position: not counted
            for m in re.finditer(r"[^\W\d_]+", text):
                word, key = m.group(), _fold_word(m.group())
                before = text[:m.start()].rstrip()
                if not before or before.endswith((".", "!", "?", ":", "¿", "¡", "-", "•", "▀")):
                    continue
                if len(word) >= 2 and word.isupper():
                    after = text[m.end():].lstrip()[:1]
                    shouted = (before[-1:].isupper() and before[-1:].isalpha()) or (
                        after.isupper() and after.isalpha())
                    if not shouted:
                        self._acronym[key] = self._acronym.get(key, 0) + 1
                elif word[0].isupper():
                    self._upper[key] = self._upper.get(key, 0) + 1
                else:
                    self._lower[key] = self._lower.get(key, 0) + 1

    def known_name(self, word: str) -> bool:
        """A name by how the report writes it elsewhere (for opening and all-capitals words):
        capitalised inside sentences more often than not, or a short acronym the report never
        writes in lower case ("BID", "BYD")."""
        key = _fold_word(word)
        if len(key) < 2 or not word[0].isupper():
            return False
        lower, upper = self._lower.get(key, 0), self._upper.get(key, 0)
        if word.isupper() and len(key) <= 5 and lower == 0 and upper == 0:
            return self._acronym.get(key, 0) > 0 or len(key) <= 4
        return upper > lower


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=1)
def function_words() -> dict[str, frozenset[str]]:
    """General Spanish function word groups (data/function_words.yaml), folded."""
    data = yaml.safe_load((DATA_DIR / "function_words.yaml").read_text(encoding="utf-8"))
    return {group: frozenset(fold(w) for w in words) for group, words in data.items()}


def proper_names(text: str, casing: Casing) -> list[tuple[int, int, str]]:
    """Runs of name words, joined by "de", "del", "la"...: "Área Metropolitana del Valle de
    Aburrá", "Departamento de Antioquia", "BID". Spans index `text`."""
    shouted = is_upper(text)
    words = list(_NAME_WORD.finditer(text))

    def is_name(k: int) -> bool:
        word = words[k].group()
        if len(word) < 2 or not word[0].isupper() or word[0].isdigit():
            return False
        opens = k == 0 or text[:words[k].start()].rstrip().endswith((".", "¿", "¡"))
        if shouted or opens or (len(word) >= 2 and word.isupper()):
            return casing.known_name(word)
        return True

    found: list[tuple[int, int, str]] = []
    k = 0
    while k < len(words):
        if not is_name(k):
            k += 1
            continue
        end_k, j = k, k + 1
        while j < len(words):
            gap = text[words[j - 1].end():words[j].start()]
            if gap.strip() not in ("", "-"):
                break
            if is_name(j):
                end_k, j = j, j + 1
            elif _fold_word(words[j].group()) in function_words()["name_connectors"]:
                j += 1
            else:
                break
        first = k
        connectors = function_words()["name_connectors"]
        while first < end_k and _fold_word(words[first].group()) in connectors:
            first += 1  # "La ACI Medellín" mid-sentence: the article is not part of the name
        start, end = words[first].start(), words[end_k].end()
        if _fold_word(words[first].group()) not in connectors:
            found.append((start, end, text[start:end].rstrip(".")))
        k = end_k + 1
    return found
