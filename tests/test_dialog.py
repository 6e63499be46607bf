"""The dialog layer: one router for commands, typed choice numbers and questions, one envelope."""

from __future__ import annotations

from pathlib import Path

from bot import console, dialog
from bot.dialog import Choice, Session
from bot.engine.core import Engine
from bot.texts import TEXTS, say


def test_a_command_offers_choices_and_a_typed_number_picks_one(answer_engine: Engine) -> None:
    menu = dialog.respond(answer_engine, "/eventos")
    assert menu.choices and menu.command == "eventos"
    session = Session().after(menu)
    for number in (1, len(menu.choices)):
        picked = dialog.respond(answer_engine, str(number), session)
        direct = dialog.command(answer_engine, "eventos", menu.choices[number - 1].value, Session())
        assert picked.answer.status == "answered"
        assert picked.answer.text == direct.answer.text


def test_a_number_without_choices_is_a_question(answer_engine: Engine) -> None:
    reply = dialog.respond(answer_engine, "1", Session())
    assert reply.answer == answer_engine.ask("1").answer
    out_of_range = Session(choices=[Choice("x", "x")])
    assert dialog.respond(answer_engine, "7", out_of_range).answer == answer_engine.ask("7").answer


def test_an_unsure_answer_offers_its_suggestions_as_choices(answer_engine: Engine) -> None:
    for question in ("cuantos asistentes hubo", "presupuesto", "eventos"):
        reply = dialog.respond(answer_engine, question)
        if reply.answer.status != "answered" and reply.answer.suggestions:
            assert [c.value for c in reply.choices] == reply.answer.suggestions
            assert all(c.command is None for c in reply.choices)
            picked = dialog.respond(answer_engine, "1", Session().after(reply))
            assert picked.answer == answer_engine.ask(reply.answer.suggestions[0]).answer
            return
    raise AssertionError("no question of the list was unsure: pick another")


def test_follow_ups_keep_the_context_and_forget_drops_it(answer_engine: Engine) -> None:
    first = dialog.respond(answer_engine, "eventos de septiembre")
    session = Session().after(first)
    follow = dialog.respond(answer_engine, "¿y en octubre?", session)
    expected = answer_engine.ask("¿y en octubre?", first.context).answer
    assert follow.answer == expected
    source = dialog.respond(answer_engine, "/fuente", session.after(follow))
    assert source.answer.kind == "source" and source.answer.sources == follow.answer.sources
    forgotten = dialog.respond(answer_engine, "/olvidar", session)
    assert forgotten.forget and forgotten.answer.text == say("forgotten_session", "es")
    cleared = session.after(forgotten)
    assert cleared.last_answer is None and cleared.context.last_question is None
    assert dialog.respond(answer_engine, "/fuente", cleared).answer.status == "not_found"


def test_english_alias_answers_in_english_and_help_lists_forget(answer_engine: Engine) -> None:
    reply = dialog.respond(answer_engine, "/help")
    assert reply.answer.lang == "en" and "/forget" in reply.answer.text
    assert "/olvidar" in dialog.respond(answer_engine, "/ayuda").answer.text


def test_console_writes_the_attachment_and_prints_its_path(
    answer_engine: Engine, tmp_path: Path
) -> None:
    reply = dialog.respond(answer_engine, "/csv eventos")
    assert reply.attachment is not None
    text = console.render(reply, tmp_path / "out")
    path = tmp_path / "out" / reply.attachment.filename
    assert path.read_bytes() == reply.attachment.data
    assert say("file_written", "es", path=path) in text
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert say("file_failed", "es", folder=blocked, reason="").split(":")[0] in console.render(
        reply, blocked
    )


def test_start_examples_are_answered(answer_engine: Engine) -> None:
    from bot.commands.base import Call
    from bot.commands.catalog import resolve_command
    from bot.commands.help import examples
    from bot.engine.context import ConversationContext

    for lang in ("es", "en"):
        spec = resolve_command("start")
        assert spec is not None
        call = Call(answer_engine, spec, "", ConversationContext(), lang, None)
        found = examples(call)
        assert found, lang
        for question in found:
            assert answer_engine.ask(question).answer.status == "answered", question
            assert question in dialog.respond(answer_engine, "/start", lang=lang).answer.text


def test_strings_table_has_both_languages_and_the_same_placeholders() -> None:
    import string

    for key, texts in TEXTS.items():
        assert set(texts) == {"es", "en"}, key
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in texts
        ]
        assert fields[0] == fields[1], key


def test_the_strings_table_sits_below_the_engine_and_the_front_ends() -> None:
    """One table for every front end and the engine: bot.texts imports nothing of the project,
    and no engine module (not even inside a function) imports a front end or the dialog."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "bot"

    def imported(path: Path) -> set[str]:
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        return names

    project = ("bot", "knowledge", "db")
    assert not {m for m in imported(root / "texts.py") if m.split(".")[0] in project}
    upward = ("bot.dialog", "bot.reply", "bot.commands", "bot.telegram", "bot.console", "bot.cli")
    engine = {p.name: imported(p) for p in (root / "engine").glob("*.py")}
    assert "texts.py" not in engine  # the engine's sentences live in the one table
    found = {name: sorted(m for m in mods if m.startswith(upward)) for name, mods in engine.items()}
    assert not any(found.values()), found
    users = [p for p in root.rglob("*.py") if "bot.texts" in imported(p)]
    assert {"core.py", "handlers.py", "dialog.py", "base.py"} <= {p.name for p in users}
