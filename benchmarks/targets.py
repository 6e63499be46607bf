"""The issue's targets, checked against one run's figures: PASS, MISS, or n/a when not measured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measure: Callable[[dict[str, Any]], float | None]
    passes: Callable[[float], bool]
    unit: str


def _get(figures: dict[str, Any], *path: str) -> Any:
    node: Any = figures
    for key in path:
        if not isinstance(node, dict) or node.get(key) is None:
            return None
        node = node[key]
    return node


def _p50_ratio(f: dict[str, Any]) -> float | None:
    ours = _get(f, "engine", "latency_ms", "p50")
    theirs = _get(f, "bm25", "latency_ms", "p50")
    return ours / theirs if ours is not None and theirs else None


def _points_above_bm25(f: dict[str, Any]) -> float | None:
    ours = _get(f, "accuracy", "engine", "overall", "share")
    plain = _get(f, "accuracy", "bm25", "overall", "share")
    tuned = _get(f, "accuracy", "bm25_threshold", "overall", "share")
    if ours is None or plain is None:
        return None
    # Against the better BM25 variant, so the margin is never flattered by a weak baseline.
    return 100 * (ours - max(plain, tuned or 0.0))


def _share(*path: str) -> Callable[[dict[str, Any]], float | None]:
    def measure(f: dict[str, Any]) -> float | None:
        value = _get(f, *path)
        return 100 * value if value is not None else None

    return measure


TARGETS: tuple[Target, ...] = (
    Target("engine p50 vs BM25 p50", "ours/BM25 ≤ 1.00", _p50_ratio, lambda v: v <= 1.0, "×"),
    Target("engine p99 latency", "< 2 ms", lambda f: _get(f, "engine", "latency_ms", "p99"),
           lambda v: v < 2.0, "ms"),
    Target("engine throughput", "≥ 2,000 q/s", lambda f: _get(f, "engine", "questions_per_second"),
           lambda v: v >= 2000, "q/s"),
    Target("dev accuracy", "≥ 95 %", _share("accuracy", "engine", "overall", "share"),
           lambda v: v >= 95.0, "%"),
    Target("accuracy above BM25", "≥ 30 points", _points_above_bm25, lambda v: v >= 30.0, "pts"),
    Target("peak RSS (engine stage)", "< 200 MB", lambda f: _get(f, "engine", "peak_rss_mb"),
           lambda v: v < 200.0, "MB"),
    Target("end-to-end throughput", "≥ 300 updates/s",
           lambda f: _get(f, "e2e", "updates_per_second"), lambda v: v >= 300.0, "upd/s"),
    Target("end-to-end lost updates", "= 0", lambda f: _get(f, "e2e", "lost_updates"),
           lambda v: v == 0, ""),
)


def check_targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for target in TARGETS:
        measured = target.measure(figures)
        status = "n/a" if measured is None else ("PASS" if target.passes(measured) else "MISS")
        rows.append(
            {
                "name": target.name,
                "target": target.goal,
                "measured": measured,
                "unit": target.unit,
                "status": status,
            }
        )
    return rows
