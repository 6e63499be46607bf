"""Keep the bot token out of every log line, traceback included.

Bot API URLs carry the token (`https://api.telegram.org/bot<token>/sendMessage`), and httpx logs
every request URL at INFO; an exception text or a third-party debug line may quote one too. A
filter rewrites each record's message, arguments and formatted traceback before any handler sees
it. It sits on the root logger, on the loggers of the HTTP and Telegram libraries, on the root's
handlers, and in the log-record factory: a filter on a logger does not see records propagated
from its children, and handlers added later (pytest's caplog, a deployment's own) would miss a
handler filter, but every record is made by the factory.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

REDACTED = "<redacted>"
# `bot<digits>:<secret>` in a Bot API URL, whatever the token: also catches tokens of other bots
# served by the same process, or one typed into an error message by a library.
TOKEN_IN_URL = re.compile(r"bot\d{3,20}:[A-Za-z0-9_-]{20,}")
TOKEN_ALONE = re.compile(r"(?<![A-Za-z0-9_])\d{3,20}:AA[A-Za-z0-9_-]{30,}")
LIBRARY_LOGGERS = ("httpx", "httpcore", "telegram", "telegram.ext", "aiohttp", "apscheduler")

# Raw Telegram ids never reach a log line: `id`, `chat_id`, `user_id`… followed by a number, as
# JSON ("id": 5), a dict repr ('chat_id': 5) or an object repr (id=5), which is how PTB's DEBUG
# lines dump updates and Bot API calls. Names go the same way.
ID_FIELD = re.compile(
    r"""((?<![A-Za-z_])["']?(?:id|chat_id|user_id|from_chat_id|sender_chat_id|"""
    r"""user_chat_id|admin_id)["']?\s*[:=]\s*)-?\d{3,}"""
)
NAME_FIELD = re.compile(
    r"""((?<![A-Za-z_])["']?(?:first_name|last_name|username|title)["']?\s*[:=]\s*)"""
    r"""(["'])(?:\\.|(?!\2).)*\2"""
)
# What users typed: only at DEBUG (where a maintainer asked for it).
TEXT_FIELD = re.compile(
    r"""((?<![A-Za-z_])["']?(?:text|query|caption|data)["']?\s*[:=]\s*)(["'])(?:\\.|(?!\2).)*\2"""
)
ID_REDACTED = "<id>"
NAME_REDACTED = "<name>"
TEXT_REDACTED = "<text>"

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str, *, keep_texts: bool = True) -> str:
    """`text` with every known secret, anything shaped like a bot token, raw ids and names
    replaced; and what users typed too unless `keep_texts` (DEBUG records only)."""
    if not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = TOKEN_IN_URL.sub("bot" + REDACTED, text)
    text = TOKEN_ALONE.sub(REDACTED, text)
    text = ID_FIELD.sub(r"\g<1>" + ID_REDACTED, text)
    text = NAME_FIELD.sub(r"\g<1>\g<2>" + NAME_REDACTED + r"\g<2>", text)
    if not keep_texts:
        text = TEXT_FIELD.sub(r"\g<1>\g<2>" + TEXT_REDACTED + r"\g<2>", text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record so that no handler can print a secret; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_secrets_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what can be shown
            message = f"{record.msg!r} % {record.args!r}"
        keep = record.levelno <= logging.DEBUG
        record.msg = redact(message, keep_texts=keep)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters print exc_text when set instead of formatting exc_info again.
            record.exc_text = redact(_format_exception(record), keep_texts=keep)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, keep_texts=keep)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, keep_texts=keep)
        record._secrets_redacted = True
        return True


def _format_exception(record: logging.LogRecord) -> str:
    assert record.exc_info is not None
    return logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]


_FILTER = RedactSecrets()


def protect(secrets: Iterable[str | None]) -> None:
    """Redact these strings (and anything token-shaped) from every log record from now on.

    Idempotent; each secret is also registered without its numeric bot-id prefix, since the
    part after the colon is what actually authenticates.
    """
    global _installed
    with _lock:
        for secret in secrets:
            secret = (secret or "").strip()
            if len(secret) < 8:  # too short to be a real secret, and would mangle every line
                continue
            _secrets.add(secret)
            _, _, tail = secret.partition(":")
            if len(tail) >= 8:
                _secrets.add(tail)
        if _installed:
            _attach_to_handlers()
            return
        _installed = True
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _FILTER.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        for name in ("", *LIBRARY_LOGGERS):
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
        _attach_to_handlers()


def _attach_to_handlers() -> None:
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def protect_settings(settings: Settings) -> None:
    """Every secret a command may touch, redacted from the start (before any library logs)."""
    from sqlalchemy.engine import make_url

    values = [
        settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None,
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
        settings.user_hash_key.get_secret_value() if settings.user_hash_key else None,
    ]
    with contextlib.suppress(Exception):  # a malformed URL is refused later, with its message
        values.append(make_url(settings.database_url).password)
    protect(values)


def enable_faulthandler() -> None:
    """A fatal signal (SIGSEGV, SIGBUS from a store file gone bad, SIGABRT) leaves a traceback
    on stderr instead of a silent death."""
    if not faulthandler.is_enabled():
        faulthandler.enable()


def protected_secrets() -> frozenset[str]:
    return frozenset(_secrets)
