"""Outgoing traffic within Telegram's limits: AIORateLimiter (overall and per-group limits, 429s
retried) plus per-chat pacing when the bot sends several messages to one chat in a row.

(The per-user question limit is in test_security_access.py.)
"""

from __future__ import annotations

from pathlib import Path

from telegram.ext import AIORateLimiter

from bot.engine.core import Engine
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.retry import CHAT_BURST, ChatPacer, ResilientRateLimiter
from tests.fakes.botapi import FakeBotApi
from tests.fakes.flood import FloodLimits
from tests.reliability_support import running_bot

QUESTIONS = [f"eventos de {month}" for month in
             ("enero", "marzo", "mayo", "junio", "julio", "agosto", "octubre", "noviembre")]




def test_the_application_paces_and_retries() -> None:
    settings = Settings(_env_file=None, telegram_bot_token="123:abc", database_url="sqlite://")
    limiter = build_application(settings).bot.rate_limiter
    assert isinstance(limiter, AIORateLimiter) and isinstance(limiter, ResilientRateLimiter)
    assert limiter.pace and limiter.retries == settings.bot_api_retries > 0
    off = Settings(_env_file=None, telegram_bot_token="123:abc", rate_limiter_enabled=False)
    limiter = build_application(off).bot.rate_limiter
    assert isinstance(limiter, ResilientRateLimiter) and not limiter.pace and limiter.retries > 0


def test_chat_pacer_allows_a_burst_then_one_a_second() -> None:
    pacer = ChatPacer(rate=1.0, burst=3)
    waits = [pacer.reserve("chat", now=100.0) for _ in range(6)]
    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]
    assert pacer.reserve("another chat", now=100.0) == 0.0  # chats are paced apart
    assert pacer.reserve("chat", now=110.0) == 0.0  # a quiet chat gets its burst back


async def test_a_burst_of_answers_to_one_chat_is_paced(
    answer_engine: Engine, tmp_path: Path
) -> None:
    async with running_bot(answer_engine, tmp_path) as bot:
        chat = 9100
        for question in QUESTIONS[:6]:
            bot.api.send_text(chat, question)
        messages = await bot.api.wait_for_messages(chat, 6, timeout=60)
        sends = [c.timestamp for c in bot.api.calls_to("sendMessage")]
        assert len(messages) == 6 and len(sends) == 6
        # Three at once, then about one a second: the sixth no sooner than ~3 s after the first.
        assert sends[5] - sends[0] >= 2.7
        assert bot.limiter.pacer.waits >= 6 - CHAT_BURST
        assert not bot.log.error_handler_calls()


async def test_telegram_flood_control_429s_are_retried_not_lost(
    answer_engine: Engine, tmp_path: Path
) -> None:
    """A server as strict as Telegram can be (1 message a second per chat, no burst): the
    refused sends come back as 429 with retry_after, and every answer still arrives once."""
    strict = FloodLimits(global_per_second=30, group_per_minute=20, chat_per_second=1)
    async with (
        FakeBotApi(flood_limits=strict) as api,
        running_bot(answer_engine, tmp_path, api=api) as bot,
    ):
        chats = [9200, 9201]
        for question in QUESTIONS[:4]:
            for chat in chats:
                api.send_text(chat, question)
        for chat in chats:
            await api.wait_for_messages(chat, 4, timeout=60)
        await bot.settle()
        assert api.flood_refused > 0  # Telegram-style 429s did happen...
        assert [len(bot.replies(chat)) for chat in chats] == [4, 4]  # ...and cost nothing
        assert not bot.log.error_handler_calls()
        print(f"flood control: {api.flood_refused} sends refused with 429, all retried")
