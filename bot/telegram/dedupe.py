"""Answer each webhook update once, whichever worker receives it and however often it arrives.

Telegram (and the reverse proxy in front of the workers) redelivers an update whose POST did not
get a 2xx answer, so a worker may see an update another worker is processing, has processed, or
died while processing. The `processed_update` row of an update is what decides:

- PostgreSQL: the row is INSERTed *before* processing, in a transaction that stays open while the
  update is processed and is committed only afterwards. A second delivery of the same update
  inserts the same (bot_id, update_id) and PostgreSQL's unique index makes it wait for the first
  transaction: committed -> "already processed"; rolled back (handler failed, or the worker was
  killed and its connection dropped) -> the second worker owns the update and processes it. Waiting
  is bounded by `lock_timeout`; a delivery that gives up is answered "busy, retry later".
- SQLite (one worker process only): the row is written after processing; an update in flight in
  this process is "busy" to a second delivery.

Either way the claim is committed after the reply was sent, so a crash between the two makes the
update be processed again: at-least-once, with at most one duplicate reply per update caught by
such a crash. The other order (commit first) would lose the update instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, RootTransaction, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.models import ProcessedUpdate, utcnow

PROCESSED = ProcessedUpdate.__table__
# Telegram keeps an undelivered update for at most a day; a week is a safe margin.
PROCESSED_UPDATE_TTL = timedelta(days=7)
LOCK_TIMEOUT_S = 5.0


class UpdateBusy(Exception):
    """Another delivery of this update is being processed right now: retry later."""


@dataclass
class Claim:
    """The right to process one update; `commit` after processing, `abort` when it failed."""

    bot_id: str
    update_id: int
    db: Engine
    conn: Connection | None = None  # PostgreSQL: the open transaction holding the row
    trans: RootTransaction | None = None

    def commit(self) -> None:
        if self.conn is not None and self.trans is not None:
            try:
                self.trans.commit()
            finally:
                self.conn.close()
            return
        _record(self.db, self.bot_id, self.update_id)

    def abort(self) -> None:
        if self.conn is not None:
            self.conn.close()  # rolls back: the row disappears, a redelivery processes it


class Deduplicator:
    """Claims updates for one bot on one database; one per worker process."""

    def __init__(self, db: Engine, bot_id: str, lock_timeout_s: float = LOCK_TIMEOUT_S) -> None:
        self.db = db
        self.bot_id = bot_id
        self.lock_timeout_ms = int(lock_timeout_s * 1000)
        self._in_flight: set[int] = set()  # this process: a second delivery need not wait on PG

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def claim(self, update_id: int) -> Claim | None:
        """A claim, or None when the update was processed already; raises UpdateBusy."""
        if update_id in self._in_flight:
            raise UpdateBusy(update_id)
        self._in_flight.add(update_id)
        try:
            return await asyncio.to_thread(self._claim, update_id)
        except BaseException:
            self._in_flight.discard(update_id)
            raise

    async def finish(self, claim: Claim, *, ok: bool) -> None:
        try:
            await asyncio.to_thread(claim.commit if ok else claim.abort)
        finally:
            self._in_flight.discard(claim.update_id)

    def release(self, update_id: int) -> None:
        """Forget an update `claim` answered None for (nothing to finish)."""
        self._in_flight.discard(update_id)

    def _claim(self, update_id: int) -> Claim | None:
        if self.db.dialect.name != "postgresql":
            return None if _is_recorded(self.db, self.bot_id, update_id) else Claim(
                self.bot_id, update_id, self.db
            )
        conn = self.db.connect()
        try:
            trans = conn.begin()
            conn.execute(text(f"SET LOCAL lock_timeout = {self.lock_timeout_ms}"))
            inserted = conn.execute(
                postgresql.insert(PROCESSED)
                .values(bot_id=self.bot_id, update_id=update_id, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
                .returning(PROCESSED.c.id)
            ).first()
        except DBAPIError as exc:
            conn.close()
            if _is_lock_timeout(exc):
                raise UpdateBusy(update_id) from None
            raise
        except BaseException:
            conn.close()
            raise
        if inserted is None:  # committed by another delivery: processed already
            conn.close()
            return None
        return Claim(self.bot_id, update_id, self.db, conn, trans)


def _is_lock_timeout(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) == "55P03"  # lock_not_available


def _is_recorded(db: Engine, bot_id: str, update_id: int) -> bool:
    query = select(PROCESSED.c.id).where(
        PROCESSED.c.bot_id == bot_id, PROCESSED.c.update_id == update_id
    )
    with db.connect() as conn:
        return conn.execute(query).first() is not None


def _record(db: Engine, bot_id: str, update_id: int) -> None:
    values = {"bot_id": bot_id, "update_id": update_id, "created_at": utcnow()}
    statement = (
        sqlite.insert(PROCESSED).values(**values).on_conflict_do_nothing()
        if db.dialect.name == "sqlite"
        else PROCESSED.insert().values(**values)
    )
    with db.connect() as conn:
        try:
            conn.execute(statement)
            conn.commit()
        except IntegrityError:  # recorded meanwhile: the same outcome
            conn.rollback()


def is_processed(db: Engine, bot_id: str, update_id: int) -> bool:
    return _is_recorded(db, bot_id, update_id)


def purge_processed(db: Engine, older_than: timedelta = PROCESSED_UPDATE_TTL,
                    now: datetime | None = None) -> int:
    """Forget update ids older than Telegram would ever redeliver."""
    cutoff = (now or utcnow()) - older_than
    with db.connect() as conn:
        result = conn.execute(delete(PROCESSED).where(PROCESSED.c.created_at < cutoff))
        conn.commit()
        return result.rowcount or 0
