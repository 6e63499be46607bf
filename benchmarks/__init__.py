"""Benchmarks for informe-bot: ingest, answer engine, a BM25 baseline and the bot end to end.

`python -m benchmarks` runs them all in one process, prints a table and writes the same figures
as JSON (benchmarks/results/latest.json by default). Figures are measured, never asserted: the
smoke test only checks that every code path runs and the JSON has its shape.
"""
