"""One benchmark run: ingest → engine → BM25 baseline → end to end, figures as one dict."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import tempfile
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.bm25_baseline import run_bm25
from benchmarks.engine_bench import run_engine
from benchmarks.ingest_bench import run_ingest
from benchmarks.stats import peak_rss_mb
from benchmarks.targets import check_targets


@dataclass(frozen=True)
class Options:
    engine_questions: int = 10_000
    engine_budget_seconds: float = 75.0
    bm25_budget_seconds: float = 40.0
    e2e_updates: int = 5_000
    e2e_chats: int = 100
    e2e_budget_seconds: float = 45.0
    skip_e2e: bool = False
    quick: bool = False

    @classmethod
    def quick_sizes(cls, **overrides: Any) -> Options:
        sizes: dict[str, Any] = {
            "engine_questions": 600,
            "engine_budget_seconds": 20.0,
            "bm25_budget_seconds": 10.0,
            "e2e_updates": 300,
            "e2e_chats": 20,
            "e2e_budget_seconds": 20.0,
            "quick": True,
        }
        return cls(**{**sizes, **overrides})


def _load_avg() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return ours / theirs if ours is not None and theirs else None


def run_all(options: Options, report_path: Path | None = None) -> dict[str, Any]:
    from bot.settings import DEFAULT_REPORT_PATH, Settings
    from tests.fakes.devset import load_questions

    report_path = report_path or DEFAULT_REPORT_PATH
    report_id = str(Settings.model_fields["report_id"].default)
    items = load_questions()
    figures: dict[str, Any] = {
        "meta": {
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_avg_start": _load_avg(),
            "quick": options.quick,
            "options": asdict(options),
        },
    }
    rss: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="informe-bench-") as tmp:
        db_path = Path(tmp) / "store.sqlite3"
        ingest = run_ingest(report_path, db_path, report_id)
        figures["ingest"] = ingest.figures
        rss["after_ingest"] = peak_rss_mb()

        engine = run_engine(
            ingest.reports, items, options.engine_questions, options.engine_budget_seconds
        )
        figures["engine"] = engine.figures
        rss["after_engine"] = peak_rss_mb()

        # The same number of questions as the engine answered, so the two are comparable.
        bm25 = run_bm25(
            report_path, items, engine.figures["questions"], options.bm25_budget_seconds
        )
        figures["bm25"] = bm25.figures
        rss["after_bm25"] = peak_rss_mb()

        figures["accuracy"] = {
            "rule": "tests.fakes.devset (is_right for ours; expect_found on the top passage "
            "for BM25)",
            "engine": engine.accuracy,
            "bm25": bm25.accuracy,
            "bm25_threshold": bm25.accuracy_threshold,
        }
        best_bm25 = max(
            bm25.accuracy["overall"]["share"], bm25.accuracy_threshold["overall"]["share"]
        )
        figures["ratios"] = {
            "latency_p50": _ratio(engine.figures["latency_ms"]["p50"],
                                  bm25.figures["latency_ms"]["p50"]),
            "latency_p95": _ratio(engine.figures["latency_ms"]["p95"],
                                  bm25.figures["latency_ms"]["p95"]),
            "latency_p99": _ratio(engine.figures["latency_ms"]["p99"],
                                  bm25.figures["latency_ms"]["p99"]),
            "questions_per_second": _ratio(engine.figures["questions_per_second"],
                                           bm25.figures["questions_per_second"]),
            "accuracy_points": 100 * (engine.accuracy["overall"]["share"] - best_bm25),
        }

        if options.skip_e2e:
            figures["e2e"] = {"skipped": "--skip-e2e"}
        else:
            figures["e2e"] = _run_e2e(engine.engine, db_path, [str(i["q"]) for i in items],
                                      options)
        rss["after_e2e"] = peak_rss_mb()
        figures["flood"] = (
            {"skipped": "--skip-e2e"} if options.skip_e2e else _run_flood(engine.engine, options)
        )
    figures["rss_peak_mb"] = rss
    figures["meta"]["load_avg_end"] = _load_avg()
    figures["targets"] = check_targets(figures)
    return figures


def _run_flood(engine: Any, options: Options) -> dict[str, Any]:
    try:
        from benchmarks.flood_bench import run_flood

        flood = 8 if options.quick else 20
        return asyncio.run(run_flood(engine, flood=flood, others=4 if options.quick else 8))
    except Exception as exc:
        traceback.print_exc()
        return {"skipped": f"failed: {exc!r}"}


def _run_e2e(engine: Any, db_path: Path, questions: list[str], options: Options) -> dict[str, Any]:
    try:
        from benchmarks.e2e_bench import run_e2e
        from db.engine import make_engine
    except ImportError as exc:
        return {"skipped": f"bot not available: {exc}"}
    url = f"sqlite:///{db_path}"
    db_engine = make_engine(url)
    try:
        return asyncio.run(
            run_e2e(engine, db_engine, url, questions, chats=options.e2e_chats,
                    updates=options.e2e_updates, budget_seconds=options.e2e_budget_seconds)
        )
    except Exception as exc:
        traceback.print_exc()
        return {"skipped": f"failed: {exc!r}"}
    finally:
        db_engine.dispose()
