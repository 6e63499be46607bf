"""Scoring both answerers on the dev set with the tests' own rule (tests.fakes.devset).

Our engine is scored with `is_right` on its Answer. BM25 has no Answer: an in-scope item is right
when every expected string is in the top passage (the same `expect_found`), and an out-of-scope
item is right only when the answer is withheld, which plain BM25 never does. With a score
threshold it may refuse; `best_threshold` picks the one that scores best on this very set, so
the thresholded baseline is an optimistic upper bound for BM25, not a tuned product.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tests.fakes.devset import expect_found, is_right

if TYPE_CHECKING:
    from benchmarks.bm25_baseline import Bm25Hit
    from bot.engine.answer import Answer

Item = dict[str, Any]


def out_of_scope(item: Item) -> bool:
    return item.get("kind") == "out_of_scope"


def _tally(items: Sequence[Item], right: Sequence[bool]) -> dict[str, Any]:
    def share(selected: list[bool]) -> dict[str, Any]:
        total = len(selected)
        hits = sum(selected)
        return {"right": hits, "total": total, "share": hits / total if total else None}

    inside = [r for item, r in zip(items, right, strict=True) if not out_of_scope(item)]
    outside = [r for item, r in zip(items, right, strict=True) if out_of_scope(item)]
    return {
        "overall": share(list(right)),
        "in_scope": share(inside),
        "out_of_scope_refused": share(outside),
        "wrong_ids": [str(item.get("id")) for item, r in zip(items, right, strict=True) if not r],
    }


def engine_accuracy(items: Sequence[Item], answers: Sequence[Answer]) -> dict[str, Any]:
    return _tally(items, [is_right(item, a) for item, a in zip(items, answers, strict=True)])


def bm25_right(item: Item, hit: Bm25Hit, threshold: float | None) -> bool:
    refused = threshold is not None and hit.score < threshold
    if out_of_scope(item):
        return refused
    return not refused and all(expect_found(str(e), hit.passage) for e in item.get("expect", []))


def bm25_accuracy(
    items: Sequence[Item], hits: Sequence[Bm25Hit], threshold: float | None
) -> dict[str, Any]:
    result = _tally(items, [bm25_right(i, h, threshold) for i, h in zip(items, hits, strict=True)])
    result["threshold"] = threshold
    return result


def best_threshold(items: Sequence[Item], hits: Sequence[Bm25Hit]) -> float:
    """The refusal threshold (a top score seen on this set) with the most items right."""
    candidates = sorted({0.0, *(h.score for h in hits)})
    # Refusing below a candidate score keeps that score: the next float up refuses it too.
    scored = [
        (sum(bm25_right(i, h, t) for i, h in zip(items, hits, strict=True)), -t, t)
        for t in candidates + [c + 1e-9 for c in candidates]
    ]
    return max(scored)[2]
