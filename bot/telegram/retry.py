"""Every Bot API call goes through here: paced within Telegram's limits, retried when it failed
on the way.

python-telegram-bot's `AIORateLimiter` keeps the whole bot under ~30 messages/s and each group
under 20/min, and retries a `429 Too Many Requests` after its `retry_after`. It does not retry a
call that failed in transit (connection refused or dropped, timeout, `5xx`, a body that is not
JSON), and it lets a chat receive a burst as fast as the bot produces it. This limiter adds both:

- **retries** with exponential backoff for transient failures. Telegram answers these before or
  after doing the work, and the client cannot tell which: a retry after a response lost on the
  way back sends the message a second time. Each such lost response costs at most one duplicate
  (the retry either succeeds or fails the same way); errors Telegram gives for the request
  itself (400, 401, 403, 409) are never retried.
- **pacing per chat**: a token bucket per chat (a short burst, then about one message a second),
  Telegram's advice for messages to one chat, on the methods that put something in a chat.

`getUpdates` never comes here (PTB's polling loop has its own backoff).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import (
    BadRequest,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter

from bot.telegram.ordering import released_slot

log = logging.getLogger(__name__)

Callback = Callable[..., Coroutine[Any, Any, Any]]

RETRY_AFTER_RETRIES = 3  # 429s are retried by AIORateLimiter this many times
BACKOFF_S = 0.5  # first wait after a transient failure; doubles each time
BACKOFF_MAX_S = 8.0
CHAT_RATE_PER_S = 1.0
CHAT_BURST = 3
# Methods that put (or change) a message in a chat: the ones Telegram counts per chat.
PACED_PREFIXES = ("send", "edit", "copy", "forward")
PACING_EXEMPT = frozenset({"sendChatAction"})


def is_transient(exc: BaseException) -> bool:
    """A failure on the way, not a refusal of the request: worth retrying."""
    if isinstance(exc, RetryAfter | BadRequest):
        return False
    if isinstance(exc, NetworkError):  # connection errors, timeouts, 5xx (TimedOut included)
        return True
    # PTB raises a bare TelegramError when the response body is not JSON.
    return type(exc) is TelegramError and "Invalid server response" in exc.message


class ChatPacer:
    """Token bucket per chat: `burst` messages at once, then one per 1/`rate` seconds.

    Reservation style: a caller takes its slot at once (no await between reading and writing
    the bucket) and then sleeps until the slot, so concurrent sends to one chat queue up fairly.
    """

    def __init__(self, rate: float = CHAT_RATE_PER_S, burst: int = CHAT_BURST) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[object, tuple[float, float]] = {}
        self.waits = 0  # sends that had to wait for their slot
        self.waited_s = 0.0

    def reserve(self, chat: object, now: float | None = None) -> float:
        """Seconds the caller must wait before sending to `chat`."""
        now = time.monotonic() if now is None else now
        tokens, stamp = self._buckets.get(chat, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate) - 1.0
        self._buckets[chat] = (tokens, now)
        if len(self._buckets) > 4096:
            self._forget_idle(now)
        return max(0.0, -tokens / self.rate)

    def _forget_idle(self, now: float) -> None:
        full = self.burst / self.rate
        for chat, (_, stamp) in list(self._buckets.items()):
            if now - stamp > full:
                del self._buckets[chat]

    async def wait(self, chat: object) -> None:
        delay = self.reserve(chat)
        if delay > 0:
            self.waits += 1
            self.waited_s += delay
            async with released_slot():  # other chats' updates must not wait for this one's
                await asyncio.sleep(delay)


class ResilientRateLimiter(AIORateLimiter):
    """`AIORateLimiter` (when `pace`) plus retries of transient failures and per-chat pacing."""

    def __init__(
        self,
        *,
        pace: bool = True,
        retries: int = 3,
        backoff: float = BACKOFF_S,
        backoff_max: float = BACKOFF_MAX_S,
        chat_rate: float = CHAT_RATE_PER_S,
        chat_burst: int = CHAT_BURST,
    ) -> None:
        super().__init__(max_retries=RETRY_AFTER_RETRIES)
        self.pace = pace
        self.retries = retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.pacer = ChatPacer(chat_rate, chat_burst)
        self.transient_failures = 0  # calls that failed in transit (each retried or given up)

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat = data.get("chat_id")
        if self.pace and chat is not None and _paced(endpoint):
            await self.pacer.wait(str(chat))
        attempt = 0
        while True:
            try:
                if self.pace:
                    return await super().process_request(
                        callback, args, kwargs, endpoint, data, rate_limit_args
                    )
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                # Only reached without pacing (AIORateLimiter retried it otherwise).
                if self.pace or attempt >= self.retries:
                    raise
                delay = exc._retry_after.total_seconds() + 0.1
            except TelegramError as exc:
                if not is_transient(exc):
                    raise
                self.transient_failures += 1
                if attempt >= self.retries:
                    log.warning(
                        "Bot API %s failed %d times (%s); giving up", endpoint, attempt + 1, exc
                    )
                    raise
                delay = min(self.backoff_max, self.backoff * 2**attempt)
                log.warning(
                    "Bot API %s failed (%s: %s); retry %d of %d in %.1f s",
                    endpoint,
                    type(exc).__name__,
                    exc,
                    attempt + 1,
                    self.retries,
                    delay,
                )
            attempt += 1
            await asyncio.sleep(delay)


def _paced(endpoint: str) -> bool:
    return endpoint.startswith(PACED_PREFIXES) and endpoint not in PACING_EXEMPT
