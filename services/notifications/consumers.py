"""Notifications consumer: events from the broker into inboxes, e-mail and webhooks (entrypoint, like api/).

Three outcomes per message:
- handled: everything it causes is committed, then the message is acknowledged and its deliveries sent;
- a dependency is down (the user directory, the database): the message is put back on the queue after a
  growing pause, never counted as an attempt and never dead-lettered;
- it fails otherwise (malformed, refused): re-published with an attempt counter, dead-lettered after
  `max_attempts`.
Deliveries left pending (a send failed, the process died mid-send) are swept every `dispatch_interval`.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from kombu import Connection, Consumer, Message, Producer
from kombu.mixins import ConsumerMixin
from sqlalchemy import Engine

from common import events as ev
from common.db import make_engine
from services.notifications.adapters.recipients import UnitGroupResolver
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.adapters.webhook_poster import HttpWebhookPoster
from services.notifications.bootstrap import build_resolver, build_senders, send_policy
from services.notifications.config import Settings
from services.notifications.domain.errors import DependencyUnavailable
from services.notifications.service import dead_letters, dispatch, notices
from services.notifications.service.dispatch import Clock, Senders, SendPolicy, utc_now
from services.notifications.service.ports import RecipientResolver

logger = logging.getLogger(__name__)
ATTEMPTS_HEADER = "x-attempts"


class EventConsumer(ConsumerMixin):
    """Consumes the notifications queue; acknowledges a message only after its work has committed."""

    def __init__(
        self,
        connection: Connection,
        engine: Engine,
        *,
        max_attempts: int = 5,
        resolver: RecipientResolver | None = None,
        senders: Senders | None = None,
        policy: SendPolicy | None = None,
        dispatch_interval: float = 5.0,
        outage_pause: tuple[float, float] = (0.5, 30.0),
        clock: Clock = utc_now,
    ) -> None:
        self.connection = connection
        self._engine = engine
        self._max_attempts = max_attempts
        # Without a directory, each admin unit's officers share the group inbox `unit:<code>`.
        self._resolver = resolver or UnitGroupResolver()
        self._senders = senders or Senders(webhooks=HttpWebhookPoster())
        self._policy = policy or SendPolicy()
        self._dispatch_interval = dispatch_interval
        self._pause_min, self._pause_max = outage_pause
        self._pause = 0.0
        self._clock = clock
        self._last_sweep = 0.0
        self.handled = 0

    @classmethod
    def from_settings(
        cls, connection: Connection, settings: Settings, *, engine: Engine | None = None, **overrides: Any
    ) -> EventConsumer:
        """A consumer wired from settings: the HTTP user directory, SMTP when configured, webhooks."""
        options: dict[str, Any] = {
            "max_attempts": settings.max_delivery_attempts,
            "resolver": build_resolver(settings),
            "senders": build_senders(settings),
            "policy": send_policy(settings),
            "dispatch_interval": settings.dispatch_interval,
            **overrides,
        }
        return cls(connection, engine or make_engine(settings.database_url), **options)

    def stop(self) -> None:
        """Stop after the message at hand (the consume loop checks between messages)."""
        self.should_stop = True

    def _uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine)

    def get_consumers(self, consumer_cls: Callable[..., Consumer], channel: Any) -> list[Consumer]:
        """One consumer on the durable queue, a bounded prefetch."""
        return [
            consumer_cls(queues=ev.queues(), callbacks=[self.on_message], accept=["json"], prefetch_count=20)
        ]

    def on_iteration(self) -> None:
        """Between messages: send the deliveries that have come due."""
        if time.monotonic() - self._last_sweep >= self._dispatch_interval:
            self._last_sweep = time.monotonic()
            self.dispatch()

    def on_message(self, body: Any, message: Message) -> None:
        """Handle one event; see the module docstring for the three outcomes."""
        try:
            event = ev.Event.from_message(body)
            notices.handle_event(
                self._uow(),
                event=event,
                resolver=self._resolver,
                email_enabled=self._senders.mailer is not None,
                now=self._clock(),
            )
        except DependencyUnavailable as exc:
            self._pause_then_requeue(message, exc)
            return
        except Exception as exc:
            self._retry_or_dead_letter(body, message, exc)
            return
        message.ack()
        self.handled += 1
        self._pause = 0.0
        self.dispatch(event_id=event.id)

    def dispatch(self, event_id: str | None = None) -> None:
        """Send due deliveries; a failure is logged and the rows stay pending for the next sweep."""
        try:
            dispatch.dispatch_due(
                self._uow(), senders=self._senders, policy=self._policy, clock=self._clock, event_id=event_id
            )
        except Exception:
            logger.exception("dispatching deliveries failed; they stay pending")

    def _pause_then_requeue(self, message: Message, exc: DependencyUnavailable) -> None:
        # The outage concerns every message, so pause consuming (doubling, capped) instead of spinning.
        self._pause = min(max(self._pause * 2, self._pause_min), self._pause_max)
        logger.warning(
            "%s unavailable (%s); message put back, next try in %.1f s",
            exc.dependency,
            exc.errors.get("detail", ""),
            self._pause,
        )
        deadline = time.monotonic() + self._pause
        while not self.should_stop and time.monotonic() < deadline:
            time.sleep(0.05)
        message.requeue()

    def _retry_or_dead_letter(self, body: Any, message: Message, exc: Exception) -> None:
        attempts = int((message.headers or {}).get(ATTEMPTS_HEADER, 0)) + 1
        routing_key = message.delivery_info.get("routing_key")
        if attempts >= self._max_attempts or not isinstance(body, dict):
            logger.error("event dead-lettered after %s attempts: %r", attempts, exc)
            try:
                dead_letters.record_dead_letter(
                    self._uow(),
                    message_id=message.properties.get("message_id"),
                    routing_key=routing_key,
                    body=json.dumps(body, ensure_ascii=False, default=str),
                    error=repr(exc),
                    attempts=attempts,
                    now=self._clock(),
                )
            except DependencyUnavailable as db_down:
                self._pause_then_requeue(message, db_down)
                return
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
    with ev.broker_connection(settings.common.broker_url) as conn:
        consumer = EventConsumer.from_settings(conn, settings)
        # honcho and Docker stop processes with SIGTERM: finish the message at hand, then close the
        # channel cleanly (kombu's SQL transport puts unacknowledged messages back only on a clean close).
        signal.signal(signal.SIGTERM, lambda *_: consumer.stop())
        logger.info("notifications consumer on %s", ev.NOTIFICATIONS_QUEUE)
        consumer.run()


if __name__ == "__main__":
    main()
