"""A figure the report gives for several members together is never stated as one member's.

Cases are found by rule in the ingested report: every sentence with a money figure and a
coordinated list of three or more names ("gracias a los aportes del Grupo EMI, Grupo Réditos,
Globant y funcionarios"). Asking how much one member gave must not answer that figure.
"""

from __future__ import annotations

import re

from bot.engine.core import Engine as AnswerEngine
from bot.engine.coverage import joint_members


def test_joint_members_reads_a_coordinated_list() -> None:
    sentence = "Se lograron USD 3 millones gracias a los aportes de Alfa, Beta Uno, Gamma y Delta."
    assert joint_members(sentence, "gamma") == ["Alfa", "Beta Uno", "Gamma", "Delta"]
    assert joint_members("Alfa aportó USD 3 millones y Beta nada.", "alfa") is None


def _cases(answer_engine: AnswerEngine) -> list[tuple[str, str, str]]:
    engine_index = answer_engine._request("x", "es").index
    cases = []
    for passage in engine_index.passages:
        if passage.kind != "sentence" or not any(n.unit in ("COP", "USD") for n in passage.numbers):
            continue
        for word in re.findall(r"\b[A-ZÁÉÍÓÚÑ][a-záéíóúñ]{3,}\b", passage.text):
            members = joint_members(passage.text, word)
            # A member written as a single name ("Globant"), asked about on its own.
            if members and word in members:
                cases.append((word, passage.text, members[0]))
                break
    return cases


def test_a_members_share_of_a_joint_figure_is_not_answered(answer_engine: AnswerEngine) -> None:
    cases = _cases(answer_engine)
    assert cases, "the bundled report has a joint figure"
    for member, sentence, _first in cases:
        answer = answer_engine.ask(f"cuanto aporto {member}").answer
        if answer.status == "answered" and answer.sources:
            assert answer.sources[0].quote[:60] != sentence[:60], (member, answer.text)
