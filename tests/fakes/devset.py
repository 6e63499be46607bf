"""The question-set rule shared by the tests and the benchmark: when is an answer right?

An in-scope item is right when the answer's status is `answered` and every `expect` string is in
its text: text items case- and accent-insensitively, number items by value in either notation
("98,81 %" and "98.81%" match "98,81%"; "381,3 millones" matches "381,30"). An out-of-scope item
is right when the status is `not_found`, or `ambiguous` with no figures.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.engine.answer import Answer
from bot.engine.normalize import fold

DEV_SET = Path(__file__).resolve().parents[1] / "question_sets" / "dev.yaml"
_NUMERIC_EXPECT = re.compile(
    r"^\s*(?:usd|cop)?\s*\$?\s*(\d[\d.,]*)\s*(?:%|mil|millones|billones|mm)?\s*$", re.IGNORECASE
)
_NUMBER_TOKEN = re.compile(r"\d[\d.,]*\d|\d")


def load_questions(path: Path = DEV_SET) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _readings(token: str) -> set[float]:
    """A number token read in Spanish and English notation (both, where ambiguous)."""
    values: set[float] = set()
    spanish = token.replace(".", "").replace(",", ".")
    english = token.replace(",", "")
    for candidate in (spanish, english):
        try:
            values.add(round(float(candidate), 6))
        except ValueError:
            continue
    return values


def expect_value(expect: str) -> float | None:
    """The Spanish-notation value of a numeric expect item ("381,3", "98,81%", "10 mil")."""
    match = _NUMERIC_EXPECT.match(expect)
    if not match:
        return None
    token = match.group(1).rstrip(".,")
    return round(float(token.replace(".", "").replace(",", ".")), 6)


def expect_found(expect: str, text: str) -> bool:
    value = expect_value(expect)
    if value is None:
        return fold(expect) in fold(text)
    return any(value in _readings(token) for token in _NUMBER_TOKEN.findall(text))


def is_right(item: dict[str, Any], answer: Answer) -> bool:
    if item.get("kind") == "out_of_scope":
        return answer.status == "not_found" or (answer.status == "ambiguous" and not answer.figures)
    return answer.status == "answered" and all(
        expect_found(str(e), answer.text) for e in item.get("expect", [])
    )


def missing_expects(item: dict[str, Any], answer: Answer) -> list[str]:
    return [str(e) for e in item.get("expect", []) if not expect_found(str(e), answer.text)]
