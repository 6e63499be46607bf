"""Other users' latency while one user floods the bot (issue 13: one user froze everyone).

The real bot (tests.reliability_support.running_bot: PTB long polling the local Bot API, SQLite
state, production pacing of about one message a second per chat after a burst of three). One
chat sends `flood` questions at once; once its replies are being paced, `others` chats ask one
question each, one after another; their latency is from the question to its reply recorded by
the Bot API. Before the fix the flood's updates held every update slot and the others waited
for the backlog to drain.

    python -m benchmarks.flood_bench [--flood 20] [--others 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

FLOODER = 941_000_001


async def run_flood(engine: Any, *, flood: int = 20, others: int = 8) -> dict[str, Any]:
    from tests.reliability_support import running_bot

    with tempfile.TemporaryDirectory(prefix="informe-flood-") as tmp:
        async with running_bot(engine, Path(tmp), questions_per_minute=10 * flood) as bot:
            for n in range(flood):
                bot.api.send_text(FLOODER, f"hola {n}")
            await bot.api.wait_for_messages(FLOODER, 3, timeout=120)
            latencies = []
            flood_replies_at = []
            for n in range(others):
                started = time.perf_counter()
                await bot.say(FLOODER + 1 + n, "hola", wait_s=120)
                latencies.append(time.perf_counter() - started)
                flood_replies_at.append(bot.api.sent_count(FLOODER))
            drain_started = time.perf_counter()
            await bot.settle(wait_s=flood * 3 + 60)
            drain_s = time.perf_counter() - drain_started
    latencies.sort()
    return {
        "flood_messages": flood,
        "other_chats": others,
        "other_latency_s": {
            "p50": latencies[len(latencies) // 2],
            "max": latencies[-1],
            "mean": sum(latencies) / len(latencies),
        },
        "flood_replies_when_others_answered": flood_replies_at,
        "flood_drain_after_others_s": drain_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.flood_bench")
    parser.add_argument("--flood", type=int, default=20)
    parser.add_argument("--others", type=int, default=8)
    args = parser.parse_args(argv)
    from bot.engine.core import Engine
    from bot.settings import DEFAULT_REPORT_PATH
    from knowledge.ingest import parse_report, read_report_file

    report = parse_report(read_report_file(DEFAULT_REPORT_PATH), report_id="aci-medellin-2020",
                          source_name=DEFAULT_REPORT_PATH.name)
    figures = asyncio.run(run_flood(Engine([report]), flood=args.flood, others=args.others))
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
