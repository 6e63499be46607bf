"""Findings of the attack run (issue 13) on input: forged button data with Unicode digits, and
webhook bodies no update can be (an update_id no database column holds, JSON nested 100 000
deep). Each is refused once, politely or with a 4xx, never with a traceback or a 500 that
Telegram would redeliver forever."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.engine.core import Engine
from bot.telegram import keyboards
from bot.telegram.worker import SECRET_HEADER, create_app
from tests.fakes.botapi import FakeBotApi
from tests.reliability_support import BotUnderTest, bot_settings, running_bot

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")

CHAT = 913_000_001
WEBHOOK_SECRET = "hardening-webhook-secret-0123456789"
UNICODE_DIGITS = ["²", "①", "٣", "１", "߂"]  # superscript, circled, Arabic-Indic, fullwidth, N'Ko


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    answer_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotUnderTest]:
    async with running_bot(answer_engine, tmp_path_factory.mktemp("hardening")) as harness:
        yield harness


def test_the_codec_takes_ascii_digits_only() -> None:
    for digit in UNICODE_DIGITS:
        assert digit.isdigit() or digit.isdecimal() or digit.isnumeric()
        assert keyboards.decode(f"p|somekey|{digit}", lambda key: None) is None
        assert keyboards.decode(f"f|{digit}|1", lambda key: None) is None
        assert keyboards.decode(f"f|1{digit}|-1", lambda key: None) is None
    assert keyboards.decode("p|somekey|2", lambda key: None) == ["p", "somekey", "2"]
    assert keyboards.decode("f|12|-1", lambda key: None) == ["f", "12", "-1"]


@MODULE_LOOP
async def test_buttons_with_unicode_digits_answer_expired_without_an_error(
    bot: BotUnderTest,
) -> None:
    reply = await bot.say(CHAT, "premios internacionales")
    forged = [f"p|somekey|{d}" for d in UNICODE_DIGITS] + [f"f|{d}|1" for d in UNICODE_DIGITS]
    before = len(bot.api.callback_answers)
    for data in forged:
        bot.api.press_button(CHAT, reply.message_id, data, user_id=CHAT, check_buttons=False)
    await bot.api.wait_until(
        lambda: len(bot.api.callback_answers) >= before + len(forged), timeout=30
    )
    await bot.settle()
    answers = bot.api.callback_answers[before:]
    assert all("ya no está disponible" in (a.text or "") for a in answers), answers
    assert not bot.log.error_handler_calls(), bot.log.text
    assert "Traceback" not in bot.log.text


# ----------------------------------------------------------------------------- the worker


@pytest_asyncio.fixture(loop_scope="module")
async def worker(answer_engine: Engine, tmp_path: Path) -> AsyncIterator[TestClient]:
    async with FakeBotApi() as api:
        settings = bot_settings(
            api, f"sqlite:///{tmp_path / 'worker.sqlite3'}", webhook_secret=WEBHOOK_SECRET
        )
        app = create_app(settings, label="hardening")
        async with TestClient(TestServer(app)) as client:
            yield client


def _message(update_id: int) -> str:
    return (
        f'{{"update_id": {update_id}, "message": {{"message_id": 1, "date": 0, '
        f'"chat": {{"id": {CHAT}, "type": "private"}}, '
        f'"from": {{"id": {CHAT}, "is_bot": false, "first_name": "A"}}, "text": "hola"}}}}'
    )


@MODULE_LOOP
async def test_the_worker_refuses_impossible_bodies_once_with_a_4xx(worker: TestClient) -> None:
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
    bodies = {
        "update_id 2^63": _message(2**63),
        "update_id 2^64 + 5": _message(2**64 + 5),
        "negative update_id": _message(-1),
        "100k-deep JSON": "[" * 100_000 + "]" * 100_000,
        "100k-deep object": '{"update_id": 5, "message": ' + '{"a": ' * 100_000 + "1"
        + "}" * 100_001,
        "not an object": "[1, 2, 3]",
    }
    for name, body in bodies.items():
        for _ in range(2):  # a redelivery gets the same answer: no endless retries
            response = await worker.post("/telegram", data=body, headers=headers)
            assert 400 <= response.status < 500, (name, response.status)
    health = await (await worker.get("/healthz")).json()
    assert health["refused"] == 2 * len(bodies) and health["failed"] == 0
    ok = await worker.post("/telegram", data=_message(7), headers=headers)
    assert ok.status == 200
