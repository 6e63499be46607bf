"""Who may use the bot, how often, the admin commands, and what the database keeps about users.

One real bot for the module (long polling the local Bot API) with allow-lists, two admins (one
who never opened a chat with the bot) and a small per-user question limit. The privacy checks at
the end read every table of the database the session wrote.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy import Engine as DbEngine
from sqlalchemy import MetaData, func, insert, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from bot import state
from bot.engine.core import Engine
from bot.telegram import access, admin, render
from db.models import ChatState, QueryLog, RateLimitHit, utcnow
from db.store import knowledge_version
from tests.fakes.botapi import FakeBotApi
from tests.reliability_support import BotUnderTest, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOT_USERNAME = "informe_test_bot"
HASH_KEY = "reliability-test-key"
ADMIN = 424_242_424_001
ADMIN_WITHOUT_CHAT = 424_242_424_009
ALLOWED = 424_242_424_002
RATE_USER = 424_242_424_004
FORGETFUL = 424_242_424_005
OTHER = 424_242_424_006
OUTSIDER = 424_242_424_003
ALLOWED_GROUP = -1_004_242_424_101
OTHER_GROUP = -1_004_242_424_102
LIMIT = 4
UNANSWERABLE = "¿Cuál es el color favorito del alcalde de Medellín?"
QUESTION = "¿cuánta inversión extranjera llegó?"
RAW_IDS = [ADMIN, ALLOWED, RATE_USER, FORGETFUL, OTHER, OUTSIDER, ALLOWED_GROUP, OTHER_GROUP]




@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    answer_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotUnderTest]:
    async with FakeBotApi(bot_username=BOT_USERNAME) as api:
        api.register_chat(ADMIN, "private")
        async with running_bot(
            answer_engine,
            tmp_path_factory.mktemp("access"),
            api=api,
            admin_user_ids=f"{ADMIN},{ADMIN_WITHOUT_CHAT}",
            allowed_user_ids=f"{ALLOWED},{RATE_USER},{FORGETFUL},{OTHER}",
            allowed_chat_ids=str(ALLOWED_GROUP),
            questions_per_minute=LIMIT,
            user_hash_key=HASH_KEY,
        ) as harness:
            yield harness
            assert not harness.log.error_handler_calls(), harness.log.text


def engine_reply(engine: Engine, question: str) -> str:
    return render.render_pages(engine.ask(question).answer)[0]


def user_hash(user_id: int) -> str:
    return state.hash_id("user", user_id, HASH_KEY)


# ----------------------------------------------------------------------------- allow-lists


async def test_listed_users_and_admins_are_answered(
    bot: BotUnderTest, answer_engine: Engine
) -> None:
    reply = await bot.say(ALLOWED, QUESTION)
    assert reply.raw_text == engine_reply(answer_engine, QUESTION)
    reply = await bot.say(ADMIN, QUESTION)  # admins need not be on the allow-list
    assert reply.raw_text == engine_reply(answer_engine, QUESTION)


async def test_others_get_one_polite_refusal_a_minute(bot: BotUnderTest) -> None:
    reply = await bot.say(OUTSIDER, QUESTION)
    assert "uso restringido" in (reply.text or "")
    bot.api.send_text(OUTSIDER, "¿y ahora?")
    bot.api.send_text(OUTSIDER, "/cifra inversión")
    await bot.settle()
    assert len(bot.replies(OUTSIDER)) == 1  # no answer, and no refusal on every message


async def test_groups_pass_by_chat_or_by_sender(bot: BotUnderTest, answer_engine: Engine) -> None:
    mention = f"@{BOT_USERNAME} {QUESTION}"
    by_chat = await bot.say(ALLOWED_GROUP, mention, user_id=OUTSIDER)  # listed chat
    assert by_chat.raw_text == engine_reply(answer_engine, QUESTION)
    by_sender = await bot.say(OTHER_GROUP, mention, user_id=ALLOWED)  # listed sender
    assert by_sender.raw_text == engine_reply(answer_engine, QUESTION)
    bot.api.send_text(OTHER_GROUP, "charla entre miembros", user_id=OUTSIDER)  # not for the bot
    await bot.settle()
    assert len(bot.replies(OTHER_GROUP)) == 1
    # Neither listed: the outsider's refusal notice was already given this minute (above).
    bot.api.send_text(OTHER_GROUP, mention, user_id=OUTSIDER)
    await bot.settle()
    assert len(bot.replies(OTHER_GROUP)) == 1


async def test_an_unlisted_press_on_a_button_is_refused(bot: BotUnderTest) -> None:
    answer = await bot.say(OTHER_GROUP, f"@{BOT_USERNAME} premios internacionales",
                           user_id=ALLOWED)
    up = next(d for d in answer.callback_data if d.startswith("f|") and d.endswith("|1"))
    log_id = int(up.split("|")[1])
    before = len(bot.api.callback_answers)
    bot.api.press_button(OTHER_GROUP, answer.message_id, up, user_id=OUTSIDER)
    await bot.api.wait_until(lambda: len(bot.api.callback_answers) > before, timeout=20)
    refusal = bot.api.callback_answers[-1]
    assert "uso restringido" in (refusal.text or "") and refusal.show_alert
    with Session(bot.db) as session:
        row = session.get(QueryLog, log_id)
    assert row is not None and row.feedback is None


async def test_inline_queries_pass_by_sender_only(bot: BotUnderTest) -> None:
    bot.api.inline_query(ALLOWED, "inversión extranjera")
    await bot.api.wait_until(lambda: len(bot.api.inline_answers) == 1, timeout=20)
    assert bot.api.inline_answers[0].results
    # With an allow-list, Telegram must not cache the answer for anyone else.
    assert bot.api.inline_answers[0].is_personal
    bot.api.inline_query(OUTSIDER, "inversión extranjera")
    await bot.api.wait_until(lambda: len(bot.api.inline_answers) == 2, timeout=20)
    refused = bot.api.inline_answers[1]
    assert refused.results == [] and refused.is_personal
    assert refused.button is not None and "Sin acceso" in refused.button["text"]


# ----------------------------------------------------------------------------- admin commands


async def test_admin_commands_refuse_everyone_else(bot: BotUnderTest) -> None:
    version = knowledge_version(bot.db)
    for command in ("/recargar", "/estadisticas", "/pendientes", "/reload", "/stats"):
        reply = await bot.say(OTHER, command)
        assert "solo para quienes administran" in (reply.text or ""), command
    assert knowledge_version(bot.db) == version


async def test_admin_menu_only_in_admin_chats(bot: BotUnderTest) -> None:
    default = {c["command"] for c in bot.api.commands_for()}
    for_admin = {c["command"] for c in bot.api.commands_for({"type": "chat", "chat_id": ADMIN})}
    assert {"recargar", "estadisticas", "pendientes"} <= for_admin - default
    assert "cifra" in for_admin and "recargar" not in default


async def test_statistics_match_the_query_log(bot: BotUnderTest) -> None:
    for user in (OTHER, FORGETFUL, ALLOWED):
        bot.api.send_text(user, UNANSWERABLE.lower().replace("¿", "") + "   ")
    await bot.settle()
    reply = await bot.say(ADMIN, "/estadisticas")
    stats = admin.usage_stats(bot.db)
    today = utcnow().date().isoformat()
    text_ = reply.text or ""
    share = round(100 * stats.answered / stats.total)
    assert f"Preguntas: {stats.total}; respondidas: {stats.answered} ({share} %)" in text_
    [today_line] = [line for line in text_.splitlines() if line.startswith(today)]
    assert today_line == f"{today}: {stats.total} / {stats.answered}"
    with Session(bot.db) as session:
        rows = session.exec(select(func.count()).select_from(QueryLog)).one()
    assert stats.total == rows and stats.total >= 8
    top_intent, count = stats.top_intents[0]
    assert f"1. {top_intent}: {count}" in text_


async def test_pending_lists_the_most_frequent_unanswered(
    bot: BotUnderTest, answer_engine: Engine
) -> None:
    assert answer_engine.ask(UNANSWERABLE).answer.status != "answered"
    await bot.say(OTHER, UNANSWERABLE)  # a fourth wording of the same question
    reply = await bot.say(ADMIN, "/pendientes")
    first = (reply.text or "").splitlines()[1]
    assert first.startswith("1. «") and "color favorito del alcalde" in first
    assert "×4" in first


async def test_reload_refuses_a_broken_report_and_keeps_answering(
    bot: BotUnderTest, answer_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> None:
    broken = tmp_path_factory.mktemp("broken") / "informe.md"
    broken.write_bytes(b"\xff\xfe not UTF-8 \x00")
    services = bot.services
    version = knowledge_version(bot.db)
    original = services.settings.report_path
    services.settings.report_path = broken
    try:
        reply = await bot.say(ADMIN, "/recargar")
    finally:
        services.settings.report_path = original
    assert "No se pudo recargar" in (reply.text or "") and "versión anterior" in reply.text
    assert knowledge_version(bot.db) == version and services.engine is answer_engine
    reply = await bot.say(ADMIN, QUESTION)
    assert reply.raw_text == engine_reply(answer_engine, QUESTION)


# ----------------------------------------------------------------------------- question limit


async def test_question_limit_per_user(bot: BotUnderTest, answer_engine: Engine) -> None:
    for n in range(LIMIT + 2):
        bot.api.send_text(RATE_USER, f"eventos de {['enero', 'marzo', 'mayo', 'junio'][n % 4]}")
    await bot.api.wait_for_messages(RATE_USER, LIMIT + 1, timeout=30)
    await bot.settle()
    replies = bot.replies(RATE_USER)
    assert len(replies) == LIMIT + 1  # the answers, one notice, then silence
    # The notice comes from the gate, which need not wait for the answers still being made.
    [notice] = [r.text or "" for r in replies if "límite" in (r.text or "")]
    assert f"el límite es {LIMIT} por minuto" in notice and "Espera" in notice
    hits = select(func.count()).select_from(RateLimitHit).where(
        RateLimitHit.user_hash == user_hash(RATE_USER)
    )
    with Session(bot.db) as session:
        assert session.exec(hits).one() == LIMIT  # counted in the database
    # /olvidar is never limited; a minute later questions are answered again.
    reply = await bot.say(RATE_USER, "/olvidar")
    assert "borré" in (reply.text or "")
    before = len(bot.replies(RATE_USER))
    bot.api.send_text(RATE_USER, QUESTION)  # forgetting does not reset the limit
    await bot.settle()
    assert len(bot.replies(RATE_USER)) == before  # no answer, and no second notice this minute
    with bot.db.begin() as conn:
        table = RateLimitHit.__table__
        conn.execute(update(table).values(created_at=table.c.created_at - timedelta(seconds=61)))
    reply = await bot.say(RATE_USER, QUESTION)
    assert reply.raw_text == engine_reply(answer_engine, QUESTION)


async def test_the_limit_is_exact_under_concurrency(engine: DbEngine) -> None:
    """Eight threads (think: workers) counting one user's questions: exactly `limit` pass, on
    SQLite and on PostgreSQL."""
    limit, allowed, failures = 10, [], []
    now = utcnow()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        try:
            for _ in range(4):
                allowed.append(access.check_rate(engine, "u" * 64, limit, now=now).allowed)
        except Exception as exc:
            failures.append(exc)

    def run_workers() -> None:
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    await asyncio.to_thread(run_workers)
    assert not failures
    assert allowed.count(True) == limit and len(allowed) == 32
    decision = access.check_rate(engine, "u" * 64, limit, now=now + timedelta(seconds=30))
    assert not decision.allowed and decision.retry_after == 30
    assert access.check_rate(engine, "u" * 64, limit, now=now + timedelta(seconds=61)).allowed


# ----------------------------------------------------------------------------- privacy


async def test_forget_deletes_only_the_askers_rows(bot: BotUnderTest) -> None:
    await bot.say(FORGETFUL, "eventos de octubre")
    await bot.say(OTHER, "eventos de octubre")
    with Session(bot.db) as session:
        mine = session.exec(
            select(func.count()).select_from(QueryLog).where(
                QueryLog.user_hash == user_hash(FORGETFUL)
            )
        ).one()
        others = session.exec(
            select(func.count()).select_from(QueryLog).where(
                QueryLog.user_hash == user_hash(OTHER)
            )
        ).one()
    assert mine >= 2 and others >= 2
    reply = await bot.say(FORGETFUL, "/olvidar")
    assert f"borré {mine} preguntas" in (reply.text or "")
    with Session(bot.db) as session:
        left = session.exec(
            select(QueryLog.user_hash).where(QueryLog.user_hash.in_(
                [user_hash(FORGETFUL), user_hash(OTHER)]))
        ).all()
        chat = session.get(ChatState, state.chat_key(FORGETFUL, HASH_KEY))
    assert left.count(user_hash(FORGETFUL)) == 0 and left.count(user_hash(OTHER)) == others
    assert chat is None  # the private chat's context went too
    reply = await bot.say(FORGETFUL, "/olvidar")
    assert "borré 0 preguntas" in (reply.text or "")


async def test_retention_purges_old_rows_while_running(bot: BotUnderTest) -> None:
    days = bot.settings.query_log_retention_days
    old = utcnow() - timedelta(days=days, hours=1)
    recent = utcnow() - timedelta(days=days - 1)
    with bot.db.begin() as conn:
        for when, question in ((old, "vieja"), (recent, "reciente")):
            conn.execute(insert(QueryLog.__table__).values(
                created_at=when, question=question, status="answered", channel="telegram"))
    bot.application.bot_data[access.PURGE_DUE_KEY] = 0.0  # as if an hour had passed
    await bot.say(ALLOWED, "premios internacionales")
    with Session(bot.db) as session:
        questions = session.exec(select(QueryLog.question)).all()
    assert "reciente" in questions and "vieja" not in questions
    assert bot.application.bot_data[access.PURGE_DUE_KEY] > 0


async def test_retention_purges_at_start(answer_engine: Engine, tmp_path_factory) -> None:
    def seed(db: DbEngine) -> None:
        with db.begin() as conn:
            conn.execute(insert(QueryLog.__table__).values(
                created_at=utcnow() - timedelta(days=31), question="vieja", status="answered"))
            conn.execute(insert(QueryLog.__table__).values(
                created_at=utcnow() - timedelta(days=29), question="reciente", status="answered"))

    async with running_bot(answer_engine, tmp_path_factory.mktemp("retention"),
                           query_log_retention_days=30, before_start=seed) as harness:
        with Session(harness.db) as session:
            questions = session.exec(select(QueryLog.question)).all()
    assert questions == ["reciente"]


async def test_no_raw_user_or_chat_id_in_any_table(bot: BotUnderTest) -> None:
    await bot.settle()
    metadata = MetaData()
    metadata.reflect(bot.db)
    needles = {str(i) for i in RAW_IDS} | {f"user{abs(i)}" for i in RAW_IDS}
    cells = 0
    with bot.db.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa_select(table)):
                for value in row:
                    cells += 1
                    text_ = str(value)
                    leaked = [n for n in needles if n in text_]
                    assert not leaked, f"{table.name}: {leaked} in {text_[:200]!r}"
        users = conn.execute(text("SELECT COUNT(DISTINCT user_hash) FROM query_log")).scalar()
    assert cells > 100 and users >= 5  # the session did write: rows by several users, hashed
    with Session(bot.db) as session:
        hashes = session.exec(select(QueryLog.user_hash).where(QueryLog.user_hash.is_not(None)))
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in hashes.all())


async def test_every_reply_was_accepted(bot: BotUnderTest) -> None:
    await asyncio.sleep(0)
    assert not bot.api.internal_errors
    assert not bot.log.errors(ignore=("telegram",)), bot.log.errors()
