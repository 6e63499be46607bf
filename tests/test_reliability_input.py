"""Bad input through the real bot: a curated corpus of what users (and attackers) send.

Each input goes to the real Application over HTTP (the local Bot API). It must get the reply the
bot's own engine or command catalogue gives for exactly that input (so the reply is specific to
it, not a catch-all), or be ignored where Telegram bots should ignore it (edits, channel posts,
group chatter). The server must accept every reply: the fake Bot API rejects what Telegram
rejects (bad HTML, over 4,096 characters...), and a rejected reply would reach the bot's error
handler, whose calls are counted: any call, or any ERROR log line, fails the module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlmodel import Session, select

from bot import dialog
from bot.engine.core import Engine
from bot.telegram import render
from db.models import QueryLog
from tests.fakes.botapi import SentMessage
from tests.fakes.telegram_html import check_message_text
from tests.reliability_support import GENERIC_ERROR, BotUnderTest, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOT_USERNAME = "informe_test_bot"

# (label, text, expected fragment or None when the reply must be the engine's own answer)
QUESTIONS: list[tuple[str, str, str | None]] = [
    ("whitespace", "   \t  ", "No recibí ninguna pregunta"),
    ("100 KB", "¿cuánta inversión extranjera llegó? " * 2900, "muy larga"),
    ("emoji only", "😀🎉🔥👩‍👩‍👧‍👦🇨🇴" * 20, "no tiene palabras"),
    ("RTL", "\u202eكم كان الاستثمار الأجنبي؟ מה התקציב", None),
    ("zero-width", "inver\u200bsión\u200d extran\ufeffjera", None),
    ("NUL and control", "\x00\x01\x02 ¿cuántos\x1b[31m eventos\x7f hubo?", None),
    ("SQL", "'; DROP TABLE query_log; --", None),
    ("SQL in a question", "¿cuántos premios' OR '1'='1?", None),
    ("HTML", "<b>hola</b> <script>alert(1)</script> </i> &amp; & < >", None),
    ("Markdown", "**presupuesto** _ejecutado_ `code` [x](http://example.org) ||spoiler||", None),
    ("format strings", "{0} %s %(x)s {} %d %n {{eventos}}", None),
    ("500 digits", "9" * 500, None),
    ("500-digit amount", "¿fueron " + "1" * 500 + " millones de inversión?", None),
    ("huge exponent", "1e309 NaN -inf millones", None),
    ("only punctuation", "¿¡?!...,,;;", None),
    ("newlines", "\n\n\neventos\n\n\nde\n\noctubre\n\n", None),
    ("mention-like", "@otro_bot @informe_test_bot /ayuda", None),
    ("long word", "a" * 4000, None),
]

COMMANDS: list[tuple[str, str, str | None]] = [
    ("unknown command", "/noexiste", "No conozco el comando /noexiste"),
    ("long command name", "/" + "a" * 60, "No conozco el comando"),
    ("cifra, 5 KB argument", "/cifra " + "inversión " * 500, None),
    ("seccion, huge number", "/seccion " + "9" * 300, None),
    ("seccion, negative", "/seccion -1.-2", None),
    ("eventos, impossible date", "/eventos 31/02/2020 a las 25:61", None),
    ("csv, path traversal", "/csv ../../etc/passwd", None),
    ("grafico, HTML", "/grafico <script>alert(1)</script>", None),
    ("buscar, format string", "/buscar %s%s%s%n {0}", None),
    ("indicadores, SQL", "/indicadores '; DELETE FROM report; --", None),
    ("resumen, emoji", "/resumen " + "😀" * 300, None),
    ("presupuesto, extra args", "/presupuesto de todo todo todo " * 20, None),
    ("fuente with arguments", "/fuente " + "<b>" * 50, None),
    ("English alias, odd args", "/figure \x00\x01\u200b", None),
]




@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    answer_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotUnderTest]:
    async with running_bot(
        answer_engine, tmp_path_factory.mktemp("input"), questions_per_minute=1000
    ) as harness:
        yield harness
    assert not harness.log.error_handler_calls(), harness.log.text
    assert not harness.log.errors(), harness.log.errors()
    assert not harness.api.internal_errors


def expected_for_question(engine: Engine, text: str) -> str:
    return render.render_pages(dialog.respond(engine, text).answer)[0]


def expected_for_command(engine: Engine, text: str) -> tuple[str, str]:
    """(method, HTML) the bot must send for a command, from the command catalogue itself."""
    result = dialog.respond(engine, text)  # the one dialog layer the bot answers through
    if result.photo is not None:
        return "sendPhoto", render.render_caption(result.answer)
    if result.document is not None:
        return "sendDocument", render.render_caption(result.answer)
    if result.choices:
        return "sendMessage", render.render_single(result.answer)
    return "sendMessage", render.render_pages(result.answer)[0]


def assert_valid(reply: SentMessage) -> None:
    text = reply.raw_text or ""
    assert GENERIC_ERROR not in (reply.text or reply.caption or "")
    limit = 4096 if reply.method == "sendMessage" else 1024
    check_message_text(text, reply.parse_mode, limit=limit)
    for row in (reply.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            assert button["text"].strip()
            assert len(button.get("callback_data", "").encode()) <= 64


@pytest.mark.parametrize(("label", "text", "fragment"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
async def test_odd_questions_get_their_own_answer(
    bot: BotUnderTest, answer_engine: Engine, label: str, text: str, fragment: str | None
) -> None:
    chat = 50_000 + [q[0] for q in QUESTIONS].index(label)
    reply = await bot.say(chat, text)
    assert_valid(reply)
    if fragment is not None:
        assert fragment in (reply.text or ""), reply.text
    assert reply.raw_text == expected_for_question(answer_engine, text)
    assert reply.reply_parameters and reply.reply_parameters["message_id"]


@pytest.mark.parametrize(("label", "text", "fragment"), COMMANDS, ids=[c[0] for c in COMMANDS])
async def test_odd_commands_get_their_own_answer(
    bot: BotUnderTest, answer_engine: Engine, label: str, text: str, fragment: str | None
) -> None:
    chat = 51_000 + [c[0] for c in COMMANDS].index(label)
    reply = await bot.say(chat, text)
    assert_valid(reply)
    if fragment is not None:
        assert fragment in (reply.text or ""), reply.text
    method, html = expected_for_command(answer_engine, text)
    assert reply.method == method
    if fragment is None:
        assert reply.raw_text == html


async def test_sql_text_is_stored_verbatim_and_the_log_survives(bot: BotUnderTest) -> None:
    text = "x'); DELETE FROM query_log; DROP TABLE chat_state; --"
    await bot.say(52_001, text)
    await bot.say(52_001, "¿cuántos eventos hubo?")  # the tables are still there
    with Session(bot.db) as session:
        questions = session.exec(select(QueryLog.question)).all()
    assert text in questions and len(questions) >= 2


async def test_stickers_and_photos_get_a_text_only_reply(bot: BotUnderTest) -> None:
    chat = 52_100
    bot.api.send_sticker(chat)
    await bot.api.wait_for_messages(chat, 1, timeout=20)
    bot.api.send_photo_from_user(chat, caption="¿cuánta inversión extranjera llegó?")
    messages = await bot.api.wait_for_messages(chat, 2, timeout=20)
    for reply in messages:
        assert "solo leo mensajes de texto" in (reply.text or "")
        assert_valid(reply)


async def test_edits_channel_posts_and_group_chatter_are_ignored(bot: BotUnderTest) -> None:
    chat, group, channel = 52_200, -1_005_220_000_001, -1_005_220_000_002
    first = await bot.say(chat, "/ayuda")
    bot.api.edited_message(chat, first.message_id - 1, "<b>ahora otra cosa</b> '; DROP TABLE x")
    bot.api.channel_post(channel, "¿cuánta inversión? <script>")
    bot.api.send_text(group, "'; DROP TABLE query_log; -- 😀" * 10)  # not addressed to the bot
    bot.api.send_text(group, "/ayuda@otro_bot")
    bot.api.send_text(chat, "/ayuda@otro_bot")  # another bot's command, even in private
    await bot.api.wait_updates_consumed(timeout=20)
    addressed = await bot.say(group, f"@{BOT_USERNAME} " + "<i>" * 30 + " %s {0}")
    assert_valid(addressed)
    await bot.say(chat, "/start")
    assert len(bot.replies(chat)) == 2
    assert len(bot.replies(group)) == 1
    assert not bot.replies(channel)


async def test_no_reply_was_rejected_and_the_error_handler_never_ran(bot: BotUnderTest) -> None:
    sent = bot.api.sent_messages()
    assert len(sent) >= len(QUESTIONS) + len(COMMANDS)
    send_calls = [c for c in bot.api.calls if c.method in ("sendMessage", "sendPhoto",
                                                               "sendDocument")]
    assert len(send_calls) == len(sent)  # every send the bot tried was accepted
    assert not bot.log.error_handler_calls()
    print(f"curated corpus: {len(QUESTIONS)} questions, {len(COMMANDS)} commands, "
          f"4 non-text or ignored kinds; {len(sent)} replies, 0 rejected")


async def test_zero_width_characters_do_not_change_the_answer(answer_engine: Engine) -> None:
    clean = answer_engine.ask("inversión extranjera").answer
    hidden = answer_engine.ask("inver\u200bsión\u200d extran\ufeffjera").answer
    assert clean.status == "answered"
    assert hidden.text == clean.text
