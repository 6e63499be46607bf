"""The real bot on the local Bot API, for the reliability and security tests.

`running_bot(...)` starts python-telegram-bot's Application (built by the bot's own factory)
long polling the fake server, on a fresh SQLite state database, and counts what matters:
calls of the bot's error handler (each one is a generic "algo salió mal" reply, which these
tests count as a failure) and every log record (for secrets and ERROR lines).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as DbEngine
from telegram.ext import Application

from bot.engine.core import Engine
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.retry import ResilientRateLimiter
from bot.telegram.services import Services, get_services
from db.engine import make_engine
from db.migrate import upgrade
from tests.fakes.botapi import FakeBotApi, SentMessage

GENERIC_ERROR = "algo salió mal"
ERROR_HANDLER_MESSAGE = "error while handling an update"


class RecordingHandler(logging.Handler):
    """Keeps every record reaching the root logger, formatted as a deployment would print it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def error_handler_calls(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.getMessage() == ERROR_HANDLER_MESSAGE]

    def errors(self, *, ignore: tuple[str, ...] = ()) -> list[str]:
        """ERROR lines, except those of loggers named in `ignore` (prefixes)."""
        return [
            self.format(r)
            for r in self.records
            if r.levelno >= logging.ERROR and not r.name.startswith(ignore)
        ]


@dataclass
class BotUnderTest:
    api: FakeBotApi
    application: Application
    db: DbEngine
    database_url: str
    settings: Settings
    log: RecordingHandler
    chats_used: set[int] = field(default_factory=set)

    @property
    def services(self) -> Services:
        return get_services(self.application.bot_data)

    @property
    def limiter(self) -> ResilientRateLimiter:
        limiter = self.application.bot.rate_limiter
        assert isinstance(limiter, ResilientRateLimiter)
        return limiter

    async def settle(self, wait_s: float = 20) -> None:
        """Wait until every update fed so far was fetched and fully handled."""
        await self.api.wait_updates_consumed(timeout=wait_s)
        processor = self.application.update_processor
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        idle = 0
        while idle < 3:  # idle three checks in a row: an update just taken off the queue shows
            busy = self.application.update_queue.qsize() or processor.current_concurrent_updates
            idle = 0 if busy else idle + 1
            if loop.time() > deadline:
                raise TimeoutError("updates still being handled")
            await asyncio.sleep(0.02)

    async def say(
        self, chat_id: int, text: str, *, user_id: int | None = None, wait_s: float = 20
    ) -> SentMessage:
        """A user writes; returns the bot's next message in that chat."""
        before = self.api.sent_count(chat_id)
        self.api.send_text(chat_id, text, user_id=user_id)
        messages = await self.api.wait_for_messages(chat_id, before + 1, timeout=wait_s)
        return messages[before]

    def replies(self, chat_id: int) -> list[SentMessage]:
        return self.api.sent_messages(chat_id)


def bot_settings(api: FakeBotApi, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": api.token,
        "telegram_api_base_url": api.base_url,
        "telegram_api_base_file_url": api.base_file_url,
        "database_url": database_url,
        "user_hash_key": "reliability-test-key",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running_bot(
    engine: Engine,
    tmp_path: Path,
    *,
    api: FakeBotApi | None = None,
    backoff: float = 0.05,
    root_level: int = logging.INFO,
    before_start: Callable[[DbEngine], None] | None = None,
    **overrides: Any,
) -> AsyncIterator[BotUnderTest]:
    """The bot polling a fake Bot API (its own unless `api` is given), log records captured."""
    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    db = make_engine(url)
    upgrade(db)
    if before_start is not None:
        before_start(db)
    recorder = RecordingHandler()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(recorder)
    root.setLevel(root_level)
    own_api = api is None
    server = api or FakeBotApi()
    if own_api:
        await server.start()
    application = build_application(bot_settings(server, url, **overrides), engine=engine,
                                     db_engine=db)
    limiter = application.bot.rate_limiter
    assert isinstance(limiter, ResilientRateLimiter)
    limiter.backoff = backoff  # tests wait milliseconds, not the production half second
    try:
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=5)
        try:
            yield BotUnderTest(server, application, db, url, get_services(
                application.bot_data).settings, recorder)
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
    finally:
        if own_api:
            await server.close()
        root.removeHandler(recorder)
        root.setLevel(old_level)
        db.dispose()
