"""Configuration errors of `informe-bot serve`, as a real process against the local Bot API.

Each bad setting must end the process with a non-zero exit and one clear line on stderr
("informe-bot: error: ..."), no traceback, and never the token. The processes run at once (they
spend most of their time importing), against one fake Bot API served from a thread.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.botapi import FakeBotApi

REPO = Path(__file__).resolve().parents[1]
UNREGISTERED_TOKEN = "987654321:AAUnknownTokenThatTheServerRejects_0123456"
RETRIES = 2


@dataclass(frozen=True)
class Case:
    name: str
    env: dict[str, str]
    message: str  # a fragment of the one error line
    retry_lines: int = 0  # warning lines expected before the error (backoff retries)


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str
    stdout: str


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start_in_thread()
    try:
        yield server
    finally:
        server.stop()


def cases(api: FakeBotApi, tmp: Path) -> list[Case]:
    corrupt = tmp / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database " * 200)
    truncated = tmp / "truncated.sqlite3"
    with sqlite3.connect(truncated) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    data = truncated.read_bytes()
    truncated.write_bytes(data[:100] + b"\xff" * 4000 + data[4100:])  # header kept, pages broken
    directory = tmp / "a-directory.sqlite3"
    directory.mkdir()
    good_db = f"sqlite:///{tmp / 'good.sqlite3'}"
    ok = {"TELEGRAM_BOT_TOKEN": api.token, "DATABASE_URL": good_db}
    return [
        Case(
            "token rejected (401)",
            {**ok, "TELEGRAM_BOT_TOKEN": UNREGISTERED_TOKEN},
            "the Bot API rejected TELEGRAM_BOT_TOKEN",
        ),
        Case(
            "unreachable API",
            {**ok, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"},
            "cannot reach the Bot API at http://127.0.0.1:9/bot",
            retry_lines=RETRIES + 1,
        ),
        Case("corrupt SQLite file", {**ok, "DATABASE_URL": f"sqlite:///{corrupt}"},
             "is not a SQLite database"),
        Case("damaged SQLite pages", {**ok, "DATABASE_URL": f"sqlite:///{truncated}"},
             "database disk image is malformed"),
        Case("SQLite path is a directory", {**ok, "DATABASE_URL": f"sqlite:///{directory}"},
             "is a directory"),
        Case("unsupported DATABASE_URL", {**ok, "DATABASE_URL": "mysql://u:secret@db/x"},
             "is not supported"),
        Case(
            "PostgreSQL unreachable",
            {**ok, "DATABASE_URL": "postgresql://postgres:pw@127.0.0.1:9/x"},
            "cannot connect to PostgreSQL",
        ),
    ]


def base_env(api: FakeBotApi) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "LOG_", "ADMIN_", "BOT_API_"))
    }
    env.update(
        PYTHONPATH=str(REPO),
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_API_BASE_FILE_URL=api.base_file_url,
        LOG_LEVEL="WARNING",  # what a quiet production start prints: warnings and errors
        BOT_API_RETRIES=str(RETRIES),
    )
    return env


async def serve(env: dict[str, str], cwd: Path) -> Outcome:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve",
        env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Outcome(process.returncode, stderr.decode(), stdout.decode())


@pytest.fixture(scope="module")
def outcomes(
    api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Case, Outcome]]:
    tmp = tmp_path_factory.mktemp("config")
    all_cases = cases(api, tmp)

    async def run_all() -> list[Outcome]:
        jobs = []
        for case in all_cases:
            cwd = tmp / case.name.replace(" ", "-").replace("(", "").replace(")", "")
            cwd.mkdir()
            jobs.append(serve({**base_env(api), **case.env}, cwd))
        return await asyncio.gather(*jobs)

    results = asyncio.run(run_all())
    return {case.name: (case, outcome) for case, outcome in zip(all_cases, results, strict=True)}


CASE_NAMES = [
    "token rejected (401)", "unreachable API", "corrupt SQLite file", "damaged SQLite pages",
    "SQLite path is a directory", "unsupported DATABASE_URL", "PostgreSQL unreachable",
]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_configuration_is_one_clear_line(
    outcomes: dict[str, tuple[Case, Outcome]], api: FakeBotApi, name: str
) -> None:
    case, outcome = outcomes[name]
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert outcome.code != 0
    assert "Traceback" not in outcome.stderr, outcome.stderr
    errors = [line for line in lines if line.startswith("informe-bot: error: ")]
    assert errors == [lines[-1]], outcome.stderr  # one error line, and it is the last
    assert case.message in errors[0], errors[0]
    assert len(lines) == 1 + case.retry_lines, outcome.stderr
    for secret in (api.token, api.token.split(":")[1], UNREGISTERED_TOKEN.split(":")[1], "pw@"):
        assert secret not in outcome.stderr + outcome.stdout


def test_unreachable_api_is_retried_with_backoff_first(
    outcomes: dict[str, tuple[Case, Outcome]],
) -> None:
    _, outcome = outcomes["unreachable API"]
    retries = [line for line in outcome.stderr.splitlines() if "retry" in line]
    assert [f"retry {n} of {RETRIES}" in line for n, line in enumerate(retries, 1)][:RETRIES] == [
        True
    ] * RETRIES
    assert "in 0.5 s" in retries[0] and "in 1.0 s" in retries[1]  # the wait doubles
    assert "giving up" in retries[-1]


# Settings a process never gets past: checked in process (the same `main`), which is cheaper.
IN_PROCESS = [
    ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN is not set"),
    ({"TELEGRAM_BOT_TOKEN": "my secret token"}, "TELEGRAM_BOT_TOKEN is malformed"),
    ({"TELEGRAM_BOT_TOKEN": "123:abc/../x"}, "TELEGRAM_BOT_TOKEN is malformed"),
    ({"ADMIN_USER_IDS": "12,abc"}, "ADMIN_USER_IDS"),
    ({"BOT_API_RETRIES": "-1"}, "BOT_API_RETRIES"),
    ({"BOT_API_TIMEOUT": "0"}, "BOT_API_TIMEOUT"),
    ({"DATABASE_URL": "not a url at all"}, "is not a database URL"),
]


@pytest.mark.parametrize(("env", "message"), IN_PROCESS, ids=[m for _, m in IN_PROCESS])
def test_settings_errors_are_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    api: FakeBotApi,
    env: dict[str, str],
    message: str,
) -> None:
    from bot.cli import main
    from bot.settings import get_settings

    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {**base_env(api), "TELEGRAM_BOT_TOKEN": api.token,
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", **env}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        code = main(["serve"])
    finally:
        get_settings.cache_clear()
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code != 0
    assert len(lines) == 1 and lines[0].startswith("informe-bot: error: ") and message in lines[0]
    assert env.get("TELEGRAM_BOT_TOKEN", "") in ("", "123:abc/../x") or (
        env["TELEGRAM_BOT_TOKEN"] not in captured.err
    )
    assert api.token.split(":")[1] not in captured.err
