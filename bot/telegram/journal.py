"""Nothing fetched is lost when `serve` dies: long-polled updates are written down first.

python-telegram-bot's Updater fetches a batch with `getUpdates`, puts each update on the
application's `update_queue` (awaiting every `put`), and only then asks for the next batch with
the higher offset, which tells Telegram the previous batch arrived. `JournalQueue.put` is that
hand-over: it stores the update before returning, so by the time Telegram forgets an update it is
in the store (tests/test_reliability_journal.py pins this order of PTB's).

- An update is marked handled after its handler finished, that is after its reply was sent
  (the per-chat pacer's wait included): `UpdateJournal.finish`, called by the update processor.
- On start, `recover` puts the unhandled updates back on the queue, oldest first, before any
  new one; the processor keeps each chat's updates in order.
- A redelivered update (fetched again after a crash before its offset was confirmed) is
  recognised by its id and skipped.
- When the store cannot be written, the update is answered anyway and that is logged once.

The stored update carries raw user ids and the question, so it is encrypted (Fernet, with a key
derived from USER_HASH_KEY) and dropped when handled; the bare row stays a day for the
redelivery check. A crash between sending a reply and marking it handled answers that update
twice after the restart: duplicates are bounded by the updates in flight at the crash.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine as DbEngine
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from telegram import Bot, Update

from db.models import UpdateJournal, utcnow

log = logging.getLogger(__name__)

TABLE = UpdateJournal.__table__
KEEP_HANDLED = timedelta(days=1)  # Telegram redelivers within minutes; a day is plenty


def _cipher(hash_key: str) -> Fernet:
    digest = hashlib.sha256(b"informe-bot update journal\x00" + hash_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class UpdateJournal:
    """The store side: plain synchronous functions on one table (run them in a thread)."""

    def __init__(self, db: DbEngine, bot_id: str, hash_key: str) -> None:
        self.db = db
        self.bot_id = bot_id
        self._cipher = _cipher(hash_key)

    def record(self, update_id: int, data: dict[str, Any]) -> bool:
        """Store one fetched update; False when it was already there (a redelivery)."""
        token = self._cipher.encrypt(json.dumps(data, ensure_ascii=False).encode())
        row = {"bot_id": self.bot_id, "update_id": update_id, "payload": token.decode(),
               "handled": False, "created_at": utcnow()}
        try:
            with self.db.begin() as conn:
                conn.execute(insert(TABLE).values(**row))
        except IntegrityError:
            return False
        return True

    def finish(self, update_id: int) -> None:
        """The update's reply was sent: forget its content, keep its id for a while."""
        with self.db.begin() as conn:
            conn.execute(
                update(TABLE)
                .where(TABLE.c.bot_id == self.bot_id, TABLE.c.update_id == update_id)
                .values(handled=True, payload=None)
            )

    def pending(self) -> list[tuple[int, dict[str, Any]]]:
        """Unhandled updates, oldest first; unreadable ones (another key) are dropped."""
        with self.db.connect() as conn:
            rows = conn.execute(
                select(TABLE.c.update_id, TABLE.c.payload)
                .where(TABLE.c.bot_id == self.bot_id, TABLE.c.handled.is_(False))
                .order_by(TABLE.c.update_id)
            ).all()
        found = []
        for update_id, payload in rows:
            try:
                found.append((update_id, json.loads(self._cipher.decrypt(payload.encode()))))
            except (InvalidToken, ValueError, AttributeError):
                log.warning("journal: one stored update cannot be read (key changed?); dropped")
                self.finish(update_id)
        return found

    def purge(self, older_than: timedelta = KEEP_HANDLED) -> int:
        cutoff = utcnow() - older_than
        with self.db.begin() as conn:
            result = conn.execute(
                delete(TABLE).where(TABLE.c.handled.is_(True), TABLE.c.created_at < cutoff)
            )
        return int(result.rowcount or 0)


class JournalQueue(asyncio.Queue):  # type: ignore[type-arg]
    """The application's update queue; with a journal attached, `put` stores the update first."""

    def __init__(self) -> None:
        super().__init__()
        self.journal: UpdateJournal | None = None
        self.journaled: set[int] = set()  # update ids stored and not yet marked handled
        self.redeliveries = 0
        self._write_failed = False

    async def put(self, item: Any) -> None:
        journaled = isinstance(item, Update) and self.journal is not None
        if journaled and not await self._record(item):
            return
        await super().put(item)

    async def _record(self, item: Update) -> bool:
        """False for an update already journaled (skip it); True to process it."""
        assert self.journal is not None
        if item.update_id in self.journaled:
            self.redeliveries += 1
            return False
        try:
            fresh = await asyncio.to_thread(self.journal.record, item.update_id, item.to_dict())
        except SQLAlchemyError:
            if not self._write_failed:
                self._write_failed = True
                log.error("journal: the store cannot be written; answering updates without it "
                          "(a crash now loses the updates in flight)", exc_info=True)
            return True
        if not fresh:
            self.redeliveries += 1
            return False
        self.journaled.add(item.update_id)
        return True

    async def finish(self, update: object) -> None:
        """Called once an update was processed (its reply sent, or its error reported)."""
        if not isinstance(update, Update) or self.journal is None:
            return
        update_id = update.update_id
        if update_id not in self.journaled:
            return
        try:
            await asyncio.to_thread(self.journal.finish, update_id)
        except SQLAlchemyError:
            if not self._write_failed:
                self._write_failed = True
                log.error("journal: could not mark an update handled", exc_info=True)
        self.journaled.discard(update_id)

    async def recover(self, bot: Bot) -> int:
        """Put the unhandled updates of a previous run on the queue, oldest first."""
        assert self.journal is not None
        try:
            pending = await asyncio.to_thread(self.journal.pending)
            await asyncio.to_thread(self.journal.purge)
        except SQLAlchemyError:
            log.error("journal: could not read unhandled updates of the last run", exc_info=True)
            return 0
        for update_id, data in pending:
            update = Update.de_json(data, bot)
            self.journaled.add(update_id)
            self.put_nowait(update)
        if pending:
            log.warning("journal: %d updates fetched but not answered before the last stop; "
                        "answering them first", len(pending))
        return len(pending)
