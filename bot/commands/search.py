"""Commands the engine answers: /cifra, /buscar, /seccion, /resumen, the topic lists (/redes,
/premios) and /fuente, which quotes what the last answer rests on."""

from __future__ import annotations

import re

from bot.commands.base import Call
from bot.reply import Reply
from bot.report_tables import Option, clean_cell, section_title, sentence_case, shorten
from bot.texts import say
from knowledge.text import fold

_SECTION_NUMBER = re.compile(r"^§?\s*(\d{1,2}(?:[.,]\d{1,2}){0,2})\.?$")
QUOTE_LIMIT = 600

# What the topic commands ask the engine, by the command's own name; the enumeration stem is the
# fallback when the engine has no answer (it selects the report's own list by its key or title).
TOPIC_STEMS = {"redes": "red", "premios": "premio"}


def topic_options(call: Call) -> list[Option]:
    return [Option(topic, topic) for topic in call.engine.topics(call.lang)]


def cifra(call: Call) -> Reply:
    if not call.args:
        return call.choose(call.say("pick_figure"), topic_options(call))
    # Said as a question for a figure, so the engine prefers a number over a sentence about it.
    return call.ask(call.say("figure_question", topic=call.args))


def buscar(call: Call) -> Reply:
    if not call.args:
        return call.choose(call.say("pick_search"), topic_options(call))
    return call.answered(call.engine.search(call.args, call.lang, 5))


def chapter_options(call: Call) -> list[Option]:
    return [
        Option(s.number, f"{s.number}. {section_title(call.report, s.number)}")
        for s in call.report.sections
        if s.level == 1
    ]


def seccion(call: Call) -> Reply:
    if not call.args:
        return call.choose(call.say("pick_section"), chapter_options(call))
    match = _SECTION_NUMBER.match(call.args)
    if match is None:
        return call.choose(
            call.say("not_a_section", args=call.args), chapter_options(call), status="not_found"
        )
    number = match.group(1).replace(",", ".")
    answer = call.engine.section_answer(number, call.lang)
    if answer.status != "answered":
        return call.reply(answer, choices=call.choices(chapter_options(call)))
    return call.answered(answer)


def resumen(call: Call) -> Reply:
    if not call.args:
        return call.choose(call.say("pick_summary"), topic_options(call))
    if re.fullmatch(r"§?\s*\d{1,2}(?:\.\d{1,2}){0,2}", call.args):
        return call.answered(call.engine.section_answer(call.args.lstrip("§ "), call.lang))
    # A topic goes to the engine's summary, which weighs titles and what each section says.
    return call.ask(call.say("summary_question", topic=call.args))


def topic_list(call: Call) -> Reply:
    """The report's own list for the command's topic, as the engine answers it."""
    stem = TOPIC_STEMS[call.spec.name]
    topic = next(
        (t for t in call.engine.topics(call.lang) if re.search(rf"\b{stem}", fold(t))), None
    )
    result = call.ask(topic or call.spec.description(call.lang))
    if result.answer.status == "answered":
        return result
    listed = enumeration_reply(call, stem)
    return listed if listed is not None else result


def enumeration_reply(call: Call, stem: str) -> Reply | None:
    from bot.engine.answer import Source

    report = call.report
    for enumeration in report.enumerations:
        if stem in fold(enumeration.key) or stem in fold(enumeration.title):
            lines = [f"{sentence_case(clean_cell(enumeration.title), report)}:"]
            for item in enumeration.items:
                extra = f": {clean_cell(item.description)}" if item.description else ""
                lines.append(f"• {clean_cell(item.label)}{extra}")
            source = Source(
                section=enumeration.section,
                title=section_title(report, enumeration.section),
                quote="; ".join(clean_cell(i.label) for i in enumeration.items),
                line=enumeration.items[0].line if enumeration.items else None,
            )
            return call.answered(call.answer("\n".join(lines), kind="list", sources=[source]))
    return None


def fuente(call: Call) -> Reply:
    last = call.last_answer
    if last is None or not last.sources:
        return call.reply(call.answer(call.say("no_source_yet"), "not_found", kind="source"))
    lines = [call.say("source_intro")]
    seen: set[tuple[str, str]] = set()
    for source in last.sources:
        if (source.section, source.quote) in seen:
            continue
        seen.add((source.section, source.quote))
        where = source.label()
        if source.line is not None:
            where += f" ({say('line', call.lang)} {source.line})"
        quote = shorten(" ".join(_quote_of(call, source.quote, source.line).split()), QUOTE_LIMIT)
        lines += ["", where, f"{call.say('quote_open')}{quote}{call.say('quote_close')}"]
    return call.reply(call.answer("\n".join(lines), kind="source", sources=last.sources))


def _quote_of(call: Call, quote: str, line: int | None) -> str:
    """The quote as the source gives it; the report's line itself when the source gives none."""
    if quote.strip() or line is None or not 0 < line <= len(call.report.lines):
        return quote
    return clean_cell(call.report.lines[line - 1])
