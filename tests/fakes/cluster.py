"""Several `informe-bot worker` processes (and optionally nginx) on 127.0.0.1, for tests and
benchmarks of the scale-out deployment.

    with Cluster(api, database_url, ports=3, nginx=True) as cluster:
        cluster.set_webhook()           # the fake Bot API now POSTs to nginx
        api.send_text(...)
        cluster.kill(0)                 # SIGKILL one worker mid-run
        cluster.health(1)               # its /healthz JSON

The nginx in front uses deploy/nginx/informe-bot-proxy.conf, the very proxy settings the
deployment recipe installs, so the tests exercise what production runs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from tests.fakes.botapi import FakeBotApi

REPO = Path(__file__).resolve().parents[2]
PROXY_SNIPPET = REPO / "deploy" / "nginx" / "informe-bot-proxy.conf"
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_SECRET = "scale-out_Secret-42"
HASH_KEY = "scale-out-hash-key-shared-by-every-worker"
START_TIMEOUT_S = 180.0  # a deadline for a stuck worker, not a speed check: generous under load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


@contextmanager
def scratch_postgres(admin_dsn: str | None = None) -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); yields its SQLAlchemy URL."""
    import psycopg
    from psycopg import sql

    admin_dsn = admin_dsn or os.environ.get(
        "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
    )
    info = psycopg.conninfo.conninfo_to_dict(admin_dsn)
    name = f"informe_bot_scaleout_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield (
            f"postgresql+psycopg://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}"
            f":{info.get('port', '5432')}/{name}"
        )
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def prepare_store(database_url: str) -> int:
    """Migrate and ingest once before the workers start; returns the knowledge version."""
    from bot.settings import Settings
    from db.store import ensure_store, knowledge_version

    engine = ensure_store(Settings(_env_file=None, database_url=database_url))
    try:
        return knowledge_version(engine)
    finally:
        engine.dispose()


@dataclass
class WorkerProcess:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        self.log_file.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class Cluster:
    api: FakeBotApi
    database_url: str
    ports: int | list[int] = 2
    nginx: bool = False
    secret: str = DEFAULT_SECRET
    env: dict[str, str] = field(default_factory=dict)
    workdir: Path | None = None
    workers: list[WorkerProcess] = field(default_factory=list)
    nginx_port: int | None = None
    _nginx: subprocess.Popen[bytes] | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    # ------------------------------------------------------------------------------ lifecycle

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def settings_env(self) -> dict[str, str]:
        """The environment every worker and CLI command of this cluster runs with."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=self.api.token,
            TELEGRAM_API_BASE_URL=self.api.base_url,
            TELEGRAM_API_BASE_FILE_URL=self.api.base_file_url,
            WEBHOOK_SECRET=self.secret,
            USER_HASH_KEY=HASH_KEY,  # every worker must hash alike (they refuse to start without)
            DATABASE_URL=self.database_url,
            # Load tests send far more than a person would: no per-user or flood pacing.
            QUESTIONS_PER_MINUTE="1000000",
            RATE_LIMITER_ENABLED="false",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env)
        return env

    def start(self) -> None:
        if self.workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="informe-cluster-")
            self.workdir = Path(self._tmp.name)
        ports = self.ports if isinstance(self.ports, list) else [
            free_port() for _ in range(self.ports)
        ]
        for port in ports:
            self.workers.append(self._spawn(port))
        for index in range(len(self.workers)):
            self.wait_ready(index)
        if self.nginx:
            self._start_nginx()

    def _spawn(self, port: int) -> WorkerProcess:
        assert self.workdir is not None
        log_path = self.workdir / f"worker-{port}.log"
        log_file = log_path.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker", "--listen", "127.0.0.1",
             "--port", str(port), "--path", WEBHOOK_PATH],
            env=self.settings_env(), cwd=self.workdir, stdout=log_file, stderr=subprocess.STDOUT,
        )
        return WorkerProcess(port, process, log_path, log_file)

    def restart(self, index: int) -> None:
        """Start a (killed) worker again on its port."""
        old = self.workers[index]
        if old.alive:
            raise RuntimeError(f"worker {index} is still running")
        old.log_file.close()
        self.workers[index] = self._spawn(old.port)
        self.wait_ready(index)

    def wait_ready(self, index: int, timeout: float = START_TIMEOUT_S) -> dict[str, Any]:
        worker = self.workers[index]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not worker.alive:
                raise RuntimeError(f"worker on port {worker.port} exited:\n{worker.log()}")
            try:
                response = httpx.get(f"{worker.url}/healthz", timeout=2)
                if response.status_code == 200:
                    return response.json()
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"worker on port {worker.port} not ready:\n{worker.log()}")

    def stop(self) -> None:
        for worker in self.workers:
            if worker.alive:
                worker.process.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.process.wait(40)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(10)
            worker.log_file.close()
        if self._nginx is not None and self._nginx.poll() is None:
            self._nginx.send_signal(signal.SIGQUIT)  # graceful: finish proxied requests
            try:
                self._nginx.wait(15)
            except subprocess.TimeoutExpired:
                self._nginx.kill()
                self._nginx.wait(10)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # ------------------------------------------------------------------------------ nginx

    def nginx_config(self, listen_port: int) -> str:
        """A complete nginx.conf: the deployment's proxy snippet in front of these workers."""
        assert self.workdir is not None
        run = self.workdir / "nginx"
        servers = "\n".join(
            f"        server 127.0.0.1:{w.port} max_fails=1 fail_timeout=2s;" for w in self.workers
        )
        temp_paths = "\n".join(
            f"    {kind}_temp_path {run / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # As root, nginx's workers would switch to `nobody`, who cannot enter pytest's tmp dirs.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        return (
            f"{user}worker_processes 1;\n"
            f"pid {run / 'nginx.pid'};\n"
            f"error_log {run / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    access_log off;\n"
            f"{temp_paths}\n"
            "    upstream informe_bot_workers {\n"
            f"{servers}\n"
            "        keepalive 32;\n"
            "    }\n"
            "    server {\n"
            f"        listen 127.0.0.1:{listen_port};\n"
            f"        location = {WEBHOOK_PATH} {{\n"
            f"            include {PROXY_SNIPPET};\n"
            "        }\n"
            "    }\n"
            "}\n"
        )

    def _start_nginx(self) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        assert self.workdir is not None
        run = self.workdir / "nginx"
        run.mkdir(exist_ok=True)
        self.nginx_port = free_port()
        conf = run / "nginx.conf"
        conf.write_text(self.nginx_config(self.nginx_port), encoding="utf-8")
        log_file = (run / "stderr.log").open("ab")
        self._nginx = subprocess.Popen(
            [binary, "-p", str(run), "-c", str(conf), "-g", "daemon off;"],
            stdout=log_file, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._nginx.poll() is not None:
                logs = [run / "stderr.log", run / "error.log"]
                raise RuntimeError("nginx exited: " + "".join(
                    path.read_text(errors="replace") for path in logs if path.exists()
                ))
            try:
                with socket.create_connection(("127.0.0.1", self.nginx_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("nginx did not start listening")

    # ------------------------------------------------------------------------------ using it

    @property
    def webhook_url(self) -> str:
        if self.nginx_port is not None:
            return f"http://127.0.0.1:{self.nginx_port}{WEBHOOK_PATH}"
        return f"{self.workers[0].url}{WEBHOOK_PATH}"

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run `informe-bot ARGS` with the cluster's settings."""
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args], env=self.settings_env(), cwd=self.workdir,
            capture_output=True, text=True, timeout=timeout,
        )

    def set_webhook(self, url: str | None = None, max_connections: int = 40) -> str:
        result = self.cli("set-webhook", url or self.webhook_url,
                          "--max-connections", str(max_connections))
        if result.returncode != 0:
            raise RuntimeError(f"set-webhook failed: {result.stderr}")
        return result.stdout

    def health(self, index: int) -> dict[str, Any]:
        response = httpx.get(f"{self.workers[index].url}/healthz", timeout=10)
        response.raise_for_status()
        return response.json()

    def kill(self, index: int) -> None:
        """SIGKILL: no shutdown, no answers, connections cut, as when the machine loses it."""
        worker = self.workers[index]
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(10)

    def post(self, index: int, update: dict[str, Any], *, secret: str | None = None,
             timeout: float = 60) -> httpx.Response:
        """POST an update straight to one worker, as the Bot API would (secret included)."""
        headers = {SECRET_HEADER: self.secret if secret is None else secret}
        return httpx.post(f"{self.workers[index].url}{WEBHOOK_PATH}", json=update,
                          headers=headers, timeout=timeout)


def take_updates(api: FakeBotApi, *, offset: int = 0) -> list[dict[str, Any]]:
    """Updates queued in the fake Bot API (no webhook set), confirmed, to post by hand."""
    response = httpx.post(f"{api.base_url}{api.token}/getUpdates",
                          json={"offset": offset, "timeout": 0}, timeout=10)
    updates = response.json()["result"]
    if updates:
        httpx.post(f"{api.base_url}{api.token}/getUpdates",
                   json={"offset": updates[-1]["update_id"] + 1, "timeout": 0}, timeout=10)
    return updates
