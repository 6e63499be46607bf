"""User-facing sentences in Spanish and English: all a user reads is here or in the report."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
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
    "source": {"es": "Fuente", "en": "Source"},
    "target": {"es": "meta", "en": "target"},
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
}


def t(key: str, lang: str, **values: object) -> str:
    template = TEXTS[key].get(lang) or TEXTS[key]["es"]
    return template.format(**values) if values else template
