"""Answer -> Telegram HTML: escaping, bold figures, source line, pages within Telegram's limits.

Every rendered message is checked with the same HTML parser and limits the local Bot API server
applies (tests.fakes.telegram_html, modelled on Telegram's own), not by string inspection alone.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.answer import Answer, Figure, Source
from bot.telegram import render
from tests.fakes.telegram_html import check_message_text, parse_telegram_html


def visible(html: str) -> str:
    return parse_telegram_html(html).text


def bold_texts(html: str) -> list[str]:
    parsed = parse_telegram_html(html)
    units = parsed.text.encode("utf-16-le")
    return [
        units[e["offset"] * 2 : (e["offset"] + e["length"]) * 2].decode("utf-16-le")
        for e in parsed.entities
        if e["type"] == "bold"
    ]


def figure_answer(**extra: object) -> Answer:
    fields: dict[str, object] = {
        "status": "answered",
        "text": "Al 15 de diciembre: USD 381,3 millones (meta 350; 15 proyectos), §3.2 <t> & x.",
        "figures": [
            Figure(label="Inversión", display="USD 381,3 millones", target="350"),
            Figure(label="Proyectos", display="15 proyectos", raw="15"),
        ],
        "sources": [Source(section="3.2", title="Indicadores de inversión", quote="…", line=387)],
    }
    fields.update(extra)
    return Answer.model_validate(fields)


def test_escapes_report_text_and_bolds_figures_only_on_number_boundaries() -> None:
    [page] = render.render_pages(figure_answer())
    check_message_text(page, "HTML")
    text = visible(page)
    assert "<t> & x" in text  # escaped in HTML, shown literally
    # Not the 3 in "§3.2", nor the day in "15 de diciembre".
    assert bold_texts(page) == ["USD 381,3 millones", "350", "15 proyectos"]
    assert text.endswith("Fuente: §3.2 Indicadores de inversión")


def test_source_line_lists_distinct_sections_in_english() -> None:
    sources = [
        Source(section="3.2", title="Indicadores de inversión", quote="a"),
        Source(section="3.2", title="Indicadores de inversión", quote="b"),
        Source(section="1", title="Resumen ejecutivo", quote="c"),
    ]
    answer = figure_answer(sources=sources, lang="en")
    [page] = render.render_pages(answer)
    assert visible(page).endswith("Sources: §3.2 Indicadores de inversión; §1 Resumen ejecutivo")


def test_notes_in_italics_and_did_you_mean_once() -> None:
    answer = Answer(
        status="ambiguous",
        text="Tu pregunta puede referirse a varias cosas.",
        suggestions=["Inversión extranjera", "Cooperación recibida"],
        notes=["El informe dice 62 contratos en el texto y 61 en la tabla."],
    )
    [page] = render.render_pages(answer)
    parsed = parse_telegram_html(page)
    assert parsed.text.count("¿Quisiste decir…?") == 1
    assert any(e["type"] == "italic" for e in parsed.entities)
    # The engine may already ask the question itself: then it is not repeated.
    answer.text = "Tu pregunta puede referirse a varias cosas. ¿Quisiste decir…?"
    assert visible(render.render_pages(answer)[0]).count("Quisiste decir") == 1


def test_source_kind_quotes_each_source() -> None:
    answer = Answer(
        status="answered",
        kind="source",
        text="Fuente de la última respuesta:",
        sources=[Source(section="5.2", title="Eventos", quote="Foro <col-col> & más", line=968)],
    )
    [page] = render.render_pages(answer)
    parsed = parse_telegram_html(page)
    assert "§5.2 Eventos (línea 968)" in parsed.text
    assert "Foro <col-col> & más" in parsed.text
    assert any(e["type"] == "blockquote" for e in parsed.entities)


def test_long_answer_is_split_into_valid_pages_that_keep_every_line() -> None:
    lines = [f"• Evento {i} <b>no es etiqueta</b> & cifra {i},5 🎉" for i in range(400)]
    lines.insert(200, "x" * 9000)  # one "word" longer than a page
    answer = figure_answer(text="\n".join(lines), figures=[Figure(label="n", display="10,5")])
    pages = render.render_pages(answer)
    assert len(pages) > 3
    seen = []
    for number, page in enumerate(pages, start=1):
        parsed = check_message_text(page, "HTML")
        assert parsed.length <= 4096
        assert parsed.text.endswith(f"Página {number}/{len(pages)}")
        seen.append(parsed.text)
    joined = "\n".join(seen)
    for i in range(400):
        assert f"• Evento {i} <b>no es etiqueta</b> & cifra {i},5 🎉" in joined
    assert joined.count("x") >= 9000
    assert "Fuente: §3.2" in seen[-1] and "Fuente" not in seen[0]
    assert bold_texts(pages[0]) == ["10,5"]  # "cifra 10,5" only, not inside "110,5"


def test_single_message_and_caption_are_shortened_with_a_note() -> None:
    answer = figure_answer(text="\n".join(f"línea {i} con texto" for i in range(600)))
    single = render.render_single(answer)
    caption = render.render_caption(answer)
    assert check_message_text(single, "HTML").length <= 4096
    assert check_message_text(caption, "HTML", limit=1024).length <= 1024
    assert "Respuesta resumida" in visible(caption)
    assert "Página" not in visible(single)


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        max_size=9000,
    ),
    st.integers(min_value=300, max_value=4096),
)
def test_any_text_renders_to_valid_html_within_the_limit(text: str, limit: int) -> None:
    answer = Answer(
        status="answered",
        text=text,
        figures=[Figure(label="x", display="1,5")],
        sources=[Source(section="1", title="Resumen <ejecutivo> & más", quote=text[:50])],
    )
    for page in render.render_pages(answer, limit=limit):
        if not page.strip():
            continue
        parsed = parse_telegram_html(page)
        assert parsed.length <= limit
