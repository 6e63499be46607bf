"""One chat's flood never holds up another chat (bot/telegram/ordering.py).

Tested by order, not by time: while the flooding chat still has more paced replies pending than
there are update slots, the local Bot API has already recorded the other chat's reply. Before,
the flood's updates held every slot (one sleeping in the pacer, the rest waiting for the chat's
lock), so the other chat's reply came only once fewer than that were left. The latency itself is
measured by `python -m benchmarks` (flood figures).
"""

from __future__ import annotations

import pytest

from bot.engine.core import Engine
from bot.telegram.app import CONCURRENT_UPDATES
from tests.reliability_support import running_bot

FLOODER = 931_000_001
OTHERS = [931_000_002, 931_000_003, 931_000_004]
FLOOD = 3 * CONCURRENT_UPDATES
PACE_PER_S = 3.0  # faster than production's 1/s so the test is short; the order is the same


@pytest.mark.parametrize("kind", ["messages", "buttons"])
async def test_a_flooding_chat_does_not_delay_other_chats(
    answer_engine: Engine, tmp_path: pytest.TempPathFactory, kind: str
) -> None:
    async with running_bot(answer_engine, tmp_path, questions_per_minute=10 * FLOOD) as bot:
        bot.limiter.pacer.rate = PACE_PER_S
        if kind == "messages":
            for n in range(FLOOD):
                bot.api.send_text(FLOODER, f"hola {n}")
        else:
            first = await bot.say(FLOODER, "cuantos")  # not found: suggestions to press
            asks = [d for d in first.callback_data if d.startswith(("a|", "k|"))]
            assert asks, first.callback_data
            for n in range(FLOOD):
                bot.api.press_button(FLOODER, first.message_id, asks[n % len(asks)],
                                     user_id=FLOODER)
        start = bot.api.sent_count(FLOODER)
        await bot.api.wait_for_messages(FLOODER, start + 4, timeout=60)  # the pacer is at work
        for other in OTHERS:
            await bot.say(other, "hola")
            pending = FLOOD - (bot.api.sent_count(FLOODER) - (0 if kind == "messages" else 1))
            assert pending > CONCURRENT_UPDATES, (other, pending)
        await bot.settle(wait_s=60)
        total = FLOOD + (0 if kind == "messages" else 1)
        assert bot.api.sent_count(FLOODER) == total  # the flood itself is answered in full
        senders = [m.chat_id for m in bot.api.sent_messages()]
        flood_order = [m.reply_to_message_id for m in bot.replies(FLOODER)]
        assert flood_order == sorted(flood_order) or kind == "buttons", "one chat stays in order"
        assert not bot.log.error_handler_calls(), bot.log.text
        assert set(OTHERS) <= set(senders)
