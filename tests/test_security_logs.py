"""What each command logs at DEBUG: never the token (nor its secret part), the webhook secret,
the hash key, a raw user or chat id or a name; what users typed only at DEBUG.

Real processes with LOG_LEVEL=DEBUG (python-telegram-bot's and httpx's own DEBUG dumps of
updates and Bot API calls included), talking to the local Bot API; stderr read back whole.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from db.store import ensure_store
from tests.fakes.botapi import FakeBotApi

REPO = Path(__file__).resolve().parent.parent
WEBHOOK_SECRET = "logs-Webhook-Secret-0123456789abcdef"
HASH_KEY = "logs-hash-key-that-must-never-show-9f8e7d"
USER = 934_567_001
GROUP = -1_009_345_670_002
QUESTION = "¿cuánta inversión extranjera llegó?"
NAME = "Zacarías"


def env_for(api: FakeBotApi, database_url: str, level: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "LOG_", "USER_HASH"))}
    env.update(PYTHONPATH=str(REPO), TELEGRAM_BOT_TOKEN=api.token,
               TELEGRAM_API_BASE_URL=api.base_url, TELEGRAM_API_BASE_FILE_URL=api.base_file_url,
               DATABASE_URL=database_url, LOG_LEVEL=level, USER_HASH_KEY=HASH_KEY,
               WEBHOOK_SECRET=WEBHOOK_SECRET)
    env.update(extra)
    return env


def leaks(api: FakeBotApi, log: str) -> list[str]:
    """Every forbidden thing found in `log`."""
    found = []
    for name, value in [("token", api.token), ("token secret", api.token.split(":", 1)[1]),
                        ("webhook secret", WEBHOOK_SECRET), ("hash key", HASH_KEY),
                        ("name", NAME)]:
        if value in log:
            found.append(name)
    for raw in (USER, GROUP):
        if re.search(rf"(?<!\d){raw}(?!\d)", log) or re.search(rf"(?<!\d){abs(raw)}(?!\d)", log):
            found.append(f"raw id {raw}")
    return found


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'logs.sqlite3'}"
    ensure_store(Settings(_env_file=None, database_url=url)).dispose()
    return url


def test_set_webhook_at_debug(store: str, tmp_path: Path) -> None:
    with FakeBotApi() as api:
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "set-webhook", "https://bot.example.org/telegram"],
            env=env_for(api, store, "DEBUG"), cwd=tmp_path, capture_output=True, text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        log = result.stdout + result.stderr
        assert "setWebhook" in log  # the DEBUG dump is there, redacted
        assert not leaks(api, log), (leaks(api, log), log[-3000:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(("mode", "level"),
                         [("polling", "DEBUG"), ("webhook", "DEBUG"), ("polling", "INFO")])
async def test_serve_logs(store: str, tmp_path: Path, level: str, mode: str) -> None:
    async with FakeBotApi() as api:
        api.register_user(USER, NAME)
        api.register_chat(GROUP, "supergroup", title=f"Grupo de {NAME}")
        args = []
        if mode == "webhook":
            port = free_port()
            args = ["--webhook-url", f"http://127.0.0.1:{port}/hook", "--listen", "127.0.0.1",
                    "--port", str(port)]
        stderr_path = tmp_path / "serve.stderr"
        with stderr_path.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "serve", *args,
                env=env_for(api, store, level), cwd=tmp_path,
                stdout=asyncio.subprocess.DEVNULL, stderr=stderr)
            try:
                if mode == "webhook":
                    await api.wait_until(lambda: api.account().webhook is not None, timeout=90)
                api.send_text(USER, QUESTION, user_id=USER)
                [answer] = await api.wait_for_messages(USER, 1, timeout=90)
                up = next(d for d in answer.callback_data if d.startswith("f|"))
                api.press_button(USER, answer.message_id, up, user_id=USER)
                api.inline_query(USER, "premios internacionales")
                api.send_text(GROUP, f"@{api.account().user['username']} eventos de octubre",
                              user_id=USER)
                await api.wait_for_messages(GROUP, 1, timeout=60)
                await api.wait_until(lambda: len(api.inline_answers) >= 1, timeout=60)
            finally:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), timeout=60)
        log = stderr_path.read_text(encoding="utf-8", errors="replace")
    assert process.returncode == 0, log[-3000:]
    assert not leaks(api, log), (leaks(api, log), log[-3000:])
    if level == "DEBUG":
        assert "getUpdates" in log or "Processing update" in log  # PTB's own dumps were on
    else:
        assert QUESTION not in log and "premios internacionales" not in log
