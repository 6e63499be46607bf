"""The one reply envelope every front end receives from the dialog layer.

A `Reply` carries the engine's `Answer`, the conversation context to keep, the choices to offer
(buttons in Telegram, numbered lines in the console) and at most one attachment (a chart PNG or
a CSV file). Front ends render it; they never decide what it says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.engine.answer import Answer
from bot.engine.context import ConversationContext


@dataclass(frozen=True)
class Choice:
    """An option the user can pick: re-run `command` with `value`, or ask `value` as a question."""

    label: str  # what the button or the numbered line shows
    value: str  # the command's argument, or the question to ask
    command: str | None = None  # canonical command name; None: `value` is a question


@dataclass(frozen=True)
class Attachment:
    kind: Literal["photo", "document"]
    data: bytes
    filename: str  # "grafico-eventos.png", "5.2-eventos-propios.csv"


@dataclass
class Reply:
    answer: Answer
    context: ConversationContext  # the context to keep for the next turn
    choices: list[Choice] = field(default_factory=list)
    attachment: Attachment | None = None
    remember: bool = False  # a real answer: log it and keep it as the chat's last (for /fuente)
    forget: bool = False  # the user asked to be forgotten: the front end erases what it keeps
    query: str = ""  # the text the reply answers, as logged ("/eventos octubre", a question)

    @property
    def command(self) -> str | None:
        """The command the choices re-run, when they all re-run one."""
        names = {c.command for c in self.choices}
        return names.pop() if len(names) == 1 else None

    @property
    def photo(self) -> bytes | None:
        return self.attachment.data if self.attachment and self.attachment.kind == "photo" else None

    @property
    def document(self) -> bytes | None:
        a = self.attachment
        return a.data if a and a.kind == "document" else None

    @property
    def filename(self) -> str | None:
        return self.attachment.filename if self.attachment else None
