"""Publishing back onto the events exchange, for dead-letter replay (adapter layer)."""

from __future__ import annotations

from typing import Any

from common import events as ev
from services.notifications.domain.errors import DependencyUnavailable


class KombuPublisher:
    """Publishes persistent messages to `learning.events`, declaring the consumer queues like producers do."""

    def __init__(self, broker_url: str) -> None:
        self._broker_url = broker_url

    def publish(self, body: Any, *, routing_key: str, message_id: str | None) -> None:
        """One message; DependencyUnavailable when the broker cannot take it."""
        try:
            with ev.broker_connection(self._broker_url, connect_timeout=5) as conn:
                producer = conn.Producer(exchange=ev.exchange(), serializer="json")
                producer.publish(
                    body,
                    routing_key=routing_key,
                    message_id=message_id,
                    delivery_mode=2,
                    declare=ev.queues(),
                    retry=True,
                    retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
                )
        except Exception as exc:  # kombu raises transport-specific errors
            raise DependencyUnavailable("broker", str(exc)) from exc
