"""In-memory passages of a report and a fuzzy inverted index over them.

A passage is what an answer can rest on and quote: a sentence of the prose, a table row, or an
item of an enumeration. The database is the durable store; this index is the hot path, built
once per knowledge version.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.engine.normalize import content_tokens, fold
from bot.engine.slots import MONTH_NAMES_ES
from knowledge.model import ParsedCell, ParsedReport, ParsedSection, ParsedTable
from knowledge.numbers import find_numbers

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[¿¡A-ZÁÉÍÓÚÑ\"“(])")
_LIST_MARK = re.compile(r"^\s*(?:[-•▀]\s+)+")
_BOLD = re.compile(r"\*\*")
_HTML_TAG = re.compile(r"<[^>]+>")
_ITEM_NUMBER = re.compile(r"^\d{2}$")


def clean_text(text: str) -> str:
    """Report text as a reader sees it: no markdown bold, no escapes, no HTML, single spaces."""
    text = _BOLD.sub("", text).replace("\\$", "$")
    text = _HTML_TAG.sub(" ", text).replace("&nbsp;", " ")
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Number:
    raw: str
    value: float
    unit: str | None
    scale: str | None
    column: str | None = None  # header of the table column it sits in
    meaning: str | None = None  # what that column holds, read at ingest ("target", "count"…)


@dataclass
class Passage:
    id: int
    kind: str  # "sentence" | "row" | "item"
    section: str
    section_title: str
    text: str  # what the answer quotes
    line: int
    terms: Counter[str]
    context_terms: set[str]
    numbers: list[Number] = field(default_factory=list)
    subheading: str | None = None
    table_key: str | None = None
    row_index: int | None = None
    cells: list[tuple[str, ParsedCell]] | None = None  # (column header, cell) for rows
    enumeration_key: str | None = None
    has_date: bool = False
    emphasis: bool = False  # bold or all-caps in the report: a highlight
    years: int = 0  # how many distinct years (2020, 2022...) it mentions
    first_in_paragraph: bool = False
    name: str | None = None  # what names a row (its event, project, process cell), once found
    table_role: str | None = None  # the role ingest found for a row's table ("indicators"…)
    meanings: list[str] | None = None  # per cell of a row, its column's meaning
    label_cell: int | None = None  # the cell that names a row (its table's label column)
    total: bool = False  # a total row of its table ("Total Contratos", the sum of the rows below)


_MONTH_WORDS = (*MONTH_NAMES_ES, "sept")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_YEAR_RANGE = re.compile(r"\b(?:19|20)\d\d\s*-\s*(?:19|20)\d\d\b")
_DATE = re.compile(
    r"\b\d{1,2}\s+de\s+(?:" + "|".join(_MONTH_WORDS) + r")|\d{1,2}/\d{1,2}/\d{4}", re.IGNORECASE
)


def _is_heading_line(line: str) -> bool:
    """Short all-caps lines inside a section are sub-headings ("EJECUCIÓN PRESUPUESTAL...")."""
    text = clean_text(line)
    letters = [c for c in text if c.isalpha()]
    return (
        bool(letters)
        and len(text) <= 90
        and all(not c.islower() for c in letters)
        and not text.endswith((".", ","))
        and "\t" not in line
    )


EXPANSION_CACHE_SIZE = 50_000

# How the report's prose writes words that its capitalised headings hide: "ACI", "Medellín",
# "C40". Filled from each indexed report; read by the answer's title formatting.
WORD_CASING: dict[str, str] = {}


def learn_casing(lines: list[str], into: dict[str, str] | None = None) -> None:
    """How the lines write their words, into `into` (the module-wide table by default)."""
    target = WORD_CASING if into is None else into
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        text = clean_text(line)
        if not text or text.isupper():
            continue
        words = re.findall(r"[\wÁÉÍÓÚÑáéíóúñ-]+", text)
        for word in words[1:]:  # a sentence's first word is capitalised anyway
            counts[word.lower()][word] += 1
    for lower, forms in counts.items():
        form, _ = forms.most_common(1)[0]
        if form != lower:
            target.setdefault(lower, form)
            target.setdefault(fold(lower), form)  # as questions are folded: "bogota"


class ReportIndex:
    """Passages of one report, their vocabulary, document frequencies and fuzzy term lookup."""

    def __init__(self, report: ParsedReport) -> None:
        self.report = report
        self.passages: list[Passage] = []
        self.sections: dict[str, ParsedSection] = {s.number: s for s in report.sections}
        self.tables: dict[str, ParsedTable] = {t.key: t for t in report.tables}
        self.subheadings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        learn_casing(report.lines)
        self._table_lines: set[int] = set()
        for table in report.tables:
            self._table_lines.update(range(table.line_start, table.line_end + 1))
        self._build_sentences()
        self._build_rows()
        self._build_items()
        self._build_vocabulary()

    # ------------------------------------------------------------------ building

    def _add(self, **kwargs: object) -> Passage:
        passage = Passage(id=len(self.passages), **kwargs)  # type: ignore[arg-type]
        self.passages.append(passage)
        return passage

    def _section_of_line(self, line_no: int) -> ParsedSection | None:
        best = None
        for section in self.report.sections:
            if section.line_start <= line_no <= section.line_end and (
                best is None or section.line_start >= best.line_start
            ):
                best = section
        return best

    def _paragraphs(self, section: ParsedSection) -> list[tuple[int, str, str | None]]:
        """(first line, text, sub-heading) per paragraph; joins sentences split by a page break."""
        lines = self.report.lines
        paragraphs: list[tuple[int, str, str | None]] = []
        subheading: str | None = None
        start = section.line_start + 1
        # A section's own text ends where the next heading (often its first subsection) starts.
        later = [s.line_start for s in self.report.sections if s.line_start > section.line_start]
        end = min(section.line_end, len(lines), min(later, default=len(lines) + 1) - 1)
        current: list[str] = []
        current_start = start
        for line_no in range(start, end + 1):
            raw = lines[line_no - 1]
            if line_no in self._table_lines or "\t" in raw:
                if current:
                    paragraphs.append((current_start, " ".join(current), subheading))
                    current = []
                continue
            stripped = raw.strip()
            if not stripped:
                if current and not _continues(current[-1], _next_text(lines, line_no)):
                    paragraphs.append((current_start, " ".join(current), subheading))
                    current = []
                continue
            if _ITEM_NUMBER.match(stripped):
                continue
            if _is_heading_line(stripped) and not current and len(clean_text(stripped)) < 60:
                subheading = clean_text(stripped).rstrip(":")
                self.subheadings[section.number].append((subheading, line_no))
                # A heading is also searchable text: "EVENTOS GESTIONADOS PARA LA ALCALDÍA".
            if _LIST_MARK.match(stripped):
                if current:
                    paragraphs.append((current_start, " ".join(current), subheading))
                    current = []
                paragraphs.append((line_no, _LIST_MARK.sub("", stripped), subheading))
                continue
            if not current:
                current_start = line_no
            current.append(stripped)
        if current:
            paragraphs.append((current_start, " ".join(current), subheading))
        return paragraphs

    def _build_sentences(self) -> None:
        for section in self.report.sections:
            title_terms = set(content_tokens(section.title))
            paragraphs = self._paragraphs(section)
            for position, (line_no, paragraph, subheading) in enumerate(paragraphs):
                text = clean_text(paragraph)
                if not text:
                    continue
                bold = [clean_text(b) for b in re.findall(r"\*\*(.+?)\*\*", paragraph, re.S)]
                bold = [b for b in bold if len(b) > 8]
                if text.endswith(":") and not (text.isupper() and len(text) < 60):
                    # "...en los siguientes temas:" is answered by the list that follows it.
                    following = [clean_text(p[1]) for p in paragraphs[position + 1 : position + 7]]
                    text = _join_list(text, following)
                sentences = split_sentences(text)
                previous_terms: set[str] = set()
                head_terms = set(content_tokens(subheading)) if subheading else set()
                for number_in_paragraph, sentence in enumerate(sentences):
                    sentence = sentence.strip()
                    if len(sentence) < 3:
                        continue
                    terms = Counter(content_tokens(sentence))
                    numbers = figures_in(sentence)
                    # A figure's currency is a word of its sentence: "$2.800" is in pesos.
                    terms.update(n.unit.lower() for n in numbers if n.unit in ("USD", "COP"))
                    self._add(
                        kind="sentence",
                        section=section.number,
                        section_title=section.title,
                        text=sentence,
                        line=line_no,
                        terms=terms,
                        context_terms=title_terms | head_terms | previous_terms,
                        numbers=numbers,
                        subheading=subheading,
                        has_date=bool(_DATE.search(sentence)),
                        # "2020-2023" names the plan period; it says nothing of when.
                        years=len(set(_YEAR.findall(_YEAR_RANGE.sub(" ", sentence)))),
                        emphasis=sentence.isupper() or any(b[:40] in sentence for b in bold),
                        first_in_paragraph=number_in_paragraph == 0,
                    )
                    previous_terms = set(terms)

    def _build_rows(self) -> None:
        for table in self.report.tables:
            section = self.sections.get(table.section)
            section_title = section.title if section else ""
            context = set(content_tokens(table.title)) | set(content_tokens(section_title))
            context |= set(content_tokens(" ".join(table.header)))
            meaning = {c.index: c.meaning for c in table.columns}
            for index, row in enumerate(table.rows):
                cells = list(zip(table.header, row.cells, strict=False))
                text = " | ".join(
                    f"{header}: {clean_text(cell.raw)}"
                    for header, cell in cells
                    if cell.raw.strip()
                )
                row_text = " ".join(clean_text(cell.raw) for _, cell in cells)
                meanings = [meaning.get(k, "other") for k in range(len(cells))]
                numbers = [
                    Number(
                        raw=clean_text(cell.raw),
                        value=cell.value,
                        unit=cell.unit,
                        scale=cell.scale,
                        column=header,
                        meaning=meanings[k],
                    )
                    for k, (header, cell) in enumerate(cells)
                    if cell.value is not None
                ]
                for header, cell in cells:
                    # Long text cells hold figures too: "17 estaciones", "500 personas".
                    if cell.value is None and len(cell.raw) > 40:
                        for number in figures_in(clean_text(cell.raw)):
                            number.column = header
                            numbers.append(number)
                self._add(
                    kind="row",
                    section=table.section,
                    section_title=section_title,
                    text=text,
                    line=row.line,
                    # Column names count as the row's own words: "meta" finds the META column.
                    terms=Counter(content_tokens(row_text + " " + " ".join(table.header))),
                    context_terms=context,
                    numbers=numbers,
                    table_key=table.key,
                    row_index=index,
                    cells=cells,
                    has_date=bool(_DATE.search(row_text)),
                    table_role=table.role,
                    meanings=meanings,
                    label_cell=table.label_column,
                    total=row.total,
                )

    def _build_items(self) -> None:
        for enumeration in self.report.enumerations:
            section = self.sections.get(enumeration.section)
            context = set(content_tokens(enumeration.title))
            for item in enumeration.items:
                text = clean_text(
                    f"{item.label}: {item.description}" if item.description else item.label
                )
                self._add(
                    kind="item",
                    section=enumeration.section,
                    section_title=section.title if section else "",
                    text=text,
                    line=item.line,
                    terms=Counter(content_tokens(text)),
                    context_terms=context,
                    numbers=[
                        Number(raw=m.raw, value=m.value, unit=m.unit, scale=m.scale)
                        for m in find_numbers(text)
                    ],
                    enumeration_key=enumeration.key,
                )

    def _build_vocabulary(self) -> None:
        postings: dict[str, list[int]] = defaultdict(list)
        context_postings: dict[str, list[int]] = defaultdict(list)
        for passage in self.passages:
            for term in passage.terms:
                postings[term].append(passage.id)
            for term in passage.context_terms - set(passage.terms):
                context_postings[term].append(passage.id)
        self.postings = dict(postings)
        self.context_postings = dict(context_postings)
        total = len(self.passages) or 1
        vocabulary = set(postings) | set(context_postings)
        self.idf = {
            term: math.log(
                1
                + total
                / (1 + len(postings.get(term, ())) + 0.5 * len(context_postings.get(term, ())))
            )
            for term in vocabulary
        }
        self.max_idf = math.log(1 + total)
        self.vocabulary = sorted(vocabulary)
        self._expansions: dict[str, list[tuple[str, float]]] = {}
        self._positions: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for term in self.vocabulary:
            self.by_length[len(term)].append(term)
        self.by_prefix: dict[str, list[str]] = defaultdict(list)
        for term in self.vocabulary:
            if len(term) >= 5 and term.isalpha():
                self.by_prefix[term[:5]].append(term)
        self._build_letter_counts()

    # ------------------------------------------------------------------ lookup

    def expand_term(self, term: str) -> list[tuple[str, float]]:
        """Vocabulary terms a query term may mean, with a similarity in 0..1 (typos tolerated).

        The index never changes once built, so each term is worked out once (bounded cache)."""
        cached = self._expansions.get(term)
        if cached is None:
            cached = self._expand_term(term)
            if len(self._expansions) < EXPANSION_CACHE_SIZE:
                self._expansions[term] = cached
        return cached

    def _expand_term(self, term: str) -> list[tuple[str, float]]:
        matches = [(term, 1.0)] if term in self.idf else []
        if term.isdigit() or len(term) <= 3 or any(ch.isdigit() for ch in term):
            return matches
        # Typos are small edits (one for short words, two for long ones; a swap counts once).
        allowed = 1 if len(term) <= 7 else 2
        # A short word with a letter more or less is another word ("gano" is not "año"):
        # short words only tolerate a wrong or swapped letter.
        spread = 0 if len(term) <= 5 else allowed
        nearby = self.typo_pool(term, spread, allowed)
        for candidate, distance, _ in process.extract(
            term, nearby, scorer=OSA.distance, score_cutoff=allowed, limit=8
        ):
            # People rarely mistype the first letter of a word ("presidente" is not "residente").
            if candidate != term and candidate[0] == term[0]:
                matches.append((candidate, 1.0 - 0.12 * distance - 0.01))
        if len(term) >= 6 and term.isalpha():
            # Spanish inflections share a stem: "trabajan" ~ "trabajando", "atrajo" ~ "atraer".
            known = {m[0] for m in matches}
            for candidate in self.by_prefix.get(term[:5], ()):
                if candidate not in known and candidate != term:
                    matches.append((candidate, 0.55))
        if not matches and len(term) >= 6:
            # Long compound words ("inverison" typed, "ciudadela" vs "ciudadelas"): prefix match.
            for candidate, _score, _ in process.extract(
                term, self._partial_pool(term), scorer=fuzz.partial_ratio, score_cutoff=92, limit=2
            ):
                if len(candidate) >= len(term) - 2:
                    matches.append((candidate, 0.6))
        return matches

    # A typo search scores a new word against every vocabulary word of about its length (~1 ms
    # in rapidfuzz for a word never seen). Words that cannot reach the score are left out
    # first, by counting shared letters (an edit changes the counts by at most two, so
    # `2 * shared >= len(a) + len(b) - 2 * edits`); the pool keeps the vocabulary's order, so
    # rapidfuzz returns exactly what it returns over the whole vocabulary.

    def _build_letter_counts(self) -> None:
        lengths = np.array([len(w) for w in self.vocabulary], dtype=np.int64)
        # Rows in length order (vocabulary order within a length): a length window is a slice.
        self._by_length_order = np.argsort(lengths, kind="stable")
        self._sorted_lengths = lengths[self._by_length_order]
        ordered = [self.vocabulary[i] for i in self._by_length_order.tolist()]
        columns: dict[str, np.ndarray] = {}
        for row, word in enumerate(ordered):
            for ch in word:
                column = columns.get(ch)
                if column is None:
                    column = columns[ch] = np.zeros(len(ordered), dtype=np.int16)
                column[row] += 1
        self._letter_columns = columns  # letter -> its count in each word, in length order

    def _shared_letters(self, term: str, start: int, end: int) -> np.ndarray:
        """Letters the term shares with each word of rows start:end (length order)."""
        shared = np.zeros(end - start, dtype=np.int16)
        for ch, wanted in Counter(term).items():
            column = self._letter_columns.get(ch)
            if column is not None:
                shared += np.minimum(column[start:end], wanted)
        return shared

    def typo_pool(self, term: str, spread: int, edits: int) -> list[str]:
        """Vocabulary words of the term's length ± spread, shortest first and in vocabulary
        order, less those more than `edits` edits (OSA) away by their letter counts alone."""
        start = int(np.searchsorted(self._sorted_lengths, len(term) - spread, side="left"))
        end = int(np.searchsorted(self._sorted_lengths, len(term) + spread, side="right"))
        if end <= start:
            return []
        shared = self._shared_letters(term, start, end)
        fits = 2 * shared >= len(term) + self._sorted_lengths[start:end] - 2 * edits
        rows = self._by_length_order[start:end][fits]
        vocabulary = self.vocabulary
        return [vocabulary[i] for i in rows.tolist()]

    def _partial_pool(self, term: str) -> list[str]:
        """Vocabulary words (in order) that may reach partial_ratio 92 with the term: the
        shorter string must share at least 85 % of its letters with the longer one (a window
        of at least 0.85 of its length, 92 % alike)."""
        shared = self._shared_letters(term, 0, len(self.vocabulary))
        shorter = np.minimum(self._sorted_lengths, len(term))
        rows = np.sort(self._by_length_order[shared >= 0.84 * shorter])
        vocabulary = self.vocabulary
        return [vocabulary[i] for i in rows.tolist()]

    def term_positions(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Passage ids where the term is the passage's own word, and where it is only context
        (heading, previous sentence), as index arrays."""
        positions = self._positions.get(term)
        if positions is None:
            own = np.array(sorted(set(self.postings.get(term, ()))), dtype=np.int64)
            context = np.array(sorted(set(self.context_postings.get(term, ()))), dtype=np.int64)
            positions = (own, context)
            self._positions[term] = positions
        return positions

    def passages_at(self, line: int | None) -> list[Passage]:
        """The passages that start on a report line (a sentence, a row, an item)."""
        if line is None:
            return []
        by_line = self.__dict__.get("_by_line")
        if by_line is None:
            by_line = defaultdict(list)
            for passage in self.passages:
                by_line[passage.line].append(passage)
            self.__dict__["_by_line"] = by_line
        return by_line.get(line, [])

    def folded_text(self) -> str:
        """The whole report folded, words separated by single spaces (for phrase look-ups)."""
        text = self.__dict__.get("_folded_text")
        if text is None:
            text = " " + fold(" ".join(self.report.lines)) + " "
            self.__dict__["_folded_text"] = text
        return text

    def preceding(self, passage: Passage) -> Passage | None:
        """The passage just before this one, when it is of the same kind, in the same section
        and at most one blank line above (the same paragraph or the one before)."""
        if passage.id == 0:
            return None
        earlier = self.passages[passage.id - 1]
        if earlier.kind != passage.kind or earlier.section != passage.section:
            return None
        return earlier if passage.line - earlier.line <= 2 else None

    def term_idf(self, term: str) -> float:
        return self.idf.get(term, self.max_idf)


_ABBREVIATION = re.compile(r"\b(?:DR|Dr|SR|Sr|SRA|Sra|No|NO|Nro|NRO|S\.A|Ltda|etc)\.$")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; "el DR. Carlos Ríos" does not end a sentence."""
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def figures_in(text: str) -> list[Number]:
    """The figures of a text, leaving out what curated exclusions say is not one (years, names)."""
    excluded = _excluded_spans(text)
    return [
        Number(raw=m.raw, value=m.value, unit=m.unit, scale=m.scale)
        for m in find_numbers(text)
        if not any(start < m.span[1] and m.span[0] < end for start, end in excluded)
    ]


def _excluded_spans(text: str) -> list[tuple[int, int]]:
    from bot.engine.curated import exclusion_patterns

    spans = []
    for pattern in exclusion_patterns():
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    return spans


def _join_list(intro: str, following: list[str], limit: int = 700) -> str:
    """An introducing sentence with the short items after it, as one quotable passage."""
    items: list[str] = []
    for item in following:
        if not item or len(intro) + sum(len(i) + 2 for i in items) + len(item) > limit:
            break
        if re.fullmatch(r"\d+(?:\.\d+)+", item):
            continue  # a section number printed over a table, not an item
        if len(item) > 220 or item.isupper():
            break  # a paragraph of its own, or the next labelled block: not a list item
        items.append(item.rstrip("."))
    # " · " keeps the items in one quotable passage (";" would split them into sentences).
    return f"{intro} {' · '.join(items)}." if items else intro


def _next_text(lines: list[str], line_no: int) -> str:
    for following in lines[line_no : line_no + 4]:
        if following.strip():
            return following.strip()
    return ""


def _continues(previous: str, following: str) -> bool:
    """A paragraph split by a page break: no closing punctuation, next starts in lowercase."""
    previous = previous.rstrip("* ")
    return (
        bool(previous)
        and bool(following)
        and previous[-1] not in '.:;!?»"'
        and following[0].islower()
    )
