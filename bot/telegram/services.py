"""The long-lived services one bot process shares between updates, kept in `bot_data`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine as DbEngine

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.engine.core import Engine

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    engine: Engine  # answers questions; replaced as a whole when the knowledge is reloaded
    db: DbEngine  # the bot's state (query log, chat state, button keys)
    owns_db: bool = False  # created by the bot at start, so disposed at shutdown

    @property
    def hash_key(self) -> str:
        key = self.settings.user_hash_key
        if key is None:  # serve and worker resolve it first (bot/hash_key.py)
            raise RuntimeError("USER_HASH_KEY is not resolved")
        return key.get_secret_value()


def get_services(bot_data: dict[str, Any]) -> Services:
    services = bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("bot services are not initialised (post_init did not run)")
    return services
