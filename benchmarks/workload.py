"""The timed loop both answerers go through: the dev questions, repeated, one call at a time."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import perf_counter, process_time
from typing import Generic, TypeVar

from benchmarks.stats import latency_summary

R = TypeVar("R")


@dataclass
class WorkloadRun(Generic[R]):
    first_pass: list[R]  # one result per question, from the first (cold) pass
    latencies: list[float]  # seconds, every call of every pass
    cold_latencies: list[float]  # seconds, first pass only: before any cache has seen a question
    wall_seconds: float
    cpu_seconds: float  # this process's CPU time over the loop: what other load cannot inflate
    changed_answers: int  # calls whose result differed from the first pass (should be 0)
    requested: int  # the minimum number of calls asked for
    stopped_by_budget: bool  # whole passes ran out of time before `requested` calls

    @property
    def calls(self) -> int:
        return len(self.latencies)

    def figures(self) -> dict[str, object]:
        return {
            "questions": self.calls,
            "unique_questions": len(self.first_pass),
            "repeats": self.calls // max(1, len(self.first_pass)),
            "latency_ms": latency_summary(self.latencies),
            "cold_latency_ms": latency_summary(self.cold_latencies),
            "questions_per_second": self.calls / self.wall_seconds if self.wall_seconds else None,
            "wall_seconds": self.wall_seconds,
            "cpu_ms_per_question": 1000 * self.cpu_seconds / self.calls if self.calls else None,
            "changed_answers": self.changed_answers,
            "requested_questions": self.requested,
            "stopped_by_budget": self.stopped_by_budget,
        }


def repeats_for(unique: int, min_total: int) -> int:
    return max(1, math.ceil(min_total / max(1, unique)))


def run_workload(
    answer: Callable[[str], R],
    questions: Sequence[str],
    min_total: int,
    key: Callable[[R], object],
    budget_seconds: float = float("inf"),
) -> WorkloadRun[R]:
    """Answer every question in order, pass after pass, until at least min_total calls.

    A slow answerer stops after the first whole pass that ends past budget_seconds, so one run
    of the suite stays bounded; the figures then say how many calls were made.
    """
    repeats = repeats_for(len(questions), min_total)
    first: list[R] = []
    first_keys: list[object] = []
    latencies: list[float] = []
    changed = 0
    stopped = False
    clock = perf_counter
    cpu_started = process_time()
    started = clock()
    for rep in range(repeats):
        if rep and clock() - started > budget_seconds:
            stopped = True
            break
        for i, question in enumerate(questions):
            t0 = clock()
            result = answer(question)
            latencies.append(clock() - t0)
            if rep == 0:
                first.append(result)
                first_keys.append(key(result))
            elif key(result) != first_keys[i]:
                changed += 1
    wall = clock() - started
    cpu = process_time() - cpu_started
    return WorkloadRun(
        first_pass=first,
        latencies=latencies,
        cold_latencies=latencies[: len(questions)],
        wall_seconds=wall,
        cpu_seconds=cpu,
        changed_answers=changed,
        requested=min_total,
        stopped_by_budget=stopped,
    )
