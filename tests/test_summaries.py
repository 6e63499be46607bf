"""Summaries by rule, on every section of the ingested report and of variants made by code.

Nothing here names a section, a figure or a question of a set: every expectation is read from
the parsed report (its sections, their sentences and figures) or from the variant's text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine.core import Engine
from bot.engine.index import ReportIndex, clean_text
from bot.engine.normalize import content_tokens, fold
from bot.engine.quoting import SUMMARY_TEXT_LIMIT
from bot.engine.summaries import _is_prose
from knowledge.ingest import parse_report, read_report_file
from knowledge.model import ParsedReport
from tests import variants
from tests.question_sets.run import SETS, load_set

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge" / "reports" / "informe-gestion-aci-medellin-2020.md"
_WORD = re.compile(r"[0-9a-z]+")


@pytest.fixture(scope="module")
def engine(answer_engine: Engine) -> Engine:
    return answer_engine


@pytest.fixture(scope="module")
def index(engine: Engine) -> ReportIndex:
    return engine.indexes[engine.latest_report_id]


def _report_words(report: ParsedReport) -> set[str]:
    return set(_WORD.findall(fold(" ".join(clean_text(line) for line in report.lines))))


def _bullets(text: str) -> list[str]:
    return [line[2:] for line in text.split("\n") if line.startswith("• ")]


def _prose_of(index: ReportIndex, number: str) -> list:
    return [
        p
        for p in index.passages
        if (p.section == number or p.section.startswith(number + ".")) and _is_prose(p)
    ]


def _section_numbers(index: ReportIndex) -> list[str]:
    return list(index.sections)


def test_every_section_summary_names_the_section_and_stays_within_the_limit(
    engine: Engine, index: ReportIndex
) -> None:
    for number in index.sections:
        answer = engine.section_answer(number)
        assert answer.status == "answered" and answer.kind == "summary", number
        header = answer.text.split("\n", 1)[0]
        assert f"§{number} " in header, header
        assert len(answer.text) <= SUMMARY_TEXT_LIMIT, (number, len(answer.text))
        assert answer.sources, number


def test_summaries_never_cut_a_word(engine: Engine, index: ReportIndex, parsed_report) -> None:
    """Every word a summary shows is a word of the report: a cut ('inversi…') is not."""
    words = _report_words(parsed_report) | set(_WORD.findall(fold("resumen de incluye")))
    for number in _section_numbers(index):
        text = engine.section_answer(number).text
        unknown = set(_WORD.findall(fold(text))) - words
        assert not unknown, (number, sorted(unknown)[:5])


def test_summaries_carry_the_sections_figures(engine: Engine, index: ReportIndex) -> None:
    """A section whose sentences give figures: its summary shows at least two of them (or
    the one it has)."""
    for number in _section_numbers(index):
        figures = {fold(n.raw) for p in _prose_of(index, number) for n in p.numbers}
        if not figures:
            continue
        text = fold(engine.section_answer(number).text)
        shown = {f for f in figures if f in text}
        assert len(shown) >= min(2, len(figures)), (number, sorted(figures)[:6])


def test_summaries_are_more_than_a_heading_or_one_sentence(
    engine: Engine, index: ReportIndex
) -> None:
    for number in _section_numbers(index):
        prose = _prose_of(index, number)
        distinct = {fold(p.text) for p in prose}
        bullets = _bullets(engine.section_answer(number).text)
        assert len(bullets) >= min(3, len(distinct)), (number, bullets)


def test_summaries_open_with_the_section_and_keep_report_order(
    engine: Engine, index: ReportIndex
) -> None:
    """The first sentence of the section is shown, lines follow the report's order, none is
    said twice."""
    for number in _section_numbers(index):
        prose = _prose_of(index, number)
        if not prose:
            continue
        bullets = _bullets(engine.section_answer(number).text)
        sentences = [re.sub(r"^§[\d.]+ ", "", b) for b in bullets]
        assert len(set(sentences)) == len(sentences), number
        positions = []
        for sentence in sentences:
            head = fold(sentence.split("…")[0]).strip()
            found = [p.id for p in prose if fold(clean_text(p.text)).startswith(head)]
            later = [i for i in found if not positions or i >= positions[-1]]
            if found:
                positions.append(min(later or found))
        assert positions == sorted(positions), number
        titles = {fold(s.title) for s in index.sections.values()}
        opening = next(p for p in prose if fold(clean_text(p.text)) not in titles)
        head = fold(clean_text(opening.text))[:40]
        assert any(fold(s).startswith(head) for s in sentences), (number, opening.text[:60])


def test_a_chapter_summary_covers_its_sections_before_going_deep(
    engine: Engine, index: ReportIndex
) -> None:
    for number in _section_numbers(index):
        if "." in number:
            continue
        parts = {p.section for p in _prose_of(index, number)}
        if len(parts) < 3:
            continue
        bullets = _bullets(engine.section_answer(number).text)
        named = {m.group(1) for b in bullets if (m := re.match(r"§([\d.]+) ", b))}
        assert len(named) >= 3, (number, sorted(parts), named)


def test_a_title_asked_for_gets_its_own_section(engine: Engine, index: ReportIndex) -> None:
    """'resumen de <a section's title>' summarises that section (or, when a chapter and a
    section carry the same words, one that contains the other)."""
    words_of = {n: set(content_tokens(s.title)) for n, s in index.sections.items()}
    checked = 0
    for number, words in words_of.items():
        if len(words) < 2 or any(o != number and words <= w for o, w in words_of.items()):
            continue  # another title says all this one says: either may be meant
        title = index.sections[number].title.lower()
        answer = engine.ask(f"resumen de {title}").answer
        header = answer.text.split("\n", 1)[0]
        picked = re.search(r"§([\d.]+)", header)
        assert answer.kind == "summary" and picked, (title, header)
        got = picked.group(1)
        assert got == number or got.startswith(number + ".") or number.startswith(got + "."), (
            title,
            header,
        )
        checked += 1
    assert checked >= 5


def test_summary_routing_never_takes_a_figure_question(engine: Engine) -> None:
    """Questions the sets mark as figure or target questions are never answered by a
    summary, whatever cue words they contain ('que hizo', 'resumen ejecutivo')."""
    for name in SETS:
        for item in load_set(name):
            if item.get("kind") in ("figure", "target"):
                answer = engine.ask(item["q"]).answer
                assert answer.kind != "summary", (name, item["q"])


def test_a_how_much_question_is_not_a_summary(engine: Engine, parsed_report) -> None:
    """'¿cuánto … que hizo …?' asks a figure: built from a fact's own sentence words."""
    fact = next(f for f in parsed_report.facts if f.unit in ("USD", "COP"))
    words = [w for w in fact.sentence.split() if w.isalpha() and len(w) > 3][:4]
    answer = engine.ask(f"¿cuánto fue {' '.join(words)} que hizo la agencia?").answer
    assert answer.kind != "summary", answer.text[:200]


# ----------------------------------------------------------------------------- variants


@pytest.fixture(scope="module")
def text() -> str:
    return read_report_file(BUNDLED)


def test_a_variant_summary_follows_the_variants_text(text: str, parsed_report) -> None:
    """Figures changed in the text: every section summary that showed an old figure shows
    the new one instead."""
    edited, changes = variants.change_facts(text, parsed_report)
    assert changes
    original = Engine([parsed_report])
    report = parse_report(edited)
    engine = Engine([report])
    index = engine.indexes[report.report_id]
    moved = 0
    for number in index.sections:
        before = original.section_answer(number)
        after = engine.section_answer(number)
        for old, new in changes.items():
            old_shown = any(f.value == old for f in before.figures)
            if old_shown:
                assert not any(f.value == old for f in after.figures), (number, old)
                assert any(f.value == new for f in after.figures), (number, new)
                moved += 1
    assert moved


def test_a_renamed_heading_is_found_by_its_new_words(text: str) -> None:
    edited, changed = variants.rename_headings(text)
    assert changed
    report = parse_report(edited)
    engine = Engine([report])
    index = engine.indexes[report.report_id]
    new_words = tuple(fold(new) for _, new in variants._HEADING_REWORDS)
    renamed = [
        (n, s.title) for n, s in index.sections.items() if fold(s.title).startswith(new_words)
    ]
    assert renamed
    for number, title in renamed:
        header = engine.ask(f"resumen de {title.lower()}").answer.text.split("\n", 1)[0]
        assert f"§{number} " in header, (title, header)


def test_a_name_the_report_writes_in_a_few_places_gathers_its_passages(
    engine: Engine, index: ReportIndex, parsed_report
) -> None:
    """'¿qué pasó con <acronym>?' for acronyms of the report's prose said in a few places: a
    summary whose lines quote the passages that write it."""
    counts: dict[str, int] = {}
    for passage in index.passages:
        if passage.kind != "sentence":
            continue
        for word in set(re.findall(r"\b[A-Z][A-Z0-9]{2,5}\b", clean_text(passage.text))):
            counts[word] = counts.get(word, 0) + 1
    words = _report_words(parsed_report)
    acronyms = [
        a
        for a, n in sorted(counts.items())
        if 2 <= n <= 0.02 * len(index.passages) and fold(a) in words and not a.isdigit()
    ]
    checked = 0
    for acronym in acronyms[:10]:
        answer = engine.ask(f"¿qué pasó con {acronym}?").answer
        if answer.kind != "summary":
            continue
        bullets = [b for b in _bullets(answer.text) if not b.startswith(("Incluye", "Includes"))]
        assert any(acronym.lower() in fold(b) for b in bullets), (acronym, answer.text[:300])
        checked += 1
    assert checked >= 3, acronyms


@pytest.mark.parametrize("topic", ["la XQZW", "the zorblatt games", "los zorblatts"])
def test_a_summary_of_what_the_report_never_names_is_refused(
    engine: Engine, parsed_report, topic: str
) -> None:
    words = _report_words(parsed_report)
    assert not any(w in words for w in _WORD.findall(fold(topic)) if len(w) > 3)
    for question in (f"resumen de {topic}", f"summarize {topic}", f"¿qué pasó con {topic}?"):
        answer = engine.ask(question).answer
        assert answer.kind != "summary", (question, answer.text[:200])


def test_a_period_asked_for_is_summarised_from_what_the_block_says_of_it(
    engine: Engine, index: ReportIndex
) -> None:
    """'resumen de <section> en <month>': when the section has a sentence naming that month
    with sentences after it under the same heading, the summary opens with that sentence
    and quotes nothing from before it."""
    from bot.engine.slots import MONTH_NAMES_ES

    checked = 0
    for number, section in index.sections.items():
        prose = [p for p in index.passages if p.section == number and _is_prose(p)]
        for i, passage in enumerate(prose):
            month = next(
                (m for m in MONTH_NAMES_ES if re.search(rf"\b{m}\b", fold(passage.text))), None
            )
            after = [p for p in prose[i + 1 :] if p.subheading == passage.subheading]
            if month is None or len(after) < 3:
                continue
            question = f"resumen de {section.title.lower()} en {month}"
            answer = engine.ask(question).answer
            if answer.kind != "summary" or f"§{number} " not in answer.text.split("\n")[0]:
                break
            bullets = [b for b in _bullets(answer.text) if not b.startswith("Incluye")]
            before = {fold(clean_text(p.text))[:40] for p in prose[:i]}
            assert bullets and not any(fold(b)[:40] in before for b in bullets), question
            checked += 1
            break
    if not checked:
        pytest.skip("no section writes a month with sentences after it")
