"""Console front ends: `informe-bot ask` (one-shot, text or JSON) and `informe-bot chat`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TextIO

from bot.engine.answer import Answer
from bot.engine.context import ConversationContext
from bot.engine.core import Engine
from bot.engine.render import to_json, to_plain_text
from bot.settings import get_settings

PROMPT = "tú> "
EXIT_WORDS = {"/salir", "/exit", "/quit", "salir", "exit", "quit"}


def run_ask(args: argparse.Namespace) -> int:
    """Answer the question in args.question; with "-" answer each line of stdin, in order."""
    engine, _ = _engine()
    question = args.question if isinstance(args.question, str) else " ".join(args.question)
    if question.strip() == "-" or getattr(args, "stdin", False):
        return _answer_lines(engine, sys.stdin, sys.stdout, as_json=args.json)
    answer = answer_line(engine, question, ConversationContext())[0]
    print(to_json(answer) if args.json else to_plain_text(answer))
    return 0


def _answer_lines(engine: Engine, lines: Iterable[str], out: TextIO, *, as_json: bool) -> int:
    for line in lines:
        question = line.rstrip("\n")
        answer, _ = answer_line(engine, question, ConversationContext())
        out.write((to_json(answer) if as_json else to_plain_text(answer).replace("\n", " ")) + "\n")
        out.flush()
    return 0


def answer_line(
    engine: Engine, line: str, context: ConversationContext, last: Answer | None = None
) -> tuple[Answer, ConversationContext]:
    """A chat line: a /command (as in the bot) or a free-text question."""
    stripped = line.strip()
    if stripped.startswith("/") and len(stripped) > 1:
        from bot.commands import command_lang, run_command

        name, _, rest = stripped[1:].partition(" ")
        name = name.split("@", 1)[0].lower()
        result = run_command(engine, name, rest, context, command_lang(name), last_answer=last)
        answer = result.answer
        if result.choices:
            options = "; ".join(option.label for option in result.choices)
            answer = answer.model_copy(update={"text": f"{answer.text}\n{options}"})
        if result.photo or result.document:
            note = "(el gráfico o archivo se envía en Telegram)"
            answer = answer.model_copy(update={"text": f"{answer.text}\n{note}"})
        return answer, result.context or context
    reply = engine.ask(line, context)
    return reply.answer, reply.context


def run_chat(args: argparse.Namespace | None = None) -> int:
    """A local chat on the same engine; /comandos work as in the bot. Ends on EOF or /salir."""
    engine, _ = _engine()
    interactive = sys.stdin.isatty()
    report = engine.reports[engine.latest_report_id]
    print(f"informe-bot — {report.title}. Escribe tu pregunta (/ayuda, /salir).")
    context = ConversationContext()
    last: Answer | None = None
    while True:
        if interactive:
            print(PROMPT, end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        if line.strip().lower() in EXIT_WORDS:
            break
        if not line.strip():
            continue
        answer, context = answer_line(engine, line.rstrip("\n"), context, last)
        if answer.status == "answered":
            last = answer
        print(to_plain_text(answer))
        print()
    return 0


def _engine() -> tuple[Engine, object]:
    from bot.services import load_engine

    return load_engine(get_settings())
