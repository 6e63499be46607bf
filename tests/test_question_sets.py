"""The shared question sets, answered the way acceptance answers them and scored by its rule.

All sets go through one `python -m bot.cli ask --json -` process on a store built from the bundled
report (what the before-stop hook and acceptance run), and each answer is judged by a verbatim copy
of `shared/questions/score.py` (`tests/question_sets/score.py`). The scores are printed. A ratchet
(`tests/question_sets/ratchet.json`) holds each set's right count and its out-of-scope items
answered with a figure ("hallucinated") to the last landed values: a change may not make either
worse. Raise the ratchet when a change improves a set (`python -m tests.question_sets.ratchet`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.question_sets.run import RATCHET, SETS, load_set, score_set

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Every set's answers from one batch process, as acceptance runs it."""
    store = tmp_path_factory.mktemp("sets") / "sets.sqlite3"
    questions = {name: load_set(name) for name in SETS}
    lines = [q["q"].replace("\n", " ") for name in SETS for q in questions[name]]
    env = {k: v for k, v in os.environ.items() if k not in {"TELEGRAM_BOT_TOKEN", "REPORT_PATH"}}
    env.update(DATABASE_URL=f"sqlite:///{store}", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "-"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert len(rows) == len(lines), (len(rows), len(lines))
    out: dict[str, list[dict[str, Any]]] = {}
    for name in SETS:
        out[name], rows = rows[: len(questions[name])], rows[len(questions[name]) :]
    return out


@pytest.mark.parametrize("name", SETS)
def test_set_holds_the_ratchet(
    name: str, answers: dict[str, list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    score = score_set(name, answers[name])
    with capsys.disabled():
        print(f"\n{name}: {score.line()}")
    floor = json.loads(RATCHET.read_text(encoding="utf-8"))[name]
    assert score.right >= floor["right"], (
        f"{name}: {score.right} right, the ratchet holds {floor['right']}\n" + score.misses()
    )
    assert score.hallucinated <= floor["hallucinated"], (
        f"{name}: {score.hallucinated} out-of-scope questions answered with a figure, "
        f"the ratchet holds {floor['hallucinated']}\n" + score.misses()
    )


def test_score_rule_is_the_shared_one() -> None:
    """The copy of score.py is verbatim (when the shared folder is beside the clone)."""
    shared = ROOT.parent / "shared" / "questions" / "score.py"
    if not shared.exists():
        pytest.skip("no shared/ beside this clone")
    ours = ROOT / "tests" / "question_sets" / "score.py"
    assert ours.read_bytes() == shared.read_bytes()
