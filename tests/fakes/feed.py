"""Building realistic updates from users: messages, edits, button presses, inline queries…

Each builder records what it creates (the chat becomes known, the message gets the chat's next
message_id, a callback query becomes answerable) and returns the Update payload; the caller
assigns the update_id and delivers it.
"""

from __future__ import annotations

import time

from tests.fakes.objects import (
    JSON,
    chat_member_object,
    file_ids,
    image_format,
    image_size,
    infer_chat_type,
    make_png,
    photo_sizes,
)
from tests.fakes.state import BotAccount, ChatState, QueryState, StoredFile, unique_query_id
from tests.fakes.telegram_html import detect_entities

DEFAULT_GROUP_USER_ID = 7_000_001
_FORBIDDEN = {
    ("private", "kicked"): "Forbidden: bot was blocked by the user",
    ("group", "kicked"): "Forbidden: bot was kicked from the group chat",
    ("group", "left"): "Forbidden: bot is not a member of the group chat",
    ("supergroup", "kicked"): "Forbidden: bot was kicked from the supergroup chat",
    ("supergroup", "left"): "Forbidden: bot is not a member of the supergroup chat",
    ("channel", "kicked"): "Forbidden: bot was kicked from the channel chat",
    ("channel", "left"): "Forbidden: bot is not a member of the channel chat",
}


def sender_id(chat_id: int, chat_type: str, user_id: int | None) -> int:
    if user_id is not None:
        return user_id
    return chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID


def _quoted(message: JSON) -> JSON:
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def user_message(account: BotAccount, chat_id: int, *, user_id: int | None = None,
                 chat_type: str | None = None, text: str | None = None,
                 entities: list[JSON] | None = None, reply_to_message_id: int | None = None,
                 extra: JSON | None = None) -> JSON:
    """A Message from a user in a chat, stored so the bot can reply to it."""
    state = account.ensure_chat(chat_id, chat_type or infer_chat_type(chat_id))
    sender = account.user_object(sender_id(chat_id, state.chat["type"], user_id))
    message: JSON = {
        "message_id": state.allocate_message_id(),
        "from": sender,
        "chat": state.chat,
        "date": int(time.time()),
    }
    if reply_to_message_id is not None:
        target = state.messages.get(reply_to_message_id)
        if target is None:
            raise ValueError(f"chat {chat_id} has no message {reply_to_message_id} to reply to")
        message["reply_to_message"] = _quoted(target)
    if text is not None:
        message["text"] = text
        found = detect_entities(text) if entities is None else entities
        if found:
            message["entities"] = found
    message.update(extra or {})
    state.messages[message["message_id"]] = message
    return message


def edited_message(account: BotAccount, chat_id: int, message_id: int, text: str) -> JSON:
    state = _known_chat(account, chat_id)
    original = state.messages.get(message_id)
    if original is None or original.get("from", {}).get("is_bot"):
        raise ValueError(f"chat {chat_id} has no user message {message_id} to edit")
    message = {k: v for k, v in original.items() if k not in ("text", "entities")}
    message["text"] = text
    found = detect_entities(text)
    if found:
        message["entities"] = found
    message["edit_date"] = max(int(time.time()), int(original["date"]))
    state.messages[message_id] = message
    return message


def sticker_message(account: BotAccount, chat_id: int, *, user_id: int | None,
                    chat_type: str | None, emoji: str) -> JSON:
    serial = account.next_file_serial()
    data = b"RIFF\x1a\x00\x00\x00WEBPVP8L" + serial.to_bytes(4, "big")
    file_id, unique_id = file_ids("sticker", serial, data)
    account.store_file(StoredFile(file_id, unique_id, "sticker", data,
                                  f"stickers/file_{serial}.webp", mime_type="image/webp",
                                  width=512, height=512, serial=serial))
    sticker = {"file_id": file_id, "file_unique_id": unique_id, "type": "regular",
               "width": 512, "height": 512, "is_animated": False, "is_video": False,
               "emoji": emoji, "file_size": len(data)}
    return user_message(account, chat_id, user_id=user_id, chat_type=chat_type,
                        extra={"sticker": sticker})


def photo_message(account: BotAccount, chat_id: int, *, user_id: int | None,
                  chat_type: str | None, caption: str | None, data: bytes | None) -> JSON:
    data = data if data is not None else make_png(64, 48)
    fmt, size = image_format(data), image_size(data)
    if fmt is None or size is None:
        raise ValueError("a user photo must be a PNG or JPEG with readable dimensions")
    serial = account.next_file_serial()
    file_id, unique_id = file_ids("photo", serial, data)
    extension = "jpg" if fmt == "jpeg" else fmt
    stored = account.store_file(StoredFile(
        file_id, unique_id, "photo", data, f"photos/file_{serial}.{extension}",
        mime_type=f"image/{fmt}", width=size[0], height=size[1], image_format=fmt, serial=serial,
    ))
    sizes = photo_sizes("photo", serial, data, size[0], size[1])
    for size_obj in sizes:
        account.files.setdefault(size_obj["file_id"], stored)
    extra: JSON = {"photo": sizes}
    if caption:
        extra["caption"] = caption
        found = detect_entities(caption)
        if found:
            extra["caption_entities"] = found
    return user_message(account, chat_id, user_id=user_id, chat_type=chat_type, extra=extra)


def channel_post(account: BotAccount, chat_id: int, text: str, title: str | None) -> JSON:
    state = account.ensure_chat(chat_id, "channel", title=title)
    message: JSON = {
        "message_id": state.allocate_message_id(),
        "sender_chat": state.chat,
        "chat": state.chat,
        "date": int(time.time()),
        "text": text,
    }
    found = detect_entities(text)
    if found:
        message["entities"] = found
    state.messages[message["message_id"]] = message
    return message


def callback_query(account: BotAccount, chat_id: int, message_id: int, data: str, *,
                   user_id: int | None, check_buttons: bool) -> JSON:
    state = _known_chat(account, chat_id)
    sent = state.sent_by_id.get(message_id)
    if sent is None or sent.deleted:
        raise ValueError(f"the bot has no message {message_id} in chat {chat_id}")
    if check_buttons and data not in sent.callback_data:
        raise ValueError(
            f"message {message_id} has no button with callback_data {data!r}; "
            f"its buttons carry {sent.callback_data!r}"
        )
    user = account.user_object(sender_id(chat_id, state.chat["type"], user_id))
    query_id = unique_query_id()
    account.callback_queries[query_id] = QueryState(
        query_id, time.time(), int(user["id"]), chat_id=chat_id, message_id=message_id, data=data,
    )
    return {
        "id": query_id,
        "from": user,
        "message": sent.message,
        "chat_instance": str((chat_id * 2654435761) % 10**19),
        "data": data,
    }


def inline_query(account: BotAccount, user_id: int, query: str, *, offset: str,
                 chat_type: str | None) -> JSON:
    user = account.user_object(user_id)
    query_id = unique_query_id()
    account.inline_queries[query_id] = QueryState(query_id, time.time(), user_id, query=query)
    payload: JSON = {"id": query_id, "from": user, "query": query, "offset": offset}
    if chat_type:
        payload["chat_type"] = chat_type
    return payload


def my_chat_member(account: BotAccount, chat_id: int, *, old_status: str, new_status: str,
                   user_id: int | None, chat_type: str | None) -> JSON:
    """The bot's own membership changing; blocking or removing it makes sends fail with 403."""
    state = account.ensure_chat(chat_id, chat_type or infer_chat_type(chat_id))
    kind = state.chat["type"]
    user = account.user_object(sender_id(chat_id, kind, user_id))
    state.bot_status = new_status
    state.forbidden = _FORBIDDEN.get((kind, new_status))
    return {
        "chat": state.chat,
        "from": user,
        "date": int(time.time()),
        "old_chat_member": chat_member_object(account.user, old_status),
        "new_chat_member": chat_member_object(account.user, new_status),
    }


def remember_raw_update(account: BotAccount, update: JSON) -> None:
    """Make chats and messages of a hand-written update known, as Telegram would know them."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        message = update.get(kind)
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            state = _register_chat_object(account, message["chat"])
            if "message_id" in message:
                message_id = int(message["message_id"])
                state.messages[message_id] = message
                state.next_message_id = max(state.next_message_id, message_id + 1)
    for kind in ("my_chat_member", "chat_member", "chat_join_request"):
        payload = update.get(kind)
        if isinstance(payload, dict) and isinstance(payload.get("chat"), dict):
            _register_chat_object(account, payload["chat"])


def _register_chat_object(account: BotAccount, chat: JSON) -> ChatState:
    chat_id = int(chat["id"])
    state = account.chats.get(chat_id)
    if state is None:
        state = account.chats[chat_id] = ChatState(dict(chat))
        if chat.get("username"):
            account.chat_usernames[str(chat["username"]).lower()] = chat_id
    return state


def _known_chat(account: BotAccount, chat_id: int) -> ChatState:
    state = account.chats.get(chat_id)
    if state is None:
        raise ValueError(f"chat {chat_id} is unknown: feed a message from it first")
    return state

