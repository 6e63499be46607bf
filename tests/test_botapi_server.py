"""The local Bot API server answers like Telegram: driven by python-telegram-bot and raw HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from tests.fakes.botapi import DEFAULT_TOKEN, FakeBotApi, Fault, FloodLimits
from tests.fakes.control import RemoteFakeBotApi
from tests.fakes.objects import image_size, make_png
from tests.fakes.telegram_html import (
    TelegramBadRequest,
    parse_telegram_html,
    validate_telegram_html,
)

CHAT = 4242
OTHER_CHAT = 777
GROUP = -1001234567890
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
# PTB 22 warns about RetryAfter.retry_after's future type when building the exception itself.
ignore_retry_after_deprecation = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(webhook_backoff=0.01, webhook_backoff_max=0.05) as server:
        server.register_chat(CHAT)
        server.register_chat(OTHER_CHAT)
        yield server
        assert server.internal_errors == []


def local_request(**kwargs: Any) -> HTTPXRequest:
    # Plain http on 127.0.0.1: skipping the CA bundle load saves ~0.2 s per client.
    return HTTPXRequest(httpx_kwargs={"verify": False}, **kwargs)


def make_bot(api: FakeBotApi, token: str | None = None, **request_kwargs: Any) -> Bot:
    return Bot(token or api.token, base_url=api.base_url, base_file_url=api.base_file_url,
               request=local_request(**request_kwargs), get_updates_request=local_request())


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with make_bot(api) as client:
        yield client


@pytest.fixture
async def http(api: FakeBotApi) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{api.base_url}{api.token}/", timeout=5,
                                 verify=False) as client:
        yield client


async def call(http: httpx.AsyncClient, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    response = await http.post(method, json=params)
    return response.status_code, response.json()


def retry_seconds(error: RetryAfter) -> float:
    # int by default, a timedelta when PTB_TIMEDELTA=1 opts in to PTB's future type.
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def keyboard(*data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": d, "callback_data": d} for d in data]]}


# ---------------------------------------------------------------------------------------------
# Identity, tokens, encodings


async def test_get_me_through_python_telegram_bot(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "informe_test_bot"
    assert me.id == int(DEFAULT_TOKEN.split(":")[0])
    assert me.supports_inline_queries is True
    assert api.calls[0].method == "getMe"


async def test_unknown_token_is_401_and_malformed_token_404_like_telegram(api: FakeBotApi) -> None:
    async with httpx.AsyncClient(timeout=5, verify=False) as client:
        unknown = await client.post(f"{api.base_url}999:unknownTokenXYZ/getMe")
        malformed = await client.post(f"{api.base_url}not-a-token/getMe")
        no_method = await client.post(f"{api.base_url}{api.token}/sendMassage")
        elsewhere = await client.get(f"{api.url}/whatever")
    assert unknown.status_code == 401
    assert unknown.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert malformed.status_code == 404
    assert malformed.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert no_method.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert elsewhere.status_code == 404
    with pytest.raises(InvalidToken):
        await make_bot(api, "999:unknownTokenXYZ").get_me()


async def test_every_encoding_telegram_accepts(api: FakeBotApi, http: httpx.AsyncClient) -> None:
    as_json = await http.post("sendMessage", json={"chat_id": CHAT, "text": "json"})
    as_form = await http.post("sendMessage", data={"chat_id": str(CHAT), "text": "form",
                                                   "reply_markup": json.dumps(keyboard("f"))})
    as_multipart = await http.post("sendMessage", data={"chat_id": str(CHAT), "text": "multi"},
                                   files={"unused": ("x.txt", b"x")})
    as_query = await http.get("sendMessage", params={"chat_id": CHAT, "text": "query"})
    lowercase_method = await http.post("sendmessage", json={"chat_id": CHAT, "text": "lower"})
    for response in (as_json, as_form, as_multipart, as_query, lowercase_method):
        assert response.status_code == 200, response.text
    sent = api.sent_messages(CHAT)
    assert [m.text for m in sent] == ["json", "form", "multi", "query", "lower"]
    assert sent[1].reply_markup == keyboard("f")
    assert sent[1].message["reply_markup"] == keyboard("f")


# ---------------------------------------------------------------------------------------------
# sendMessage


async def test_send_message_returns_a_telegram_message(api: FakeBotApi, bot: Bot) -> None:
    update = api.send_text(CHAT, "¿Cuántos eventos hubo?")
    question_id = update["message"]["message_id"]
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("👍", callback_data="fb:1:up"),
                                    InlineKeyboardButton("Web", url="https://example.org")]])
    message = await bot.send_message(
        CHAT, "Hubo <b>13</b> eventos &amp; 2 ferias 😀 <i>fin</i>", parse_mode="HTML",
        reply_markup=markup, reply_to_message_id=question_id,
    )
    assert message.text == "Hubo 13 eventos & 2 ferias 😀 fin"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 5, 2), ("italic", 30, 3),  # the emoji counts two UTF-16 units
    ]
    assert message.from_user.id == api.bot_user["id"] and message.from_user.is_bot
    assert message.chat.id == CHAT and message.chat.type == "private"
    assert message.reply_to_message.message_id == question_id
    assert message.reply_markup == markup
    assert message.message_id == question_id + 1
    recorded = api.last_message(CHAT)
    assert recorded.raw_text.startswith("Hubo <b>13</b>")
    assert recorded.parse_mode == "HTML"
    assert recorded.reply_to_message_id == question_id
    assert recorded.callback_data == ["fb:1:up"]


async def test_message_ids_increment_per_chat(api: FakeBotApi, http: httpx.AsyncClient) -> None:
    ids = []
    for chat in (CHAT, CHAT, OTHER_CHAT, CHAT):
        _status, body = await call(http, "sendMessage", chat_id=chat, text="x")
        ids.append((chat, body["result"]["message_id"]))
    assert ids == [(CHAT, 1), (CHAT, 2), (OTHER_CHAT, 1), (CHAT, 3)]


async def test_text_limit_counts_after_entity_parsing(api: FakeBotApi,
                                                      http: httpx.AsyncClient) -> None:
    exactly = "a" * 4096
    status, _ = await call(http, "sendMessage", chat_id=CHAT, text=exactly)
    assert status == 200
    status, body = await call(http, "sendMessage", chat_id=CHAT, text=exactly + "a")
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    # 4096 visible characters wrapped in tags and written as entities: over 4096 raw, still fine.
    html = "<b>" + "&amp;" * 2048 + "</b>" + "<i>" + "x" * 2048 + "</i>"
    status, body = await call(http, "sendMessage", chat_id=CHAT, text=html, parse_mode="HTML")
    assert status == 200 and len(body["result"]["text"]) == 4096
    status, body = await call(http, "sendMessage", chat_id=CHAT, text=html + "y",
                              parse_mode="HTML")
    assert body["description"] == "Bad Request: message is too long"


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": ""}, "Bad Request: message text is empty"),
        ({"text": "  \n "}, "Bad Request: message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, "Bad Request: message text is empty"),
        ({"text": "<foo>x</foo>", "parse_mode": "HTML"},
         'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 0'),
        ({"text": "ñ <p>x</p>", "parse_mode": "HTML"},
         'Bad Request: can\'t parse entities: Unsupported start tag "p" at byte offset 3'),
        ({"text": "<b>x", "parse_mode": "HTML"},
         "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""),
        ({"text": "x</b>", "parse_mode": "HTML"},
         "Bad Request: can't parse entities: Unexpected end tag at byte offset 1"),
        ({"text": "<b><i>x</b></i>", "parse_mode": "HTML"},
         "Bad Request: can't parse entities: Unmatched end tag at byte offset 7, "
         'expected "</i>", found "</b>"'),
        ({"text": "3 < 4", "parse_mode": "HTML"},
         'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2'),
        ({"text": "I+D & innovación", "parse_mode": "HTML"},
         "Bad Request: can't parse entities: Unescaped \"&\" at byte offset 4; use \"&amp;\""),
        ({"text": "x", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"),
        ({"text": "x", "reply_markup": keyboard("d" * 65)}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "reply_markup": {"inline_keyboard": [[{"text": "solo texto"}]]}},
         "Bad Request: can't parse inline keyboard button: "
         "Text buttons are unallowed in the inline keyboard"),
        ({"text": "x", "reply_to_message_id": 999},
         "Bad Request: message to be replied not found"),
        ({"text": "x", "chat_id": 31337}, "Bad Request: chat not found"),
        ({"text": "x", "chat_id": "@nobody"}, "Bad Request: chat not found"),
    ],
)
async def test_send_message_rejections(api: FakeBotApi, http: httpx.AsyncClient,
                                       params: dict[str, Any], description: str) -> None:
    status, body = await call(http, "sendMessage", **{"chat_id": CHAT, **params})
    assert (status, body) == (400, {"ok": False, "error_code": 400, "description": description})
    assert api.sent_messages() == []


async def test_callback_data_limit_is_in_bytes(api: FakeBotApi, http: httpx.AsyncClient) -> None:
    status, _ = await call(http, "sendMessage", chat_id=CHAT, text="x",
                           reply_markup=keyboard("ñ" * 32))  # 64 bytes
    assert status == 200
    status, body = await call(http, "sendMessage", chat_id=CHAT, text="x",
                              reply_markup=keyboard("ñ" * 32 + "a"))  # 65 bytes
    assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_rejections_raise_bad_request_in_python_telegram_bot(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="unsupported start tag"):
        await bot.send_message(CHAT, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(123, "x")


# ---------------------------------------------------------------------------------------------
# The HTML validator on its own


@pytest.mark.parametrize(
    ("html", "length"),
    [
        ("plain", 5),
        ("<b>negrita</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins>", 17),
        ("<s>s</s><strike>t</strike><del>d</del>", 3),
        ('<span class="tg-spoiler">sp</span><tg-spoiler>oi</tg-spoiler>', 4),
        ('<a href="https://aci.gov.co/?a=1&amp;b=2">enlace</a>', 6),
        ('<pre><code class="language-python">x = 1</code></pre>', 5),
        ("<code>a &lt; b &gt; c &quot;d&quot;</code>", 13),
        ("<blockquote>cita</blockquote><blockquote expandable>más</blockquote>", 7),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', 1),
        ("&#38; &#x27; &#241;", 5),
        ("<B>mayúsculas</B>", 10),
        ("  recortado  ", 9),
        ("<b>a <i>b <u>c</u></i></b>", 5),
    ],
)
def test_validator_accepts_telegram_html(html: str, length: int) -> None:
    assert validate_telegram_html(html) == length


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<p>párrafo</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<br>", 'Unsupported start tag "br"'),
        ("<b/>", 'Unsupported start tag "b/"'),
        ("<b>sin cerrar", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "Unmatched end tag at byte offset 7"),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<span class="rojo">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ('<a href="x" target=_blank>x</a>', "Unexpected end of name token"),
        ("AT&T", 'Unescaped "&" at byte offset 2'),
        ("&copy; 2020", 'Unescaped "&" at byte offset 0'),
        ("&amp sin punto y coma", 'Unescaped "&" at byte offset 0'),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("😀<x>", 'Unsupported start tag "x" at byte offset 4'),
    ],
)
def test_validator_rejects_what_telegram_rejects(html: str, fragment: str) -> None:
    with pytest.raises(ValueError, match="can't parse entities") as raised:
        validate_telegram_html(html)
    assert fragment in str(raised.value)
    assert isinstance(raised.value, TelegramBadRequest)
    assert raised.value.description.startswith("Bad Request: can't parse entities: ")


def test_validator_can_tolerate_a_bare_ampersand_like_telegram() -> None:
    assert validate_telegram_html("AT&T &copy;", strict_ampersand=False) == 11


def test_parser_entities_for_pre_code_and_links() -> None:
    parsed = parse_telegram_html(
        '<pre><code class="language-sql">SELECT 1</code></pre>\n'
        '<a href="tg://user?id=42">Ana</a> <a href="aci.gov.co">sitio</a>'
    )
    assert parsed.entities == [
        {"type": "pre", "offset": 0, "length": 8, "language": "sql"},
        {"type": "text_mention", "offset": 9, "length": 3,
         "user": {"id": 42, "is_bot": False, "first_name": "User 42"}},
        {"type": "text_link", "offset": 13, "length": 5, "url": "http://aci.gov.co"},
    ]


# ---------------------------------------------------------------------------------------------
# Editing and deleting


async def test_edits_and_not_modified(api: FakeBotApi, bot: Bot) -> None:
    first = await bot.send_message(CHAT, "<b>uno</b>", parse_mode="HTML",
                                   reply_markup=InlineKeyboardMarkup.from_button(
                                       InlineKeyboardButton("◀", callback_data="p:0")))
    edited = await bot.edit_message_text("<b>dos</b>", CHAT, first.message_id,
                                         parse_mode="HTML", reply_markup=first.reply_markup)
    assert edited.text == "dos" and edited.edit_date is not None
    # Same visible text and entities, written differently: Telegram sees no change.
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<strong>dos</strong>", CHAT, first.message_id,
                                    parse_mode="HTML", reply_markup=first.reply_markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(CHAT, first.message_id,
                                            reply_markup=first.reply_markup)
    # Omitting reply_markup in an edit removes the keyboard, as on Telegram.
    bare = await bot.edit_message_text("<b>dos</b>", CHAT, first.message_id, parse_mode="HTML")
    assert bare.reply_markup is None
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)
    recorded = api.last_message(CHAT)
    assert recorded.text == "dos" and recorded.reply_markup is None
    assert [m["text"] for m in recorded.history] == ["uno", "dos"]


async def test_edit_rules_by_raw_http(api: FakeBotApi, http: httpx.AsyncClient) -> None:
    update = api.send_text(CHAT, "mensaje del usuario")
    user_message_id = update["message"]["message_id"]
    status, body = await call(http, "editMessageText", chat_id=CHAT, message_id=user_message_id,
                              text="x")
    assert body["description"] == "Bad Request: message can't be edited"
    _, sent = await call(http, "sendMessage", chat_id=CHAT, text="igual")
    status, body = await call(http, "editMessageText", chat_id=CHAT,
                              message_id=sent["result"]["message_id"], text="igual")
    assert (status, body["description"]) == (400, NOT_MODIFIED)
    status, body = await call(http, "editMessageText", chat_id=CHAT, parse_mode="HTML",
                              message_id=sent["result"]["message_id"], text="<p>")
    assert body["description"].startswith("Bad Request: can't parse entities")


async def test_delete_message(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_message(CHAT, "borrar")
    assert await bot.delete_message(CHAT, message.message_id) is True
    assert api.last_message(CHAT).deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(CHAT, message.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHAT, message.message_id)


# ---------------------------------------------------------------------------------------------
# getUpdates


async def test_long_poll_returns_when_an_update_arrives(api: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await api.wait_for_calls("getUpdates", 1)
    await asyncio.sleep(0)
    assert not poll.done()  # waiting, as a long poll does
    api.send_text(CHAT, "/start")
    updates = await asyncio.wait_for(poll, 10)  # far below the poll's 30 s
    assert [u.message.text for u in updates] == ["/start"]
    assert updates[0].message.entities[0].type == "bot_command"


async def test_offset_confirms_updates(api: FakeBotApi, bot: Bot) -> None:
    for text in ("uno", "dos", "tres"):
        api.send_text(CHAT, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["uno", "dos"]
    again = await bot.get_updates()  # nothing confirmed yet
    assert [u.update_id for u in again] == [u.update_id for u in first] + [again[-1].update_id]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["tres"]
    assert api.pending_updates() == 1
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert api.pending_updates() == 0
    await api.wait_updates_consumed(timeout=1)
    api.send_text(CHAT, "cuatro")
    api.send_text(CHAT, "cinco")
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last] == ["cinco"]


async def test_allowed_updates_filter_what_is_delivered(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_message(CHAT, "x", reply_markup=InlineKeyboardMarkup.from_button(
        InlineKeyboardButton("b", callback_data="b")))
    assert await bot.get_updates(allowed_updates=["callback_query"]) == ()
    api.send_text(CHAT, "ignorado")
    api.press_button(CHAT, message.message_id, "b")
    updates = await bot.get_updates()
    assert [u.callback_query.data for u in updates] == ["b"]
    assert api.account().updates_dropped == 1
    await bot.get_updates(allowed_updates=[])  # empty list: back to the default set
    api.send_text(CHAT, "visible")
    assert [u.message.text for u in await bot.get_updates(offset=updates[0].update_id + 1)] == [
        "visible"
    ]


async def test_second_instance_polling_ends_the_first_with_conflict(api: FakeBotApi,
                                                                    bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=20))
    await api.wait_for_calls("getUpdates", 1)
    async with make_bot(api) as second_instance:
        second = asyncio.create_task(second_instance.get_updates(timeout=20))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 10)
        api.send_text(CHAT, "hola")
        assert [u.message.text for u in await asyncio.wait_for(second, 10)] == ["hola"]


# ---------------------------------------------------------------------------------------------
# Webhook


class Receiver:
    """A local webhook endpoint whose answers the test scripts (status per arrival)."""

    def __init__(self, fail_once: set[int] | None = None, delay_first: float = 0.0) -> None:
        self.fail_once = set(fail_once or ())  # update_ids answered 500 the first time
        self.delay_first = delay_first
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.reply_body = ""
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append((body, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        if self.delay_first and len(self.received) == 1:
            await asyncio.sleep(self.delay_first)
        status = 200
        if body["update_id"] in self.fail_once:
            self.fail_once.discard(body["update_id"])
            status = 500
        return web.Response(status=status, text=self.reply_body, content_type="application/json")

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


async def test_webhook_delivers_with_secret_and_redelivers_after_500(api: FakeBotApi,
                                                                     bot: Bot) -> None:
    async with Receiver(fail_once={2}) as receiver:
        assert await bot.set_webhook(receiver.url, secret_token="s3cr3t-Token_1")
        sent = [api.send_text(CHAT, f"m{i}")["update_id"] for i in range(3)]
        sent.append(api.send_text(OTHER_CHAT, "otro")["update_id"])
        assert sent == [1, 2, 3, 4]
        stats = api.webhook_stats()
        await api.wait_until(lambda: stats.delivered == 4)
        await api.wait_updates_consumed()
    assert stats.redeliveries == 1 and stats.attempts == 5 and stats.failed == 0
    assert {secret for _body, secret in receiver.received} == {"s3cr3t-Token_1"}
    chat_order = [body["update_id"] for body, _ in receiver.received
                  if body["message"]["chat"]["id"] == CHAT]
    # Update 2 got a 500 and came again before update 3 of the same chat was sent.
    assert chat_order == [1, 2, 2, 3]
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert update_parses(receiver.received[0][0])


async def test_webhook_redelivers_after_timeout_and_gives_up_when_refused() -> None:
    api = FakeBotApi(webhook_timeout=0.3, webhook_max_tries=3, webhook_backoff=0.01)
    async with api, make_bot(api) as bot:
        async with Receiver(delay_first=1.0) as receiver:
            await bot.set_webhook(receiver.url)
            api.send_text(CHAT, "lento")
            await api.wait_until(lambda: api.webhook_stats().delivered == 1)
            assert api.webhook_stats().redeliveries == 1
            assert api.webhook_stats().last_error_message == "Read timeout expired"
        await bot.set_webhook(receiver.url)  # the receiver is gone: connection refused
        update_id = api.send_text(CHAT, "nadie escucha")["update_id"]
        await api.wait_until(lambda: api.webhook_stats().failed == 1)
        stats = api.webhook_stats()
        assert stats.failed_update_ids == [update_id]
        assert stats.last_error_message == "Connection refused"
        assert stats.attempts == 2 + 3


async def test_delete_webhook_returns_undelivered_updates_to_get_updates(api: FakeBotApi,
                                                                         bot: Bot) -> None:
    api.send_text(CHAT, "antes")
    await bot.set_webhook("http://127.0.0.1:9/never", max_connections=1)
    await bot.delete_webhook()
    updates = await bot.get_updates()
    assert [u.message.text for u in updates] == ["antes"]
    await bot.set_webhook("http://127.0.0.1:9/never")
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_webhook_reply_method_is_executed(api: FakeBotApi, bot: Bot) -> None:
    async with Receiver() as receiver:
        receiver.reply_body = json.dumps({"method": "sendMessage", "chat_id": CHAT,
                                          "text": "desde la respuesta"})
        await bot.set_webhook(receiver.url)
        api.send_text(CHAT, "hola")
        messages = await api.wait_for_messages(CHAT, 1)
    assert messages[0].text == "desde la respuesta"


# ---------------------------------------------------------------------------------------------
# Faults


@ignore_retry_after_deprecation
async def test_retry_after_fault(api: FakeBotApi, bot: Bot, http: httpx.AsyncClient) -> None:
    api.inject("sendMessage", Fault.RETRY_AFTER(3))
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "x")
    assert retry_seconds(raised.value) == 3
    api.inject("sendMessage", Fault.RETRY_AFTER(2))
    status, body = await call(http, "sendMessage", chat_id=CHAT, text="x")
    assert (status, body) == (429, {"ok": False, "error_code": 429,
                                    "description": "Too Many Requests: retry after 2",
                                    "parameters": {"retry_after": 2}})
    assert api.sent_messages() == []
    await bot.send_message(CHAT, "ahora sí")
    assert [m.text for m in api.sent_messages()] == ["ahora sí"]
    assert api.fault_counts["RETRY_AFTER"] == 2


@pytest.mark.parametrize("status", [500, 502])
async def test_http_error_faults(api: FakeBotApi, bot: Bot, status: int) -> None:
    api.inject("sendMessage", Fault.HTTP(status), times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "x")
    await bot.send_message(CHAT, "x")
    assert len(api.sent_messages()) == 1
    assert api.fault_counts["HTTP"] == 2


async def test_drop_and_malformed_json_faults_take_no_effect(api: FakeBotApi, bot: Bot) -> None:
    api.inject("sendMessage", Fault.DROP)
    with pytest.raises(NetworkError, match="disconnected"):
        await bot.send_message(CHAT, "x")
    api.inject("sendMessage", Fault.MALFORMED_JSON)
    with pytest.raises(TelegramError, match="Invalid server response"):
        await bot.send_message(CHAT, "x")
    assert api.sent_messages() == []
    assert api.fault_counts == {"DROP": 1, "MALFORMED_JSON": 1}
    assert len(api.calls_to("sendMessage")) == 2  # the requests did arrive


async def test_timeout_fault_makes_the_client_time_out_without_effect(api: FakeBotApi) -> None:
    api.inject("sendMessage", Fault.TIMEOUT(0.3))
    async with make_bot(api, read_timeout=0.1) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(CHAT, "x")
    await api.wait_until(lambda: api.requests_active == 0)
    assert api.sent_messages() == []
    assert api.fault_counts["TIMEOUT"] == 1


async def test_slow_fault_still_answers(api: FakeBotApi, bot: Bot) -> None:
    api.inject("sendMessage", Fault.SLOW(0.2))
    message = await bot.send_message(CHAT, "despacio")
    assert message.text == "despacio" and api.fault_counts["SLOW"] == 1


async def test_drop_after_effect_loses_the_answer_not_the_message(api: FakeBotApi,
                                                                  bot: Bot) -> None:
    api.inject("sendMessage", Fault.DROP_AFTER_EFFECT)
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "enviado")
    await bot.send_message(CHAT, "enviado")  # the client's retry duplicates it
    assert [m.text for m in api.sent_messages(CHAT)] == ["enviado", "enviado"]
    assert api.fault_counts["DROP_AFTER_EFFECT"] == 1


async def test_fault_rules_every_skip_chat_and_any_method(api: FakeBotApi,
                                                          http: httpx.AsyncClient) -> None:
    rule = api.inject("sendMessage", Fault.HTTP(500), every=3)
    statuses = [(await call(http, "sendMessage", chat_id=CHAT, text="x"))[0] for _ in range(7)]
    assert statuses == [200, 200, 500, 200, 200, 500, 200]
    assert rule.fired == 2
    api.clear_faults()
    api.inject(None, Fault.HTTP(503), chat_id=OTHER_CHAT, times=2, skip=1)
    results = [
        (await call(http, "sendChatAction", chat_id=OTHER_CHAT, action="typing"))[0],
        (await call(http, "sendMessage", chat_id=CHAT, text="x"))[0],
        (await call(http, "sendMessage", chat_id=OTHER_CHAT, text="x"))[0],
        (await call(http, "sendChatAction", chat_id=OTHER_CHAT, action="typing"))[0],
        (await call(http, "sendMessage", chat_id=OTHER_CHAT, text="x"))[0],
    ]
    assert results == [200, 200, 503, 503, 200]
    assert api.fault_counts["HTTP"] == 4
    assert [event.method for event in api.fault_log][-2:] == ["sendMessage", "sendChatAction"]


# ---------------------------------------------------------------------------------------------
# Files


async def test_send_photo_validates_and_stores_a_real_png(api: FakeBotApi, bot: Bot) -> None:
    png = make_png(640, 480)
    message = await bot.send_photo(CHAT, png, caption="<b>Metas</b> vs resultados",
                                   parse_mode="HTML")
    assert [(p.width, p.height) for p in message.photo] == [(90, 68), (320, 240), (640, 480)]
    assert message.caption == "Metas vs resultados" and message.caption_entities[0].type == "bold"
    stored = api.photos[0]
    assert stored.data == png and stored.file.image_format == "png"
    assert (stored.file.width, stored.file.height) == (640, 480)
    downloaded = await (await bot.get_file(message.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == png
    again = await bot.send_photo(CHAT, message.photo[-1].file_id)  # resend by file_id
    assert again.photo[-1].width == 640
    recaptioned = await bot.edit_message_caption(CHAT, message.message_id, caption="Nueva")
    assert recaptioned.caption == "Nueva" and recaptioned.photo[-1].width == 640
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_caption(CHAT, message.message_id, caption="Nueva")
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("x", CHAT, message.message_id)
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(CHAT, b"definitely not an image", filename="x.png")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(CHAT, "no-such-file-id")
    assert len(api.photos) == 2


async def test_send_photo_reads_jpeg_dimensions(api: FakeBotApi, bot: Bot) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), (200, 30, 30)).save(buffer, format="JPEG")
    assert image_size(buffer.getvalue()) == (300, 120)
    message = await bot.send_photo(CHAT, buffer.getvalue())
    assert (message.photo[-1].width, message.photo[-1].height) == (300, 120)
    assert api.photos[0].file.image_format == "jpeg"


async def test_send_document_keeps_filename_and_bytes(api: FakeBotApi, bot: Bot) -> None:
    csv_bytes = "\ufeffmes;eventos\nenero;3\n".encode()
    message = await bot.send_document(CHAT, csv_bytes, filename="eventos.csv",
                                      caption="Tabla <i>eventos</i>", parse_mode="HTML")
    assert message.document.file_name == "eventos.csv"
    assert message.document.mime_type == "text/csv"
    assert message.document.file_size == len(csv_bytes)
    assert api.documents[0].data == csv_bytes and api.documents[0].filename == "eventos.csv"
    assert api.documents[0].caption == "Tabla eventos"
    with pytest.raises(BadRequest, match="File must be non-empty"):
        await bot.send_document(CHAT, b"", filename="vacio.csv")


# ---------------------------------------------------------------------------------------------
# Queries, commands, chats


async def test_button_press_and_callback_answers(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_message(CHAT, "¿Quisiste decir…?", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Eventos", callback_data="q:eventos")]]))
    update = api.press_button(CHAT, message.message_id, "q:eventos")
    parsed = update_parses(update)
    assert parsed.callback_query.data == "q:eventos"
    assert parsed.callback_query.message.message_id == message.message_id
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="Listo")
    assert api.callback_answers[0].text == "Listo"
    assert api.callback_answers[0].data == "q:eventos"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)  # answered already
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    late = api.press_button(CHAT, message.message_id, "q:eventos")["callback_query"]["id"]
    api.account().callback_queries[late].created -= 60  # older than the 15 s Telegram allows
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(late)
    with pytest.raises(ValueError, match="no button with callback_data"):
        api.press_button(CHAT, message.message_id, "q:otra")
    forged = api.press_button(CHAT, message.message_id, "q:otra", check_buttons=False)
    assert forged["callback_query"]["data"] == "q:otra"


async def test_inline_queries(api: FakeBotApi, bot: Bot, http: httpx.AsyncClient) -> None:
    update = api.inline_query(CHAT, "eventos 2020")
    assert update_parses(update).inline_query.query == "eventos 2020"
    query_id = update["inline_query"]["id"]

    def article(i: int, text: str = "ok") -> dict[str, Any]:
        return {"type": "article", "id": f"r{i}", "title": f"T{i}",
                "input_message_content": {"message_text": text, "parse_mode": "HTML"}}

    cases = [
        ([article(i) for i in range(51)], "Bad Request: RESULTS_TOO_MUCH"),
        ([article(1), article(1)], "Bad Request: RESULT_ID_DUPLICATE"),
        ([article(1, "<p>x</p>")], "Bad Request: can't parse entities: "
                                   'Unsupported start tag "p" at byte offset 0'),
        ([{**article(1), "reply_markup": keyboard("x" * 65)}], "Bad Request: BUTTON_DATA_INVALID"),
    ]
    for results, description in cases:
        status, body = await call(http, "answerInlineQuery", inline_query_id=query_id,
                                  results=results)
        assert (status, body["description"]) == (400, description)
    results = [InlineQueryResultArticle(f"r{i}", f"13 eventos ({i})",
                                        InputTextMessageContent("<b>13</b>", parse_mode="HTML"))
               for i in range(50)]
    assert await bot.answer_inline_query(query_id, results, cache_time=0)
    assert len(api.inline_answers[0].results) == 50
    assert api.inline_answers[0].query == "eventos 2020"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, results[:1])


async def test_commands_menu_and_chat_info(api: FakeBotApi, bot: Bot) -> None:
    assert await bot.set_my_commands([("cifra", "Una cifra del informe"), ("ayuda", "Ayuda")])
    assert [c.command for c in await bot.get_my_commands()] == ["cifra", "ayuda"]
    assert api.commands == [{"command": "cifra", "description": "Una cifra del informe"},
                            {"command": "ayuda", "description": "Ayuda"}]
    assert await bot.set_my_commands([("help", "Help")], language_code="en")
    assert api.commands_for(language_code="en") == [{"command": "help", "description": "Help"}]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Cifra!", "x")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.set_chat_menu_button()
    assert (await bot.get_chat_menu_button()).type == "default"
    chat = await bot.get_chat(CHAT)
    assert chat.id == CHAT and chat.type == "private"
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(5)
    assert await bot.send_chat_action(CHAT, "typing")
    assert api.chat_actions == [(CHAT, "typing")]
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(CHAT, "dancing")
    me = await bot.get_chat_member(CHAT, api.bot_user["id"])
    assert me.status == "member" and me.user.is_bot
    assert await bot.set_my_description("Cifras del informe")
    assert (await bot.get_my_description()).description == "Cifras del informe"
    assert await bot.close() and await bot.log_out()


async def test_fed_updates_parse_in_python_telegram_bot(api: FakeBotApi, bot: Bot) -> None:
    api.register_user(55, "Ana", username="ana_aci", language_code="es")
    updates = [
        api.send_text(GROUP, "@informe_test_bot ¿cuántos premios?", user_id=55),
        api.send_text(GROUP, "/cifra@informe_test_bot eventos", user_id=55),
        api.edited_message(GROUP, 1, "@informe_test_bot ¿cuántas donaciones?"),
        api.send_sticker(CHAT),
        api.send_photo_from_user(CHAT, caption="mira esto"),
        api.channel_post(-1009876543210, "Noticias #ACI"),
        api.my_chat_member(GROUP, old_status="member", new_status="administrator"),
        api.enqueue_update({"message": {"message_id": 50, "date": 1, "text": "crudo",
                                        "chat": {"id": -5, "type": "group", "title": "G"}}}),
    ]
    parsed = [update_parses(u) for u in updates]
    assert [u.update_id for u in parsed] == list(range(1, 9))
    mention = parsed[0].message
    assert mention.chat.type == "supergroup" and mention.from_user.username == "ana_aci"
    assert mention.entities[0].type == "mention"
    assert parsed[1].message.entities[0].type == "bot_command"
    assert parsed[2].edited_message.text.endswith("donaciones?")
    assert parsed[3].message.sticker.emoji == "👍"
    photo = parsed[4].message.photo[-1]
    assert (photo.width, photo.height) == (64, 48)
    assert image_size(bytes(await (await bot.get_file(photo.file_id)).download_as_bytearray()))
    assert parsed[5].channel_post.sender_chat.id == -1009876543210
    assert parsed[6].my_chat_member.new_chat_member.status == "administrator"
    assert (await bot.send_message(-5, "hola grupo crudo")).chat.title == "G"
    assert len(await bot.get_updates()) == 8


async def test_blocked_bot_gets_forbidden(api: FakeBotApi, bot: Bot) -> None:
    api.my_chat_member(CHAT, new_status="kicked")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "x")
    api.my_chat_member(CHAT, old_status="kicked", new_status="member")
    assert (await bot.send_message(CHAT, "de nuevo")).text == "de nuevo"


async def test_several_bots_are_separate() -> None:
    second = "987654321:BBAnotherFakeTokenForTests_q1w2e3"
    api = FakeBotApi([DEFAULT_TOKEN, second])
    async with api, make_bot(api) as one, make_bot(api, second) as two:
        assert (one.username, two.username) == ("informe_test_bot", "informe_test_bot2")
        api.send_text(CHAT, "para el segundo", token=second)
        assert await one.get_updates() == ()
        assert len(await two.get_updates()) == 1
        await two.send_message(CHAT, "hola")
        with pytest.raises(BadRequest, match="Chat not found"):
            await one.send_message(CHAT, "hola")
        assert api.sent_messages() == []
        assert [m.text for m in api.sent_messages(token=second)] == ["hola"]


async def test_waiters(api: FakeBotApi, http: httpx.AsyncClient) -> None:
    waiting = asyncio.create_task(api.wait_for_messages(CHAT, 2, timeout=5))
    await call(http, "sendMessage", chat_id=CHAT, text="a")
    assert not waiting.done()
    await call(http, "sendMessage", chat_id=CHAT, text="b")
    assert [m.text for m in await waiting] == ["a", "b"]
    with pytest.raises(TimeoutError, match=r"chat 4242 got 2 of 3 messages, last: \['a', 'b'\]"):
        await api.wait_for_messages(CHAT, 3, timeout=0.05)


async def test_many_concurrent_requests(api: FakeBotApi) -> None:
    chats = [1000 + i for i in range(20)]
    for chat in chats:
        api.register_chat(chat)
    url = f"{api.base_url}{api.token}/sendMessage"

    async def send(session: aiohttp.ClientSession, chat: int, n: int) -> int:
        async with session.post(url, json={"chat_id": chat, "text": f"{chat}:{n}"}) as response:
            return response.status

    async with aiohttp.ClientSession() as session:
        statuses = await asyncio.gather(*(send(session, chat, n)
                                          for n in range(10) for chat in chats))
    assert set(statuses) == {200}
    for chat in chats:
        sent = api.sent_messages(chat)
        assert sorted(m.message_id for m in sent) == list(range(1, 11))
    assert api.stats()["sent_messages"] == 200


def test_thread_mode_for_sync_code() -> None:
    with FakeBotApi() as api:
        api.send_text(CHAT, "hola desde otro hilo")
        with httpx.Client(base_url=f"{api.base_url}{api.token}/", timeout=5,
                          verify=False) as client:
            updates = client.post("getUpdates", json={"timeout": 1}).json()["result"]
            assert updates[0]["message"]["text"] == "hola desde otro hilo"
            reply = client.post("sendMessage", json={"chat_id": CHAT, "text": "respuesta"})
            assert reply.json()["ok"] is True
        assert [m.text for m in api.wait_for_messages_sync(CHAT, 1)] == ["respuesta"]
        api.wait_until_sync(lambda: api.requests_active == 0)
    with pytest.raises(TimeoutError):
        server = FakeBotApi().start_in_thread()
        try:
            server.register_chat(CHAT)
            server.wait_for_messages_sync(CHAT, 1, timeout=0.05)
        finally:
            server.stop()


def update_parses(update: dict[str, Any]) -> Update:
    """python-telegram-bot reads the update with every field in place (warnings are errors)."""
    parsed = Update.de_json(update, None)
    assert parsed is not None and parsed.update_id == update["update_id"]
    return parsed


# ---------------------------------------------------------------------------------------------
# A whole python-telegram-bot Application against the server, as the bot's own tests use it


def build_application(api: FakeBotApi) -> Application:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        markup = InlineKeyboardMarkup.from_button(InlineKeyboardButton("Ver", callback_data="v"))
        await update.message.reply_html("<b>Hola</b>", reply_markup=markup, do_quote=True)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("listo")
        await update.callback_query.edit_message_text("Elegiste <i>ver</i>", parse_mode="HTML")

    application = (
        ApplicationBuilder().token(api.token).base_url(api.base_url)
        .base_file_url(api.base_file_url).request(local_request())
        .get_updates_request(local_request()).build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    return application


async def exercise(api: FakeBotApi) -> None:
    question = api.send_text(CHAT, "/start")["message"]["message_id"]
    [answer] = await api.wait_for_messages(CHAT, 1)
    assert answer.text == "Hola" and answer.reply_to_message_id == question
    assert answer.reply_parameters is not None
    api.press_button(CHAT, answer.message_id, "v")
    await api.wait_until(lambda: api.last_message(CHAT).text == "Elegiste ver")
    assert [a.text for a in api.callback_answers] == ["listo"]


async def test_application_polling_end_to_end(api: FakeBotApi) -> None:
    application = build_application(api)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await exercise(api)
        await api.wait_updates_consumed()
        await application.updater.stop()
        await application.stop()
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage", "answerCallbackQuery",
            "editMessageText"} <= {call.method for call in api.calls}


async def test_application_webhook_end_to_end(api: FakeBotApi) -> None:
    application = build_application(api)
    port = free_port()
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", secret_token="clave-secreta",
            webhook_url=f"http://127.0.0.1:{port}/hook",
        )
        assert api.account().webhook is not None
        await exercise(api)
        await api.wait_updates_consumed()
        await application.updater.stop()
        await application.stop()
    assert api.webhook_stats().delivered == 2 and api.webhook_stats().redeliveries == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# Flood control and driving the server from another process


@ignore_retry_after_deprecation
async def test_flood_limits_answer_429_per_group_and_overall() -> None:
    limits = FloodLimits(global_per_second=1000, group_per_minute=3)
    async with FakeBotApi(flood_limits=limits) as api:
        api.register_chat(GROUP)
        api.register_chat(CHAT)
        async with make_bot(api) as bot:
            for n in range(3):
                await bot.send_message(GROUP, f"g{n}")
            with pytest.raises(RetryAfter) as raised:
                await bot.send_message(GROUP, "demasiado")
            assert 1 <= retry_seconds(raised.value) <= 60
            for n in range(5):  # private chats are not limited per minute
                await bot.send_message(CHAT, f"p{n}")
        assert [m.text for m in api.sent_messages(GROUP)] == ["g0", "g1", "g2"]
        assert api.flood_refused == 1


def test_standalone_server_driven_over_http() -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.botapi", "--port", str(port)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith(f"base_url=http://127.0.0.1:{port}/bot")
        remote = RemoteFakeBotApi(f"http://127.0.0.1:{port}", DEFAULT_TOKEN)
        update = remote.send_text(CHAT, "/start")
        assert update["message"]["entities"][0]["type"] == "bot_command"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/bot{DEFAULT_TOKEN}/",
                          verify=False, timeout=5) as client:
            got = client.post("getUpdates", json={"timeout": 1}).json()["result"]
            assert got[0]["update_id"] == update["update_id"]
            client.post("sendMessage", json={"chat_id": CHAT, "text": "<b>ok</b>",
                                             "parse_mode": "HTML"})
        assert [m["text"] for m in remote.sent_messages(CHAT)] == ["ok"]
        remote.call("inject", method="sendMessage", fault="HTTP", value=502)
        assert remote.stats()["sent_messages"] == 1
        with pytest.raises(ValueError, match="has no user message"):
            remote.call("edited_message", chat_id=CHAT, message_id=99, text="x")
        remote.close()
    finally:
        server.terminate()
        server.wait(10)
        if server.stdout is not None:
            server.stdout.close()
