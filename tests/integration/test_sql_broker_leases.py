"""kombu's SQL transport as the embedded broker: a message fetched by a consumer that dies before its
ack is delivered again to the next consumer; an acked message leaves no row behind."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from common import events as ev

pytestmark = pytest.mark.integration


@pytest.fixture
def sql_broker(broker_url: str) -> str:
    if not broker_url.startswith("sqla+"):
        pytest.skip(
            "this test is about kombu's SQL transport; RabbitMQ redelivers on its own "
            "(it runs in `make test`, whose broker is the SQL transport)"
        )
    return broker_url


def _rows(url: str) -> int:
    engine = sa.create_engine(url.removeprefix("sqla+"))
    with engine.connect() as db:
        count = db.execute(sa.text("SELECT count(*) FROM kombu_message")).scalar_one()
    engine.dispose()
    return int(count)


def _publish(url: str, body: dict) -> None:
    with ev.broker_connection(url) as conn:
        conn.Producer().publish(body, exchange=ev.exchange(), routing_key="case.opened", declare=ev.queues())


def _take_one(conn, ack: bool):  # type: ignore[no-untyped-def]
    got = []

    def on_message(body, message):  # type: ignore[no-untyped-def]
        got.append(body)
        if ack:
            message.ack()

    with conn.Consumer(ev.queues(), callbacks=[on_message], accept=["json"]):
        conn.drain_events(timeout=5)
    return got


def test_a_message_held_by_a_killed_consumer_comes_back(sql_broker: str) -> None:
    _publish(sql_broker, {"n": 1})
    dying = ev.broker_connection(sql_broker)
    assert _take_one(dying, ack=False) == [{"n": 1}]
    # The process dies here: no ack and no clean close (which would have put the message back).
    with ev.broker_connection(sql_broker) as survivor:
        assert _take_one(survivor, ack=True) == [{"n": 1}]
    assert _rows(sql_broker) == 0


def test_acked_messages_leave_no_rows(sql_broker: str) -> None:
    for n in range(3):
        _publish(sql_broker, {"n": n})
    with ev.broker_connection(sql_broker) as conn:
        got = [_take_one(conn, ack=True)[0] for _ in range(3)]
    assert sorted(g["n"] for g in got) == [0, 1, 2]
    assert _rows(sql_broker) == 0


def test_a_batch_is_written_in_one_transaction_all_or_none(sql_broker: str) -> None:
    with ev.broker_connection(sql_broker) as conn:
        producer = conn.Producer()
        with conn.default_channel.one_transaction():
            for n in range(3):
                producer.publish(
                    {"n": n}, exchange=ev.exchange(), routing_key="case.opened", declare=ev.queues()
                )
        assert _rows(sql_broker) == 3
        with pytest.raises(RuntimeError), conn.default_channel.one_transaction():
            producer.publish({"n": 3}, exchange=ev.exchange(), routing_key="case.opened", declare=ev.queues())
            raise RuntimeError("the broker connection broke mid-batch")
        assert _rows(sql_broker) == 3  # nothing of the failed batch: the relay sends it again
        with ev.broker_connection(sql_broker) as consumer:
            assert [_take_one(consumer, ack=True) for _ in range(3)] == [[{"n": 0}], [{"n": 1}], [{"n": 2}]]
