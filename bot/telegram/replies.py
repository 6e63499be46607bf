"""What the bot sends for a question, a command or a button: engine, state and rendering together.

Synchronous on purpose: handlers run each of these in a worker thread (`asyncio.to_thread`), so
the engine's matching and every database read and write stay off the event loop. The result is
an `Outgoing` message the handler only has to send.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ChatAction, ParseMode

from bot import dialog, state
from bot.commands import command_lang, resolve_command
from bot.engine.answer import Answer
from bot.engine.answer import Language as Lang
from bot.engine.context import ConversationContext
from bot.reply import Choice, Reply
from bot.report_tables import shorten
from bot.telegram import keyboards, render
from bot.telegram.services import Services
from bot.texts import say

log = logging.getLogger(__name__)

MAX_INLINE_RESULTS = 50
INLINE_SUGGESTIONS = 8  # ambiguous inline queries: how many suggested readings to answer too
INLINE_TITLE_LIMIT = 90
UPLOADS = {"grafico": ChatAction.UPLOAD_PHOTO, "csv": ChatAction.UPLOAD_DOCUMENT}


@dataclass
class Outgoing:
    text: str  # HTML message, or the caption of a photo or document
    markup: InlineKeyboardMarkup | None = None
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None


# ----------------------------------------------------------------------------- dialog


def answer_text(
    services: Services,
    text: str,
    *,
    user_id: int | None,
    chat_id: int,
    lang: str | None = None,
    channel: str = "telegram",
) -> Outgoing:
    """A message (question, /command or typed choice number) through the dialog layer."""
    return _respond(
        services,
        lambda session: dialog.respond(services.engine, text, session, _lang(lang)),
        user_id=user_id,
        chat_id=chat_id,
        channel=channel,
    )


def answer_question(
    services: Services, text: str, *, user_id: int | None, chat_id: int, channel: str = "telegram"
) -> Outgoing:
    """A free-text question (or a pressed suggestion), even one that starts with "/"."""
    return _respond(
        services,
        lambda session: dialog.question(services.engine, text, session),
        user_id=user_id,
        chat_id=chat_id,
        channel=channel,
    )


def answer_command(
    services: Services,
    name: str,
    args: str,
    *,
    user_id: int | None,
    chat_id: int,
    lang: str | None = None,
) -> Outgoing:
    """A command (typed, or re-run by a pick-one button)."""
    return _respond(
        services,
        lambda session: dialog.command(services.engine, name, args, session, _lang(lang)),
        user_id=user_id,
        chat_id=chat_id,
        channel="telegram",
    )


def _lang(lang: str | None) -> Lang | None:
    return None if lang is None else ("en" if lang == "en" else "es")


def _respond(
    services: Services,
    run: Callable[[dialog.Session], Reply],
    *,
    user_id: int | None,
    chat_id: int,
    channel: str,
) -> Outgoing:
    chat_hash = state.chat_key(chat_id, services.hash_key)
    snapshot = _load(services, chat_hash)
    session = dialog.Session(
        context=snapshot.context, last_answer=snapshot.last_answer, choices=list(snapshot.choices)
    )
    started = perf_counter()
    reply = run(session)
    latency_ms = (perf_counter() - started) * 1000
    log_id = None
    after = session.after(reply)
    if reply.remember:
        log_id = _log(services, reply.query, reply.answer, latency_ms, user_id, chat_hash, channel)
        _save(services, chat_hash, after.last_answer or reply.answer, after.context, after.choices)
    elif after.choices or session.choices:  # what a typed number picks next
        _save(services, chat_hash, None, None, after.choices)
    return outgoing(services, reply, log_id=log_id)


def outgoing(services: Services, reply: Reply, *, log_id: int | None) -> Outgoing:
    """A dialog reply as a Telegram message: text or caption, buttons, the attached file."""
    store = _store(services)
    attachment = reply.attachment
    if attachment is not None:
        return Outgoing(
            render.render_caption(reply.answer),
            markup=keyboards.answer_keyboard(reply.answer, store, log_id=log_id),
            photo=attachment.data if attachment.kind == "photo" else None,
            document=attachment.data if attachment.kind == "document" else None,
            filename=attachment.filename,
        )
    if reply.choices and reply.command:
        markup = keyboards.choices_keyboard(reply.command, reply.choices, store)
        return Outgoing(render.render_single(reply.answer), markup=markup)
    return present(services, reply.answer, log_id=log_id)


def present(services: Services, answer: Answer, *, log_id: int | None, page: int = 0) -> Outgoing:
    """An answer's page with its buttons; long answers are stored so ◀ ▶ work on any worker."""
    pages = render.render_pages(answer)
    page = max(0, min(page, len(pages) - 1))
    answer_key = None
    store = _store(services)
    if len(pages) > 1:
        payload = {"answer": answer.model_dump(mode="json"), "log_id": log_id}
        answer_key = store(payload)  # None when the store failed: no ◀ ▶, the first page
    markup = keyboards.answer_keyboard(
        answer, store, log_id=log_id, answer_key=answer_key, page=page, pages=len(pages)
    )
    return Outgoing(pages[page], markup=markup)


def answer_page(services: Services, answer_key: str, page: int) -> Outgoing | None:
    """Page `page` of a stored long answer; None when the key has expired."""
    try:
        payload = state.get_callback(services.db, answer_key)
    except SQLAlchemyError:
        log.warning("could not read a stored answer for a page turn; answering it as expired")
        return None
    if payload is None or "answer" not in payload:
        return None
    answer = Answer.model_validate(payload["answer"])
    return present(services, answer, log_id=payload.get("log_id"), page=page)


@dataclass
class ButtonReply:
    """What a pressed button gets: the toast on the button, and a message to edit in place (a
    page turn) or to send (a picked suggestion or option)."""

    toast: str | None = None
    edit: Outgoing | None = None
    send: Outgoing | None = None


def answer_button(
    services: Services,
    data: str,
    *,
    user_id: int | None,
    chat_id: int | None,
    lang: str,
    editable: bool = True,
) -> ButtonReply:
    """The reply to a button's callback data (forged, expired or well formed)."""
    expired = ButtonReply(toast=say("expired", lang))
    fields = resolve_button(services, data)
    if fields is None:
        return expired
    tag, rest = fields[0], fields[1:]
    if tag == keyboards.NOOP:
        return ButtonReply()
    if tag == keyboards.FEEDBACK and len(rest) == 2:
        ok = record_feedback(services, int(rest[0]), int(rest[1]), user_id)
        return ButtonReply(toast=say("thanks" if ok else "not_yours", lang))
    if tag == keyboards.PAGE and len(rest) == 2 and editable:
        page = answer_page(services, rest[0], int(rest[1]))
        return ButtonReply(edit=page) if page is not None else expired
    if chat_id is None:
        return expired
    if tag == keyboards.ASK and len(rest) == 1:
        out = answer_question(services, rest[0], user_id=user_id, chat_id=chat_id)
        return ButtonReply(send=out)
    if tag == keyboards.COMMAND and len(rest) == 2:
        name, args = rest
        lang = command_lang(name, default=lang)
        out = answer_command(services, name, args, user_id=user_id, chat_id=chat_id, lang=lang)
        return ButtonReply(send=out)
    return expired


def known_command(text: str) -> bool:
    """Whether a "/word" message names one of the bot's commands (or their aliases)."""
    return dialog.is_command(text) and resolve_command(dialog.split_command(text)[0]) is not None


def upload_action(text: str) -> ChatAction | None:
    """The "sending a photo…" status for a message the bot answers with a file, else None."""
    if not dialog.is_command(text):
        return None
    name, args = dialog.split_command(text)
    spec = resolve_command(name)
    return UPLOADS.get(spec.name) if spec is not None and args else None


def resolve_button(services: Services, data: str) -> list[str] | None:
    """The button's fields; None (answered "expired") when unknown or the store fails."""
    try:
        return keyboards.decode(data, lambda key: state.get_callback(services.db, key))
    except SQLAlchemyError:
        log.warning("could not read a button's key from the store; answering it as expired")
        return None


def record_feedback(services: Services, log_id: int, value: int, user_id: int | None) -> bool:
    user_hash = state.user_hash(user_id, services.hash_key)
    return state.set_feedback(services.db, log_id, value, user_hash)


# ----------------------------------------------------------------------------- inline mode


def inline_results(
    services: Services, query: str, *, user_id: int | None
) -> list[InlineQueryResultArticle]:
    """Articles for an inline query: the answer, and for an unclear query its likely readings."""
    query = " ".join(query.split())
    if not query:
        return []
    started = perf_counter()
    first = services.engine.ask(query).answer
    latency_ms = (perf_counter() - started) * 1000
    _log(services, query, first, latency_ms, user_id, None, "inline")
    answers = [first]
    if first.status != "answered":
        for suggestion in first.suggestions[:INLINE_SUGGESTIONS]:
            answer = services.engine.ask(suggestion).answer
            if answer.status == "answered":
                answers.append(answer)
    results = []
    for index, answer in enumerate(answers[:MAX_INLINE_RESULTS]):
        results.append(
            InlineQueryResultArticle(
                id=_result_id(query, index),
                title=inline_title(answer),
                description=shorten(render.plain_text(answer), 180),
                input_message_content=InputTextMessageContent(
                    render.render_single(answer), parse_mode=ParseMode.HTML
                ),
            )
        )
    return results


def inline_title(answer: Answer) -> str:
    """The figure first, so the list of results reads like the answer itself."""
    if answer.figures:
        figure = answer.figures[0]
        title = f"{figure.display} — {figure.label}" if figure.label else figure.display
    else:
        title = answer.text.split("\n", 1)[0]
    return shorten(" ".join(title.split()), INLINE_TITLE_LIMIT) or "…"


def _result_id(query: str, index: int) -> str:
    return hashlib.sha256(f"{index}:{query}".encode()).hexdigest()[:32]


# ----------------------------------------------------------------------------- state helpers


def _store(services: Services) -> keyboards.Store:
    """Saves a button's payload; a store failure costs that button only (None)."""

    def store(payload: dict[str, Any]) -> str | None:
        try:
            return state.put_callback(services.db, payload)
        except SQLAlchemyError:
            log.warning("could not store a button's key; sending the answer without it")
            return None

    return store


def _load(services: Services, chat_hash: str) -> state.ChatSnapshot:
    """The chat's context; a store failure costs the context only (the question stands alone)."""
    try:
        return state.load_chat_state(services.db, chat_hash)
    except SQLAlchemyError:
        log.warning("could not read the chat state; answering without the conversation context")
        return state.ChatSnapshot(ConversationContext(), None)


def _log(
    services: Services,
    question: str,
    answer: Answer,
    latency_ms: float,
    user_id: int | None,
    chat_hash: str | None,
    channel: str,
) -> int | None:
    """Log the question; a database failure is logged and costs the feedback buttons only."""
    try:
        return state.log_query(
            services.db,
            question=question,
            answer=answer,
            latency_ms=latency_ms,
            channel=channel,
            user_hash=state.user_hash(user_id, services.hash_key),
            chat_hash=chat_hash,
        )
    except SQLAlchemyError:
        log.exception("could not write the query log; answering without feedback buttons")
        return None


def _save(
    services: Services,
    chat_hash: str,
    answer: Answer | None,
    context: ConversationContext | None,
    choices: list[Choice],
) -> None:
    try:
        state.save_chat_state(
            services.db, chat_hash, context=context, last_answer=answer, choices=choices
        )
    except SQLAlchemyError:
        log.exception("could not save the chat state; the next follow-up starts afresh")
