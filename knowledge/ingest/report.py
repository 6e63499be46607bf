"""parse_report: the report text in, a ParsedReport out. Pure: no database, no network."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from bot.errors import IngestError
from knowledge import curated as curated_data
from knowledge.ingest.enumerations import parse_enumerations
from knowledge.ingest.facts import prose_facts, table_facts
from knowledge.ingest.sections import parse_sections, parse_toc, section_at
from knowledge.ingest.tables import parse_tables
from knowledge.model import ParsedReport, ParsedSection
from knowledge.text import clean, is_blank, split_lines

DEFAULT_REPORT_ID = "aci-medellin-2020"
DEFAULT_SOURCE_NAME = "informe-gestion-aci-medellin-2020.md"


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


def _title(lines: list[str], stop: int) -> tuple[str, int]:
    head = [clean(line) for line in lines[:stop] if not is_blank(line)][:2]
    if not head:
        raise IngestError("El texto no tiene estructura de informe: falta el título")
    title = head[0]
    if len(head) > 1 and re.fullmatch(r"(?:19|20)\d{2}", head[1]):
        title = f"{title} {head[1]}"
    year = re.search(r"\b(?:19|20)\d{2}\b", title)
    if not year:
        raise IngestError(f"No se encontró el año en el título del informe: «{title}»")
    return title, int(year.group())


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


def _check_sides(curated: curated_data.Curated, index: curated_data.QuoteIndex,
                 sections: list[ParsedSection], table_keys: set[str]) -> None:
    numbers = {s.number for s in sections}
    for disc in curated.discrepancies:
        for side in disc.sides:
            at = index.line_of(side.quote)
            where = section_at(sections, at) if at else None
            if where is None or where.number != side.section:
                raise IngestError(
                    f"Discrepancia '{disc.id}': la cita «{side.quote}» está en la sección "
                    f"{where.number if where else '?'}, no en la {side.section}")
            if side.table is not None and side.table not in table_keys:
                raise IngestError(f"Discrepancia '{disc.id}': no existe la tabla {side.table}")
    for topic in curated.topics:
        missing = [n for n in topic.sections if n not in numbers]
        if missing:
            raise IngestError(f"Tema '{topic.key}': secciones inexistentes {missing}")


def parse_report(text: str, *, report_id: str = DEFAULT_REPORT_ID,
                 source_name: str = DEFAULT_SOURCE_NAME,
                 curated: curated_data.Curated | None = None) -> ParsedReport:
    """Sections, tables, facts and enumerations of a report text.

    Curated data (knowledge/data/*.yaml) is loaded when not given, and applied when it belongs
    to this report (same title): then every quote and anchor must be in the text, or IngestError.
    """
    if not text or not text.strip():
        raise IngestError(f"El informe {source_name} está vacío")
    lines = split_lines(text)
    toc = parse_toc(lines)
    try:
        title, year = _title(lines, toc.start if toc.chapters else len(lines))
        sections = parse_sections(lines, toc)
    except IngestError as exc:
        raise IngestError(f"{source_name}: {exc}") from exc
    cur = curated if curated is not None else curated_data.load_curated()
    applies = cur.applies_to(title)
    index = curated_data.validate_curated(cur, text) if applies else None
    active = cur if applies else None
    tables = parse_tables(lines, toc.body_start, sections, active)
    if index is not None:
        _check_sides(cur, index, sections, {t.key for t in tables})
    skip = _heading_lines(lines, sections)
    facts = prose_facts(lines, toc.body_start, skip, sections, cur, year)
    facts += table_facts(tables, cur, year)
    facts.sort(key=lambda f: f.line)
    enumerations = parse_enumerations(lines, index, sections, active) if index else []
    return ParsedReport(
        report_id=report_id, title=title, year=year,
        source_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        sections=sections, tables=tables, facts=facts, enumerations=enumerations, lines=lines,
    )  # section pages are filled from the lines' form feeds (ParsedReport's validator)
