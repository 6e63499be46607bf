"""Losing the bot's state costs context or buttons, never the answer: a dropped `chat_state` or
`callback_key` table, or the whole SQLite store file deleted while the bot runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.engine.core import Engine
from bot.telegram import render
from tests.reliability_support import GENERIC_ERROR, BotUnderTest, running_bot

CHAT = 933_000_001
QUESTIONS = ["premios internacionales", "eventos", "cuantos", "/indicadores",  # eventos: 2 pages
             "presupuesto", "¿cuánta inversión extranjera llegó?"]


def first_page(engine: Engine, question: str) -> str:
    return render.render_pages(engine.ask(question).answer)[0]


def no_apology(bot: BotUnderTest) -> None:
    assert not any(GENERIC_ERROR in (m.text or "") for m in bot.api.sent_messages())
    assert not bot.log.error_handler_calls(), bot.log.text


@pytest.mark.parametrize("table", ["chat_state", "callback_key", "query_log, chat_state, "
                                   "callback_key, rate_limit_hit, update_journal"])
async def test_a_dropped_state_table_never_stops_an_answer(
    answer_engine: Engine, tmp_path: Path, table: str
) -> None:
    async with running_bot(answer_engine, tmp_path) as bot:
        await bot.say(CHAT, "eventos de octubre")
        with bot.db.begin() as conn:
            for name in table.split(", "):
                conn.execute(text(f"DROP TABLE {name}"))
        for n, question in enumerate(QUESTIONS):
            reply = await bot.say(CHAT + 1 + n, question)
            if not question.startswith("/"):
                assert reply.raw_text == first_page(answer_engine, question), question
        follow_up = await bot.say(CHAT, "¿y en noviembre?")  # context may be gone, not the reply
        assert follow_up.text
        await bot.settle()
        no_apology(bot)


async def test_a_deleted_store_file_never_stops_an_answer(
    answer_engine: Engine, tmp_path: Path
) -> None:
    async with running_bot(answer_engine, tmp_path) as bot:
        await bot.say(CHAT, "eventos de octubre")
        for suffix in ("", "-wal", "-shm", "-journal"):
            path = tmp_path / f"state.sqlite3{suffix}"
            if path.exists():
                os.remove(path)
        bot.db.dispose()  # new connections: they find an empty file, without tables
        for n in range(3):
            for m, question in enumerate(QUESTIONS):
                reply = await bot.say(CHAT + 100 + 10 * n + m, question)
                if not question.startswith("/"):
                    assert reply.raw_text == first_page(answer_engine, question), question
        await bot.settle()
        no_apology(bot)
