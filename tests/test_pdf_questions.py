"""The shared question sets score the same on a report read from a PDF as on the bundled text.

Answers are judged by the shared scorer (`judge` of score.py beside the question sets, in
$INFORME_QUESTIONS_DIR or /work/shared/questions); the score of each set on each PDF layout
must be within 2 points of the bundled text's.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from bot.engine.answer import Answer
from bot.engine.core import Engine
from knowledge.model import ParsedReport
from tests.pdf_support import layout_params, read_back

QUESTIONS_DIR = Path(os.environ.get("INFORME_QUESTIONS_DIR", "/work/shared/questions"))
SETS = ("dev.yaml", "dev-reworded.yaml", "dev2.yaml")
MAX_POINTS_APART = 2.0


def _scorer() -> ModuleType:
    path = QUESTIONS_DIR / "score.py"
    if not path.exists():
        pytest.skip(f"shared question sets not found in {QUESTIONS_DIR}")
    spec = importlib.util.spec_from_file_location("shared_score", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ask(engine: Engine, question: str) -> Answer:
    if question.startswith("/"):
        from bot.console import answer_line
        from bot.engine.context import ConversationContext

        return answer_line(engine, question, ConversationContext())[0]
    return engine.ask(question).answer


def _scores(report: ParsedReport, scorer: ModuleType) -> dict[str, float]:
    engine = Engine([report])
    scores: dict[str, float] = {}
    for name in SETS:
        items = yaml.safe_load((QUESTIONS_DIR / name).read_text(encoding="utf-8"))
        right = sum(scorer.judge(q, _ask(engine, q["q"]).model_dump()) == "right" for q in items)
        scores[name] = 100 * right / len(items)
    return scores


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    return _scorer()


@pytest.fixture(scope="module")
def bundled_scores(parsed_report: ParsedReport, scorer: ModuleType) -> dict[str, float]:
    return _scores(parsed_report, scorer)


@pytest.mark.parametrize("layout", layout_params())
def test_pdf_scores_like_the_text(layout, pdf_dir: Path, scorer: ModuleType,
                                  bundled_scores: dict[str, float],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    scores = _scores(read_back(layout, pdf_dir).report, scorer)
    with capsys.disabled():
        print("\n" + ", ".join(f"{name}: {scores[name]:.1f} (text {bundled_scores[name]:.1f})"
                               for name in SETS) + f" [{layout.name}]")
    for name in SETS:
        assert abs(scores[name] - bundled_scores[name]) <= MAX_POINTS_APART, (name, scores)
