"""Reading a table row: its name, and an indicator row's target, result and share."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.engine.answer import Figure
from bot.engine.format import format_figure, format_number, format_share
from bot.engine.index import Passage, clean_text
from bot.engine.normalize import content_tokens, fold
from bot.engine.quoting import shorten, unit_from_header
from bot.texts import say as t
from knowledge.model import ParsedCell

if TYPE_CHECKING:
    pass


# Words that ask for the indicators as such; the table's own title words are added per table.
INDICATOR_WORDS = frozenset(
    content_tokens(
        "indicador indicadores meta metas avance cual era sus y de la "
        "target targets indicator indicators progress and are what"
    )
)


class _Indicator:
    def __init__(self, line: str, figure: Figure, short: str) -> None:
        self.line = line
        self.figure = figure
        self.short = short  # one compact line for summaries


def indicator_parts(passage: Passage, lang: str) -> _Indicator | None:
    # The columns by the meaning ingest read from their headers (knowledge/data/table_roles.yaml).
    by_meaning: dict[str, tuple[str, ParsedCell]] = {}
    for (header, cell), meaning in zip(passage.cells or [], passage.meanings or [], strict=False):
        by_meaning.setdefault(meaning, (fold(header), cell))
    name = _cell(by_meaning, "label")
    unit_cell = _cell(by_meaning, "unit")
    target = _cell(by_meaning, "target")
    progress = _cell(by_meaning, "result")
    if name is None or target is None or progress is None:
        return None
    unit, scale = unit_from_header(unit_cell.raw if unit_cell else "")
    progress_unit = "%" if progress.raw.strip().endswith("%") else unit
    target_display = format_figure(target.value, unit, scale, lang, target.raw)
    progress_display = format_figure(progress.value, progress_unit, scale, lang, progress.raw)
    share = None
    verdict = ""
    if target.value and progress.value is not None and progress_unit == unit:
        share = format_share(progress.value, target.value, lang)
        if progress.value > target.value:
            verdict = t("target_met", lang)
        elif progress.value == target.value:
            verdict = t("target_reached", lang)
        else:
            verdict = t("target_missed", lang)
    cutoff = _cutoff_from_header(by_meaning["result"][0])
    label = clean_text(name.raw)
    line = (
        f"{label}: {t('target', lang)} {target_display}; {t('progress', lang)} {progress_display}"
    )
    if cutoff:
        line += f" ({cutoff})"
    if share:
        line += "; " + t(
            "share_of_target",
            lang,
            share=share,
            value=format_number(progress.value or 0, lang),
            target=format_number(target.value or 0, lang),
        )
        line += f". {verdict}"
    figure = Figure(
        label=label,
        value=progress.value,
        unit=progress_unit,
        scale=scale,
        display=progress_display,
        raw=progress.raw,
        target=target_display,
        share_of_target=share,
        cutoff=cutoff,
        section=passage.section,
        computed_from=[target.raw, progress.raw] if share else [],
    )
    short = f"{shorten(label, 90)}: {progress_display} ({t('target', lang)} {target_display})"
    return _Indicator(line, figure, short)


def _cell(by_meaning: dict[str, tuple[str, ParsedCell]], meaning: str) -> ParsedCell | None:
    found = by_meaning.get(meaning)
    return found[1] if found else None


def _cutoff_from_header(folded_header: str) -> str | None:
    match = re.search(r"al (\d{1,2} de [a-z]+ de \d{4})", folded_header)
    return match.group(1) if match else None


def row_name(passage: Passage) -> str:
    if passage.name is None:
        passage.name = _find_row_name(passage)
    return passage.name


def _find_row_name(passage: Passage) -> str:
    if not passage.cells:
        return passage.text
    # The table's label column (found at ingest) names the row; else its first cell.
    k = passage.label_cell
    if k is not None and k < len(passage.cells):
        return clean_text(passage.cells[k][1].raw)
    return clean_text(passage.cells[0][1].raw)
