"""Our own 171-question set through the engine (and the bot's commands), scored like the dev set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.console import answer_line
from bot.engine.context import ConversationContext
from bot.engine.core import Engine
from tests.fakes.devset import is_right, load_questions, missing_expects

EXTRA = load_questions(Path(__file__).with_name("extra_questions.yaml"))
REQUIRED_SHARE = 0.95


@pytest.fixture(scope="module")
def engine(answer_engine: Engine) -> Engine:
    # The answer engine (conftest's `engine` is the migrated SQL engine).
    return answer_engine


def test_extra_questions_score(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = []
    for item in EXTRA:
        answer = answer_line(engine, item["q"], ConversationContext())[0]
        if not is_right(item, answer):
            wrong.append(
                f"{item['id']} {item['q']!r}: {answer.status}, missing "
                f"{missing_expects(item, answer)}"
            )
    right = len(EXTRA) - len(wrong)
    with capsys.disabled():
        print(f"\nextra set: {right}/{len(EXTRA)} right ({100 * right / len(EXTRA):.1f} %)")
    assert right >= REQUIRED_SHARE * len(EXTRA), "\n".join(wrong)
