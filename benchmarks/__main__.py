"""`python -m benchmarks`: run every benchmark, print the table, write the figures as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.report import render
from benchmarks.suite import Options, run_all

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Ingest, answer engine vs a BM25 baseline, and the bot end to end.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON file ({DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--skip-e2e", action="store_true", help="leave out the bot end to end")
    parser.add_argument("--questions", type=int, help="engine/BM25 questions (default 10,000)")
    parser.add_argument("--updates", type=int, help="end-to-end updates (default 5,000)")
    parser.add_argument("--chats", type=int, help="end-to-end concurrent chats (default 100)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    overrides = {
        key: value
        for key, value in (
            ("engine_questions", args.questions),
            ("e2e_updates", args.updates),
            ("e2e_chats", args.chats),
            ("skip_e2e", args.skip_e2e or None),
        )
        if value is not None
    }
    options = Options.quick_sizes(**overrides) if args.quick else Options(**overrides)
    figures = run_all(options)
    print(render(figures))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nfigures written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
