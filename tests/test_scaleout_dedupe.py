"""Update de-duplication (bot/telegram/dedupe.py) on the database, without workers.

The decisive cases are the races: a second delivery of an update that another worker is still
processing waits for it and then sees "done"; one whose worker failed or died gets the update.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from bot.telegram.dedupe import PROCESSED, Deduplicator, UpdateBusy, is_processed, purge_processed
from db.models import utcnow

BOT = "123456789"


def processed_rows(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(PROCESSED)).scalar_one())


async def test_an_update_is_claimed_once_and_a_failed_one_can_be_claimed_again(
    engine: Engine,
) -> None:
    dedupe = Deduplicator(engine, BOT)
    claim = await dedupe.claim(1)
    assert claim is not None
    with pytest.raises(UpdateBusy):  # the same update again while this process handles it
        await dedupe.claim(1)
    await dedupe.finish(claim, ok=False)  # handling failed: nothing recorded
    assert not is_processed(engine, BOT, 1)
    again = await dedupe.claim(1)
    assert again is not None
    await dedupe.finish(again, ok=True)
    assert is_processed(engine, BOT, 1)
    assert await dedupe.claim(1) is None  # a redelivery after success: nothing to do
    dedupe.release(1)
    assert dedupe.in_flight == 0
    # The same update id of another bot is another update.
    other = await Deduplicator(engine, "987654321").claim(1)
    assert other is not None
    await Deduplicator(engine, "987654321").finish(other, ok=True)
    assert processed_rows(engine) == 2


async def test_old_update_ids_are_purged(engine: Engine) -> None:
    dedupe = Deduplicator(engine, BOT)
    for update_id in (10, 11):
        claim = await dedupe.claim(update_id)
        assert claim is not None
        await dedupe.finish(claim, ok=True)
    with engine.begin() as conn:
        conn.execute(
            PROCESSED.update()
            .where(PROCESSED.c.update_id == 10)
            .values(created_at=utcnow() - timedelta(days=8))
        )
    assert purge_processed(engine) == 1
    assert not is_processed(engine, BOT, 10) and is_processed(engine, BOT, 11)


# ----------------------------------------------------------------------------- two workers


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Engine]:
    from db.engine import make_engine
    from db.migrate import upgrade

    db = make_engine(postgres_url)
    upgrade(db)
    yield db
    db.dispose()


@pytest.mark.postgres
async def test_a_second_worker_waits_for_the_first_and_then_skips_the_update(pg: Engine) -> None:
    first, second = Deduplicator(pg, BOT), Deduplicator(pg, BOT)  # two worker processes
    claim = await first.claim(7)
    assert claim is not None
    waiting = asyncio.create_task(second.claim(7))
    await asyncio.sleep(0.5)
    assert not waiting.done()  # blocked on the first worker's uncommitted row
    started = time.monotonic()
    await first.finish(claim, ok=True)
    assert await asyncio.wait_for(waiting, 5) is None
    assert time.monotonic() - started < 2
    second.release(7)
    assert processed_rows(pg) == 1


@pytest.mark.postgres
async def test_a_second_worker_takes_over_when_the_first_fails_or_dies(pg: Engine) -> None:
    first, second = Deduplicator(pg, BOT), Deduplicator(pg, BOT)
    claim = await first.claim(8)
    assert claim is not None
    waiting = asyncio.create_task(second.claim(8))
    await asyncio.sleep(0.3)
    await first.finish(claim, ok=False)  # the handler failed: answered 500
    taken = await asyncio.wait_for(waiting, 5)
    assert taken is not None
    # Now the second worker dies mid-update: its database session ends without a commit.
    assert taken.conn is not None
    backend = taken.conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    third = Deduplicator(pg, BOT)
    waiting = asyncio.create_task(third.claim(8))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    with pg.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    rescued = await asyncio.wait_for(waiting, 5)
    assert rescued is not None
    taken.conn.invalidate()  # the dead session's connection: nothing left to roll back
    await third.finish(rescued, ok=True)
    assert is_processed(pg, BOT, 8) and processed_rows(pg) == 1


@pytest.mark.postgres
async def test_a_delivery_that_waits_too_long_is_told_to_retry(pg: Engine) -> None:
    first, impatient = Deduplicator(pg, BOT), Deduplicator(pg, BOT, lock_timeout_s=0.3)
    claim = await first.claim(9)
    assert claim is not None
    with pytest.raises(UpdateBusy):
        await impatient.claim(9)
    assert impatient.in_flight == 0
    await first.finish(claim, ok=True)
    assert await impatient.claim(9) is None
