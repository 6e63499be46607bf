"""USER_HASH_KEY: the HMAC key of every stored user and chat hash, never a constant.

Without the setting, `serve` and the console (one process on one machine) generate a random key
on first start and keep it in a file only the bot's user can read (0600, in the user data
directory, never in the store beside the hashes); later starts read it back. The webhook
`worker` runs as several processes, possibly on several machines, that must hash alike: it
refuses to start without USER_HASH_KEY. The example file's placeholder and the constant that
older versions used as a default are refused.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path

from pydantic import SecretStr

from bot.errors import ConfigError
from bot.settings import Settings

OLD_DEFAULT = "informe-bot-default-hash-key"  # what versions before migration 0005 hashed with
PLACEHOLDER_PREFIX = "replace-with"
MIN_LENGTH = 16
KEY_BYTES = 32


def check_key(key: str) -> str:
    key = key.strip()
    if key.lower().startswith(PLACEHOLDER_PREFIX) or key == OLD_DEFAULT:
        raise ConfigError(
            "USER_HASH_KEY is still a placeholder; set a random one, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(32))"`'
        )
    if len(key) < MIN_LENGTH:
        raise ConfigError(
            f"USER_HASH_KEY is too short; use at least {MIN_LENGTH} random characters"
        )
    return key


def read_or_create(path: Path) -> str:
    """The key in `path`, created (0600, atomically: two processes starting at once agree)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = secrets.token_urlsafe(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(candidate + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return candidate
    for _ in range(50):  # the other process may be writing it right now
        with contextlib.suppress(OSError):
            key = path.read_text(encoding="utf-8").strip()
            if key:
                if path.stat().st_mode & 0o077:
                    raise ConfigError(f"{path} is readable by others; `chmod 600 {path}`")
                return check_key(key)
        time.sleep(0.05)
    raise ConfigError(f"cannot read the hash key file {path}")


def ensure(settings: Settings, *, generate: bool) -> Settings:
    """`settings` with a usable USER_HASH_KEY (generated and kept in a file when `generate`)."""
    if settings.user_hash_key is not None:
        check_key(settings.user_hash_key.get_secret_value())
        return settings
    if not generate:
        raise ConfigError(
            "USER_HASH_KEY is not set; every worker needs the same random key "
            '(e.g. `python -c "import secrets; print(secrets.token_urlsafe(32))"`)'
        )
    try:
        key = read_or_create(settings.user_hash_key_file)
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the generated USER_HASH_KEY in {settings.user_hash_key_file}: "
            f"{exc.strerror or exc}; set USER_HASH_KEY or USER_HASH_KEY_FILE"
        ) from None
    return settings.model_copy(update={"user_hash_key": SecretStr(key)})
