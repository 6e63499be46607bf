"""The whole development question set through the real engine on the real report."""

from __future__ import annotations

import pytest

from bot.engine.core import Engine
from tests.fakes.devset import is_right, load_questions, missing_expects

QUESTIONS = load_questions()


@pytest.fixture(scope="module")
def engine(answer_engine: Engine) -> Engine:
    # The answer engine (conftest's `engine` is the migrated SQL engine).
    return answer_engine


def _ask(engine: Engine, question: str):
    if question.startswith("/"):
        from bot.console import answer_line
        from bot.engine.context import ConversationContext

        return answer_line(engine, question, ConversationContext())[0]
    return engine.ask(question).answer


@pytest.mark.parametrize("item", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_dev_item(engine: Engine, item: dict) -> None:
    answer = _ask(engine, item["q"])
    assert is_right(item, answer), (
        f"{item['q']!r} -> {answer.status}: missing {missing_expects(item, answer)}\n{answer.text}"
    )


def test_dev_score_printed(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    right = sum(is_right(item, _ask(engine, item["q"])) for item in QUESTIONS)
    with capsys.disabled():
        print(f"\ndev set: {right}/{len(QUESTIONS)} right ({100 * right / len(QUESTIONS):.1f} %)")
    assert right == len(QUESTIONS)
