"""bot.state against SQLite and PostgreSQL, and the callback-data codec that relies on it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot import state
from bot.engine.answer import Answer, Source
from bot.engine.context import ConversationContext
from bot.telegram import keyboards
from db.models import CallbackKey, QueryLog

KEY = "test-hash-key"


def an_answer(text: str = "USD 381,3 millones") -> Answer:
    return Answer(
        status="answered",
        text=text,
        intent="figure",
        score=0.9,
        sources=[Source(section="3.2", title="Indicadores de inversión", quote="381,3")],
    )


def test_ids_are_stored_only_as_hmacs(engine: Engine) -> None:
    user = state.user_hash(123456789, KEY)
    chat = state.chat_key(123456789, KEY)
    assert user != chat  # the private chat with the same id is another key
    assert len(user) == 64 and "123456789" not in user
    assert state.user_hash(123456789, "other-key") != user
    log_id = state.log_query(
        engine,
        question="¿inversión?",
        answer=an_answer(),
        latency_ms=3.5,
        user_hash=user,
        chat_hash=chat,
    )
    with Session(engine) as session:
        row = session.get(QueryLog, log_id)
        assert row is not None
        assert (row.question, row.status, row.intent, row.user_hash) == (
            "¿inversión?",
            "answered",
            "figure",
            user,
        )
        dump = " ".join(str(v) for v in row.model_dump().values())
    assert "123456789" not in dump


def test_feedback_only_from_the_asker(engine: Engine) -> None:
    asker, other = state.user_hash(1, KEY), state.user_hash(2, KEY)
    log_id = state.log_query(
        engine, question="q", answer=an_answer(), latency_ms=1, user_hash=asker
    )
    assert not state.set_feedback(engine, log_id, 1, other)
    assert state.set_feedback(engine, log_id, -1, asker)
    assert state.set_feedback(engine, log_id, 1, asker)  # a changed mind replaces the vote
    assert not state.set_feedback(engine, log_id + 999, 1, asker)
    assert state.feedback_counts(engine) == {1: 1, -1: 0}


def test_chat_state_round_trip_and_partial_updates(engine: Engine) -> None:
    chat = state.chat_key(-100123, KEY)
    empty = state.load_chat_state(engine, chat)
    assert empty.last_answer is None and empty.context == ConversationContext()
    context = ConversationContext(last_question="inversión", intent="figure", slots={"year": 2020})
    state.save_chat_state(engine, chat, context=context, last_answer=an_answer())
    state.save_chat_state(engine, chat, context=None, last_answer=an_answer("otra"))
    loaded = state.load_chat_state(engine, chat)
    assert loaded.context == context  # None kept the stored context
    assert loaded.last_answer is not None and loaded.last_answer.text == "otra"
    assert loaded.last_answer.sources[0].title == "Indicadores de inversión"


def test_callback_keys_are_deterministic_and_expire(engine: Engine) -> None:
    payload = {"fields": ["a", "¿cuánta inversión extranjera directa llegó a Medellín en 2020?"]}
    key = state.put_callback(engine, payload)
    assert state.put_callback(engine, dict(payload)) == key  # same button, same row
    assert state.get_callback(engine, key) == payload
    with Session(engine) as session:
        assert len(session.exec(select(CallbackKey)).all()) == 1
    assert state.purge_callbacks(engine, timedelta(days=1)) == 0
    assert state.purge_callbacks(engine, timedelta(seconds=-1)) == 1
    assert state.get_callback(engine, key) is None


def test_codec_packs_short_data_and_stores_long_data(engine: Engine) -> None:
    def store(payload: dict[str, object]) -> str:
        return state.put_callback(engine, payload)

    def load(key: str) -> dict[str, object] | None:
        return state.get_callback(engine, key)

    short = keyboards.encode(["c", "indicadores", "3.2"], store)
    assert short == "c|indicadores|3.2"
    question = "¿Cuál fue el monto de cooperación técnica y financiera recibida en 2020?"
    long = keyboards.encode(["a", question], store)
    assert long.startswith("k|") and len(long.encode()) <= 64
    assert keyboards.decode(long, load) == ["a", question]
    piped = keyboards.encode(["a", "a|b"], store)  # the separator inside a field
    assert piped.startswith("k|") and keyboards.decode(piped, load) == ["a", "a|b"]
    assert keyboards.decode("k|missing-key-000", load) is None
    assert keyboards.decode("zz|nonsense", load) is None
    for forged in ("f|abc|1", "f|12|2", "p|key|x", "p|key", "a|", "a| ", "x|1", "c|x"):
        assert keyboards.decode(forged, load) is None, forged
    assert keyboards.decode("f|12|-1", load) == ["f", "12", "-1"]
    assert keyboards.pack("a", "ñ" * 31) is not None and keyboards.pack("a", "ñ" * 32) is None


def test_concurrent_chat_state_writes_never_lock_out(engine: Engine) -> None:
    # Handlers run in threads; on SQLite a read-then-write transaction that upgrades its lock
    # while another writes would fail with "database is locked" and lose the chat's context.
    from concurrent.futures import ThreadPoolExecutor

    def write(i: int) -> None:
        for turn in range(10):
            context = ConversationContext(last_question=f"q{i}-{turn}", turn=turn)
            state.save_chat_state(engine, f"chat-{i % 3}", context=context)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))
    for chat in range(3):
        assert state.load_chat_state(engine, f"chat-{chat}").context.turn == 9
