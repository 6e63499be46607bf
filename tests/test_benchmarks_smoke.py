"""The benchmark suite on tiny sizes: every code path runs and the JSON has its shape.

Figures are never asserted here (speed is measured by `python -m benchmarks`, not by tests);
what is checked is structure and correctness: counts add up, no update is lost, the BM25
baseline and its scoring behave as documented.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks.__main__ import main
from benchmarks.accuracy import best_threshold, bm25_accuracy
from benchmarks.bm25_baseline import Bm25Baseline, Bm25Hit, passages_from_text, tokenize
from benchmarks.stats import latency_summary, percentile
from benchmarks.targets import TARGETS

LATENCY_KEYS = {"p50", "p95", "p99", "max", "mean"}


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "latest.json"
    code = main(
        ["--quick", "--questions", "60", "--updates", "6", "--chats", "3", "--out", str(out)]
    )
    assert code == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_json_sections(figures: dict[str, Any]) -> None:
    assert {"meta", "ingest", "engine", "bm25", "accuracy", "ratios", "e2e", "targets",
            "rss_peak_mb"} <= set(figures)
    assert figures["meta"]["quick"] is True


def test_ingest_figures(figures: dict[str, Any]) -> None:
    ingest = figures["ingest"]
    assert ingest["store_bytes"] > 0
    assert ingest["rows"]["sections"] > 0 and ingest["rows"]["facts"] > 0
    for key in ("migrate_seconds", "parse_seconds", "save_seconds", "load_seconds"):
        assert ingest[key] >= 0


@pytest.mark.parametrize("stage", ["engine", "bm25"])
def test_answering_figures(figures: dict[str, Any], stage: str) -> None:
    block = figures[stage]
    assert block["questions"] >= 60
    assert block["questions"] == block["unique_questions"] * block["repeats"]
    assert set(block["latency_ms"]) == LATENCY_KEYS
    assert block["latency_ms"]["p50"] <= block["latency_ms"]["p99"] <= block["latency_ms"]["max"]
    assert block["questions_per_second"] > 0
    assert block["changed_answers"] == 0  # both answerers are deterministic


def test_accuracy_counts_add_up(figures: dict[str, Any]) -> None:
    total = figures["engine"]["unique_questions"]
    for name in ("engine", "bm25", "bm25_threshold"):
        block = figures["accuracy"][name]
        assert block["overall"]["total"] == total
        assert block["in_scope"]["total"] + block["out_of_scope_refused"]["total"] == total
        assert block["overall"]["right"] == (
            block["in_scope"]["right"] + block["out_of_scope_refused"]["right"]
        )
        assert len(block["wrong_ids"]) == total - block["overall"]["right"]
    # Plain BM25 always answers, so it never refuses an out-of-scope question.
    assert figures["accuracy"]["bm25"]["out_of_scope_refused"]["right"] == 0


def test_end_to_end_ran_without_loss(figures: dict[str, Any]) -> None:
    e2e = figures["e2e"]
    assert "skipped" not in e2e, e2e.get("skipped")
    assert e2e["rate_limiter"].startswith("OFF")
    assert e2e["updates"] == 6 and e2e["chats"] == 3
    assert e2e["answered"] == e2e["updates"] and e2e["lost_updates"] == 0
    assert e2e["never_delivered"] == 0
    assert set(e2e["reply_ms"]) == LATENCY_KEYS


def test_flood_figures(figures: dict[str, Any]) -> None:
    flood = figures["flood"]
    assert "skipped" not in flood, flood
    assert {"p50", "max", "mean"} <= set(flood["other_latency_s"])
    assert len(flood["flood_replies_when_others_answered"]) == flood["other_chats"]


def test_every_target_reported(figures: dict[str, Any]) -> None:
    rows = figures["targets"]
    assert [r["name"] for r in rows] == [t.name for t in TARGETS]
    assert all(r["status"] in {"PASS", "MISS"} for r in rows)  # all measured in this run


def test_tokenize_folds_case_and_accents() -> None:
    assert tokenize("Inversión EXTRANJERA, año 2020: ¡Medellín!") == [
        "inversion", "extranjera", "ano", "2020", "medellin",
    ]


def test_passages_keep_column_names_and_labels() -> None:
    text = (
        "3.2\n\nINDICADORES DE INVERSIÓN\n\n"
        "INDICADOR\tMETA 2020\tAVANCE\n"
        "Monto de inversión\t350\t381,3\n\n"
        "Un párrafo largo que habla de la **inversión** extranjera en la ciudad.\n"
    )
    passages = passages_from_text(text)
    assert passages[0] == (
        "3.2 | INDICADORES DE INVERSIÓN | INDICADOR: Monto de inversión | META 2020: 350 | "
        "AVANCE: 381,3"
    )
    assert passages[1] == "Un párrafo largo que habla de la inversión extranjera en la ciudad."


def test_bm25_answers_with_the_best_passage() -> None:
    baseline = Bm25Baseline([
        "El presupuesto de la agencia fue de 2.800 millones de pesos.",
        "La ciudad participó en 46 eventos internacionales durante el año.",
        "Las redes de ciudades incluyen C40 y ciudades resilientes.",
    ])
    assert "46 eventos" in baseline.top("¿En cuántos eventos participó?").passage


def test_threshold_lets_bm25_refuse() -> None:
    items = [
        {"id": "in", "kind": "figure", "expect": ["46"]},
        {"id": "out", "kind": "out_of_scope", "expect": []},
    ]
    hits = [Bm25Hit("participó en 46 eventos", 5.0), Bm25Hit("otra cosa", 1.0)]
    assert bm25_accuracy(items, hits, None)["overall"]["right"] == 1
    threshold = best_threshold(items, hits)
    assert 1.0 < threshold <= 5.0
    assert bm25_accuracy(items, hits, threshold)["overall"]["right"] == 2


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert latency_summary([0.001, 0.002])["max"] == pytest.approx(2.0)
