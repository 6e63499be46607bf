"""Load a question set, judge answers with the shared rule, and move the ratchet.

`python -m tests.question_sets.run` answers every set through `bot.cli ask --json -`, prints the
scores and, with `--raise`, records them as the new ratchet when none got worse.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.question_sets.score import expected_number, fold, judge, numbers_in

HERE = Path(__file__).resolve().parent
RATCHET = HERE / "ratchet.json"
SETS = (
    "dev",
    "dev-reworded",
    "dev2",
    "team",
    "fresh-a",
    "fresh-c",
    "fresh-d",
    "fresh-e",
    "clauses",
)


def load_set(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))


@dataclass
class Score:
    name: str
    n: int = 0
    right: int = 0
    hallucinated: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(self.by_kind.items()))
        return (
            f"{self.right}/{self.n} right ({100 * self.right / max(1, self.n):.1f} %), "
            f"{self.hallucinated} out-of-scope answered with a figure; {kinds}"
        )

    def misses(self) -> str:
        return "\n".join(self.wrong)


def score_set(name: str, answers: list[dict[str, Any]]) -> Score:
    score = Score(name)
    for q, ans in zip(load_set(name), answers, strict=True):
        verdict = judge(q, ans)
        if verdict == "right" and not leads_with(q, ans):
            verdict = "wrong"
        kind = score.by_kind.setdefault(q.get("kind") or "?", [0, 0])
        kind[1] += 1
        score.n += 1
        if verdict == "right":
            score.right += 1
            kind[0] += 1
        else:
            score.hallucinated += verdict == "hallucinated"
            got = str(ans.get("text", ""))[:160]
            score.wrong.append(f"[{verdict}] {q.get('id')}: {q['q']!r} -> {got!r}")
    return score


def leads_with(q: dict[str, Any], ans: dict[str, Any]) -> bool:
    """An item with `lead` wants that figure first (the answer's first figure), not merely
    somewhere in a quote that states the sentence's other figures too."""
    lead = q.get("lead")
    if lead is None:
        return True
    figures = ans.get("figures") or []
    value = expected_number(str(lead))
    if not figures or value is None:
        return False
    shown = numbers_in(fold(str(figures[0].get("display") or figures[0].get("raw") or "")))
    return any(abs(value - n) <= 1e-9 * max(1.0, abs(value)) for n in shown)


def answer_all(root: Path) -> dict[str, list[dict[str, Any]]]:
    lines = [q["q"].replace("\n", " ") for name in SETS for q in load_set(name)]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/sets.sqlite3", PYTHONPATH=str(root))
        env.pop("REPORT_PATH", None)
        env.pop("TELEGRAM_BOT_TOKEN", None)
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ask", "--json", "-"], input="\n".join(lines) + "\n",
            capture_output=True, text=True, env=env, cwd=root, check=True,
        )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    out = {}
    for name in SETS:
        size = len(load_set(name))
        out[name], rows = rows[:size], rows[size:]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raise", dest="raise_", action="store_true", help="record new floors")
    parser.add_argument("--verbose", action="store_true", help="list what is not right")
    args = parser.parse_args()
    answers = answer_all(HERE.parents[1])
    floors = json.loads(RATCHET.read_text(encoding="utf-8")) if RATCHET.exists() else {}
    new = {}
    worse = False
    for name in SETS:
        score = score_set(name, answers[name])
        print(f"{name}: {score.line()}")
        if args.verbose:
            print(score.misses())
        old = floors.get(name, {"right": 0, "hallucinated": score.n})
        worse |= score.right < old["right"] or score.hallucinated > old["hallucinated"]
        new[name] = {"right": score.right, "hallucinated": score.hallucinated, "n": score.n}
    if args.raise_:
        if worse:
            print("not raised: a set got worse than its ratchet", file=sys.stderr)
            return 1
        RATCHET.write_text(json.dumps(new, indent=1) + "\n", encoding="utf-8")
        print(f"ratchet written to {RATCHET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
