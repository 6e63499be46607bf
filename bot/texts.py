"""Every sentence a user reads that is not the report's own words, in Spanish and English: one
table for the engine's answers, the commands, the dialog, the console and Telegram.

A leaf module (it imports nothing), so the engine below and the front ends above read the same
table and dependencies flow one way.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- command catalogue
    "cmd_start": {"es": "Presentación y ejemplos", "en": "Introduction and examples"},
    "cmd_ayuda": {"es": "Cómo usar el bot", "en": "How to use the bot"},
    "cmd_cifra": {"es": "Una cifra del informe", "en": "A figure from the report"},
    "cmd_indicadores": {
        "es": "Indicadores: meta y resultado",
        "en": "Indicators: target and result",
    },
    "cmd_eventos": {"es": "Eventos por mes, tipo o palabra", "en": "Events by month, type or word"},
    "cmd_presupuesto": {
        "es": "Ejecución presupuestal: gastos o ingresos",
        "en": "Budget execution: expenses or income",
    },
    "cmd_proyectos": {
        "es": "Proyectos de ciudad y de cooperación",
        "en": "City and cooperation projects",
    },
    "cmd_redes": {"es": "Redes internacionales de ciudad", "en": "International city networks"},
    "cmd_premios": {"es": "Premios internacionales", "en": "International awards"},
    "cmd_donaciones": {"es": "Donaciones gestionadas", "en": "Donations obtained"},
    "cmd_seccion": {"es": "Una sección del informe", "en": "A section of the report"},
    "cmd_resumen": {"es": "Resumen de un tema", "en": "Summary of a topic"},
    "cmd_buscar": {"es": "Buscar en el informe", "en": "Search the report"},
    "cmd_fuente": {"es": "Fuente de la última respuesta", "en": "Source of the last answer"},
    "cmd_grafico": {"es": "Gráfico (imagen PNG)", "en": "Chart (PNG image)"},
    "cmd_csv": {"es": "Una tabla en CSV", "en": "A table as CSV"},
    "cmd_olvidar": {"es": "Borrar mis preguntas del registro", "en": "Delete my questions"},
    "arg_topic": {"es": "<tema>", "en": "<topic>"},
    "arg_topic_opt": {"es": "[tema]", "en": "[topic]"},
    "arg_indicators": {"es": "[tema]", "en": "[topic]"},
    "arg_events": {"es": "[mes|tipo|palabra]", "en": "[month|type|word]"},
    "arg_budget": {"es": "[gastos|ingresos] [rubro]", "en": "[expenses|income] [item]"},
    "arg_section": {"es": "<n>", "en": "<n>"},
    "arg_text": {"es": "<texto>", "en": "<text>"},
    "arg_table": {"es": "<tabla>", "en": "<table>"},
    # ---------------------------------------------------------------- help
    "start": {
        "es": "¡Hola! Respondo preguntas sobre el {title} con cifras exactas, metas y la sección "
        "de donde salen.\n\nEscríbeme una pregunta, por ejemplo: {examples}.\n\n"
        "Escribe /ayuda para ver los comandos.",
        "en": "Hi! I answer questions about the {title} with exact figures, targets and the "
        "section they come from.\n\nAsk me a question, for example: {examples}.\n\n"
        "Type /help to see the commands.",
    },
    "example_question_indicator": {
        "es": "¿se cumplió la meta de {label}?",
        "en": "was the target for {label} met?",
    },
    "example_question_events": {
        "es": "¿qué eventos hubo en {month}?",
        "en": "which events took place in {month}?",
    },
    "example_question_section": {"es": "resumen de {title}", "en": "summary of {title}"},
    "quote_open": {"es": "«", "en": "“"},
    "quote_close": {"es": "»", "en": "”"},
    "help_header": {"es": "Comandos:", "en": "Commands:"},
    "help_footer": {
        "es": "También puedes escribir tu pregunta tal cual. En grupos, menciónome o responde a "
        "uno de mis mensajes. Un comando sin su argumento muestra opciones para elegir; en la "
        "consola, escribe el número de la opción.",
        "en": "You can also just type your question. In groups, mention me or reply to one of my "
        "messages. A command without its argument shows options to pick; in the console, type "
        "the option's number.",
    },
    "unknown_command": {
        "es": "No conozco el comando /{name}. Escribe /ayuda para ver los comandos.",
        "en": "I don't know the command /{name}. Type /help to see the commands.",
    },
    "no_data": {
        "es": "El informe no trae datos para este comando.",
        "en": "The report has no data for this command.",
    },
    # ---------------------------------------------------------------- engine-backed commands
    "pick_figure": {"es": "¿Qué cifra buscas? Elige un tema:", "en": "Which figure? Pick a topic:"},
    "figure_question": {
        "es": "¿Cuál es la cifra de {topic}?",
        "en": "What is the figure for {topic}?",
    },
    "pick_search": {
        "es": "¿Qué busco? Escribe /buscar seguido del texto, o elige un tema:",
        "en": "What should I search? Type /search and the text, or pick a topic:",
    },
    "pick_section": {
        "es": "¿Qué sección? Elige un capítulo o escribe /seccion 3.2:",
        "en": "Which section? Pick a chapter or type /section 3.2:",
    },
    "not_a_section": {
        "es": "«{args}» no es un número de sección (por ejemplo 3.2). Elige un capítulo:",
        "en": "“{args}” is not a section number (e.g. 3.2). Pick a chapter:",
    },
    "pick_summary": {
        "es": "¿De qué tema quieres el resumen?",
        "en": "Which topic should I summarise?",
    },
    "summary_question": {"es": "resumen de {topic}", "en": "summary of {topic}"},
    "no_source_yet": {
        "es": "Todavía no hay una respuesta con fuente en este chat. Haz una pregunta primero.",
        "en": "There is no answer with a source in this chat yet. Ask a question first.",
    },
    "source_intro": {"es": "Fuente de la última respuesta:", "en": "Source of the last answer:"},
    "line": {"es": "línea", "en": "line"},
    # ---------------------------------------------------------------- table commands
    "pick_indicators": {"es": "¿Qué indicadores?", "en": "Which indicators?"},
    "no_indicators": {
        "es": "No encontré indicadores de «{args}». Elige:",
        "en": "I found no indicators for “{args}”. Pick one:",
    },
    "target": {"es": "meta", "en": "target"},
    "share_of_target_part": {"es": "; {share} de la meta", "en": "; {share} of the target"},
    "share_note": {
        "es": "(El porcentaje de la meta es un cálculo propio: resultado / meta.)",
        "en": "(Share of target computed here: result / target.)",
    },
    "pick_events": {
        "es": "¿Qué eventos? Elige un tipo o un mes, o escribe /eventos y una palabra:",
        "en": "Which events? Pick a type or a month, or type /events and a word:",
    },
    "no_events": {
        "es": "No encontré eventos de «{args}». Elige un tipo o un mes:",
        "en": "I found no events for “{args}”. Pick a type or a month:",
    },
    "events_count": {"es": "{n} eventos", "en": "{n} events"},
    "events_month_head": {
        "es": "Eventos de {month} en las tablas del informe: {total}.",
        "en": "Events in {month} in the report's tables: {total}.",
    },
    "events_word_head": {
        "es": "Eventos de «{word}» en las tablas del informe: {total}.",
        "en": "Events for “{word}” in the report's tables: {total}.",
    },
    "events_table_head": {
        "es": "{title} (§{section}): {total} en la tabla.",
        "en": "{title} (§{section}): {total} in the table.",
    },
    "budget_detail": {
        "es": "¿Quieres el detalle por rubro? Elige la tabla:",
        "en": "Want the line-by-line detail? Pick the table:",
    },
    "pick_budget": {
        "es": "¿Qué ejecución presupuestal? Elige gastos o ingresos:",
        "en": "Which budget execution? Pick expenses or income:",
    },
    "no_budget_item": {
        "es": "No encontré el rubro «{args}» en {title}. Elige uno:",
        "en": "I found no item “{args}” in {title}. Pick one:",
    },
    "budget_expenses": {"es": "Gastos", "en": "Expenses"},
    "budget_income": {"es": "Ingresos", "en": "Income"},
    "budget_expenses_words": {"es": "gastos gasto egresos", "en": "expenses expense spending"},
    "budget_income_words": {"es": "ingresos ingreso recaudos", "en": "income revenue"},
    "executed": {"es": "ejecutado", "en": "executed"},
    "projects_count": {"es": "{n} proyectos", "en": "{n} projects"},
    "donations_head": {
        "es": "Donaciones y aportes que el informe nombra ({n}):",
        "en": "Donations and contributions the report names ({n}):",
    },
    "donor": {"es": "de", "en": "from"},
    "amount": {"es": "monto", "en": "amount"},
    "no_donations": {
        "es": "El informe no nombra donaciones.",
        "en": "The report names no donations.",
    },
    # ---------------------------------------------------------------- files
    "pick_chart": {"es": "¿Qué gráfico?", "en": "Which chart?"},
    "no_chart": {
        "es": "No tengo un gráfico de «{args}». Elige uno:",
        "en": "I have no chart for “{args}”. Pick one:",
    },
    "pick_table": {"es": "¿Qué tabla quieres en CSV?", "en": "Which table as CSV?"},
    "no_table": {
        "es": "No encontré la tabla «{args}». Elige una:",
        "en": "I found no table “{args}”. Pick one:",
    },
    "rows_count": {"es": "{n} filas", "en": "{n} rows"},
    "csv_caption": {
        "es": "{title}, {rows}. CSV: UTF-8, «;».",
        "en": "{title}, {rows}. CSV: UTF-8, “;”.",
    },
    "no_rows": {
        "es": "{title}: ninguna fila para «{args}».",
        "en": "{title}: no rows for “{args}”.",
    },
    "note": {"es": "Nota", "en": "Note"},
    "file_written": {"es": "Archivo guardado: {path}", "en": "File saved: {path}"},
    "file_failed": {
        "es": "No pude guardar el archivo en {folder}: {reason}",
        "en": "I could not save the file in {folder}: {reason}",
    },
    # ---------------------------------------------------------------- dialog and console
    "choices_hint": {
        "es": "Escribe el número de una opción.",
        "en": "Type the number of an option.",
    },
    "forgotten_session": {
        "es": "Listo: olvidé esta conversación (la consola no guarda un registro de preguntas).",
        "en": "Done: I forgot this conversation (the console keeps no log of questions).",
    },
    "console_banner": {
        "es": "informe-bot — {title}. Escribe tu pregunta (/ayuda, /salir).",
        "en": "informe-bot — {title}. Type your question (/help, /exit).",
    },
    # ---------------------------------------------------------------- Telegram
    "expired": {
        "es": "Este botón ya no está disponible. Vuelve a preguntar.",
        "en": "This button has expired. Please ask again.",
    },
    "thanks": {"es": "¡Gracias por tu opinión!", "en": "Thanks for your feedback!"},
    "not_yours": {
        "es": "Solo quien hizo la pregunta puede valorar la respuesta.",
        "en": "Only the person who asked can rate this answer.",
    },
    "text_only": {
        "es": "Por ahora solo leo mensajes de texto. Escríbeme tu pregunta sobre el informe.",
        "en": "I can only read text messages. Please type your question about the report.",
    },
    "error": {
        "es": "Lo siento, algo salió mal al responder. El error quedó registrado; "
        "inténtalo de nuevo en un momento.",
        "en": "Sorry, something went wrong while answering. The error was logged; "
        "please try again in a moment.",
    },
    "did_you_mean": {"es": "¿Quisiste decir…?", "en": "Did you mean…?"},
    "source": {"es": "Fuente", "en": "Source"},
    "sources": {"es": "Fuentes", "en": "Sources"},
    "page": {"es": "Página", "en": "Page"},
    "more": {"es": "y {n} más", "en": "and {n} more"},
    "continued": {
        "es": "(Respuesta resumida: pregúntame en el chat para verla completa.)",
        "en": "(Shortened answer: ask me in the chat to see all of it.)",
    },
    # ---------------------------------------------------------------- engine answers
    "empty": {
        "es": "No recibí ninguna pregunta. Escríbeme, por ejemplo: «¿cuánta inversión se atrajo?»",
        "en": "I got no question. Try, for example: “how much investment was attracted?”",
    },
    "meaningless": {
        "es": "No entendí el mensaje: no tiene palabras ni cifras. Pregúntame por una cifra, un "
        "evento o una sección del informe.",
        "en": "I could not read a question in that message. Ask me about a figure, an event or a "
        "section of the report.",
    },
    "too_long": {
        "es": "La pregunta es muy larga; leí solo el comienzo.",
        "en": "The question is very long; I read only its beginning.",
    },
    "not_found": {
        "es": "No lo sé: el informe no trae ese dato, o no encontré a qué parte del informe se "
        "refiere la pregunta.",
        "en": "I don't know: the report does not give that, or I could not tell which part of "
        "the report the question is about.",
    },
    "not_covered": {
        "es": "No lo sé: el informe no dice nada de {missing} en lo que trae sobre esto.",
        "en": "I don't know: the report says nothing about {missing} in what it says on this.",
    },
    "no_figure": {
        "es": "No lo sé: el informe no da esa cifra en lo que trae sobre esto.",
        "en": "I don't know: the report gives no such figure in what it says on this.",
    },
    "joint_figure": {
        "es": "No lo sé: el informe da una cifra de conjunto ({members}), {figure}, y no dice "
        "cuánto corresponde a «{member}».",
        "en": "I don't know: the report gives one figure for them together ({members}), "
        "{figure}, and does not say how much was {member}'s.",
    },
    "closest": {
        "es": "Lo más cercano que sí dice: {closest}",
        "en": "The closest it does say: {closest}",
    },
    "missing_terms": {
        "es": "Sin evidencia en el informe para: {missing}",
        "en": "No evidence in the report for: {missing}",
    },
    "not_found_measure": {
        "es": "No lo sé: el informe habla de «{topic}», pero no da {measure}.",
        "en": "I don't know: the report mentions “{topic}” but does not give {measure}.",
    },
    "not_found_year": {
        "es": "No tengo información de {year}. Solo tengo el informe de {years}.",
        "en": "I have no information for {year}. I only have the report for {years}.",
    },
    "suggest_intro": {
        "es": "Temas cercanos que sí conozco:",
        "en": "Close topics I do know:",
    },
    "ambiguous": {
        "es": "Tu pregunta puede referirse a varias cosas. ¿Quisiste decir…?",
        "en": "Your question could mean several things. Did you mean…?",
    },
    "progress": {"es": "avance", "en": "progress"},
    "share_of_target": {
        "es": "{share} de la meta (cálculo propio: {value} / {target})",
        "en": "{share} of the target (computed: {value} / {target})",
    },
    "target_met": {"es": "Se superó la meta.", "en": "The target was exceeded."},
    "target_reached": {"es": "Se cumplió la meta.", "en": "The target was met."},
    "target_missed": {"es": "No se alcanzó la meta.", "en": "The target was not reached."},
    "contradiction": {
        "es": "Ojo: el informe se contradice aquí. {description}",
        "en": "Note: the report contradicts itself here. {description}",
    },
    "says": {"es": "dice", "en": "says"},
    "list_header": {"es": "{title} ({count}):", "en": "{title} ({count}):"},
    "filter_header": {
        "es": "{title}: {count} resultado(s){criteria}.",
        "en": "{title}: {count} result(s){criteria}.",
    },
    "filter_none": {
        "es": "{title}: ningún resultado{criteria}.",
        "en": "{title}: no results{criteria}.",
    },
    "in_month": {"es": " en {month}", "en": " in {month}"},
    "threshold_gt": {"es": " con más de {value}", "en": " with more than {value}"},
    "threshold_lt": {"es": " con menos de {value}", "en": " with fewer than {value}"},
    "threshold_ge": {"es": " con al menos {value}", "en": " with at least {value}"},
    "matching": {"es": " de «{value}»", "en": " for “{value}”"},
    "max_row": {
        "es": "El mayor valor de «{column}» en {title} es {value}: {name}.",
        "en": "The highest “{column}” in {title} is {value}: {name}.",
    },
    "min_row": {
        "es": "El menor valor de «{column}» en {title} es {value}: {name}.",
        "en": "The lowest “{column}” in {title} is {value}: {name}.",
    },
    "mixed_cells": {
        "es": "Hay celdas escritas como «{examples}»: cuentan por su parte numérica, como mínimo.",
        "en": "Some cells are written as “{examples}”: they count by their numeric part, as a "
        "minimum.",
    },
    "total": {
        "es": "Total calculado de «{column}»: {value} (suma de {count} filas del informe).",
        "en": "Computed total of “{column}”: {value} (sum of {count} rows of the report).",
    },
    "total_row": {
        "es": "La fila de total del informe dice {value}.",
        "en": "The report's own total row says {value}.",
    },
    "summary_header": {
        "es": "Resumen de §{number} {title}:",
        "en": "Summary of §{number} {title}:",
    },
    "section_not_found": {
        "es": "No hay una sección {number} en el informe. Secciones: {sections}.",
        "en": "There is no section {number} in the report. Sections: {sections}.",
    },
    "help": {
        "es": "Respondo preguntas sobre el {report} con cifras exactas y su fuente. "
        "Ejemplos: {examples}.",
        "en": "I answer questions about the {report} with exact figures and their source. "
        "Examples: {examples}.",
    },
    "discrepancies_header": {
        "es": "El informe se contradice en estos puntos:",
        "en": "The report contradicts itself on these points:",
    },
    "measure_money": {"es": "un valor en dinero", "en": "an amount of money"},
    "measure_share": {"es": "un porcentaje", "en": "a percentage"},
    "measure_count": {"es": "una cantidad", "en": "a count"},
    "not_of_subject": {
        "es": "No lo sé: el informe no da {measure} de {subject}; lo que dice de eso no trae "
        "esa cifra.",
        "en": "I don't know: the report gives no {measure} for {subject}; what it says about it "
        "has no such figure.",
    },
    "measure_number": {"es": "una cifra", "en": "a figure"},
    "measure_date": {"es": "una fecha", "en": "a date"},
    "computed_note": {
        "es": "(cálculo propio a partir de cifras del informe)",
        "en": "(computed from report figures)",
    },
    # ---------------------------------------------------------------- two reports compared
    "yoy": {
        "es": "{label}: {a_year}: {a}; {b_year}: {b}; diferencia: {diff} ({pct}).",
        "en": "{label}: {a_year}: {a}; {b_year}: {b}; difference: {diff} ({pct}).",
    },
    "difference": {"es": "diferencia", "en": "difference"},
    "yoy_missing": {
        "es": "Solo uno de los informes da esa cifra: {year}: {value}. No puedo calcular el "
        "cambio.",
        "en": "Only one of the reports gives that figure: {year}: {value}. I cannot compute "
        "the change.",
    },
    # ---------------------------------------------------------------- Telegram access
    "not_allowed": {
        "es": "Lo siento, este bot es de uso restringido y tu cuenta no tiene acceso. "
        "Si lo necesitas, pide a quien lo administra que te agregue.",
        "en": "Sorry, this bot is restricted and your account has no access. "
        "If you need it, ask its administrator to add you.",
    },
    "not_allowed_inline": {
        "es": "Sin acceso a este bot",
        "en": "No access to this bot",
    },
    "too_many_inline": {
        "es": "Demasiadas consultas: espera {seconds} s",
        "en": "Too many queries: wait {seconds} s",
    },
    "too_many": {
        "es": "Has hecho muchas preguntas seguidas (el límite es {limit} por minuto). "
        "Espera {seconds} s y vuelve a preguntar; mientras tanto no responderé.",
        "en": "You have asked many questions in a row (the limit is {limit} per minute). "
        "Wait {seconds} s and ask again; until then I won't answer.",
    },
    # ---------------------------------------------------------------- Telegram admin
    "admins_only": {
        "es": "Este comando es solo para quienes administran el bot.",
        "en": "This command is for the bot's administrators only.",
    },
    "reload_busy": {
        "es": "Ya hay una recarga en curso; espera a que termine.",
        "en": "A reload is already running; wait for it to finish.",
    },
    "forgotten": {
        "es": "Listo: borré {n} preguntas tuyas del registro.",
        "en": "Done: I deleted {n} of your questions from the log.",
    },
    "forget_failed": {
        "es": "No pude borrar tus preguntas ahora (la base de datos no respondió). "
        "Inténtalo de nuevo en un momento.",
        "en": "I could not delete your questions right now (the database did not answer). "
        "Please try again in a moment.",
    },
}


def say(key: str, lang: str | None, **values: object) -> str:
    """The sentence `key` in the user's language (Spanish unless English), {placeholders} filled."""
    template = TEXTS[key]["en" if lang == "en" else "es"]
    return template.format(**values) if values else template
