"""Small async handlers: decide whether and what to answer, then send what `replies` built.

Everything slow (engine, database, charts) runs in a worker thread through `asyncio.to_thread`.
Updates from one chat are handled one after another (a per-chat lock), so a follow-up is never
answered before the question it follows, while different chats are served concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext, suppress

from telegram import (
    Chat,
    InputFile,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.telegram import replies
from bot.telegram.replies import Outgoing
from bot.telegram.retry import is_transient
from bot.telegram.services import Services, get_services
from bot.texts import say

log = logging.getLogger(__name__)

CHAT_LOCKS_KEY = "chat_locks"


def user_lang(update: Update) -> str:
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "en" if code.lower().startswith("en") else "es"


class ChatLocks:
    """One asyncio lock per chat that has updates in flight; forgotten when idle."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[chat_id] -= 1
            if not self._waiting[chat_id]:
                del self._waiting[chat_id]
                del self._locks[chat_id]


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return get_services(context.bot_data)


def _locks(context: ContextTypes.DEFAULT_TYPE) -> ChatLocks:
    return context.bot_data.setdefault(CHAT_LOCKS_KEY, ChatLocks())


# ----------------------------------------------------------------------------- sending


async def send(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    out: Outgoing,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> Message:
    """Send a reply that quotes the message it answers (when that message still exists)."""
    reply = (
        ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        if reply_to is not None
        else None
    )
    common = {"reply_markup": out.markup, "reply_parameters": reply, "message_thread_id": thread_id}
    bot = context.bot
    if out.photo is not None:
        photo = InputFile(out.photo, filename=out.filename or "grafico.png")
        return await bot.send_photo(chat_id, photo=photo, caption=out.text, **common)
    if out.document is not None:
        document = InputFile(out.document, filename=out.filename or "tabla.csv")
        return await bot.send_document(chat_id, document=document, caption=out.text, **common)
    return await bot.send_message(chat_id, out.text, **common)


def _thread_of(message: Message | None) -> int | None:
    """Forum topic of the message, so the answer lands in the same topic."""
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


# ----------------------------------------------------------------------------- messages


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A known command: the dialog layer routes it like any other text."""
    message = update.effective_message
    if message is not None and message.text:
        await _answer(update, context, message, message.text)


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Private chats only: in groups an unknown command is probably another bot's."""
    message = update.effective_message
    if message is not None and message.text and not replies.known_command(message.text):
        await _answer(update, context, message, message.text)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question: every message in a private chat; in groups only when addressed to the bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    text: str | None = message.text
    if message.chat.type != ChatType.PRIVATE:
        text = addressed_text(message, context.bot.username, context.bot.id)
    if text is not None:
        await _answer(update, context, message, text)


async def _answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, text: str
) -> None:
    """One message through the dialog layer (in a worker thread), in the chat's turn."""
    user_id = update.effective_user.id if update.effective_user else None
    async with _locks(context).hold(message.chat_id):
        action = replies.upload_action(text)
        if action is not None:  # a chart or a file takes a moment: "sending a photo…"
            await context.bot.send_chat_action(
                message.chat_id, action, message_thread_id=_thread_of(message)
            )
        out = await asyncio.to_thread(
            replies.answer_text,
            _services(context),
            text,
            user_id=user_id,
            chat_id=message.chat_id,
            lang=user_lang(update),
        )
        await _reply(context, message, out)


async def on_other_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes in a private chat: say what the bot can read."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(say("text_only", user_lang(update)))


async def _reply(context: ContextTypes.DEFAULT_TYPE, message: Message, out: Outgoing) -> None:
    await send(context, message.chat_id, out, message.message_id, _thread_of(message))


def addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message, or None when the message is not for this bot.

    A message is for the bot when it mentions @username (or the bot by text mention) or replies
    to one of the bot's messages; the mention is removed from the question.
    """
    text = message.text or ""
    mention = re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)
    mentioned = bool(username) and mention.search(text) is not None
    for entity in message.entities or ():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            mentioned = True
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    if not (mentioned or to_bot):
        return None
    return " ".join(mention.sub(" ", text).split()) if username else text


# ----------------------------------------------------------------------------- buttons


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed button: a toast, a page turned in place, or a new message (a pick)."""
    query = update.callback_query
    if query is None:
        return
    message = query.message
    chat: Chat | None = message.chat if message is not None else None
    turn = _locks(context).hold(chat.id) if chat is not None else nullcontext()
    async with turn:
        result = await asyncio.to_thread(
            replies.answer_button,
            _services(context),
            query.data or "",
            user_id=query.from_user.id if query.from_user else None,
            chat_id=chat.id if chat is not None else None,
            lang=user_lang(update),
            editable=isinstance(message, Message),
        )
        await query.answer(result.toast)
        if result.edit is not None:
            try:
                await query.edit_message_text(result.edit.text, reply_markup=result.edit.markup)
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():  # a double tap on the same page
                    raise
        if result.send is not None and chat is not None:
            thread = _thread_of(message) if isinstance(message, Message) else None
            reply_to = message.message_id if message is not None else None
            await send(context, chat.id, result.send, reply_to, thread)


# ----------------------------------------------------------------------------- inline mode


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    inline = update.inline_query
    if inline is None:
        return
    user_id = inline.from_user.id if inline.from_user else None
    results = await asyncio.to_thread(
        replies.inline_results, _services(context), inline.query, user_id=user_id
    )
    # With an allow-list, Telegram's shared cache could show the results to someone not on it.
    from bot.telegram.access import restricted  # access imports this module

    personal = restricted(_services(context).settings)
    await inline.answer(results, cache_time=30 if personal else 300, is_personal=personal)


# ----------------------------------------------------------------------------- errors


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with its traceback, and tell the user instead of leaving them waiting."""
    error = context.error
    polling_hiccup = isinstance(error, RetryAfter) or (
        isinstance(error, Exception) and is_transient(error)
    )
    if update is None and polling_hiccup:
        # getUpdates failed on the way; PTB's polling loop retries with backoff, nothing is lost.
        log.warning("Bot API unreachable while polling (%s); retrying", error)
        return
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        with suppress(TelegramError):
            await update.callback_query.answer(say("error", user_lang(update)))
    try:
        await context.bot.send_message(update.effective_chat.id, say("error", user_lang(update)))
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
