"""The printed table: the same figures as the JSON, laid out for a terminal or the README."""

from __future__ import annotations

from typing import Any


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _pct(share: Any) -> str:
    return "—" if share is None else f"{100 * share:.1f} %"


def _acc(block: dict[str, Any] | None, part: str) -> str:
    if not block:
        return "—"
    cell = block[part]
    return f"{_pct(cell['share'])} ({cell['right']}/{cell['total']})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return [line, rule, *body]


def render(figures: dict[str, Any]) -> str:
    meta = figures["meta"]
    out = [
        f"informe-bot benchmarks — {meta['started_at']} — Python {meta['python']}, "
        f"{meta['cpus']} CPUs, load avg {meta['load_avg_start']} → {meta['load_avg_end']}"
        + (" — QUICK (small sizes)" if meta["quick"] else ""),
        "",
    ]
    ingest = figures["ingest"]
    out += ["Ingest (empty SQLite store, tmp file)"]
    out += _table(
        ["figure", "value"],
        [
            ["report", f"{ingest['report']} ({_num(ingest['report_bytes'])} bytes)"],
            ["migrate schema", f"{_num(ingest['migrate_seconds'] * 1000, 1)} ms"],
            ["parse", f"{_num(ingest['parse_seconds'] * 1000, 1)} ms"],
            ["save", f"{_num(ingest['save_seconds'] * 1000, 1)} ms"],
            ["parse + save (ingest_file)", f"{_num(ingest['ingest_seconds'] * 1000, 1)} ms"],
            ["load back (load_reports)", f"{_num(ingest['load_seconds'] * 1000, 1)} ms"],
            ["store size", f"{_num(ingest['store_bytes'])} bytes"],
            ["rows", ", ".join(f"{k} {v}" for k, v in ingest["rows"].items())],
        ],
    )
    engine, bm25, acc = figures["engine"], figures["bm25"], figures["accuracy"]
    ratios = figures["ratios"]

    def lat(block: dict[str, Any], key: str, q: str) -> str:
        return _num(block[key][q], 3)

    out += ["", f"Answering: {_num(engine['questions'])} questions "
            f"({engine['unique_questions']} dev items × {engine['repeats']}), one process, "
            "store loaded once"
            + (f" — STOPPED BY TIME BUDGET before {_num(engine['requested_questions'])}"
               if engine["stopped_by_budget"] else "")]
    out += _table(
        ["figure", "ours (Engine)", "BM25 baseline", "ours/BM25"],
        [
            ["latency p50 (ms)", lat(engine, "latency_ms", "p50"), lat(bm25, "latency_ms", "p50"),
             _num(ratios["latency_p50"])],
            ["latency p95 (ms)", lat(engine, "latency_ms", "p95"), lat(bm25, "latency_ms", "p95"),
             _num(ratios["latency_p95"])],
            ["latency p99 (ms)", lat(engine, "latency_ms", "p99"), lat(bm25, "latency_ms", "p99"),
             _num(ratios["latency_p99"])],
            ["first pass p50 / p99 (ms)",
             f"{lat(engine, 'cold_latency_ms', 'p50')} / {lat(engine, 'cold_latency_ms', 'p99')}",
             f"{lat(bm25, 'cold_latency_ms', 'p50')} / {lat(bm25, 'cold_latency_ms', 'p99')}", ""],
            ["questions/s", _num(engine["questions_per_second"], 0),
             _num(bm25["questions_per_second"], 0), _num(ratios["questions_per_second"])],
            ["CPU ms per question", _num(engine["cpu_ms_per_question"], 3),
             _num(bm25["cpu_ms_per_question"], 3), ""],
            ["build (s)", _num(engine["build_seconds"], 3), _num(bm25["build_seconds"], 3), ""],
            ["answers changed on repeat", _num(engine["changed_answers"]),
             _num(bm25["changed_answers"]), ""],
            ["dev accuracy (all items)", _acc(acc["engine"], "overall"),
             f"{_acc(acc['bm25'], 'overall')}; thr: {_acc(acc['bm25_threshold'], 'overall')}",
             _num(ratios["accuracy_points"], 1) + " pts"],
            ["in-scope right", _acc(acc["engine"], "in_scope"),
             f"{_acc(acc['bm25'], 'in_scope')}; thr: {_acc(acc['bm25_threshold'], 'in_scope')}",
             ""],
            ["out-of-scope refused", _acc(acc["engine"], "out_of_scope_refused"),
             f"{_acc(acc['bm25'], 'out_of_scope_refused')}; "
             f"thr: {_acc(acc['bm25_threshold'], 'out_of_scope_refused')}", ""],
        ],
    )
    out += [
        f"Engine: peak RSS {_num(engine['peak_rss_mb'], 1)} MB after the engine stage (process: "
        f"ingest + store + engine); building Engine() added "
        f"{_num(engine['engine_build_rss_mb'], 1)} MB resident.",
        f"BM25: rank_bm25.BM25Okapi over {bm25['passages']} passages (paragraphs + table rows), "
        "top passage is the answer; 'thr' refuses below a score threshold "
        f"({_num(acc['bm25_threshold']['threshold'])}) chosen as the best on this very set "
        "(optimistic for BM25).",
        f"Engine wrong: {', '.join(acc['engine']['wrong_ids']) or 'none'}",
    ]
    e2e = figures.get("e2e") or {}
    out += ["", "End to end (real bot ↔ local fake Bot API)"]
    if e2e.get("skipped"):
        out += [f"skipped: {e2e['skipped']}"]
    else:
        out += _table(
            ["figure", "value"],
            [
                ["rate limiter", e2e["rate_limiter"]],
                ["chats × updates", f"{e2e['chats']} × {_num(e2e['updates'])}"],
                ["updates answered/s", _num(e2e["updates_per_second"], 0)],
                ["delivered → reply p50 / p95 / p99 (ms)",
                 f"{_num(e2e['reply_ms']['p50'], 1)} / {_num(e2e['reply_ms']['p95'], 1)} / "
                 f"{_num(e2e['reply_ms']['p99'], 1)}"],
                ["CPU ms per update: bot / fake server",
                 f"{_num(e2e['bot_cpu_ms_per_update'], 2)} / "
                 f"{_num(e2e['server_cpu_ms_per_update'], 2)}"],
                ["lost updates", _num(e2e["lost_updates"])],
                ["bot errors logged", _num(e2e["bot_errors_logged"])
                 + (f" (first: {e2e['bot_error_samples'][0][:120]})"
                    if e2e["bot_error_samples"] else "")],
                ["stopped by time budget", "yes" if e2e["stopped_by_budget"] else "no"],
                ["wall (s)", _num(e2e["wall_seconds"], 2)],
            ],
        )
        out += [f"Setup: {e2e['setup']}."]
    flood = figures.get("flood") or {}
    if flood and not flood.get("skipped"):
        lat = flood["other_latency_s"]
        out += ["", f"Flood (issue 13): one chat sends {flood['flood_messages']} questions at "
                f"once, {flood['other_chats']} other chats then ask one each (production pacing)"]
        out += _table(
            ["figure", "value"],
            [
                ["other chats' latency p50 / max (s)", f"{_num(lat['p50'], 3)} / "
                 f"{_num(lat['max'], 3)}"],
                ["flood replies sent when the others were answered",
                 ", ".join(str(n) for n in flood["flood_replies_when_others_answered"])],
                ["flood still draining afterwards (s)",
                 _num(flood["flood_drain_after_others_s"], 1)],
            ],
        )
    out += ["", "Targets (issue 6; reported, never asserted)"]
    out += _table(
        ["target", "goal", "measured", "status"],
        [
            [t["name"], t["target"], f"{_num(t['measured'])} {t['unit']}".strip(), t["status"]]
            for t in figures["targets"]
        ],
    )
    return "\n".join(out)
