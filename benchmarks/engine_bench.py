"""Our answer engine over the dev set, repeated: latency, throughput, accuracy, memory.

The store is read once (by the ingest benchmark) and the Engine built once, as the bot does at
start-up; every question then goes through `bot.console.answer_line` with a fresh conversation,
which is `Engine.ask` for free text and the bot's own command code for "/cifra …" items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from benchmarks.accuracy import Item, engine_accuracy
from benchmarks.stats import current_rss_mb, peak_rss_mb
from benchmarks.workload import WorkloadRun, run_workload
from bot.console import answer_line
from bot.engine.answer import Answer
from bot.engine.context import ConversationContext
from bot.engine.core import Engine
from knowledge.model import ParsedReport


@dataclass
class EngineRun:
    engine: Engine
    workload: WorkloadRun[Answer]
    figures: dict[str, Any]
    accuracy: dict[str, Any]


def build_engine(reports: list[ParsedReport]) -> tuple[Engine, float, float | None]:
    """The engine, seconds to build it, and how much resident memory building it added (MiB).

    Resident memory, not tracemalloc: tracing every allocation slows the build several times.
    """
    before = current_rss_mb()
    started = perf_counter()
    engine = Engine(reports)
    seconds = perf_counter() - started
    after = current_rss_mb()
    return engine, seconds, (after - before) if before is not None and after is not None else None


def ask(engine: Engine, question: str) -> Answer:
    return answer_line(engine, question, ConversationContext())[0]


def run_engine(
    reports: list[ParsedReport],
    items: Sequence[Item],
    min_questions: int,
    budget_seconds: float = float("inf"),
) -> EngineRun:
    engine, build_seconds, build_rss_mb = build_engine(reports)
    questions = [str(item["q"]) for item in items]
    run = run_workload(
        lambda q: ask(engine, q),
        questions,
        min_questions,
        key=lambda a: (a.status, a.text),
        budget_seconds=budget_seconds,
    )
    figures = {
        **run.figures(),
        "build_seconds": build_seconds,
        "engine_build_rss_mb": build_rss_mb,
        "peak_rss_mb": peak_rss_mb(),
    }
    return EngineRun(engine, run, figures, engine_accuracy(items, run.first_pass))
