"""A local HTTP server on 127.0.0.1 that speaks the Telegram Bot API, for end-to-end tests.

Point python-telegram-bot at it with
``ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url)``,
feed it updates (``api.send_text(...)``), and look at what the bot did (``api.sent_messages()``).
It answers like Telegram, rejections included, and can inject faults (``api.inject(...)``).

Run it inside your event loop (``async with FakeBotApi() as api``) or in a thread of its own
(``api = FakeBotApi().start_in_thread()`` … ``api.stop()``) for sync code and for bots running
in other processes.  ``python -m tests.fakes.botapi`` runs it standalone (drive it with
``tests.fakes.control.RemoteFakeBotApi``).

    async with FakeBotApi() as api:
        application = ApplicationBuilder().token(api.token).base_url(api.base_url)...build()
        ...start polling (or set a webhook)...
        api.send_text(4242, "/cifra eventos")
        [reply] = await api.wait_for_messages(4242, 1)
        assert reply.parse_mode == "HTML" and "eventos" in reply.text

Faults that hit before the method takes effect never record anything; ``api.calls`` still
lists every request that arrived, faulted or not.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import inspect
import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, Self, TypeVar

from aiohttp import web

from tests.fakes import control, feed
from tests.fakes.faults import Fault, FaultEvent, FaultPlan, FaultRule
from tests.fakes.flood import FLOOD_METHODS, FloodControl, FloodLimits
from tests.fakes.methods import (
    METHODS,
    ApiError,
    Handler,
    MethodContext,
    ServerOptions,
)
from tests.fakes.objects import JSON, user_object
from tests.fakes.params import normalize, read_params
from tests.fakes.state import (
    ApiCall,
    BotAccount,
    CallbackAnswer,
    InlineAnswer,
    SentMessage,
    WebhookStats,
)
from tests.fakes.telegram_html import TelegramBadRequest
from tests.fakes.updates import (
    delete_webhook,
    get_updates,
    get_webhook_info,
    make_set_webhook,
    push_update,
    stop_webhook,
    wake_poller,
)

__all__ = ["DEFAULT_TOKEN", "FakeBotApi", "Fault", "SentMessage"]

DEFAULT_TOKEN = "123456789:AAFakeTokenForLocalTestsOnly_x1y2z3w4"
TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,100}")
_NOT_FOUND = ApiError(404, "Not Found")
_UNAUTHORIZED = ApiError(401, "Unauthorized")
_MAX_BODY = 64 * 1024 * 1024
T = TypeVar("T")
_LOG = logging.getLogger(__name__)


def _json_response(status: int, body: JSON) -> web.Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return web.Response(status=status, text=text, content_type="application/json")


class FakeBotApi:
    """The Bot API of one or more bots (one per token), served on 127.0.0.1."""

    def __init__(
        self,
        tokens: str | Iterable[str] | None = None,
        *,
        bot_username: str = "informe_test_bot",
        bot_first_name: str = "Informe Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        strict_html: bool = True,
        query_timeout: float = 15.0,
        webhook_max_tries: int = 15,
        webhook_timeout: float = 10.0,
        webhook_backoff: float = 0.05,
        webhook_backoff_max: float = 1.0,
        flood_limits: FloodLimits | None = None,
    ) -> None:
        """Configure (not start) the server.

        tokens: the valid tokens (default DEFAULT_TOKEN); the first is the default bot.  Other
        bots get usernames ``<bot_username>2``, ``3``…  strict_html rejects a bare ``&``
        (Telegram keeps it literally).  query_timeout: seconds after which a callback or
        inline query can no longer be answered.  webhook_*: delivery attempts per update,
        per-POST timeout and exponential backoff between attempts.  flood_limits: answer 429
        like Telegram's flood control when a bot sends too fast (off by default).
        """
        token_list = [tokens] if isinstance(tokens, str) else list(tokens or [DEFAULT_TOKEN])
        if not token_list:
            raise ValueError("FakeBotApi needs at least one token")
        self.host = host
        self.port = port
        self.options = ServerOptions(
            strict_html=strict_html, query_timeout=query_timeout,
            webhook_max_tries=webhook_max_tries, webhook_timeout=webhook_timeout,
            webhook_backoff=webhook_backoff, webhook_backoff_max=webhook_backoff_max,
        )
        self.accounts: dict[str, BotAccount] = {}
        self._bot_username = bot_username
        self._bot_first_name = bot_first_name
        for token in token_list:
            self.add_bot(token)
        self.faults = FaultPlan()
        self.flood_limits = flood_limits
        self._flood: dict[str, FloodControl] = {}
        self.requests_total = 0
        self.requests_active = 0  # requests being handled right now (a faulted one included)
        self.internal_errors: list[Exception] = []  # bugs of the fake itself; should stay empty
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in METHODS.items()
        }
        for name, handler in (
            ("getUpdates", get_updates),
            ("setWebhook", make_set_webhook(self._execute)),
            ("deleteWebhook", delete_webhook),
            ("getWebhookInfo", get_webhook_info),
        ):
            self._methods[name.lower()] = (name, handler)
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread_id: int | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # -----------------------------------------------------------------------------------------
    # Identity and addresses

    def add_bot(self, token: str, *, username: str | None = None,
                first_name: str | None = None) -> BotAccount:
        """Accept one more token; returns its state (an existing token returns the same)."""
        if not TOKEN_RE.fullmatch(token):
            raise ValueError("a bot token looks like '<digits>:<letters, digits, _ or ->'")
        if token not in self.accounts:
            number = len(self.accounts) + 1
            default_name = self._bot_username if number == 1 else f"{self._bot_username}{number}"
            self.accounts[token] = BotAccount(
                token, username or default_name, first_name or self._bot_first_name
            )
        return self.accounts[token]

    @property
    def token(self) -> str:
        """The default bot's token."""
        return next(iter(self.accounts))

    def account(self, token: str | None = None) -> BotAccount:
        """State of one bot (default: the first token)."""
        return self.accounts[token or self.token]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For python-telegram-bot's base_url: the token is appended to it."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The default bot's User object, as getMe returns it."""
        return self.account().user

    # -----------------------------------------------------------------------------------------
    # Lifecycle

    async def start(self) -> Self:
        """Bind 127.0.0.1 (a free port unless one was given) and serve in the running loop."""
        if self._runner is not None:
            raise RuntimeError("FakeBotApi is already running")
        self._loop = asyncio.get_running_loop()
        self._loop_thread_id = threading.get_ident()
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_routes(control.routes(self))
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self

    async def close(self) -> None:
        """Stop webhooks, end long polls and close the listening socket."""
        for account in self.accounts.values():
            await stop_webhook(account)
            wake_poller(account, "closing")
        for _predicate, future in self._waiters:
            if not future.done():
                future.cancel()
        self._waiters.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def start_in_thread(self) -> Self:
        """Serve from a daemon thread with its own event loop; returns once listening."""
        if self._thread is not None:
            raise RuntimeError("FakeBotApi is already running in a thread")
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.close())
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=serve, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not ready.wait(15):
            raise RuntimeError("FakeBotApi did not start within 15 s")
        if failure:
            self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop a server started with start_in_thread()."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)
        self._thread = None
        self._loop = None

    def __enter__(self) -> Self:
        return self.start_in_thread()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -----------------------------------------------------------------------------------------
    # HTTP handling

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return _json_response(404, _NOT_FOUND.body())

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        self.requests_total += 1
        self.requests_active += 1
        try:
            return await self._answer(request)
        finally:
            self.requests_active -= 1
            self._notify()

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not TOKEN_RE.fullmatch(token):
            return _json_response(404, _NOT_FOUND.body())
        account = self.accounts.get(token)
        if account is None:
            return _json_response(401, _UNAUTHORIZED.body())
        known = self._methods.get(request.match_info["method"].lower())
        if known is None:
            return _json_response(404, _NOT_FOUND.body())
        name, handler = known
        try:
            params = await read_params(request)
        except TelegramBadRequest as exc:
            return _json_response(400, ApiError(400, exc.description).body())
        account.calls.append(ApiCall(name, params, time.time()))
        self._notify()
        fault = self.faults.pick(name, token, params.get("chat_id")) if self.faults.rules else None
        if fault is not None and fault.before_effect:
            return await self._fail_before_effect(request, fault)
        if fault is not None and fault.kind == "SLOW":
            await asyncio.sleep(fault.value)
        if self.flood_limits is not None and name in FLOOD_METHODS:
            refused = self._flood_check(account, params.get("chat_id"))
            if refused is not None:
                return refused
        status, body = await self._run(account, handler, params)
        if fault is not None and fault.kind == "DROP_AFTER_EFFECT":
            return self._drop(request)
        return _json_response(status, body)

    def _flood_check(self, account: BotAccount, chat_ref: Any) -> web.Response | None:
        assert self.flood_limits is not None
        flood = self._flood.setdefault(account.token, FloodControl(self.flood_limits))
        state = account.resolve_chat(chat_ref) if chat_ref not in (None, "") else None
        if state is None:
            return None  # the method itself answers "chat not found"
        is_group = state.chat["type"] in ("group", "supergroup")
        retry_after = flood.admit(state.chat_id, is_group, time.monotonic())
        if retry_after is None:
            return None
        return _json_response(429, ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        ).body())

    @property
    def flood_refused(self) -> int:
        """Sends refused by flood control (flood_limits), over all bots."""
        return sum(flood.refused for flood in self._flood.values())

    async def _run(self, account: BotAccount, handler: Handler,
                   params: dict[str, Any]) -> tuple[int, JSON]:
        ctx = MethodContext(account, self.options, self._notify)
        try:
            result = handler(ctx, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.code, exc.body()
        except TelegramBadRequest as exc:
            return 400, ApiError(400, exc.description).body()
        except Exception as exc:
            # A bug in the fake must not pass for a network hiccup the bot retries silently.
            self.internal_errors.append(exc)
            _LOG.exception("fake Bot API failed on %s", handler)
            return 500, ApiError(500, "Internal Server Error").body()
        return 200, {"ok": True, "result": result}

    async def _execute(self, account: BotAccount, method: str, params: dict[str, Any]) -> None:
        """Run a method a webhook returned in its response body (Telegram ignores the result)."""
        known = self._methods.get(method.lower())
        if known is not None:
            account.calls.append(ApiCall(known[0], params, time.time()))
            await self._run(account, known[1], normalize(params))

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        if request.transport is not None:
            request.transport.abort()
        return web.Response()

    async def _fail_before_effect(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        if fault.kind == "RETRY_AFTER":
            seconds = int(fault.value)
            return _json_response(429, ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            ).body())
        if fault.kind == "HTTP":
            status = int(fault.value)
            return _json_response(status, ApiError(status, _reason(status)).body())
        if fault.kind == "MALFORMED_JSON":
            return web.Response(status=200, text='{"ok":true,"result":{"message_id":',
                                content_type="application/json")
        if fault.kind == "TIMEOUT":
            await asyncio.sleep(fault.value)
        return self._drop(request)

    async def _handle_file(self, request: web.Request) -> web.Response:
        account = self.accounts.get(request.match_info["token"])
        if account is None:
            return _json_response(401, _UNAUTHORIZED.body())
        path = request.match_info["path"]
        for stored in account.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data,
                                    content_type=stored.mime_type or "application/octet-stream")
        return _json_response(404, _NOT_FOUND.body())

    # -----------------------------------------------------------------------------------------
    # Running code on the server's loop, from any thread

    def _on_loop_thread(self) -> bool:
        return self._loop is None or threading.get_ident() == self._loop_thread_id

    def _call(self, fn: Callable[[], T]) -> T:
        """Run fn on the server's loop (state is only ever mutated there) and return its result."""
        if self._on_loop_thread():
            return fn()
        loop = self._loop
        assert loop is not None
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                outcome.set_result(fn())
            except BaseException as exc:
                outcome.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return outcome.result(timeout=30)

    def _notify(self) -> None:
        """Re-check waiters after any change; predicates are cheap so this stays O(waiters)."""
        if not self._waiters:
            return
        waiting: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            try:
                satisfied = predicate()
            except Exception as exc:
                future.set_exception(exc)
                continue
            if satisfied:
                future.set_result(None)
            else:
                waiting.append((predicate, future))
        self._waiters = waiting

    async def _wait_on_loop(self, predicate: Callable[[], bool], seconds: float,
                            describe: Callable[[], str]) -> None:
        if predicate():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            await asyncio.wait_for(future, seconds)
        except TimeoutError:
            raise TimeoutError(f"after {seconds:g} s: {describe()}") from None

    async def _await_on_loop(self, coro: Any) -> Any:
        loop = self._loop
        if loop is None:
            raise RuntimeError("FakeBotApi is not running")
        if asyncio.get_running_loop() is loop:
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    def _wait_sync(self, coro: Any, timeout: float) -> Any:
        loop = self._loop
        if loop is None:
            raise RuntimeError("FakeBotApi is not running")
        if self._on_loop_thread():
            coro.close()
            raise RuntimeError("a *_sync waiter would block the server's own loop; use await")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout + 10)

    # -----------------------------------------------------------------------------------------
    # Feeding updates

    def _deliver(self, account: BotAccount, kind: str, payload: JSON) -> JSON:
        update = {"update_id": account.new_update_id(), kind: payload}
        push_update(account, update)
        self._notify()
        return update

    def enqueue_update(self, update: JSON, *, token: str | None = None) -> JSON:
        """Deliver a hand-written update (update_id assigned if missing); returns it."""

        def run() -> JSON:
            account = self.account(token)
            if "update_id" in update:
                account.next_update_id = max(account.next_update_id, int(update["update_id"]) + 1)
            else:
                update["update_id"] = account.new_update_id()
            feed.remember_raw_update(account, update)
            push_update(account, update)
            self._notify()
            return update

        return self._call(run)

    def register_user(self, user_id: int, first_name: str | None = None, *,
                      username: str | None = None, language_code: str | None = "es",
                      last_name: str | None = None, token: str | None = None) -> JSON:
        """Give a user a name/username/language before feeding messages from them."""
        user = user_object(user_id, first_name or f"User{user_id}",
                           username if username is not None else f"user{user_id}",
                           language_code, last_name)
        self._call(lambda: self.account(token).users.__setitem__(user_id, user))
        return user

    def register_chat(self, chat_id: int, chat_type: str | None = None, *,
                      title: str | None = None, username: str | None = None,
                      token: str | None = None) -> JSON:
        """Make a chat known (so the bot may write to it) without any update."""
        return self._call(lambda: self.account(token).ensure_chat(
            chat_id, chat_type, title=title, username=username).chat)

    def send_text(self, chat_id: int, text: str, *, user_id: int | None = None,
                  chat_type: str | None = None, reply_to_message_id: int | None = None,
                  entities: list[JSON] | None = None, token: str | None = None) -> JSON:
        """A user writes `text` (commands, mentions, links get their entities); returns the update.

        user_id defaults to chat_id in private chats and to a fixed member in groups;
        chat_type defaults from the id (positive: private, -100…: supergroup, else group).
        """

        def run() -> JSON:
            account = self.account(token)
            message = feed.user_message(account, chat_id, user_id=user_id, chat_type=chat_type,
                                        text=text, entities=entities,
                                        reply_to_message_id=reply_to_message_id)
            return self._deliver(account, "message", message)

        return self._call(run)

    def edited_message(self, chat_id: int, message_id: int, text: str, *,
                       token: str | None = None) -> JSON:
        """The user edits a message they sent earlier; returns the edited_message update."""

        def run() -> JSON:
            account = self.account(token)
            message = feed.edited_message(account, chat_id, message_id, text)
            return self._deliver(account, "edited_message", message)

        return self._call(run)

    def press_button(self, chat_id: int, message_id: int, data: str, *,
                     user_id: int | None = None, check_buttons: bool = True,
                     token: str | None = None) -> JSON:
        """A user presses an inline button of a message the bot sent; returns the update.

        With check_buttons (default) the message must carry a button with that callback_data,
        as on Telegram; pass False to forge stale or foreign data.
        """

        def run() -> JSON:
            account = self.account(token)
            query = feed.callback_query(account, chat_id, message_id, data, user_id=user_id,
                                        check_buttons=check_buttons)
            return self._deliver(account, "callback_query", query)

        return self._call(run)

    def inline_query(self, user_id: int, query: str, *, offset: str = "",
                     chat_type: str | None = "sender", token: str | None = None) -> JSON:
        """A user types ``@bot query`` in any chat; returns the inline_query update."""

        def run() -> JSON:
            account = self.account(token)
            payload = feed.inline_query(account, user_id, query, offset=offset,
                                        chat_type=chat_type)
            return self._deliver(account, "inline_query", payload)

        return self._call(run)

    def send_sticker(self, chat_id: int, *, emoji: str = "👍", user_id: int | None = None,
                     chat_type: str | None = None, token: str | None = None) -> JSON:
        def run() -> JSON:
            account = self.account(token)
            message = feed.sticker_message(account, chat_id, user_id=user_id,
                                           chat_type=chat_type, emoji=emoji)
            return self._deliver(account, "message", message)

        return self._call(run)

    def send_photo_from_user(self, chat_id: int, *, caption: str | None = None,
                             data: bytes | None = None, user_id: int | None = None,
                             chat_type: str | None = None, token: str | None = None) -> JSON:
        """A user sends a photo (default: a generated 64×48 PNG, downloadable via getFile)."""

        def run() -> JSON:
            account = self.account(token)
            message = feed.photo_message(account, chat_id, user_id=user_id,
                                         chat_type=chat_type, caption=caption, data=data)
            return self._deliver(account, "message", message)

        return self._call(run)

    def channel_post(self, chat_id: int, text: str, *, title: str | None = None,
                     token: str | None = None) -> JSON:
        def run() -> JSON:
            account = self.account(token)
            return self._deliver(account, "channel_post",
                                 feed.channel_post(account, chat_id, text, title))

        return self._call(run)

    def my_chat_member(self, chat_id: int, *, new_status: str = "kicked",
                       old_status: str = "member", user_id: int | None = None,
                       chat_type: str | None = None, token: str | None = None) -> JSON:
        """The bot's membership changes (blocked by a user, removed, added back).

        After "kicked" or "left", sending to that chat fails with Telegram's 403.
        """

        def run() -> JSON:
            account = self.account(token)
            payload = feed.my_chat_member(account, chat_id, old_status=old_status,
                                          new_status=new_status, user_id=user_id,
                                          chat_type=chat_type)
            return self._deliver(account, "my_chat_member", payload)

        return self._call(run)

    # -----------------------------------------------------------------------------------------
    # Faults

    def inject(self, method: str | None = None, fault: Fault = Fault.DROP, *,
               times: int | None = None, every: int | None = None, skip: int = 0,
               chat_id: int | str | None = None, token: str | None = None) -> FaultRule:
        """Make matching requests fail: method None = any; times (default 1, or unlimited with
        every), every=k hits every k-th matching request, skip ignores the first ones.
        Returns the rule (its ``fired`` counts hits); ``clear_faults()`` removes all rules."""
        if times is None and every is None:
            times = 1
        rule = FaultRule(fault=fault, method=method, token=token, chat_id=chat_id, times=times,
                         every=every, skip=skip)
        return self._call(lambda: self.faults.add(rule))

    def clear_faults(self) -> None:
        self._call(self.faults.clear)

    @property
    def fault_counts(self) -> Counter[str]:
        """Injected faults per kind (RETRY_AFTER, HTTP, TIMEOUT, DROP, MALFORMED_JSON, …)."""
        return Counter(self.faults.counts)

    @property
    def fault_log(self) -> list[FaultEvent]:
        return list(self.faults.log)

    # -----------------------------------------------------------------------------------------
    # Observing

    @property
    def calls(self) -> list[ApiCall]:
        """Every request the default bot made: (method, params, timestamp), faulted ones too."""
        return list(self.account().calls)

    def calls_to(self, method: str, *, token: str | None = None) -> list[ApiCall]:
        return [call for call in self.account(token).calls if call.method == method]

    def sent_messages(self, chat_id: int | None = None, *, token: str | None = None,
                      include_deleted: bool = True) -> list[SentMessage]:
        """Messages the bot sent (text, photos, documents), in order; per chat if given."""
        account = self.account(token)
        if chat_id is None:
            messages = list(account.sent)
        else:
            state = account.chats.get(chat_id)
            messages = list(state.sent) if state else []
        return messages if include_deleted else [m for m in messages if not m.deleted]

    def sent_count(self, chat_id: int | None = None, *, token: str | None = None) -> int:
        """How many messages the bot sent (to one chat or all), in O(1) for hot predicates."""
        account = self.account(token)
        if chat_id is None:
            return len(account.sent)
        state = account.chats.get(chat_id)
        return len(state.sent) if state else 0

    def last_message(self, chat_id: int, *, token: str | None = None) -> SentMessage:
        messages = self.sent_messages(chat_id, token=token)
        if not messages:
            raise LookupError(f"the bot sent nothing to chat {chat_id}")
        return messages[-1]

    @property
    def photos(self) -> list[SentMessage]:
        """sendPhoto messages; ``.data`` holds the image bytes, ``.file`` width/height/format."""
        return [m for m in self.account().sent if m.method == "sendPhoto"]

    @property
    def documents(self) -> list[SentMessage]:
        """sendDocument messages; ``.data`` holds the bytes and ``.filename`` the name."""
        return [m for m in self.account().sent if m.method == "sendDocument"]

    @property
    def inline_answers(self) -> list[InlineAnswer]:
        return list(self.account().inline_answers)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self.account().callback_answers)

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        return list(self.account().chat_actions)

    @property
    def commands(self) -> list[JSON]:
        """Commands set with setMyCommands for the default scope and no language."""
        return self.commands_for()

    def commands_for(self, scope: JSON | None = None, language_code: str = "", *,
                     token: str | None = None) -> list[JSON]:
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return list(self.account(token).commands.get(key, []))

    def webhook_stats(self, token: str | None = None) -> WebhookStats:
        """Webhook counters: attempts, delivered, redeliveries, failed, last error."""
        return self.account(token).webhook_stats

    def pending_updates(self, token: str | None = None) -> int:
        """Updates not yet confirmed (getUpdates) or acknowledged with a 2xx (webhook)."""
        account = self.account(token)
        dispatcher = account.dispatcher
        return dispatcher.pending if dispatcher is not None else len(account.pending)

    def stats(self) -> JSON:
        """Counters for benchmark reports, summed over all bots."""
        accounts = list(self.accounts.values())
        methods: Counter[str] = Counter()
        for account in accounts:
            methods.update(call.method for call in account.calls)
        return {
            "requests": self.requests_total,
            "calls": dict(methods),
            "sent_messages": sum(len(a.sent) for a in accounts),
            "updates_fed": sum(a.updates_fed for a in accounts),
            "updates_confirmed": sum(a.updates_confirmed for a in accounts),
            "updates_pending": sum(self.pending_updates(a.token) for a in accounts),
            "webhook_delivered": sum(a.webhook_stats.delivered for a in accounts),
            "webhook_redeliveries": sum(a.webhook_stats.redeliveries for a in accounts),
            "webhook_failed": sum(a.webhook_stats.failed for a in accounts),
            "faults": dict(self.faults.counts),
            "flood_refused": self.flood_refused,
        }

    def clear_observations(self, token: str | None = None) -> None:
        """Forget recorded calls, answers and chat actions (chats and messages stay)."""

        def run() -> None:
            account = self.account(token)
            account.calls.clear()
            account.callback_answers.clear()
            account.inline_answers.clear()
            account.chat_actions.clear()

        self._call(run)

    # -----------------------------------------------------------------------------------------
    # Waiting (event-driven: predicates are re-checked when the server's state changes).
    # The waiters take `timeout=` on purpose (ASYNC109): the deadline belongs to the condition,
    # and a failing wait reports what was seen instead of a bare cancellation.

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until predicate() is true (checked on the server's loop after every change)."""
        await self._await_on_loop(
            self._wait_on_loop(predicate, timeout, lambda: "condition still false")
        )

    async def wait_for_messages(self, chat_id: int | None, count: int = 1, timeout: float = 5.0, *,  # noqa: ASYNC109
                                token: str | None = None) -> list[SentMessage]:
        """Wait until the bot has sent at least `count` messages to the chat (None: to all
        chats together); return them all."""
        predicate, describe = self._messages_condition(chat_id, count, token)
        await self._await_on_loop(self._wait_on_loop(predicate, timeout, describe))
        return self.sent_messages(chat_id, token=token)

    async def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0, *,  # noqa: ASYNC109
                             token: str | None = None) -> list[ApiCall]:
        account = self.account(token)
        counter = _MethodCounter(account, method)
        await self._await_on_loop(self._wait_on_loop(
            lambda: counter.count() >= count, timeout,
            lambda: f"{counter.count()} of {count} {method} calls",
        ))
        return self.calls_to(method, token=token)

    async def wait_updates_consumed(self, timeout: float = 5.0, *,  # noqa: ASYNC109
                                    token: str | None = None) -> None:
        """Wait until every fed update was confirmed (getUpdates) or acknowledged (webhook)."""
        await self._await_on_loop(self._wait_on_loop(
            lambda: self.pending_updates(token) == 0, timeout,
            lambda: f"{self.pending_updates(token)} updates still pending",
        ))

    def wait_until_sync(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        self._wait_sync(self._wait_on_loop(predicate, timeout, lambda: "condition still false"),
                        timeout)

    def wait_for_messages_sync(self, chat_id: int | None, count: int = 1, timeout: float = 5.0, *,
                               token: str | None = None) -> list[SentMessage]:
        predicate, describe = self._messages_condition(chat_id, count, token)
        self._wait_sync(self._wait_on_loop(predicate, timeout, describe), timeout)
        return self.sent_messages(chat_id, token=token)

    def wait_updates_consumed_sync(self, timeout: float = 5.0, *,
                                   token: str | None = None) -> None:
        self._wait_sync(self._wait_on_loop(
            lambda: self.pending_updates(token) == 0, timeout,
            lambda: f"{self.pending_updates(token)} updates still pending",
        ), timeout)

    def _messages_condition(self, chat_id: int | None, count: int,
                            token: str | None) -> tuple[Callable[[], bool], Callable[[], str]]:
        def describe() -> str:
            sent = self.sent_messages(chat_id, token=token)
            texts = [m.text if m.text is not None else f"<{m.kind}>" for m in sent[-10:]]
            where = "all chats" if chat_id is None else f"chat {chat_id}"
            return f"{where} got {len(sent)} of {count} messages, last: {texts!r}"

        return (lambda: self.sent_count(chat_id, token=token) >= count), describe


class _MethodCounter:
    """Counts calls to one method incrementally, so waiting on many calls stays O(new calls)."""

    def __init__(self, account: BotAccount, method: str) -> None:
        self.account = account
        self.method = method
        self.seen = 0
        self.matched = 0

    def count(self) -> int:
        calls = self.account.calls
        if len(calls) < self.seen:  # cleared meanwhile
            self.seen = self.matched = 0
        for call in calls[self.seen :]:
            if call.method == self.method:
                self.matched += 1
        self.seen = len(calls)
        return self.matched


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def main(argv: list[str] | None = None) -> None:
    """Run the fake Bot API standalone until interrupted (prints its base URL)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", action="append", help="valid token (repeatable)")
    args = parser.parse_args(argv)

    async def serve() -> None:
        async with FakeBotApi(args.token, port=args.port) as api:
            print(f"base_url={api.base_url} base_file_url={api.base_file_url}", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
