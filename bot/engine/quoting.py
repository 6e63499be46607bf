"""How evidence is quoted into an answer: sources, shortened quotes, figures, limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine.answer import Figure, Source
from bot.engine.format import format_figure, format_number
from bot.engine.index import WORD_CASING, Number, Passage, ReportIndex
from bot.engine.normalize import content_tokens, fold
from bot.engine.slots import MONTH_NAMES_EN, MONTH_NAMES_ES
from bot.texts import say as t
from knowledge.text import shorten

if TYPE_CHECKING:
    pass


FIGURE_TEXT_LIMIT = 700
LIST_TEXT_LIMIT = 1500
SUMMARY_SENTENCE_LIMIT = 220
SUMMARY_TEXT_LIMIT = 1900  # longer summaries are paginated by the bot


MONEY_UNITS = {"USD", "COP"}


def _question_words() -> frozenset[str]:
    import yaml

    from bot.engine.catalog import DATA_DIR

    data = yaml.safe_load((DATA_DIR / "question_words.yaml").read_text(encoding="utf-8"))
    words = " ".join(data["words"]["es"] + data["words"]["en"])
    return frozenset(content_tokens(words)) | frozenset(words.split())


MEASURE_WORDS = _question_words()


# ---------------------------------------------------------------------------- small helpers


def source_of(index: ReportIndex, passage: Passage) -> Source:
    return Source(
        section=passage.section,
        title=title_case(passage.section_title),
        quote=shorten(passage.text, 500),
        line=passage.line,
    )


def title_case(title: str) -> str:
    """Section titles are printed in capitals; show them in sentence case, keeping the casing
    the report's own prose uses for names and acronyms ("Sobre la ACI Medellín")."""
    if not title.isupper():
        return title
    words = []
    for position, word in enumerate(title.split()):
        known = WORD_CASING.get(word.lower())
        if known:
            words.append(known)
        elif position == 0:
            words.append(word[:1] + word[1:].lower())
        else:
            words.append(word.lower())
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def unit_from_header(unit_text: str) -> tuple[str | None, str | None]:
    """'Millones de dólares' -> ('USD', 'millones'); 'Porcentaje' -> ('%', None)."""
    folded = fold(unit_text)
    scale = "millones" if "millon" in folded else ("mil" if folded.startswith("mil ") else None)
    if "dolar" in folded:
        return "USD", scale
    if "peso" in folded:
        return "COP", scale
    if "porcentaje" in folded:
        return "%", None
    return (unit_text.strip().lower() or None), scale


def number_figure(number: Number, label: str, lang: str, section: str) -> Figure:
    return Figure(
        label=label,
        value=number.value,
        unit=number.unit,
        scale=number.scale,
        display=format_figure(number.value, number.unit, number.scale, lang, number.raw),
        raw=number.raw,
        section=section,
    )


def criteria_text(
    lang: str, month: int | None, threshold: tuple[str, float] | None, matched: str | None
) -> str:
    parts = []
    if month:
        names = MONTH_NAMES_EN if lang == "en" else MONTH_NAMES_ES
        parts.append(t("in_month", lang, month=names[month - 1]))
    if threshold:
        parts.append(t(f"threshold_{threshold[0]}", lang, value=format_number(threshold[1], lang)))
    if matched:
        parts.append(t("matching", lang, value=matched))
    return "".join(parts)
