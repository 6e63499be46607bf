"""The bot's mutable state in the database: query log, feedback, per-chat state, button keys.

Plain synchronous functions, each opening its own SQLModel session, so any worker process can
serve any update. The Telegram handlers call them through `asyncio.to_thread` so the event loop
never waits on the database. User and chat ids are stored only as HMACs keyed by `USER_HASH_KEY`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.engine.answer import Answer
from bot.engine.context import ConversationContext
from bot.reply import Choice
from db.models import CallbackKey, ChatState, QueryLog, utcnow

CALLBACK_KEY_LENGTH = 16  # 96 bits of a SHA-256: collisions are not a practical concern


def hash_id(kind: str, value: int | str, key: str) -> str:
    """HMAC-SHA256 of an id; `kind` keeps a user and the private chat with the same id apart."""
    message = f"{kind}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def user_hash(user_id: int | None, key: str) -> str | None:
    return None if user_id is None else hash_id("user", user_id, key)


def chat_key(chat_id: int, key: str) -> str:
    return hash_id("chat", chat_id, key)


# ----------------------------------------------------------------------------- query log


def log_query(
    db: Engine,
    *,
    question: str,
    answer: Answer,
    latency_ms: float,
    channel: str = "telegram",
    user_hash: str | None = None,
    chat_hash: str | None = None,
) -> int:
    """Record one question and how it was answered; returns the row id (for feedback buttons)."""
    row = QueryLog(
        user_hash=user_hash,
        chat_hash=chat_hash,
        channel=channel,
        question=question,
        status=answer.status,
        intent=answer.intent,
        score=answer.score,
        latency_ms=latency_ms,
        report_id=answer.report_id,
    )
    with Session(db) as session:
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def _writer(db: Engine) -> Engine:
    """An engine whose SQLite transactions take the write lock at BEGIN: a read-then-write
    transaction cannot then fail with "database is locked" when it upgrades its lock while
    another handler writes (on PostgreSQL the option does nothing)."""
    return db.execution_options(sqlite_begin="IMMEDIATE")


def set_feedback(db: Engine, log_id: int, value: int, user_hash: str | None) -> bool:
    """Store 👍 (+1) or 👎 (-1) on a logged question; only the person who asked may rate it."""
    if value not in (1, -1):
        raise ValueError(f"feedback must be +1 or -1, got {value}")
    with Session(_writer(db)) as session:
        row = session.get(QueryLog, log_id)
        if row is None or row.user_hash != user_hash:
            return False
        row.feedback = value
        session.add(row)
        session.commit()
        return True


def get_query(db: Engine, log_id: int) -> QueryLog | None:
    with Session(db) as session:
        return session.get(QueryLog, log_id)


# ----------------------------------------------------------------------------- chat state


@dataclass(frozen=True)
class ChatSnapshot:
    context: ConversationContext
    last_answer: Answer | None
    choices: tuple[Choice, ...] = ()


def load_chat_state(db: Engine, chat_hash: str) -> ChatSnapshot:
    with Session(db) as session:
        row = session.get(ChatState, chat_hash)
    if row is None:
        return ChatSnapshot(ConversationContext(), None)
    context = ConversationContext.model_validate_json(row.context_json or "{}")
    last = Answer.model_validate_json(row.last_answer_json) if row.last_answer_json else None
    return ChatSnapshot(context, last, _choices(row.choices_json))


def _choices(stored: str | None) -> tuple[Choice, ...]:
    """The stored choices; none when the column is empty or not what this code writes."""
    try:
        items = json.loads(stored or "[]")
        return tuple(
            Choice(str(i["label"]), str(i["value"]), i.get("command") and str(i["command"]))
            for i in items
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return ()


def save_chat_state(
    db: Engine,
    chat_hash: str,
    *,
    context: ConversationContext | None = None,
    last_answer: Answer | None = None,
    choices: Sequence[Choice] | None = None,
) -> None:
    """Upsert what the next message in this chat needs; None leaves that part unchanged."""
    for _ in range(2):  # a concurrent first insert for the same chat is retried as an update
        with Session(_writer(db)) as session:
            row = session.get(ChatState, chat_hash) or ChatState(chat_key=chat_hash)
            if context is not None:
                row.context_json = context.model_dump_json()
            if last_answer is not None:
                row.last_answer_json = last_answer.model_dump_json()
            if choices is not None:
                row.choices_json = json.dumps([asdict(c) for c in choices], ensure_ascii=False)
            row.updated_at = utcnow()
            session.add(row)
            try:
                session.commit()
                return
            except IntegrityError:
                session.rollback()
    raise RuntimeError("could not save chat state")  # pragma: no cover - two lost races in a row


# ----------------------------------------------------------------------------- button keys


def callback_key_for(payload: dict[str, Any]) -> str:
    """Deterministic key: the same button stored twice (or by two workers) is one row."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:CALLBACK_KEY_LENGTH]


def put_callback(db: Engine, payload: dict[str, Any]) -> str:
    """Store what a button means when it does not fit in 64 bytes; returns the key to put in it."""
    key = callback_key_for(payload)
    with Session(_writer(db)) as session:
        if session.get(CallbackKey, key) is not None:
            return key
        session.add(CallbackKey(key=key, payload_json=json.dumps(payload, ensure_ascii=False)))
        try:
            session.commit()
        except IntegrityError:  # another worker stored the same payload first: same key, same row
            session.rollback()
    return key


def get_callback(db: Engine, key: str) -> dict[str, Any] | None:
    with Session(db) as session:
        row = session.get(CallbackKey, key)
    return None if row is None else json.loads(row.payload_json)


def purge_callbacks(db: Engine, older_than: timedelta, now: datetime | None = None) -> int:
    """Forget button keys older than `older_than`; their buttons then answer "expired"."""
    cutoff = (now or utcnow()) - older_than
    with Session(db) as session:
        result = session.exec(delete(CallbackKey).where(CallbackKey.created_at < cutoff))
        session.commit()
        return result.rowcount or 0


def feedback_counts(db: Engine) -> dict[int, int]:
    """How many 👍 and 👎 were given: {1: n, -1: m}."""
    with Session(db) as session:
        rows = session.exec(select(QueryLog.feedback).where(QueryLog.feedback.is_not(None))).all()
    counts = {1: 0, -1: 0}
    for value in rows:
        counts[int(value)] += 1
    return counts
