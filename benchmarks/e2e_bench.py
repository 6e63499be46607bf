"""The real bot end to end: build_application against the fake Bot API, many chats at once.

The bot runs here, in this process, exactly as `informe-bot serve` runs it (long polling,
python-telegram-bot's Application from build_application) except that the outgoing rate
limiter is off, so the figure is the bot's own capacity and not Telegram's 30 messages/s cap.
The Bot API and the simulated users run in a child process (benchmarks.e2e_server), which
timestamps deliveries and replies with one clock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import sys
from pathlib import Path
from time import process_time
from typing import Any

from sqlalchemy import Engine as DbEngine

from bot.engine.core import Engine

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SETUP = (
    "bot: build_application() in this process, long polling (getUpdates timeout 10 s), "
    "services injected (engine built once, SQLite store as bot DB); Bot API: "
    "tests.fakes.botapi.FakeBotApi in a child process on 127.0.0.1 with closed-loop users "
    "(each chat asks its next dev question when the previous one is answered)"
)


class ErrorCounter(logging.Handler):
    """Counts the bot's ERROR log records during the run and keeps the first few, token masked."""

    def __init__(self, secret: str) -> None:
        super().__init__(logging.ERROR)
        self.secret = secret
        self.count = 0
        self.samples: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.samples) < 3:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                first_line = (str(exc).splitlines() or [""])[0]
                text = f"{text}: {type(exc).__name__}: {first_line}"
            self.samples.append(text.replace(self.secret, "<token>")[:300])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _read_json(stream: asyncio.StreamReader, seconds: float) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        line = await stream.readline()
    if not line:
        raise RuntimeError("the e2e server process ended without answering")
    return json.loads(line)


async def run_e2e(
    engine: Engine,
    db_engine: DbEngine,
    database_url: str,
    questions: list[str],
    *,
    chats: int,
    updates: int,
    budget_seconds: float,
) -> dict[str, Any]:
    from telegram import Update

    from bot.settings import Settings
    from bot.telegram.app import ALLOWED_UPDATES, build_application

    # httpx logs every request URL at INFO; PTB warns on each slow-start detail.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    children_before = _children_cpu()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.e2e_server",
        "--chats", str(chats), "--updates", str(updates), "--budget", str(budget_seconds),
        "--questions", json.dumps(questions),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        cwd=str(PROJECT_ROOT),
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        address = await _read_json(server.stdout, 60)
        settings = Settings(
            telegram_bot_token=address["token"],
            telegram_api_base_url=address["base_url"],
            telegram_api_base_file_url=address["base_file_url"],
            rate_limiter_enabled=False,
            database_url=database_url,
            questions_per_minute=10_000,  # per-user quota off: users here ask back to back
        )
        errors = ErrorCounter(address["token"])
        root = logging.getLogger()
        root.addHandler(errors)
        application = build_application(settings, engine=engine, db_engine=db_engine)
        await application.initialize()  # BotApplication runs post_init (services) here
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES or Update.ALL_TYPES
        )
        await application.start()
        try:
            cpu_started = process_time()
            server.stdin.write(b"go\n")
            await server.stdin.drain()
            result = await _read_json(server.stdout, budget_seconds + 120)
            bot_cpu = process_time() - cpu_started
        finally:
            await application.updater.stop()
            await application.stop()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
            await application.shutdown()
            root.removeHandler(errors)
        server.stdin.write(b"stop\n")
        await server.stdin.drain()
    finally:
        try:
            await asyncio.wait_for(server.wait(), 15)
        except TimeoutError:
            server.kill()
            await server.wait()
    answered = max(1, int(result.get("answered", 0)))
    return {
        "setup": SETUP,
        "rate_limiter": "OFF (AIORateLimiter disabled for this run)",
        **result,
        # CPU, not wall time: what one update costs no matter what else the machine runs.
        # The bot's includes its engine threads; the server's covers its whole life.
        "bot_cpu_ms_per_update": 1000 * bot_cpu / answered,
        "server_cpu_ms_per_update": 1000 * (_children_cpu() - children_before) / answered,
        "bot_errors_logged": errors.count,
        "bot_error_samples": errors.samples,
    }
