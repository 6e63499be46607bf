"""The command catalogue (/cifra, /indicadores, /eventos...) and what each command answers.

Shared by the Telegram bot and the console chat: `run_command` is a pure function of the engine,
the arguments and the conversation, and returns an `Answer` (plus a chart PNG or a CSV file for
/grafico and /csv). Nothing here knows about Telegram. A command whose argument is missing or not
understood answers with `choices`: human-readable options that re-run the same command.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.engine.answer import Answer, Figure, Source
from bot.engine.answer import Language as Lang
from bot.engine.context import ConversationContext
from bot.report_tables import (
    MONTHS_EN,
    MONTHS_ES,
    IndicatorPoint,
    Option,
    budget_tables,
    cell_text,
    clean_cell,
    column_index,
    event_tables,
    fold,
    indicator_columns,
    indicator_points,
    indicator_tables,
    match_option,
    month_name,
    month_of,
    project_tables,
    row_quote,
    section_title,
    sentence_case,
    table_title,
)
from knowledge.model import ParsedReport, ParsedTable

if TYPE_CHECKING:  # the engine is passed in; importing it here would tie load order to it
    from bot.engine.core import Engine


@dataclass(frozen=True)
class CommandSpec:
    name: str  # Spanish name, as registered with Telegram ([a-z0-9_], no accents)
    aliases: tuple[str, ...]  # English names
    description_es: str
    description_en: str
    argument_es: str | None = None  # "<tema>", "[mes|tipo]": shown in /ayuda
    argument_en: str | None = None

    def description(self, lang: Lang) -> str:
        return self.description_en if lang == "en" else self.description_es

    def argument(self, lang: Lang) -> str | None:
        return self.argument_en if lang == "en" else self.argument_es

    def name_for(self, lang: Lang) -> str:
        return self.aliases[0] if lang == "en" and self.aliases else self.name


def _spec(name: str, en: str | None, es_desc: str, en_desc: str, *arg: str) -> CommandSpec:
    argument_es, argument_en = (*arg, None, None)[:2]
    return CommandSpec(
        name, (en,) if en else (), es_desc, en_desc, argument_es, argument_en or argument_es
    )


COMMANDS: tuple[CommandSpec, ...] = (
    _spec("start", None, "Presentación y ejemplos", "Introduction and examples"),
    _spec("ayuda", "help", "Cómo usar el bot", "How to use the bot"),
    _spec(
        "cifra", "figure", "Una cifra del informe", "A figure from the report", "<tema>", "<topic>"
    ),
    _spec(
        "indicadores",
        "indicators",
        "Indicadores: meta y resultado",
        "Indicators: target and result",
        "[tema]",
        "[topic]",
    ),
    _spec(
        "eventos",
        "events",
        "Eventos por mes o tipo",
        "Events by month or type",
        "[mes|tipo]",
        "[month|type]",
    ),
    _spec("presupuesto", "budget", "Ejecución presupuestal", "Budget execution"),
    _spec("proyectos", "projects", "Proyectos de ciudad", "City projects"),
    _spec("redes", "networks", "Redes internacionales de ciudad", "International city networks"),
    _spec("premios", "awards", "Premios internacionales", "International awards"),
    _spec("donaciones", "donations", "Donaciones gestionadas", "Donations obtained"),
    _spec("seccion", "section", "Una sección del informe", "A section of the report", "<n>"),
    _spec("resumen", "summary", "Resumen de un tema", "Summary of a topic", "[tema]", "[topic]"),
    _spec("buscar", "search", "Buscar en el informe", "Search the report", "<texto>", "<text>"),
    _spec("fuente", "source", "Fuente de la última respuesta", "Source of the last answer"),
    _spec("grafico", "chart", "Gráfico (imagen PNG)", "Chart (PNG image)", "<tema>", "<topic>"),
    _spec("csv", None, "Una tabla en CSV", "A table as CSV", "<tabla>", "<table>"),
)
_BY_NAME = {name: spec for spec in COMMANDS for name in (spec.name, *spec.aliases)}

# What the topic commands ask the engine; the enumeration words are the fallback when the engine
# has no answer (they select the report's own list by its key or title).
TOPIC_QUERIES: dict[str, dict[str, str]] = {
    "redes": {
        "es": "redes internacionales de ciudad en las que participa",
        "en": "international city networks it takes part in",
        "words": "red",
    },
    "premios": {
        "es": "premios internacionales que ganó",
        "en": "international awards won",
        "words": "premio",
    },
    "donaciones": {
        "es": "donaciones gestionadas para enfrentar la pandemia",
        "en": "donations obtained to face the pandemic",
        "words": "donac",
    },
}


def resolve_command(name: str) -> CommandSpec | None:
    """The spec for a command name or alias ("help" -> ayuda), ignoring case and a leading /."""
    return _BY_NAME.get(name.lstrip("/").split("@")[0].lower())


def command_lang(name: str, default: Lang = "es") -> Lang:
    """English when the user typed the English alias; `default` for names shared by both."""
    spec = resolve_command(name)
    typed = name.lstrip("/").split("@")[0].lower()
    if spec is None or spec.name in ("start", "csv"):
        return default
    return "en" if typed in spec.aliases else "es"


@dataclass
class CommandResult:
    answer: Answer  # what to show; when `choices` is set, the question that asks to pick
    choices: list[Option] = field(default_factory=list)  # pick-one buttons that re-run `command`
    command: str | None = None  # canonical name of the command the choices re-run
    context: ConversationContext | None = None  # next conversation context, when it changes
    remember: bool = False  # a real answer: log it and keep it as the chat's last (for /fuente)
    photo: bytes | None = None  # PNG, for /grafico
    document: bytes | None = None  # CSV, for /csv
    filename: str | None = None


def run_command(
    engine: Engine,
    name: str,
    args: str,
    context: ConversationContext | None = None,
    lang: Lang = "es",
    *,
    last_answer: Answer | None = None,
) -> CommandResult:
    """Run one command; `args` is the text after the command ("" when none was given)."""
    spec = resolve_command(name)
    context = context or ConversationContext()
    args = " ".join(args.split())
    if spec is None:
        return _unknown_command(name, lang)
    handler = _HANDLERS[spec.name]
    result = handler(_Call(engine, spec, args, context, lang, last_answer))
    from bot.engine.reports import name_answer

    name_answer(engine, result.answer)  # every command's reply names its report and year
    return result


# ----------------------------------------------------------------------------- plumbing


@dataclass(frozen=True)
class _Call:
    engine: Engine
    spec: CommandSpec
    args: str
    context: ConversationContext
    lang: Lang
    last_answer: Answer | None

    @property
    def report(self) -> ParsedReport:
        return self.engine.reports[self.engine.latest_report_id]

    def match(self, options: list[Option]) -> Option | None:
        """The option the argument names; the command's own name in it is filler ("/eventos de
        octubre", "/grafico eventos" -> "eventos" is the chart's name, kept when it is all)."""
        names = (self.spec.name, *self.spec.aliases)
        found = match_option(self.args, options, ignore=names)
        return found or match_option(self.args, options)

    def t(self, es: str, en: str) -> str:
        return en if self.lang == "en" else es

    def answer(self, text: str, status: str = "answered", **fields: object) -> Answer:
        return Answer.model_validate(
            {
                "status": status,
                "text": text,
                "lang": self.lang,
                "report_id": self.engine.latest_report_id,
                "intent": f"command:{self.spec.name}",
                "score": 1.0 if status == "answered" else 0.0,
                **fields,
            }
        )

    def choose(
        self, prompt: str, options: list[Option], status: str = "ambiguous"
    ) -> CommandResult:
        if not options:
            text = self.t(
                "El informe no trae datos para este comando.",
                "The report has no data for this command.",
            )
            return CommandResult(self.answer(text, "not_found"))
        return CommandResult(
            self.answer(prompt, status, kind="help"),
            choices=options,
            command=self.spec.name_for(self.lang),
        )

    def ask(self, question: str) -> CommandResult:
        reply = self.engine.ask(question, self.context)
        return CommandResult(reply.answer, context=reply.context, remember=True)


Handler = Callable[[_Call], CommandResult]


def _unknown_command(name: str, lang: Lang) -> CommandResult:
    text = (
        f"No conozco el comando /{name}. Escribe /ayuda para ver los comandos."
        if lang != "en"
        else f"I don't know the command /{name}. Type /help to see the commands."
    )
    return CommandResult(Answer(status="not_found", text=text, lang=lang, kind="help"))


# ----------------------------------------------------------------------------- help


def _start(call: _Call) -> CommandResult:
    from bot.engine.reports import help_examples

    title = call.report.title
    text = call.t(
        f"¡Hola! Respondo preguntas sobre el {sentence_case(title)} con cifras exactas, "
        "metas y la sección de donde salen.\n\n"
        f"Escríbeme una pregunta, por ejemplo: {help_examples(call.report, 'es')}.\n\n"
        "Escribe /ayuda para ver los comandos.",
        f"Hi! I answer questions about the {sentence_case(title)} with exact figures, targets "
        "and the section they come from.\n\n"
        f"Ask me a question, for example: {help_examples(call.report, 'en')}.\n\n"
        "Type /help to see the commands.",
    )
    return CommandResult(call.answer(text, kind="help"))


def help_text(lang: Lang) -> str:
    lines = [
        "Comandos:" if lang != "en" else "Commands:",
    ]
    for spec in COMMANDS:
        names = f"/{spec.name_for(lang)}"
        argument = spec.argument(lang)
        if argument:
            names += f" {argument}"
        lines.append(f"{names} — {spec.description(lang)}")
    lines.append("")
    lines.append(
        "También puedes escribir tu pregunta tal cual. En grupos, menciónome o responde a uno de "
        "mis mensajes. Un comando sin su argumento muestra botones para elegir."
        if lang != "en"
        else "You can also just type your question. In groups, mention me or reply to one of my "
        "messages. A command without its argument shows buttons to pick one."
    )
    return "\n".join(lines)


def _help(call: _Call) -> CommandResult:
    return CommandResult(call.answer(help_text(call.lang), kind="help"))


# ----------------------------------------------------------------------------- engine-backed


def _topic_options(call: _Call) -> list[Option]:
    return [Option(topic, topic) for topic in call.engine.topics(call.lang)]


def _cifra(call: _Call) -> CommandResult:
    if not call.args:
        return call.choose(
            call.t("¿Qué cifra buscas? Elige un tema:", "Which figure? Pick a topic:"),
            _topic_options(call),
        )
    # Said as a question for a figure, so the engine prefers a number over a sentence about it.
    return call.ask(
        call.t(f"¿Cuál es la cifra de {call.args}?", f"What is the figure for {call.args}?")
    )


def _buscar(call: _Call) -> CommandResult:
    if not call.args:
        return call.choose(
            call.t(
                "¿Qué busco? Escribe /buscar seguido del texto, o elige un tema:",
                "What should I search? Type /search and the text, or pick a topic:",
            ),
            _topic_options(call),
        )
    return CommandResult(call.engine.search(call.args, call.lang, 5), remember=True)


_SECTION_NUMBER = re.compile(r"^§?\s*(\d{1,2}(?:[.,]\d{1,2}){0,2})\.?$")


def _chapter_options(call: _Call) -> list[Option]:
    return [
        Option(s.number, f"{s.number}. {section_title(call.report, s.number)}")
        for s in call.report.sections
        if s.level == 1
    ]


def _seccion(call: _Call) -> CommandResult:
    if not call.args:
        return call.choose(
            call.t(
                "¿Qué sección? Elige un capítulo o escribe /seccion 3.2:",
                "Which section? Pick a chapter or type /section 3.2:",
            ),
            _chapter_options(call),
        )
    match = _SECTION_NUMBER.match(call.args)
    if match is None:
        return call.choose(
            call.t(
                f"«{call.args}» no es un número de sección (por ejemplo 3.2). Elige un capítulo:",
                f"“{call.args}” is not a section number (e.g. 3.2). Pick a chapter:",
            ),
            _chapter_options(call),
            status="not_found",
        )
    number = match.group(1).replace(",", ".")
    answer = call.engine.section_answer(number, call.lang)
    if answer.status != "answered":
        return CommandResult(
            answer, choices=_chapter_options(call), command=call.spec.name_for(call.lang)
        )
    return CommandResult(answer, remember=True)


def _resumen(call: _Call) -> CommandResult:
    if not call.args:
        return call.choose(
            call.t("¿De qué tema quieres el resumen?", "Which topic should I summarise?"),
            _topic_options(call),
        )
    if re.fullmatch(r"§?\s*\d{1,2}(?:\.\d{1,2}){0,2}", call.args):
        number = call.args.lstrip("§ ")
        return CommandResult(call.engine.section_answer(number, call.lang), remember=True)
    # A topic goes to the engine's summary, which weighs titles and what each section says
    # ("cooperación" is chapter 4, not the one-word 7.2 under "Retos").
    return call.ask(call.t(f"resumen de {call.args}", f"summary of {call.args}"))


def _topic(call: _Call) -> CommandResult:
    """Ask the engine about the command's topic, by the engine's own topic name when it has one."""
    query = TOPIC_QUERIES[call.spec.name]
    stem = re.compile(rf"\b{query['words']}")
    topic = next((t for t in call.engine.topics(call.lang) if stem.search(fold(t))), None)
    result = call.ask(topic or query["en" if call.lang == "en" else "es"])
    if result.answer.status == "answered":
        return result
    listed = _enumeration_answer(call, query["words"])
    return listed if listed is not None else result


def _enumeration_answer(call: _Call, word: str) -> CommandResult | None:
    report = call.report
    for enumeration in report.enumerations:
        if word in fold(enumeration.key) or word in fold(enumeration.title):
            lines = [f"{sentence_case(clean_cell(enumeration.title))}:"]
            for item in enumeration.items:
                extra = f": {clean_cell(item.description)}" if item.description else ""
                lines.append(f"• {clean_cell(item.label)}{extra}")
            source = Source(
                section=enumeration.section,
                title=section_title(report, enumeration.section),
                quote="; ".join(clean_cell(i.label) for i in enumeration.items),
                line=enumeration.items[0].line if enumeration.items else None,
            )
            answer = call.answer("\n".join(lines), kind="list", sources=[source])
            return CommandResult(answer, remember=True)
    return None


def _fuente(call: _Call) -> CommandResult:
    last = call.last_answer
    if last is None or not last.sources:
        text = call.t(
            "Todavía no hay una respuesta con fuente en este chat. Haz una pregunta primero.",
            "There is no answer with a source in this chat yet. Ask a question first.",
        )
        return CommandResult(call.answer(text, "not_found", kind="source"))
    intro = call.t("Fuente de la última respuesta:", "Source of the last answer:")
    answer = call.answer(intro, kind="source", sources=last.sources, figures=[])
    return CommandResult(answer)


# ----------------------------------------------------------------------------- table-backed


def _indicator_options(call: _Call) -> list[Option]:
    options = []
    for table in indicator_tables(call.report):
        chapter = call.report.section(table.section.split(".")[0])
        aliases = (chapter.title,) if chapter else ()
        options.append(Option(table.section, section_title(call.report, table.section), aliases))
    return options


def _indicadores(call: _Call) -> CommandResult:
    options = _indicator_options(call)
    if not call.args:
        return call.choose(call.t("¿Qué indicadores?", "Which indicators?"), options)
    option = call.match(options)
    if option is None:
        return call.choose(
            call.t(
                f"No encontré indicadores de «{call.args}». Elige:",
                f"I found no indicators for “{call.args}”. Pick one:",
            ),
            options,
            status="not_found",
        )
    table = next(t for t in indicator_tables(call.report) if t.section == option.value)
    return CommandResult(_indicator_answer(call, table), remember=True)


def _share(result: float, target: float, lang: Lang) -> str | None:
    if not target:
        return None
    share = round(result / target * 100)
    return f"{share} %" if lang == "es" else f"{share}%"


def _comparable(point: IndicatorPoint) -> bool:
    """Result and target written alike: "90%" against "10" is a reading the report leaves open."""
    return point.same_unit and point.result_raw.endswith("%") == point.target_raw.endswith("%")


def _indicator_answer(call: _Call, table: ParsedTable) -> Answer:
    report = call.report
    _, target_col, result_col = indicator_columns(table)
    names = [clean_cell(table.header[c]).lower() for c in (target_col, result_col) if c is not None]
    title = section_title(report, table.section)
    lines = [f"{title} ({' / '.join(names)}):"]
    figures, sources = [], []
    rows = {row.line: row for row in table.rows}
    for point in indicator_points(table):
        row = rows[point.line]
        share = _share(point.result, point.target, call.lang) if _comparable(point) else None
        target_word = call.t("meta", "target")
        share_text = call.t(f"; {share} de la meta", f"; {share} of the target") if share else ""
        unit = "" if point.result_raw.endswith("%") else f" {point.unit.lower()}"
        target = f"{target_word}: {point.target_raw}{share_text}"
        lines.append(f"• {point.label}: {point.result_raw}{unit} ({target})")
        figures.append(
            Figure(
                label=point.label,
                value=point.result,
                unit=point.result_unit,
                display=point.result_raw,
                raw=point.result_raw,
                target=point.target_raw,
                share_of_target=share,
                section=table.section,
            )
        )
        sources.append(
            Source(section=table.section, title=title, quote=row_quote(table, row), line=row.line)
        )
    if any(f.share_of_target for f in figures):
        lines.append(
            call.t(
                "(El porcentaje de la meta es un cálculo propio: resultado / meta.)",
                "(Share of target computed here: result / target.)",
            )
        )
    return call.answer("\n".join(lines), kind="target", figures=figures, sources=sources)


def _month_options(call: _Call) -> list[Option]:
    months = sorted(
        {
            m
            for table in event_tables(call.report)
            for row in table.rows
            if (m := month_of(cell_text(row, column_index(table, "fecha")))) is not None
        }
    )
    return [
        Option(
            f"mes-{m}", month_name(m, call.lang).capitalize(), (MONTHS_ES[m - 1], MONTHS_EN[m - 1])
        )
        for m in months
    ]


def _event_type_options(call: _Call) -> list[Option]:
    return [
        Option(table.key, table_title(table, call.report), (table.title, table.title.split()[-1]))
        for table in event_tables(call.report)
    ]


def _eventos(call: _Call) -> CommandResult:
    types, months = _event_type_options(call), _month_options(call)
    if not call.args:
        return call.choose(
            call.t(
                "¿Qué eventos? Elige un tipo o un mes:", "Which events? Pick a type or a month:"
            ),
            types + months,
        )
    option = call.match(months) or call.match(types)
    if option is None:
        return call.choose(
            call.t(
                f"No encontré eventos de «{call.args}». Elige un tipo o un mes:",
                f"I found no events for “{call.args}”. Pick a type or a month:",
            ),
            types + months,
            status="not_found",
        )
    if option.value.startswith("mes-"):
        return CommandResult(_events_by_month(call, int(option.value[4:])), remember=True)
    table = next(t for t in event_tables(call.report) if t.key == option.value)
    return CommandResult(_events_of_table(call, table), remember=True)


def _event_line(table: ParsedTable, row_index: int) -> str:
    row = table.rows[row_index]
    name_col = column_index(table, "nombre") or 0
    date = cell_text(row, column_index(table, "fecha"))
    parts = [cell_text(row, name_col)]
    attendees = cell_text(row, column_index(table, "asistentes"))
    participant = cell_text(row, column_index(table, "participante"))
    detail = attendees or participant
    return f"• {date} — {' '.join(parts)}" + (f" ({detail})" if detail else "")


def _events_by_month(call: _Call, month: int) -> Answer:
    report = call.report
    lines: list[str] = []
    sources: list[Source] = []
    count = 0
    tables_used = []
    for table in event_tables(report):
        date_col = column_index(table, "fecha")
        indexes = [
            i for i, row in enumerate(table.rows) if month_of(cell_text(row, date_col)) == month
        ]
        if not indexes:
            continue
        tables_used.append(table_title(table, report))
        lines.append(f"\n{table_title(table, report)} (§{table.section}):")
        for i in indexes:
            lines.append(_event_line(table, i))
            row = table.rows[i]
            sources.append(
                Source(
                    section=table.section,
                    title=section_title(report, table.section),
                    quote=row_quote(table, row),
                    line=row.line,
                )
            )
        count += len(indexes)
    name = month_name(month, call.lang)
    total = call.t(f"{count} eventos", f"{count} events")
    head = call.t(
        f"Eventos de {name} en las tablas del informe: {total}.",
        f"Events in {name.capitalize()} in the report's tables: {total}.",
    )
    figure = Figure(
        label=head, value=count, display=total, computed=True, computed_from=tables_used
    )
    return call.answer("\n".join([head, *lines]), kind="filter", figures=[figure], sources=sources)


def _events_of_table(call: _Call, table: ParsedTable) -> Answer:
    report = call.report
    title = table_title(table, report)
    total = call.t(f"{len(table.rows)} eventos", f"{len(table.rows)} events")
    head = call.t(
        f"{title} (§{table.section}): {total} en la tabla.",
        f"{title} (§{table.section}): {total} in the table.",
    )
    lines = [head] + [_event_line(table, i) for i in range(len(table.rows))]
    sources = [
        Source(
            section=table.section,
            title=section_title(report, table.section),
            quote=row_quote(table, table.rows[0]),
            line=table.rows[0].line,
        )
    ]
    figure = Figure(
        label=title, value=len(table.rows), display=total, computed=True, computed_from=[title]
    )
    return call.answer("\n".join(lines), kind="list", figures=[figure], sources=sources)


def _presupuesto(call: _Call) -> CommandResult:
    report = call.report
    tables = budget_tables(report)
    if not tables:
        return call.ask(call.t("presupuesto", "budget"))
    lines: list[str] = []
    figures: list[Figure] = []
    sources: list[Source] = []
    for table in tables:
        planned_col = column_index(table, "definitivo")
        share_col = column_index(table, "%")
        if planned_col is None or planned_col + 1 >= len(table.header):
            continue
        executed_col = planned_col + 1
        planned_name = clean_cell(table.header[planned_col]).lower()
        executed_name = clean_cell(table.header[executed_col]).lower()
        lines.append(f"{table_title(table, report)} (§{table.section}):")
        for row in table.rows:
            label = sentence_case(cell_text(row, 0))
            planned, executed = cell_text(row, planned_col), cell_text(row, executed_col)
            share = cell_text(row, share_col)
            lines.append(
                f"• {label}: {planned_name} {planned}; {executed_name} {executed}"
                + (f" ({share})" if share else "")
            )
            figures.append(
                Figure(
                    label=f"{label}: {executed_name}",
                    display=executed,
                    raw=executed,
                    target=None,
                    section=table.section,
                )
            )
            if share:
                figures.append(
                    Figure(label=f"{label}: %", display=share, raw=share, section=table.section)
                )
        first = table.rows[0]
        sources.append(
            Source(
                section=table.section,
                title=section_title(report, table.section),
                quote=row_quote(table, first),
                line=first.line,
            )
        )
        lines.append("")
    return CommandResult(
        call.answer("\n".join(lines).strip(), kind="figure", figures=figures, sources=sources),
        remember=True,
    )


def _proyectos(call: _Call) -> CommandResult:
    report = call.report
    tables = project_tables(report)
    if not tables:
        return call.ask(call.t("proyectos", "projects"))
    lines: list[str] = []
    sources: list[Source] = []
    figures: list[Figure] = []
    for table in tables:
        count = call.t(f"{len(table.rows)} proyectos", f"{len(table.rows)} projects")
        lines.append(f"{table_title(table, report)} (§{table.section}): {count}.")
        figures.append(
            Figure(
                label=table_title(table, report),
                value=len(table.rows),
                display=count,
                computed=True,
                computed_from=[table_title(table, report)],
            )
        )
        for row in table.rows:
            description = cell_text(row, 1)
            lines.append(f"• {cell_text(row, 0)}" + (f": {description}" if description else ""))
        sources.append(
            Source(
                section=table.section,
                title=section_title(report, table.section),
                quote=row_quote(table, table.rows[0]),
                line=table.rows[0].line,
            )
        )
        lines.append("")
    return CommandResult(
        call.answer("\n".join(lines).strip(), kind="list", figures=figures, sources=sources),
        remember=True,
    )


# ----------------------------------------------------------------------------- files


def _grafico(call: _Call) -> CommandResult:
    from bot import charts  # matplotlib loads only when a chart is asked for

    options = charts.chart_options(call.report, call.lang)
    if not call.args:
        return call.choose(call.t("¿Qué gráfico?", "Which chart?"), options)
    option = call.match(options)
    chart = charts.draw_chart(call.report, option.value, call.lang) if option else None
    if chart is None:
        return call.choose(
            call.t(
                f"No tengo un gráfico de «{call.args}». Elige uno:",
                f"I have no chart for “{call.args}”. Pick one:",
            ),
            options,
            status="not_found",
        )
    note = call.t("Nota", "Note")
    text = "\n".join([chart.title, *(f"⚠ {note}: {n}" for n in chart.notes)])
    answer = call.answer(text, kind="chart", sources=chart.sources)
    return CommandResult(answer, photo=chart.png, filename=chart.filename, remember=True)


def _csv(call: _Call) -> CommandResult:
    from bot import csv_export

    options = csv_export.export_options(call.report, call.lang)
    if not call.args:
        return call.choose(call.t("¿Qué tabla quieres en CSV?", "Which table as CSV?"), options)
    export = csv_export.export_csv(call.report, call.args, call.lang)
    if export is None:
        return call.choose(
            call.t(
                f"No encontré la tabla «{call.args}». Elige una:",
                f"I found no table “{call.args}”. Pick one:",
            ),
            options,
            status="not_found",
        )
    if not export.rows:
        text = call.t(
            f"{export.title}: ninguna fila para «{call.args}».",
            f"{export.title}: no rows for “{call.args}”.",
        )
        return CommandResult(call.answer(text, "not_found", sources=export.sources))
    rows = call.t(f"{len(export.rows)} filas", f"{len(export.rows)} rows")
    text = f"{export.title}, {rows}. CSV: UTF-8, «;».\n{export.source_line}"
    return CommandResult(
        call.answer(text, kind="table", sources=export.sources),
        document=export.data,
        filename=export.filename,
        remember=True,
    )


_HANDLERS: dict[str, Handler] = {
    "start": _start,
    "ayuda": _help,
    "cifra": _cifra,
    "indicadores": _indicadores,
    "eventos": _eventos,
    "presupuesto": _presupuesto,
    "proyectos": _proyectos,
    "redes": _topic,
    "premios": _topic,
    "donaciones": _topic,
    "seccion": _seccion,
    "resumen": _resumen,
    "buscar": _buscar,
    "fuente": _fuente,
    "grafico": _grafico,
    "csv": _csv,
}
assert set(_HANDLERS) == {spec.name for spec in COMMANDS}
