"""/donaciones: each donation or contribution the report names, as a list of donor, what was
given, amount and section.

Found by rules over the report's own text: the sentences of the sections that speak of
donations ("donación", "donó") whose verb is one of giving or receiving, and the rows of the
cooperation tables that say "donación". The donor is read from the sentence ("por parte de X",
"aportes de X", "X donó ..."); the amounts are the figures ingest found in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands.base import Call
from bot.engine import operators
from bot.engine.answer import Figure, Source
from bot.reply import Reply
from bot.report_tables import clean_cell, row_quote, section_title, shorten
from knowledge.numbers import find_numbers
from knowledge.text import clean, fold, sentences

DONATION_STEM = re.compile(r"\bdon(?:ac|ad|o\b|aron|ar\b|at)")
GIVING = re.compile(
    r"\b(?:don\w*|entreg\w*|destin\w*|ha recibido|aportes? del?|consecucion|puso a disposicion)\b"
)
_ACRONYM = re.compile(r"\(([A-ZÁÉÍÓÚÑ]{2,})\)")
_DONOR_AFTER = re.compile(
    r"(?:por parte de|de parte de|provenientes de|gracias a los aportes del?|aportes del?)\s+"
    r"(?:la |el |los |las )?(?P<who>.+?)(?=\s+(?:para|que|con|en|a)\s|[.;:]|$)",
    re.IGNORECASE,
)
_DONOR_BEFORE = re.compile(
    r"(?:^|,\s*|\by\s+)(?:por su parte,?\s+)?(?:y\s+)?(?:el|la|los|las)?\s*"
    r"(?P<who>(?-i:[A-ZÁÉÍÓÚÑ])[^,;]{1,80}?)\s*(?:\([^)]*\))?,?\s+(?:también\s+)?"
    r"(?:DON[ÓO]|ENTREG[ÓO]|DESTIN[ÓO]|puso a disposición|facilitó)",
    re.IGNORECASE,
)
WHAT_LIMIT = 170
DONOR_LIMIT = 80


@dataclass(frozen=True)
class Donation:
    donor: str
    what: str
    amounts: tuple[str, ...]
    section: str
    line: int
    quote: str


def donations(call: Call) -> list[Donation]:
    report = call.report
    found: list[Donation] = []
    for section in report.sections:
        stems = len(DONATION_STEM.findall(fold(section.text)))
        if not stems:
            continue
        line = section.line_start
        for offset, raw_line in enumerate(report.lines[section.line_start - 1 : section.line_end]):
            text = clean(raw_line)
            if "\t" in raw_line or not text:
                continue
            for start, end in sentences(text):
                sentence = text[start:end].strip()
                folded = fold(sentence)
                # A donation sentence says so, or (in a section about donations) says who gave
                # what with a verb of giving and a figure.
                named = bool(DONATION_STEM.search(folded))
                giving = bool(GIVING.search(folded))
                amounts = _amounts(sentence)
                if not (named or (giving and stems >= 2 and amounts)):
                    continue
                donor = _donor(sentence)
                if not donor and not amounts:
                    continue
                found.append(
                    Donation(donor, sentence, amounts, section.number, line + offset, sentence)
                )
    for row in operators.rows_of(operators.tables_of(report, "cooperation_projects")):
        if DONATION_STEM.search(fold(row.name)):
            partner = clean_cell(row.row.cells[-1].raw) if row.row.cells else ""
            amounts = _amounts(row.name)
            quote = row_quote(row.table, row.row)
            found.append(Donation(partner, row.name, amounts, row.table.section, row.line, quote))
    return found


def _amounts(text: str) -> tuple[str, ...]:
    """Figures with what they count or a currency ("COP $156 millones", "200 CABINAS"); bare
    numbers (the 19 of "COVID-19") are not amounts."""
    return tuple(n.raw for n in find_numbers(text) if n.unit or n.scale)


def _donor(sentence: str) -> str:
    for pattern in (_DONOR_AFTER, _DONOR_BEFORE):
        match = pattern.search(sentence)
        if match:
            who = " ".join(match.group("who").split()).strip(" ,.")
            if who and len(who) <= DONOR_LIMIT * 2:
                return who
    acronym = _ACRONYM.search(sentence)
    return acronym.group(1) if acronym else ""


def donaciones(call: Call) -> Reply:
    items = donations(call)
    if not items:
        return call.reply(call.answer(call.say("no_donations"), "not_found"))
    lines = [call.say("donations_head", n=len(items))]
    figures, sources = [], []
    for item in items:
        parts = []
        if item.donor:
            parts.append(f"{call.say('donor')} {shorten(item.donor, DONOR_LIMIT)}")
        if item.amounts:
            parts.append(f"{call.say('amount')}: {', '.join(item.amounts)}")
        parts.append(f"§{item.section}")
        lines.append(f"• {shorten(item.what, WHAT_LIMIT)} ({'; '.join(parts)})")
        for amount in item.amounts[:1]:
            figures.append(
                Figure(
                    label=item.donor or shorten(item.what, 60),
                    display=amount,
                    raw=amount,
                    section=item.section,
                )
            )
        sources.append(
            Source(
                section=item.section,
                title=section_title(call.report, item.section),
                quote=item.quote,
                line=item.line,
            )
        )
    return call.answered(
        call.answer("\n".join(lines), kind="list", figures=figures, sources=sources)
    )
