"""The deployment files under deploy/ are valid for the tools that read them: systemd units pass
`systemd-analyze verify`, the nginx site passes `nginx -t`, and they agree with each other and
with the CLI (ports, paths, commands, settings)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.settings import Settings
from tests.fakes.cluster import PROXY_SNIPPET, WEBHOOK_PATH, nginx_binary

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = DEPLOY / "systemd"
SITE = DEPLOY / "nginx" / "informe-bot.conf"
ENV_EXAMPLE = DEPLOY / "informe-bot.env.example"
INSTALLED_BINARY = "/opt/informe-bot/venv/bin/informe-bot"
REQUIRED = os.environ.get("REQUIRE_POSTGRES") == "1"  # CI: the tools are installed, never skip


def require_tool(name: str, path: str | None) -> str:
    if path is None:
        message = f"{name} is not installed"
        if REQUIRED:
            pytest.fail(message + " (bash .ci/run installs it)")
        pytest.skip(message)
    return path


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze", shutil.which("systemd-analyze"))
    # verify checks that ExecStart's program exists: point it at this machine's informe-bot.
    program = shutil.which("informe-bot") or sys.executable
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8")
        (tmp_path / unit.name).write_text(text.replace(INSTALLED_BINARY, program))
    names = [
        str(tmp_path / "informe-bot-worker@8101.service"),
        str(tmp_path / "informe-bot.target"),
        str(tmp_path / "informe-bot-ingest.service"),
    ]
    (tmp_path / "informe-bot-worker@8101.service").symlink_to(
        tmp_path / "informe-bot-worker@.service"
    )
    result = subprocess.run(
        [analyze, "verify", *names], capture_output=True, text=True, timeout=60,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if "informe-bot" in line]
    assert not problems, problems


def test_worker_unit_runs_the_worker_command_on_its_instance_port() -> None:
    unit = (UNITS / "informe-bot-worker@.service").read_text(encoding="utf-8")
    [exec_start] = re.findall(r"^ExecStart=(.+)$", unit, re.M)
    args = exec_start.split()
    assert args[0] == INSTALLED_BINARY
    parsed = build_parser().parse_args([a.replace("%i", "8101") for a in args[1:]])
    assert parsed.handler.__name__ == "cmd_worker" and parsed.port == 8101
    assert parsed.path == WEBHOOK_PATH
    # systemd stops a worker with SIGTERM and waits longer than the worker's own grace period.
    from bot.telegram.worker import SHUTDOWN_TIMEOUT_S

    [stop] = re.findall(r"^TimeoutStopSec=(\d+)$", unit, re.M)
    assert int(stop) > SHUTDOWN_TIMEOUT_S
    ingest = (UNITS / "informe-bot-ingest.service").read_text(encoding="utf-8")
    [exec_ingest] = re.findall(r"^ExecStart=(.+)$", ingest, re.M)
    assert build_parser().parse_args(exec_ingest.split()[1:]).handler.__name__ == "cmd_ingest"


def test_env_example_names_only_real_settings() -> None:
    names = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M))
    known = {name.upper() for name in Settings.model_fields}
    assert names <= known, names - known
    assert {"TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET", "DATABASE_URL", "USER_HASH_KEY"} <= names


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = require_tool("nginx", nginx_binary())
    openssl = require_tool("openssl", shutil.which("openssl"))
    # The site as installed: conf.d/informe-bot.conf and snippets/informe-bot-proxy.conf under
    # the nginx prefix, with a throwaway certificate in place of Let's Encrypt's.
    (tmp_path / "snippets").mkdir()
    shutil.copyfile(PROXY_SNIPPET, tmp_path / "snippets" / PROXY_SNIPPET.name)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    site = SITE.read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate \S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};", site)
    (tmp_path / "informe-bot.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(
        f"    {kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nevents {{}}\nhttp {{\n{temp}\n"
        "    include informe-bot.conf;\n}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # The upstream lists the ports the systemd instances use, and the webhook path the workers
    # serve is the one proxied.
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", site)
    assert len(ports) >= 2 and len(set(ports)) == len(ports)
    assert f"location = {WEBHOOK_PATH} " in site
    assert "include snippets/informe-bot-proxy.conf" in site
