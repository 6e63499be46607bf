"""Evidence must cover the question: discourse weighs nothing, an absent qualifier refuses.

Both properties are generated over the shared dev set, not listed: every dev item answered right
stays right with a discourse phrase from the published list around it, and every figure item
answered right becomes `not_found`, naming the word, once a qualifier the report never uses is
added to it.
"""

from __future__ import annotations

import random

import pytest
import yaml
from rapidfuzz import fuzz

from bot.engine.core import Engine
from bot.engine.coverage import (
    DATA_DIR,
    EXPANSION_SIMILARITY,
    cited_numbers,
    strip_discourse,
)
from bot.engine.normalize import fold, stem
from tests.question_sets.run import load_set
from tests.question_sets.score import judge

DISCOURSE = yaml.safe_load((DATA_DIR / "discourse.yaml").read_text(encoding="utf-8"))
# General nouns for people and places a report may break a figure down by. Only those the
# bundled report never uses, nor anything within the fuzzy threshold of them, are used below.
QUALIFIER_POOL = ["veredas", "estrato", "adolescentes", "campesinas", "indigenas", "odontologos",
                  "veterinarios", "jubilados", "barrios", "corregimientos", "bomberos"]


def _free_text_items() -> list[dict]:
    return [q for q in load_set("dev") if not q["q"].startswith("/")]


def _right(engine: Engine, item: dict, question: str) -> bool:
    answer = engine.ask(question).answer
    return judge(item, answer.model_dump()) == "right"


@pytest.fixture(scope="module")
def right_items(answer_engine: Engine) -> list[dict]:
    return [q for q in _free_text_items() if _right(answer_engine, q, q["q"])]


def _phrases(lang: str) -> list[str]:
    return DISCOURSE["phrases"][lang]


def test_discourse_phrases_change_no_answer(answer_engine: Engine, right_items: list[dict]) -> None:
    rng = random.Random(7)
    lost = []
    for item in right_items:
        phrase = rng.choice(_phrases(item.get("lang", "es")))
        for question in (f"{phrase}, {item['q']}", f"{item['q']} {phrase}"):
            if not _right(answer_engine, item, question):
                lost.append(question)
    assert not lost, lost


def _report_words(answer_engine: Engine) -> set[str]:
    index = next(iter(answer_engine.indexes.values()))
    return set(index.folded_text().split())


def test_an_absent_qualifier_refuses_and_is_named(
    answer_engine: Engine, right_items: list[dict]
) -> None:
    words = _report_words(answer_engine)
    index = next(iter(answer_engine.indexes.values()))
    pool = [
        q for q in QUALIFIER_POOL
        if not any(fuzz.ratio(q, w) >= 85 for w in words if abs(len(w) - len(q)) <= 3)
        and not any(sim >= EXPANSION_SIMILARITY for _, sim in index.expand_term(stem(q)))
    ]
    assert len(pool) >= 3, "the report uses most of the pool; pick other general nouns"
    rng = random.Random(11)
    figures = [q for q in right_items if q["kind"] == "figure" and q.get("lang") == "es"]
    assert figures
    answered = []
    for item in figures:
        qualifier = rng.choice(pool)
        question = f"{item['q'].rstrip(' ?¿')} para los {qualifier}?"
        answer = answer_engine.ask(question).answer
        if answer.status != "not_found" or qualifier not in fold(answer.text):
            answered.append(f"{question!r} -> {answer.status}: {answer.text[:120]!r}")
    assert not answered, "\n".join(answered)


def test_strip_discourse_keeps_the_question() -> None:
    assert strip_discourse("hola, una pregunta rápida: ¿cuántos eventos hubo? gracias!") == (
        "¿cuántos eventos hubo?"
    )
    assert strip_discourse("Gracias") == "Gracias"  # only discourse: the message as it was
    assert strip_discourse("¿Qué premios ganó Medellín? Es para una nota") == (
        "¿Qué premios ganó Medellín?"
    )


def test_cited_numbers_are_not_years_or_thresholds() -> None:
    assert cited_numbers("personas de la comuna 13", {2020}) == ["13"]
    assert cited_numbers("eventos con más de 100 asistentes en 2020", {2020}) == []
    assert cited_numbers("Of the 46 events, how many", set()) == ["46"]


def test_a_stray_digit_after_the_question_changes_nothing(answer_engine: Engine) -> None:
    for item in _free_text_items():
        if not item["q"].rstrip().endswith("?") or item["kind"] != "figure":
            continue
        plain = answer_engine.ask(item["q"]).answer
        for digit in ("0", "7"):
            slipped = answer_engine.ask(f"{item['q']} {digit}").answer
            assert (slipped.status, slipped.text) == (plain.status, plain.text), item["q"]
