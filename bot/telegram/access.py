"""Who may use the bot and how often: allow-lists, the admin check, the per-user question limit.

A `TypeHandler` in a group before every other handler (`GATE_GROUP`) looks at each update and
either lets it through or answers it politely itself and stops it (`ApplicationHandlerStop`):

- **Allow-lists** (`ALLOWED_USER_IDS`, `ALLOWED_CHAT_IDS`; both empty = everyone): a message or a
  button press passes when its sender or its chat is listed, an inline query when its sender is.
  Admins always pass. Others get a short refusal, at most once a minute per user, and only for
  messages addressed to the bot (in a group, chatter among members is none of its business).
- **Question limit** (`QUESTIONS_PER_MINUTE`): questions and commands per user over a sliding
  minute, counted in the database (`RateLimitHit`) so every worker shares one count. Over the
  limit the user is told how long to wait, once per minute, and the rest is ignored until then.
  A button press that asks (a suggestion, a pick-one choice) counts as a question; ratings and
  page turns have a cap of their own (`BUTTON_PRESSES_PER_MINUTE`), inline queries a budget of
  their own (`INLINE_QUERIES_PER_MINUTE`). One notice per minute whichever limit was hit;
  `/olvidar` forgets the questions, not the count.
- **Query-log retention** (`QUERY_LOG_RETENTION_DAYS`): rows older than that are deleted at start
  and then at most once an hour, before a question is answered.

Database trouble never blocks an answer here: a failed count lets the question through.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy import Engine as DbEngine
from sqlalchemy.exc import SQLAlchemyError
from telegram import InlineQueryResultsButton, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot import state
from bot.settings import Settings
from bot.telegram.handlers import addressed_text, user_lang
from bot.telegram.services import Services, get_services
from bot.texts import say
from db.models import QueryLog, RateLimitHit, utcnow

log = logging.getLogger(__name__)

GATE_GROUP = -2  # before scale-out's knowledge watcher (-1) and the bot's handlers (0)
RATE_WINDOW = timedelta(minutes=1)
RATE_HIT_TTL = timedelta(hours=1)  # older hits count for nothing: purged with the query log
PURGE_INTERVAL_S = 3600.0
PURGE_DUE_KEY = "access_purge_due"
# Commands that never count against the limit: the privacy command and the admin ones.
UNCOUNTED_COMMANDS = frozenset(
    {"olvidar", "forget", "recargar", "reload", "estadisticas", "stats", "pendientes", "pending"}
)


# ----------------------------------------------------------------------------- who


def is_admin(settings: Settings, user_id: int | None) -> bool:
    return user_id is not None and user_id in settings.admin_user_ids


def restricted(settings: Settings) -> bool:
    return bool(settings.allowed_user_ids or settings.allowed_chat_ids)


def message_allowed(settings: Settings, user_id: int | None, chat_id: int | None) -> bool:
    """A message or button press: its sender or its chat is listed (or no list is set)."""
    if not restricted(settings) or is_admin(settings, user_id):
        return True
    return (user_id is not None and user_id in settings.allowed_user_ids) or (
        chat_id is not None and chat_id in settings.allowed_chat_ids
    )


def inline_allowed(settings: Settings, user_id: int | None) -> bool:
    """An inline query has no chat of the bot's: only its sender counts."""
    if not restricted(settings) or is_admin(settings, user_id):
        return True
    return user_id is not None and user_id in settings.allowed_user_ids


# ----------------------------------------------------------------------------- how often


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int = 0  # seconds until the user may ask again (when not allowed)
    count: int = 0  # questions in the window, this one included when allowed


def _write_connection(db: DbEngine) -> Connection:
    """SQLite takes its write lock at BEGIN, so a read-then-insert cannot interleave."""
    return db.connect().execution_options(sqlite_begin="IMMEDIATE")


def _lock_key(conn: Connection, key: str) -> None:
    """PostgreSQL: serialize transactions on one hash (until commit) with an advisory lock."""
    if conn.dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:7], "big")
        conn.execute(select(func.pg_advisory_xact_lock(lock_id)))


def check_rate(
    db: DbEngine,
    user_hash: str,
    limit: int,
    *,
    window: timedelta = RATE_WINDOW,
    now: datetime | None = None,
) -> RateDecision:
    """Count one question of `user_hash` unless `limit` were already asked within `window`.

    One transaction that holds the write lock (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory
    lock per user), so two workers counting the same user's questions cannot both slip under it.
    """
    now = now or utcnow()
    since = now - window
    table = RateLimitHit.__table__
    with _write_connection(db) as conn, conn.begin():
        _lock_key(conn, user_hash)
        conn.execute(
            delete(table).where(table.c.user_hash == user_hash, table.c.created_at <= since)
        )
        hits = (
            conn.execute(
                select(table.c.created_at)
                .where(table.c.user_hash == user_hash, table.c.created_at > since)
                .order_by(table.c.created_at)
            )
            .scalars()
            .all()
        )
        if len(hits) < limit:
            conn.execute(insert(table).values(user_hash=user_hash, created_at=now))
            return RateDecision(True, 0, len(hits) + 1)
    # The slot frees when the oldest hit that keeps the count at the limit leaves the window.
    frees_at = hits[len(hits) - limit] + window
    return RateDecision(False, max(1, math.ceil((frees_at - now).total_seconds())), len(hits))


def claim_notice(
    db: DbEngine, notice_hash: str, *, window: timedelta = RATE_WINDOW, now: datetime | None = None
) -> bool:
    """True at most once per `window` for `notice_hash`: whether to send a refusal now."""
    now = now or utcnow()
    table = RateLimitHit.__table__
    with _write_connection(db) as conn, conn.begin():
        _lock_key(conn, notice_hash)
        recent = conn.execute(
            select(func.count())
            .select_from(table)
            .where(table.c.user_hash == notice_hash, table.c.created_at > now - window)
        ).scalar_one()
        if recent:
            return False
        conn.execute(insert(table).values(user_hash=notice_hash, created_at=now))
        return True


# ----------------------------------------------------------------------------- retention


def purge_expired(db: DbEngine, retention_days: int, now: datetime | None = None) -> int:
    """Delete query-log rows older than the retention and rate-limit hits no window needs."""
    now = now or utcnow()
    log_table, hit_table = QueryLog.__table__, RateLimitHit.__table__
    with db.begin() as conn:
        purged = conn.execute(
            delete(log_table).where(log_table.c.created_at < now - timedelta(days=retention_days))
        ).rowcount
        conn.execute(delete(hit_table).where(hit_table.c.created_at < now - RATE_HIT_TTL))
    return int(purged or 0)


async def purge_now(application: Application) -> int:
    """Purge at once (at start-up) and schedule the next one in an hour."""
    services = get_services(application.bot_data)
    application.bot_data[PURGE_DUE_KEY] = time.monotonic() + PURGE_INTERVAL_S
    try:
        purged = await asyncio.to_thread(
            purge_expired, services.db, services.settings.query_log_retention_days
        )
    except SQLAlchemyError:
        log.warning("could not purge the query log; retrying in an hour", exc_info=True)
        return 0
    if purged:
        log.info("query log: %d rows older than %d days deleted", purged,
                 services.settings.query_log_retention_days)
    return purged


async def _purge_if_due(application: Application) -> None:
    if time.monotonic() >= application.bot_data.get(PURGE_DUE_KEY, 0.0):
        await purge_now(application)


# ----------------------------------------------------------------------------- the gate


def _command_name(message: Message) -> str | None:
    """The command a message starts with (without / and @bot), or None."""
    entities = message.entities or ()
    if not message.text or not entities or entities[0].type != MessageEntity.BOT_COMMAND:
        return None
    if entities[0].offset != 0:
        return None
    return message.text[1 : entities[0].length].split("@")[0].lower()


def _for_this_bot(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In a private chat every message is; in a group, commands to it, mentions and replies."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    name = _command_name(message)
    if name is not None and message.text:
        first = message.text.split(maxsplit=1)[0]
        target = first.split("@", 1)[1] if "@" in first else None
        return target is None or target.lower() == (context.bot.username or "").lower()
    if message.text is None:
        return False
    return addressed_text(message, context.bot.username, context.bot.id) is not None


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let the update through, or answer it here and stop it."""
    services = get_services(context.bot_data)
    settings = services.settings
    user = update.effective_user
    user_id = user.id if user else None
    lang = user_lang(update)
    if update.inline_query is not None:
        if not inline_allowed(settings, user_id):
            await _refuse_inline(update, lang)
            raise ApplicationHandlerStop
        if user_id is not None:
            await _limit_inline(update, services, user_id, lang)
        return
    if update.callback_query is not None:
        chat = update.effective_chat
        if not message_allowed(settings, user_id, chat.id if chat else None):
            await update.callback_query.answer(say("not_allowed", lang), show_alert=True)
            raise ApplicationHandlerStop
        if user_id is not None:
            await _limit_press(update, services, user_id, lang)
        return
    message = update.message  # new messages only: edits and channel posts are never answered
    if message is None or not _for_this_bot(message, context):
        return
    if not message_allowed(settings, user_id, message.chat_id):
        if user_id is not None and await _notice_due(services, "denied-notice", user_id):
            await message.reply_text(say("not_allowed", lang))
        raise ApplicationHandlerStop
    await _purge_if_due(context.application)
    if user_id is None or _command_name(message) in UNCOUNTED_COMMANDS:
        return
    decision = await _count(services, user_id)
    if decision is None or decision.allowed:
        return
    if await _notice_due(services, "rate-notice", user_id):
        limit = settings.questions_per_minute
        await message.reply_text(say("too_many", lang, limit=limit, seconds=decision.retry_after))
    raise ApplicationHandlerStop


async def _limit_press(update: Update, services: Services, user_id: int, lang: str) -> None:
    """A press that asks (a suggestion, a pick-one choice) is a question; any other press
    (rating, page turn, the page indicator, forged data) counts against a cap of its own."""
    query = update.callback_query
    assert query is not None
    if await _press_asks(services, query.data or ""):
        decision = await _count(services, user_id)
    else:
        limit = services.settings.button_presses_per_minute
        decision = await _count(services, user_id, kind="press", limit=limit)
    if decision is None or decision.allowed:
        return
    limit = services.settings.questions_per_minute
    try:
        if await _notice_due(services, "rate-notice", user_id):
            text = say("too_many", lang, limit=limit, seconds=decision.retry_after)
            await query.answer(text, show_alert=True)
        else:
            await query.answer()
    except TelegramError:
        log.warning("could not answer a press over the limit", exc_info=True)
    raise ApplicationHandlerStop


async def _press_asks(services: Services, data: str) -> bool:
    from bot.telegram import keyboards, replies

    if not data.startswith((keyboards.ASK, keyboards.COMMAND, keyboards.KEY)):
        return False
    try:
        fields = await asyncio.to_thread(replies.resolve_button, services, data)
    except SQLAlchemyError:
        return True  # cannot tell: count it as the dearer kind
    return bool(fields) and fields[0] in (keyboards.ASK, keyboards.COMMAND)


async def _limit_inline(update: Update, services: Services, user_id: int, lang: str) -> None:
    """Inline queries (one per keystroke) have a budget of their own per user."""
    limit = services.settings.inline_queries_per_minute
    decision = await _count(services, user_id, kind="inline", limit=limit)
    if decision is None or decision.allowed:
        return
    notice = None
    if await _notice_due(services, "rate-notice", user_id):
        notice = say("too_many_inline", lang, seconds=decision.retry_after)
    await _refuse_inline(update, lang, notice=notice)
    raise ApplicationHandlerStop


async def _count(
    services: Services, user_id: int, *, kind: str = "user", limit: int | None = None
) -> RateDecision | None:
    """Count one use of `kind` (questions: "user", the hash the query log uses) for the user."""
    user_hash = state.hash_id(kind, user_id, services.hash_key)
    limit = limit or services.settings.questions_per_minute
    try:
        return await asyncio.to_thread(check_rate, services.db, user_hash, limit)
    except SQLAlchemyError:
        log.warning("could not count the question for the rate limit; answering anyway",
                    exc_info=True)
        return None


async def _notice_due(services: Services, kind: str, user_id: int) -> bool:
    notice_hash = state.hash_id(kind, user_id, services.hash_key)
    try:
        return await asyncio.to_thread(claim_notice, services.db, notice_hash)
    except SQLAlchemyError:
        log.warning("could not record a refusal notice; sending it anyway", exc_info=True)
        return True


async def _refuse_inline(update: Update, lang: str, *, notice: str | None = "") -> None:
    """Answer an inline query with nothing; the button says why (`notice` None: no button)."""
    inline = update.inline_query
    assert inline is not None
    text = say("not_allowed_inline", lang) if notice == "" else notice
    button = InlineQueryResultsButton(text=text, start_parameter="acceso") if text else None
    try:
        await inline.answer([], cache_time=0, is_personal=True, button=button)
    except TelegramError:
        log.warning("could not answer a refused inline query", exc_info=True)


def install(application: Application) -> None:
    """Put the gate in front of every handler of `application`."""
    application.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
