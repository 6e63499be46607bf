"""Run modes: webhook with its secret token (in process and as `informe-bot serve`), long polling
as `informe-bot serve`, and the one-line configuration errors of `serve`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from bot.engine.core import Engine
from bot.settings import Settings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.webhook import webhook_options
from db.engine import make_engine
from db.migrate import upgrade
from tests.fakes.botapi import FakeBotApi

REPO = Path(__file__).resolve().parents[1]
SECRET = "webhook-Secret_123"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command_update(update_id: int, chat_id: int, text: str) -> dict:
    """A message update written by hand, as an attacker posting to the webhook would."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 900 + update_id % 100,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Ana"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "es"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }




@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


async def test_webhook_accepts_only_requests_with_the_secret(
    api: FakeBotApi, answer_engine: Engine, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    db = make_engine(url)
    upgrade(db)
    settings = Settings(
        _env_file=None,
        telegram_bot_token=api.token,
        telegram_api_base_url=api.base_url,
        telegram_api_base_file_url=api.base_file_url,
        database_url=url,
        webhook_secret=SECRET,
    )
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    application = build_application(settings, engine=answer_engine, db_engine=db)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_webhook(
        **webhook_options(settings, hook, "127.0.0.1", port), allowed_updates=ALLOWED_UPDATES
    )
    try:
        webhook = api.account().webhook
        assert webhook is not None and webhook.url == hook and webhook.secret_token == SECRET
        # Telegram (here: the local server) delivers with the secret: answered.
        api.send_text(4001, "/ayuda")
        [reply] = await api.wait_for_messages(4001, 1, timeout=15)
        assert "/cifra" in (reply.text or "")
        # Anyone else posting to the webhook URL is refused before the bot sees the update.
        api.register_chat(4002, "private")
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "not-the-secret"}):
                response = await session.post(
                    hook, json=command_update(5001, 4002, "/ayuda"), headers=headers
                )
                assert response.status == 403
            response = await session.post(
                hook, json=command_update(5002, 4002, "/start"), headers={SECRET_HEADER: SECRET}
            )
            assert response.status == 200
        [reply] = await api.wait_for_messages(4002, 1, timeout=15)
        assert "/ayuda" in (reply.text or "")  # the /start answer, not one of the refused /ayuda
        assert len(api.sent_messages(4002)) == 1
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        db.dispose()


# ----------------------------------------------------------------------------- informe-bot serve


@pytest.fixture(scope="module")
def serve_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One store for the `serve` processes: the first ingests the report, the next reuses it."""
    return f"sqlite:///{tmp_path_factory.mktemp('serve') / 'serve.sqlite3'}"


def serve_env(api: FakeBotApi, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "LOG_"))
    }
    env.update(
        PYTHONPATH=str(REPO),
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_API_BASE_FILE_URL=api.base_file_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


async def start_serve(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "serve",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_serve(process: asyncio.subprocess.Process) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_serve_with_long_polling(api: FakeBotApi, serve_db: str, tmp_path: Path) -> None:
    process = await start_serve(serve_env(api, serve_db), tmp_path)
    try:
        api.send_text(4101, "/indicadores inversión")
        [reply] = await api.wait_for_messages(4101, 1, timeout=60)
        assert "381,3" in (reply.text or "")
        assert api.calls_to("getUpdates") and api.calls_to("setMyCommands")
        assert api.calls_to("deleteWebhook")  # polling starts by clearing any webhook
    finally:
        code, stderr = await stop_serve(process)
    assert code == 0, stderr
    assert api.token not in stderr and api.token.split(":")[1] not in stderr


async def test_serve_with_webhook(api: FakeBotApi, serve_db: str, tmp_path: Path) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    env = serve_env(api, serve_db, WEBHOOK_SECRET=SECRET)
    process = await start_serve(
        env, tmp_path, "--webhook-url", hook, "--listen", "127.0.0.1", "--port", str(port)
    )
    try:
        await api.wait_until(lambda: api.account().webhook is not None, timeout=60)
        # Telegram's update ids only grow for a bot; this fake server is new while the store
        # (shared with the polling test) already journaled its first ids as handled.
        api.account().next_update_id = 10_000
        api.send_text(4201, "/premios")
        [reply] = await api.wait_for_messages(4201, 1, timeout=30)
        assert reply.text
        api.register_chat(4202, "private")
        async with aiohttp.ClientSession() as session:
            response = await session.post(hook, json=command_update(7001, 4202, "/ayuda"))
            assert response.status == 403
    finally:
        code, stderr = await stop_serve(process)
    assert code == 0, stderr
    assert not api.sent_messages(4202)
    assert api.token.split(":")[1] not in stderr


@pytest.mark.parametrize(
    ("args", "drop", "message"),
    [
        (
            ["--webhook-url", "http://127.0.0.1:9/hook"],
            "WEBHOOK_SECRET",
            "WEBHOOK_SECRET is not set",
        ),
        ([], "TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN is not set"),
        (["--webhook-url", "ftp://x/hook"], "", "must be an http(s) URL"),
    ],
)
def test_serve_configuration_errors_are_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    drop: str,
    message: str,
) -> None:
    from bot.cli import main
    from bot.settings import get_settings

    monkeypatch.chdir(tmp_path)  # no stray .env
    env = {
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "WEBHOOK_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if drop:
        monkeypatch.delenv(drop)
    get_settings.cache_clear()
    try:
        code = main(["serve", *args])
    finally:
        get_settings.cache_clear()
    lines = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert len(lines) == 1 and message in lines[0], lines
