"""Scale-out for real: three `informe-bot worker` processes on one PostgreSQL database, nginx in
front of them (deploy/nginx/informe-bot-proxy.conf), and the local Bot API posting updates.

Some tests route an update to a chosen worker by POSTing it there themselves, as the Bot API
would (secret header included): that is how a button made by one worker is pressed on another.
The load test lets the Bot API deliver through nginx and kills a worker half-way.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot import state
from bot.settings import DEFAULT_REPORT_PATH
from bot.telegram.app import CONCURRENT_UPDATES
from db.models import ProcessedUpdate, QueryLog
from tests.fakes.botapi import FakeBotApi, SentMessage
from tests.fakes.cluster import (
    HASH_KEY,
    Cluster,
    nginx_binary,
    prepare_store,
    scratch_postgres,
    take_updates,
)
from tests.fakes.faults import Fault

pytestmark = pytest.mark.postgres

ADMIN = 424242
LOAD_CHATS = 50
LOAD_UPDATES = 2000
# Questions the engine answers cheaply: the load test is about delivery, not about the engine.
LOAD_QUESTIONS = [
    "hola",
    "eventos",
    "presupuesto",
    "premios",
    "inversión",
    "/redes",
    "fases de la gestion de cooperacion",
    "pqrs por proceso",
    "cuales son los indicadores de inversion y sus metas 2020",
    "gracias",
]
ANSWER_TIMEOUT_S = 300.0  # generous: CI machines are shared; the figures come from benchmarks


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start_in_thread()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cluster(
    api: FakeBotApi, postgres_available: bool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    if not postgres_available:
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    workdir = tmp_path_factory.mktemp("cluster")
    report = workdir / DEFAULT_REPORT_PATH.name  # a copy /recargar can be shown a new text with
    shutil.copyfile(DEFAULT_REPORT_PATH, report)
    env = {"REPORT_PATH": str(report), "ADMIN_USER_IDS": str(ADMIN), "BOT_API_RETRIES": "1"}
    with scratch_postgres() as url:
        prepare_store(url)  # migrate and ingest once, instead of three workers racing to
        with Cluster(api, url, ports=3, nginx=nginx_binary() is not None, workdir=workdir,
                     env=env) as running:
            yield running


@pytest.fixture(scope="module")
def db(cluster: Cluster) -> Iterator[Any]:
    engine = create_engine(cluster.database_url)
    yield engine
    engine.dispose()


def post_fed(cluster: Cluster, worker: int, update: dict[str, Any]) -> int:
    """Deliver an update the fake Bot API queued to one worker; returns the HTTP status."""
    take_updates(cluster.api)  # confirmed: the webhook set later must not deliver it again
    return cluster.post(worker, update).status_code


def say(cluster: Cluster, worker: int, chat_id: int, text: str, **kwargs: Any) -> SentMessage:
    api = cluster.api
    before = api.sent_count(chat_id)
    assert post_fed(cluster, worker, api.send_text(chat_id, text, **kwargs)) == 200
    sent = api.sent_messages(chat_id)
    assert len(sent) == before + 1, [m.text for m in sent[before:]]
    return sent[-1]


def press(cluster: Cluster, worker: int, message: SentMessage, data: str) -> None:
    update = cluster.api.press_button(message.chat_id, message.message_id, data)
    assert post_fed(cluster, worker, update) == 200


def buttons(message: SentMessage) -> dict[str, str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {button["text"]: button.get("callback_data", "") for row in rows for button in row}


def health_totals(cluster: Cluster) -> Counter[str]:
    totals: Counter[str] = Counter()
    for index, worker in enumerate(cluster.workers):
        if worker.alive:
            health = cluster.health(index)
            totals.update({k: v for k, v in health.items() if isinstance(v, int) and k != "pid"})
    return totals


# ----------------------------------------------------------------------------- the endpoint


def test_workers_refuse_posts_without_the_secret_and_bodies_that_are_not_updates(
    cluster: Cluster,
) -> None:
    api = cluster.api
    update = api.send_text(8001, "/ayuda")
    take_updates(api)
    assert cluster.post(0, update, secret="").status_code == 403
    assert cluster.post(1, update, secret="not-the-secret").status_code == 403
    for body in ({"hello": "world"}, {"update_id": "x"}, [1, 2]):
        assert cluster.post(2, body).status_code == 400  # type: ignore[arg-type]
    assert api.sent_count(8001) == 0
    # Workers that start together each bring the store up to date, and a worker checks the
    # stored version at most once a second: the update it answers comes after that check.
    time.sleep(1.1)
    assert cluster.post(2, update).status_code == 200
    assert api.sent_count(8001) == 1
    health = cluster.health(2)
    assert health["status"] == "ok" and health["refused"] >= 3
    assert health["knowledge_version"] == health["stored_knowledge_version"]


# ----------------------------------------------------------------------------- shared state


def test_any_worker_serves_buttons_and_context_made_by_another(cluster: Cluster, db: Any) -> None:
    api, chat = cluster.api, 8101
    long_answer = say(cluster, 0, chat, "lista de eventos")  # two pages: ▶ carries a DB key
    keys = buttons(long_answer)
    assert "▶" in keys and "👍" in keys
    first_page = long_answer.raw_text  # the fake edits its SentMessage in place

    # ▶ pressed on worker 1: the page comes from the answer worker 0 stored.
    edits = len(api.calls_to("editMessageText"))
    press(cluster, 1, long_answer, keys["▶"])
    assert len(api.calls_to("editMessageText")) == edits + 1
    page_two = api.sent_messages(chat)[-1]
    assert page_two.message_id == long_answer.message_id
    assert page_two.raw_text != first_page and "◀" in buttons(page_two)

    # 👍 pressed on worker 2: the feedback lands on the query-log row worker 0 wrote.
    log_id = int(keys["👍"].split("|")[1])
    press(cluster, 2, long_answer, keys["👍"])
    assert api.callback_answers[-1].text == "¡Gracias por tu opinión!"
    with Session(db) as session:
        row = session.get(QueryLog, log_id)
        assert row is not None and row.feedback == 1 and row.question == "lista de eventos"

    # A "¿Quisiste decir…?" answer from worker 2, its suggestion pressed on worker 0.
    unsure = say(cluster, 2, chat, "cuanto gana el alcalde quintero")
    suggestions = [text for text, data in buttons(unsure).items() if data.startswith(("a|", "k|"))]
    assert suggestions, unsure.text
    before = api.sent_count(chat)
    press(cluster, 0, unsure, buttons(unsure)[suggestions[0]])
    [answer] = api.sent_messages(chat)[before:]
    assert answer.reply_to_message_id == unsure.message_id

    # /fuente on worker 1 quotes the last answer of this chat, which worker 0 gave.
    source = say(cluster, 1, chat, "/fuente")
    assert "Todavía no hay" not in (source.text or "")
    # Another chat has no last answer: the state is per chat, not per worker.
    assert "Todavía no hay" in (say(cluster, 1, 8102, "/fuente").text or "")


# ----------------------------------------------------------------------------- delivery


def test_one_update_delivered_to_two_workers_at_once_is_answered_once(cluster: Cluster) -> None:
    api, chat = cluster.api, 8201
    update = api.send_text(chat, "/grafico eventos")  # a chart: long enough to overlap
    take_updates(api)
    before = health_totals(cluster)
    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda worker: cluster.post(worker, update).status_code, (0, 1)))
    # 200 from the worker that answered; 200 ("done already") or 503 ("in progress, retry")
    # from the other, which waited on the first one's row in processed_update.
    assert sorted(statuses)[0] == 200 and set(statuses) <= {200, 503}, statuses
    assert cluster.post(2, update).status_code == 200  # a late redelivery
    sent = api.sent_messages(chat)
    assert [m.method for m in sent] == ["sendPhoto"]
    after = health_totals(cluster)
    assert after["processed"] - before["processed"] == 1
    assert (after["duplicates"] + after["busy"]) - (before["duplicates"] + before["busy"]) == 2


def test_a_failed_update_gets_500_and_is_answered_once_when_redelivered(cluster: Cluster) -> None:
    api, chat = cluster.api, 8301
    # The Bot API drops the connection on both tries the worker's limiter makes (1 retry here).
    api.inject("sendMessage", Fault.DROP, times=2, chat_id=chat)
    update = api.send_text(chat, "premios")
    assert post_fed(cluster, 0, update) == 500  # not acknowledged: Telegram will redeliver
    assert api.sent_count(chat) == 0  # and no "algo salió mal" for an update still to answer
    assert cluster.post(1, update).status_code == 200
    [reply] = api.sent_messages(chat)
    assert "algo salió mal" not in (reply.text or "")
    assert cluster.post(2, update).status_code == 200  # answered already
    assert api.sent_count(chat) == 1


def test_recargar_on_one_worker_reloads_every_worker(cluster: Cluster) -> None:
    from db.store import text_sha256

    report = Path(cluster.settings_env()["REPORT_PATH"])
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    new_sha = text_sha256(report)[:12]
    assert all(cluster.health(i)["reports"]["aci-medellin-2020"] != new_sha for i in range(3))

    cluster.api.register_user(ADMIN, "Admin")
    reply = say(cluster, 0, ADMIN, "/recargar")
    version = cluster.health(0)["stored_knowledge_version"]
    assert str(version) in (reply.text or "")
    time.sleep(1.1)  # workers check the version at most once a second
    for worker in range(3):
        say(cluster, worker, 8401 + worker, "premios")  # the next answer comes after a reload
        health = cluster.health(worker)
        assert health["knowledge_version"] == version, health
        assert health["reports"]["aci-medellin-2020"] == new_sha
    assert all(cluster.health(i)["knowledge_reloads"] >= 1 for i in (1, 2))


# ----------------------------------------------------------------------------- under load


@pytest.mark.slow
def test_through_nginx_every_update_is_answered_once_though_a_worker_is_killed(
    cluster: Cluster, db: Any
) -> None:
    if cluster.nginx_port is None:
        message = "nginx is not installed (bash .ci/run installs it: apt-get install nginx)"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    api = cluster.api
    assert "webhook set" in cluster.set_webhook()
    chats = [9000 + i for i in range(LOAD_CHATS)]
    for chat in chats:
        api.register_chat(chat, "private")
    sent_before = api.sent_count()
    # Two chats' first replies fail at the Bot API (dropped, 502) beyond the worker's retry:
    # the worker answers 500, nginx passes it on, and the Bot API redelivers the update later.
    faults = [
        api.inject("sendMessage", Fault.DROP, times=2, chat_id=chats[1]),
        api.inject("sendMessage", Fault.HTTP(502), times=2, chat_id=chats[2]),
    ]
    asked: dict[tuple[int, int], str] = {}
    update_ids = []
    for turn in range(LOAD_UPDATES):
        chat = chats[turn % LOAD_CHATS]
        text = LOAD_QUESTIONS[(turn * 7 + turn // LOAD_CHATS) % len(LOAD_QUESTIONS)]
        update = api.send_text(chat, text)
        asked[(chat, update["message"]["message_id"])] = text
        update_ids.append(update["update_id"])

    # SIGKILL one worker a third of the way through: whatever it was handling is cut off.
    api.wait_until_sync(lambda: api.sent_count() - sent_before >= LOAD_UPDATES // 3,
                        timeout=ANSWER_TIMEOUT_S)
    in_flight_at_kill = cluster.health(0)["in_flight"]
    cluster.kill(0)
    api.wait_until_sync(
        lambda: api.sent_count() - sent_before >= LOAD_UPDATES and api.pending_updates() == 0,
        timeout=ANSWER_TIMEOUT_S,
    )

    replies: Counter[tuple[int, int | None]] = Counter(
        (m.chat_id, m.reply_to_message_id) for chat in chats for m in api.sent_messages(chat)
    )
    unanswered = [key for key in asked if replies[key] == 0]
    doubled = {key: n for key, n in replies.items() if n > 1}
    assert not unanswered, f"{len(unanswered)} updates never answered"
    assert set(replies) == set(asked)  # every reply quotes one of the questions
    # A worker killed between sending a reply and committing its update id makes that update
    # be answered again by another worker: at most once per update it had in flight.
    assert all(n == 2 for n in doubled.values()), doubled
    assert len(doubled) <= CONCURRENT_UPDATES, doubled
    stats = api.webhook_stats()
    assert stats.failed == 0 and api.pending_updates() == 0
    assert all(rule.fired == 2 for rule in faults)
    assert stats.redeliveries >= len(faults)  # the 500s came back as redeliveries

    survivors = [cluster.health(i) for i in (1, 2)]
    assert all(h["processed"] > 0 for h in survivors)

    # The query log holds every question, in its chat (hashed), duplicates included.
    key = HASH_KEY
    by_hash = {state.chat_key(chat, key): chat for chat in chats}
    with Session(db) as session:
        rows = session.execute(
            select(QueryLog.chat_hash, QueryLog.question).where(
                QueryLog.chat_hash.in_(list(by_hash))
            )
        ).all()
        processed = session.execute(
            select(func.count()).select_from(ProcessedUpdate).where(
                ProcessedUpdate.update_id.in_(update_ids)
            )
        ).scalar_one()
    logged = Counter((by_hash[chat_hash], question) for chat_hash, question in rows)
    expected = Counter((chat, text) for (chat, _), text in asked.items())
    for (chat, message_id), n in doubled.items():
        expected[(chat, asked[(chat, message_id)])] += n - 1
    missing = expected - logged
    assert not missing, f"{sum(missing.values())} questions missing from the query log"
    assert processed == LOAD_UPDATES  # one processed_update row per update, whoever handled it
    print(
        f"\nscale-out load: {LOAD_UPDATES} updates, {LOAD_CHATS} chats, 3 workers behind nginx; "
        f"worker 0 killed with {in_flight_at_kill} in flight; duplicates {len(doubled)}; "
        f"webhook redeliveries {stats.redeliveries}; survivors processed "
        f"{[h['processed'] for h in survivors]}"
    )
