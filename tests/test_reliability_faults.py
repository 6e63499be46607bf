"""Bot API faults injected by the local server while the real bot runs: nothing lost, nothing
doubled that could have been kept single, and the bot keeps answering.

Faults that hit before the call takes effect (429 with retry_after, 500/502, timeouts, dropped
connections, malformed JSON) must cost 0 lost and 0 doubled messages: the bot retries sends
(AIORateLimiter for 429, bot.telegram.retry for the rest) and PTB's polling loop retries
getUpdates without confirming what it did not receive. Faults after the effect (the message was
sent, the answer lost or too slow) make a retry send it again: at most one duplicate per fault,
counted here and documented in the README.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.engine.core import Engine
from bot.telegram import render
from tests.fakes.faults import Fault
from tests.reliability_support import GENERIC_ERROR, BotUnderTest, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

TIMEOUT_S = 3.0  # the bot's Bot API read timeout in this module (BOT_API_TIMEOUT)
QUESTIONS = [
    "¿cuánta inversión extranjera llegó?",
    "eventos de octubre",
    "¿cuántos premios ganó Medellín?",
]
TOTALS: Counter[str] = Counter()  # updates fed / answered, duplicates: printed at the end




@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    answer_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotUnderTest]:
    async with running_bot(
        answer_engine,
        tmp_path_factory.mktemp("faults"),
        bot_api_timeout=TIMEOUT_S,
        questions_per_minute=1000,
    ) as harness:
        yield harness
    assert not harness.log.error_handler_calls(), harness.log.text
    assert not harness.log.errors(ignore=("telegram",)), harness.log.errors()
    assert not harness.api.internal_errors


_next_chat = iter(range(60_000, 70_000))


def fresh_chats(count: int) -> list[int]:
    return [next(_next_chat) for _ in range(count)]


async def ask_all(bot: BotUnderTest, chats: list[int], *, expect: int = 1) -> None:
    """One question per chat, all at once; wait until every chat got `expect` messages."""
    for chat, question in zip(chats, QUESTIONS * len(chats), strict=False):
        bot.api.send_text(chat, question)
        TOTALS["updates fed"] += 1
    for chat in chats:
        await bot.api.wait_for_messages(chat, expect, timeout=30)


def check_answers(bot: BotUnderTest, engine: Engine, chats: list[int]) -> None:
    for chat, question in zip(chats, QUESTIONS * len(chats), strict=False):
        messages = bot.replies(chat)
        expected = render.render_pages(engine.ask(question).answer)[0]
        assert all(m.raw_text == expected for m in messages), [m.text for m in messages]
        assert all(GENERIC_ERROR not in (m.text or "") for m in messages)
    TOTALS["updates answered"] += sum(1 for chat in chats if bot.replies(chat))


BEFORE_EFFECT = [
    ("429 retry_after", Fault.RETRY_AFTER(1), 2),
    ("HTTP 500", Fault.HTTP(500), 2),
    ("HTTP 502", Fault.HTTP(502), 2),
    ("timeout", Fault.TIMEOUT(TIMEOUT_S + 1), 1),
    ("dropped connection", Fault.DROP, 2),
    ("malformed JSON", Fault.MALFORMED_JSON, 2),
]


@pytest.mark.parametrize(
    ("label", "fault", "times"), BEFORE_EFFECT, ids=[b[0] for b in BEFORE_EFFECT]
)
async def test_send_faults_before_effect_lose_and_double_nothing(
    bot: BotUnderTest, answer_engine: Engine, label: str, fault: Fault, times: int
) -> None:
    chats = fresh_chats(3)
    rule = bot.api.inject("sendMessage", fault, times=times)
    await ask_all(bot, chats)
    await bot.api.wait_updates_consumed(timeout=10)
    assert rule.fired == times
    assert [len(bot.replies(chat)) for chat in chats] == [1, 1, 1]  # 0 lost, 0 doubled
    check_answers(bot, answer_engine, chats)


async def test_faults_on_other_methods_are_retried(
    bot: BotUnderTest, answer_engine: Engine
) -> None:
    [chat] = fresh_chats(1)
    # The upload status and the photo of /grafico, the inline answer, a button's answer.
    rules = [
        bot.api.inject("sendChatAction", Fault.HTTP(500), times=1),
        bot.api.inject("sendPhoto", Fault.DROP, times=1),
    ]
    reply = await bot.say(chat, "/grafico eventos")
    assert reply.method == "sendPhoto" and len(bot.replies(chat)) == 1
    rules.append(bot.api.inject("answerInlineQuery", Fault.HTTP(502), times=1))
    bot.api.inline_query(chat, "inversión extranjera")
    await bot.api.wait_until(lambda: bool(bot.api.inline_answers), timeout=20)
    assert len(bot.api.inline_answers) == 1
    rules.append(bot.api.inject("answerCallbackQuery", Fault.MALFORMED_JSON, times=1))
    answer = await bot.say(chat, "¿cuántos premios ganó Medellín?")
    up = next(d for d in answer.callback_data if d.startswith("f|") and d.endswith("|1"))
    bot.api.press_button(chat, answer.message_id, up)
    await bot.api.wait_until(lambda: len(bot.api.callback_answers) == 1, timeout=20)
    assert bot.api.callback_answers[0].text == "¡Gracias por tu opinión!"
    assert [r.fired for r in rules] == [1, 1, 1, 1]
    TOTALS["updates fed"] += 4
    TOTALS["updates answered"] += 4


AFTER_EFFECT = [
    ("response dropped after sending", Fault.DROP_AFTER_EFFECT, 2),
    ("response slower than the timeout", Fault.SLOW(TIMEOUT_S + 1), 1),
]


@pytest.mark.parametrize(
    ("label", "fault", "times"), AFTER_EFFECT, ids=[a[0] for a in AFTER_EFFECT]
)
async def test_send_faults_after_effect_double_at_most_once_per_fault(
    bot: BotUnderTest, answer_engine: Engine, label: str, fault: Fault, times: int
) -> None:
    chats = fresh_chats(3)
    rule = bot.api.inject("sendMessage", fault, times=times)
    await ask_all(bot, chats)
    sent = lambda: sum(len(bot.replies(chat)) for chat in chats)  # noqa: E731
    await bot.api.wait_until(lambda: sent() >= len(chats) + times, timeout=30)
    await bot.api.wait_updates_consumed(timeout=10)
    await asyncio.sleep(0.5)  # a further (unwanted) copy would arrive by now
    duplicates = sent() - len(chats)
    assert rule.fired == times
    assert duplicates == rule.fired  # each lost answer cost exactly one copy, no more
    assert all(1 <= len(bot.replies(chat)) <= 1 + times for chat in chats)
    check_answers(bot, answer_engine, chats)
    TOTALS["duplicates"] += duplicates
    TOTALS["after-effect faults"] += rule.fired


async def test_slow_response_within_the_timeout_is_not_retried(
    bot: BotUnderTest, answer_engine: Engine
) -> None:
    chats = fresh_chats(2)
    rule = bot.api.inject("sendMessage", Fault.SLOW(0.5), times=2)
    await ask_all(bot, chats)
    await bot.api.wait_updates_consumed(timeout=10)
    assert rule.fired == 2
    assert [len(bot.replies(chat)) for chat in chats] == [1, 1]
    check_answers(bot, answer_engine, chats)


GET_UPDATES = [
    ("429 retry_after", Fault.RETRY_AFTER(1)),
    ("HTTP 500", Fault.HTTP(500)),
    ("HTTP 502", Fault.HTTP(502)),
    ("timeout", Fault.TIMEOUT(1)),
    ("dropped connection", Fault.DROP),
    ("malformed JSON", Fault.MALFORMED_JSON),
    ("response dropped after reading", Fault.DROP_AFTER_EFFECT),
    ("slow response", Fault.SLOW(1)),
]


@pytest.mark.parametrize(("label", "fault"), GET_UPDATES, ids=[g[0] for g in GET_UPDATES])
async def test_get_updates_faults_lose_no_update(
    bot: BotUnderTest, answer_engine: Engine, label: str, fault: Fault
) -> None:
    first, second = fresh_chats(2)
    rule = bot.api.inject("getUpdates", fault, times=1)
    # The poll in flight is past the fault check: the fault hits the next one, which carries
    # (or, after the effect, loses) the second update.
    await ask_all(bot, [first])
    bot.api.send_text(second, QUESTIONS[1])
    TOTALS["updates fed"] += 1
    await bot.api.wait_for_messages(second, 1, timeout=30)
    await bot.api.wait_updates_consumed(timeout=10)
    assert rule.fired == 1
    assert len(bot.replies(first)) == 1 and len(bot.replies(second)) == 1
    check_answers(bot, answer_engine, [first])
    expected = render.render_pages(answer_engine.ask(QUESTIONS[1]).answer)[0]
    assert bot.replies(second)[0].raw_text == expected
    TOTALS["updates answered"] += 1


async def test_a_storm_of_faults_loses_no_update(bot: BotUnderTest, answer_engine: Engine) -> None:
    """Many chats at once, each reply failing before taking effect up to the retry budget
    (BOT_API_RETRIES = 3: four attempts), while getUpdates fails now and then."""
    chats = fresh_chats(30)
    kinds = [Fault.HTTP(500), Fault.HTTP(502), Fault.DROP, Fault.MALFORMED_JSON, Fault.HTTP(503)]
    rules = [
        bot.api.inject("sendMessage", kinds[i % len(kinds)], times=1 + i % 3, chat_id=chat)
        for i, chat in enumerate(chats)
    ]
    rules.append(bot.api.inject("sendMessage", Fault.RETRY_AFTER(1), times=1, chat_id=chats[-1]))
    rules.append(bot.api.inject("getUpdates", Fault.HTTP(502), every=3, times=2))
    rules.append(bot.api.inject("getUpdates", Fault.DROP, every=4, times=2))
    try:
        await ask_all(bot, chats)
        await bot.api.wait_updates_consumed(timeout=30)
    finally:
        bot.api.clear_faults()
    assert sum(r.fired for r in rules[: len(chats)]) == sum(1 + i % 3 for i in range(len(chats)))
    assert [len(bot.replies(chat)) for chat in chats] == [1] * len(chats)
    check_answers(bot, answer_engine, chats)


async def test_the_bot_keeps_answering_after_the_faults(
    bot: BotUnderTest, answer_engine: Engine
) -> None:
    [chat] = fresh_chats(1)
    reply = await bot.say(chat, QUESTIONS[0])
    assert reply.raw_text == render.render_pages(answer_engine.ask(QUESTIONS[0]).answer)[0]
    TOTALS["updates fed"] += 1
    TOTALS["updates answered"] += 1
    faults = dict(bot.api.fault_counts)
    assert sum(faults.values()) >= 30
    assert TOTALS["updates fed"] == TOTALS["updates answered"]
    print(
        f"faults injected by kind: {faults}; updates fed {TOTALS['updates fed']}, answered "
        f"{TOTALS['updates answered']}; duplicates {TOTALS['duplicates']} from "
        f"{TOTALS['after-effect faults']} after-effect faults; transient send failures retried: "
        f"{bot.limiter.transient_failures}"
    )
