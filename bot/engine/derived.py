"""Intents derived from an ingested report: one per list and table it holds, named by rules.

The shared catalog (knowledge/data/intents.yaml) only holds what every report shares (help,
contradictions, summaries). A report's overlay may name its lists and tables by hand
(knowledge/overlays/<id>/intents.yaml, entries kept only when their targets exist); every
list or table no overlay entry targets gets an intent made here from the report's own words:
- a list is named by the noun its intro announces ("las siguientes REDES", "cinco LÍNEAS
  TEMÁTICAS", "los SECTORES son"), with the words of its intro and of its section's title;
- a table by its caption or heading and the words its key adds (the header it is told apart
  by); tables of one role in one section ("eventos propios", "como invitados"…) also share one
  intent named by that section;
- English aliases are the same words through the general glossary (Spanish -> English).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from functools import lru_cache

import yaml

from bot.engine.catalog import Intent
from bot.engine.normalize import fold, is_stop_word, stem
from knowledge.model import ParsedEnumeration, ParsedReport, ParsedTable
from knowledge.numbers import SPELLED

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Words that announce a list's noun ("las SIGUIENTES redes", "cinco líneas") and are no noun.
_CUES = frozenset({"siguientes", "diferentes", "principales", "distintas", "distintos",
                   "varias", "varios", "nuestras", "nuestros", "sus"}) | {fold(w) for w in SPELLED}
_ARTICLES = frozenset({"los", "las", "unos", "unas"})
# A list's name ends at a clause boundary or a verb-like joint.
_STOPS = frozenset({"que", "son", "se", "en", "este", "esta", "estos", "estas", "con", "como",
                    "y", "e", "o", "donde", "cuales", "cual", "fueron", "han", "hemos"})
_JOINS = frozenset({"de", "del", "la", "las", "los", "el", "para", "a"})
_MAX_NAME = 4
_MAX_ALIAS = 6
log = logging.getLogger("bot.engine")


def report_intents(report: ParsedReport, taken: set[str]) -> list[Intent]:
    """Intents for every list and table of the report whose key no intent in `taken` targets."""
    intents: list[Intent] = []
    lists = [e for e in report.enumerations if e.items]
    names = {e.key: _list_name(_words(e.title)) for e in lists}
    for enumeration in lists:
        if enumeration.key not in taken:
            intents.append(_list_intent(report, enumeration, names))
    sections = {s.number: s for s in report.sections}
    by_group: dict[tuple[str, str], list[ParsedTable]] = defaultdict(list)
    for table in report.tables:
        if table.kind != "grid" or table.key in taken:
            continue
        intents.append(_table_intent(report, table))
        by_group[(table.section, table.role)].append(table)
    for (number, role), tables in by_group.items():
        section = sections.get(number)
        if len(tables) < 2 or section is None or role in ("other", "indicators"):
            continue
        # one kind of thing: the tables' titles open with the same word ("eventos …")
        heads = {tuple(_content(t.title or t.heading)[:1]) for t in tables}
        if len(heads) != 1 or not next(iter(heads)):
            continue
        head = list(next(iter(heads)))
        title = section.title
        aliases = _aliases([head, head + [w for w in _content(title) if w not in head][:3]])
        label = _label(title, report)
        intents.append(Intent(
            id=f"table.{number}-{role}", handler="table",
            targets=tuple(t.key for t in tables), label_es=label, label_en=label,
            phrasings=(), aliases=aliases))
    return intents


def _list_intent(report: ParsedReport, enumeration: ParsedEnumeration,
                 names: dict[str, list[str]]) -> Intent:
    section = report.section(enumeration.section)
    section_words = _content(section.title) if section else []
    intro = _words(enumeration.title)
    name = names[enumeration.key]
    rest = [w for w in _content_words(intro) if w not in name and w not in _CUES]
    alternatives = [
        name + rest[-3:],
        name + [w for w in section_words if w not in name][:_MAX_ALIAS - len(name)],
    ]
    # The bare name when no other list has it (or every one that has it lists the same
    # things: a summary repeating a chapter's list); a name its section is titled by
    # ("premios" under "… y premios internacionales") also alone.
    same = [k for k, n in names.items() if n[:1] == name[:1] and k != enumeration.key]
    alike = all(_same_items(report, enumeration.key, k) for k in same)
    if not same or (alike and _owner(report, [enumeration.key, *same], name) == enumeration.key):
        alternatives.insert(0, name)
        if name[:1] and name[0] in section_words:
            alternatives.insert(0, name[:1])
    aliases = _aliases(alternatives)
    label = _list_label(report, enumeration, name, section.title if section else "")
    return Intent(id=f"list.{enumeration.key}", handler="enumeration",
                  targets=(enumeration.key,), label_es=label, label_en=label, phrasings=(),
                  aliases=aliases)


def _owner(report: ParsedReport, keys: list[str], name: list[str]) -> str:
    """Of lists of the same things, the one a section is titled by ("… y premios
    internacionales"), else the first in reading order."""
    order = {e.key: i for i, e in enumerate(report.enumerations)}
    keys = sorted(keys, key=lambda k: order.get(k, 0))
    for key in keys:
        enumeration = next(e for e in report.enumerations if e.key == key)
        section = report.section(enumeration.section)
        if section and name[:1] and name[0] in _content(section.title):
            return key
    return keys[0]


def _same_items(report: ParsedReport, a: str, b: str) -> bool:
    """Two lists of the same things: most items of the shorter share most of their words with
    an item of the other ("Premio Internacional CGLU…" and "Cuarto premio Internacional
    CGLU…")."""
    lists = {e.key: e for e in report.enumerations}

    def items(key: str) -> list[set[str]]:
        return [set(_content(i.label)[:6]) for i in lists[key].items]

    short, long_ = sorted((items(a), items(b)), key=len)
    shared = sum(any(len(s & o) * 2 >= max(1, len(s)) for o in long_) for s in short)
    return shared * 2 >= max(1, len(short))


def _table_intent(report: ParsedReport, table: ParsedTable) -> Intent:
    title_words = _content(table.title or table.heading)
    heading_words = _content(table.heading)
    key_words = [w for w in _content(table.key.split("-", 1)[-1].replace("-", " "))
                 if w not in title_words and w not in heading_words]
    categories = [w for c in table.columns if c.meaning == "category" for w in _content(c.header)]
    alternatives = [title_words + key_words, title_words]
    if heading_words != title_words:
        alternatives.append(heading_words + key_words)
    if key_words:  # two tables under one heading: told apart by the key's header words
        alternatives += [title_words[:1] + key_words, title_words[-1:] + key_words]
    if categories:  # a register asked by its kinds ("proyectos … por línea temática")
        alternatives.append(title_words[:2] + categories[:2])
    aliases = _aliases(alternatives)
    label = _label(table.title or table.heading, report)
    if key_words and not any(w in fold(label) for w in key_words):
        label = f"{label} ({' '.join(key_words)})"
    handler = "indicators" if table.role == "indicators" else "table"
    return Intent(id=f"table.{table.key}", handler=handler, targets=(table.key,),
                  label_es=label, label_en=label, phrasings=(), aliases=aliases)


def _list_name(words: list[str]) -> list[str]:
    """The words naming a list in its intro: the noun a count or cue announces, with the
    adjectives right after it ("líneas temáticas", "premios internacionales", "redes")."""
    start = None
    for i, word in enumerate(words):
        if _is_noun(word) and i and (words[i - 1] in _CUES or words[i - 1].isdigit()
                                     or words[i - 1] in _ARTICLES):
            start = i
            break
    if start is None:
        start = next((i for i, w in enumerate(words) if _is_noun(w)), None)
    if start is None:
        return _content_words(words)[-_MAX_NAME:]
    name = [words[start]]
    for word in words[start + 1:]:
        if (word in _STOPS or word in _JOINS or is_stop_word(word) or len(name) >= 2
                or not _content_words([word])):
            break
        name.append(word)
    return name


def _is_noun(word: str) -> bool:
    """A plural content word (a list names many things): 'redes', 'fases', 'sectores'."""
    return (len(word) >= 4 and word.endswith("s") and not word.isdigit()
            and not is_stop_word(word) and word not in _CUES and word not in _ARTICLES)


def _list_label(report: ParsedReport, enumeration: ParsedEnumeration, name: list[str],
                section_title: str) -> str:
    title = enumeration.title
    if len(title) <= 60 and not title.rstrip().endswith((" son", " SON")):
        return _label(title, report)
    named = _phrase_of(title, name) or " ".join(name)
    if section_title and set(name) <= set(_content(section_title)):
        return _label(section_title, report)  # the section is titled by the list's name
    where = _label(section_title, report) if section_title else ""
    return f"{_label(named, report)} ({where})" if where else _label(named, report)


def _phrase_of(text: str, name: list[str]) -> str:
    """The piece of `text` (as written) from the first to the last word of `name`."""
    found = [(m.start(), m.end()) for m in _WORD.finditer(text) if fold(m.group()) in name]
    return text[found[0][0]:found[-1][1]] if found else ""


def _label(text: str, report: ParsedReport) -> str:
    from bot.report_tables import sentence_case

    text = text.strip().rstrip(":.").strip()
    cased = sentence_case(text, report) if text.isupper() else text
    return cased[:1].upper() + cased[1:]


def _words(text: str) -> list[str]:
    return [fold(m.group()) for m in _WORD.finditer(text)]


def _content_words(words: list[str]) -> list[str]:
    return [w for w in words if not is_stop_word(w) and not w.isdigit()
            and not re.fullmatch(r"\d+(?:-\d+)*", w) and len(w) > 1]


def _content(text: str) -> list[str]:
    return list(dict.fromkeys(_content_words(_words(text))))


def _aliases(alternatives: list[list[str]]) -> tuple[str, ...]:
    spanish = [" ".join(dict.fromkeys(a)) for a in alternatives if a]
    spanish = list(dict.fromkeys(s for s in spanish if s))
    english = [e for s in spanish for e in _english(s)]
    return tuple(dict.fromkeys(spanish + [e for e in english if e and e not in spanish]))


def _english(alias: str) -> list[str]:
    """The alias in English through the glossary, word by word (a word it lacks is kept: often a
    cognate, "internacionales"); none when no word translates."""
    table = _spanish_to_english()
    words = [(w, table.get(w) or table.get(stem(w))) for w in alias.split()]
    if not any(e for _, e in words):
        return []
    return [" ".join(e or w for w, e in words)]


@lru_cache(maxsize=1)
def _spanish_to_english() -> dict[str, str]:
    """Folded Spanish word -> the first English glossary word rendered by it."""
    from bot.engine.curated import _glossary

    out: dict[str, str] = {}
    stems: dict[str, str] = {}
    for english, spanish in _glossary().items():
        for phrase in spanish:
            out.setdefault(fold(str(phrase)), fold(english))
            stems.setdefault(stem(fold(str(phrase))), fold(english))
    return {**stems, **out}  # a word as the glossary writes it wins over a stem's guess


def catalog_for(reports: list[ParsedReport]) -> tuple[Intent, ...]:
    """The shared catalog, then per report its overlay's intents (those whose every target the
    report holds) and the intents derived from its lists and tables no overlay entry names."""
    from bot.engine.catalog import load_catalog

    intents = list(load_catalog())
    ids = {i.id for i in intents}
    for report in reports:
        keys = {t.key for t in report.tables} | {e.key for e in report.enumerations}
        taken: set[str] = set()
        for intent in _overlay_intents(report.title):
            if not all(target in keys for target in intent.targets):
                log.warning("overlay intent %s skipped: %s has no %s", intent.id,
                            report.report_id, [t for t in intent.targets if t not in keys])
                continue
            taken.update(intent.targets)
            if intent.id not in ids:
                intents.append(intent)
                ids.add(intent.id)
        for intent in report_intents(report, taken):
            if intent.id not in ids:
                intents.append(intent)
                ids.add(intent.id)
    return tuple(intents)


def _overlay_intents(title: str) -> tuple[Intent, ...]:
    from bot.engine.catalog import load_catalog
    from knowledge.overlays import OVERLAYS_DIR, overlay_for

    overlay = overlay_for(title)
    path = OVERLAYS_DIR / overlay.name / "intents.yaml" if overlay else None
    if path is None or not path.exists():
        return ()
    try:
        return load_catalog(path)
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:  # never fatal
        log.warning("overlay %s: intents unreadable, skipped (%s)", overlay.name, exc)
        return ()
