"""Plain-text and JSON renderings of an `Answer` (console chat and `informe-bot ask`)."""

from __future__ import annotations

from bot.engine.answer import Answer
from bot.texts import say as t


def source_line(answer: Answer) -> str:
    """'Fuente: §3.2 Indicadores de inversión' (several sources joined)."""
    seen: list[str] = []
    for source in answer.sources:
        label = source.label()
        if label not in seen:
            seen.append(label)
    if not seen:
        return f"{t('source', answer.lang)}: {answer.report}" if answer.report else ""
    report = f"{answer.report}, " if answer.report else ""
    return f"{t('source', answer.lang)}: {report}{'; '.join(seen[:3])}"


def to_plain_text(answer: Answer) -> str:
    parts = [answer.text.strip()]
    line = source_line(answer)
    if line:
        parts.append(line)
    if answer.status != "answered" and answer.suggestions and "\n" not in answer.text[-200:]:
        parts.append(t("suggest_intro", answer.lang) + " " + "; ".join(answer.suggestions))
    return "\n".join(parts)


def to_json(answer: Answer) -> str:
    return answer.model_dump_json()
