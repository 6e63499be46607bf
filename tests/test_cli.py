"""`informe-bot` as a user runs it: a subprocess, its output, its exit code, its one-line errors."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot import cli
from bot.settings import DEFAULT_REPORT_PATH, Settings, get_settings
from knowledge.model import ParsedReport

ROOT = Path(__file__).resolve().parent.parent
SECRET_TOKEN = "123456789:AAH-this-is-the-secret-token-xyz"
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}


def run_cli(
    *args: str,
    cwd: Path,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    # From an empty directory with no settings inherited, so neither the developer's .env nor
    # their environment changes what the test sees.
    clean = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
    clean["PYTHONPATH"] = str(ROOT)
    if database_url is not None:
        clean["DATABASE_URL"] = database_url
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def summary_counts(stdout: str) -> dict[str, int]:
    pairs = re.findall(r"^\s+(sections|tables|rows|facts|enumerations):\s+(\d+)", stdout, re.M)
    return {name: int(n) for name, n in pairs}


def expected(report: ParsedReport) -> dict[str, int]:
    return {
        "sections": len(report.sections),
        "tables": len(report.tables),
        "rows": sum(len(t.rows) for t in report.tables),
        "facts": len(report.facts),
        "enumerations": len(report.enumerations),
    }


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("informe-bot: error: ")
    assert SECRET_TOKEN not in result.stdout + result.stderr
    return lines[0]


# ----------------------------------------------------------------------------- ingest / stats


def test_ingest_and_stats(database_url: str, parsed_report: ParsedReport, tmp_path: Path) -> None:
    result = run_cli("ingest", cwd=tmp_path, database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "aci-medellin-2020" in result.stdout
    assert summary_counts(result.stdout) == expected(parsed_report)

    result = run_cli("stats", "--json", cwd=tmp_path, database_url=database_url)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    report = stats["reports"]["aci-medellin-2020"]
    assert {k: report[k] for k in expected(parsed_report)} == expected(parsed_report)
    assert report["source_sha256"] == parsed_report.source_sha256
    # stats found the store current: it did not ingest again.
    assert stats["knowledge_version"] == 1


def test_stats_on_a_fresh_install_builds_the_store(tmp_path: Path) -> None:
    db_file = tmp_path / "new" / "dir" / "store.sqlite3"
    result = run_cli("stats", cwd=tmp_path, database_url=f"sqlite:///{db_file}")
    assert result.returncode == 0, result.stderr
    assert db_file.is_file()
    assert re.search(r"^aci-medellin-2020: INFORME DE GESTIÓN", result.stdout, re.M)
    assert re.search(r"sections \d+, tables \d+, rows \d+", result.stdout)


def test_ingest_a_second_report_beside_the_first(
    parsed_report: ParsedReport, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    other = tmp_path / "informe-2021.md"
    other.write_text(
        DEFAULT_REPORT_PATH.read_text(encoding="utf-8").replace("2020", "2021"), encoding="utf-8"
    )
    assert run_cli("ingest", cwd=tmp_path, database_url=url).returncode == 0
    result = run_cli(
        "ingest", str(other), "--report-id", "aci-medellin-2021", cwd=tmp_path, database_url=url
    )
    assert result.returncode == 0, result.stderr
    assert "aci-medellin-2021" in result.stdout

    stats = json.loads(run_cli("stats", "--json", cwd=tmp_path, database_url=url).stdout)
    assert list(stats["reports"]) == ["aci-medellin-2020", "aci-medellin-2021"]
    assert stats["reports"]["aci-medellin-2020"]["facts"] == len(parsed_report.facts)
    assert stats["reports"]["aci-medellin-2021"]["year"] == 2021


# ----------------------------------------------------------------------------- errors


def _garbage_file(tmp_path: Path) -> str:
    path = tmp_path / "garbage.sqlite3"
    path.write_text("this is not a database\n" * 100)
    return f"sqlite:///{path}"


def _directory(tmp_path: Path) -> str:
    path = tmp_path / "a-directory"
    path.mkdir()
    return f"sqlite:///{path}"


def _invalid_utf8(tmp_path: Path) -> str:
    path = tmp_path / "latin1.md"
    path.write_bytes("INFORME DE GESTIÓN 2020\n".encode("latin-1"))
    return str(path)


ERROR_CASES = {
    # id: (command line, DATABASE_URL, extra env, text the message must contain)
    "missing-report": (["ingest", "{tmp}/no-such-report.md"], None, {}, "no-such-report.md"),
    "report-is-directory": (["ingest", "{tmp}"], None, {}, ""),
    "report-invalid-utf8": (["ingest", "{utf8}"], None, {}, "UTF-8"),
    "bad-report-id": (["ingest", "--report-id", "Año 2020!"], None, {}, "report id"),
    "url-unknown-scheme": (["stats"], "foo://", {}, "foo"),
    "url-unparseable": (["stats"], "not a url at all", {}, "DATABASE_URL"),
    "postgres-closed-port": (["stats"], "postgresql://postgres@127.0.0.1:1/test", {}, "127.0.0.1"),
    "sqlite-path-is-directory": (["stats"], "{dir}", {}, "directory"),
    "sqlite-garbage-file": (["stats"], "{garbage}", {}, "not a SQLite database"),
    "bundled-report-missing": (["stats"], None, {"REPORT_PATH": "{tmp}/gone.md"}, "gone.md"),
    "bad-id-list-setting": (["stats"], None, {"ADMIN_USER_IDS": "uno,dos"}, "ADMIN_USER_IDS"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
def test_errors_are_one_clear_line(case: str, tmp_path: Path) -> None:
    argv, url, extra_env, must_contain = ERROR_CASES[case]
    places = {
        "tmp": str(tmp_path),
        "utf8": _invalid_utf8(tmp_path) if "{utf8}" in argv else "",
        "dir": _directory(tmp_path) if url == "{dir}" else "",
        "garbage": _garbage_file(tmp_path) if url == "{garbage}" else "",
    }
    args = [a.format(**places) for a in argv]
    database_url = (url or f"sqlite:///{tmp_path / 'store.sqlite3'}").format(**places)
    env = {k: v.format(**places) for k, v in extra_env.items()}
    env["TELEGRAM_BOT_TOKEN"] = SECRET_TOKEN
    result = run_cli(*args, cwd=tmp_path, database_url=database_url, env=env)
    line = assert_one_line_error(result)
    assert must_contain in line


def test_failed_ingest_keeps_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert run_cli("ingest", cwd=tmp_path, database_url=url).returncode == 0
    before = json.loads(run_cli("stats", "--json", cwd=tmp_path, database_url=url).stdout)
    empty = tmp_path / "empty.md"
    empty.write_text("")
    assert_one_line_error(run_cli("ingest", str(empty), cwd=tmp_path, database_url=url))
    after = json.loads(run_cli("stats", "--json", cwd=tmp_path, database_url=url).stdout)
    assert after == before


def test_ask_without_question_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("ask", cwd=tmp_path, database_url=f"sqlite:///{tmp_path / 's.sqlite3'}")
    assert result.returncode == 2
    assert_one_line_error(result)


def test_ask_json_answers_from_the_store(tmp_path: Path) -> None:
    result = run_cli(
        "ask",
        "--json",
        "¿cuál fue la inversión extranjera reportada?",
        cwd=tmp_path,
        database_url=f"sqlite:///{tmp_path / 's.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] in {"answered", "ambiguous", "not_found"}
    assert answer["text"]


# ----------------------------------------------------------------------------- dispatch


@pytest.fixture
def calls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[list[tuple[str, dict[str, object]]]]:
    """Stands in for the chat and Telegram front ends the CLI imports when it dispatches."""
    seen: list[tuple[str, dict[str, object]]] = []

    def recorder(name: str) -> Callable[[argparse.Namespace], int]:
        def run(args: argparse.Namespace) -> int:
            seen.append((name, vars(args).copy()))
            return 0

        return run

    monkeypatch.setitem(
        sys.modules, "bot.console", SimpleNamespace(run_chat=recorder("chat"))
    )
    monkeypatch.setitem(
        sys.modules, "bot.telegram.app", SimpleNamespace(run_serve=recorder("serve"))
    )
    for var in SETTINGS_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env
    get_settings.cache_clear()
    yield seen
    get_settings.cache_clear()


def test_no_command_chats_without_a_token(calls: list[tuple[str, dict[str, object]]]) -> None:
    assert cli.main([]) == 0
    assert [name for name, _ in calls] == ["chat"]


def test_no_command_serves_with_a_token(
    calls: list[tuple[str, dict[str, object]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", SECRET_TOKEN)
    assert cli.main([]) == 0
    ((name, args),) = calls
    assert name == "serve"
    assert (args["webhook_url"], args["listen"], args["port"]) == (None, "127.0.0.1", 8443)


def test_serve_options_reach_the_server(calls: list[tuple[str, dict[str, object]]]) -> None:
    argv = ["serve", "--webhook-url", "https://bot.example.org/hook", "--listen", "0.0.0.0"]
    assert cli.main([*argv, "--port", "8080"]) == 0
    ((name, args),) = calls
    assert name == "serve"
    assert (args["webhook_url"], args["listen"], args["port"]) == (
        "https://bot.example.org/hook",
        "0.0.0.0",
        8080,
    )
