"""The commands (/cifra, /indicadores, /eventos...): one module per family, one entry point.

`run_command` is a pure function of the engine, the arguments and the conversation, and returns
the dialog layer's `Reply` (with a chart PNG or a CSV file for /grafico and /csv). Nothing here
knows about Telegram or the console. A command whose argument is missing or not understood
answers with choices that re-run the same command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import donations, files, help, search, tables
from bot.commands.base import Call, Handler
from bot.commands.catalog import (
    COMMANDS,
    FORGET,
    CommandSpec,
    command_lang,
    command_name,
    resolve_command,
)
from bot.commands.help import help_text
from bot.engine.answer import Answer
from bot.engine.answer import Language as Lang
from bot.engine.context import ConversationContext
from bot.reply import Reply
from bot.texts import say

if TYPE_CHECKING:
    from bot.engine.core import Engine

__all__ = [
    "COMMANDS",
    "FORGET",
    "CommandSpec",
    "command_lang",
    "command_name",
    "help_text",
    "resolve_command",
    "run_command",
]

HANDLERS: dict[str, Handler] = {
    "start": help.start,
    "ayuda": help.ayuda,
    "cifra": search.cifra,
    "indicadores": tables.indicadores,
    "eventos": tables.eventos,
    "presupuesto": tables.presupuesto,
    "proyectos": tables.proyectos,
    "redes": search.topic_list,
    "premios": search.topic_list,
    "donaciones": donations.donaciones,
    "seccion": search.seccion,
    "resumen": search.resumen,
    "buscar": search.buscar,
    "fuente": search.fuente,
    "grafico": files.grafico,
    "csv": files.csv,
}
assert set(HANDLERS) == {spec.name for spec in COMMANDS}


def run_command(
    engine: Engine,
    name: str,
    args: str,
    context: ConversationContext | None = None,
    lang: Lang = "es",
    *,
    last_answer: Answer | None = None,
) -> Reply:
    """Run one command; `args` is the text after the command ("" when none was given)."""
    engine.activate()
    spec = resolve_command(name)
    context = context or ConversationContext()
    args = " ".join(args.split())
    if spec is None or spec.name not in HANDLERS:
        text = say("unknown_command", lang, name=command_name(name)[:64])
        answer = Answer(status="not_found", text=text, lang=lang, kind="help")
        return Reply(answer=answer, context=context, query=f"/{name} {args}".strip())
    reply = HANDLERS[spec.name](Call(engine, spec, args, context, lang, last_answer))
    engine.add_pages(reply.answer)  # sources of a PDF report name their page
    from bot.engine.reports import name_answer

    name_answer(engine, reply.answer)  # every command's reply names its report and year
    return reply
