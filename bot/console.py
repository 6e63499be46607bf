"""Console front ends: `informe-bot ask` (one-shot, text or JSON) and `informe-bot chat`.

Both go through the dialog layer (bot.dialog) like the Telegram bot: commands, numbered choices
and follow-ups behave the same; a chart or CSV is written to the working folder (or --out DIR)
with the bytes the bot would send, and its path printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot import dialog
from bot.dialog import Reply, Session
from bot.engine.answer import Answer
from bot.engine.context import ConversationContext
from bot.engine.core import Engine
from bot.engine.render import to_json
from bot.settings import get_settings
from bot.texts import say

PROMPT = "tú> "
EXIT_WORDS = {"/salir", "/exit", "/quit", "salir", "exit", "quit"}


def run_ask(args: argparse.Namespace) -> int:
    """Answer the question in args.question; with "-" answer each line of stdin, in order."""
    engine = _engine()
    out_dir = Path(getattr(args, "out", None) or ".")
    question = args.question if isinstance(args.question, str) else " ".join(args.question)
    if question.strip() == "-" or getattr(args, "stdin", False):
        return _answer_lines(engine, sys.stdin, sys.stdout, as_json=args.json, out_dir=out_dir)
    reply = dialog.respond(engine, question)
    print(to_json(reply.answer) if args.json else render(reply, out_dir))
    return 0


def _answer_lines(
    engine: Engine, lines: Iterable[str], out: TextIO, *, as_json: bool, out_dir: Path
) -> int:
    for line in lines:
        reply = dialog.respond(engine, line.rstrip("\n"))
        text = to_json(reply.answer) if as_json else render(reply, out_dir).replace("\n", " ")
        out.write(text + "\n")
        out.flush()
    return 0


def answer_line(
    engine: Engine, line: str, context: ConversationContext, last: Answer | None = None
) -> tuple[Answer, ConversationContext]:
    """One line through the dialog layer, as the chat answers it (for benchmarks and tests)."""
    reply = dialog.respond(engine, line, Session(context=context, last_answer=last))
    return reply.answer, reply.context


def render(reply: Reply, out_dir: Path | None = None) -> str:
    """A reply as console text: the paragraphs and source line Telegram shows (without markup),
    the choices numbered instead of buttons, and the path of the saved file."""
    from bot.telegram.render import answer_paragraphs, source_line

    answer = reply.answer
    labels = {" ".join(c.label.split()) for c in reply.choices}
    lines = [
        p.text
        for p in answer_paragraphs(answer)
        if " ".join(p.text.lstrip("•- ").split()) not in labels  # listed below, numbered
    ]
    parts = ["\n".join(lines).strip()]
    footer = source_line(answer) if answer.kind != "source" else None
    if footer:
        parts.append(footer)
    if reply.choices:
        parts += [f"{n}. {choice.label}" for n, choice in enumerate(reply.choices, start=1)]
        parts.append(say("choices_hint", answer.lang))
    if reply.attachment is not None:
        parts.append(save_attachment(reply, out_dir or Path(".")))
    return "\n".join(p for p in parts if p)


def save_attachment(reply: Reply, out_dir: Path) -> str:
    """Write the reply's file into `out_dir`; the line that says where (or why not)."""
    attachment = reply.attachment
    assert attachment is not None
    lang = reply.answer.lang
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / attachment.filename
        path.write_bytes(attachment.data)
    except OSError as exc:
        return say("file_failed", lang, folder=out_dir, reason=exc.strerror or exc)
    return say("file_written", lang, path=path)


def run_chat(args: argparse.Namespace | None = None) -> int:
    """A local chat on the same engine and dialog as the bot. Ends on EOF or /salir."""
    engine = _engine()
    out_dir = Path(getattr(args, "out", None) or ".")
    interactive = sys.stdin.isatty()
    from bot.report_tables import report_title

    title = report_title(engine.reports[engine.latest_report_id])
    print(say("console_banner", "es", title=title))
    session = Session()
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
        reply = dialog.respond(engine, line.rstrip("\n"), session)
        session = session.after(reply)
        print(render(reply, out_dir))
        print()
    return 0


def _engine() -> Engine:
    from bot.services import load_engine

    return load_engine(get_settings())[0]
