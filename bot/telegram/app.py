"""The one `Application`: built from settings, services created in post_init, handlers wired.

`build_application` is the factory for every way the bot runs: `informe-bot serve` (polling or
webhook), tests and benchmarks against the local Bot API server, scale-out workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine as DbEngine
from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import logging_setup, state
from bot.commands import COMMANDS
from bot.errors import ConfigError
from bot.settings import Settings, get_settings
from bot.telegram import access, admin, handlers
from bot.telegram.journal import JournalQueue, UpdateJournal
from bot.telegram.ordering import ChatOrderedProcessor
from bot.telegram.retry import ResilientRateLimiter
from bot.telegram.services import SERVICES_KEY, Services
from bot.telegram.webhook import webhook_options

if TYPE_CHECKING:
    from bot.engine.core import Engine

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
CONCURRENT_UPDATES = 8  # updates of different chats in flight at once (one chat stays in order)
_PENDING_KEY = "_pending_services"
BUTTON_KEY_TTL = timedelta(days=30)  # a button older than this answers "expired"
TOKEN_SHAPE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,100}")


class BotApplication(Application):
    """PTB's Application, whose services also exist after a bare `initialize()`.

    PTB calls post_init only from run_polling/run_webhook; tests, benchmarks and scale-out
    workers drive the application themselves (initialize, process_update), and need the same
    services. Setting them up is idempotent, so run_polling's own post_init call is harmless.
    """

    async def initialize(self) -> None:
        await super().initialize()
        await _post_init(self)


def build_application(
    settings: Settings, *, engine: Engine | None = None, db_engine: DbEngine | None = None
) -> Application:
    """The bot, not yet started. Services missing here are created in post_init from settings."""
    from bot import hash_key

    # A one-process bot generates its key on first start; workers resolved theirs already.
    settings = hash_key.ensure(settings, generate=True)
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set; get one from @BotFather")
    token = settings.telegram_bot_token.get_secret_value().strip()
    logging_setup.protect([token])  # before any request: Bot API URLs contain the token
    if not TOKEN_SHAPE.fullmatch(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected <digits>:<letters, digits, _ or ->, "
            "as @BotFather gives it"
        )
    queue = JournalQueue()
    builder = (
        ApplicationBuilder()
        .application_class(BotApplication)
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_file_url)
        .request(
            HTTPXRequest(
                connection_pool_size=CONCURRENT_UPDATES + 4,
                connect_timeout=10,
                read_timeout=settings.bot_api_timeout,
                write_timeout=settings.bot_api_timeout,
                media_write_timeout=2 * settings.bot_api_timeout,
            )
        )
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .update_queue(queue)
        # One chat's updates in order; a slot only for an update that is working.
        .concurrent_updates(ChatOrderedProcessor(CONCURRENT_UPDATES, on_done=queue.finish))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    # AIORateLimiter's pacing only when enabled; retries of failed calls always.
    builder = builder.rate_limiter(
        ResilientRateLimiter(pace=settings.rate_limiter_enabled, retries=settings.bot_api_retries)
    )
    application = builder.build()
    application.bot_data[_PENDING_KEY] = (settings, engine, db_engine)
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    new_message = filters.UpdateType.MESSAGE  # edited messages and channel posts are not questions
    access.install(application)  # allow-lists and the question limit, before everything else
    admin.add_handlers(application)
    names = [name for spec in COMMANDS for name in (spec.name, *spec.aliases)]
    application.add_handler(CommandHandler(names, handlers.on_command, filters=new_message))
    application.add_handler(
        MessageHandler(
            filters.COMMAND & filters.ChatType.PRIVATE & new_message, handlers.on_unknown_command
        )
    )
    application.add_handler(
        # Not our own inline results posted back into a chat: those are answers, not questions.
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT & new_message, handlers.on_text
        )
    )
    application.add_handler(
        MessageHandler(
            ~filters.TEXT & filters.ChatType.PRIVATE & new_message, handlers.on_other_private
        )
    )
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(InlineQueryHandler(handlers.on_inline_query))
    application.add_error_handler(handlers.on_error)


async def _post_init(application: Application) -> None:
    if SERVICES_KEY in application.bot_data:
        return
    settings, engine, db_engine = application.bot_data[_PENDING_KEY]
    owns_db = db_engine is None
    if engine is None or db_engine is None:
        engine, db_engine = await asyncio.to_thread(_open_services, settings, engine, db_engine)
    application.bot_data[SERVICES_KEY] = Services(settings, engine, db_engine, owns_db=owns_db)
    queue = application.update_queue
    if isinstance(queue, JournalQueue):
        hash_key = application.bot_data[SERVICES_KEY].hash_key
        queue.journal = UpdateJournal(db_engine, str(application.bot.id), hash_key)
    purged = await asyncio.to_thread(state.purge_callbacks, db_engine, BUTTON_KEY_TTL)
    log.info("bot services ready; %d expired button keys removed", purged)
    await access.purge_now(application)
    await set_commands(application)
    await admin.set_admin_commands(application)


def _open_services(
    settings: Settings, engine: Engine | None, db_engine: DbEngine | None
) -> tuple[Engine, DbEngine]:
    from bot.engine.core import Engine
    from db.store import ensure_store, load_reports

    db_engine = db_engine or ensure_store(settings)
    return engine or Engine(load_reports(db_engine)), db_engine


async def set_commands(application: Application) -> None:
    """The command menu: Spanish for everyone, the English names for English-language clients."""
    bot = application.bot
    await bot.set_my_commands([BotCommand(s.name, s.description_es) for s in COMMANDS])
    await bot.set_my_commands(
        [BotCommand(s.name_for("en"), s.description_en) for s in COMMANDS], language_code="en"
    )


async def _post_shutdown(application: Application) -> None:
    services = application.bot_data.get(SERVICES_KEY)
    if isinstance(services, Services) and services.owns_db:
        services.db.dispose()


# ----------------------------------------------------------------------------- serve


def run_serve(args: Any) -> int:
    """`informe-bot serve`: long polling, or webhook with `--webhook-url/--listen/--port`."""
    from bot import hash_key

    settings = hash_key.ensure(get_settings(), generate=True)
    logging_setup.protect_settings(settings)
    _check_store_writable(settings)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    webhook_url = getattr(args, "webhook_url", None)
    options = (
        webhook_options(settings, webhook_url, args.listen, args.port) if webhook_url else None
    )
    application = build_application(settings)
    with bot_api_errors(settings):
        _initialize_for_serve(application)
        if options is not None:
            log.info(
                "serving webhook on %s:%s/%s",
                options["listen"],
                options["port"],
                options["url_path"],
            )
            application.run_webhook(**options, allowed_updates=ALLOWED_UPDATES)
        else:
            log.info("serving with long polling")
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def _check_store_writable(settings: Settings) -> None:
    """A SQLite store (and its -wal/-shm files) the bot cannot write would fail every answer's
    bookkeeping, or kill the process by SIGBUS later: refuse it at start, in one line."""
    import os
    from pathlib import Path

    from sqlalchemy.engine import make_url

    try:
        url = make_url(settings.database_url)
    except Exception:
        return  # make_engine gives the clear line for a malformed URL
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = Path(url.database).expanduser()
    directory = path.parent if str(path.parent) else Path(".")
    if directory.exists() and not os.access(directory, os.W_OK | os.X_OK):
        raise ConfigError(f"the store's directory {directory} is not writable by this user")
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if candidate.exists() and not os.access(candidate, os.R_OK | os.W_OK):
            raise ConfigError(f"the store file {candidate} is not writable by this user")


@contextlib.contextmanager
def bot_api_errors(settings: Settings) -> Iterator[None]:
    """Bot API failures while starting (serve, worker) as one clear line, never a traceback."""
    base = settings.telegram_api_base_url
    try:
        yield
    except InvalidToken:
        raise ConfigError(
            "the Bot API rejected TELEGRAM_BOT_TOKEN (check it with @BotFather)"
        ) from None
    except NetworkError as exc:
        raise ConfigError(f"cannot reach the Bot API at {base}: {exc.message}") from None
    except TelegramError as exc:  # e.g. a response that is not JSON: not a Bot API server
        raise ConfigError(f"the Bot API at {base} answered: {exc.message}") from None


def _initialize_for_serve(application: Application) -> None:
    """Contact the Bot API (retried with backoff by the rate limiter) and open the store first,
    on the loop run_polling/run_webhook then use: their own start-up would log a failure here
    with a traceback before re-raising it, and the CLI prints one line instead."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(application.initialize())
        queue = application.update_queue
        if isinstance(queue, JournalQueue):  # the last run's unanswered updates come first
            loop.run_until_complete(queue.recover(application.bot))
    except BaseException:
        with contextlib.suppress(Exception):
            loop.run_until_complete(application.shutdown())
        loop.close()
        raise
