"""parse_report: the report text in, a ParsedReport out. Pure: no database, no network.

Structure comes from the text by general rules (sections, tables, facts, lists, contradictions);
the report's identity (organisation, year, id) from its title. A per-report overlay
(knowledge/overlays) may name lists and add what the rules miss; it applies only to the report
it was written for and a stale entry is skipped with a warning, never an error.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from pathlib import Path

from bot.errors import IngestError
from knowledge import curated as curated_data
from knowledge import overlays
from knowledge.ingest.contradictions import find_contradictions
from knowledge.ingest.enumerations import FoundList, find_lists, inline_items
from knowledge.ingest.facts import extract_facts
from knowledge.ingest.sections import parse_sections, parse_toc, section_at
from knowledge.ingest.tables import parse_tables
from knowledge.model import (
    ContradictionSide,
    ParsedContradiction,
    ParsedEnumeration,
    ParsedReport,
    ParsedSection,
)
from knowledge.text import clean, fold, is_blank, split_lines

log = logging.getLogger("knowledge.ingest")
DEFAULT_SOURCE_NAME = "informe.md"
# General words of report titles: what the organisation's name is not.
_TITLE_WORDS = ("informe de gestion", "informe anual de gestion", "informe anual", "informe",
                "annual report", "management report", "report", "memoria anual", "memoria",
                "rendicion de cuentas")


def is_pdf(path: str | Path, data: bytes | None = None) -> bool:
    """A report given as PDF: by its name, or by its first bytes."""
    if Path(path).suffix.lower() == ".pdf":
        return True
    return data is not None and data[:5] == b"%PDF-"


def read_report_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError(f"No existe el archivo del informe: {p}") from exc
    except OSError as exc:
        raise IngestError(f"No se pudo leer el archivo del informe {p}: {exc.strerror}") from exc


def source_sha256(path: str | Path) -> str:
    """What identifies a report file in the store: a PDF by its bytes (so checking it never
    parses it), a text by its decoded text."""
    data = read_report_bytes(path)
    if is_pdf(path, data):
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha256(_decode(Path(path), data).encode("utf-8")).hexdigest()


def read_report(path: str | Path) -> tuple[str, str]:
    """(text, source digest) of a report file, read once; see `source_sha256`."""
    p = Path(path)
    data = read_report_bytes(p)
    if is_pdf(p, data):
        from knowledge.ingest.pdf import pdf_to_text

        return pdf_to_text(data, p.name), hashlib.sha256(data).hexdigest()
    text = _decode(p, data)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_report_file(path: str | Path) -> str:
    """The report text; IngestError (one line) when missing, unreadable or not UTF-8.

    A PDF (by name or content) is converted to the same text form (knowledge/ingest/pdf.py),
    with a form feed where each page starts.
    """
    p = Path(path)
    data = read_report_bytes(p)
    if is_pdf(p, data):
        from knowledge.ingest.pdf import pdf_to_text

        return pdf_to_text(data, p.name)
    return _decode(p, data)


def _decode(p: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")  # editors may add a BOM
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"El archivo del informe {p} no es texto UTF-8 válido (byte {exc.start})") from exc


# ----------------------------------------------------------------------------- identity

_YEAR_RE = re.compile(r"(?<![\d-])(?:19|20)\d{2}(?![\d-])")
_PERIOD_RE = re.compile(r"\b(?:19|20)\d{2}\s*[-–/]\s*(?:19|20)\d{2}\b")


def title_year(title: str) -> int | None:
    """The report's year: the last lone year of its title ("2020-2023" is a plan period)."""
    text = _PERIOD_RE.sub(" ", title)
    years = _YEAR_RE.findall(text)
    return int(years[-1]) if years else None


def organisation_of(title: str) -> str:
    """"INFORME DE GESTIÓN ACI MEDELLÍN 2020" -> "ACI MEDELLÍN": the title without its general
    words, years and periods."""
    text = _PERIOD_RE.sub(" ", title)
    text = _YEAR_RE.sub(" ", text)
    words = text.split()
    folded = [fold(w) for w in words]
    for phrase in sorted(_TITLE_WORDS, key=len, reverse=True):
        n = len(phrase.split())
        for i in range(len(folded) - n + 1):
            if " ".join(folded[i:i + n]) == phrase:
                words, folded = words[:i] + words[i + n:], folded[:i] + folded[i + n:]
                break
    while words and fold(words[0]) in {"de", "del", "la", "el", "of", "the", "-", ""}:
        words, folded = words[1:], folded[1:]
    while words and fold(words[-1]) in {"de", "del", "la", "el", "of", "the", "-", ""}:
        words, folded = words[:-1], folded[:-1]
    return " ".join(words).strip(" -–:,")


def report_id_for(title: str) -> str:
    """"aci-medellin-2020": organisation and year of the title, as a store id."""
    year = title_year(title)
    org = unicodedata.normalize("NFKD", organisation_of(title))
    org = "".join(c for c in org if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", org).strip("-")[:50] or "informe"
    return f"{slug}-{year}" if year else slug


def _title(lines: list[str], stop: int) -> tuple[str, int]:
    head = [clean(line) for line in lines[:stop] if not is_blank(line)][:2]
    if not head:
        raise IngestError("El texto no tiene estructura de informe: falta el título")
    title = head[0]
    if len(head) > 1 and re.fullmatch(r"(?:19|20)\d{2}", head[1]):
        title = f"{title} {head[1]}"
    year = title_year(title)
    if year is None:
        raise IngestError(f"No se encontró el año en el título del informe: «{title}»")
    return title, year


def identify_file(path: str | Path) -> str | None:
    """The report id a file's title gives, or None when it cannot be read or has no title."""
    try:
        lines = split_lines(read_report_file(path))
        toc = parse_toc(lines)
        title, _ = _title(lines, toc.start if toc.chapters else len(lines))
    except IngestError:
        return None
    return report_id_for(title)


def _heading_lines(lines: list[str], sections: list[ParsedSection]) -> set[int]:
    """0-based lines of every heading and title line: not prose."""
    skip: set[int] = set()
    for s in sections:
        i = s.line_start - 1
        skip.add(i)
        if clean(lines[i]) == s.number or re.fullmatch(r"\d{2}", clean(lines[i])):
            j = i + 1
            while j < len(lines) and is_blank(lines[j]):
                j += 1
            skip.add(j)
    return skip


# ----------------------------------------------------------------------------- overlay


def _apply_lists(overlay: overlays.Overlay, found: list[FoundList], lines: list[str],
                 index: curated_data.QuoteIndex, sections: list[ParsedSection],
                 warnings: list[str]) -> list[ParsedEnumeration]:
    enumerations = [f.enumeration for f in found]
    taken: set[str] = set()
    numbers = {s.number for s in sections}
    for entry in overlay.lists:
        if entry.section not in numbers:
            overlays.warn(overlay, f"list '{entry.key}'", f"no section {entry.section}", warnings)
            continue
        match = next((f for f in found if f.enumeration.section == entry.section
                      and f.enumeration.key not in taken
                      and (entry.quote is None
                           or clean(entry.quote).rstrip(":") in f.intro)), None)
        if match is None and entry.kind == "inline":
            inline = _inline_list(overlay, entry, lines, index, sections, warnings)
            if inline is not None:
                enumerations.append(inline)
            continue
        if match is None:
            overlays.warn(overlay, f"list '{entry.key}'", "no such list in the text", warnings)
            continue
        taken.add(match.enumeration.key)
        match.enumeration.key, match.enumeration.title = entry.key, entry.title
    return enumerations


def _inline_list(overlay: overlays.Overlay, entry: overlays.ListEntry, lines: list[str],
                 index: curated_data.QuoteIndex, sections: list[ParsedSection],
                 warnings: list[str]) -> ParsedEnumeration | None:
    """A list the rules cannot see: "intro a, b y c." after the entry's verbatim anchor."""
    at = index.line_of(entry.quote or "\x00")
    where = section_at(sections, at) if at else None
    if at is None or where is None or where.number != entry.section:
        overlays.warn(overlay, f"list '{entry.key}'", "its anchor is not in the text", warnings)
        return None
    text = clean(lines[at - 1])
    lead = text.find(clean(entry.quote or ""))
    end = lead + len(clean(entry.quote or ""))
    items = inline_items(text, end, at) if lead >= 0 else []
    if len(items) < 2:
        overlays.warn(overlay, f"list '{entry.key}'", "no items after its anchor", warnings)
        return None
    return ParsedEnumeration(key=entry.key, title=entry.title, section=entry.section,
                             items=items)


def _apply_contradictions(overlay: overlays.Overlay, index: curated_data.QuoteIndex,
                          sections: list[ParsedSection], table_keys: set[str],
                          warnings: list[str]) -> list[ParsedContradiction]:
    out = []
    for entry in overlay.contradictions:
        sides: list[ContradictionSide] = []
        for side in entry.sides:
            at = index.line_of(side.quote)
            where = section_at(sections, at) if at else None
            if where is None or where.number != side.section:
                why = (f"«{side.quote[:80]}» is not in the text" if at is None
                       else f"«{side.quote[:80]}» is not in section {side.section}")
                overlays.warn(overlay, f"contradiction '{entry.id}'", why, warnings)
                break
            if side.value is not None and side.value not in clean(side.quote):
                overlays.warn(overlay, f"contradiction '{entry.id}'",
                              f"value {side.value} not in its quote", warnings)
                break
            table = side.table if side.table in table_keys else None
            sides.append(ContradictionSide(quote=clean(side.quote), section=side.section,
                                           line=at, value=side.value or "", table=table))
        else:
            out.append(ParsedContradiction(
                key=entry.id, rule="overlay", subject=entry.topic[0] if entry.topic else entry.id,
                keywords=[fold(k) for k in entry.topic], description_es=entry.description_es,
                description_en=entry.description_en, sides=sides))
    return out


# ----------------------------------------------------------------------------- entry point


def parse_report(text: str, *, report_id: str | None = None,
                 source_name: str = DEFAULT_SOURCE_NAME,
                 curated: curated_data.Curated | None = None,
                 overlay_root: Path | None = None,
                 warnings: list[str] | None = None) -> ParsedReport:
    """Sections, tables, facts, lists and contradictions of a report text.

    The report id comes from the title (organisation and year) unless given. The overlay written
    for this report (same title) names lists and adds what the rules miss; its stale entries go
    to `warnings` (and the log), they never fail ingest.
    """
    if not text or not text.strip():
        raise IngestError(f"El informe {source_name} está vacío")
    sink = warnings if warnings is not None else []
    lines = split_lines(text)
    toc = parse_toc(lines)
    try:
        title, year = _title(lines, toc.start if toc.chapters else len(lines))
        sections = parse_sections(lines, toc)
    except IngestError as exc:
        raise IngestError(f"{source_name}: {exc}") from exc
    cur = curated if curated is not None else curated_data.load_curated()
    overlay = overlays.overlay_for(title, overlay_root or overlays.OVERLAYS_DIR)
    specs = overlay.tables if overlay is not None else []
    tables = parse_tables(lines, toc.body_start, sections, specs)
    if overlay is not None:
        named = {t.key for t in tables}
        for spec in specs:
            if spec.key not in named:
                overlays.warn(overlay, f"table {spec.key}", "no table of its section has "
                              f"{spec.match}", sink)
    skip = _heading_lines(lines, sections)
    facts, clauses = extract_facts(lines, toc.body_start, skip, sections, tables, cur, year)
    found = find_lists(lines, toc.body_start, sections, skip)
    enumerations = [f.enumeration for f in found]
    report = ParsedReport(
        report_id=report_id or report_id_for(title), title=title, year=year,
        source_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        sections=sections, tables=tables, facts=facts, enumerations=enumerations,
        clauses=clauses, lines=lines,
    )
    contradictions = find_contradictions(report, found)
    if overlay is not None:
        index = curated_data.QuoteIndex(text)
        report.enumerations = _apply_lists(overlay, found, lines, index, sections, sink)
        contradictions += _apply_contradictions(overlay, index, sections,
                                                {t.key for t in tables}, sink)
    report.contradictions = contradictions
    return report
