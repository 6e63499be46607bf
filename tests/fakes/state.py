"""What the fake Bot API remembers per bot: chats and their messages, files, queries, updates.

All mutation happens on the server's event loop; other threads only read.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from tests.fakes.objects import JSON, bot_user_object, chat_object, infer_chat_type, short_user
from tests.fakes.objects import user_object as make_user

if TYPE_CHECKING:
    from tests.fakes.webhook import WebhookDispatcher

# Types delivered when allowed_updates is empty or never set: all but chat_member and reactions.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "purchased_paid_media",
        "removed_chat_boost",
        "chat_boost",
    }
)


class ApiCall(NamedTuple):
    method: str
    params: dict[str, Any]
    timestamp: float


@dataclass(slots=True)
class StoredFile:
    """Bytes the bot uploaded (or a fed user photo), reachable through getFile."""

    file_id: str
    file_unique_id: str
    kind: str  # photo | document | sticker
    data: bytes
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    image_format: str | None = None
    serial: int = 0

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent; edits update it in place (older versions in ``history``)."""

    chat_id: int
    message_id: int
    method: str  # sendMessage | sendPhoto | sendDocument
    text: str | None  # plain text as the user sees it (None for media)
    raw_text: str | None  # text or caption exactly as the bot sent it (HTML included)
    parse_mode: str | None
    entities: list[JSON]
    reply_markup: JSON | None
    reply_to_message_id: int | None
    reply_parameters: JSON | None
    date: int
    message: JSON  # the Message object as Telegram last returned it
    caption: str | None = None
    file: StoredFile | None = None
    history: list[JSON] = field(default_factory=list)
    deleted: bool = False

    @property
    def kind(self) -> str:
        return {"sendPhoto": "photo", "sendDocument": "document"}.get(self.method, "text")

    @property
    def data(self) -> bytes | None:
        return self.file.data if self.file else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    @property
    def buttons(self) -> list[JSON]:
        """Inline keyboard buttons, row by row flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


@dataclass(slots=True)
class QueryState:
    """A callback or inline query the bot must answer before it expires."""

    query_id: str
    created: float
    user_id: int
    chat_id: int | None = None
    message_id: int | None = None
    data: str | None = None
    query: str | None = None
    answered: bool = False


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    data: str | None
    chat_id: int | None
    message_id: int | None


@dataclass(frozen=True, slots=True)
class InlineAnswer:
    inline_query_id: str
    query: str | None
    results: list[JSON]
    cache_time: int | None
    is_personal: bool
    next_offset: str | None
    button: JSON | None


@dataclass(slots=True)
class ChatState:
    chat: JSON
    next_message_id: int = 1
    messages: dict[int, JSON] = field(default_factory=dict)  # every message, user's and bot's
    sent: list[SentMessage] = field(default_factory=list)
    sent_by_id: dict[int, SentMessage] = field(default_factory=dict)
    # Set when the bot may no longer write here (blocked, kicked): Telegram's 403 description.
    forbidden: str | None = None
    bot_status: str = "member"

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass(slots=True)
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: frozenset[str]
    ip_address: str = "127.0.0.1"


@dataclass(slots=True)
class WebhookStats:
    """Counters of webhook traffic; a redelivery is any attempt after an update's first."""

    attempts: int = 0
    delivered: int = 0
    redeliveries: int = 0
    failed: int = 0
    last_error_date: int | None = None
    last_error_message: str | None = None
    failed_update_ids: list[int] = field(default_factory=list)


_ids = itertools.count(1)


def unique_query_id() -> str:
    """Telegram's query ids are long decimal strings, unique across bots."""
    return str(4_300_000_000_000_000_000 + next(_ids) * 7919)


class BotAccount:
    """One bot (one token): its identity, chats, files, queries and pending updates."""

    def __init__(self, token: str, username: str, first_name: str) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.user: JSON = bot_user_object(self.bot_id, first_name, username)
        self.short_user: JSON = short_user(self.user)
        self.chats: dict[int, ChatState] = {}
        self.chat_usernames: dict[str, int] = {}
        self.users: dict[int, JSON] = {}
        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.files: dict[str, StoredFile] = {}
        self.file_serial = 0
        self.callback_queries: dict[str, QueryState] = {}
        self.inline_queries: dict[str, QueryState] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.profile: dict[str, dict[str, str]] = {}
        # Updates: a queue for getUpdates, or handed to the webhook dispatcher when one is set.
        self.next_update_id = 1
        self.pending: deque[JSON] = deque()
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.poller: asyncio.Future[str] | None = None
        self.updates_fed = 0
        self.updates_confirmed = 0
        self.updates_dropped = 0
        self.webhook: WebhookConfig | None = None
        self.dispatcher: WebhookDispatcher | None = None
        self.webhook_stats = WebhookStats()

    # -- users and chats -------------------------------------------------------------------

    def user_object(self, user_id: int) -> JSON:
        user = self.users.get(user_id)
        if user is None:
            user = make_user(user_id, f"User{user_id}", f"user{user_id}", "es")
            self.users[user_id] = user
        return user

    def ensure_chat(
        self,
        chat_id: int,
        chat_type: str | None = None,
        *,
        title: str | None = None,
        username: str | None = None,
    ) -> ChatState:
        state = self.chats.get(chat_id)
        if state is None:
            kind = chat_type or infer_chat_type(chat_id)
            first_name = None
            if kind == "private":
                user = self.user_object(chat_id)
                first_name, username = user["first_name"], username or user.get("username")
            chat = chat_object(chat_id, kind, title=title, username=username, first_name=first_name)
            state = self.chats[chat_id] = ChatState(chat)
            if username:
                self.chat_usernames[username.lower()] = chat_id
        return state

    def resolve_chat(self, chat_ref: int | str) -> ChatState | None:
        if isinstance(chat_ref, str):
            chat_id = self.chat_usernames.get(chat_ref.lstrip("@").lower())
            if chat_id is None:
                return None
            chat_ref = chat_id
        return self.chats.get(chat_ref)

    # -- files -----------------------------------------------------------------------------

    def next_file_serial(self) -> int:
        self.file_serial += 1
        return self.file_serial

    def store_file(self, stored: StoredFile) -> StoredFile:
        self.files[stored.file_id] = stored
        return stored

    def new_update_id(self) -> int:
        update_id = self.next_update_id
        self.next_update_id += 1
        return update_id

    def now(self) -> int:
        return int(time.time())
