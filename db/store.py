"""The knowledge store: write a ParsedReport to SQL and read it back, plain functions.

Bulk work goes through SQLAlchemy Core on the SQLModel tables (one INSERT per table and batch,
no ORM objects), so ingesting the whole report is one short transaction and loading it back is
one query per table.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, Table, delete, func, insert, select

from bot.errors import IngestError
from db.engine import make_engine
from db.migrate import upgrade
from db.models import (
    Clause,
    Contradiction,
    Enumeration,
    EnumerationEntry,
    Fact,
    IngestFailure,
    KnowledgeVersion,
    Report,
    ReportTable,
    Section,
    TableCell,
    TableRow,
    utcnow,
)
from knowledge.model import ParsedReport

if TYPE_CHECKING:
    from bot.settings import Settings

REPORT = Report.__table__
SECTION = Section.__table__
TABLE = ReportTable.__table__
ROW = TableRow.__table__
CELL = TableCell.__table__
FACT = Fact.__table__
ENUM = Enumeration.__table__
ENTRY = EnumerationEntry.__table__
CLAUSE = Clause.__table__
VERSION = KnowledgeVersion.__table__
CONTRA = Contradiction.__table__
FAILURE = IngestFailure.__table__

# Children first: the order rows of one report are deleted in (foreign keys are enforced).
KNOWLEDGE_TABLES: tuple[Table, ...] = (
    CONTRA, CELL, ROW, TABLE, ENTRY, ENUM, FACT, CLAUSE, SECTION, REPORT)

# ParsedFact fields stored in `fact` under the same name (`index` is stored as `position`).
FACT_FIELDS = (
    "section", "line", "raw", "value", "unit", "scale", "sentence", "role", "cutoff",
    "source", "meaning", "counted", "subject", "period", "total", "part_of", "clause",
    "clause_line", "clause_index", "table_key", "row_index", "col_index", "header",
)
CLAUSE_FIELDS = ("section", "line", "line_end", "text", "source", "subject", "entities",
                 "sentence")

# Any fixed number: PostgreSQL advisory lock that serialises concurrent ingests.
INGEST_LOCK_ID = 7_342_019_2021
REPORT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class IngestSummary(BaseModel):
    """What one ingest wrote; the CLI prints it."""

    report_id: str
    title: str
    year: int
    source_name: str
    source_sha256: str
    sections: int
    tables: int
    rows: int
    cells: int
    facts: int
    enumerations: int
    enumeration_items: int
    knowledge_version: int
    parse_seconds: float = 0.0
    save_seconds: float = 0.0


# ----------------------------------------------------------------------------- write


def save_report(engine: Engine, parsed: ParsedReport, source_name: str) -> IngestSummary:
    """Replace every row of `parsed.report_id` with `parsed`, in one transaction."""
    started = perf_counter()
    check_report_id(parsed.report_id)
    # SQLite ignores VARCHAR lengths and PostgreSQL enforces them: check here so both
    # backends accept or refuse the same report, with a message that names the field.
    _check_lengths(REPORT, [_report_row(parsed, source_name)])
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(INGEST_LOCK_ID)))
        _delete_rows(conn, parsed.report_id)
        counts = _insert_report(conn, parsed, source_name)
        version = _bump_version(conn)
    return IngestSummary(
        report_id=parsed.report_id,
        title=parsed.title,
        year=parsed.year,
        source_name=source_name,
        source_sha256=parsed.source_sha256,
        knowledge_version=version,
        save_seconds=perf_counter() - started,
        **counts,
    )


def delete_report(engine: Engine, report_id: str) -> bool:
    """Remove one report and everything extracted from it; False when it was not there."""
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(INGEST_LOCK_ID)))
        existed = _delete_rows(conn, report_id)
        if existed:
            _bump_version(conn)
    return existed


def check_report_id(report_id: str) -> None:
    if not REPORT_ID_RE.match(report_id or ""):
        raise IngestError(
            f"invalid report id {report_id!r}: use 1-64 lowercase letters, digits, '.', '_' "
            "or '-', e.g. aci-medellin-2021"
        )


def _delete_rows(conn: Connection, report_id: str) -> bool:
    deleted = 0
    for table in KNOWLEDGE_TABLES:
        column = table.c.id if table is REPORT else table.c.report_id
        deleted = conn.execute(delete(table).where(column == report_id)).rowcount
    return deleted > 0  # the last table is `report` itself


def _report_row(parsed: ParsedReport, source_name: str) -> dict[str, Any]:
    return {
        "id": parsed.report_id,
        "title": parsed.title,
        "year": parsed.year,
        "source_sha256": parsed.source_sha256,
        "source_name": source_name,
        "ingest_fingerprint": ingest_fingerprint(),
        # Lines never contain "\n" (they come from splitting the text), so this round-trips.
        "text": "\n".join(parsed.lines),
        "ingested_at": utcnow(),
    }


def _insert_report(conn: Connection, parsed: ParsedReport, source_name: str) -> dict[str, int]:
    rid = parsed.report_id
    conn.execute(insert(REPORT), [_report_row(parsed, source_name)])

    _insert(
        conn,
        SECTION,
        [
            {
                "report_id": rid,
                "number": s.number,
                "title": s.title,
                "level": s.level,
                "parent": s.parent,
                "line_start": s.line_start,
                "line_end": s.line_end,
                "position": position,
                "text": s.text,
            }
            for position, s in enumerate(parsed.sections)
        ],
    )

    table_ids = _insert(
        conn,
        TABLE,
        [
            {
                "report_id": rid,
                "key": t.key,
                "section": t.section,
                "title": t.title,
                "kind": t.kind,
                "header": list(t.header),
                "line_start": t.line_start,
                "line_end": t.line_end,
                "position": position,
                "role": t.role,
                "heading": t.heading,
                "columns": [c.model_dump() for c in t.columns],
                "label_column": t.label_column,
            }
            for position, t in enumerate(parsed.tables)
        ],
        returning=True,
    )
    flat_rows = [(table, row) for table in parsed.tables for row in table.rows]
    row_ids = _insert(
        conn,
        ROW,
        [
            {"report_id": rid, "table_id": table_id, "row_index": index, "line": row.line,
             "total": row.total, "parent": row.parent}
            for table_id, table in zip(table_ids, parsed.tables, strict=True)
            for index, row in enumerate(table.rows)
        ],
        returning=True,
    )
    cells = [
        {
            "report_id": rid,
            "row_id": row_id,
            "col_index": col,
            "column": table.header[col] if col < len(table.header) else "",
            "raw": cell.raw,
            "value": cell.value,
            "unit": cell.unit,
            "scale": cell.scale,
            "qualifier": cell.qualifier,
        }
        for row_id, (table, row) in zip(row_ids, flat_rows, strict=True)
        for col, cell in enumerate(row.cells)
    ]
    _insert(conn, CELL, cells)

    # Facts and entries are read back in id order: their ids keep the parser's order.
    _insert(
        conn,
        FACT,
        [
            {"report_id": rid, "position": f.index, **{k: getattr(f, k) for k in FACT_FIELDS}}
            for f in parsed.facts
        ],
        returning=True,
    )
    _insert(
        conn,
        CLAUSE,
        [
            {"report_id": rid, "position": c.index, **{k: getattr(c, k) for k in CLAUSE_FIELDS}}
            for c in parsed.clauses
        ],
    )
    enum_ids = _insert(
        conn,
        ENUM,
        [
            {"report_id": rid, "key": e.key, "title": e.title, "section": e.section}
            for e in parsed.enumerations
        ],
        returning=True,
    )
    entries = [
        {
            "report_id": rid,
            "enumeration_id": enum_id,
            "position": item.position,
            "label": item.label,
            "description": item.description,
            "line": item.line,
        }
        for enum_id, enumeration in zip(enum_ids, parsed.enumerations, strict=True)
        for item in enumeration.items
    ]
    _insert(conn, ENTRY, entries, returning=True)
    _insert(
        conn,
        CONTRA,
        [
            {
                "report_id": rid,
                "key": c.key[:64],
                "rule": c.rule,
                "subject": c.subject,
                "keywords": list(c.keywords),
                "description_es": c.description_es,
                "description_en": c.description_en,
                "sides": [side.model_dump() for side in c.sides],
            }
            for c in parsed.contradictions
        ],
        returning=True,
    )

    return {
        "sections": len(parsed.sections),
        "tables": len(parsed.tables),
        "rows": len(flat_rows),
        "cells": len(cells),
        "facts": len(parsed.facts),
        "enumerations": len(parsed.enumerations),
        "enumeration_items": len(entries),
    }


def _insert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], *, returning: bool = False
) -> list[int]:
    """Bulk INSERT; with `returning`, the new ids in the order of `rows`."""
    if not rows:  # an empty executemany would insert one row of defaults
        return []
    _check_lengths(table, rows)
    if not returning:
        conn.execute(insert(table), rows)
        return []
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def _check_lengths(table: Table, rows: Iterable[dict[str, Any]]) -> None:
    # sqlmodel's AutoString is a TypeDecorator: it forwards `length` to its String impl.
    limits = {
        c.name: length
        for c in table.columns
        if isinstance(length := getattr(c.type, "length", None), int)
    }
    for row in rows:
        for name, limit in limits.items():
            value = row.get(name)
            if isinstance(value, str) and len(value) > limit:
                raise IngestError(
                    f"{table.name}.{name} {value[:40]!r} is longer than {limit} characters"
                )


def _bump_version(conn: Connection) -> int:
    now = utcnow()
    bump = VERSION.update().where(VERSION.c.id == 1)
    result = conn.execute(bump.values(version=VERSION.c.version + 1, updated_at=now))
    if result.rowcount == 0:  # a database created without migration 0001's seed row
        conn.execute(insert(VERSION).values(id=1, version=1, updated_at=now))
    return conn.execute(select(VERSION.c.version).where(VERSION.c.id == 1)).scalar_one()


# ----------------------------------------------------------------------------- read


def knowledge_version(engine: Engine) -> int:
    """Bumped by every ingest: a worker whose cached copy is older reloads the reports."""
    with engine.connect() as conn:
        value = conn.execute(select(VERSION.c.version).where(VERSION.c.id == 1)).scalar()
    return int(value or 0)


def load_report(engine: Engine, report_id: str) -> ParsedReport | None:
    reports = _load(engine, [report_id])
    return reports[0] if reports else None


def load_reports(engine: Engine) -> list[ParsedReport]:
    """Every report in the store, oldest year first, exactly as ingest produced them."""
    return _load(engine, None)


def _load(engine: Engine, report_ids: Sequence[str] | None) -> list[ParsedReport]:
    def where(table: Table) -> Any:
        column = table.c.id if table is REPORT else table.c.report_id
        return column.in_(report_ids) if report_ids is not None else True

    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # One snapshot for all the SELECTs below, so a concurrent ingest is seen whole or
            # not at all. (SQLite's read transaction already is a snapshot.)
            conn.execution_options(isolation_level="REPEATABLE READ")
        reports = conn.execute(
            select(REPORT).where(where(REPORT)).order_by(REPORT.c.year, REPORT.c.id)
        ).mappings().all()
        if not reports:
            return []

        def rows_of(table: Table, *order: Any) -> Sequence[Any]:
            return conn.execute(select(table).where(where(table)).order_by(*order)).mappings().all()

        sections = rows_of(SECTION, SECTION.c.report_id, SECTION.c.position)
        tables = rows_of(TABLE, TABLE.c.report_id, TABLE.c.position)
        rows = rows_of(ROW, ROW.c.table_id, ROW.c.row_index)
        cells = rows_of(CELL, CELL.c.row_id, CELL.c.col_index)
        facts = rows_of(FACT, FACT.c.id)
        enums = rows_of(ENUM, ENUM.c.id)
        entries = rows_of(ENTRY, ENTRY.c.id)
        contradictions = rows_of(CONTRA, CONTRA.c.id)
        clauses = rows_of(CLAUSE, CLAUSE.c.report_id, CLAUSE.c.position)

    cells_by_row: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in cells:
        cells_by_row[c["row_id"]].append(
            {k: c[k] for k in ("raw", "value", "unit", "scale", "qualifier")}
        )
    rows_by_table: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        rows_by_table[r["table_id"]].append({
            "line": r["line"], "cells": cells_by_row[r["id"]], "total": r["total"],
            "parent": r["parent"]})
    entries_by_enum: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        entries_by_enum[e["enumeration_id"]].append(
            {k: e[k] for k in ("position", "label", "description", "line")}
        )

    by_report: dict[str, dict[str, list[dict[str, Any]]]] = {
        r["id"]: {"sections": [], "tables": [], "facts": [], "enumerations": [], "clauses": [],
                  "contradictions": []}
        for r in reports
    }
    for c in contradictions:
        by_report[c["report_id"]]["contradictions"].append(
            {k: c[k] for k in ("key", "rule", "subject", "keywords", "description_es",
                               "description_en", "sides")}
        )
    for s in sections:
        by_report[s["report_id"]]["sections"].append(
            {
                k: s[k]
                for k in ("number", "title", "level", "parent", "line_start", "line_end", "text")
            }
        )
    for t in tables:
        by_report[t["report_id"]]["tables"].append(
            {
                **{
                    k: t[k]
                    for k in ("key", "section", "title", "kind", "header", "line_start", "line_end",
                              "role", "heading", "columns", "label_column")
                },
                "rows": rows_by_table[t["id"]],
            }
        )
    for f in facts:
        by_report[f["report_id"]]["facts"].append(
            {"index": f["position"], **{k: f[k] for k in FACT_FIELDS}}
        )
    for c in clauses:
        by_report[c["report_id"]]["clauses"].append(
            {"index": c["position"], **{k: c[k] for k in CLAUSE_FIELDS}}
        )
    for e in enums:
        by_report[e["report_id"]]["enumerations"].append(
            {
                "key": e["key"],
                "title": e["title"],
                "section": e["section"],
                "items": entries_by_enum[e["id"]],
            }
        )

    return [
        ParsedReport.model_validate(
            {
                "report_id": r["id"],
                "title": r["title"],
                "year": r["year"],
                "source_sha256": r["source_sha256"],
                "lines": r["text"].split("\n") if r["text"] else [],
                **by_report[r["id"]],
            }
        )
        for r in reports
    ]


def store_stats(engine: Engine) -> dict[str, dict[str, Any]]:
    """Per report id: title, year, source, when ingested, and row counts per kind."""
    counted = {
        "sections": SECTION,
        "tables": TABLE,
        "rows": ROW,
        "cells": CELL,
        "facts": FACT,
        "enumerations": ENUM,
        "enumeration_items": ENTRY,
    }
    with engine.connect() as conn:
        reports = conn.execute(
            select(
                REPORT.c.id,
                REPORT.c.title,
                REPORT.c.year,
                REPORT.c.source_name,
                REPORT.c.source_sha256,
                REPORT.c.ingested_at,
            ).order_by(REPORT.c.year, REPORT.c.id)
        ).mappings().all()
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for name, table in counted.items():
            query = select(table.c.report_id, func.count()).group_by(table.c.report_id)
            for report_id, n in conn.execute(query):
                counts[report_id][name] = n
    stats: dict[str, dict[str, Any]] = {}
    for r in reports:
        ingested_at: datetime = r["ingested_at"]
        stats[r["id"]] = {
            "title": r["title"],
            "year": r["year"],
            "source_name": r["source_name"],
            "source_sha256": r["source_sha256"],
            "ingested_at": ingested_at.isoformat(timespec="seconds"),
            **{name: counts[r["id"]].get(name, 0) for name in counted},
        }
    return stats


# ----------------------------------------------------------------------------- files


def ingest_file(engine: Engine, path: str | Path, report_id: str | None = None) -> IngestSummary:
    """Read, parse and save one report file; a failed read or parse writes nothing.

    The report id is the one given, or REPORT_ID when set, or else made from the report's own
    title (organisation and year), so a 2021 file never replaces the 2020 report.
    """
    # Imported here: processes that only read the store never load the parser.
    from knowledge.ingest import parse_report
    from knowledge.ingest.report import read_report

    if report_id is None:
        from bot.settings import get_settings

        report_id = get_settings().report_id
    if report_id is not None:
        check_report_id(report_id)
    path = Path(path)
    started = perf_counter()
    text, digest = read_report(path)  # a PDF is converted to text here
    parsed = parse_report(text, report_id=report_id, source_name=path.name)
    check_report_id(parsed.report_id)
    parsed.source_sha256 = digest  # a PDF's bytes: start-up checks it without parsing it
    parse_seconds = perf_counter() - started
    summary = save_report(engine, parsed, path.name)
    summary.parse_seconds = parse_seconds
    return summary


def text_sha256(path: str | Path) -> str:
    """The digest ingest stores for `path`: of its decoded text, as the parser sees it; of its
    bytes for a PDF, so that checking whether the store holds it never parses the PDF."""
    from knowledge.ingest.report import source_sha256

    return source_sha256(Path(path))


@lru_cache(maxsize=1)
def ingest_fingerprint() -> str:
    """Digest of the code and curated data that turn report text into rows.

    Stored with each report, so installing a better parser re-ingests the bundled report at
    start-up even though the report file itself did not change.
    """
    import knowledge

    root = Path(knowledge.__file__).resolve().parent
    files = [p for p in root.rglob("*") if p.is_file() and _is_ingest_source(p, root)]
    files.append(Path(__file__).resolve())
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _is_ingest_source(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    if "__pycache__" in parts or parts[0] == "reports":
        return False
    return path.suffix in {".py", ".yaml", ".yml", ".json", ".csv", ".txt"}


def stored_source(engine: Engine, report_id: str) -> tuple[str, str] | None:
    """(source_sha256, ingest_fingerprint) of a stored report, or None when absent."""
    with engine.connect() as conn:
        row = conn.execute(
            select(REPORT.c.source_sha256, REPORT.c.ingest_fingerprint).where(
                REPORT.c.id == report_id
            )
        ).first()
    return (row[0], row[1]) if row else None


def _stored_by_sha(engine: Engine, sha256: str) -> list[tuple[str, str]]:
    """(report id, ingest fingerprint) of every stored report ingested from this very text."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(REPORT.c.id, REPORT.c.ingest_fingerprint).where(
                REPORT.c.source_sha256 == sha256)
        ).all()
    return [(r[0], r[1]) for r in rows]


def refresh_report(
    engine: Engine, path: str | Path, report_id: str | None
) -> IngestSummary | None:
    """Ingest `path` unless the store already holds it, parsed by this very code."""
    sha = text_sha256(path)
    if report_id is not None:
        if stored_source(engine, report_id) == (sha, ingest_fingerprint()):
            return None
    elif any(fp == ingest_fingerprint() for _, fp in _stored_by_sha(engine, sha)):
        return None
    return ingest_file(engine, path, report_id)


def has_reports(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(REPORT)).scalar_one() > 0


def record_failure(engine: Engine, source: str, error: str) -> None:
    """Remember a failed ingest for admins (one row per source: the latest)."""
    try:
        with engine.begin() as conn:
            conn.execute(delete(FAILURE).where(FAILURE.c.source == source))
            conn.execute(insert(FAILURE), [{"source": source, "error": error[:2000],
                                            "failed_at": utcnow()}])
    except Exception:
        logging.getLogger("db.store").exception("could not record the ingest failure")


def clear_failure(engine: Engine, source: str) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(delete(FAILURE).where(FAILURE.c.source == source))
    except Exception:
        logging.getLogger("db.store").debug("could not clear the ingest failure", exc_info=True)


def ingest_failures(engine: Engine) -> list[dict[str, Any]]:
    """Failed ingests not followed by a good one: what /estadisticas shows admins."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(FAILURE).order_by(FAILURE.c.failed_at)).mappings().all()
    except Exception:
        return []
    return [dict(r) for r in rows]


def ensure_store(settings: Settings) -> Engine:
    """An engine on an up-to-date schema holding the configured report: what every command needs.

    When REPORT_PATH is missing, unreadable or fails to ingest and the store already holds a
    report, the store keeps answering from it: the failure is logged and recorded for admins.
    With an empty store the error stands (there is nothing to answer from).
    """
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        source = str(settings.report_path)
        try:
            refresh_report(engine, settings.report_path, settings.report_id)
        except IngestError as exc:
            if not has_reports(engine):
                raise
            logging.getLogger("db.store").error(
                "report %s not ingested, answering from the stored copy: %s", source, exc)
            record_failure(engine, source, str(exc))
        else:
            clear_failure(engine, source)
    except BaseException:
        engine.dispose()
        raise
    return engine
