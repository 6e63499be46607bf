"""Conversation context: what a follow-up ("¿y la meta?", "¿y en octubre?") refines.

The engine takes it and returns the next one explicitly; callers keep it per chat (the bot, in
the database) or per session (the console chat). It is plain data, serialisable to JSON.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ConversationContext(BaseModel):
    last_question: str | None = None
    intent: str | None = None
    slots: dict[str, str | int | float | None] = Field(default_factory=dict)
    lang: str = "es"
    report_id: str | None = None
    turn: int = 0
