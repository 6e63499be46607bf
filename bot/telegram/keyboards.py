"""Inline keyboards and the callback-data codec.

Callback data is `tag|field|field` in at most 64 bytes, and carries its whole meaning, so any
worker can serve the press. What does not fit (a long suggested question, a table key with a long
argument) is stored in the database and the button carries `k|<key>` instead. Tags:

    a|<question>          ask this question (a "¿Quisiste decir…?" suggestion)
    c|<command>|<arg>     run a command with this argument (pick-one buttons)
    p|<answer key>|<n>    show page n of a stored long answer (◀ ▶)
    f|<query log id>|±1   feedback 👍 / 👎
    x                     does nothing (the "2/5" page indicator)
    k|<key>               one of the above, stored under <key>
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine.answer import Answer
from bot.report_tables import Option, shorten

MAX_CALLBACK_BYTES = 64
SEPARATOR = "|"
BUTTON_LABEL_LIMIT = 60
MAX_SUGGESTIONS = 6
MAX_CHOICES = 24
SHORT_LABEL = 14  # labels this short (months, numbers) share a row, three at a time
SHORT_PER_ROW = 3

ASK, COMMAND, PAGE, FEEDBACK, NOOP, KEY = "a", "c", "p", "f", "x", "k"

# Saves a payload, returns its key (bot.state.put_callback), or None when the store failed.
Store = Callable[[dict[str, Any]], str | None]


def pack(*fields: str) -> str | None:
    """The fields as callback data, or None when they do not fit or contain the separator."""
    if not fields or any(SEPARATOR in f for f in fields):
        return None
    data = SEPARATOR.join(fields)
    return data if 0 < len(data.encode()) <= MAX_CALLBACK_BYTES else None


def unpack(data: str) -> list[str]:
    return data.split(SEPARATOR)


def encode(fields: Sequence[str], store: Store) -> str | None:
    """Callback data for these fields, stored in the database when they do not fit; None when
    they do not fit and the store failed (the caller leaves that button out)."""
    packed = pack(*fields)
    if packed is not None:
        return packed
    key = store({"fields": list(fields)})
    if key is None:
        return None
    data = pack(KEY, key)
    assert data is not None, "store keys are short and separator-free"
    return data


def decode(data: str, load: Callable[[str], dict[str, Any] | None]) -> list[str] | None:
    """The fields of a button; None when its stored key is gone (expired) or it is malformed."""
    fields = unpack(data)
    if fields[0] == KEY:
        if len(fields) != 2:
            return None
        payload = load(fields[1])
        if payload is None or not isinstance(payload.get("fields"), list):
            return None
        fields = [str(f) for f in payload["fields"]]
    return fields if _well_formed(fields) else None


def _well_formed(fields: list[str]) -> bool:
    """Buttons are ours, but callback data can be forged: check shapes before using them."""
    tag, rest = fields[0], fields[1:]
    if tag == NOOP:
        return not rest
    if tag == ASK:
        return len(rest) == 1 and bool(rest[0].strip())
    if tag == COMMAND:
        return len(rest) == 2 and bool(rest[0])
    if tag == PAGE:
        return len(rest) == 2 and bool(rest[0]) and ascii_digits(rest[1], max_len=4)
    if tag == FEEDBACK:
        return len(rest) == 2 and ascii_digits(rest[0], max_len=18) and rest[1] in ("1", "-1")
    return False


def ascii_digits(text: str, *, max_len: int) -> bool:
    """Only 0-9 (`str.isdigit()` also accepts "²" and "①", which `int()` refuses)."""
    return 0 < len(text) <= max_len and text.isascii() and text.isdigit()


def button_label(text: str) -> str:
    return shorten(" ".join(text.split()), BUTTON_LABEL_LIMIT)


# ----------------------------------------------------------------------------- keyboards


def answer_keyboard(
    answer: Answer,
    store: Store,
    *,
    log_id: int | None = None,
    answer_key: str | None = None,
    page: int = 0,
    pages: int = 1,
) -> InlineKeyboardMarkup | None:
    """Suggestion buttons, ◀ n/N ▶ when paginated, and 👍/👎 when the question was logged."""
    rows: list[list[InlineKeyboardButton]] = []
    if answer.status != "answered":
        for suggestion in answer.suggestions[:MAX_SUGGESTIONS]:
            data = encode([ASK, suggestion], store)
            if data is not None:
                rows.append([InlineKeyboardButton(button_label(suggestion), callback_data=data)])
    if pages > 1 and answer_key is not None:
        rows.append(page_row(answer_key, page, pages))
    if log_id is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    "👍", callback_data=encode([FEEDBACK, str(log_id), "1"], store)
                ),
                InlineKeyboardButton(
                    "👎", callback_data=encode([FEEDBACK, str(log_id), "-1"], store)
                ),
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def page_row(answer_key: str, page: int, pages: int) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀", callback_data=f"{PAGE}|{answer_key}|{page - 1}"))
    row.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data=NOOP))
    if page < pages - 1:
        row.append(InlineKeyboardButton("▶", callback_data=f"{PAGE}|{answer_key}|{page + 1}"))
    return row


def choices_keyboard(command: str, options: Sequence[Option], store: Store) -> InlineKeyboardMarkup:
    """Pick-one buttons that re-run `command` with the chosen option; short labels share a row."""
    rows: list[list[InlineKeyboardButton]] = []
    row_is_short = False
    for option in options[:MAX_CHOICES]:
        data = encode([COMMAND, command, option.value], store)
        if data is None:
            continue
        button = InlineKeyboardButton(button_label(option.label), callback_data=data)
        short = len(option.label) <= SHORT_LABEL
        if short and row_is_short and len(rows[-1]) < SHORT_PER_ROW:
            rows[-1].append(button)
        else:
            rows.append([button])
            row_is_short = short
    return InlineKeyboardMarkup(rows)
