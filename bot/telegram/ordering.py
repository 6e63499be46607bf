"""Which updates run when: one chat's updates in order, at most N updates working at once, and
no slot held by an update that is only waiting.

python-telegram-bot's `concurrent_updates(N)` takes one of N slots per update before any
handler runs, and keeps it while the handler waits, so one chat with many updates in a row
(each waiting for the chat's lock, or for the per-chat pacer before its next send) held every
slot and froze the other chats. Here an update first waits for its turn in its chat (no slot
taken), then takes a slot for the work; the pacer gives the slot back while it sleeps
(`released_slot`) and takes one again to send. So pacing delays only that chat's own replies.

The processor also tells the update journal when an update is done (`journal.JournalQueue`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

ACCEPTED_AT_ONCE = 100_000  # updates waiting for their chat's turn: memory only, no slot


class _Held:
    """The slot an update holds, so that a wait deeper down can give it back for a while."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self.semaphore = semaphore
        self.held = True


_CURRENT: ContextVar[_Held | None] = ContextVar("informe_bot_slot", default=None)


@asynccontextmanager
async def released_slot() -> AsyncIterator[None]:
    """Give back the current update's slot (if any) for the duration of the block."""
    held = _CURRENT.get()
    if held is None or not held.held:
        yield
        return
    held.held = False
    held.semaphore.release()
    try:
        yield
    finally:
        await held.semaphore.acquire()  # if cancelled here, `held` stays False: no double release
        held.held = True


class Slots:
    def __init__(self, size: int) -> None:
        self.size = size
        self._semaphore = asyncio.Semaphore(size)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        await self._semaphore.acquire()
        held = _Held(self._semaphore)
        token = _CURRENT.set(held)
        try:
            yield
        finally:
            _CURRENT.reset(token)
            if held.held:
                self._semaphore.release()


class KeyedTurns:
    """One FIFO lock per key with updates in flight; forgotten when idle."""

    def __init__(self) -> None:
        self._locks: dict[object, asyncio.Lock] = {}
        self._waiting: dict[object, int] = {}

    @asynccontextmanager
    async def turn(self, key: object) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]


def order_key(update: object) -> object:
    """Updates with the same key are handled one after another, in the order they arrived."""
    if isinstance(update, Update):
        if update.inline_query is not None and update.inline_query.from_user is not None:
            return ("inline", update.inline_query.from_user.id)
        chat = update.effective_chat
        if chat is not None:
            return ("chat", chat.id)
        return ("update", update.update_id)
    return ("other", id(update))


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Per-chat order first, then one of `slots` working slots; `on_done` after each update."""

    def __init__(
        self, slots: int, on_done: Callable[[object], Awaitable[None]] | None = None
    ) -> None:
        super().__init__(ACCEPTED_AT_ONCE)
        self.slots = Slots(slots)
        self.turns = KeyedTurns()
        self.on_done = on_done

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            async with self.turns.turn(order_key(update)), self.slots.hold():
                await coroutine
        except asyncio.CancelledError:  # stopped before it was done: the journal keeps it
            raise
        except Exception:  # PTB's own error handling already ran; the update is done
            if self.on_done is not None:
                await self.on_done(update)
            raise
        if self.on_done is not None:
            await self.on_done(update)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
