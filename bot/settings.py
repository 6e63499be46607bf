"""Every setting of the project, read from the environment and `.env` (README lists them all)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BUNDLED_REPORTS_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "reports"
DEFAULT_REPORT_PATH = BUNDLED_REPORTS_DIR / "informe-gestion-aci-medellin-2020.md"


def default_database_url() -> str:
    data_dir = Path(user_data_dir("informe-bot", appauthor=False))
    return f"sqlite:///{data_dir / 'informe-bot.sqlite3'}"


def default_hash_key_file() -> Path:
    return Path(user_data_dir("informe-bot", appauthor=False)) / "user-hash-key"


IdList = Annotated[frozenset[int], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_secret: SecretStr | None = None
    admin_user_ids: IdList = frozenset()
    allowed_user_ids: IdList = frozenset()
    allowed_chat_ids: IdList = frozenset()
    # No default: serve and the console generate one into user_hash_key_file (bot/hash_key.py);
    # the webhook workers refuse to start without it.
    user_hash_key: SecretStr | None = None
    user_hash_key_file: Path = Field(default_factory=default_hash_key_file)
    query_log_retention_days: int = Field(default=90, ge=1)
    report_path: Path = DEFAULT_REPORT_PATH
    # None: the id comes from the report's own title (organisation and year).
    report_id: str | None = None
    questions_per_minute: int = Field(default=20, ge=1)
    # Presses that only rate an answer or turn a page (a press that asks counts as a question).
    button_presses_per_minute: int = Field(default=40, ge=1)
    inline_queries_per_minute: int = Field(default=60, ge=1)  # clients send one per keystroke
    rate_limiter_enabled: bool = True
    bot_api_retries: int = Field(default=3, ge=0, le=10)
    bot_api_timeout: float = Field(default=20.0, gt=0, le=300)
    log_level: str = "INFO"

    @field_validator("admin_user_ids", "allowed_user_ids", "allowed_chat_ids", mode="before")
    @classmethod
    def _parse_id_list(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError(f"expected comma-separated numeric ids, got {value!r}") from exc
        return value

    @field_validator("report_id", mode="before")
    @classmethod
    def _blank_report_id(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token", "webhook_secret", "user_hash_key", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
