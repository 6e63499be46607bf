"""Webhook mode settings: where PTB's webhook server listens and the secret Telegram must send.

Telegram puts the secret in the `X-Telegram-Bot-Api-Secret-Token` header of every webhook POST;
python-telegram-bot's webhook server answers 403 to a request without it or with another one,
so only Telegram (who learnt the secret from setWebhook) can feed the bot updates.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bot.errors import ConfigError
from bot.settings import Settings

SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
MIN_SECRET_LENGTH = 16
EXAMPLE_PLACEHOLDER = "replace-with"  # the example env file's values all start like this


def webhook_secret(settings: Settings) -> str:
    if settings.webhook_secret is None:
        raise ConfigError(
            "WEBHOOK_SECRET is not set; webhook mode needs it (1-256 characters A-Z a-z 0-9 _ -)"
        )
    secret = settings.webhook_secret.get_secret_value()
    if not SECRET_PATTERN.match(secret):
        raise ConfigError("WEBHOOK_SECRET may only use A-Z a-z 0-9 _ - (1-256 characters)")
    if secret.lower().startswith(EXAMPLE_PLACEHOLDER):
        raise ConfigError(
            "WEBHOOK_SECRET is still the example's placeholder; set a random one, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(48))"`'
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"WEBHOOK_SECRET is too short ({len(secret)} characters); use at least "
            f"{MIN_SECRET_LENGTH} random ones"
        )
    return secret


def webhook_options(settings: Settings, webhook_url: str, listen: str, port: int) -> dict[str, Any]:
    """Keyword arguments for `Application.run_webhook` / `Updater.start_webhook`."""
    parts = urlsplit(webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"--webhook-url must be an http(s) URL, got {webhook_url!r}")
    return {
        "listen": listen,
        "port": port,
        # PTB serves `/<url_path>`; the public URL's path is what a reverse proxy forwards.
        "url_path": parts.path.strip("/"),
        "webhook_url": webhook_url,
        "secret_token": webhook_secret(settings),
    }
