"""The real bot end to end: python-telegram-bot's Application talking HTTP to the local Bot API.

One bot runs for the whole module (long polling against tests.fakes.botapi.FakeBotApi), on the
engine built from the bundled report and a fresh SQLite state database. Tests feed updates the
way Telegram would and assert on what the bot sent: text, parse mode, quoting, buttons, photos,
documents, inline answers and edits. The fake server rejects what Telegram rejects (HTML it
cannot parse, messages over 4,096 characters, callback data over 64 bytes...), so a reply that
arrives at all passed Telegram's own checks.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from sqlalchemy import Engine as DbEngine
from sqlmodel import Session, select

from bot.commands import COMMANDS, run_command
from bot.engine.answer import Answer, Source
from bot.engine.context import ConversationContext
from bot.engine.core import Engine, EngineReply
from bot.report_tables import (
    budget_tables,
    clean_cell,
    column_index,
    event_tables,
    fold,
    indicator_tables,
    project_tables,
)
from bot.settings import Settings
from bot.telegram import render
from bot.telegram.app import build_application
from bot.telegram.replies import inline_title
from bot.tidy import tidy
from db.engine import make_engine
from db.migrate import upgrade
from db.models import ChatState, QueryLog
from knowledge.model import ParsedReport
from tests.fakes.botapi import FakeBotApi, SentMessage
from tests.fakes.devset import load_questions
from tests.fakes.telegram_html import parse_telegram_html

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOT_USERNAME = "informe_test_bot"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ReportEngine(Engine):
    """The real engine, plus one question whose answer is every event-table row of the report.

    No question of the real engine is guaranteed to stay longer than one message as the engine
    evolves; this one is long by construction (and made of the report's own rows), so the
    pagination test does not depend on the engine's wording.
    """

    LONG_QUESTION = "todas las filas de las tablas de eventos"

    def ask(self, question: str, context: ConversationContext | None = None) -> EngineReply:
        if question != self.LONG_QUESTION:
            return super().ask(question, context)
        report = self.reports[self.latest_report_id]
        lines, sources = [], []
        for table in event_tables(report):
            for row in table.rows:
                lines.append(" — ".join(clean_cell(c.raw) for c in row.cells))
                sources.append(Source(section=table.section, title="Eventos", quote=lines[-1]))
        answer = Answer(status="answered", text="\n".join(lines), sources=sources, kind="list")
        return EngineReply(answer=answer, context=context or ConversationContext())


@dataclass
class Harness:
    api: FakeBotApi
    engine: ReportEngine
    db: DbEngine

    @property
    def report(self) -> ParsedReport:
        return self.engine.reports[self.engine.latest_report_id]

    async def say(
        self, chat_id: int, text: str, *, user_id: int | None = None, reply_to: int | None = None
    ) -> SentMessage:
        """A user writes; returns the bot's reply (waits for one new message in the chat)."""
        before = len(self.api.sent_messages(chat_id))
        self.api.send_text(chat_id, text, user_id=user_id, reply_to_message_id=reply_to)
        messages = await self.api.wait_for_messages(chat_id, before + 1, timeout=15)
        return messages[before]

    async def press(
        self, chat_id: int, message: SentMessage, data: str, *, user_id: int | None = None
    ) -> None:
        answers = len(self.api.callback_answers)
        self.api.press_button(chat_id, message.message_id, data, user_id=user_id)
        await self.api.wait_until(lambda: len(self.api.callback_answers) > answers, timeout=15)

    def expected(self, answer: Answer) -> str:
        """What the bot sends for an engine answer: the dialog says each bullet once."""
        return render.render_pages(answer.model_copy(update={"text": tidy(answer.text)}))[0]


@pytest.fixture(scope="module")
def report_engine(parsed_report: ParsedReport) -> ReportEngine:
    return ReportEngine([parsed_report])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    report_engine: ReportEngine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Harness]:
    url = f"sqlite:///{tmp_path_factory.mktemp('bot') / 'state.sqlite3'}"
    db = make_engine(url)
    upgrade(db)
    async with FakeBotApi(bot_username=BOT_USERNAME) as api:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=api.token,
            telegram_api_base_url=api.base_url,
            telegram_api_base_file_url=api.base_file_url,
            database_url=url,
            user_hash_key="e2e-test-key-0123456789",
        )
        application = build_application(settings, engine=report_engine, db_engine=db)
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0)
        try:
            yield Harness(api, report_engine, db)
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
    db.dispose()


@pytest.fixture(autouse=True)
def no_handler_errors(caplog: pytest.LogCaptureFixture) -> None:
    """Fail on any error the bot logged: the polite error reply must never be what a test sees."""
    caplog.set_level(logging.ERROR)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "\n".join(f"{r.name}: {r.getMessage()}" for r in errors)


def texts_of(message: SentMessage) -> str:
    return message.text or message.caption or ""


def bold(message: SentMessage) -> list[str]:
    parsed = parse_telegram_html(message.raw_text or "")
    units = parsed.text.encode("utf-16-le")
    return [
        units[e["offset"] * 2 : (e["offset"] + e["length"]) * 2].decode("utf-16-le")
        for e in parsed.entities
        if e["type"] == "bold"
    ]


def assert_quotes(reply: SentMessage, update: dict) -> None:
    assert reply.parse_mode == "HTML"
    assert reply.reply_parameters is not None
    assert reply.reply_parameters["message_id"] == update["message"]["message_id"]


# ----------------------------------------------------------------------------- start-up


async def test_commands_are_registered_in_spanish_and_english(bot: Harness) -> None:
    spanish = [c["command"] for c in bot.api.commands_for()]
    english = [c["command"] for c in bot.api.commands_for(language_code="en")]
    assert spanish == [spec.name for spec in COMMANDS]
    assert {"help", "figure", "indicators", "events", "chart", "source"} <= set(english)
    assert all(c["description"] for c in bot.api.commands_for(language_code="en"))


# ----------------------------------------------------------------------------- commands


WITH_ARGUMENT = [spec.name for spec in COMMANDS if spec.argument_es and spec.argument_es[0] == "<"]
OPTIONAL_ARGUMENT = [s.name for s in COMMANDS if s.argument_es and s.argument_es[0] == "["]


@pytest.mark.parametrize("name", WITH_ARGUMENT + OPTIONAL_ARGUMENT)
async def test_command_without_argument_offers_buttons(bot: Harness, name: str) -> None:
    chat = 2000 + (WITH_ARGUMENT + OPTIONAL_ARGUMENT).index(name)
    before = len(bot.api.sent_messages(chat))
    update = bot.api.send_text(chat, f"/{name}")
    reply = (await bot.api.wait_for_messages(chat, before + 1, timeout=15))[before]
    assert_quotes(reply, update)
    assert reply.text and "?" in reply.text
    data = reply.callback_data
    assert len(data) >= 2
    assert all(d.startswith(("c|", "k|")) and len(d.encode()) <= 64 for d in data)
    assert all(b["text"].strip() for b in reply.buttons)  # human-readable labels


async def test_pick_one_button_runs_the_command(bot: Harness) -> None:
    chat = 2201
    menu = await bot.say(chat, "/indicadores")
    labels = [b["text"] for b in menu.buttons]
    await bot.press(chat, menu, menu.callback_data[1])
    [_, result] = await bot.api.wait_for_messages(chat, 2, timeout=15)
    table = indicator_tables(bot.report)[1]
    assert texts_of(result).startswith(labels[1])
    for row in table.rows:
        assert clean_cell(row.cells[-1].raw) in result.text
    assert result.reply_parameters and result.reply_parameters["message_id"] == menu.message_id


async def test_figure_command_answers_with_the_figure_in_bold(bot: Harness) -> None:
    reply = await bot.say(2301, "/cifra inversión extranjera")
    expected = run_command(bot.engine, "cifra", "inversión extranjera").answer
    assert reply.raw_text == bot.expected(expected)
    assert expected.status == "answered"
    assert any("381,3" in b for b in bold(reply))
    assert "Fuente" in reply.text


async def test_indicator_command_lists_every_row_with_target_and_source(bot: Harness) -> None:
    for argument, table in zip(
        ("inversión", "cooperacion"), indicator_tables(bot.report), strict=True
    ):
        reply = await bot.say(2302, f"/indicadores {argument}")
        target_col = column_index(table, "meta")
        for row in table.rows:
            assert clean_cell(row.cells[0].raw) in reply.text
            assert clean_cell(row.cells[-1].raw) in bold(reply)
            assert clean_cell(row.cells[target_col].raw) in bold(reply)
        footer = reply.text.splitlines()[-1]  # "Fuente: <report and year>, §3.2 ..."
        assert footer.startswith("Fuente: ") and f"§{table.section} " in footer


async def test_events_by_month_and_by_type(bot: Harness) -> None:
    reply = await bot.say(2303, "/eventos noviembre")
    november = []
    for table in event_tables(bot.report):
        name_col, date_col = column_index(table, "nombre"), column_index(table, "fecha")
        assert name_col is not None and date_col is not None
        for row in table.rows:
            raw = row.cells[date_col].raw
            if "noviembre" in fold(raw) or "/11/" in raw:
                november.append(clean_cell(row.cells[name_col].raw))
    assert november and all(name in reply.text for name in november)
    assert f": {len(november)} eventos." in reply.text
    own = event_tables(bot.report)[0]
    reply = await bot.say(2303, "/eventos propios")
    assert f"{len(own.rows)} eventos" in reply.text
    assert all(clean_cell(row.cells[0].raw) in reply.text for row in own.rows)
    reply = await bot.say(2303, "/eventos cumpleaños")
    assert reply.callback_data and "cumpleaños" in reply.text


async def test_budget_projects_and_topic_commands(bot: Harness) -> None:
    reply = await bot.say(2304, "/presupuesto ingresos gastos")
    for table in budget_tables(bot.report):
        executed = column_index(table, "definitivo")
        assert executed is not None
        for row in table.rows:
            assert clean_cell(row.cells[executed + 1].raw) in bold(reply)
    reply = await bot.say(2304, "/proyectos")
    for table in project_tables(bot.report):
        assert all(clean_cell(row.cells[0].raw) in reply.text for row in table.rows)
    for name, key in (("redes", "redes-ciudad"), ("premios", "premios")):
        reply = await bot.say(2304, f"/{name}")
        enumeration = next(e for e in bot.report.enumerations if e.key == key)
        assert clean_cell(enumeration.items[0].label)[:25] in reply.text
    reply = await bot.say(2304, "/donaciones")
    assert "donaci" in fold(reply.text or "")


async def test_section_summary_and_search_commands(bot: Harness) -> None:
    reply = await bot.say(2305, "/seccion 3.2")
    assert reply.raw_text == bot.expected(bot.engine.section_answer("3.2", "es"))
    reply = await bot.say(2305, "/seccion tres")
    assert "no es un número de sección" in reply.text and reply.callback_data
    reply = await bot.say(2305, "/resumen eventos")
    assert reply.raw_text == bot.expected(bot.engine.section_answer("5.2", "es"))
    reply = await bot.say(2305, "/buscar zonas francas")
    assert reply.raw_text == bot.expected(bot.engine.search("zonas francas", "es", 5))


async def test_help_start_and_english_alias(bot: Harness) -> None:
    reply = await bot.say(2306, "/ayuda")
    assert all(f"/{spec.name}" in reply.text for spec in COMMANDS)
    reply = await bot.say(2306, "/help")
    assert all(f"/{spec.name_for('en')}" in reply.text for spec in COMMANDS)
    assert "Commands" in reply.text
    reply = await bot.say(2306, "/start")
    assert "/ayuda" in reply.text


async def test_source_command_quotes_the_last_answer(bot: Harness) -> None:
    reply = await bot.say(2307, "/fuente")
    assert "Todavía no hay" in reply.text
    await bot.say(2307, "/indicadores inversión")
    reply = await bot.say(2307, "/fuente")
    table = indicator_tables(bot.report)[0]
    first = table.rows[0]
    assert f"(línea {first.line})" in reply.text
    assert clean_cell(first.cells[0].raw) in reply.text
    parsed = parse_telegram_html(reply.raw_text or "")
    assert any(e["type"] == "blockquote" for e in parsed.entities)


async def test_chart_command_sends_png_photos(bot: Harness) -> None:
    for argument in ("eventos", "inversión", "presupuesto"):
        before = len(bot.api.photos)
        reply = await bot.say(2308, f"/grafico {argument}")
        assert reply.method == "sendPhoto" and len(bot.api.photos) == before + 1
        assert reply.data is not None and reply.data.startswith(PNG_SIGNATURE)
        assert reply.file is not None and reply.file.image_format == "png"
        assert (reply.file.width or 0) >= 600 and (reply.file.height or 0) >= 300
        assert "Fuente" in (reply.caption or "")
    assert (2308, "upload_photo") in bot.api.chat_actions


async def test_csv_command_sends_a_spanish_spreadsheet_csv(bot: Harness) -> None:
    reply = await bot.say(2309, "/csv eventos propios")
    table = event_tables(bot.report)[0]
    assert reply.method == "sendDocument" and reply.filename == f"{table.key}.csv"
    assert reply.data is not None and reply.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [clean_cell(h) for h in table.header]
    assert rows[1:-2] == [[clean_cell(c.raw) for c in row.cells] for row in table.rows]
    assert rows[-2] == [] and rows[-1][0].startswith("Fuente: ")
    budget = budget_tables(bot.report)[-1]
    reply = await bot.say(2309, f"/csv {budget.key}")
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == len(budget.rows) + 3 and any("," in cell for cell in rows[1])


# ----------------------------------------------------------------------------- free text


async def test_private_question_and_follow_up_use_the_chat_context(bot: Harness) -> None:
    first = bot.engine.ask("eventos de octubre")
    follow = bot.engine.ask("¿y en noviembre?", first.context)
    alone = bot.engine.ask("¿y en noviembre?")
    assert follow.answer.text != alone.answer.text  # the follow-up needs the context
    reply = await bot.say(3001, "eventos de octubre")
    assert reply.raw_text == bot.expected(first.answer)
    reply = await bot.say(3001, "¿y en noviembre?")
    assert reply.raw_text == bot.expected(follow.answer)
    # Another chat has its own context: the same follow-up there has nothing to follow.
    reply = await bot.say(3002, "¿y en noviembre?")
    assert reply.raw_text == bot.expected(alone.answer)
    with Session(bot.db) as session:
        states = session.exec(select(ChatState)).all()
    contexts = [ConversationContext.model_validate_json(s.context_json) for s in states]
    assert any(c.last_question and "noviembre" in c.last_question for c in contexts)


async def test_groups_answer_only_mentions_replies_and_commands(bot: Harness) -> None:
    group = -1001234500001
    bot.api.send_text(group, "¿cuántos premios ganó Medellín?")  # chat among humans: ignored
    bot.api.send_text(group, "/ayuda@otro_bot")  # another bot's command: ignored
    mention = await bot.say(group, f"@{BOT_USERNAME} ¿cuántos premios ganó Medellín?")
    expected = bot.engine.ask("¿cuántos premios ganó Medellín?").answer
    assert mention.raw_text == bot.expected(expected)
    follow_up = await bot.say(group, "¿y en inglés?", reply_to=mention.message_id)
    assert follow_up.reply_parameters is not None
    command = await bot.say(group, f"/ayuda@{BOT_USERNAME}")
    assert "/cifra" in command.text
    await bot.api.wait_updates_consumed(timeout=15)
    assert len(bot.api.sent_messages(group)) == 3


async def test_non_text_unknown_commands_edits_and_channel_posts(bot: Harness) -> None:
    chat = 3101
    before = len(bot.api.sent_messages(chat))
    bot.api.send_sticker(chat)
    [reply] = (await bot.api.wait_for_messages(chat, before + 1, timeout=15))[before:]
    assert "solo leo mensajes de texto" in reply.text
    reply = await bot.say(chat, "/noexiste")
    assert "No conozco el comando /noexiste" in reply.text
    bot.api.edited_message(chat, reply.message_id - 1, "otra cosa")
    bot.api.channel_post(-1009876500001, "¿cuánta inversión?")
    reply = await bot.say(chat, "/ayuda")  # processed after the edit and the post
    assert len(bot.api.sent_messages(chat)) == before + 3
    assert not bot.api.sent_messages(-1009876500001)


# ----------------------------------------------------------------------------- buttons


async def test_suggestion_buttons_answer_the_suggested_question(bot: Harness) -> None:
    chat = 3201
    # Questions the report cannot answer (the dev set's out-of-scope items) get "no lo sé" plus
    # close topics as buttons.
    unanswerable = [q["q"] for q in load_questions() if q.get("kind") == "out_of_scope"]
    question = next(
        q
        for q in unanswerable
        if (r := bot.engine.ask(q).answer).status != "answered" and r.suggestions
    )
    first = bot.engine.ask(question)
    reply = await bot.say(chat, question)
    assert "¿Quisiste decir…?" in reply.text or "Temas cercanos" in reply.text
    labels = [b["text"] for b in reply.buttons]
    assert labels[: len(first.answer.suggestions)] == first.answer.suggestions
    await bot.press(chat, reply, reply.callback_data[0])
    messages = await bot.api.wait_for_messages(chat, 2, timeout=15)
    suggestion = first.answer.suggestions[0]
    expected = bot.engine.ask(suggestion, first.context).answer
    assert messages[1].raw_text == bot.expected(expected)


async def test_a_typed_number_picks_that_suggestion(bot: Harness) -> None:
    """As in the console: "2" after a «¿Quisiste decir…?» asks the second suggestion. The choices
    live in the chat's stored state, so any worker serves the number."""
    chat = 3202
    unanswerable = [q["q"] for q in load_questions() if q.get("kind") == "out_of_scope"]
    question = next(
        q
        for q in unanswerable
        if len((r := bot.engine.ask(q).answer).suggestions) >= 2 and r.status != "answered"
    )
    first = bot.engine.ask(question)
    reply = await bot.say(chat, question)
    labels = [b["text"] for b in reply.buttons]
    assert labels[:2] == first.answer.suggestions[:2]
    with Session(bot.db) as session:
        stored = [row.choices_json for row in session.exec(select(ChatState)).all()]
    assert any(first.answer.suggestions[1] in (c or "") for c in stored)
    picked = await bot.say(chat, "2")
    expected = bot.engine.ask(first.answer.suggestions[1], first.context).answer
    assert picked.raw_text == bot.expected(expected)
    # A number with nothing to pick is a question like any other.
    bare = await bot.say(3203, "2")
    assert bare.raw_text == bot.expected(bot.engine.ask("2").answer)


async def test_a_typed_number_picks_that_command_option(bot: Harness) -> None:
    chat = 3204
    menu = await bot.say(chat, "/indicadores")
    labels = [b["text"] for b in menu.buttons]
    result = await bot.say(chat, "2")
    table = indicator_tables(bot.report)[1]
    assert texts_of(result).startswith(labels[1])
    for row in table.rows:
        assert clean_cell(row.cells[-1].raw) in result.text
    # The pick answered the menu: typing the number again is no longer a pick.
    again = await bot.say(chat, "2")
    assert not texts_of(again).startswith(labels[1])


async def test_feedback_is_recorded_for_the_asker_only(bot: Harness) -> None:
    group = -1001234500002
    asker, other = 7001, 7002
    reply = await bot.say(group, f"@{BOT_USERNAME} premios internacionales", user_id=asker)
    up, down = [d for d in reply.callback_data if d.startswith("f|")]
    log_id = int(up.split("|")[1])
    await bot.press(group, reply, down, user_id=other)
    assert bot.api.callback_answers[-1].text.startswith("Solo quien hizo la pregunta")
    await bot.press(group, reply, up, user_id=asker)
    assert bot.api.callback_answers[-1].text == "¡Gracias por tu opinión!"
    with Session(bot.db) as session:
        row = session.get(QueryLog, log_id)
    assert row is not None and row.feedback == 1
    assert row.question == "premios internacionales" and row.status == "answered"
    assert row.user_hash and str(asker) not in row.user_hash


async def test_long_answer_is_paginated_with_edits(bot: Harness) -> None:
    chat = 3301
    answer = bot.engine.ask(ReportEngine.LONG_QUESTION).answer
    pages = render.render_pages(answer)
    assert len(pages) >= 2
    reply = await bot.say(chat, ReportEngine.LONG_QUESTION)
    assert reply.raw_text == pages[0]
    assert parse_telegram_html(reply.raw_text).length <= 4096
    forward = next(b["callback_data"] for b in reply.buttons if b["text"] == "▶")
    edits = len(bot.api.calls_to("editMessageText"))
    await bot.press(chat, reply, forward)
    await bot.api.wait_for_calls("editMessageText", edits + 1, timeout=15)
    edited = bot.api.sent_messages(chat)[-1]
    assert edited.message_id == reply.message_id and edited.raw_text == pages[1]
    assert "◀" in [b["text"] for b in edited.buttons]
    assert any(d.startswith("f|") for d in edited.callback_data)  # feedback survives paging
    indicator = next(b["callback_data"] for b in edited.buttons if "/" in b["text"])
    await bot.press(chat, edited, indicator)  # the "2/N" label does nothing
    assert len(bot.api.calls_to("editMessageText")) == edits + 1
    assert len(bot.api.sent_messages(chat)) == 1


def answers_for(bot: Harness, chat: int) -> list:
    return [a for a in bot.api.callback_answers if a.chat_id == chat]


async def test_forged_or_expired_buttons_get_a_polite_answer(bot: Harness) -> None:
    chat = 3401
    reply = await bot.say(chat, "/ayuda")
    for number, data in enumerate(
        ("f|abc|1", "k|no-such-key-0000", "p|no-such-key-0000|1", "zz", "f|999999|1"), start=1
    ):
        bot.api.press_button(chat, reply.message_id, data, check_buttons=False)
        await bot.api.wait_until(lambda n=number: len(answers_for(bot, chat)) >= n, timeout=15)
        text = answers_for(bot, chat)[-1].text or ""
        assert text.startswith(("Este botón ya no está disponible", "Solo quien")), (data, text)
    assert len(bot.api.sent_messages(chat)) == 1


# ----------------------------------------------------------------------------- inline mode


async def test_inline_query_returns_articles_with_the_figure_in_the_title(bot: Harness) -> None:
    query = "monto de inversión nacional y extranjera reportada"
    expected = bot.engine.ask(query).answer
    bot.api.inline_query(8001, query)
    await bot.api.wait_until(lambda: bool(bot.api.inline_answers), timeout=15)
    answer = bot.api.inline_answers[-1]
    assert answer.query == query and 1 <= len(answer.results) <= 50
    first = answer.results[0]
    assert first["type"] == "article" and len(first["id"].encode()) <= 64
    assert first["title"] == inline_title(expected)
    assert expected.figures and first["title"].startswith(expected.figures[0].display)
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert parse_telegram_html(content["message_text"]).length <= 4096
    count = len(bot.api.inline_answers)
    bot.api.inline_query(8001, "   ")
    await bot.api.wait_until(lambda: len(bot.api.inline_answers) > count, timeout=15)
    assert bot.api.inline_answers[-1].results == []


async def test_every_message_sent_fits_telegram_limits(bot: Harness) -> None:
    """Across the whole module: the server accepted every call, and nothing exceeded 4,096."""
    failures = [c for c in bot.api.calls if c.method.startswith(("send", "edit", "answer"))]
    assert failures  # the module did send things
    for message in bot.api.sent_messages():
        if message.raw_text is not None:
            limit = 4096 if message.method == "sendMessage" else 1024
            assert parse_telegram_html(message.raw_text).length <= limit
        assert "algo salió mal" not in texts_of(message)
