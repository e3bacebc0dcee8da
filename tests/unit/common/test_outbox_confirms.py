"""The relay's batch confirms: a batch counts as accepted only when the broker confirmed every message
of it, whether the acks come one by one, out of order or several at once; a nack or silence raises."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from amqp.exceptions import MessageNacked

from common.outbox import _BatchConfirms


class FakeChannel:
    def __init__(self) -> None:
        self.events: defaultdict[str, set[Any]] = defaultdict(set)
        self.is_open = True
        self.confirm_mode = False

    def confirm_select(self) -> None:
        self.confirm_mode = True

    def close(self) -> None:
        self.is_open = False


class FakeConnection:
    """Hands out one channel; each drain delivers the next scripted (method, tag, multiple) frame."""

    def __init__(self, frames: list[tuple[str, int, bool]]) -> None:
        self.connection = object()
        self.chan = FakeChannel()
        self.frames = frames

    def channel(self) -> FakeChannel:
        return self.chan

    def drain_events(self, timeout: float) -> None:
        if not self.frames:
            raise TimeoutError
        method, tag, multiple = self.frames.pop(0)
        for callback in list(self.chan.events[method]):
            callback(tag, multiple)


def _confirms(frames: list[tuple[str, int, bool]]) -> tuple[_BatchConfirms, FakeConnection]:
    conn = FakeConnection(frames)
    confirms = _BatchConfirms(conn)  # type: ignore[arg-type]
    assert conn.chan.confirm_mode and confirms.serves(conn)  # type: ignore[arg-type]
    return confirms, conn


def test_acks_one_by_one_out_of_order_or_several_at_once_settle_the_batch() -> None:
    confirms, conn = _confirms([("basic_ack", 2, False), ("basic_ack", 1, False), ("basic_ack", 5, True)])
    batch = confirms.expect(5)
    assert batch == {1, 2, 3, 4, 5}
    confirms.wait(batch, conn, timeout=1)  # type: ignore[arg-type]
    assert conn.frames == [] and confirms.unconfirmed == set()


def test_the_next_batch_continues_the_channels_numbering() -> None:
    confirms, conn = _confirms([("basic_ack", 3, True), ("basic_ack", 5, True)])
    first = confirms.expect(3)
    confirms.wait(first, conn, timeout=1)  # type: ignore[arg-type]
    second = confirms.expect(2)
    assert second == {4, 5}
    confirms.wait(second, conn, timeout=1)  # type: ignore[arg-type]


def test_a_nack_in_the_batch_raises_after_every_message_is_settled() -> None:
    confirms, conn = _confirms([("basic_ack", 1, False), ("basic_nack", 2, False), ("basic_ack", 3, False)])
    batch = confirms.expect(3)
    with pytest.raises(MessageNacked):
        confirms.wait(batch, conn, timeout=1)  # type: ignore[arg-type]
    assert conn.frames == [] and confirms.nacked == set()


def test_a_batch_not_confirmed_in_time_raises() -> None:
    confirms, conn = _confirms([("basic_ack", 1, False)])
    batch = confirms.expect(2)
    with pytest.raises(TimeoutError):
        confirms.wait(batch, conn, timeout=1)  # type: ignore[arg-type]
    assert confirms.unconfirmed == {2}


def test_a_closed_channel_or_another_connection_is_not_served() -> None:
    confirms, conn = _confirms([])
    assert not confirms.serves(FakeConnection([]))  # type: ignore[arg-type]
    confirms.close()
    assert not confirms.serves(conn)  # type: ignore[arg-type]
