"""Long polling loses nothing on `kill -9`: fetched updates are journaled before their offset is
confirmed, and the next start answers them first (bot/telegram/journal.py).

The crash test is the real thing: `informe-bot serve` polling the local Bot API with a backlog
from many chats, SIGKILL once it has started answering, a restart, then every question counted:
answered once, answered twice (the duplicates a crash may cause, bounded by the updates in flight)
or never (lost; must be none).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from telegram import Bot
from telegram.ext import Updater

from bot.engine.core import Engine
from bot.settings import Settings
from bot.telegram.app import CONCURRENT_UPDATES
from bot.telegram.journal import JournalQueue, UpdateJournal
from db.engine import make_engine
from db.migrate import upgrade
from db.store import ensure_store
from tests.fakes.botapi import FakeBotApi
from tests.reliability_support import running_bot

REPO = Path(__file__).resolve().parent.parent
CHATS = 16
PER_CHAT = 5  # more than the pacer's burst of 3: some replies are paced when the crash comes
QUESTIONS = ["hola", "eventos", "presupuesto", "premios", "gracias"]
KILL_AFTER_REPLIES = 12
ANSWER_TIMEOUT_S = 180.0


# ----------------------------------------------------------------------------- PTB's order


async def until(predicate: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
    """Poll `predicate` (state of this process and of the local Bot API) until true or timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


class _GatedQueue(asyncio.Queue):  # type: ignore[type-arg]
    """Holds the first put until released, recording what getUpdates saw meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.puts = 0

    async def put(self, item: object) -> None:
        self.puts += 1
        await self.gate.wait()
        await super().put(item)


async def test_ptb_confirms_a_batch_only_after_every_put_returned() -> None:
    """The journal relies on this: Updater awaits `update_queue.put` for each update of a batch
    before asking for the next batch (whose offset confirms the previous one)."""
    async with FakeBotApi() as api:
        for n in range(5):
            api.send_text(6100 + n, "hola")
        queue = _GatedQueue()
        bot = Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)
        updater = Updater(bot, queue)
        async with updater:
            await updater.start_polling(poll_interval=0, timeout=0)
            try:
                assert await until(lambda: queue.puts >= 1, 10)
                await asyncio.sleep(0.5)  # time enough for a next getUpdates, if PTB sent one
                offsets = [c.params.get("offset") for c in api.calls_to("getUpdates")]
                assert api.pending_updates() == 5, offsets  # nothing confirmed while put waits
                queue.gate.set()
                assert await until(lambda: api.pending_updates() == 0, 10)
                assert queue.qsize() == 5
            finally:
                queue.gate.set()
                await updater.stop()


# ----------------------------------------------------------------------------- the journal


def test_a_redelivered_update_is_skipped_and_a_handled_one_forgets_its_text(
    tmp_path: Path,
) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'j.sqlite3'}")
    upgrade(db)
    journal = UpdateJournal(db, "42", "journal-test-key")
    data = {"update_id": 7, "message": {"text": "¿cuánta inversión?", "chat": {"id": 555}}}
    assert journal.record(7, data) is True
    assert journal.record(7, data) is False  # the same update fetched again
    assert journal.pending() == [(7, data)]
    with db.connect() as conn:
        stored = conn.execute(text("SELECT payload FROM update_journal")).scalar_one()
    assert "555" not in stored and "inversi" not in stored  # encrypted at rest
    journal.finish(7)
    assert journal.pending() == []
    with db.connect() as conn:
        assert conn.execute(text("SELECT payload FROM update_journal")).scalar_one() is None
    assert journal.record(7, data) is False  # still recognised after it was handled
    other_key = UpdateJournal(db, "42", "another-key")
    assert other_key.record(8, data) and journal.pending() == []  # unreadable: dropped
    db.dispose()


async def test_an_unwritable_journal_costs_nothing_but_one_log_line(
    answer_engine: Engine, tmp_path: Path
) -> None:
    def drop(db: object) -> None:
        with db.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(text("DROP TABLE update_journal"))

    async with running_bot(answer_engine, tmp_path, before_start=drop) as bot:
        for n in range(4):
            await bot.say(6200 + n, "premios internacionales")
        await bot.settle()
        errors = [r for r in bot.log.records
                  if r.levelno >= logging.ERROR and r.name == "bot.telegram.journal"]
        assert len(errors) == 1, bot.log.text
        assert not bot.log.error_handler_calls()
        queue = bot.application.update_queue
        assert isinstance(queue, JournalQueue) and not queue.journaled


async def test_restart_answers_journaled_updates_first_in_order_per_chat(
    answer_engine: Engine, tmp_path: Path
) -> None:
    """Updates journaled by a run that died are answered by the next, each chat in order."""
    async with FakeBotApi() as api:
        chat = 6300
        for question in ("eventos de octubre", "¿y en noviembre?"):
            api.send_text(chat, question)
        taken = api.account().pending  # what a crashed run had fetched, as Telegram sent it
        updates = [dict(u) for u in taken]
        assert len(updates) == 2

        def journal_them(db: object) -> None:
            journal = UpdateJournal(db, str(api.account().bot_id), "reliability-test-key")
            for data in updates:
                journal.record(int(data["update_id"]), data)

        api.account().pending.clear()  # confirmed by the dead run: Telegram will not resend
        async with running_bot(answer_engine, tmp_path, api=api,
                               before_start=journal_them) as bot:
            queue = bot.application.update_queue
            assert isinstance(queue, JournalQueue)
            assert await queue.recover(bot.application.bot) == 2
            replies = await api.wait_for_messages(chat, 2, timeout=30)
            asked = [int(u["message"]["message_id"]) for u in updates]
            assert [r.reply_to_message_id for r in replies] == asked  # in the order asked
            await bot.settle()
            assert not queue.journaled


# ----------------------------------------------------------------------------- kill -9


def _serve_env(api: FakeBotApi, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "DATABASE_", "LOG_", "BOT_API_", "USER_HASH"))}
    env.update(PYTHONPATH=str(REPO), TELEGRAM_BOT_TOKEN=api.token,
               TELEGRAM_API_BASE_URL=api.base_url, DATABASE_URL=database_url,
               LOG_LEVEL="WARNING", USER_HASH_KEY="journal-kill-test-key-0123456789")
    return env


async def kill_and_restart(tmp_path: Path, *, chats: int = CHATS, per_chat: int = PER_CHAT,
                           kill_after: int = KILL_AFTER_REPLIES) -> tuple[int, int, int]:
    """(questions, lost, doubled) after SIGKILL of a serve that was answering a backlog."""
    database_url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    ensure_store(Settings(_env_file=None, database_url=database_url)).dispose()
    async with FakeBotApi() as api:
        env = _serve_env(api, database_url)
        asked: list[tuple[int, int]] = []  # (chat, message id)
        for c in range(chats):
            for q in range(per_chat):
                message = api.send_text(7000 + c, QUESTIONS[q % len(QUESTIONS)])["message"]
                asked.append((7000 + c, int(message["message_id"])))

        async def serve() -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "serve", env=env, cwd=tmp_path,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

        first = await serve()
        try:
            await api.wait_for_messages(None, kill_after, timeout=ANSWER_TIMEOUT_S)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        assert first.returncode == -signal.SIGKILL
        second = await serve()
        try:
            def answered() -> int:
                replied = {(m.chat_id, m.reply_to_message_id) for m in api.sent_messages()}
                return sum(1 for key in asked if key in replied)

            await until(lambda: answered() == len(asked), ANSWER_TIMEOUT_S)
            await asyncio.sleep(1.0)  # late duplicates, if any, arrive now
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
        counts = Counter((m.chat_id, m.reply_to_message_id) for m in api.sent_messages())
    lost = sum(1 for key in asked if counts[key] == 0)
    doubled = sum(1 for key in asked if counts[key] > 1)
    return len(asked), lost, doubled


async def test_kill_9_with_a_backlog_loses_nothing(tmp_path: Path) -> None:
    questions, lost, doubled = await kill_and_restart(tmp_path)
    print(f"kill -9 with a backlog of {questions}: {lost} lost, {doubled} doubled")
    assert lost == 0
    # A reply sent but not yet marked handled when the process died is sent again.
    assert doubled <= CONCURRENT_UPDATES
