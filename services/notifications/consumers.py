"""Notifications consumer: events from the broker into inboxes (entrypoint, like api/)."""

from __future__ import annotations

import json
import logging
from typing import Any

from kombu import Connection, Consumer, Message, Producer
from kombu.mixins import ConsumerMixin
from sqlalchemy import Engine

from common import events as ev
from common.db import make_engine
from services.notifications.config import Settings
from services.notifications.service import inbox

logger = logging.getLogger(__name__)
ATTEMPTS_HEADER = "x-attempts"


class EventConsumer(ConsumerMixin):
    """Consumes the notifications queue; acknowledges a message only after its work has committed."""

    def __init__(self, connection: Connection, engine: Engine, *, max_attempts: int = 5) -> None:
        self.connection = connection
        self._engine = engine
        self._max_attempts = max_attempts
        self.handled = 0

    def get_consumers(self, consumer_cls: type[Consumer], channel: Any) -> list[Consumer]:
        """One consumer on the durable queue, a bounded prefetch."""
        return [
            consumer_cls(queues=ev.queues(), callbacks=[self.on_message], accept=["json"], prefetch_count=20)
        ]

    def on_message(self, body: Any, message: Message) -> None:
        """Handle one event; failures are retried a bounded number of times, then dead-lettered."""
        try:
            event = ev.Event.from_message(body)
            inbox.handle_event(self._engine, event)
        except Exception as exc:
            self._retry_or_dead_letter(body, message, exc)
            return
        message.ack()
        self.handled += 1

    def _retry_or_dead_letter(self, body: Any, message: Message, exc: Exception) -> None:
        attempts = int((message.headers or {}).get(ATTEMPTS_HEADER, 0)) + 1
        routing_key = message.delivery_info.get("routing_key")
        if attempts >= self._max_attempts or not isinstance(body, dict):
            logger.exception("event dead-lettered after %s attempts", attempts)
            inbox.record_dead_letter(
                self._engine,
                message_id=message.properties.get("message_id"),
                routing_key=routing_key,
                body=json.dumps(body, ensure_ascii=False, default=str),
                error=repr(exc),
                attempts=attempts,
            )
        else:
            logger.warning("event handling failed (attempt %s): %r; requeued", attempts, exc)
            # Re-publish with a counter, then ack: the original is never lost, a poison one never loops.
            Producer(message.channel).publish(
                body,
                exchange=ev.exchange(),
                routing_key=routing_key or "",
                message_id=message.properties.get("message_id"),
                headers={ATTEMPTS_HEADER: attempts},
                delivery_mode=2,
                declare=ev.queues(),
            )
        message.ack()


def main() -> None:
    """Consume until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    url = settings.common.broker_url
    with ev.broker_connection(url) as conn:
        logger.info("notifications consumer on %s", ev.NOTIFICATIONS_QUEUE)
        EventConsumer(conn, engine, max_attempts=settings.max_delivery_attempts).run()


if __name__ == "__main__":
    main()
