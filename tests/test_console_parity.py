"""Every /ayuda command, with and without an argument, gives the same reply in the console
(`informe-bot ask -`, a real subprocess) and in Telegram (the real bot against the local Bot API
server of tests/fakes): the same text and source line, the same options (numbered in the
console, buttons in Telegram), and for /grafico and /csv the same file, byte for byte.

The arguments are taken from the report by code: the first option each command offers, a word
that several event names share, a budget line, a thematic line of the projects.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot import dialog
from bot.commands import COMMANDS
from bot.engine import operators
from bot.engine.core import Engine
from bot.report_tables import month_name
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.keyboards import button_label
from bot.texts import say
from db.engine import make_engine
from db.migrate import upgrade
from knowledge.text import fold
from tests.bundled import bundled_engine, bundled_report
from tests.fakes.botapi import FakeBotApi, SentMessage

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parent.parent
REPORT = bundled_report()  # at collection: the cases below are read from it
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}
FILE_LINE = re.compile(r"(?:Archivo guardado|File saved): (\S+)$")


def _cases() -> list[str]:
    engine = bundled_engine()
    cases = []
    for spec in COMMANDS:
        cases.append(f"/{spec.name}")
        menu = dialog.respond(engine, f"/{spec.name}")
        if menu.choices:
            choice = menu.choices[0]
            typed = (
                choice.value if spec.name == "seccion" or len(choice.label) > 40 else choice.label
            )
            cases.append(f"/{spec.name} {typed}")
    cases.append("/help")
    events = operators.rows_of(operators.tables_of(REPORT, "events"))
    words = Counter(
        w for r in events for w in set(fold(r.name).split()) if len(w) >= 6 and w.isalpha()
    )
    cases.append(f"/eventos {words.most_common(1)[0][0]}")
    cases.append(f"/events {month_name(sorted(events[0].months)[0], 'en')}")
    budget = operators.rows_of(operators.tables_of(REPORT, "budget_expenses"))
    cases.append(f"/presupuesto gastos {budget[1].name.lower()}")
    projects = operators.rows_of(operators.tables_of(REPORT, "cooperation_projects"))
    cases.append(f"/proyectos {operators.categories(projects)[0]}")
    cases.append(f"/csv eventos {month_name(sorted(events[0].months)[0])}")
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, bytes | None]]:
    """Each case's console reply (one line) and the file it wrote, from one `ask -` run."""
    work = tmp_path_factory.mktemp("console")
    out = work / "files"
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{work / 'store.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "-", "--out", str(out)],
        input="\n".join(CASES) + "\n",
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    assert len(lines) == len(CASES), result.stdout
    replies = {}
    for case, line in zip(CASES, lines, strict=True):
        found = FILE_LINE.search(line)
        data = Path(found.group(1)).read_bytes() if found else None
        replies[case] = (line, data)
    return replies


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api(
    answer_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FakeBotApi]:
    url = f"sqlite:///{tmp_path_factory.mktemp('parity') / 'state.sqlite3'}"
    db = make_engine(url)
    upgrade(db)
    async with FakeBotApi(bot_username="parity_test_bot") as fake:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=fake.token,
            telegram_api_base_url=fake.base_url,
            telegram_api_base_file_url=fake.base_file_url,
            database_url=url,
            user_hash_key="parity-test-key-0123456789",
        )
        application = build_application(settings, engine=answer_engine, db_engine=db)
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0)
        try:
            yield fake
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
    db.dispose()


def _words(text: str) -> str:
    return " ".join(text.split())


def _console_parts(line: str, labels: list[str]) -> str:
    """The text of one console reply line without its numbered options and the hint after them
    (`labels`: the options the dialog offered for this case)."""
    text = _words(FILE_LINE.sub("", line))
    if labels:
        numbered = " ".join(f"{n}. {_words(label)}" for n, label in enumerate(labels, start=1))
        hints = [say("choices_hint", lang) for lang in ("es", "en")]
        ending = next(f"{numbered} {h}" for h in hints if text.endswith(f"{numbered} {h}"))
        text = text[: -len(ending)]
    return _words(text)


def _telegram_parts(message: SentMessage) -> tuple[str, list[str], bool]:
    """(text, option labels, paginated) of the bot's reply."""
    text = message.text or message.caption or ""
    paged = re.search(r"\n\n(?:Página|Page) \d+/\d+$", text)
    if paged:
        text = text[: paged.start()]
    labels = [
        b["text"]
        for b in message.buttons
        if b.get("callback_data", "").split("|")[0] in ("c", "a", "k")
    ]
    return _words(text), labels, bool(paged)


@pytest.mark.parametrize("case", CASES)
async def test_console_and_telegram_give_the_same_reply(
    api: FakeBotApi,
    console: dict[str, tuple[str, bytes | None]],
    answer_engine: Engine,
    case: str,
) -> None:
    chat = 70_000 + CASES.index(case)
    api.send_text(chat, case)
    [message] = await api.wait_for_messages(chat, 1, timeout=30)
    line, data = console[case]
    console_options = [c.label for c in dialog.respond(answer_engine, case).choices]
    console_text = _console_parts(line, console_options)
    telegram_text, telegram_options, paged = _telegram_parts(message)
    for label in console_options:  # the engine's own bullets list what the buttons offer
        telegram_text = _words(telegram_text.replace(f"• {label}", ""))
        console_text = _words(console_text.replace(f"• {label}", ""))
    if paged:
        assert console_text.startswith(telegram_text[:200]), (case, console_text, telegram_text)
    else:
        assert console_text == telegram_text, case
    assert [button_label(o) for o in console_options][: len(telegram_options)] == telegram_options
    assert (message.data is not None) == (data is not None), case
    if data is not None:
        assert message.data == data  # the same bytes the bot sends
        assert message.method == ("sendPhoto" if data.startswith(b"\x89PNG") else "sendDocument")
