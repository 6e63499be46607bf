"""The Telegram side of the end-to-end benchmark: fake Bot API + simulated users, own process.

Run by e2e_bench as `python -m benchmarks.e2e_server`, so the bot under test keeps a core of its
own (the machine has two) and every timestamp here is taken with one clock, on the server's
loop, at the moment the Bot API sees the event:

- delivered: the getUpdates response that first hands the update to the bot;
- replied: the successful sendMessage/sendPhoto/sendDocument that quotes the user's message.

Users are closed-loop: each chat sends its next question once the previous one is answered,
like a person waiting for the bot, so at most one question per chat is in flight.

Protocol on stdin/stdout (one JSON object per line): the server prints its addresses, waits
for "go", drives the chats, prints the result, then exits on "stop" or end of input.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import math
import sys
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from benchmarks.stats import latency_summary
from tests.fakes.botapi import FakeBotApi
from tests.fakes.methods import MethodContext

REPLY_METHODS = ("sendMessage", "sendPhoto", "sendDocument")
FIRST_CHAT_ID = 50_000_001


@dataclass
class Clock:
    """What the server saw and when (perf_counter seconds), keyed by update or message."""

    delivered: dict[int, float] = field(default_factory=dict)  # update_id -> first delivery
    replied: dict[tuple[int, int], float] = field(default_factory=dict)  # (chat, msg) -> reply
    waiting: dict[tuple[int, int], asyncio.Future[float]] = field(default_factory=dict)
    failed_calls: int = 0


def instrument(api: FakeBotApi, clock: Clock) -> None:
    """Time getUpdates deliveries and replies by wrapping the server's method handlers.

    The fake server has no public hook for this yet, so the handler table is wrapped in place.
    """
    table = api._methods

    def wrap(key: str, after: Any) -> None:
        name, handler = table[key]

        async def timed(ctx: MethodContext, params: dict[str, Any]) -> Any:
            try:
                result = handler(ctx, params)
                if inspect.isawaitable(result):
                    result = await result
            except Exception:
                clock.failed_calls += 1
                raise
            after(result, params)
            return result

        table[key] = (name, timed)

    def on_updates(result: Any, params: dict[str, Any]) -> None:
        now = perf_counter()
        for update in result or ():
            clock.delivered.setdefault(int(update["update_id"]), now)

    def on_reply(result: Any, params: dict[str, Any]) -> None:
        now = perf_counter()
        quoted = (result.get("reply_to_message") or {}).get("message_id")
        if quoted is None:
            return
        key = (int(result["chat"]["id"]), int(quoted))
        if key in clock.replied:
            return  # a second message for the same question: the first one answered it
        clock.replied[key] = now
        future = clock.waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(now)

    wrap("getupdates", on_updates)
    for method in REPLY_METHODS:
        wrap(method.lower(), on_reply)


@dataclass
class Drive:
    fed: list[tuple[int, int, int, float]] = field(default_factory=list)  # chat, msg, upd, t
    lost: list[tuple[int, int]] = field(default_factory=list)
    started: float = 0.0
    stopped_by_budget: bool = False


async def drive(api: FakeBotApi, clock: Clock, questions: list[str], chats: int, updates: int,
                budget_seconds: float, reply_timeout: float) -> Drive:
    per_chat = math.ceil(updates / chats)
    run = Drive(started=perf_counter())
    deadline = run.started + budget_seconds
    loop = asyncio.get_running_loop()

    async def user(index: int) -> None:
        chat_id = FIRST_CHAT_ID + index
        for turn in range(per_chat):
            if perf_counter() > deadline:
                run.stopped_by_budget = True
                return
            text = questions[(index * 7 + turn) % len(questions)]
            update = api.send_text(chat_id, text)
            message_id = int(update["message"]["message_id"])
            future: asyncio.Future[float] = loop.create_future()
            clock.waiting[(chat_id, message_id)] = future
            run.fed.append((chat_id, message_id, int(update["update_id"]), perf_counter()))
            try:
                await asyncio.wait_for(future, reply_timeout)
            except TimeoutError:
                clock.waiting.pop((chat_id, message_id), None)
                run.lost.append((chat_id, message_id))

    await asyncio.gather(*(user(i) for i in range(chats)))
    return run


def summarize(api: FakeBotApi, clock: Clock, run: Drive, chats: int) -> dict[str, Any]:
    from_delivery, from_feed = [], []
    last_reply = run.started
    for chat_id, message_id, update_id, fed_at in run.fed:
        replied_at = clock.replied.get((chat_id, message_id))
        if replied_at is None:
            continue
        last_reply = max(last_reply, replied_at)
        from_feed.append(replied_at - fed_at)
        delivered_at = clock.delivered.get(update_id)
        if delivered_at is not None:
            from_delivery.append(replied_at - delivered_at)
    answered = len(from_feed)
    wall = last_reply - run.started
    stats = api.stats()
    return {
        "chats": chats,
        "updates": len(run.fed),
        "answered": answered,
        "lost_updates": len(run.fed) - answered,
        "never_delivered": sum(1 for *_, u, _t in run.fed if u not in clock.delivered),
        "updates_per_second": answered / wall if wall > 0 else None,
        "wall_seconds": wall,
        "reply_ms": latency_summary(from_delivery),
        "fed_to_reply_ms": latency_summary(from_feed),
        "stopped_by_budget": run.stopped_by_budget,
        "failed_api_calls": clock.failed_calls,
        "api_calls": stats["calls"],
        "updates_unconfirmed": stats["updates_pending"],
    }


async def serve(args: argparse.Namespace) -> None:
    questions = json.loads(args.questions)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def emit(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    async with FakeBotApi() as api:
        clock = Clock()
        instrument(api, clock)
        emit({"base_url": api.base_url, "base_file_url": api.base_file_url, "token": api.token})
        if (await reader.readline()).strip() != b"go":
            return
        run = await drive(api, clock, questions, args.chats, args.updates, args.budget,
                          args.reply_timeout)
        # The bot confirms the last updates with its next getUpdates offset.
        with contextlib.suppress(TimeoutError):
            await api.wait_updates_consumed(timeout=5.0)
        emit(summarize(api, clock, run, args.chats))
        await reader.readline()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="fake Bot API + simulated users")
    parser.add_argument("--chats", type=int, required=True)
    parser.add_argument("--updates", type=int, required=True)
    parser.add_argument("--budget", type=float, required=True, help="stop feeding after (s)")
    parser.add_argument("--reply-timeout", type=float, default=30.0)
    parser.add_argument("--questions", required=True, help="JSON list of question texts")
    asyncio.run(serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
