"""What every command handler receives (`Call`) and the replies it builds from it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.commands.catalog import CommandSpec
from bot.engine.answer import Answer
from bot.engine.answer import Language as Lang
from bot.engine.context import ConversationContext
from bot.reply import Choice, Reply
from bot.report_tables import Option, match_option
from bot.texts import say
from knowledge.model import ParsedReport

if TYPE_CHECKING:  # the engine is passed in; importing it here would tie load order to it
    from bot.engine.core import Engine


@dataclass(frozen=True)
class Call:
    engine: Engine
    spec: CommandSpec
    args: str
    context: ConversationContext
    lang: Lang
    last_answer: Answer | None

    @property
    def report(self) -> ParsedReport:
        return self.engine.reports[self.engine.latest_report_id]

    @property
    def query(self) -> str:
        return f"/{self.spec.name_for(self.lang)} {self.args}".strip()

    def say(self, key: str, **values: object) -> str:
        return say(key, self.lang, **values)

    def match(self, options: Sequence[Option], text: str | None = None) -> Option | None:
        """The option the argument names; the command's own name in it is filler ("/eventos de
        octubre", "/grafico eventos" -> "eventos" is the chart's name, kept when it is all)."""
        text = self.args if text is None else text
        names = (self.spec.name, *self.spec.aliases)
        found = match_option(text, options, ignore=names)
        return found or match_option(text, options)

    def answer(self, text: str, status: str = "answered", **fields: object) -> Answer:
        return Answer.model_validate(
            {
                "status": status,
                "text": text,
                "lang": self.lang,
                "report_id": self.engine.latest_report_id,
                "intent": f"command:{self.spec.name}",
                "score": 1.0 if status == "answered" else 0.0,
                **fields,
            }
        )

    def reply(self, answer: Answer, **fields: object) -> Reply:
        return Reply(answer=answer, context=self.context, query=self.query, **fields)  # type: ignore[arg-type]

    def answered(self, answer: Answer, **fields: object) -> Reply:
        """A real answer: logged, and kept as the chat's last one for /fuente."""
        return self.reply(answer, remember=True, **fields)

    def choose(self, prompt: str, options: Sequence[Option], status: str = "ambiguous") -> Reply:
        if not options:
            return self.reply(self.answer(self.say("no_data"), "not_found"))
        return self.reply(self.answer(prompt, status, kind="help"), choices=self.choices(options))

    def choices(self, options: Sequence[Option]) -> list[Choice]:
        command = self.spec.name_for(self.lang)
        return [Choice(option.label, option.value, command) for option in options]

    def ask(self, question: str) -> Reply:
        """The engine's answer to a question the command stands for."""
        engine_reply = self.engine.ask(question, self.context)
        return Reply(
            answer=engine_reply.answer,
            context=engine_reply.context,
            remember=True,
            query=self.query,
        )


Handler = Callable[[Call], Reply]
