"""Fuzzing the answer engine and the bot's renderer: over 10,000 generated inputs, 0 exceptions.

Every input goes through `Engine.ask` (or `run_command`) and every answer through the bot's own
Telegram renderer (`bot.telegram.render`) and keyboards; each message must be one Telegram
accepts: its HTML parsed by `telegram_html` (the rules of Telegram's own parser), not empty,
at most 4,096 characters (captions 1,024), button data at most 64 bytes. A generic error text
anywhere is a failure too.

The strategies: arbitrary Unicode (control, format, RTL and astral characters included), word
salad from the report's own vocabulary with question words, numbers and punctuation (asked
afresh or as a follow-up in a conversation about a chapter), hostile fragments (SQL, HTML,
Markdown, format strings, huge numbers, very long text) spliced into questions, and commands
with odd arguments.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import state
from bot.commands import COMMANDS, run_command
from bot.engine.answer import Answer
from bot.engine.core import Engine
from bot.telegram import keyboards, render
from bot.telegram.replies import inline_title
from knowledge.model import ParsedReport
from tests.fakes.telegram_html import check_message_text

# The split follows cost: arbitrary text is mostly cheap to answer (~3 ms), salad, hostile
# questions and commands reach the expensive matching (~8 ms on the 2-core machine).
FREE_TEXT_EXAMPLES = 5500
WORD_SALAD_EXAMPLES = 2000  # each asked in a fresh chat or as a follow-up of an earlier answer
HOSTILE_EXAMPLES = 1200
COMMAND_EXAMPLES = 1300
INPUTS_PER_RUN = FREE_TEXT_EXAMPLES + WORD_SALAD_EXAMPLES + HOSTILE_EXAMPLES + COMMAND_EXAMPLES
GENERIC_ERROR = re.compile(r"algo sali[oó] mal|something went wrong", re.I)
TRIED: Counter[str] = Counter()

QUESTION_WORDS = [
    "¿cuánto", "¿cuántos", "¿cuántas", "¿cuál", "¿cuáles", "¿qué", "¿quién", "¿cuándo", "¿dónde",
    "y", "la", "el", "de", "en", "meta", "cifra", "how", "many", "what", "the", "?", "¿", "!",
    "...", ",", "%", "USD", "$", "millones", "mil", "vs", "y en", "¿y la meta?", "eso",
]
HOSTILE = [
    "'; DROP TABLE query_log; --",
    "\" OR 1=1 --",
    "<b>negrita</b>",
    "<script>alert(1)</script>",
    "</b></i><a href='javascript:x'>",
    "<blockquote><pre>",
    "&amp; &lt; &gt; &#0; &#x110000; & <",
    "**negrita** __x__ `code` [link](http://example.org) ||spoiler||",
    "{0} {} {x} %s %d %(x)s %n %% {{}}",
    "$(rm -rf /) `id`",
    "\x00\x01\x02\x1b[31m\x7f",
    "\u200b\u200c\u200d\ufeff\u2060",
    "\u202e\u2066مرحبا\u2069 שלום",
    "🇨🇴👩‍👩‍👧‍👦🏳️‍🌈" * 3,
    "9" * 500,
    "1" + "0" * 400 + " millones",
    "-0,000000000001e-99999",
    "NaN inf -inf 1e309",
    "a" * 5000,
    "eventos " * 800,
    "\n" * 200,
    "/cifra /eventos /csv",
    "@informe_test_bot",
]
ODD_NUMBERS = [
    "0", "-1", "007", "1.000.000", "1,000,000.5", "3,14159", "99,99 %", "-0,5 %", "1e6", "2²",
    "12/31/2020", "31/02/2020", "2020-13-45", "25:61", "USD -3", "$ 0,00", "½", "٣", "Ⅻ", "10^9",
]


@pytest.fixture(scope="module")
def engine(answer_engine: Engine) -> Engine:
    # The answer engine (conftest's `engine` is the migrated SQL engine).
    return answer_engine


@pytest.fixture(scope="module")
def vocabulary(parsed_report: ParsedReport) -> list[str]:
    """Words and figures of the report's section titles and first lines: what users ask about."""
    words: set[str] = set()
    for section in parsed_report.sections:
        for text in (section.title, section.text[:400]):
            words.update(w for w in re.findall(r"[\wÁÉÍÓÚáéíóúÑñ%$.,]+", text) if len(w) > 1)
    return sorted(words)


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _store(payload: dict) -> str:
    return state.callback_key_for(payload)


def check_buttons(markup: object) -> None:
    if markup is None:
        return
    for row in markup.inline_keyboard:  # type: ignore[attr-defined]
        for button in row:
            assert button.text.strip(), "a button without a label"
            data = button.callback_data
            assert isinstance(data, str) and 1 <= len(data.encode()) <= 64, data


def check_answer(answer: Answer) -> None:
    """Everything the bot could send for this answer is a message Telegram accepts."""
    assert answer.text.strip(), "an empty answer"
    assert not GENERIC_ERROR.search(answer.text), answer.text
    pages = render.render_pages(answer)
    assert pages
    for page in pages:
        check_message_text(page, "HTML", limit=4096)
    if len(pages) > 1:  # inline results carry one message: the first page, shortened
        check_message_text(render.render_single(answer), "HTML", limit=4096)
    markup = keyboards.answer_keyboard(
        answer, _store, log_id=2**31, answer_key="K" * 16, page=len(pages) - 1, pages=len(pages)
    )
    check_buttons(markup)
    title = inline_title(answer)
    assert title.strip() and len(title) <= 90


def ask(engine: Engine, question: str, context: object = None, kind: str = "free") -> object:
    TRIED[kind] += 1
    reply = engine.ask(question, context)  # type: ignore[arg-type]
    check_answer(reply.answer)
    return reply.context


# ----------------------------------------------------------------------------- strategies


any_text = st.text(max_size=300)  # any code point but lone surrogates (UTF-8 cannot carry them)


def word_salad(vocabulary: list[str]) -> st.SearchStrategy[str]:
    """Up to 14 pieces: report words and figures, question words, odd numbers, punctuation.

    One flat pool drawn by index: hypothesis spends far less per example than on nested
    one_of strategies, and the engine is what these tests measure.
    """
    pool = sorted({*vocabulary, *QUESTION_WORDS, *ODD_NUMBERS})
    return st.lists(st.sampled_from(pool), min_size=1, max_size=14).map(" ".join)


@st.composite
def hostile(draw: st.DrawFn, vocabulary: list[str]) -> str:
    base = draw(st.one_of(st.sampled_from(vocabulary), any_text.map(lambda s: s[:40])))
    fragment = draw(st.sampled_from(HOSTILE))
    where = draw(st.sampled_from(["before", "after", "inside", "alone"]))
    if where == "alone":
        return fragment
    if where == "inside" and len(base) > 1:
        cut = draw(st.integers(1, len(base) - 1))
        return base[:cut] + fragment + base[cut:]
    return f"{fragment} {base}" if where == "before" else f"{base} {fragment}"


EXPENSIVE = frozenset({"grafico", "chart", "csv"})
COMMAND_NAMES = sorted(
    {n for spec in COMMANDS for n in (spec.name, *spec.aliases)} | {"noexiste", "x" * 64, "Cifra"}
)


# ----------------------------------------------------------------------------- tests


def test_arbitrary_unicode_questions(engine: Engine) -> None:
    seen: list[str] = []

    @fuzz_settings(FREE_TEXT_EXAMPLES)
    @given(any_text)
    def run(question: str) -> None:
        seen.append(question)
        ask(engine, question)

    run()
    assert len(seen) >= FREE_TEXT_EXAMPLES


def test_word_salad_and_follow_ups(
    engine: Engine, vocabulary: list[str], parsed_report: ParsedReport
) -> None:
    seen: list[str] = []
    # Conversations the salad follows up on: one per chapter title of the report, and none.
    titles = [s.title for s in parsed_report.sections if s.level == 1]
    contexts = [None, *(engine.ask(title).context for title in titles)]

    @fuzz_settings(WORD_SALAD_EXAMPLES)
    @given(word_salad(vocabulary), st.sampled_from(contexts))
    def run(question: str, context: object) -> None:
        seen.append(question)
        ask(engine, question, context, kind="salad" if context is None else "follow-up")

    run()
    assert len(seen) >= WORD_SALAD_EXAMPLES


def test_hostile_fragments(engine: Engine, vocabulary: list[str]) -> None:
    seen: list[str] = []

    @fuzz_settings(HOSTILE_EXAMPLES)
    @given(hostile(vocabulary))
    def run(question: str) -> None:
        seen.append(question)
        ask(engine, question, kind="hostile")

    run()
    assert len(seen) >= HOSTILE_EXAMPLES


def test_commands_with_odd_arguments(engine: Engine, vocabulary: list[str]) -> None:
    seen: list[str] = []
    arguments = st.one_of(
        st.just(""),
        any_text.map(lambda s: s[:80]),
        word_salad(vocabulary),
        st.sampled_from(HOSTILE),
        st.integers().map(str),
    )

    def with_arguments(name: str) -> st.SearchStrategy[tuple[str, str]]:
        # Charts and CSV files are costly to make: odd text for them, which seldom names one.
        odd = any_text.map(lambda s: s[:30]) if name in EXPENSIVE else arguments
        return st.tuples(st.just(name), odd)

    @fuzz_settings(COMMAND_EXAMPLES)
    @given(st.sampled_from(COMMAND_NAMES).flatmap(with_arguments), st.sampled_from(["es", "en"]))
    def run(command: tuple[str, str], lang: str) -> None:
        name, args = command
        seen.append(name)
        TRIED["command"] += 1
        result = run_command(engine, name, args, None, lang)  # type: ignore[arg-type]
        if result.choices:
            assert result.command
            check_message_text(render.render_single(result.answer), "HTML", limit=4096)
            check_buttons(keyboards.choices_keyboard(result.command, result.choices, _store))
        else:
            check_answer(result.answer)
        if result.photo is not None or result.document is not None:
            check_message_text(render.render_caption(result.answer), "HTML", limit=1024)
            assert (result.photo or b"\x89PNG").startswith(b"\x89PNG")
            assert (result.document or b"\xef\xbb\xbf").startswith(b"\xef\xbb\xbf")

    run()
    assert len(seen) >= COMMAND_EXAMPLES


def test_fuzz_inputs_add_up_to_ten_thousand() -> None:
    """The budget of the tests above (each asserts it ran its share); printed for the note."""
    assert INPUTS_PER_RUN >= 10_000
    print(f"fuzz inputs per run: {INPUTS_PER_RUN}; tried in this session: {dict(TRIED)}")
