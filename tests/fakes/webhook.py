"""Webhook delivery as Telegram does it: POST each update, retry until a 2xx, keep chat order.

Updates of one chat go one at a time and in order (a lane per chat); different chats go in
parallel up to ``max_connections``.  A POST that times out, is refused or answers non-2xx is
retried with exponential backoff up to ``max_tries`` attempts, then given up and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from tests.fakes.objects import JSON
from tests.fakes.state import BotAccount, WebhookConfig

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_CHAT_KINDS = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_message",
    "edited_business_message", "my_chat_member", "chat_member", "chat_join_request",
    "message_reaction",
)
_USER_KINDS = ("inline_query", "chosen_inline_result", "shipping_query", "pre_checkout_query")

Executor = Callable[[BotAccount, str, dict[str, Any]], Awaitable[None]]


def update_kind(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


def lane_key(update: JSON) -> tuple[str, int]:
    """Updates that must stay in order share a key: the chat, or the user outside chats."""
    for kind in _CHAT_KINDS:
        if kind in update:
            return "chat", int(update[kind]["chat"]["id"])
    query = update.get("callback_query")
    if query is not None:
        message = query.get("message")
        if message is not None:
            return "chat", int(message["chat"]["id"])
        return "user", int(query["from"]["id"])
    for kind in _USER_KINDS:
        if kind in update:
            return "user", int(update[kind]["from"]["id"])
    return "update", int(update["update_id"])


class WebhookDispatcher:
    def __init__(self, account: BotAccount, config: WebhookConfig, *, max_tries: int,
                 timeout: float, backoff: float, backoff_max: float,
                 notify: Callable[[], None], execute: Executor | None = None) -> None:
        self.account = account
        self.config = config
        self.max_tries = max(1, max_tries)
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.notify = notify
        self.execute = execute
        self.lanes: dict[tuple[str, int], deque[JSON]] = {}
        self.inflight: dict[tuple[str, int], JSON] = {}
        self.pending = 0
        self._queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout),
            connector=aiohttp.TCPConnector(limit=config.max_connections),
        )
        self._workers = [asyncio.create_task(self._work()) for _ in range(config.max_connections)]

    def submit(self, update: JSON) -> None:
        key = lane_key(update)
        lane = self.lanes.get(key)
        self.pending += 1
        if lane is None:
            self.lanes[key] = deque([update])
            self._queue.put_nowait(key)
        else:
            lane.append(update)

    async def _work(self) -> None:
        while True:
            key = await self._queue.get()
            lane = self.lanes[key]
            update = lane.popleft()
            self.inflight[key] = update
            # A cancelled delivery stays in `inflight`, so close() hands the update back.
            await self._deliver(update)
            del self.inflight[key]
            self.pending -= 1
            if lane:
                self._queue.put_nowait(key)
            else:
                del self.lanes[key]
            self.notify()

    async def _deliver(self, update: JSON) -> None:
        stats = self.account.webhook_stats
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        for attempt in range(self.max_tries):
            if attempt:
                stats.redeliveries += 1
            stats.attempts += 1
            error = await self._post(body)
            if error is None:
                stats.delivered += 1
                return
            stats.last_error_date = int(time.time())
            stats.last_error_message = error
            if attempt + 1 < self.max_tries:
                await asyncio.sleep(min(self.backoff * 2**attempt, self.backoff_max))
        stats.failed += 1
        stats.failed_update_ids.append(int(update["update_id"]))

    async def _post(self, body: bytes) -> str | None:
        """POST one update; None on a 2xx, else the error as getWebhookInfo reports it."""
        headers = {"Content-Type": "application/json"}
        if self.config.secret_token:
            headers[SECRET_HEADER] = self.config.secret_token
        try:
            async with self._session.post(self.config.url, data=body, headers=headers) as resp:
                answer = await resp.read()
                if 200 <= resp.status < 300:
                    await self._run_reply_method(answer)
                    return None
                return f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return f"Connection error: {exc.__class__.__name__}"

    async def _run_reply_method(self, answer: bytes) -> None:
        """Telegram runs a method the webhook returns in its response body."""
        if self.execute is None or not answer.strip().startswith(b"{"):
            return
        try:
            payload = json.loads(answer)
        except ValueError:
            return
        if isinstance(payload, dict) and isinstance(payload.get("method"), str):
            params = {k: v for k, v in payload.items() if k != "method"}
            with contextlib.suppress(Exception):
                await self.execute(self.account, payload["method"], params)

    async def close(self) -> list[JSON]:
        """Stop delivering; return the undelivered updates (in-flight ones included), in order."""
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        await self._session.close()
        left = list(self.inflight.values())
        for lane in self.lanes.values():
            left.extend(lane)
        self.lanes.clear()
        self.inflight.clear()
        self.pending = 0
        return sorted(left, key=lambda u: int(u["update_id"]))
