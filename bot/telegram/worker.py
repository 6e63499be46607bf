"""A scale-out webhook worker: several of these behind a reverse proxy, sharing one database.

    informe-bot worker --listen 127.0.0.1 --port 8101     (one per port, see deploy/)
    informe-bot set-webhook https://bot.example.org/telegram

python-telegram-bot's own webhook server answers 200 as soon as an update is queued, so a worker
killed a moment later loses it. This aiohttp app answers only after the update was processed:

    POST <path>   403 without the right X-Telegram-Bot-Api-Secret-Token; 400 for a body that is
                  not an update; 200 once the update was handled (or had been, by any worker);
                  503 + Retry-After while another delivery of it is being handled; 500 when
                  handling failed in a way a retry can fix (Bot API or database unreachable) —
                  Telegram then redelivers it, to this worker or another.
    GET /healthz  200 with what this worker serves (knowledge version, counters) when its
                  database answers, else 503; for the proxy, systemd and monitoring.

Nothing a later update needs stays in the process: the query log, chat context and last answer,
button keys and processed update ids live in the database (bot/state.py, dedupe.py). The
read-only knowledge is cached per process and reloaded when its version row moves (reload.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy import Engine as DbEngine
from sqlalchemy import create_engine
from sqlalchemy.exc import InterfaceError, OperationalError
from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.errors import ConfigError
from bot.settings import Settings, get_settings
from bot.telegram.app import CONCURRENT_UPDATES, bot_api_errors, build_application
from bot.telegram.dedupe import Deduplicator, UpdateBusy, purge_processed
from bot.telegram.reload import KnowledgeWatcher, install_watcher
from bot.telegram.retry import is_transient
from bot.telegram.services import get_services
from bot.telegram.webhook import webhook_secret
from db.engine import normalize_url

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram"
MAX_UPDATE_BYTES = 1024 * 1024  # an update is a few KB; refuse anything absurd before parsing
BODY_READ_TIMEOUT_S = 10.0  # a client that trickles its body is cut off (408) after this long
MAX_UPDATE_ID = 2**31 - 1  # what the INTEGER update_id columns hold; Telegram counts far lower
SHUTDOWN_TIMEOUT_S = 30.0  # on SIGTERM, updates in flight get this long to finish
RETRY_AFTER_S = 1
# Database errors a redelivery can fix: the server was unreachable or restarted for a moment.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)

WORKER_KEY = web.AppKey("worker", "Worker")


@dataclass
class WorkerStats:
    processed: int = 0  # updates this worker handled and committed
    duplicates: int = 0  # deliveries of updates already handled (by any worker)
    busy: int = 0  # deliveries refused while another one of the same update was in flight
    failed: int = 0  # deliveries answered 500 so that Telegram retries them
    refused: int = 0  # posts without the secret or with a body that is not an update


@dataclass
class Worker:
    """What one worker process holds: the PTB application and the means to claim updates."""

    application: Application
    dedupe: Deduplicator
    watcher: KnowledgeWatcher
    path: str
    secret: str
    label: str
    stats: WorkerStats = field(default_factory=WorkerStats)
    failed_updates: set[int] = field(default_factory=set)
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENT_UPDATES))

    async def handle(self, update: Update) -> web.Response:
        update_id = update.update_id
        async with self.slots:
            try:
                claim = await self.dedupe.claim(update_id)
            except UpdateBusy:
                self.stats.busy += 1
                return _busy()
            except Exception:
                # Database unreachable: nothing was done, the redelivery will be handled.
                log.exception("could not claim update %d", update_id)
                self.stats.failed += 1
                return _retry_later()
            if claim is None:
                self.dedupe.release(update_id)
                self.stats.duplicates += 1
                return _ok()
            ok = False
            try:
                await self.application.process_update(update)
                ok = update_id not in self.failed_updates
            except Exception:
                log.exception("update %d could not be processed", update_id)
            finally:
                self.failed_updates.discard(update_id)
                try:
                    await self.dedupe.finish(claim, ok=ok)
                except Exception:
                    # Handled but not recorded: a redelivery answers it again (one duplicate).
                    log.exception("could not record update %d as processed", update_id)
                    ok = False
        if not ok:
            self.stats.failed += 1
            return _retry_later()
        self.stats.processed += 1
        return _ok()

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """First error handler: a transient failure is retried by redelivery, not apologised for.

        Stopping here keeps the bot's own error handler from sending "algo salió mal" for an
        update that a redelivery will answer properly.
        """
        error = context.error
        if not isinstance(update, Update) or not _is_transient(error):
            return
        log.warning(
            "update %d failed (%s); answering 500 so it is redelivered",
            update.update_id,
            type(error).__name__,
        )
        self.failed_updates.add(update.update_id)
        raise ApplicationHandlerStop

    def health(self) -> dict[str, Any]:
        services = get_services(self.application.bot_data)
        return {
            "status": "ok",
            "worker": self.label,
            "pid": os.getpid(),
            "knowledge_version": self.watcher.version,
            "knowledge_reloads": self.watcher.reloads,
            # Which text each report was read from: shows a reload reached this worker.
            "reports": {
                report_id: report.source_sha256[:12]
                for report_id, report in sorted(services.engine.reports.items())
            },
            "in_flight": self.dedupe.in_flight,
            **asdict(self.stats),
        }


def _is_transient(error: BaseException | None) -> bool:
    """A failure a later delivery can get past: the Bot API (after the limiter's own retries)
    or the database was unreachable. A bug or a refused request would fail again."""
    if isinstance(error, (*TRANSIENT_DB_ERRORS, RetryAfter)):
        return True
    return isinstance(error, Exception) and is_transient(error)


def _ok() -> web.Response:
    return web.json_response({"ok": True})


def _retry_later() -> web.Response:
    return web.json_response({"ok": False, "retry": True}, status=500)


def _busy() -> web.Response:
    return web.json_response(
        {"ok": False, "retry": True}, status=503, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


# ----------------------------------------------------------------------------- HTTP


async def post_update(request: web.Request) -> web.Response:
    worker = request.app[WORKER_KEY]
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), worker.secret.encode()):
        worker.stats.refused += 1
        return web.json_response({"ok": False, "error": "forbidden"}, status=403)
    try:
        body = await asyncio.wait_for(request.read(), BODY_READ_TIMEOUT_S)
    except TimeoutError:
        worker.stats.refused += 1
        return web.json_response({"ok": False, "error": "body too slow"}, status=408)
    update = parse_update(body, worker.application)
    if update is None:
        worker.stats.refused += 1
        return web.json_response({"ok": False, "error": "not an update"}, status=400)
    return await worker.handle(update)


def parse_update(body: bytes, application: Application) -> Update | None:
    """The update in a webhook body, or None for anything that is not one (answered 400 once,
    so Telegram does not redeliver it forever): not JSON, nested too deep to parse, no update_id,
    an update_id no database column holds."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            return None
        update_id = data.get("update_id")
        if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
            return None
        update = Update.de_json(data, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    return update


async def healthz(request: web.Request) -> web.Response:
    worker = request.app[WORKER_KEY]
    from db.store import knowledge_version

    services = get_services(worker.application.bot_data)
    try:
        stored = await asyncio.to_thread(knowledge_version, services.db)
    except Exception as exc:
        return web.json_response(
            {"status": "database unavailable", "error": type(exc).__name__}, status=503
        )
    return web.json_response({**worker.health(), "stored_knowledge_version": stored})


def create_app(settings: Settings, *, path: str = DEFAULT_PATH, label: str = "") -> web.Application:
    """The worker's aiohttp app; its start-up opens the store and the bot (see `worker_context`)."""
    path = "/" + path.strip("/")
    if path == "/healthz":
        raise ConfigError("--path /healthz is taken by the health check")
    secret = webhook_secret(settings)
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set; get one from @BotFather")
    from bot import hash_key

    settings = hash_key.ensure(settings, generate=False)  # all workers must hash alike
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)

    async def context(app: web.Application) -> AsyncIterator[None]:
        async for _ in worker_context(app, settings, path=path, secret=secret, label=label):
            yield

    app.cleanup_ctx.append(context)
    app.router.add_post(path, post_update)
    app.router.add_get("/healthz", healthz)
    return app


async def worker_context(
    app: web.Application, settings: Settings, *, path: str, secret: str, label: str
) -> AsyncIterator[None]:
    """Open the store, load the knowledge, start the bot; undo it all at shutdown."""
    from bot.telegram.reload import load_knowledge
    from db.store import ensure_store

    loop = asyncio.get_running_loop()
    # Handlers and claims run database and engine work in threads; the default pool (cores + 4)
    # would make concurrent updates queue behind each other's database round trips.
    executor = ThreadPoolExecutor(max_workers=CONCURRENT_UPDATES * 3, thread_name_prefix="worker")
    loop.set_default_executor(executor)
    db = await asyncio.to_thread(ensure_store, settings)
    claims = _claims_engine(settings, db)
    try:
        version, engine = await asyncio.to_thread(load_knowledge, db)
        application = build_application(settings, engine=engine, db_engine=db)
        watcher = install_watcher(application, version)
        with bot_api_errors(settings):
            await application.initialize()
        dedupe = Deduplicator(claims, str(application.bot.id))
        worker = Worker(application, dedupe, watcher, path, secret, label or str(os.getpid()))
        _prepend_error_handler(application, worker.on_error)
        purged = await asyncio.to_thread(purge_processed, db)
        await application.start()
        app[WORKER_KEY] = worker
        log.info(
            "worker %s ready: webhook at %s, knowledge version %d, %d old update ids removed",
            worker.label, path, version, purged,
        )
        try:
            yield
        finally:
            await application.stop()
            await application.shutdown()
    finally:
        claims.dispose()
        db.dispose()
        executor.shutdown(wait=False, cancel_futures=True)


def _claims_engine(settings: Settings, db: DbEngine) -> DbEngine:
    """A pool of its own for claims: each update holds one connection while it is handled."""
    if db.dialect.name != "postgresql":
        log.warning("SQLite store: run a single worker (several workers need PostgreSQL)")
        return db
    # No pre-ping (one round trip less per update): a connection that died with the server
    # fails the claim, SQLAlchemy drops the pool, and the update is answered 500 and redelivered.
    return create_engine(
        normalize_url(settings.database_url),
        pool_size=CONCURRENT_UPDATES,  # the `slots` semaphore: never more claims at once
        max_overflow=0,
        connect_args={"connect_timeout": 5},
    )


def _prepend_error_handler(application: Application, callback: Any) -> None:
    existing = dict(application.error_handlers)
    application.error_handlers.clear()
    application.add_error_handler(callback)
    for handler, block in existing.items():
        application.add_error_handler(handler, block=block)


# ----------------------------------------------------------------------------- CLI


def run_worker(args: Any) -> int:
    """`informe-bot worker`: serve the webhook on --listen/--port until SIGTERM or Ctrl-C."""
    settings = get_settings()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs contain the token
    label = f"{args.listen}:{args.port}"
    app = create_app(settings, path=args.path, label=label)
    web.run_app(
        app,
        host=args.listen,
        port=args.port,
        print=None,
        access_log=None,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        handler_cancellation=False,  # a client hanging up must not abort a half-sent answer
    )
    return 0


async def set_webhook(settings: Settings, url: str, *, max_connections: int,
                      drop_pending_updates: bool) -> dict[str, Any]:
    """Point the bot's webhook at `url` (the proxy in front of the workers); returns its info."""
    from urllib.parse import urlsplit

    from telegram import Bot

    from bot.telegram.app import ALLOWED_UPDATES

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"the webhook URL must be an http(s) URL, got {url!r}")
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set; get one from @BotFather")
    secret = webhook_secret(settings)
    bot = Bot(
        settings.telegram_bot_token.get_secret_value().strip(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
    )
    try:
        async with bot:
            await bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=max_connections,
                drop_pending_updates=drop_pending_updates,
            )
            info = await bot.get_webhook_info()
    except InvalidToken:
        raise ConfigError(
            "the Bot API rejected TELEGRAM_BOT_TOKEN (check it with @BotFather)"
        ) from None
    except BadRequest as exc:
        raise ConfigError(f"the Bot API refused the webhook: {exc.message}") from None
    except NetworkError as exc:
        base = settings.telegram_api_base_url
        raise ConfigError(f"cannot reach the Bot API at {base}: {exc.message}") from None
    return {
        "url": info.url,
        "max_connections": info.max_connections,
        "allowed_updates": list(info.allowed_updates or ()),
        "pending_update_count": info.pending_update_count,
    }


def run_set_webhook(args: Any) -> int:
    settings = get_settings()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    info = asyncio.run(
        set_webhook(
            settings,
            args.url,
            max_connections=args.max_connections,
            drop_pending_updates=args.drop_pending_updates,
        )
    )
    print(
        f"webhook set: {info['url']} (max {info['max_connections']} connections, "
        f"{info['pending_update_count']} updates pending, "
        f"updates: {', '.join(info['allowed_updates'])})"
    )
    return 0
