"""Telegram-shaped JSON objects (User, Chat, Message parts, PhotoSize…) and image helpers.

Every dict built here is what the Bot API returns, so python-telegram-bot's ``de_json`` reads
it without missing required fields.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from typing import Any

JSON = dict[str, Any]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# Telegram keeps a photo in several sizes; these are the longest sides it scales to.
PHOTO_SIDES = (90, 320, 800, 1280)


def infer_chat_type(chat_id: int) -> str:
    """Telegram's id ranges: users are positive, supergroups/channels -100…, groups negative."""
    if chat_id > 0:
        return "private"
    if str(chat_id).startswith("-100") and len(str(chat_id)) >= 14:
        return "supergroup"
    return "group"


def user_object(
    user_id: int,
    first_name: str,
    username: str | None = None,
    language_code: str | None = None,
    last_name: str | None = None,
) -> JSON:
    user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def bot_user_object(bot_id: int, first_name: str, username: str) -> JSON:
    """The full User getMe returns (a message's ``from`` uses the short form)."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": first_name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def short_user(user: JSON) -> JSON:
    keys = ("id", "is_bot", "first_name", "last_name", "username", "language_code")
    return {k: user[k] for k in keys if k in user}


def chat_object(
    chat_id: int,
    chat_type: str,
    *,
    title: str | None = None,
    username: str | None = None,
    first_name: str | None = None,
) -> JSON:
    chat: JSON = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = first_name or f"User {chat_id}"
        if username:
            chat["username"] = username
    else:
        chat["title"] = title or f"Chat {chat_id}"
        if username:
            chat["username"] = username
        if chat_type == "group":
            chat["all_members_are_administrators"] = False
    return chat


def chat_full_info(chat: JSON) -> JSON:
    """getChat's ChatFullInfo: the Chat plus the fields Telegram always includes."""
    info = {k: v for k, v in chat.items() if k != "all_members_are_administrators"}
    info.update(
        {
            "accent_color_id": abs(int(chat["id"])) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    return info


_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


def chat_member_object(user: JSON, status: str) -> JSON:
    """A ChatMember for the statuses a bot sees about itself (member, administrator, left…)."""
    member: JSON = {"status": status, "user": short_user(user)}
    if status == "administrator":
        member.update(
            {
                right: right in ("can_manage_chat", "can_delete_messages", "can_invite_users")
                for right in _ADMIN_RIGHTS
            }
        )
    elif status == "kicked":
        member["until_date"] = 0
    elif status == "creator":
        member["is_anonymous"] = False
    elif status not in ("member", "left"):
        raise ValueError(f"unsupported chat member status {status!r}")
    return member


def file_ids(kind: str, serial: int, data: bytes) -> tuple[str, str]:
    """Stable, unique, Telegram-looking (file_id, file_unique_id) for stored bytes."""
    digest = hashlib.sha1(data + kind.encode() + serial.to_bytes(8, "big")).hexdigest()
    return f"{kind[:2].upper()}{serial:06d}_{digest[:24]}", f"U{digest[24:36]}"


# ---------------------------------------------------------------------------------------------
# Images


def image_format(data: bytes) -> str | None:
    """'png' or 'jpeg' from the magic bytes, else None (Telegram answers IMAGE_PROCESS_FAILED)."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a PNG IHDR or a JPEG SOF marker; None when unreadable."""
    fmt = image_format(data)
    if fmt == "png":
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return (width, height) if width and height else None
    if fmt == "jpeg":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return (width, height) if width and height else None
            i += 2 + length
    return None


def photo_sizes(kind: str, serial: int, data: bytes, width: int, height: int) -> list[JSON]:
    """PhotoSize list as Telegram returns it: scaled copies up to the original, smallest first."""
    sizes: list[JSON] = []
    longest = max(width, height)
    for index, side in enumerate(PHOTO_SIDES):
        scale = min(1.0, side / longest)
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
        file_id, unique_id = file_ids(kind, serial * 10 + index, data)
        size = len(data) if scale == 1.0 else max(1, int(len(data) * scale * scale))
        sizes.append(
            {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "file_size": size,
                "width": w,
                "height": h,
            }
        )
        if scale == 1.0:
            break
    return sizes


def make_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A valid RGB PNG of one colour, written with zlib only (for tests and fed user photos)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_MAGIC
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
