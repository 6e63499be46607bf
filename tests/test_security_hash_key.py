"""USER_HASH_KEY is never a constant: generated into a 0600 file on first start (serve, console),
read back later and agreed on by processes starting together; placeholders refused; the hashes
made under the old constant purged by migration 0005."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from bot import hash_key, state
from bot.errors import ConfigError
from bot.settings import Settings
from db.migrate import upgrade
from db.models import ChatState, QueryLog, RateLimitHit, utcnow

REPO = Path(__file__).resolve().parent.parent


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, user_hash_key_file=tmp_path / "data" / "key", **values)


def test_no_constant_default(tmp_path: Path) -> None:
    assert Settings(_env_file=None).user_hash_key is None
    first = hash_key.ensure(settings(tmp_path), generate=True)
    key_file = tmp_path / "data" / "key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = first.user_hash_key.get_secret_value()  # type: ignore[union-attr]
    assert len(key) >= 32 and key != hash_key.OLD_DEFAULT
    again = hash_key.ensure(settings(tmp_path), generate=True)
    assert again.user_hash_key.get_secret_value() == key  # type: ignore[union-attr]
    other = hash_key.ensure(Settings(_env_file=None, user_hash_key_file=tmp_path / "k2"),
                            generate=True)
    assert other.user_hash_key.get_secret_value() != key  # type: ignore[union-attr]


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "key"
    code = "import sys; from bot.hash_key import read_or_create; print(read_or_create(sys.argv[1]))"
    code = code.replace("read_or_create(sys.argv[1])", "read_or_create(__import__('pathlib')"
                        ".Path(sys.argv[1]))")
    processes = [subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=REPO,
                                  stdout=subprocess.PIPE, text=True) for _ in range(4)]
    keys = {p.communicate(timeout=60)[0].strip() for p in processes}
    assert len(keys) == 1 and all(keys)


@pytest.mark.parametrize("bad", ["replace-with-another-long-random-string",
                                 hash_key.OLD_DEFAULT, "k3y-x"])
def test_placeholders_and_short_keys_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError) as refused:
        hash_key.ensure(settings(tmp_path, user_hash_key=bad), generate=True)
    assert "USER_HASH_KEY" in str(refused.value) and bad not in str(refused.value)


def test_worker_mode_never_generates(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="USER_HASH_KEY is not set"):
        hash_key.ensure(settings(tmp_path), generate=False)
    assert not (tmp_path / "data" / "key").exists()


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "key"
    path.parent.mkdir()
    path.write_text("a-perfectly-random-key-0123456789\n")
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        hash_key.ensure(settings(tmp_path), generate=True)


def test_migration_purges_hashes_made_under_the_old_constant(engine: Engine) -> None:
    from db.migrate import downgrade

    downgrade(engine, "0004")
    old = hash_key.OLD_DEFAULT
    with engine.begin() as conn:
        conn.execute(insert(QueryLog.__table__).values(
            question="¿cuánta inversión?", status="answered", channel="telegram",
            user_hash=state.hash_id("user", 42, old), chat_hash=state.chat_key(42, old),
            created_at=utcnow(), score=0.0, latency_ms=1.0))
        conn.execute(insert(ChatState.__table__).values(
            chat_key=state.chat_key(42, old), context_json="{}", updated_at=utcnow()))
        conn.execute(insert(RateLimitHit.__table__).values(
            user_hash=state.hash_id("user", 42, old), created_at=utcnow()))
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(QueryLog.__table__.c.question, QueryLog.__table__.c.user_hash,
                                   QueryLog.__table__.c.chat_hash)).all()
        assert rows == [("¿cuánta inversión?", None, None)]  # the question stays, unlinked
        assert conn.execute(select(ChatState.__table__)).all() == []
        assert conn.execute(select(RateLimitHit.__table__)).all() == []
