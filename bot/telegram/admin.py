"""Admin commands (`ADMIN_USER_IDS`) and the privacy command everyone has.

- `/recargar` (`/reload`): re-ingest `REPORT_PATH` and answer from it, without a restart. The
  ingest is one transaction that also bumps the knowledge version (`db.store.save_report`), the
  new engine is built beside the old one, then `Services.engine` is swapped in one assignment:
  a question being answered keeps the engine it started with, so it gets the old data or the
  new, never a mix, and a failed ingest leaves both the store and the bot as they were.
- `/estadisticas` (`/stats`): questions per day, share answered, most frequent intents.
- `/pendientes` (`/pending`): the questions most often left unanswered.
- `/olvidar` (`/forget`), for anyone: delete the asker's rows from the query log (found by the
  HMAC of their id) and, in a private chat, the chat's saved context.

The report builders are plain functions over the database, testable without Telegram.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine as DbEngine
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot import state
from bot.commands import COMMANDS
from bot.errors import IngestError
from bot.telegram.access import is_admin
from bot.telegram.handlers import user_lang
from bot.telegram.services import Services, get_services
from bot.texts import say
from db.models import ChatState, QueryLog, utcnow

log = logging.getLogger(__name__)

RELOAD_LOCK_KEY = "admin_reload_lock"
STATS_DAYS = 7
TOP_INTENTS = 5
PENDING_LIMIT = 10
QUESTION_CHARS = 120  # a pending question is shown up to this length

ADMIN_COMMANDS: tuple[tuple[str, str, str], ...] = (
    # (Spanish name, English alias, description)
    ("recargar", "reload", "Recargar el informe sin reiniciar (admin)"),
    ("estadisticas", "stats", "Uso: preguntas por día, respondidas, temas (admin)"),
    ("pendientes", "pending", "Preguntas frecuentes sin respuesta (admin)"),
)
FORGET_COMMAND = ("olvidar", "forget", "Borrar mis preguntas del registro")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


# ----------------------------------------------------------------------------- reload


@dataclass(frozen=True)
class ReloadResult:
    report_id: str
    title: str
    sections: int
    tables: int
    facts: int
    knowledge_version: int
    seconds: float


def reload_knowledge(services: Services) -> ReloadResult:
    """Ingest REPORT_PATH in one transaction, then swap in an engine built from the store."""
    from bot.engine.core import Engine
    from db.store import ingest_file, load_reports

    started = time.perf_counter()
    settings = services.settings
    summary = ingest_file(services.db, settings.report_path, settings.report_id)
    engine = Engine(load_reports(services.db))
    services.engine = engine  # one assignment: answers in flight keep the engine they hold
    return ReloadResult(
        report_id=summary.report_id,
        title=summary.title,
        sections=summary.sections,
        tables=summary.tables,
        facts=summary.facts,
        knowledge_version=summary.knowledge_version,
        seconds=time.perf_counter() - started,
    )


def _record_failure(services: Services, error: str) -> None:
    from db.store import record_failure

    record_failure(services.db, str(services.settings.report_path), error)


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not await _admin_or_refuse(update, context):
        return
    lock: asyncio.Lock = context.bot_data.setdefault(RELOAD_LOCK_KEY, asyncio.Lock())
    if lock.locked():
        await message.reply_text(say("reload_busy", user_lang(update)))
        return
    services = get_services(context.bot_data)
    async with lock:
        try:
            result = await asyncio.to_thread(reload_knowledge, services)
        except (IngestError, OSError) as exc:
            _record_failure(services, str(exc))
            await message.reply_text(
                f"No se pudo recargar el informe: {esc(str(exc))}\n"
                "Sigo respondiendo con la versión anterior."
            )
            return
        except SQLAlchemyError as exc:
            log.warning("reload failed on the database", exc_info=True)
            first = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
            await message.reply_text(
                f"No se pudo recargar: error de base de datos ({esc(first)}).\n"
                "Sigo respondiendo con la versión anterior."
            )
            return
    log.info("knowledge reloaded by an admin: version %d", result.knowledge_version)
    await message.reply_text(
        f"Informe recargado: <b>{esc(result.title)}</b> ({esc(result.report_id)})\n"
        f"{result.sections} secciones, {result.tables} tablas, {result.facts} cifras; "
        f"versión de conocimiento {result.knowledge_version} ({result.seconds:.1f} s)."
    )


# ----------------------------------------------------------------------------- usage statistics


@dataclass(frozen=True)
class UsageStats:
    days: list[tuple[date, int, int]]  # (day, questions, answered), oldest first
    total: int
    answered: int
    top_intents: list[tuple[str, int]]

    @property
    def answered_share(self) -> float:
        return self.answered / self.total if self.total else 0.0


def usage_stats(db: DbEngine, days: int = STATS_DAYS, now: datetime | None = None) -> UsageStats:
    """The last `days` days (UTC) of the query log."""
    now = now or utcnow()
    first_day = now.date() - timedelta(days=days - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=now.tzinfo)
    table = QueryLog.__table__
    with db.connect() as conn:
        rows = conn.execute(
            select(table.c.created_at, table.c.status, table.c.intent).where(
                table.c.created_at >= start
            )
        ).all()
    per_day: dict[date, list[int]] = {first_day + timedelta(days=i): [0, 0] for i in range(days)}
    intents: Counter[str] = Counter()
    answered = 0
    for created_at, status, intent in rows:
        counts = per_day.setdefault(created_at.date(), [0, 0])
        counts[0] += 1
        if status == "answered":
            counts[1] += 1
            answered += 1
        if intent:
            intents[intent] += 1
    return UsageStats(
        days=[(day, c[0], c[1]) for day, c in sorted(per_day.items())],
        total=len(rows),
        answered=answered,
        top_intents=intents.most_common(TOP_INTENTS),
    )


def render_stats(stats: UsageStats) -> str:
    lines = [f"<b>Uso del bot, últimos {len(stats.days)} días</b>"]
    share = round(100 * stats.answered_share)
    lines.append(
        f"Preguntas: <b>{stats.total}</b>; respondidas: <b>{stats.answered}</b> ({share} %)"
    )
    lines.append("")
    lines.append("<b>Por día</b> (preguntas / respondidas)")
    lines.extend(f"{day.isoformat()}: {total} / {ok}" for day, total, ok in stats.days)
    lines.append("")
    lines.append("<b>Temas más preguntados</b>")
    if stats.top_intents:
        lines.extend(
            f"{i}. {esc(intent)}: {count}" for i, (intent, count) in enumerate(stats.top_intents, 1)
        )
    else:
        lines.append("Todavía no hay preguntas registradas.")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- unanswered


_PUNCT_EDGES = re.compile(r"^[\s¿¡?!.,;:]+|[\s¿¡?!.,;:]+$")


def question_key(question: str) -> str:
    """Questions that differ only in case, spacing, accents or edge punctuation are one."""
    from bot.engine.normalize import fold

    folded = fold(question)
    return folded or _PUNCT_EDGES.sub("", " ".join(question.lower().split()))


@dataclass(frozen=True)
class Pending:
    question: str  # the latest wording asked
    count: int
    status: str  # not_found, ambiguous...


def pending_questions(db: DbEngine, limit: int = PENDING_LIMIT) -> list[Pending]:
    """The most frequent questions the bot could not answer, most frequent first."""
    table = QueryLog.__table__
    with db.connect() as conn:
        rows = conn.execute(
            select(table.c.question, table.c.status)
            .where(table.c.status != "answered")
            .order_by(table.c.id)
        ).all()
    counts: Counter[str] = Counter()
    latest: dict[str, tuple[str, str]] = {}
    for question, status in rows:
        if not question.strip():
            continue
        key = question_key(question)
        counts[key] += 1
        latest[key] = (question, status)
    return [
        Pending(" ".join(latest[key][0].split()), count, latest[key][1])
        for key, count in counts.most_common(limit)
    ]


def render_pending(pending: list[Pending]) -> str:
    if not pending:
        return "No hay preguntas sin responder en el registro."
    lines = ["<b>Preguntas sin respuesta más frecuentes</b>"]
    for i, item in enumerate(pending, 1):
        question = item.question
        if len(question) > QUESTION_CHARS:
            question = question[: QUESTION_CHARS - 1] + "…"
        lines.append(f"{i}. «{esc(question)}» ×{item.count} ({esc(item.status)})")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- forget me


def forget_user(db: DbEngine, user_hash: str, chat_hash: str | None = None) -> int:
    """Delete a user's query-log rows (and one chat's state); returns how many questions were
    deleted. The rate-limit hits stay: forgetting must not reset the question limit (they hold
    no question and expire within the hour anyway)."""
    log_table = QueryLog.__table__
    with db.begin() as conn:
        deleted = conn.execute(delete(log_table).where(log_table.c.user_hash == user_hash))
        if chat_hash is not None:
            chat_table = ChatState.__table__
            conn.execute(delete(chat_table).where(chat_table.c.chat_key == chat_hash))
    return int(deleted.rowcount or 0)


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = get_services(context.bot_data)
    lang = user_lang(update)
    user_hash = state.hash_id("user", user.id, services.hash_key)
    private = message.chat.type == ChatType.PRIVATE
    chat_hash = state.chat_key(message.chat_id, services.hash_key) if private else None
    try:
        deleted = await asyncio.to_thread(forget_user, services.db, user_hash, chat_hash)
    except SQLAlchemyError:
        log.warning("/olvidar failed on the database", exc_info=True)
        await message.reply_text(say("forget_failed", lang))
        return
    await message.reply_text(say("forgotten", lang, n=deleted))


# ----------------------------------------------------------------------------- handlers


async def _admin_or_refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    if is_admin(get_services(context.bot_data).settings, user.id if user else None):
        return True
    message = update.effective_message
    if message is not None:
        await message.reply_text(say("admins_only", user_lang(update)))
    return False


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not await _admin_or_refuse(update, context):
        return
    db = get_services(context.bot_data).db
    stats = await asyncio.to_thread(usage_stats, db)
    failures = await asyncio.to_thread(_ingest_failures, db)
    await message.reply_text(render_stats(stats) + render_failures(failures))


def _ingest_failures(db: DbEngine) -> list[dict]:
    from db.store import ingest_failures

    return ingest_failures(db)


def render_failures(failures: list[dict]) -> str:
    """Failed ingests of the report file: the bot answers from the stored copy meanwhile."""
    if not failures:
        return ""
    lines = ["", "", "<b>⚠️ Informe no cargado</b> (sigo respondiendo con la copia guardada)"]
    for f in failures:
        when = f["failed_at"].strftime("%Y-%m-%d %H:%M") if f.get("failed_at") else ""
        lines.append(f"{esc(when)} {esc(str(f['source']))}: {esc(str(f['error'])[:300])}")
    return "\n".join(lines)


async def on_pending(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not await _admin_or_refuse(update, context):
        return
    pending = await asyncio.to_thread(pending_questions, get_services(context.bot_data).db)
    await message.reply_text(render_pending(pending))


def add_handlers(application: Application) -> None:
    """Register before the bot's general command handlers (first match wins in a group)."""
    new_message = filters.UpdateType.MESSAGE
    for (name, alias, _), callback in zip(
        ADMIN_COMMANDS, (on_reload, on_stats, on_pending), strict=True
    ):
        application.add_handler(CommandHandler([name, alias], callback, filters=new_message))
    name, alias, _ = FORGET_COMMAND
    application.add_handler(CommandHandler([name, alias], on_forget, filters=new_message))


async def set_admin_commands(application: Application) -> int:
    """Show the admin commands in each admin's private chat menu only; returns how many menus
    were set (an admin who never opened a chat with the bot cannot get one)."""
    services = get_services(application.bot_data)
    public = [BotCommand(s.name, s.description_es) for s in COMMANDS]
    extra = [BotCommand(name, text) for name, _, text in (*ADMIN_COMMANDS, FORGET_COMMAND)]
    done = 0
    for admin_id in sorted(services.settings.admin_user_ids):
        try:
            await application.bot.set_my_commands(
                public + extra, scope=BotCommandScopeChat(chat_id=admin_id)
            )
            done += 1
        except TelegramError as exc:
            log.warning("admin command menu not set for one admin: %s", exc)
    return done
