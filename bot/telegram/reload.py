"""Keep a worker's in-memory knowledge in step with the store's knowledge version.

The reports are read-only between ingests, so each worker answers from an `Engine` built in
memory. Every ingest (CLI, `/recargar`, another worker) bumps the one `knowledge_version` row;
before handling an update a worker reads that row (at most once per `interval` seconds, one
cheap query) and, when it moved, loads the reports again, builds a new Engine off the event loop
and swaps `Services.engine` in one assignment. Answers already running keep the engine they
started with; none ever sees half of each.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from sqlalchemy import Engine as DbEngine
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.telegram.services import get_services

if TYPE_CHECKING:
    from bot.engine.core import Engine
    from bot.telegram.services import Services

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 1.0
WATCHER_GROUP = -1  # PTB handler group that runs before the bot's own handlers


def load_knowledge(db: DbEngine) -> tuple[int, Engine]:
    """The current version and an engine built from what the store holds now.

    The version is read first: when an ingest lands in between, the engine is newer than the
    version says and the next check reloads once more, never the other way round.
    """
    from bot.engine.core import Engine
    from db.store import knowledge_version, load_reports

    version = knowledge_version(db)
    return version, Engine(load_reports(db))


class KnowledgeWatcher:
    """Reloads `Services.engine` when the store's knowledge version changed."""

    def __init__(self, version: int, interval: float = CHECK_INTERVAL_S) -> None:
        self.version = version
        self.interval = interval
        self.reloads = 0
        self._checked = time.monotonic()
        self._lock = asyncio.Lock()

    async def refresh(self, services: Services) -> bool:
        """Check the version (throttled) and reload when it moved; True when reloaded.

        Only one update per worker waits for a reload; updates that arrive meanwhile go on
        with the engine in place. A failed check or reload keeps that engine and is retried at
        the next check.
        """
        if self._lock.locked() or time.monotonic() - self._checked < self.interval:
            return False
        async with self._lock:
            self._checked = time.monotonic()
            from db.store import knowledge_version

            try:
                current = await asyncio.to_thread(knowledge_version, services.db)
                if current == self.version:
                    return False
                version, engine = await asyncio.to_thread(load_knowledge, services.db)
            except Exception:
                log.exception("knowledge reload failed; answering from the loaded version")
                return False
            services.engine = engine
            log.info("knowledge reloaded: version %d -> %d", self.version, version)
            self.version = version
            self.reloads += 1
            return True

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.refresh(get_services(context.bot_data))


def install_watcher(application: Application, version: int,
                    interval: float = CHECK_INTERVAL_S) -> KnowledgeWatcher:
    """Check the knowledge version before every update the application handles."""
    watcher = KnowledgeWatcher(version, interval)
    application.add_handler(TypeHandler(Update, watcher.on_update), group=WATCHER_GROUP)
    return watcher
