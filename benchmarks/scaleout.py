"""`python -m benchmarks.scaleout`: updates per second with 1 worker vs 3 behind nginx.

Each run gets a fresh PostgreSQL database, starts the workers (tests.fakes.cluster), points the
local Bot API's webhook at nginx, and feeds all updates at once from many chats (open loop): the
figure is how fast the deployment drains them, each answered once. CPU per update is read from
/proc for the workers, nginx and this process (the fake Bot API); PostgreSQL's is not included.

On the 2-core development machine the workers, nginx, PostgreSQL and the load generator share the
same two cores, so three workers cannot be three times faster than one: what the second line
buys is resilience (a worker can die, or restart, without losing an update), and only as much
speed as the idle core allows. `run_scaleout()` is what a benchmark suite calls.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.fakes.botapi import FakeBotApi
from tests.fakes.cluster import Cluster, nginx_binary, prepare_store, scratch_postgres

QUESTIONS = [
    "¿cuántos eventos hubo?",
    "presupuesto",
    "premios",
    "inversión extranjera",
    "/redes",
    "fases de la gestion de cooperacion",
    "pqrs por proceso",
    "cuales son los indicadores de inversion y sus metas 2020",
    "que eventos propios hicimos en noviembre",
    "resumen de atraccion de invercion",
]
FIRST_CHAT = 50_000
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "scaleout.json"


def _cpu_seconds(pid: int, *, children: bool = False) -> float:
    """CPU time of a process (and its children: nginx's master does no work itself)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        kids: list[int] = []
        if children:
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
                kids = [int(child) for child in handle.read().split()]
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(kid) for kid in kids)


def run_once(workers: int, updates: int, chats: int, *, kill_one: bool = False,
             timeout: float = 600.0) -> dict[str, Any]:
    """One deployment of `workers` workers; returns its figures. kill_one: SIGKILL worker 0
    when a third of the updates are answered (duplicates counted)."""
    use_nginx = nginx_binary() is not None
    if workers > 1 and not use_nginx:
        return {"workers": workers, "skipped": "nginx is not installed"}
    api = FakeBotApi().start_in_thread()
    try:
        with scratch_postgres() as url:
            prepare_store(url)
            started = time.perf_counter()
            with Cluster(api, url, ports=workers, nginx=use_nginx) as cluster:
                startup = time.perf_counter() - started
                cluster.set_webhook()
                for index in range(chats):
                    api.register_chat(FIRST_CHAT + index, "private")
                pids = {f"worker{i}": w.process.pid for i, w in enumerate(cluster.workers)}
                if cluster._nginx is not None:
                    pids["nginx"] = cluster._nginx.pid
                pids["fake_bot_api"] = os.getpid()
                def cpu_now() -> dict[str, float]:
                    return {
                        name: _cpu_seconds(pid, children=name == "nginx")
                        for name, pid in pids.items()
                    }

                cpu_before = cpu_now()
                began = time.perf_counter()
                for turn in range(updates):
                    api.send_text(FIRST_CHAT + turn % chats, QUESTIONS[turn % len(QUESTIONS)])
                if kill_one:
                    api.wait_until_sync(lambda: api.sent_count() >= updates // 3, timeout=timeout)
                    killed_cpu = cpu_now()["worker0"]  # what it used until its death
                    cluster.kill(0)
                api.wait_until_sync(
                    lambda: api.sent_count() >= updates and api.pending_updates() == 0,
                    timeout=timeout,
                )
                seconds = time.perf_counter() - began
                cpu_after = cpu_now()
                if kill_one:
                    cpu_after["worker0"] = killed_cpu
                cpu = {
                    name: 1000 * (cpu_after[name] - cpu_before[name]) / updates for name in pids
                }
                health = [cluster.health(i) for i in range(workers) if cluster.workers[i].alive]
                replies = Counter(
                    (m.chat_id, m.reply_to_message_id) for m in api.sent_messages()
                )
    finally:
        api.stop()
    stats = api.stats()
    worker_cpu = sum(v for k, v in cpu.items() if k.startswith("worker"))
    return {
        "workers": workers,
        "killed": 1 if kill_one else 0,
        "nginx": use_nginx,
        "updates": updates,
        "chats": chats,
        "seconds": round(seconds, 2),
        "updates_per_second": round(updates / seconds, 1),
        "startup_seconds": round(startup, 1),
        "answered": stats["sent_messages"],
        "duplicates": sum(n - 1 for n in replies.values() if n > 1),
        "redeliveries": stats["webhook_redeliveries"],
        "failed_deliveries": stats["webhook_failed"],
        "processed_per_worker": [h["processed"] for h in health],
        "cpu_ms_per_update": {
            "workers": round(worker_cpu, 1),
            **{k: round(v, 1) for k, v in cpu.items() if not k.startswith("worker")},
        },
    }


def run_scaleout(updates: int = 1500, chats: int = 50, worker_counts: tuple[int, ...] = (1, 3),
                 kill_run: bool = True) -> dict[str, Any]:
    """Figures for each worker count, plus the speed-up of the largest over one worker and
    (kill_run) the largest count again with one worker SIGKILLed a third of the way."""
    load_average = [round(v, 2) for v in os.getloadavg()]
    runs = [run_once(n, updates, chats) for n in worker_counts]
    rates = {r["workers"]: r.get("updates_per_second") for r in runs}
    base, top = rates.get(1), rates.get(max(worker_counts))
    if kill_run and max(worker_counts) > 1:
        runs.append(run_once(max(worker_counts), updates, chats, kill_one=True))
    return {
        "cpus": os.cpu_count(),
        "load_average": load_average,
        "runs": runs,
        "speedup": round(top / base, 2) if base and top else None,
    }


def render(figures: dict[str, Any]) -> str:
    lines = [
        f"Scale-out ({figures['cpus']} CPUs, load average before "
        f"{' '.join(map(str, figures['load_average']))})",
        f"{'workers':<16} {'updates/s':>9} {'seconds':>8} {'answered':>8} {'dupl.':>5} "
        f"{'startup s':>9}  CPU ms/update: workers nginx fake-API",
    ]
    for run in figures["runs"]:
        label = f"{run['workers']}" + (" (1 SIGKILLed)" if run.get("killed") else "")
        if "skipped" in run:
            lines.append(f"{label:<16} skipped: {run['skipped']}")
            continue
        cpu = run["cpu_ms_per_update"]
        lines.append(
            f"{label:<16} {run['updates_per_second']:>9} {run['seconds']:>8} "
            f"{run['answered']:>8} {run['duplicates']:>5} {run['startup_seconds']:>9}  "
            f"{cpu['workers']:>21} {cpu.get('nginx', '-'):>5} {cpu['fake_bot_api']:>8}"
        )
    if figures["speedup"] is not None:
        lines.append(f"speed-up, most workers vs 1: x{figures['speedup']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout", description=__doc__)
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--no-kill", action="store_true", help="leave out the SIGKILL run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON ({DEFAULT_OUT})")
    args = parser.parse_args(argv)
    figures = run_scaleout(args.updates, args.chats, tuple(args.workers), not args.no_kill)
    print(render(figures))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
