"""/start and /ayuda: what the bot does, example questions it answers, the command list."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from bot.commands.base import Call
from bot.commands.catalog import COMMANDS, FORGET
from bot.engine import operators
from bot.engine.answer import Language as Lang
from bot.reply import Reply
from bot.report_tables import month_name, report_title, section_title
from bot.texts import say

EXAMPLES = 3
EXAMPLE_CHARS = 70  # an example is read at a glance
_EXAMPLES: WeakKeyDictionary[object, dict[str, list[str]]] = WeakKeyDictionary()


def start(call: Call) -> Reply:
    quoted = [f"{call.say('quote_open')}{q}{call.say('quote_close')}" for q in examples(call)]
    text = call.say("start", title=report_title(call.report), examples=", ".join(quoted))
    return call.reply(call.answer(text, kind="help"))


def examples(call: Call) -> list[str]:
    """Questions made from the report's own tables and chapters that the engine answers: a
    /start example must never lead to "¿Quisiste decir…?"."""
    cache = _EXAMPLES.setdefault(call.engine, {})
    if call.lang not in cache:
        found = []
        for question in _candidates(call):
            if len(question) > EXAMPLE_CHARS:
                continue
            if call.engine.ask(question).answer.status == "answered":
                found.append(question)
            if len(found) == EXAMPLES:
                break
        cache[call.lang] = found
    return cache[call.lang]


def _candidates(call: Call) -> list[str]:
    report, lang = call.report, call.lang
    out = []
    indicators = operators.rows_of(operators.tables_of(report, "indicators"))
    for row in sorted(indicators, key=lambda r: len(r.name))[:4]:
        label = row.name
        out.append(say("example_question_indicator", lang, label=label[:1].lower() + label[1:]))
    months: dict[int, int] = {}
    for row in operators.rows_of(operators.tables_of(report, "events")):
        for month in row.months:
            months[month] = months.get(month, 0) + 1
    if months:
        busiest = max(months, key=lambda m: (months[m], -m))
        out.insert(1, say("example_question_events", lang, month=month_name(busiest, lang)))
    chapters = [s for s in report.sections if s.level == 1][1:]
    for section in sorted(chapters, key=lambda s: len(s.title))[:3]:
        title = section_title(report, section.number)
        out.append(say("example_question_section", lang, title=title.lower()))
    return out


def help_text(lang: Lang) -> str:
    lines = [say("help_header", lang)]
    for spec in (*COMMANDS, FORGET):
        names = f"/{spec.name_for(lang)}"
        argument = spec.argument_for(lang)
        if argument:
            names += f" {argument}"
        lines.append(f"{names} — {spec.description(lang)}")
    lines += ["", say("help_footer", lang)]
    return "\n".join(lines)


def ayuda(call: Call) -> Reply:
    return call.reply(call.answer(help_text(call.lang), kind="help"))
