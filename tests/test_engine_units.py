"""Unit tests of the engine's pieces: normalization, number formatting, slots, intent catalog."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.engine.catalog import IntentMatcher, load_catalog
from bot.engine.format import format_figure, format_number, format_share
from bot.engine.normalize import content_tokens, detect_language, fold, is_meaningless
from bot.engine.slots import extract_slots
from tests.fakes.devset import expect_found, load_questions

# ----------------------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("¿Cuánta INVERSIÓN se atrajo?", "cuanta inversion se atrajo"),
        ("eventooos de septiembre!!!", "eventos de septiembre"),
        ("98,81%", "98,81%"),
        ("USD \\$381,30 millones", "usd $381,30 millones"),
        ("22.188,74 m ²", "22.188,74 m2"),
        ("😀 pqrs 🙏", "pqrs"),
        ("año, niño", "ano nino"),
    ],
)
def test_fold_keeps_meaningful_symbols(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_content_tokens_drop_stop_words_and_plurals() -> None:
    assert content_tokens("¿Cuáles son los eventos de la entidad?") == ["evento", "entidad"]
    assert content_tokens("What are the awards?") == ["award"]


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("How many events did ACI take part in?", "en"),
        ("¿cuántos eventos hubo?", "es"),
        ("cuantos eventos hubo", "es"),
        ("What was the budget of the investment line?", "en"),
        ("pqrs", "es"),
    ],
)
def test_detect_language(question: str, lang: str) -> None:
    assert detect_language(question) == lang


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "¿?¡!", "\x00\x01", "\u200b\u200f"])
def test_meaningless_input(text: str) -> None:
    assert is_meaningless(text)


# ----------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (1424430012, "es", "1.424.430.012"),
        (1424430012, "en", "1,424,430,012"),
        (381.3, "es", "381,3"),
        (381.3, "en", "381.3"),
        (98.81, "es", "98,81"),
        (4.989, "es", "4,989"),
    ],
)
def test_format_number(value: float, lang: str, text: str) -> None:
    assert format_number(value, lang) == text


def test_format_figure_units_and_scales() -> None:
    assert format_figure(381.3, "USD", "millones", "es") == "USD 381,3 millones"
    assert format_figure(381.3, "USD", "millones", "en") == "USD 381.3 million"
    assert format_figure(2975, "COP", "millones", "es") == "COP 2.975 millones"
    assert format_figure(98.81, "%", None, "es") == "98,81 %"
    assert format_figure(98.81, "%", None, "en") == "98.81%"
    assert format_figure(6851, "familias", None, "en") == "6,851 families"
    assert format_figure(None, None, None, "es", raw="100+") == "100+"
    assert format_share(381.3, 350) == "109 %"


def test_expect_rule_reads_both_notations() -> None:
    assert expect_found("98,81%", "98.81%")
    assert expect_found("381,3", "USD 381,30 millones")
    assert expect_found("2.800", "COP 2,800 million")
    assert not expect_found("61", "62 contratos")
    assert expect_found("Unión Europea", "la UNION EUROPEA")


# ----------------------------------------------------------------------------- slots


def test_months_with_typos_and_abbreviations() -> None:
    assert extract_slots("eventos de setiembre").months == [9]
    assert extract_slots("eventos de septiembree").months == [9]
    assert extract_slots("28 sept - 2 octubre").months == [9, 10]
    assert extract_slots("events in November").months == [11]


def test_thresholds_years_sections_and_measures() -> None:
    assert extract_slots("procesos con menos de 10 pqrs").threshold == ("lt", 10.0)
    assert extract_slots("eventos con más de 70 asistentes").threshold == ("gt", 70.0)
    assert extract_slots("events with at least 50 attendees").threshold == ("ge", 50.0)
    assert extract_slots("cooperación en 2021").years == [2021]
    assert extract_slots("resumen de la sección 4.3.2").section == "4.3.2"
    assert extract_slots("§3.2").section == "3.2"
    assert extract_slots("¿cuál era la meta?").measure == "meta"
    assert extract_slots("¿cuánto cuesta la ciclorruta?").measure == "costo"
    assert extract_slots("¿cuándo fue el encuentro?").measure == "fecha"
    assert extract_slots("qué evento tuvo más asistentes").superlative == "max"


# ----------------------------------------------------------------------------- intent catalog

# The shared intents and the bundled report's overlay intents: what the bot matches for it.
CATALOG = load_catalog() + load_catalog(
    Path(__file__).resolve().parents[1] / "knowledge/overlays/aci-medellin-2020/intents.yaml"
)
MATCHER = IntentMatcher(CATALOG)
PHRASINGS = [(intent.id, phrasing) for intent in CATALOG for phrasing in intent.phrasings]
PATTERNS = [(intent.id, pattern) for intent in CATALOG for pattern in intent.patterns]


def test_catalog_phrasings_are_not_copied_from_the_dev_set() -> None:
    # Aliases are topic names ("banco de proyectos"), which any question about the topic holds;
    # phrasings are example questions and must be our own wording.
    dev_questions = [fold(item["q"]) for item in load_questions()]
    close = [
        (phrasing, question)
        for _, phrasing in PHRASINGS
        for question in dev_questions
        if fuzz.token_set_ratio(fold(phrasing), question) >= 90
    ]
    assert not close, close


@pytest.mark.parametrize(("intent_id", "phrasing"), PATTERNS)
def test_every_phrasing_maps_to_its_intent(intent_id: str, phrasing: str) -> None:
    ranked = MATCHER.match(phrasing, limit=len(CATALOG))
    top_score = ranked[0].score
    assert any(m.intent.id == intent_id and m.score >= top_score - 1e-9 for m in ranked), [
        (m.intent.id, round(m.score)) for m in ranked[:3]
    ]


def _one_typo(text: str, rng: random.Random) -> str:
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(positions) < 6:
        return text
    i = rng.choice(positions[2:-1])
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # swap two letters


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(PATTERNS), st.integers(min_value=0, max_value=10_000))
def test_accent_stripped_and_typo_variants_keep_their_intent(
    item: tuple[str, str], seed: int
) -> None:
    intent_id, phrasing = item
    variant = _one_typo(fold(phrasing), random.Random(seed))
    ranked = MATCHER.match(variant, limit=len(CATALOG))
    top_score = ranked[0].score
    assert any(m.intent.id == intent_id and m.score >= top_score - 1e-9 for m in ranked)
