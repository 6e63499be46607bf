"""Data under stress: the query log survives a crash, a failing log never stops an answer, and
/recargar swaps the knowledge atomically while questions keep coming.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import text
from sqlmodel import Session, select

from bot.engine.core import Engine
from bot.settings import DEFAULT_REPORT_PATH, Settings
from bot.telegram import render
from db.engine import make_engine
from db.models import QueryLog
from db.store import ensure_store, ingest_file, knowledge_version
from knowledge.model import ParsedReport
from tests.fakes.botapi import FakeBotApi
from tests.reliability_support import BotUnderTest, running_bot

REPO = Path(__file__).resolve().parents[1]
QUESTION = "¿cuánta inversión extranjera llegó?"
LOG_FAILURE = "could not write the query log"


def expected(engine: Engine, question: str) -> str:
    return render.render_pages(engine.ask(question).answer)[0]


def expected_follow_up(engine: Engine, question: str, context: object) -> str:
    return render.render_pages(engine.ask(question, context).answer)[0]  # type: ignore[arg-type]


def fresh_rows(database_url: str, question: str) -> list[QueryLog]:
    """Rows as another process would read them: a new engine, a new connection."""
    other = make_engine(database_url)
    try:
        with Session(other) as session:
            return list(session.exec(select(QueryLog).where(QueryLog.question == question)))
    finally:
        other.dispose()


def assert_no_error_reply(bot: BotUnderTest) -> None:
    assert not bot.log.error_handler_calls(), bot.log.text
    assert all("algo salió mal" not in (m.text or "") for m in bot.api.sent_messages())




# ----------------------------------------------------------------------------- the query log


async def test_each_answer_is_committed_before_it_is_sent(
    answer_engine: Engine, tmp_path: Path
) -> None:
    async with running_bot(answer_engine, tmp_path) as bot:
        for n, question in enumerate((QUESTION, "eventos de octubre", "/indicadores inversión")):
            reply = await bot.say(8100 + n, question)
            rows = fresh_rows(bot.database_url, question)  # right after the reply arrived
            assert len(rows) == 1 and rows[0].status == "answered"
            assert rows[0].user_hash and str(8100 + n) not in rows[0].user_hash
            assert any(d.startswith("f|") for d in reply.callback_data)
        assert_no_error_reply(bot)


async def test_a_killed_serve_process_keeps_every_answered_question(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    ensure_store(Settings(_env_file=None, database_url=database_url)).dispose()  # ingest once
    with FakeBotApi() as api:
        env = {
            k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "DATABASE_", "LOG_", "BOT_API_"))
        }
        env.update(
            PYTHONPATH=str(REPO),
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
            DATABASE_URL=database_url,
            LOG_LEVEL="WARNING",
        )

        async def run() -> int:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "serve", env=env, cwd=tmp_path,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                questions = [QUESTION, "eventos de octubre", "premios internacionales"]
                for n, question in enumerate(questions):
                    api.send_text(8200 + n, question)
                for n in range(len(questions)):
                    await api.wait_for_messages(8200 + n, 1, timeout=90)
            finally:
                process.send_signal(signal.SIGKILL)  # no shutdown, no flush, no goodbye
                await process.wait()
            return process.returncode or 0

        code = await run()
    assert code == -signal.SIGKILL
    for question in (QUESTION, "eventos de octubre", "premios internacionales"):
        rows = fresh_rows(database_url, question)
        assert len(rows) == 1 and rows[0].status == "answered"


FAILURES = {
    "insert refused": "CREATE TRIGGER refuse BEFORE INSERT ON query_log "
    "BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END",
    "table dropped": "DROP TABLE query_log",
}


@pytest.mark.parametrize("how", list(FAILURES))
async def test_a_failing_query_log_never_stops_an_answer(
    answer_engine: Engine, tmp_path: Path, how: str
) -> None:
    async with running_bot(answer_engine, tmp_path) as bot:
        await bot.say(8300, QUESTION)
        with bot.db.begin() as conn:
            conn.execute(text(FAILURES[how]))
        for n, question in enumerate((QUESTION, "eventos de octubre", "/cifra eventos")):
            reply = await bot.say(8301 + n, question)
            if not question.startswith("/"):
                assert reply.raw_text == expected(answer_engine, question)
            # Without a log row there is nothing to rate: no feedback buttons, still an answer.
            assert not any(d.startswith("f|") for d in reply.callback_data)
        reply = await bot.say(8301, "¿y la meta?")  # the chat state still works
        context = answer_engine.ask(QUESTION).context
        assert reply.raw_text == expected_follow_up(answer_engine, "¿y la meta?", context)
        failures = [r for r in bot.log.records if r.getMessage().startswith(LOG_FAILURE)]
        assert len(failures) >= 3
        assert_no_error_reply(bot)


async def test_a_read_only_database_still_answers(answer_engine: Engine, tmp_path: Path) -> None:
    """Every write fails (query log, chat state, the question limit's counter): answers go on."""
    async with running_bot(answer_engine, tmp_path, questions_per_minute=2) as bot:
        await bot.say(8400, QUESTION)
        read_only = make_engine(f"sqlite:///file:{tmp_path / 'state.sqlite3'}?mode=ro&uri=true")
        services = bot.services
        writable, services.db = services.db, read_only
        try:
            for n in range(4):  # over the limit of 2: the counter cannot count, so no refusal
                reply = await bot.say(8401, QUESTION)
                assert reply.raw_text == expected(answer_engine, QUESTION), n
            # Unanswerable: its suggestion buttons need keys the database cannot store now.
            reply = await bot.say(8402, "¿Cuál es el color favorito del alcalde de Medellín?")
            assert "No lo sé" in (reply.text or "")
            reply = await bot.say(8403, "/csv")  # pick-one buttons, some stored by key
            assert reply.callback_data
        finally:
            services.db = writable
            read_only.dispose()
        warnings = [r.getMessage() for r in bot.log.records if r.levelno == logging.WARNING]
        assert any("rate limit" in w for w in warnings)
        assert_no_error_reply(bot)


# ----------------------------------------------------------------------------- /recargar


async def test_reload_is_atomic_for_questions_asked_meanwhile(
    tmp_path: Path, parsed_report: ParsedReport
) -> None:
    """Questions asked while an admin reloads a changed report get the old figure or the new
    one, complete, never an error; after the reload, only the new one."""
    changed = tmp_path / "informe-2020-corregido.md"
    changed.write_text(
        DEFAULT_REPORT_PATH.read_text(encoding="utf-8").replace("381,3", "481,3"),
        encoding="utf-8",
    )
    admin = 8500
    old_engine = Engine([parsed_report])

    def seed(db: DbEngine) -> None:
        ingest_file(db, DEFAULT_REPORT_PATH, "aci-medellin-2020")

    async with FakeBotApi() as api, running_bot(
        old_engine, tmp_path, api=api, before_start=seed, admin_user_ids=str(admin),
        report_path=changed, questions_per_minute=1000,
    ) as bot:
        version = knowledge_version(bot.db)
        old = expected(old_engine, QUESTION)
        assert "381,3" in old
        chats = list(range(8600, 8640))
        api.send_text(admin, "/recargar")
        for round_ in range(3):  # questions before, during and after the reload starts
            for chat in chats[round_::3]:
                api.send_text(chat, QUESTION)
            await asyncio.sleep(0.2)
        [done] = await api.wait_for_messages(admin, 1, timeout=60)
        assert "Informe recargado" in (done.text or ""), done.text
        new_engine = bot.services.engine
        assert new_engine is not old_engine
        new = expected(new_engine, QUESTION)
        assert "481,3" in new and "381,3" not in new
        await bot.settle()
        replies = [bot.replies(chat) for chat in chats if bot.replies(chat)]
        assert len(replies) == len(chats[0::3]) + len(chats[1::3]) + len(chats[2::3])
        assert all(len(r) == 1 and r[0].raw_text in (old, new) for r in replies)
        olds = sum(r[0].raw_text == old for r in replies)
        print(f"during /recargar: {olds} old and {len(replies) - olds} new answers")
        after = await bot.say(8700, QUESTION)
        assert after.raw_text == new
        assert knowledge_version(bot.db) == version + 1
        assert_no_error_reply(bot)
