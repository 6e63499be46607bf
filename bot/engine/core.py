"""The answer engine facade. (Temporary minimal version: the lead is writing the real one.)"""

from __future__ import annotations

from pydantic import BaseModel

from bot.engine.answer import Answer
from bot.engine.context import ConversationContext
from knowledge.model import ParsedReport


class EngineReply(BaseModel):
    answer: Answer
    context: ConversationContext


class Engine:
    """Answers questions from reports held in memory (loaded once from the store)."""

    def __init__(self, reports: list[ParsedReport]) -> None:
        if not reports:
            raise ValueError("the engine needs at least one report")
        self.reports = {r.report_id: r for r in reports}
        self.latest_report_id = max(reports, key=lambda r: r.year).report_id

    def ask(self, question: str, context: ConversationContext | None = None) -> EngineReply:
        context = context or ConversationContext()
        answer = Answer(status="not_found", text="No lo sé todavía.", suggestions=self.topics()[:3])
        return EngineReply(answer=answer, context=context)

    def section_answer(self, number: str, lang: str = "es") -> Answer:
        report = self.reports[self.latest_report_id]
        section = report.section(number)
        if section is None:
            return Answer(status="not_found", text=f"No hay sección {number}.", lang="es")
        return Answer(status="answered", text=f"§{section.number} {section.title}", kind="summary")

    def search(self, text: str, lang: str = "es", limit: int = 5) -> Answer:
        return Answer(status="not_found", text="Sin resultados.")

    def topics(self) -> list[str]:
        """Human-readable topics the engine knows, for suggestions and pick-one buttons."""
        report = self.reports[self.latest_report_id]
        return [s.title.capitalize() for s in report.sections if s.level == 1]
