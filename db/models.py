"""SQLModel tables. The schema is owned by Alembic (db/migrations); keep both in step.

Knowledge tables hold what ingest extracted from a report; every row carries its `report_id` so
several reports (years) live side by side. Operational tables (query log, chat state, button keys,
processed updates, rate limits) hold the bot's mutable state, so any worker can serve any update.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints, so later Alembic migrations can drop or alter them (SQLite batch mode needs
# names); set before any table is declared.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    # Aware: SQLModel >= 0.0.45 maps `datetime` to UTCDateTime, which rejects naive values.
    return datetime.now(UTC)


# ----------------------------------------------------------------------------- knowledge


class Report(SQLModel, table=True):
    """One ingested report (one organisation, one year)."""

    id: str = Field(primary_key=True, max_length=64)  # "aci-medellin-2020"
    title: str
    year: int = Field(index=True)
    source_sha256: str = Field(max_length=64)
    source_name: str  # file name it was ingested from
    # Hash of the ingest code and data that produced the rows: a new parser re-ingests at start-up.
    ingest_fingerprint: str = Field(default="", max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))  # full text, for quoting by line
    ingested_at: datetime = Field(default_factory=utcnow)


class Section(SQLModel, table=True):
    """A chapter or numbered section with its own body text."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    number: str = Field(max_length=16)
    title: str
    level: int
    parent: str | None = Field(default=None, max_length=16)
    line_start: int
    line_end: int
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))


class ReportTable(SQLModel, table=True):
    """A table of the report (continued pages merged) or a key/value block."""

    __tablename__ = "report_table"

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    key: str = Field(max_length=64)
    section: str = Field(max_length=16)
    title: str
    kind: str = Field(max_length=16)
    header: list[str] = Field(sa_column=Column(JSON, nullable=False))
    line_start: int
    line_end: int
    position: int
    # knowledge.model.TableRole and the column readings (ParsedColumn dicts), by ingest rules
    role: str = Field(default="other", max_length=24)
    heading: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    columns: list[dict] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    label_column: int | None = None


class TableRow(SQLModel, table=True):
    __tablename__ = "table_row"

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    table_id: int = Field(foreign_key="report_table.id", index=True)
    row_index: int
    line: int
    total: bool = False  # a total row (a "Total" label, or the rows under it add up to it)
    parent: int | None = None  # row_index of the row this one adds up to


class TableCell(SQLModel, table=True):
    """A typed cell: raw text as written plus its numeric reading."""

    __tablename__ = "table_cell"

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    row_id: int = Field(foreign_key="table_row.id", index=True)
    col_index: int
    column: str
    raw: str = Field(sa_column=Column(Text, nullable=False))
    value: float | None = None
    unit: str | None = Field(default=None, max_length=32)
    scale: str | None = Field(default=None, max_length=16)
    qualifier: str | None = None


class Fact(SQLModel, table=True):
    """A figure of the prose, a highlight box or a table cell, attributed (knowledge.model
    ParsedFact: meaning, what it counts, whose it is, its clause and where it comes from)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    section: str = Field(max_length=16, index=True)
    line: int
    raw: str
    value: float
    unit: str | None = Field(default=None, max_length=32)
    scale: str | None = Field(default=None, max_length=16)
    sentence: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(default="other", max_length=16)
    cutoff: str | None = None
    position: int = 0  # ParsedFact.index
    source: str = Field(default="prose", max_length=16)
    meaning: str = Field(default="other", max_length=16, index=True)
    counted: str | None = None
    subject: str | None = None
    period: str | None = Field(default=None, max_length=32)
    total: bool = False
    part_of: int | None = None  # position of the fact this one is part of
    clause: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    clause_line: int | None = None
    clause_index: int | None = None  # clause.position
    table_key: str | None = Field(default=None, max_length=64)
    row_index: int | None = None
    col_index: int | None = None
    header: str | None = None


class Clause(SQLModel, table=True):
    """A clause of the prose (knowledge.model.ParsedClause): what facts are quoted from."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    position: int
    section: str = Field(max_length=16)
    line: int
    line_end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default="prose", max_length=16)
    subject: str | None = None
    entities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sentence: int = 0


class Enumeration(SQLModel, table=True):
    """A list the report presents as such (sectors, thematic lines, networks, awards...)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    key: str = Field(max_length=64)
    title: str
    section: str = Field(max_length=16)


class EnumerationEntry(SQLModel, table=True):
    __tablename__ = "enumeration_entry"

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    enumeration_id: int = Field(foreign_key="enumeration.id", index=True)
    position: int
    label: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    line: int


class Contradiction(SQLModel, table=True):
    """A place where the report gives one fact two ways (found at ingest, or from its overlay)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: str = Field(foreign_key="report.id", index=True, max_length=64)
    key: str = Field(max_length=64)
    rule: str = Field(max_length=32)
    subject: str = Field(sa_column=Column(Text, nullable=False))
    keywords: list[str] = Field(sa_column=Column(JSON, nullable=False))
    description_es: str = Field(sa_column=Column(Text, nullable=False))
    description_en: str = Field(sa_column=Column(Text, nullable=False))
    sides: list[dict] = Field(sa_column=Column(JSON, nullable=False))  # ContradictionSide dumps


class IngestFailure(SQLModel, table=True):
    """The last failed ingest of a report file at start-up or reload: shown to admins."""

    __tablename__ = "ingest_failure"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(sa_column=Column(Text, nullable=False))  # the path as configured
    error: str = Field(sa_column=Column(Text, nullable=False))
    failed_at: datetime = Field(default_factory=utcnow, index=True)


class KnowledgeVersion(SQLModel, table=True):
    """One row; bumped by every ingest so every worker knows to reload its in-memory cache."""

    __tablename__ = "knowledge_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


# ----------------------------------------------------------------------------- operations


class QueryLog(SQLModel, table=True):
    """Every question asked, how it was answered, and the user's feedback. No raw user ids."""

    __tablename__ = "query_log"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    user_hash: str | None = Field(default=None, max_length=64, index=True)  # HMAC of the user id
    chat_hash: str | None = Field(default=None, max_length=64)
    channel: str = Field(default="telegram", max_length=16)  # telegram | inline | console | cli
    question: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=16)
    intent: str | None = Field(default=None, max_length=64)
    score: float = 0.0
    latency_ms: float = 0.0
    report_id: str | None = Field(default=None, max_length=64)
    feedback: int | None = None  # +1 / -1


class ChatState(SQLModel, table=True):
    """Per chat: the conversation context for follow-ups, the last answer for /fuente and the
    choices the last reply offered (a typed "1" picks the first)."""

    __tablename__ = "chat_state"

    chat_key: str = Field(primary_key=True, max_length=64)  # HMAC of the chat id
    context_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    last_answer_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    choices_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow)


class CallbackKey(SQLModel, table=True):
    """What a button means, when it does not fit in Telegram's 64 bytes of callback data."""

    __tablename__ = "callback_key"

    key: str = Field(primary_key=True, max_length=32)
    payload_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ProcessedUpdate(SQLModel, table=True):
    """Update ids already handled, so a redelivered webhook update is answered once."""

    __tablename__ = "processed_update"
    __table_args__ = (UniqueConstraint("bot_id", "update_id"),)

    id: int | None = Field(default=None, primary_key=True)
    bot_id: str = Field(max_length=32)
    update_id: int
    created_at: datetime = Field(default_factory=utcnow, index=True)


class RateLimitHit(SQLModel, table=True):
    """One question by one user at one time; counted over a sliding minute."""

    __tablename__ = "rate_limit_hit"

    id: int | None = Field(default=None, primary_key=True)
    user_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class UpdateJournal(SQLModel, table=True):
    """Updates fetched by long polling, written before their offset is confirmed to Telegram.

    A row is `handled` once its reply was sent; on start, unhandled rows are answered first. The
    update itself is encrypted with a key derived from USER_HASH_KEY (it carries raw ids and the
    question) and dropped once handled; the bare row stays a day so a redelivery is recognised.
    """

    __tablename__ = "update_journal"
    __table_args__ = (UniqueConstraint("bot_id", "update_id"),)

    id: int | None = Field(default=None, primary_key=True)
    bot_id: str = Field(max_length=32)
    update_id: int
    payload: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    handled: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
