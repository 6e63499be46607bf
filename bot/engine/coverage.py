"""Does the evidence behind an answer cover the question? Salient terms and their coverage.

A question's salient terms are its words left after stop words, question words, discourse
(`knowledge/data/discourse.yaml`) and the report's background words (those most passages share:
the organisation, its city, the report's year). An answer may state a figure only when the
evidence it rests on (its quoted clauses or rows, their headings, section and table titles)
covers every salient term: the term itself, a typo or inflection of it, its lemma, a general
synonym or its translation. A salient term the evidence lacks means the figure is about something
else ("¿cuántos empleos creará Team International?" answered with the report-wide 1.780 empleos),
and the answer becomes `not_found`, naming what is missing and keeping the closest thing the
report does say.

Verb forms (by their lemma, general Spanish morphology) and English words the report's language
data cannot translate are not salient: they tell how something is asked, rarely what about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.engine import lemmas
from bot.engine.index import ReportIndex
from bot.engine.normalize import content_terms, content_tokens, fold, is_stop_word, stem
from bot.engine.slots import extract_months, threshold_spans

DATA_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "data"
# A word in at least this share of passages is what the whole report is about (its organisation,
# city, year): it covers nothing in particular and is never missing.
BACKGROUND_SHARE = 0.04
# Typos and close inflections count as the word; a loose prefix match does not.
EXPANSION_SIMILARITY = 0.74
# Cognates and long compounds: "tecnologia" ~ "technology" is not enough, "ciudadelas" is.
FUZZY_COVER = 88
_VERB_ENDINGS = ("ar", "er", "ir")


# A word in at most this many passages is specific (a name, a place, a qualifier): evidence
# without it is about something else. Commoner words are the report's general vocabulary, often
# paraphrased, and only steer the ranking.
SPECIFIC_PASSAGES = 8


@dataclass(frozen=True)
class Term:
    stem: str  # as the index stores words
    word: str  # as the user wrote it (folded), for the reply
    alternatives: tuple[str, ...] = ()  # synonyms and translations, as index stems
    # A word of a name the question gives as the report writes it ("Colombia Investment
    # Summit"): only the word itself covers it, not a translation ("cumbre") of it.
    literal: bool = False


@lru_cache(maxsize=1)
def _discourse() -> tuple[re.Pattern[str], frozenset[str], frozenset[str]]:
    data = yaml.safe_load((DATA_DIR / "discourse.yaml").read_text(encoding="utf-8"))
    phrases = {fold(p) for lang in data["phrases"].values() for p in lang if fold(p)}
    ordered = sorted(phrases, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)")
    words = frozenset(w for p in phrases for w in p.split())
    form = frozenset(fold(w) for lang in data["form"].values() for w in lang)
    continuation = sorted(
        {fold(p) for lang in data["continuation"].values() for p in lang}, key=len, reverse=True
    )
    _CONTINUATION.append(re.compile(r"^(?:" + "|".join(map(re.escape, continuation)) + r")\b"))
    quantity = sorted({fold(p) for lang in data["quantity"].values() for p in lang}, key=len)
    _QUANTITY.append(re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, quantity)) + r")(?!\w)"))
    return pattern, words, form


def warm_up() -> None:
    """Load the language data now (at engine build), not on a user's first question."""
    _discourse()
    lemmas.warm_up()


def strip_discourse(question: str) -> str:
    """The question without greetings, thanks, politeness or urgency (folded comparison).

    Works on the folded text and keeps the original characters of what is left, so accents
    and the ¿? of the question survive."""
    # What follows the last question mark without a letter ("…recibieron? 0") is a slip.
    question = re.sub(r"(\?)[^\w?]*\d[^A-Za-zÀ-ÿ?]*$", r"\1", question)
    pattern = _discourse()[0]
    # Most questions hold no discourse: one search of the folded characters tells, and only a
    # question with some maps each folded character back to its position.
    if not pattern.search("".join(map(fold_char, question))):
        return question
    folded_chars, mapping = _fold_with_positions(question)
    spans = [(m.start(), m.end()) for m in pattern.finditer(folded_chars)]
    keep = [True] * len(question)
    for start, end in spans:
        for position in mapping[start:end]:
            keep[position] = False
    left = "".join(ch for ch, k in zip(question, keep, strict=True) if k)
    left = re.sub(r"\s+", " ", left).strip(" ,.;:!¡-")
    # Nothing but discourse ("hola", "gracias") stays as it was: the greeting is the message.
    return left if any(ch.isalnum() for ch in left) else question


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """Lowercased, accent-free characters of the text, each with its position in the original."""
    out: list[str] = []
    mapping: list[int] = []
    for position, ch in enumerate(text):
        for part in fold_char(ch):
            out.append(part)
            mapping.append(position)
    return "".join(out), mapping


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    if ch.isalnum():
        folded = fold(ch)
        return folded if folded else ch.lower()
    return " " if ch.isspace() or ch in "¿?¡!,.;:()\"'«»" else ch


def is_discourse_word(word: str) -> bool:
    return word in _discourse()[1]


def is_form_word(word: str) -> bool:
    return word in _discourse()[2]


_QUANTITY: list[re.Pattern[str]] = []
_CONTINUATION: list[re.Pattern[str]] = []


def continues_previous(sentence: str) -> bool:
    """Does the sentence open by pointing back ("Esta compañía…", "Además…")?"""
    _discourse()
    return bool(_CONTINUATION[0].search(fold(sentence)))


def asks_quantity(question: str) -> bool:
    """Does the question ask how many or how much (a figure must answer it)?"""
    _discourse()
    return bool(_QUANTITY[0].search(fold(question)))


_WHICH_NOUN = re.compile(
    r"(?:^|\b(?:a|al|con|de|del|en|para|por|desde|entre|sobre|segun)\s+|\b(?:y|e|o)\s+)"
    r"(?:que|q|cual|cuales)\s+(?:(?:son|fueron|es|era|eran|fue)\s+(?:los|las|el|la)\s+)?"
    r"(?:otr[oa]s?\s+)?([a-z]{3,})"
)
_WHICH_NOUN_EN = re.compile(
    r"\b(?:which|what)\s+(?:(?:are|were|is|was)\s+the\s+)?(?:other\s+)?([a-z]{3,})"
)
_WHO = re.compile(r"\b(?:quien|quienes|who|whom)\b")


def name_list(sentence: str) -> list[str]:
    """The longest coordinated list of names in a sentence ("de China, Japón, Emiratos Árabes
    Unidos, Corea del Sur y España"): three or more short parts, each opening capitalised."""
    best: list[str] = []
    for clause in re.split(r"[.:;()]", sentence):
        run = _coordinated(clause, names_only=True)
        if len(run) > len(best):
            best = run
    return best if len(best) >= 3 else []


def _coordinated(clause: str, names_only: bool) -> list[str]:
    """The longest run of short coordinated parts of a clause ("A, B, C y D"); a longer part
    before the run ends on its first item, the capitalised words at its end ("…del Grupo EMI").
    With `names_only`, every part opens capitalised."""
    best: list[str] = []
    run: list[str] = []
    for part in (p.strip() for p in _LIST_SPLIT.split(clause)):
        words = part.split()
        if not words:
            continue
        if len(words) > 4 or (names_only and not words[0][:1].isupper()):
            tail: list[str] = []
            for w in reversed(words):
                if not (w[:1].isupper() or w[:1].isdigit()):
                    break
                tail.insert(0, w)
            run = [" ".join(tail)] if tail else []
            continue
        run.append(part)
        if len(run) > len(best):
            best = list(run)
    return best


def asked_types(question: str, lang: str) -> frozenset[str]:
    """The nouns a question asks the kind of ("¿de qué país…?": país; "which company": company):
    what the answer is, not what it is about."""
    pattern = _WHICH_NOUN_EN if lang == "en" else _WHICH_NOUN
    return frozenset(m.group(1) for m in pattern.finditer(fold(question)))


def plural_names_asked(question: str, lang: str) -> bool:
    """"¿De qué países…?", "which countries…": several names answer it."""
    folded = fold(question)
    pattern = _WHICH_NOUN_EN if lang == "en" else _WHICH_NOUN
    return asks_for_names(question, lang) and any(
        m.group(1).endswith("s") and not is_form_word(m.group(1)) for m in pattern.finditer(folded)
    )


def asks_for_names(question: str, lang: str) -> bool:
    """Does the question ask which things or who ("¿a qué ciudad…?", "¿con quiénes…?",
    "which company…?"), so that names answer it and a figure of the passage does not? A
    question that asks how many or how much does not; nor "¿qué hizo…?" (a verb follows)."""
    folded = fold(question)
    if asks_quantity(question):
        return False
    if _WHO.search(folded):
        return True
    pattern = _WHICH_NOUN_EN if lang == "en" else _WHICH_NOUN
    for match in pattern.finditer(folded):
        word = match.group(1)
        if is_stop_word(word) or is_form_word(word):
            continue
        if _is_verb_form(word, lang) or _looks_verbal(word):
            continue
        return True
    return False


_COMPARISON_BEFORE = re.compile(
    r"\b(?:mas|menos|mayor|menor|encima|debajo|over|under|above|below|least|most|than|"
    r"superior|inferior|hasta|desde|entre|between|and|y)\s*(?:a|de|que|than|of)?\s*$"
)
_NUMBER = re.compile(r"\d[\d.,]*")


def cited_numbers(question: str, years: set[int]) -> list[str]:
    """Numbers the question cites as part of what it is about ("comuna 13", "los 46 eventos"):
    not a year it names, not a threshold of a comparison ("más de 100")."""
    folded = fold(question)
    out = []
    for match in _NUMBER.finditer(folded):
        raw = match.group().rstrip(".,")
        digits = raw.replace(".", "").replace(",", "")
        if not digits.isdigit() or (len(digits) == 4 and int(digits) in years):
            continue
        if _COMPARISON_BEFORE.search(folded[: match.start()]) or any(
            start <= match.start() < end for start, end in threshold_spans(folded)
        ):
            continue
        out.append(raw)
    return out


@lru_cache(maxsize=65536)
def _is_verb_form(word: str, lang: str) -> bool:
    """An inflected verb ("llegó", "ganaron", "asistio", "donated"): its lemma is an infinitive
    or, in English, a different base form."""
    if lang == "en":
        return word.endswith(("ed", "ing")) and lemmas.lemmatize(word, "en") != word
    candidates = [word]
    # A preterite, future or conditional typed without its accent ("llego", "creara", "queria"),
    # when that accented form is a word and the word as typed is not another one ("estrato").
    if word.endswith("ia") or word.endswith("ian"):
        accented = [word.replace("ia", "ía")]
    elif word.endswith("o"):
        accented = [word[:-1] + "ó"]
    elif word.endswith("a"):
        accented = [word[:-1] + "á"]
    else:
        accented = []
    typed_known = lemmas.is_known(word, "es")
    candidates += [a for a in accented if not typed_known or lemmas.is_known(a, "es")]
    for candidate in candidates:
        lemma = fold(lemmas.lemmatize(candidate, "es"))
        plural = word in (lemma + "s", lemma + "es")  # "hogares" is the noun "hogar"
        if lemma != word and lemma.endswith(_VERB_ENDINGS) and not plural:
            return True
    return word.endswith(("aron", "ieron", "yeron", "aban", "ando", "iendo", "ieran", "aran"))


is_verb_form = _is_verb_form  # for the stages below the frame: the same cached test


def is_verbal(word: str, lang: str) -> bool:
    """A verb form or an infinitive or participle: says what is asked, not what about."""
    return _is_verb_form(word, lang) or _looks_verbal(word)


def _looks_verbal(word: str) -> bool:
    """Infinitives and participles, for words the report never uses ("meter", "elegida"); a
    plural participle is most often a noun ("jubilados") and stays a word to cover."""
    return word.endswith(("ar", "er", "ir", "ado", "ada", "ido", "ida"))


@lru_cache(maxsize=65536)
def _lemma(word: str, lang: str) -> str:
    return fold(lemmas.lemmatize(word, lang))


def salient_terms(
    question: str,
    index: ReportIndex,
    synonyms: dict[str, list[str]],
    question_words: frozenset[str],
    lang: str,
) -> list[Term]:
    """The words of the question that evidence must hold (see the module docstring).

    Three kinds of words say what a question is specifically about: a name the report uses
    (a run of capitalised words of the question found as a phrase in the report, or a word the
    report itself writes as a name: "Perú", "Bloomberg"); and, in a Spanish question, a content
    word the report never uses at all (a qualifier it does not give: "mujeres", "barrio").
    Other words steer the ranking of passages but never gate an answer."""
    background = BACKGROUND_SHARE * max(1, len(index.passages))
    names = _question_names(question, index)
    name_like = _name_like_words(index)
    out: list[Term] = []
    seen: set[str] = set()
    capitals = question_capitals(question)
    acronyms = frozenset(fold(w) for w in re.findall(r"\b[A-ZÁÉÍÓÚÑ]{2,5}\b", question))
    folded = fold(question)
    # A comparison ("por debajo del 70 %") is a constraint the operator applies, not a subject.
    constraint = {w for a, b in threshold_spans(folded) for w in folded[a:b].split()}
    for word in folded.split():
        acronym = word in acronyms
        if word in seen or (len(word) <= 2 and not acronym) or any(ch.isdigit() for ch in word):
            continue
        if word in constraint:
            continue
        seen.add(word)
        if is_stop_word(word) or is_discourse_word(word):
            continue
        term = stem(word)
        if word in question_words or term in question_words or is_form_word(word):
            continue
        if extract_months(word):
            continue  # a month is a constraint the operator applies, not a subject
        alternatives = tuple(a for a in synonyms.get(term, []) if a != term)
        known = [v for v, sim in index.expand_term(term) if sim >= EXPANSION_SIMILARITY]
        known += [a for a in alternatives if a in index.idf]
        if known:
            spread = max(len(index.postings.get(v, ())) for v in known)
            if spread >= background:
                continue  # background of the whole report
            named = word in names or acronym  # "EMI", "BID": a name by its capitals
            if lang != "en" and term in index.idf and term in name_like:
                named = named or spread <= SPECIFIC_PASSAGES
            if lang == "en" and word in capitals:
                # An English question's name ("Seoul") is the report's name ("Seúl").
                named = named or any(v in name_like for v in known)
            if named:
                literal = word in names and lang == "en"
                out.append(Term(stem=term, word=word, alternatives=alternatives, literal=literal))
            continue
        if lang == "en" and word in capitals and len(word) >= 4:
            # A name the English question gives that the report spells its own way ("Seoul",
            # "Seúl"): the evidence must hold it.
            spellings = tuple(
                m[0]
                for m in process.extract(term, name_like, scorer=fuzz.ratio, score_cutoff=85)
                if m[0][:1] == term[:1]
            )
            if spellings:
                out.append(Term(stem=term, word=word, alternatives=alternatives + spellings))
            continue
        if lang == "en" or _is_verb_form(word, lang) or _looks_verbal(word):
            continue
        if (len(word) < 4 and not acronym) or word.endswith("mente"):
            continue
        # "bici" is "bicicleta", "coworking" the report's "CoWork": the same word, cut.
        alternatives = alternatives + _clipped_forms(word, index)
        if acronym:
            # "UE" is the report's "Unión Europea": the initials of a name it writes.
            alternatives = alternatives + _acronym_words(word, index)
        out.append(Term(stem=term, word=word, alternatives=alternatives))
    return out


_NAME_RUN = re.compile(
    r"[A-ZÁÉÍÓÚÑ][\w-]+(?:\s+(?:(?:de|del|la|las|los|y|e)\s+)?[A-ZÁÉÍÓÚÑ][\w-]+){1,5}"
)


def _acronym_words(acronym: str, index: ReportIndex) -> tuple[str, ...]:
    """Stems of the capitalised names of the report whose initials spell the acronym."""
    table: dict[str, set[str]] | None = index.__dict__.get("_initials")
    if table is None:
        table = {}
        for line in index.report.lines:
            for match in _NAME_RUN.finditer(line):
                words = [w for w in match.group().split() if w[:1].isupper()]
                key = fold("".join(w[0] for w in words))
                table.setdefault(key, set()).update(content_tokens(" ".join(words)))
        index.__dict__["_initials"] = table
    return tuple(sorted(table.get(acronym, ())))


def _clipped_forms(word: str, index: ReportIndex) -> tuple[str, ...]:
    """Report words that are this word cut short or that it cuts short (four letters or more
    in common, from the start): colloquial clippings and compounds."""
    if len(word) < 4 or not word.isalpha():
        return ()
    return tuple(
        v
        for v in index.vocabulary
        if len(v) >= 4 and v != word and v[:4] == word[:4]
        and (v.startswith(word) or word.startswith(v))
    )


_CAPITALISED_RUN = re.compile(
    r"[A-ZÁÉÍÓÚÑ][\w'’-]*(?:\s+(?:de|del|la|las|los|y)?\s*[A-ZÁÉÍÓÚÑ][\w'’-]*)*"
)


def _question_names(question: str, index: ReportIndex) -> frozenset[str]:
    """Folded words of the capitalised runs of the question that the report writes as such."""
    words: set[str] = set()
    for match in _CAPITALISED_RUN.finditer(re.sub(r"['’]s\b", "", question)):
        parts = fold(match.group()).split()
        # Every stretch of two or more words of the run that the report writes as a phrase.
        for size in range(len(parts), 1, -1):
            for start in range(len(parts) - size + 1):
                stretch = parts[start : start + size]
                if _writes_phrase(index, stretch):
                    words.update(stretch)
    return frozenset(words)


def _writes_phrase(index: ReportIndex, words: list[str]) -> bool:
    """Does the folded report hold these words in a row? (As `" a b " in folded_text`: the
    folded text is its words joined by single spaces, so a match starts at a word.)"""
    tokens, positions = _report_words(index)
    size = len(words)
    return any(tokens[at : at + size] == words for at in positions.get(words[0], ()))


def _report_words(index: ReportIndex) -> tuple[list[str], dict[str, list[int]]]:
    """The folded report's words in order, and where each word occurs: built once per index."""
    cached = index.__dict__.get("_report_words")
    if cached is None:
        tokens = index.folded_text().split()
        positions: dict[str, list[int]] = {}
        for at, token in enumerate(tokens):
            positions.setdefault(token, []).append(at)
        cached = (tokens, positions)
        index.__dict__["_report_words"] = cached
    return cached


def prepare(index: ReportIndex) -> None:
    """Build what questions read from the report once, with the index, not on a first question."""
    _report_words(index)
    _name_like_words(index)


def _name_like_words(index: ReportIndex) -> frozenset[str]:
    """Stems of words the report writes capitalised inside sentences far more than in lower case:
    its names of people, places, companies and programmes."""
    cached = index.__dict__.get("_name_like")
    if cached is not None:
        return cached
    title: dict[str, int] = {}
    lower: dict[str, int] = {}
    for line in index.report.lines:
        for match in re.finditer(r"(?<=[\w,;)] )([A-Za-zÁÉÍÓÚÑáéíóúñü]{3,})", line):
            word = match.group(1)
            key = stem(fold(word))
            if word[0].isupper() and word[1:].islower():
                title[key] = title.get(key, 0) + 1
            elif word.islower():
                lower[key] = lower.get(key, 0) + 1
    names = frozenset(k for k, n in title.items() if n >= 1 and n >= 3 * lower.get(k, 0))
    index.__dict__["_name_like"] = names
    return names


_LIST_SPLIT = re.compile(r"\s*(?:,|;|\by\b|\be\b)\s*")


def joint_members(sentence: str, word: str) -> list[str] | None:
    """The members of a coordinated list of names ("aportes del Grupo EMI, Grupo Réditos, Globant
    y funcionarios") that holds `word`, when it has three or more: a figure of that sentence is
    the members' figure together, not one member's."""
    folded_word = fold(word)
    for clause in re.split(r"[.:;()]", sentence):
        members = _coordinated(clause, names_only=False)
        if len(members) < 3 or not any(folded_word in fold(m).split() for m in members):
            continue
        if any(ch.isdigit() for m in members for ch in m):
            continue  # "100 mil pruebas, 300 mil guantes…": each item has its own figure
        if sum(1 for m in members if m[:1].isupper()) >= 3:
            return members  # names: "Grupo EMI, Grupo Réditos, Globant y funcionarios"
    return None


def question_capitals(question: str) -> frozenset[str]:
    """Folded words the question writes capitalised after its first word: names it gives."""
    words = re.findall(r"[\w-]+", re.sub(r"['’]s\b", "", question))
    return frozenset(
        fold(w) for w in words[1:] if w[:1].isupper() and (len(w) > 1 or not w.isupper())
    )


def evidence_terms(texts: list[str]) -> frozenset[str]:
    """Index-style terms (stems) of the evidence texts."""
    return frozenset().union(*map(content_terms, texts))  # each text's tokens are cached


def covered(term: Term, evidence: frozenset[str], index: ReportIndex, lang: str) -> bool:
    if term.stem in evidence:
        return True
    if term.literal:
        return any(v in evidence for v, sim in index.expand_term(term.stem) if sim == 1.0)
    if any(a in evidence for a in term.alternatives):
        return True
    if any(v in evidence for v, sim in index.expand_term(term.stem) if sim >= EXPANSION_SIMILARITY):
        return True
    lemma = _lemma(term.word, lang)
    if len(lemma) >= 4 and any(_lemma(e, "es") == lemma for e in evidence if e[:2] == lemma[:2]):
        return True
    if len(term.stem) >= 6:
        return any(
            len(e) >= 6 and fuzz.ratio(term.stem, e) >= FUZZY_COVER
            for e in evidence
            if e[0] == term.stem[0]
        )
    return False


def missing_terms(
    terms: list[Term], evidence: frozenset[str], index: ReportIndex, lang: str
) -> list[Term]:
    return [t for t in terms if not covered(t, evidence, index, lang)]
