"""Spanish figures in report text: "381,30", "2.975", "$1.424.430.012", "100 mil", "1MM", "98,81%".

Conventions of the report (and of Colombian Spanish): "." groups thousands, "," is the decimal
mark. So "2.975" is 2975, "4,989" is 4.989 and "23,049 m²" is read as 23.049 (the report may have
meant 23.049 thousand, like "22.188,74 m²" next to it; the raw text is kept so a reader can judge).
A bare "$" is COP: the report always writes "USD" next to dollar amounts.

`value` is the numeric part as written, before the scale: "USD $381,30 millones" -> 381.3 with
scale "millones". Spans index the text given (markdown "**" and "\\$" are tolerated and skipped);
`raw` is the cleaned figure ("USD $381,30 millones").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

DATA_DIR = Path(__file__).resolve().parent / "data"

SCALES = {"mil": "mil", "millones": "millones", "millón": "millones", "millon": "millones",
          "billones": "billones", "billón": "billones", "billon": "billones", "mm": "MM"}

# Spelled-out counts are language, not report data: only these are read, and only when a known
# unit word follows ("tres premios", "siete reuniones"). "un"/"una" are too ambiguous to read.
SPELLED = {"dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
           "nueve": 9, "diez": 10, "once": 11, "doce": 12, "veinte": 20, "treinta": 30,
           "cuarenta": 40, "cincuenta": 50, "cien": 100}

_NUMBER_RE = re.compile(
    r"(?:(?<![\w$])(?P<cur>USD|UDS|US|COP)\s*)?"
    r"(?P<sign>\$\s*)?"
    r"(?<![\w.,])(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d)|\d+\.\d{1,2}(?![\d.])|\d+(?:,\d+)?)"
)
_SCALE_RE = re.compile(r"\s*(?P<scale>mil\s+millones|millones|mill[oó]n|billones|bill[oó]n|mil)\b"
                       r"|(?P<mm>\s*MM)\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_SPELLED_RE = re.compile(r"\b(?P<word>" + "|".join(SPELLED) + r")\b", re.IGNORECASE)


class ParsedNumber(BaseModel):
    """A figure read from a short text (a table cell, a question): number plus its markers."""

    raw: str  # the figure as written, markdown removed: "USD $4,8 millones"
    value: float  # numeric part as written, before the scale
    unit: str | None = None
    scale: str | None = None
    qualifier: str | None = None  # what the text adds after the figure: "+", "empresas"...


class NumberMatch(ParsedNumber):
    """A figure found in a sentence, with its position in the text given."""

    span: tuple[int, int]
    spelled: bool = False  # "tres premios": read from words, not digits


@dataclass(frozen=True)
class _Lexicon:
    currencies: dict[str, str]  # word -> canonical currency
    words: dict[str, str]  # word -> canonical unit
    skip: frozenset[str]
    symbols: list[tuple[re.Pattern[str], str]]
    dates: list[re.Pattern[str]]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    units = yaml.safe_load((DATA_DIR / "units.yaml").read_text(encoding="utf-8"))
    excl = yaml.safe_load((DATA_DIR / "number_exclusions.yaml").read_text(encoding="utf-8"))
    return _Lexicon(
        currencies={w.casefold(): c for c, ws in units["currencies"].items() for w in ws},
        words={w.casefold(): u for u, ws in units["words"].items() for w in ws},
        skip=frozenset(w.casefold() for w in units["skip"]),
        symbols=[(re.compile(s["pattern"]), s["unit"]) for s in units["symbols"]],
        dates=[re.compile(e["pattern"], re.IGNORECASE)
               for e in excl["exclusions"] if e["kind"] == "date"],
    )


def clean_markdown(text: str) -> str:
    """Drop bold markers and the "\\$" escape of the PDF conversion."""
    return text.replace("**", "").replace("\\$", "$")


def _clean_with_offsets(text: str) -> tuple[str, list[int]]:
    if "**" not in text and "\\$" not in text:
        return text, list(range(len(text) + 1))
    out: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(text):
        if text.startswith("**", i):
            i += 2
            continue
        if text.startswith("\\$", i):
            i += 1
        out.append(text[i])
        offsets.append(i)
        i += 1
    offsets.append(len(text))
    return "".join(out), offsets


def _to_float(num: str) -> float:
    if "," in num:
        return float(num.replace(".", "").replace(",", "."))
    if "." in num:
        groups = num.split(".")
        if all(len(g) == 3 for g in groups[1:]):
            return float("".join(groups))
        return float(num)
    return float(num)


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where dates sit in a (clean) text: their day numbers are not figures."""
    return [m.span() for pat in _lexicon().dates for m in pat.finditer(text)]


def _unit_after(text: str, pos: int) -> tuple[str | None, str | None, int]:
    """Unit (and currency word) right after a number: "%", "m ²", "DE DÓLARES", "empresas"."""
    lex = _lexicon()
    for pattern, unit in lex.symbols:
        m = pattern.match(text, pos)
        if m:
            return unit, None, m.end()
    # allow one closing parenthesis: "tres mil (3000) unidades"
    cursor = pos + 1 if text.startswith(")", pos) else pos
    for _ in range(4):
        m = re.compile(r"\s+").match(text, cursor)
        if not m:
            break
        w = _WORD_RE.match(text, m.end())
        if not w:
            break
        word = w.group().casefold()
        if word in lex.currencies:
            return None, lex.currencies[word], w.end()
        if word in lex.words:
            return lex.words[word], None, w.end()
        if word not in lex.skip:
            break
        cursor = w.end()
    return None, None, pos


def _read(clean: str, m: re.Match[str]) -> tuple[str | None, str | None, int]:
    """Currency, scale and unit around a number match; returns (unit, scale, end)."""
    lex = _lexicon()
    unit: str | None = None
    if m.group("cur"):
        unit = lex.currencies.get(m.group("cur").casefold(), "USD")
    elif m.group("sign"):
        unit = "COP"
    end = m.end()
    scale = None
    s = _SCALE_RE.match(clean, end)
    if s:
        word = (s.group("scale") or s.group("mm")).strip()
        key = word.casefold()
        scale = "MM" if s.group("mm") else ("mil millones" if key.startswith("mil ") else
                                            SCALES.get(key, key))
        end = s.end()
    word_unit, currency, unit_end = _unit_after(clean, end)
    if currency:
        unit = unit or currency
        if unit != currency and m.group("sign") and not m.group("cur"):
            unit = currency  # "$4,8 millones de dólares": the words say which dollar
        end = unit_end
    elif word_unit:
        unit = word_unit if unit is None else unit
        end = unit_end if unit == word_unit else end
    return unit, scale, end


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def find_numbers(text: str, *, include_dates: bool = False) -> list[NumberMatch]:
    """Every figure in a sentence, in order. Day numbers of dates are skipped unless asked."""
    clean, offsets = _clean_with_offsets(text)
    dates = [] if include_dates else date_spans(clean)
    found: list[tuple[int, int, NumberMatch]] = []
    for m in _NUMBER_RE.finditer(clean):
        if _overlaps(m.span("num"), dates):
            continue
        unit, scale, end = _read(clean, m)
        start = m.start()
        raw = clean[start:end].strip()
        if ")" in raw and "(" not in raw:
            raw = raw[: raw.index(")")]  # "(3000) unidades": the unit is outside the brackets
        found.append((start, end, NumberMatch(
            raw=raw, value=_to_float(m.group("num")), unit=unit,
            scale=scale, span=(offsets[start], offsets[end - 1] + 1))))
    for m in _SPELLED_RE.finditer(clean):
        if _overlaps(m.span(), [(s, e) for s, e, _ in found]):
            continue
        if re.match(r"\s*\(\s*\d", clean[m.end():]):
            continue  # "cinco (5) servidores": the digits are read instead
        unit, _, end = _unit_after(clean, m.end())
        if unit is None:
            continue
        found.append((m.start(), end, NumberMatch(
            raw=clean[m.start():end], value=float(SPELLED[m.group("word").casefold()]),
            unit=unit, span=(offsets[m.start()], offsets[end - 1] + 1), spelled=True)))
    found.sort(key=lambda t: t[0])
    _inherit_units(clean, found)
    return [nm for _, _, nm in found]


def _inherit_units(clean: str, found: list[tuple[int, int, NumberMatch]]) -> None:
    """A bare number listed right after a figure shares its unit.

    "46 EVENTOS, 16 organizados ... y 13 para asesorar" -> 16 and 13 are eventos; "$189 millones,
    de los cuales se recaudaron 133 millones" -> 133 is COP. Years are never given a unit.
    """
    for i in range(1, len(found)):
        start, _, cur = found[i]
        prev_end, prev = found[i - 1][1], found[i - 1][2]
        if cur.unit is not None or prev.unit is None or cur.spelled:
            continue
        if cur.scale is None and cur.value.is_integer() and 1900 <= cur.value <= 2099:
            continue
        gap = clean[prev_end:start]
        if len(gap) <= 60 and ("," in gap or " y " in gap) and not re.search(r"[.;:]\s", gap):
            cur.unit = prev.unit


def parse_number(text: str) -> ParsedNumber | None:
    """The figure a short text starts with ("100+", "6 empresas", "$964.165.992", "90%").

    None when the text does not start with a figure or is a date ("14 de mayo", "28/04/2020").
    What follows the figure is kept as `qualifier`.
    """
    clean = clean_markdown(text).strip()
    matches = find_numbers(clean)
    if not matches or matches[0].span[0] != 0 or matches[0].spelled:
        return None
    first = matches[0]
    m = _NUMBER_RE.match(clean)
    assert m is not None  # find_numbers matched at 0
    if re.fullmatch(r"\d{12,}", m.group("num")):
        return None  # a long digit run is a code (court case number), not a figure
    end = m.end()
    s = _SCALE_RE.match(clean, end)
    if s:
        end = s.end()
    rest = clean[end:].strip()
    if any(p.fullmatch(" " + rest) for p, _ in _lexicon().symbols):
        rest = ""  # "90%": the symbol is the unit, nothing more is said
    _, currency, unit_end = _unit_after(clean, end)
    if currency and unit_end == len(clean):
        rest = ""  # "2.800 MILLONES DE PESOS": the words only name the currency
    return ParsedNumber(raw=clean, value=first.value, unit=first.unit, scale=first.scale,
                        qualifier=rest or None)


def unit_from_words(text: str) -> tuple[str | None, str | None]:
    """Unit and scale named by words alone: "Millones de dólares" -> ("USD", "millones")."""
    lex = _lexicon()
    unit = scale = None
    for word in _WORD_RE.findall(clean_markdown(text)):
        key = word.casefold()
        if key in SCALES and scale is None:
            scale = SCALES[key]
        elif key in lex.currencies and unit is None:
            unit = lex.currencies[key]
        elif key in lex.words and unit is None:
            unit = lex.words[key]
    return unit, scale


def unit_words() -> frozenset[str]:
    """Canonical units named by words ("personas", "proyectos"...): things a figure counts."""
    return frozenset(u for u in _lexicon().words.values() if u != "%")
