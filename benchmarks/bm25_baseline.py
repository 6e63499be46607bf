"""The baseline a user would pick instead: BM25 over the report's paragraphs and table rows.

Passages come straight from the report text, not from our parser, so the baseline owes nothing
to our ingest: every non-blank line is a paragraph (the report writes one paragraph per line),
short lines (headings, labels such as "PROYECTO" or "2.1") are prefixed to the passage after
them, and each tab-separated row becomes "header: cell | header: cell" so a number keeps the
column it belongs to. The answer is the top passage, quoted whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

from rank_bm25 import BM25Okapi

from benchmarks.accuracy import Item, best_threshold, bm25_accuracy
from benchmarks.stats import peak_rss_mb
from benchmarks.workload import run_workload

_TOKEN = re.compile(r"[a-z0-9]+")
_MARKUP = re.compile(r"\*\*|\\(?=[$%*_])")
LABEL_MAX_WORDS = 5  # lines this short are headings or labels, not paragraphs
LABELS_KEPT = 3


def tokenize(text: str) -> list[str]:
    """Lowercase, fold accents (ñ → n), split on anything that is not a letter or digit."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _TOKEN.findall(folded)


def passages_from_text(text: str) -> list[str]:
    """Paragraphs and table rows of a report, as described in the module docstring."""
    passages: list[str] = []
    labels: list[str] = []
    header: list[str] | None = None
    for raw in text.splitlines():
        line = _MARKUP.sub("", raw).strip()
        if not line:
            continue
        if "\t" in raw:
            cells = [c.strip() for c in _MARKUP.sub("", raw).split("\t")]
            if header is None:
                header = cells
                continue
            pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False) if c]
            passages.append(" | ".join([*labels, *pairs]) if labels else " | ".join(pairs))
            continue
        if header is not None:
            # The table ended: its caption does not label what follows it.
            header, labels = None, []
        if len(line.split()) <= LABEL_MAX_WORDS:
            labels = [*labels, line][-LABELS_KEPT:]
            continue
        passages.append(" ".join([*labels, line]))
        labels = []
    return passages


@dataclass
class Bm25Hit:
    passage: str
    score: float


class Bm25Baseline:
    """BM25Okapi (rank_bm25, default k1/b) answering with its single best passage."""

    def __init__(self, passages: list[str]) -> None:
        if not passages:
            raise ValueError("BM25 needs at least one passage")
        self.passages = passages
        self.index = BM25Okapi([tokenize(p) for p in passages])

    @classmethod
    def from_file(cls, path: Path) -> Bm25Baseline:
        return cls(passages_from_text(path.read_text(encoding="utf-8")))

    def top(self, question: str) -> Bm25Hit:
        scores = self.index.get_scores(tokenize(question))
        best = int(scores.argmax())
        return Bm25Hit(self.passages[best], float(scores[best]))


def build_seconds(path: Path) -> tuple[Bm25Baseline, float]:
    started = perf_counter()
    baseline = Bm25Baseline.from_file(path)
    return baseline, perf_counter() - started


@dataclass
class Bm25Run:
    figures: dict[str, Any]
    accuracy: dict[str, Any]  # plain BM25: always answers
    accuracy_threshold: dict[str, Any]  # refusing below the best threshold for this set


def run_bm25(
    report_path: Path,
    items: Sequence[Item],
    min_questions: int,
    budget_seconds: float = float("inf"),
) -> Bm25Run:
    baseline, seconds = build_seconds(report_path)
    questions = [str(item["q"]) for item in items]
    run = run_workload(
        baseline.top, questions, min_questions, key=lambda h: h.passage,
        budget_seconds=budget_seconds,
    )
    threshold = best_threshold(items, run.first_pass)
    figures = {
        **run.figures(),
        "passages": len(baseline.passages),
        "build_seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
    }
    return Bm25Run(
        figures=figures,
        accuracy=bm25_accuracy(items, run.first_pass, None),
        accuracy_threshold=bm25_accuracy(items, run.first_pass, threshold),
    )
