"""The Bot API methods the fake server implements, each validating what Telegram validates.

A handler takes the bot's state and the decoded parameters and returns the ``result`` or
raises ApiError / TelegramBadRequest with Telegram's exact description.  getUpdates and the
webhook methods live in ``updates.py`` because they wait and deliver.
"""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.objects import (
    JSON,
    chat_full_info,
    chat_member_object,
    file_ids,
    image_format,
    image_size,
    photo_sizes,
)
from tests.fakes.params import Upload
from tests.fakes.state import (
    BotAccount,
    CallbackAnswer,
    ChatState,
    InlineAnswer,
    SentMessage,
    StoredFile,
)
from tests.fakes.telegram_html import (
    MAX_CAPTION_LENGTH,
    ParsedText,
    TelegramBadRequest,
    check_message_text,
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


class ApiError(Exception):
    """A non-2xx Bot API answer: status, Telegram's description, optional parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(description: str) -> TelegramBadRequest:
    return TelegramBadRequest(f"Bad Request: {description}")


@dataclass(frozen=True, slots=True)
class ServerOptions:
    strict_html: bool = True
    query_timeout: float = 15.0
    webhook_max_tries: int = 15
    webhook_timeout: float = 10.0
    webhook_backoff: float = 0.05
    webhook_backoff_max: float = 1.0


@dataclass(slots=True)
class MethodContext:
    account: BotAccount
    options: ServerOptions
    notify: Callable[[], None]


Handler = Callable[[MethodContext, dict[str, Any]], Any | Awaitable[Any]]


# ---------------------------------------------------------------------------------------------
# Shared validation


def chat_of(ctx: MethodContext, params: dict[str, Any]) -> ChatState:
    ref = params.get("chat_id")
    if ref is None or ref == "":
        raise bad("chat_id is empty")
    state = ctx.account.resolve_chat(ref)
    if state is None:
        raise bad("chat not found")
    return state


def writable(state: ChatState) -> None:
    if state.forbidden:
        raise ApiError(403, state.forbidden)


def message_id_of(params: dict[str, Any]) -> int:
    message_id = params.get("message_id")
    if message_id is None:
        raise bad("message identifier is not specified")
    return int(message_id)


def parse_text(ctx: MethodContext, params: dict[str, Any]) -> ParsedText:
    entities = params.get("entities")
    if entities is not None and not isinstance(entities, list):
        raise bad("can't parse entities JSON object")
    return check_message_text(
        params.get("text"),
        params.get("parse_mode"),
        strict_ampersand=ctx.options.strict_html,
        entities=entities,
    )


def parse_caption(ctx: MethodContext, params: dict[str, Any]) -> ParsedText | None:
    caption = params.get("caption")
    if caption is None or caption == "":
        return None
    try:
        return check_message_text(
            caption,
            params.get("parse_mode"),
            limit=MAX_CAPTION_LENGTH,
            strict_ampersand=ctx.options.strict_html,
            entities=params.get("caption_entities"),
            too_long_description="Bad Request: message caption is too long",
        )
    except TelegramBadRequest as exc:
        if exc.description == "Bad Request: message text is empty":
            return None
        raise


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad("can't parse inline keyboard button: Can't find field \"text\"")
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url, re.IGNORECASE):
            raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_reply_markup(markup: Any) -> JSON | None:
    """Validate reply_markup; return it when it is an inline keyboard (the only kind echoed)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        buttons = [button for row in rows for button in row]
        if len(buttons) > 100:
            raise bad("reply markup is too long")
        for button in buttons:
            _check_button(button)
        return {"inline_keyboard": [[dict(b) for b in row] for row in rows if row]}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
        return None
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None
    raise bad("can't parse reply keyboard markup JSON object")


def _reply_target(state: ChatState, params: dict[str, Any]) -> tuple[JSON | None, JSON | None]:
    """(replied Message, reply_parameters as sent) or raise if the target does not exist."""
    reply_parameters = params.get("reply_parameters")
    allow_without = bool(params.get("allow_sending_without_reply"))
    if isinstance(reply_parameters, dict):
        target_id = reply_parameters.get("message_id")
        allow_without = bool(reply_parameters.get("allow_sending_without_reply", allow_without))
    elif reply_parameters is not None:
        raise bad("can't parse reply parameters JSON object")
    else:
        target_id = params.get("reply_to_message_id")
    if target_id is None:
        return None, reply_parameters
    target = state.messages.get(int(target_id))
    if target is None:
        if allow_without:
            return None, reply_parameters
        raise bad("message to be replied not found")
    replied = {k: v for k, v in target.items() if k != "reply_to_message"}
    return replied, reply_parameters


def _new_message(ctx: MethodContext, state: ChatState, message_id: int) -> JSON:
    message: JSON = {
        "message_id": message_id,
        "from": ctx.account.short_user,
        "chat": state.chat,
        "date": int(time.time()),
    }
    if state.chat["type"] == "channel":
        message.pop("from")
        message["sender_chat"] = state.chat
    return message


def _record(ctx: MethodContext, state: ChatState, sent: SentMessage) -> JSON:
    state.messages[sent.message_id] = sent.message
    state.sent.append(sent)
    state.sent_by_id[sent.message_id] = sent
    ctx.account.sent.append(sent)
    ctx.notify()
    return sent.message


def _put_text(message: JSON, parsed: ParsedText | None, *, caption: bool) -> None:
    text_key, entities_key = ("caption", "caption_entities") if caption else ("text", "entities")
    message.pop(text_key, None)
    message.pop(entities_key, None)
    if parsed is None:
        return
    message[text_key] = parsed.text
    if parsed.entities:
        message[entities_key] = parsed.entities


def _put_markup(message: JSON, markup: JSON | None) -> None:
    if markup is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup


# ---------------------------------------------------------------------------------------------
# Sending


def send_message(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    state = chat_of(ctx, params)
    writable(state)
    parsed = parse_text(ctx, params)
    markup = check_reply_markup(params.get("reply_markup"))
    replied, reply_parameters = _reply_target(state, params)
    message_id = state.allocate_message_id()
    message = _new_message(ctx, state, message_id)
    _put_text(message, parsed, caption=False)
    if replied is not None:
        message["reply_to_message"] = replied
    _put_markup(message, markup)
    return _record(
        ctx,
        state,
        SentMessage(
            chat_id=state.chat_id,
            message_id=message_id,
            method="sendMessage",
            text=parsed.text,
            raw_text=params.get("text"),
            parse_mode=params.get("parse_mode"),
            entities=parsed.entities,
            reply_markup=markup,
            reply_to_message_id=replied["message_id"] if replied else None,
            reply_parameters=reply_parameters,
            date=message["date"],
            message=message,
        ),
    )


def _upload_or_file_id(
    ctx: MethodContext, value: Any, kind: str, missing: str
) -> Upload | StoredFile:
    if value is None or value == "":
        raise bad(missing)
    if isinstance(value, Upload):
        if not value.data:
            raise bad("file must be non-empty")
        return value
    stored = ctx.account.files.get(str(value))
    if stored is None or stored.kind != kind:
        raise bad("wrong file identifier/HTTP URL specified")
    return stored


def _send_media(
    ctx: MethodContext,
    params: dict[str, Any],
    method: str,
    stored: StoredFile,
    media: JSON | list[JSON],
    state: ChatState,
    caption: ParsedText | None,
    markup: JSON | None,
    replied: JSON | None,
    reply_parameters: JSON | None,
) -> JSON:
    message_id = state.allocate_message_id()
    message = _new_message(ctx, state, message_id)
    message["photo" if method == "sendPhoto" else "document"] = media
    _put_text(message, caption, caption=True)
    if replied is not None:
        message["reply_to_message"] = replied
    _put_markup(message, markup)
    return _record(
        ctx,
        state,
        SentMessage(
            chat_id=state.chat_id,
            message_id=message_id,
            method=method,
            text=None,
            raw_text=params.get("caption"),
            parse_mode=params.get("parse_mode"),
            entities=caption.entities if caption else [],
            reply_markup=markup,
            reply_to_message_id=replied["message_id"] if replied else None,
            reply_parameters=reply_parameters,
            date=message["date"],
            message=message,
            caption=caption.text if caption else None,
            file=stored,
        ),
    )


def send_photo(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    state = chat_of(ctx, params)
    writable(state)
    source = _upload_or_file_id(
        ctx, params.get("photo"), "photo", "there is no photo in the request"
    )
    if isinstance(source, Upload):
        if len(source.data) > MAX_PHOTO_BYTES:
            raise bad("file is too big")
        fmt = image_format(source.data)
        size = image_size(source.data) if fmt else None
        if fmt is None or size is None:
            raise bad("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad("PHOTO_INVALID_DIMENSIONS")
        serial = ctx.account.next_file_serial()
        file_id, unique_id = file_ids("photo", serial, source.data)
        stored = ctx.account.store_file(
            StoredFile(
                file_id=file_id,
                file_unique_id=unique_id,
                kind="photo",
                data=source.data,
                file_path=f"photos/file_{serial}.{'jpg' if fmt == 'jpeg' else fmt}",
                filename=source.filename,
                mime_type=f"image/{fmt}",
                width=width,
                height=height,
                image_format=fmt,
            )
        )
        sizes = photo_sizes("photo", serial, source.data, width, height)
        for size_obj in sizes:
            ctx.account.files.setdefault(size_obj["file_id"], stored)
    else:
        stored = source
        sizes = photo_sizes(
            "photo",
            int(stored.file_path.split("_")[-1].split(".")[0]),
            stored.data,
            stored.width or 1,
            stored.height or 1,
        )
    caption = parse_caption(ctx, params)
    markup = check_reply_markup(params.get("reply_markup"))
    replied, reply_parameters = _reply_target(state, params)
    return _send_media(
        ctx, params, "sendPhoto", stored, sizes, state, caption, markup, replied, reply_parameters
    )


def send_document(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    state = chat_of(ctx, params)
    writable(state)
    source = _upload_or_file_id(
        ctx, params.get("document"), "document", "there is no document in the request"
    )
    if isinstance(source, Upload):
        if len(source.data) > MAX_DOCUMENT_BYTES:
            raise bad("file is too big")
        serial = ctx.account.next_file_serial()
        filename = source.filename or f"file_{serial}"
        mime = source.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        file_id, unique_id = file_ids("document", serial, source.data)
        extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = ctx.account.store_file(
            StoredFile(
                file_id=file_id,
                file_unique_id=unique_id,
                kind="document",
                data=source.data,
                file_path=f"documents/file_{serial}.{extension}",
                filename=filename,
                mime_type=mime,
            )
        )
    else:
        stored = source
    caption = parse_caption(ctx, params)
    markup = check_reply_markup(params.get("reply_markup"))
    replied, reply_parameters = _reply_target(state, params)
    document = {
        "file_name": stored.filename,
        "mime_type": stored.mime_type,
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    return _send_media(
        ctx,
        params,
        "sendDocument",
        stored,
        document,
        state,
        caption,
        markup,
        replied,
        reply_parameters,
    )


def send_chat_action(ctx: MethodContext, params: dict[str, Any]) -> bool:
    state = chat_of(ctx, params)
    writable(state)
    action = params.get("action")
    if action not in CHAT_ACTIONS:
        raise bad("wrong parameter action in request")
    ctx.account.chat_actions.append((state.chat_id, str(action)))
    ctx.notify()
    return True


# ---------------------------------------------------------------------------------------------
# Editing and deleting


def _editable(ctx: MethodContext, params: dict[str, Any]) -> tuple[ChatState, SentMessage]:
    state = chat_of(ctx, params)
    message_id = message_id_of(params)
    sent = state.sent_by_id.get(message_id)
    if sent is None or sent.deleted:
        if message_id in state.messages:
            raise bad("message can't be edited")
        raise bad("message to edit not found")
    return state, sent


def _apply_edit(ctx: MethodContext, state: ChatState, sent: SentMessage, message: JSON) -> JSON:
    sent.history.append(sent.message)
    message["edit_date"] = max(int(time.time()), sent.date)
    sent.message = message
    state.messages[sent.message_id] = message
    ctx.notify()
    return message


def edit_message_text(ctx: MethodContext, params: dict[str, Any]) -> JSON | bool:
    parsed = parse_text(ctx, params)
    markup = check_reply_markup(params.get("reply_markup"))
    if params.get("inline_message_id"):
        return True
    state, sent = _editable(ctx, params)
    if sent.method != "sendMessage":
        raise bad("there is no text in the message to edit")
    if (
        parsed.text == sent.text
        and parsed.entities == sent.entities
        and markup == sent.reply_markup
    ):
        raise TelegramBadRequest(NOT_MODIFIED)
    message = dict(sent.message)
    _put_text(message, parsed, caption=False)
    _put_markup(message, markup)
    sent.text, sent.entities, sent.reply_markup = parsed.text, parsed.entities, markup
    sent.raw_text, sent.parse_mode = params.get("text"), params.get("parse_mode")
    return _apply_edit(ctx, state, sent, message)


def edit_message_caption(ctx: MethodContext, params: dict[str, Any]) -> JSON | bool:
    caption = parse_caption(ctx, params)
    markup = check_reply_markup(params.get("reply_markup"))
    if params.get("inline_message_id"):
        return True
    state, sent = _editable(ctx, params)
    if sent.method == "sendMessage":
        raise bad("there is no caption in the message to edit")
    new_text = caption.text if caption else None
    new_entities = caption.entities if caption else []
    if new_text == sent.caption and new_entities == sent.entities and markup == sent.reply_markup:
        raise TelegramBadRequest(NOT_MODIFIED)
    message = dict(sent.message)
    _put_text(message, caption, caption=True)
    _put_markup(message, markup)
    sent.caption, sent.entities, sent.reply_markup = new_text, new_entities, markup
    sent.raw_text, sent.parse_mode = params.get("caption"), params.get("parse_mode")
    return _apply_edit(ctx, state, sent, message)


def edit_message_reply_markup(ctx: MethodContext, params: dict[str, Any]) -> JSON | bool:
    markup = check_reply_markup(params.get("reply_markup"))
    if params.get("inline_message_id"):
        return True
    state, sent = _editable(ctx, params)
    if markup == sent.reply_markup:
        raise TelegramBadRequest(NOT_MODIFIED)
    message = dict(sent.message)
    _put_markup(message, markup)
    sent.reply_markup = markup
    return _apply_edit(ctx, state, sent, message)


def delete_message(ctx: MethodContext, params: dict[str, Any]) -> bool:
    state = chat_of(ctx, params)
    message_id = message_id_of(params)
    if message_id not in state.messages:
        raise bad("message to delete not found")
    del state.messages[message_id]
    sent = state.sent_by_id.get(message_id)
    if sent is not None:
        sent.deleted = True
    ctx.notify()
    return True


# ---------------------------------------------------------------------------------------------
# Queries


def _live_query(ctx: MethodContext, table: dict[str, Any], query_id: Any) -> Any:
    query = table.get(str(query_id)) if query_id is not None else None
    if query is None or query.answered:
        raise TelegramBadRequest(QUERY_TOO_OLD)
    if time.time() - query.created > ctx.options.query_timeout:
        raise TelegramBadRequest(QUERY_TOO_OLD)
    return query


def answer_callback_query(ctx: MethodContext, params: dict[str, Any]) -> bool:
    query = _live_query(ctx, ctx.account.callback_queries, params.get("callback_query_id"))
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad("MESSAGE_TOO_LONG")
    query.answered = True
    ctx.account.callback_answers.append(
        CallbackAnswer(
            callback_query_id=query.query_id,
            text=text,
            show_alert=bool(params.get("show_alert")),
            url=params.get("url"),
            cache_time=int(params.get("cache_time") or 0),
            data=query.data,
            chat_id=query.chat_id,
            message_id=query.message_id,
        )
    )
    ctx.notify()
    return True


def _check_inline_result(ctx: MethodContext, result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict):
        raise bad("can't parse inline query result: InlineQueryResult must be an Object")
    for name in ("type", "id"):
        if not isinstance(result.get(name), str):
            raise bad(f"can't parse inline query result: Can't find field \"{name}\"")
    if result["type"] not in INLINE_RESULT_TYPES:
        raise bad("RESULT_TYPE_INVALID")
    result_id = result["id"]
    if not 1 <= len(result_id.encode("utf-8")) <= 64:
        raise bad("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result["type"] == "article":
        if not isinstance(result.get("title"), str) or not result["title"].strip():
            raise bad("can't parse inline query result: Can't find field \"title\"")
        content = result.get("input_message_content")
        if not isinstance(content, dict):
            raise bad("can't parse inline query result: Can't find field \"input_message_content\"")
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        check_message_text(
            content.get("message_text"),
            content.get("parse_mode"),
            strict_ampersand=ctx.options.strict_html,
            entities=content.get("entities"),
            empty_description="Bad Request: MESSAGE_EMPTY",
            too_long_description="Bad Request: MESSAGE_TOO_LONG",
        )
    check_reply_markup(result.get("reply_markup"))


def answer_inline_query(ctx: MethodContext, params: dict[str, Any]) -> bool:
    query = _live_query(ctx, ctx.account.inline_queries, params.get("inline_query_id"))
    results = params.get("results")
    if not isinstance(results, list):
        raise bad("can't parse inline query results JSON object")
    if len(results) > 50:
        raise bad("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _check_inline_result(ctx, result, seen)
    next_offset = params.get("next_offset")
    if next_offset is not None and len(str(next_offset).encode("utf-8")) > 64:
        raise bad("NEXT_OFFSET_INVALID")
    query.answered = True
    ctx.account.inline_answers.append(
        InlineAnswer(
            inline_query_id=query.query_id,
            query=query.query,
            results=results,
            cache_time=params.get("cache_time"),
            is_personal=bool(params.get("is_personal")),
            next_offset=next_offset,
            button=params.get("button"),
        )
    )
    ctx.notify()
    return True


# ---------------------------------------------------------------------------------------------
# Bot settings and information


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad("can't parse BotCommandScope JSON object")
    language = params.get("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", str(language)):
        raise bad("invalid language code specified")
    return json.dumps(scope, sort_keys=True), str(language)


def set_my_commands(ctx: MethodContext, params: dict[str, Any]) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad("BOT_COMMANDS_TOO_MUCH")
    cleaned: list[JSON] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).lstrip("/")
        if not _COMMAND_RE.fullmatch(name):
            raise bad("BOT_COMMAND_INVALID")
        description = str(command.get("description", "")).strip()
        if not 1 <= len(description) <= 256:
            raise bad("command description must be non-empty")
        cleaned.append({"command": name, "description": description})
    ctx.account.commands[_commands_key(params)] = cleaned
    ctx.notify()
    return True


def get_my_commands(ctx: MethodContext, params: dict[str, Any]) -> list[JSON]:
    return list(ctx.account.commands.get(_commands_key(params), []))


def delete_my_commands(ctx: MethodContext, params: dict[str, Any]) -> bool:
    ctx.account.commands.pop(_commands_key(params), None)
    ctx.notify()
    return True


def set_chat_menu_button(ctx: MethodContext, params: dict[str, Any]) -> bool:
    chat_id = chat_of(ctx, params).chat_id if params.get("chat_id") not in (None, "") else None
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad("can't parse menu button JSON object")
    ctx.account.menu_buttons[chat_id] = button
    return True


def get_chat_menu_button(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    chat_id = chat_of(ctx, params).chat_id if params.get("chat_id") not in (None, "") else None
    buttons = ctx.account.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}


def get_me(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    return ctx.account.user


def get_chat(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    return chat_full_info(chat_of(ctx, params).chat)


def get_chat_member(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    state = chat_of(ctx, params)
    user_id = params.get("user_id")
    if user_id is None:
        raise bad("user_id is empty")
    if int(user_id) == ctx.account.bot_id:
        return chat_member_object(ctx.account.user, state.bot_status)
    return chat_member_object(ctx.account.user_object(int(user_id)), "member")


def get_file(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    stored = ctx.account.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise bad("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


def _profile_setter(field: str) -> Handler:
    def handler(ctx: MethodContext, params: dict[str, Any]) -> bool:
        ctx.account.profile.setdefault(field, {})[str(params.get("language_code") or "")] = str(
            params.get(field) or ""
        )
        return True

    return handler


def _profile_getter(field: str) -> Handler:
    def handler(ctx: MethodContext, params: dict[str, Any]) -> JSON:
        values = ctx.account.profile.get(field, {})
        return {field: values.get(str(params.get("language_code") or ""), values.get("", ""))}

    return handler


def returns_true(ctx: MethodContext, params: dict[str, Any]) -> bool:
    return True


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendChatAction": send_chat_action,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getFile": get_file,
    "setMyDescription": _profile_setter("description"),
    "getMyDescription": _profile_getter("description"),
    "setMyShortDescription": _profile_setter("short_description"),
    "getMyShortDescription": _profile_getter("short_description"),
    "setMyName": _profile_setter("name"),
    "getMyName": _profile_getter("name"),
    "close": returns_true,
    "logOut": returns_true,
}
