"""No reply cuts a word short: every word of every reply, over the shared question sets and
every command, is a word of the report, of the strings table (bot.texts),
of the language data (knowledge/data, the overlays) or of the question itself.

A bullet cut at a character limit ("posicionamien…") leaves a word found nowhere.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from bot import dialog
from bot.commands import COMMANDS, FORGET
from bot.engine.core import Engine
from bot.settings import DEFAULT_REPORT_PATH
from bot.texts import TEXTS
from knowledge.text import fold, shorten

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/questions")
SETS = sorted(SHARED.glob("*.yaml")) or sorted((ROOT / "tests" / "question_sets").glob("*.yaml"))
WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> set[str]:
    return {fold(w) for w in WORD.findall(text) if fold(w)}


def _vocabulary() -> set[str]:
    texts = [DEFAULT_REPORT_PATH.read_text(encoding="utf-8")]
    texts += [v for entry in TEXTS.values() for v in entry.values()]
    for folder in (ROOT / "knowledge" / "data", ROOT / "knowledge" / "overlays"):
        texts += [p.read_text(encoding="utf-8") for p in folder.rglob("*.yaml")]
    texts += _literals(ROOT / "bot") + _literals(ROOT / "knowledge")  # chart notes, months...
    texts += [n for s in (*COMMANDS, FORGET) for n in (s.name, *s.aliases)]
    return set().union(*(_words(t) for t in texts))


def _literals(folder: Path) -> list[str]:
    """Every string constant of the code under `folder` (docstrings and comments excluded)."""
    found = []
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                found.append(node.value)
    return found


def _questions() -> list[str]:
    found: list[str] = []
    for path in SETS:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict) and isinstance(item.get("q"), str):
                found.append(item["q"])
    found += [f"/{s.name}" for s in COMMANDS] + [f"/{s.name_for('en')}" for s in COMMANDS]
    return list(dict.fromkeys(found))


QUESTIONS = _questions()


@pytest.fixture(scope="module")
def vocabulary() -> set[str]:
    return _vocabulary()


def _shown(reply: dialog.Reply) -> str:
    """Everything the user reads: text, notes, sources, choice labels."""
    parts = [reply.answer.text, *reply.answer.notes, *(c.label for c in reply.choices)]
    parts += [f"{s.title} {s.quote}" for s in reply.answer.sources]
    return "\n".join(parts)


def _unknown_words(
    engine: Engine, vocabulary: set[str], questions: list[str], *, commands_only: bool
) -> dict[str, list[str]]:
    unknown: dict[str, list[str]] = {}
    for question in questions:
        replies = [dialog.respond(engine, question)]
        replies += [
            dialog.respond(engine, str(n), dialog.Session().after(replies[0]))
            for n in range(1, min(3, len(replies[0].choices)) + 1)
        ]
        for reply in replies:
            if commands_only and not (reply.answer.intent or "").startswith("command:"):
                continue  # the engine's own answer to what a command asks
            missing = _words(_shown(reply)) - vocabulary - _words(question)
            if missing:
                unknown[question] = sorted(missing)
    return unknown


COMMAND_CASES = [q for q in QUESTIONS if q.startswith("/")] + [
    f"/{name} {arg}"
    for name in ("eventos", "presupuesto", "proyectos", "csv", "indicadores", "donaciones")
    for arg in ("", "octubre", "gastos", "ingresos", "cooperacion", "webinar")
]


def test_no_command_reply_cuts_a_word(answer_engine: Engine, vocabulary: set[str]) -> None:
    unknown = _unknown_words(answer_engine, vocabulary, COMMAND_CASES, commands_only=True)
    assert not unknown, "\n".join(f"{q!r}: {w}" for q, w in unknown.items())


def test_no_reply_over_the_shared_sets_cuts_a_word(
    answer_engine: Engine, vocabulary: set[str]
) -> None:
    assert len(QUESTIONS) > 100
    unknown = _unknown_words(answer_engine, vocabulary, QUESTIONS, commands_only=False)
    assert not unknown, "\n".join(f"{q!r}: {w}" for q, w in unknown.items())


def test_shortened_text_ends_and_starts_at_a_word() -> None:
    """`shorten` over every long line of the report, at several limits and around a word of its
    second half: what it keeps is the line's own text, with whole words at each cut end."""
    lines = [
        " ".join(line.split())
        for line in DEFAULT_REPORT_PATH.read_text(encoding="utf-8").splitlines()
        if len(line) > 80
    ]
    assert len(lines) > 50
    for line in lines:
        words = line.split()
        for limit in (12, 40, 75):
            cut = shorten(line, limit)
            body = cut.removesuffix("…")
            assert cut.endswith("…") and line.startswith(body), (line, cut)
            assert not line[len(body)].isalnum(), (line, cut)  # the cut falls between words
            assert len(cut) <= limit or " " not in body, (line, cut)
            window = shorten(line, limit, around=words[-2])
            inner = re.escape(window.strip("…"))
            assert re.search(rf"(?<!\w){inner}(?!\w)", line), (line, window)
