"""The bot token never reaches a log line, a traceback, a reply or `serve`'s stderr.

Bot API URLs contain the token and httpx logs every URL; python-telegram-bot puts the token in
the text of its InvalidToken exception. bot.logging_setup rewrites every record (message,
arguments, formatted traceback) before any handler prints it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import logging_setup
from bot.engine.core import Engine
from knowledge.model import ParsedReport
from tests.fakes.botapi import FakeBotApi
from tests.fakes.faults import Fault
from tests.reliability_support import running_bot

REPO = Path(__file__).resolve().parents[1]
TOKEN = "246813579:AAHsecretPartOfTheTokenForRedactionTest_42"
LIBRARY_LOGGERS = ("httpx", "httpcore", "telegram", "telegram.ext", "aiohttp")


@pytest.fixture
def debug_everywhere() -> Iterator[None]:
    """Every library logger at DEBUG, as a curious operator might set them."""
    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def secret_parts(token: str) -> list[str]:
    return [token, token.split(":", 1)[1]]


def test_redact_covers_urls_bare_tokens_and_tracebacks() -> None:
    logging_setup.protect([TOKEN])
    assert TOKEN.split(":")[1] in logging_setup.protected_secrets()
    url = f"POST https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert logging_setup.redact(url) == "POST https://api.telegram.org/bot<redacted>/sendMessage"
    other = "111222333:AAAnotherBotsTokenThatWasNeverRegistered12345"
    assert other not in logging_setup.redact(f"file/bot{other}/photos/x.png")
    assert other not in logging_setup.redact(f"token={other}")
    assert TOKEN.split(":")[1] not in logging_setup.redact(f"key {TOKEN.split(':')[1]}")
    assert logging_setup.redact("USD 381,3 millones; 12:30 h") == "USD 381,3 millones; 12:30 h"

    records: list[str] = []

    class Collect(logging.Handler):  # added after protect(): the record factory still redacts
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    logger = logging.getLogger("some.library.deep.down")
    handler = Collect()
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling %s with %r", f"https://x/bot{TOKEN}/getMe", {"token": TOKEN})
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    text = "\n".join(records)
    assert "Traceback" in text and "was rejected" in text
    assert all(part not in text for part in secret_parts(TOKEN))


async def test_a_whole_session_at_debug_never_logs_the_token(
    parsed_report: ParsedReport,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    debug_everywhere: None,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeBotApi(tokens=[TOKEN]) as api, running_bot(
        Engine([parsed_report]), tmp_path, api=api, root_level=logging.DEBUG
    ) as bot:
        bot.api.inject("sendMessage", Fault.HTTP(500), times=1)
        bot.api.inject("getUpdates", Fault.DROP, times=1)
        await bot.say(7001, "¿cuánta inversión extranjera llegó?")
        await bot.say(7001, "/indicadores inversión")
        reply = await bot.say(7001, "premios internacionales")
        up = next(d for d in reply.callback_data if d.startswith("f|"))
        bot.api.press_button(7001, reply.message_id, up)
        bot.api.inline_query(7001, "eventos de octubre")
        await bot.api.wait_until(
            lambda: bool(bot.api.callback_answers and bot.api.inline_answers), timeout=20
        )
        bot.api.inject("sendMessage", Fault.MALFORMED_JSON, times=1)
        await bot.say(7002, f"mi token es {TOKEN[:5]}… /ayuda")
        await bot.settle()
        captured = bot.log
    assert sum(api.fault_counts.values()) == 3
    assert len(captured.records) > 50  # DEBUG from PTB, httpx and httpcore was on
    assert "bot<redacted>/sendMessage" in captured.text  # the URLs were logged, redacted
    logged = [captured.text, caplog.text]
    for record in captured.records:
        logged.append(record.getMessage())
        logged.append(record.exc_text or "")
    for part in secret_parts(TOKEN):
        assert all(part not in text for text in logged)
    for message in api.sent_messages():
        assert all(part not in (message.raw_text or "") for part in secret_parts(TOKEN))
    for answer in api.inline_answers:
        assert all(part not in str(answer.results) for part in secret_parts(TOKEN))


def test_serve_stderr_at_debug_when_the_token_is_rejected(tmp_path: Path) -> None:
    """A token the API refuses (401): PTB's exception quotes it; stderr must not."""
    with FakeBotApi() as api:  # does not know TOKEN
        env = {
            k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "DATABASE_", "LOG_", "BOT_API_"))
        }
        env.update(
            PYTHONPATH=str(REPO),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
            LOG_LEVEL="DEBUG",
        )

        async def run() -> tuple[int, str]:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "serve", env=env, cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
            assert process.returncode is not None
            return process.returncode, stderr.decode()

        code, stderr = asyncio.run(run())
    assert code != 0
    assert stderr.strip().splitlines()[-1] == (
        "informe-bot: error: the Bot API rejected TELEGRAM_BOT_TOKEN (check it with @BotFather)"
    )
    assert "DEBUG" in stderr and "/bot<redacted>" in stderr  # PTB logged its URL, redacted
    assert "Traceback" not in stderr
    assert all(part not in stderr for part in secret_parts(TOKEN))
