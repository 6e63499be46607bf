"""`informe-bot worker` and `informe-bot set-webhook`: their one-line configuration errors, and
set-webhook telling the Bot API where to post and with which secret (token never printed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import cli
from bot.settings import Settings, get_settings
from tests.fakes.botapi import FakeBotApi

SETTINGS_ENV = {name.upper() for name in Settings.model_fields}
SECRET = "worker-Secret_1-long-enough"


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., Outcome]]:
    """`informe-bot ARGS` in this process (fast): only `env` as settings, no .env file."""

    def run(*args: str, env: dict[str, str]) -> Outcome:
        for name in SETTINGS_ENV:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        capsys.readouterr()
        code = cli.main(list(args))
        out = capsys.readouterr()
        return Outcome(code, out.out, out.err)

    monkeypatch.chdir(tmp_path)
    yield run
    get_settings.cache_clear()


def one_line_error(result: Outcome) -> str:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("informe-bot: error: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start_in_thread()
    yield server
    server.stop()


def test_worker_needs_a_token_and_a_webhook_secret(
    run_cli: Callable[..., Outcome], tmp_path: Path, api: FakeBotApi
) -> None:
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    no_secret = run_cli("worker", "--port", "8199",
                        env={**database, "TELEGRAM_BOT_TOKEN": api.token})
    assert "WEBHOOK_SECRET is not set" in one_line_error(no_secret)
    bad_secret = run_cli("worker", env={
        **database, "TELEGRAM_BOT_TOKEN": api.token, "WEBHOOK_SECRET": "spaces are not allowed"})
    assert "WEBHOOK_SECRET may only use" in one_line_error(bad_secret)
    for weak, why in (("replace-with-a-long-random-string", "placeholder"), ("a", "too short"),
                      ("only-15-chars-x", "too short")):
        weak_secret = run_cli("worker", env={
            **database, "TELEGRAM_BOT_TOKEN": api.token, "WEBHOOK_SECRET": weak})
        line = one_line_error(weak_secret)
        assert why in line and (len(weak) < 16 or weak not in line)  # the secret is not echoed
    ready = {**database, "TELEGRAM_BOT_TOKEN": api.token, "WEBHOOK_SECRET": SECRET}
    # Workers must hash alike: none generates a key of its own, and no placeholder will do.
    assert "USER_HASH_KEY is not set" in one_line_error(run_cli("worker", env=ready))
    placeholder = "replace-with-another-long-random-string"
    line = one_line_error(run_cli("worker", env={**ready, "USER_HASH_KEY": placeholder}))
    assert "placeholder" in line and placeholder not in line
    no_token = run_cli("worker", env={**database, "WEBHOOK_SECRET": SECRET})
    assert "TELEGRAM_BOT_TOKEN is not set" in one_line_error(no_token)
    taken = run_cli("worker", "--path", "/healthz", env={**ready, "USER_HASH_KEY": "k" * 32})
    assert "/healthz" in one_line_error(taken)


def test_set_webhook_points_the_bot_api_at_the_proxy(
    run_cli: Callable[..., Outcome], api: FakeBotApi
) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_API_BASE_FILE_URL": api.base_file_url,
        "WEBHOOK_SECRET": SECRET,
    }
    url = "https://bot.example.org/telegram"
    result = run_cli("set-webhook", url, "--max-connections", "12", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"webhook set: {url} (max 12 connections")
    webhook = api.account().webhook
    assert webhook is not None and webhook.url == url and webhook.secret_token == SECRET
    assert api.token not in result.stdout + result.stderr

    assert "http(s) URL" in one_line_error(
        run_cli("set-webhook", "bot.example.org", env=env)
    )
    rejected = run_cli("set-webhook", url,
                       env={**env, "TELEGRAM_BOT_TOKEN": "999:not-a-known-token"})
    line = one_line_error(rejected)
    assert "rejected TELEGRAM_BOT_TOKEN" in line and "not-a-known-token" not in line
    refused = run_cli("set-webhook", url, "--max-connections", "1000", env=env)
    assert "refused the webhook" in one_line_error(refused)
