"""Reading Bot API parameters the way Telegram does: query string, JSON, form or multipart.

Form and multipart values arrive as strings (python-telegram-bot JSON-encodes everything that
is not a string), so fields are coerced by name: integers, booleans, JSON objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.telegram_html import TelegramBadRequest

JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "results",
        "commands",
        "allowed_updates",
        "menu_button",
        "link_preview_options",
        "button",
        "scope",
        "media",
        "input_message_content",
        "options",
        "explanation_entities",
        "reaction",
        "message_ids",
    }
)
INT_FIELDS = frozenset(
    {
        "offset",
        "limit",
        "message_id",
        "reply_to_message_id",
        "user_id",
        "cache_time",
        "max_connections",
        "message_thread_id",
        "until_date",
        "duration",
        "width",
        "height",
    }
)
FLOAT_FIELDS = frozenset({"timeout"})
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "is_personal",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "for_channels",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
CHAT_ID_FIELDS = frozenset({"chat_id", "from_chat_id"})
_JSON_FIELD_NAMES = {
    "reply_markup": "reply keyboard markup",
    "results": "inline query results",
    "entities": "entities",
    "caption_entities": "caption entities",
}


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


def _bad(description: str) -> TelegramBadRequest:
    return TelegramBadRequest(f"Bad Request: {description}")


def _coerce(name: str, value: Any) -> Any:
    if isinstance(value, Upload):
        return value
    if name in JSON_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {_JSON_FIELD_NAMES.get(name, name)} JSON object") from None
    if name in CHAT_ID_FIELDS:
        if isinstance(value, bool):
            raise _bad("chat not found")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.lstrip("-").isdigit():
            return int(text)
        return text
    if name in INT_FIELDS:
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(f'field "{name}" must be of type Integer') from None
    if name in FLOAT_FIELDS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f'field "{name}" must be of type Number') from None
    if name in BOOL_FIELDS and isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return value


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Coerce every field to the type Telegram reads it as; raise TelegramBadRequest if it can't."""
    return {name: _coerce(name, value) for name, value in raw.items()}


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a request, whatever its encoding, with multipart files as Upload."""
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _bad("can't parse JSON object")
            raw.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    raw[name] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[name] = value
        else:
            await request.read()
    # A file attached under another name is referenced as "attach://<name>".
    for name, value in list(raw.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            attached = raw.get(value[len("attach://") :])
            if isinstance(attached, Upload):
                raw[name] = attached
    return normalize(raw)
