"""The attributed facts of ingest, joined to the engine's passages: whose figure is which.

Ingest attributes every figure of the report (`ParsedReport.facts`): the clause that states it,
whose it is (`subject`), what it counts (`counted`) and what it is (`meaning`: executed,
collected, granted, share...). A passage of the index (a sentence, a table row) may hold several
figures of several clauses ("... con el Departamento de Antioquia por $468 millones, con el Área
Metropolitana del Valle de Aburrá por $189 millones, de los cuales se recaudaron 133 millones"):
this module tells which figure the question asks for.

- `passage_facts(index, passage)`: the fact behind each of the passage's numbers (None where
  ingest has none), joined by table row and column for rows, by line, value and clause text for
  sentences; and the clauses of the passage's sentence, with their own facts.
- `asked(request)`: what the question asks, read with the same cue words ingest reads figures
  with (`knowledge/data/fact_roles.yaml`): the meanings it names ("se gastó" -> executed), the
  kind of figure (money, share, count) and its subject words (the content words that are not
  question words, cue words or units).
- `choose(...)`: the fact whose own clause holds the question's subject words (weighted by how
  rare each word is in the report), against the other clauses of the same sentence; then the
  meaning and kind asked. When the subject words are only in a clause with no figure of the
  asked kind, the answer is that the report does not say (`Choice.other_clause`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.engine.index import Number, Passage, ReportIndex, clean_text
from bot.engine.normalize import content_tokens, fold, stem
from knowledge.model import ParsedClause, ParsedFact

if TYPE_CHECKING:
    from bot.engine.core import Request

DATA_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "data"
MONEY = frozenset({"COP", "USD"})
# A question word typed with a small slip still names the clause word ("metropolitana").
COVER_SIMILARITY = 0.74
# How far below the line a sentence passage starts its facts can be (a paragraph's lines).
PARAGRAPH_LINES = 12


# ---------------------------------------------------------------------------- the join


@dataclass
class PassageFacts:
    """The facts of one passage, aligned with `passage.numbers`, and its sentence's clauses."""

    facts: list[ParsedFact | None]
    clauses: list[ParsedClause] = field(default_factory=list)  # the sentence's, in order
    by_clause: dict[int, list[ParsedFact]] = field(default_factory=dict)


def passage_facts(index: ReportIndex, passage: Passage) -> PassageFacts:
    cache: dict[int, PassageFacts] = index.__dict__.setdefault("_passage_facts", {})
    found = cache.get(passage.id)
    if found is None:
        found = _join(index, passage)
        cache[passage.id] = found
    return found


def _report_maps(index: ReportIndex) -> tuple[dict, dict, dict]:
    maps = index.__dict__.get("_fact_maps")
    if maps is None:
        by_row: dict[tuple[str, int], list[ParsedFact]] = {}
        by_line: dict[int, list[ParsedFact]] = {}
        by_sentence: dict[int, list[ParsedClause]] = {}
        for fact in index.report.facts:
            if fact.table_key is not None and fact.row_index is not None:
                by_row.setdefault((fact.table_key, fact.row_index), []).append(fact)
            else:
                by_line.setdefault(fact.line, []).append(fact)
        for clause in index.report.clauses:
            by_sentence.setdefault(clause.sentence, []).append(clause)
        maps = (by_row, by_line, by_sentence)
        index.__dict__["_fact_maps"] = maps
    return maps


def _same_figure(number: Number, fact: ParsedFact) -> bool:
    return abs(number.value - fact.value) < 1e-9 and (number.unit or None) == (fact.unit or None)


def _clause_body(clause: str) -> str:
    return fold(clean_text(clause))


def _join(index: ReportIndex, passage: Passage) -> PassageFacts:
    by_row, by_line, by_sentence = _report_maps(index)
    if passage.kind == "row" and passage.table_key is not None and passage.row_index is not None:
        pool = list(by_row.get((passage.table_key, passage.row_index), []))
        facts: list[ParsedFact | None] = []
        for number in passage.numbers:
            match = next(
                (f for f in pool if _same_figure(number, f)
                 and (number.column is None or f.header == number.column)),
                None,
            )
            if match is not None:
                pool.remove(match)
            facts.append(match)
        return PassageFacts(facts=facts)
    if passage.kind != "sentence":
        return PassageFacts(facts=[None] * len(passage.numbers))
    text = fold(passage.text)
    pool = [
        f
        for line in range(passage.line, passage.line + PARAGRAPH_LINES)
        for f in by_line.get(line, [])
        if f.source != "cell" and _in_passage(f, text)
    ]
    facts = []
    for number in passage.numbers:
        match = next((f for f in pool if _same_figure(number, f)), None)
        if match is not None:
            pool.remove(match)
        facts.append(match)
    sentences = {
        index.report.clauses[f.clause_index].sentence
        for f in facts
        if f is not None and f.clause_index is not None
    }
    clauses = [c for s in sorted(sentences) for c in by_sentence.get(s, [])]
    by_clause: dict[int, list[ParsedFact]] = {}
    for fact in facts:
        if fact is not None and fact.clause_index is not None:
            by_clause.setdefault(fact.clause_index, []).append(fact)
    return PassageFacts(facts=facts, clauses=clauses, by_clause=by_clause)


def _in_passage(fact: ParsedFact, text: str) -> bool:
    """The fact's clause is in the passage, or the passage in it (a box figure's clause is its
    label and the figure; the index may split a sentence ingest kept whole, or the reverse)."""
    body = _clause_body(fact.clause)
    if body in text or text in body:
        return True
    return fold(clean_text(fact.raw)) in text and fold(clean_text(fact.sentence))[:40] in text


# ---------------------------------------------------------------------------- the question


@dataclass(frozen=True)
class Asked:
    meanings: frozenset[str]  # meanings the question names by their cue words
    kind: str | None  # "money" | "share" | "count" | None
    subject: tuple[str, ...]  # content stems that say what about
    money_named: bool = False  # the question says money in so many words ("cuánto dinero")


@lru_cache(maxsize=1)
def _meaning_cues() -> tuple[tuple[str, re.Pattern[str]], ...]:
    data = yaml.safe_load((DATA_DIR / "fact_roles.yaml").read_text(encoding="utf-8"))["meanings"]
    groups: dict[str, set[str]] = {}
    for part in ("before", "after"):
        for meaning, cues in data[part].items():
            groups.setdefault(meaning, set()).update(fold(c).strip() for c in cues if fold(c))
    return tuple(
        (m, re.compile(r"(?<!\w)(?:" + "|".join(re.escape(c) for c in sorted(cs, key=len,
                                                                              reverse=True))
                       + r")\w*"))
        for m, cs in groups.items()
    )


_SHARE_WORDS = re.compile(r"(?:\bporcentaje\b|\bpercentage\b|%|\bpor ciento\b|\bpercent\b)")
_HOW_MUCH = re.compile(r"\b(?:cuanto|cuanta|how much)\b")
_HOW_MANY = re.compile(r"\b(?:cuantos|cuantas|how many|numero de|number of)\b")
_MONEY_MEASURES = frozenset({"valor", "costo", "presupuesto", "recaudo"})
# What only money can be: given, budgeted, spent, collected ("¿cuánto aportó …?").
_MONEY_MEANINGS = frozenset(
    {"granted", "budgeted", "final_budget", "executed", "collected", "adjustment"})
_MONEY_WORDS = re.compile(r"\b(?:dinero|plata|pesos|dolares|money|dollars|recursos)\b")


def asked(request: Request) -> Asked:
    from bot.engine.quoting import MEASURE_WORDS

    folded = request.folded
    meanings: set[str] = set()
    cue_words: set[str] = set()
    for meaning, pattern in _meaning_cues():
        for match in pattern.finditer(folded):
            meanings.add(meaning)
            cue_words.update(content_tokens(match.group()))
    measure = request.slots.measure
    kind: str | None = None
    if _SHARE_WORDS.search(folded):
        kind = "share"
    elif _HOW_MANY.search(folded) or measure in ("asistentes", "poblacion"):
        kind = "count"
    elif measure in _MONEY_MEASURES or _HOW_MUCH.search(folded):
        kind = "money"
    subject = tuple(
        dict.fromkeys(
            t
            for t in content_tokens(request.question)
            if t not in MEASURE_WORDS and t not in cue_words and not t.isdigit() and len(t) > 2
        )
    )
    money_named = kind == "money" and (
        bool(_MONEY_WORDS.search(folded)) or measure in ("costo", "presupuesto", "recaudo")
        or bool(meanings & _MONEY_MEANINGS))
    return Asked(meanings=frozenset(meanings), kind=kind, subject=subject,
                 money_named=money_named)


# ---------------------------------------------------------------------------- the choice


def fits_kind(fact: ParsedFact | None, number: Number, kind: str | None) -> bool:
    unit = fact.unit if fact is not None else number.unit
    if kind == "share":
        return unit == "%"
    if kind == "money":
        return unit in MONEY or (fact is not None and fact.meaning in (
            "budgeted", "final_budget", "executed", "collected", "adjustment", "amount"
        ) and unit != "%")
    if kind == "count":
        return unit not in MONEY and unit != "%"
    return True


def _clause_terms(index: ReportIndex, clause: ParsedClause) -> frozenset[str]:
    cache: dict[int, frozenset[str]] = index.__dict__.setdefault("_clause_terms", {})
    terms = cache.get(clause.index)
    if terms is None:
        terms = frozenset(content_tokens(clause.text))
        cache[clause.index] = terms
    return terms


def _covers(index: ReportIndex, term: str, terms: frozenset[str]) -> bool:
    if term in terms:
        return True
    return any(v in terms for v, sim in index.expand_term(term) if sim >= COVER_SIMILARITY)


@dataclass
class Choice:
    number: Number | None
    fact: ParsedFact | None = None
    # The clause of the passage's sentence that holds the question's subject when none of its
    # figures is of the asked kind, and the subject words it holds (for a not_found reply).
    other_clause: ParsedClause | None = None
    subject_words: list[str] = field(default_factory=list)


def subject_scores(
    index: ReportIndex, joined: PassageFacts, subject: tuple[str, ...]
) -> dict[int, float]:
    """Per clause of the sentence: the share of the question's subject weight its own words
    hold, minus the share only other clauses of the sentence hold (-1..1)."""
    if len(joined.clauses) < 2 or not subject:
        return {}
    weights = {t: index.term_idf(t) for t in subject}
    total = sum(weights.values()) or 1.0
    own = {c.index: {t for t in subject if _covers(index, t, _clause_terms(index, c))}
           for c in joined.clauses}
    clauses = joined.clauses
    owns = [bool(c.subject or c.entities) for c in clauses]
    breaks = _strong_breaks(joined)
    held: dict[int, set[str]] = {}
    previous: set[str] = set()
    last_owner = -1
    for k, c in enumerate(clauses):
        words = set(own[c.index])
        if k > 0 and not owns[k]:
            # A clause that names no one goes on about the one before it ("..., de 13
            # países", "..., beneficiando así a cinco (5) servidores"); after a ";" that
            # closed the last owner's part, about the one that closes the sentence, when a
            # list ends by saying whose its items are ("...; 100 mil pruebas, ..., y 2 mil
            # paquetes alimenticios, provenientes de ...").
            closed = any(last_owner < b <= k for b in breaks)
            if closed and owns[-1] and k < len(clauses) - 1:
                words |= own[clauses[-1].index]
            else:
                words |= previous
        if owns[k]:
            last_owner = k
        held[c.index] = words
        previous = words
    anywhere = set().union(*held.values())
    if not anywhere:
        return {}
    out = {}
    for c in joined.clauses:
        own = sum(weights[t] for t in held[c.index])
        elsewhere = sum(weights[t] for t in anywhere - held[c.index])
        out[c.index] = (own - elsewhere) / total
    return out


def _strong_breaks(joined: PassageFacts) -> set[int]:
    """Positions k of the sentence's clauses that follow a ";" or ":" (not a comma)."""
    sentence = next((clean_text(f.sentence).lower() for f in joined.facts if f is not None), "")
    out: set[int] = set()
    at = 0
    for k, clause in enumerate(joined.clauses):
        body = clean_text(clause.text).lower()
        found = sentence.find(body[:30], at) if body else -1
        if found < 0:
            continue
        if k > 0 and re.search(r"[;:]", sentence[at:found]):
            out.add(k)
        at = found + len(body)
    return out


def choose(
    passage: Passage,
    request: Request,
    base: dict[int, float],
    noun: str | None = None,
    counts: Callable[[ParsedFact, str], bool] | None = None,
) -> Choice:
    """The number of the passage that answers: `base` is the measure score of each number
    (by position), to which the fact's clause, meaning and kind are added; `noun` is what a
    "¿cuántos X?" counts (and `counts` tells whether a fact counts it)."""
    index = request.index
    joined = passage_facts(index, passage)
    numbers = passage.numbers
    want = asked(request)
    subject = want.subject
    if noun:
        nouns = {stem(part) for part in noun.split("|")}
        subject = tuple(t for t in subject if t not in nouns)
    scores = subject_scores(index, joined, subject)

    def fits(fact: ParsedFact | None, number: Number) -> bool:
        if not fits_kind(fact, number, want.kind):
            return False
        return not (noun and counts and fact is not None and not counts(fact, noun))

    def score(k: int) -> float:
        number, fact = numbers[k], joined.facts[k]
        value = base.get(k, 0.0)
        if fact is None:
            return value
        if fact.clause_index is not None:
            value += 3.0 * scores.get(fact.clause_index, 0.0)
        if fact.meaning in want.meanings:
            value += 2.0
        if not fits(fact, number):
            value -= 2.0
        if fact.part_of is not None and fact.meaning not in want.meanings:
            value -= 0.25  # "189 ..., de los cuales 133": the whole, unless the part is asked
        return value

    if not numbers:
        return Choice(number=None)
    best = max(range(len(numbers)), key=lambda k: (score(k), -k))
    choice = Choice(number=numbers[best], fact=joined.facts[best])
    if scores:
        top = max(scores.values())
        tops = [c for c in scores if scores[c] >= top - 1e-9]
        top_clause = tops[0]
        holds_kind = any(
            fits_kind(f, _as_number(f), want.kind)
            for c in tops
            for f in joined.by_clause.get(c, [])
        )
        if top > 0 and want.kind is not None and not holds_kind:
            # The question's subject is this clause's, and none of its figures is of the kind
            # asked: the figure given would be another clause's.
            clause = next(c for c in joined.clauses if c.index == top_clause)
            terms = _clause_terms(index, clause)
            choice.other_clause = clause
            choice.subject_words = [t for t in subject if _covers(index, t, terms)]
    return choice


def _as_number(fact: ParsedFact) -> Number:
    return Number(raw=fact.raw, value=fact.value, unit=fact.unit, scale=fact.scale)


def stem_words(question: str, stems: list[str]) -> list[str]:
    """The question's own words for some stems, as the user wrote them (folded)."""
    words = []
    for word in fold(question).split():
        if stem(word) in stems and word not in words:
            words.append(word)
    return words


# ---------------------------------------------------------------------------- elsewhere


# A subject word in more passages than this share of the report is general vocabulary, often
# paraphrased: its absence from the evidence says little.
ELSEWHERE_SHARE = 0.04


def _occurrences(index: ReportIndex) -> list[tuple[frozenset[str], list[ParsedFact], str, str]]:
    """Every clause of the report and every table row by its label: (terms, facts, quote,
    section). A row is about what its label names, not what its descriptive cells mention."""
    cached = index.__dict__.get("_occurrences")
    if cached is None:
        report = index.report
        facts_of: dict[int, list[ParsedFact]] = {}
        rows: dict[tuple[str, int], list[ParsedFact]] = {}
        for fact in report.facts:
            if fact.clause_index is not None:
                facts_of.setdefault(fact.clause_index, []).append(fact)
            if fact.table_key is not None and fact.row_index is not None:
                rows.setdefault((fact.table_key, fact.row_index), []).append(fact)
        cached = [(_clause_terms(index, c), facts_of.get(c.index, []), c.text, c.section)
                  for c in report.clauses if c.source != "cell"]
        for table in report.tables:
            for r, row in enumerate(table.rows):
                label = table.row_label(row)
                if label:
                    quote = next((f.clause for f in rows.get((table.key, r), [])), label)
                    cached.append((frozenset(content_tokens(label)),
                                   rows.get((table.key, r), []), quote, table.section))
        index.__dict__["_occurrences"] = cached
    return cached


@dataclass
class Elsewhere:
    words: list[str]  # the question's words for the subject, as typed (folded)
    quote: str  # the first clause or row that names it
    section: str


def subject_elsewhere(
    request: Request,
    evidence: frozenset[str],
    noun: str | None,
    counts: Callable[[ParsedFact, str], bool] | None,
) -> Elsewhere | None:
    """A figure answer whose evidence holds none of the question's subject words, while the
    report names them only in clauses (or row labels) with no figure of the asked kind: the
    figure is about something else (it matched only how the question asks), and the report
    does not give the one asked ("¿cuánto le pagan al gerente?" where "gerentes" are only
    named in a list of jobs)."""
    from bot.engine.coverage import (
        SPECIFIC_PASSAGES,
        _is_verb_form,
        _looks_verbal,
        _name_like_words,
        is_form_word,
    )
    from bot.engine.curated import load_synonyms

    index = request.index
    want = asked(request)
    if want.kind is None:
        return None
    synonyms = load_synonyms()
    nouns = {stem(part) for part in (noun or "").split("|") if part}
    background = ELSEWHERE_SHARE * max(1, len(index.passages))
    typed = {stem(w): w for w in fold(request.question).split()}
    capitalised = {stem(fold(w)) for w in re.findall(r"\b[A-ZÁÉÍÓÚÑ][\w-]+", request.question)}
    subject = []
    for term in want.subject:
        word = typed.get(term, term)
        if term in nouns or is_form_word(word) or _is_verb_form(word, request.lang):
            continue
        if _looks_verbal(word):
            continue
        known = [v for v, sim in index.expand_term(term) if sim >= COVER_SIMILARITY]
        if not known:
            continue
        spread = max(len(index.postings.get(v, ())) for v in known)
        # Specific: a word of a few passages (a name, a place, a qualifier), or one the user
        # writes as a name that the report writes as one too ("Antioquia").
        named = term in capitalised and term in _name_like_words(index)
        if request.lang == "en" and not named:
            continue  # an English word stands for Spanish ones the evidence may paraphrase
        if spread <= SPECIFIC_PASSAGES or (named and spread < background):
            subject.append(term)
    if not subject:
        return None
    for term in subject:
        alternatives = [term, *synonyms.get(term, [])]
        if any(_covers(index, a, evidence) for a in alternatives):
            return None  # the evidence is about something the question names
    occurrences = _occurrences(index)

    def fits(fact: ParsedFact) -> bool:
        if not fits_kind(fact, _as_number(fact), want.kind):
            return False
        return not (noun and counts and not counts(fact, noun))

    for term in subject:
        found = [o for o in occurrences if _covers(index, term, o[0])]
        if not found or any(fits(f) for o in found for f in o[1]):
            return None
    words = stem_words(request.question, subject) or subject
    _, _, quote, section = next(o for o in occurrences if _covers(index, subject[0], o[0]))
    return Elsewhere(words=words, quote=quote, section=section)
