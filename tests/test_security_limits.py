"""The per-user limits have no holes: button presses that ask count as questions, ratings and
page turns have a cap of their own, inline queries a budget of their own, and over any limit the
user gets one notice per minute (one real bot polling the local Bot API, small limits)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.engine.core import Engine
from tests.reliability_support import BotUnderTest, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

QUESTIONS, PRESSES, INLINE = 3, 4, 3
PRESSER, RATER, TYPIST = 932_000_001, 932_000_002, 932_000_003


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    answer_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotUnderTest]:
    async with running_bot(
        answer_engine, tmp_path_factory.mktemp("limits"), questions_per_minute=QUESTIONS,
        button_presses_per_minute=PRESSES, inline_queries_per_minute=INLINE,
    ) as harness:
        yield harness
        assert not harness.log.error_handler_calls(), harness.log.text


async def test_presses_that_ask_count_as_questions(bot: BotUnderTest) -> None:
    first = await bot.say(PRESSER, "cuantos")  # not found: suggestion buttons
    asks = [d for d in first.callback_data if d.startswith(("a|", "k|"))]
    assert asks
    before = len(bot.api.callback_answers)
    for n in range(10):
        bot.api.press_button(PRESSER, first.message_id, asks[n % len(asks)], user_id=PRESSER)
    await bot.api.wait_until(lambda: len(bot.api.callback_answers) >= before + 10, timeout=30)
    await bot.settle()
    assert len(bot.replies(PRESSER)) == QUESTIONS  # the question and two pressed suggestions
    notices = [a for a in bot.api.callback_answers[before:] if "límite" in (a.text or "")]
    assert len(notices) == 1 and notices[0].show_alert
    # Typing a question now is over the same limit, and the notice was given this minute.
    bot.api.send_text(PRESSER, "premios internacionales")
    await bot.settle()
    assert len(bot.replies(PRESSER)) == QUESTIONS


async def test_ratings_have_a_cap_of_their_own(bot: BotUnderTest) -> None:
    answer = await bot.say(RATER, "premios internacionales")
    up = next(d for d in answer.callback_data if d.startswith("f|") and d.endswith("|1"))
    before = len(bot.api.callback_answers)
    for _ in range(12):
        bot.api.press_button(RATER, answer.message_id, up, user_id=RATER)
    await bot.api.wait_until(lambda: len(bot.api.callback_answers) >= before + 12, timeout=30)
    await bot.settle()
    texts = [a.text or "" for a in bot.api.callback_answers[before:]]
    assert sum("Gracias" in t for t in texts) == PRESSES
    assert sum("límite" in t for t in texts) == 1
    reply = await bot.say(RATER, "eventos de octubre")  # questions are a separate count
    assert "límite" not in (reply.text or "")


async def test_inline_queries_have_a_budget_per_user(bot: BotUnderTest) -> None:
    before = len(bot.api.inline_answers)
    for n in range(8):
        bot.api.inline_query(TYPIST, "inversión extranjera"[: 10 + n])
    await bot.api.wait_until(lambda: len(bot.api.inline_answers) >= before + 8, timeout=30)
    answers = bot.api.inline_answers[before:]
    assert sum(1 for a in answers if a.results) == INLINE
    with_notice = [a for a in answers if a.button and "Demasiadas" in a.button["text"]]
    assert len(with_notice) == 1 and with_notice[0].is_personal
    reply = await bot.say(TYPIST, "eventos de octubre")  # typing inline did not use up questions
    assert "límite" not in (reply.text or "")
