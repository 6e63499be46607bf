"""The one dialog layer for the console, Telegram and `informe-bot ask`.

`respond` routes a line of text: a /command, a number picking one of the choices the previous
reply offered ("1", "2"), or a question (a follow-up refines the previous one through the
conversation context). It returns a `Reply` (bot.reply); `Session` is what a front end keeps
between turns, and `Session.after` gives the next one. Nothing here knows how a reply is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.commands import FORGET, command_lang, command_name, resolve_command, run_command
from bot.engine.answer import Answer
from bot.engine.answer import Language as Lang
from bot.engine.context import ConversationContext
from bot.reply import Attachment, Choice, Reply
from bot.texts import say
from bot.tidy import tidy

if TYPE_CHECKING:
    from bot.engine.core import Engine

__all__ = ["Attachment", "Choice", "Reply", "Session", "choose", "command", "question", "respond"]

_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


@dataclass
class Session:
    """What a chat keeps between turns: the engine's context, the last answer (for /fuente) and
    the choices the last reply offered (for a typed "1")."""

    context: ConversationContext = field(default_factory=ConversationContext)
    last_answer: Answer | None = None
    choices: list[Choice] = field(default_factory=list)

    def after(self, reply: Reply) -> Session:
        if reply.forget:
            return Session()
        last = self.last_answer
        if reply.remember and reply.answer.sources and reply.answer.status == "answered":
            last = reply.answer
        return Session(context=reply.context, last_answer=last, choices=list(reply.choices))


def is_command(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("/") and len(stripped) > 1 and not stripped[1].isspace()


def split_command(text: str) -> tuple[str, str]:
    """ "/eventos@informe_bot de octubre" -> ("eventos", "de octubre")."""
    head, _, rest = text.strip()[1:].partition(" ")
    return command_name(head), " ".join(rest.split())


def respond(
    engine: Engine, text: str, session: Session | None = None, lang: Lang | None = None
) -> Reply:
    """The reply to one line of text. `lang` is the user's language when known (Telegram's
    language code); a command's English alias or an English question decide otherwise."""
    session = session or Session()
    if is_command(text):
        name, args = split_command(text)
        return command(engine, name, args, session, lang)
    match = _NUMBER.match(text)
    if match and session.choices and 1 <= int(match.group(1)) <= len(session.choices):
        return choose(engine, session.choices[int(match.group(1)) - 1], session, lang)
    return question(engine, text, session)


def command(
    engine: Engine, name: str, args: str, session: Session, lang: Lang | None = None
) -> Reply:
    lang = command_lang(name, default=lang or "es")
    spec = resolve_command(name)
    if spec is FORGET:
        answer = Answer(status="answered", text=say("forgotten_session", lang), lang=lang)
        return Reply(answer=answer, context=ConversationContext(), forget=True, query=f"/{name}")
    reply = run_command(engine, name, args, session.context, lang, last_answer=session.last_answer)
    return _with_suggestions(reply)


def question(engine: Engine, text: str, session: Session) -> Reply:
    engine_reply = engine.ask(text, session.context)
    reply = Reply(
        answer=engine_reply.answer, context=engine_reply.context, remember=True, query=text
    )
    return _with_suggestions(reply)


def choose(engine: Engine, choice: Choice, session: Session, lang: Lang | None = None) -> Reply:
    """The reply to a picked choice: the command it re-runs, or the question it asks."""
    if choice.command is not None:
        return command(engine, choice.command, choice.value, session, lang)
    return question(engine, choice.value, session)


def _with_suggestions(reply: Reply) -> Reply:
    """Each bullet said once; an answer that is not one offers its suggestions as choices."""
    answer = reply.answer
    text = tidy(answer.text)
    if text != answer.text:
        reply = replace(reply, answer=answer.model_copy(update={"text": text}))
    if reply.choices or answer.status == "answered" or not answer.suggestions:
        return reply
    return replace(reply, choices=[Choice(s, s) for s in answer.suggestions])
