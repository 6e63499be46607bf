"""The answer engine: question → normalize → match intent and slots → query → `Answer`.

Everything is computed from reports held in memory (loaded once from the store) and the curated
data under knowledge/data; nothing here knows about Telegram or SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel

from bot.engine import queries, quoting, reports, summaries, tables
from bot.engine.answer import Answer
from bot.engine.catalog import Intent, IntentMatcher
from bot.engine.context import ConversationContext
from bot.engine.coverage import asks_quantity, is_form_word, prepare, strip_discourse, warm_up
from bot.engine.curated import Discrepancy, load_discrepancies, load_synonyms
from bot.engine.derived import catalog_for
from bot.engine.gate import gate_answer
from bot.engine.index import WORD_CASING, ReportIndex, learn_casing
from bot.engine.normalize import detect_language, fold, is_meaningless, use_identity_words
from bot.engine.retrieval import query_terms, search
from bot.engine.slots import Slots, extract_slots, without_operators
from bot.texts import say as t
from knowledge.ingest.report import organisation_of
from knowledge.model import ParsedReport

MAX_QUESTION_CHARS = 1000
_casing_owner: int | None = None  # the engine whose reports' casing WORD_CASING holds
_FOLLOW_UP = re.compile(
    r"^(?:y|e|and|what about|how about|y que tal|y en|y la|y el|y los|y las|and the|and in)\b"
)
_COUNT_ASKED = re.compile(r"\b(?:cuantos|cuantas|how many)\s+\w+")
_DAY_OF_MONTH = re.compile(r"\b\d{1,2} de [a-z]+")
_TO_ENGLISH = re.compile(r"\b(?:in english|en ingles|english please)\b")
_TO_SPANISH = re.compile(r"\b(?:en espanol|in spanish|en castellano)\b")


class EngineReply(BaseModel):
    answer: Answer
    context: ConversationContext


@dataclass
class Request:
    """A question on its way through the engine: text, language, slots and the report to use."""

    question: str
    folded: str
    lang: str
    slots: Slots
    index: ReportIndex
    report_id: str
    # A follow-up ("¿y la meta?") refines the previous answer: its lead figure anchors the search.
    anchor: float | None = None


class Engine:
    """Answers questions from reports held in memory (loaded once from the store)."""

    def __init__(self, reports: list[ParsedReport]) -> None:
        if not reports:
            raise ValueError("the engine needs at least one report")
        self.reports = {r.report_id: r for r in reports}
        self.identity = identity_words(reports)
        use_identity_words(self.identity)  # before anything tokenises the reports
        self.synonyms = load_synonyms(reports)  # before the indexes: they read it too
        self.indexes = {r.report_id: ReportIndex(r) for r in reports}
        # The casing of these reports' own prose, no other engine's; learnt apart, so an engine
        # answering meanwhile (a reload builds the new one while the old one answers) never
        # sees the table emptied.
        self._casing: dict[str, str] = {}
        for report in reports:
            learn_casing(report.lines, self._casing)
        global _casing_owner
        _swap_casing(self._casing)
        _casing_owner = id(self)
        self.latest_report_id = max(reports, key=lambda r: r.year).report_id
        warm_up()
        for index in self.indexes.values():
            prepare(index)
        self.matcher = IntentMatcher(catalog_for(reports))
        self.discrepancies: list[Discrepancy] = load_discrepancies(reports)
        self._topics: dict[str, list[str]] = {}

    # ------------------------------------------------------------------ public API

    def ask(self, question: str, context: ConversationContext | None = None) -> EngineReply:
        self.activate()
        context = context or ConversationContext()
        question = (question or "").replace("\x00", " ")
        truncated = len(question) > MAX_QUESTION_CHARS
        question = strip_discourse(question[:MAX_QUESTION_CHARS])
        lang = detect_language(question)
        effective = question
        anchor: float | None = None
        folded = fold(question)
        if context.last_question and _TO_ENGLISH.search(folded) and len(folded.split()) <= 5:
            effective, lang = context.last_question, "en"
            anchor = _as_float(context.slots.get("figure"))
        elif context.last_question and _TO_SPANISH.search(folded) and len(folded.split()) <= 5:
            effective, lang = context.last_question, "es"
            anchor = _as_float(context.slots.get("figure"))
        elif context.last_question and self._is_follow_up(folded):
            effective = self._merge_follow_up(question, context)
            anchor = _as_float(context.slots.get("figure"))
            if detect_language(question) == "es" and context.lang == "en":
                lang = "es"
            elif not any(ch.isalpha() for ch in question if ord(ch) > 127):
                lang = detect_language(question) if len(folded.split()) > 3 else context.lang
        answer = self._answer(effective, lang, anchor)
        if truncated:
            answer.notes.insert(0, t("too_long", lang))
            answer.text = f"{t('too_long', lang)}\n{answer.text}"
        new_context = ConversationContext(
            last_question=effective if answer.status == "answered" else context.last_question,
            intent=answer.intent,
            lang=answer.lang,
            report_id=answer.report_id,
            turn=context.turn + 1,
            slots={"figure": answer.figures[0].value}
            if answer.status == "answered" and answer.figures
            else dict(context.slots),
        )
        return EngineReply(answer=answer, context=new_context)

    def activate(self) -> None:
        """This engine's reports define the words that weigh nothing and how titles are cased
        (module-wide state: another engine built in the same process must not lend its own)."""
        global _casing_owner
        use_identity_words(self.identity)
        if _casing_owner != id(self):
            _swap_casing(self._casing)
            _casing_owner = id(self)

    def section_answer(self, number: str, lang: str = "es") -> Answer:
        self.activate()
        request = self._request(f"seccion {number}", lang)
        return reports.name_answer(self, summaries.section_summary(request, number, self))

    def search(self, text: str, lang: str = "es", limit: int = 5) -> Answer:
        self.activate()
        request = self._request(text, lang)
        return reports.name_answer(self, queries.search_answer(request, self, limit=limit))

    def topics(self, lang: str = "es") -> list[str]:
        """Human-readable topics the engine knows, for suggestions and pick-one buttons."""
        self.activate()
        cached = self._topics.get(lang)
        if cached is None:  # the reports and the catalog never change once loaded
            cached = reports.topic_labels(self.reports[self.latest_report_id], lang,
                                          self.matcher.intents)
            self._topics[lang] = cached
        return list(cached)

    def years(self) -> list[int]:
        return sorted(r.year for r in self.reports.values())

    # ------------------------------------------------------------------ routing

    def _request(self, question: str, lang: str, report_id: str | None = None) -> Request:
        report_id = report_id or self.latest_report_id
        return Request(
            question=question,
            folded=fold(question),
            lang=lang,
            slots=extract_slots(question),
            index=self.indexes[report_id],
            report_id=report_id,
        )

    def _answer(self, question: str, lang: str, anchor: float | None = None) -> Answer:
        if not question.strip():
            return self._finish(queries.help_answer(self, lang, key="empty"), lang, None)
        if is_meaningless(question):
            return self._finish(queries.help_answer(self, lang, key="meaningless"), lang, None)
        compared = reports.compare_years(self, question, lang)
        if compared is not None:
            return self._finish(compared, lang, None)
        request = self._request(question, lang, reports.route(self, question))
        request.anchor = anchor
        answer = self._route(request)
        return self._finish(answer, lang, request)

    def _route(self, request: Request) -> Answer:
        slots = request.slots
        foreign_years = [y for y in slots.years if y not in self.years()]
        if slots.section:
            return summaries.section_summary(request, slots.section, self)

        matches = self.matcher.match(request.question)
        best = matches[0] if matches else None
        # A list question ("¿qué sectores…?") may name its topic loosely.
        threshold = 60 if slots.wants_list else 70
        handler = best.intent.handler if best and best.score >= threshold else None

        if foreign_years and not self._year_in_report(request, foreign_years):
            return queries.year_not_found(request, foreign_years[0], self)
        if handler == "help" and best and best.score >= 90 and len(request.folded.split()) <= 6:
            return queries.help_answer(self, request.lang)
        if handler == "discrepancies" and best and best.score >= 80:
            return queries.discrepancies_answer(request, self)
        if slots.wants_summary and not _asks_figure(request):
            summary = summaries.topic_summary(request, self)
            return summary or queries.retrieval_answer(request, self, intent_hint=None)
        asks_figure = slots.measure is not None and not slots.wants_list
        if handler == "enumeration" and best and not asks_figure:
            answer = tables.enumeration_answer(request, best.intent, self)
            if answer is not None:
                return answer
        if handler == "indicators" and best:
            answer = tables.indicators_answer(request, best.intent, self)
            if answer is not None:
                return answer
        if best and best.intent.handler == "table" and best.score >= 60:
            # Equal scores: the narrower table ("eventos propios") over the broader ("eventos").
            tied = [m for m in matches if m.intent.handler == "table" and m.score >= best.score - 1]
            best = min(tied, key=lambda m: len(m.intent.targets))
            answer = tables.table_answer(request, best.intent, self)
            if answer is not None:
                return answer
        answer = self._table_from_evidence(request)
        if answer is not None:
            return answer
        return queries.retrieval_answer(request, self, intent_hint=best)

    def _table_from_evidence(self, request: Request) -> Answer | None:
        """A question with a table operator (largest, smallest, total, threshold, month) whose
        best evidence is rows of one table: the operator runs over that table's rows."""
        slots = request.slots
        # "al 15 de diciembre" is a date (a cut-off), not a month to filter by.
        month_filter = bool(slots.months) and not _DAY_OF_MONTH.search(request.folded)
        if not (slots.superlative or slots.threshold or month_filter):
            return None
        # The comparison ("más de 100", "pasan de 115 millones") is the operator's, not words
        # the rows must hold.
        terms = [
            term
            for term in query_terms(without_operators(request.folded), self.synonyms)
            if not is_form_word(term[0])
        ]
        hits = search(
            request.index,
            terms,
            limit=5,
            kinds=("row",),
            ignore=quoting.MEASURE_WORDS,
            english=request.lang == "en",
        )
        if not hits or hits[0].score < queries.ANSWER_THRESHOLD:
            return None
        key = hits[0].passage.table_key
        table = request.index.tables.get(key or "")
        if table is None:
            return None
        title = table.title or request.index.sections[table.section].title
        intent = Intent(
            id=f"table.{key}", handler="table", targets=(table.key,), label_es=title,
            label_en=title, phrasings=(),
        )
        return tables.table_answer(request, intent, self)

    def _year_in_report(self, request: Request, years: list[int]) -> bool:
        """A year the report mentions as a date of its own content (a 2021 webinar, 2050 goals)."""
        # The passage must be about the question's topic, not merely mention the year.
        year_words = {str(y) for y in years}
        terms = [t for t in query_terms(request.question, self.synonyms) if t[0] not in year_words]
        hits = search(request.index, terms, limit=3, ignore=quoting.MEASURE_WORDS)
        return any(
            hit.score >= 0.6 and any(str(y) in hit.passage.text for y in years) for hit in hits
        )

    def _finish(self, answer: Answer, lang: str, request: Request | None) -> Answer:
        answer.lang = "en" if lang == "en" else "es"
        if request is not None:
            answer.report_id = request.report_id
            if answer.status == "answered":
                answer = gate_answer(answer, request, self.synonyms)
            if answer.status == "answered":
                queries.attach_discrepancies(answer, request, self)
        if answer.status != "answered" and not answer.suggestions:
            answer.suggestions = queries.suggestions_for(request, self, lang)
        reports.name_answer(self, answer)
        return self.add_pages(answer)

    def add_pages(self, answer: Answer) -> Answer:
        """Sources of a report read from a PDF name their page (by line, else by section)."""
        report = self.reports.get(answer.report_id or self.latest_report_id)
        if report is None:
            return answer
        for source in answer.sources:
            if source.page is None:
                section = report.section(source.section)
                source.page = report.page_of(source.line) or (section.page if section else None)
        return answer

    # ------------------------------------------------------------------ follow-ups

    @staticmethod
    def _is_follow_up(folded: str) -> bool:
        words = folded.split()
        return bool(_FOLLOW_UP.match(folded)) and len(words) <= 6

    def _merge_follow_up(self, question: str, context: ConversationContext) -> str:
        """Re-ask the previous question with what the follow-up changes (measure, month...)."""
        previous = context.last_question or ""
        new_slots = extract_slots(question)
        merged = previous
        if new_slots.months:
            month_words = [w for w in fold(previous).split() if _is_month_word(w)]
            merged = " ".join(w for w in fold(previous).split() if w not in month_words)
            if True:
                merged = f"{merged} {' '.join(_month_names(new_slots.months))}"
        rest = _FOLLOW_UP.sub("", fold(question)).strip()
        if rest and not new_slots.months:
            if _COUNT_ASKED.search(rest):
                # "¿y a cuántas familias?" after "¿cuántos trajes donó Seúl?": the new count
                # replaces the old one, the subject stays.
                merged = _COUNT_ASKED.sub(" ", fold(merged))
            merged = f"{merged} {rest}"
        return merged


def identity_words(reports: list[ParsedReport]) -> frozenset[str]:
    """The words of each report's organisation, from its title ("ACI Medellín"): every passage
    is about them, so they weigh nothing in matching."""
    words = set()
    for report in reports:
        words.update(w for w in fold(organisation_of(report.title)).split() if len(w) > 1)
    return frozenset(words)


def _swap_casing(casing: dict[str, str]) -> None:
    """Make the module-wide casing table this one, never empty on the way."""
    WORD_CASING.update(casing)
    for word in WORD_CASING.keys() - casing.keys():
        WORD_CASING.pop(word, None)


def _as_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


_ASKS_SUMMARY = re.compile(
    r"\b(?:resumen de|resumes?|resumeme|resumame|resumir|summary of|summarize|summarise|"
    r"overview of|de que (?:se )?trata)\b"
)
_ASKS_DEEDS = re.compile(r"\b(?:que ha hecho|que hizo|que se hizo|que hicieron)\b")


def _asks_figure(request: Request) -> bool:
    """'según el resumen ejecutivo, ¿de cuánto fue…?' names a summary but asks a figure; so
    does '¿cuánto valía la donación que hizo…?' (a how-much question is answered by a figure
    unless it asks for a summary in so many words)."""
    if _ASKS_SUMMARY.search(request.folded):
        return False
    if asks_quantity(request.question):
        return True
    return request.slots.measure is not None and not _ASKS_DEEDS.search(request.folded)


def _is_month_word(word: str) -> bool:
    from bot.engine.slots import MONTH_ABBREVIATIONS, MONTHS

    return word in MONTHS or word in MONTH_ABBREVIATIONS


def _month_names(months: list[int]) -> list[str]:
    from bot.engine.slots import MONTH_NAMES_ES

    return [MONTH_NAMES_ES[m - 1] for m in months]
