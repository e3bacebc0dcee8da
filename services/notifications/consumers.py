"""Notifications consumer: events from the broker into inboxes, e-mail and webhooks (entrypoint, like api/).

Messages are handled in batches (up to `batch_size`, or what arrived within `batch_wait`): one
transaction for the batch, then each message is acknowledged; an error in a batch falls back to one
transaction per message. Three outcomes per message:
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
        batch_size: int = 50,
        batch_wait: float = 0.05,
    ) -> None:
        self.connection = connection
        # Up to batch_size messages share one transaction; a partial batch waits at most ~batch_wait.
        self._batch_size = max(1, batch_size)
        self._batch_wait = batch_wait
        self._pending: list[tuple[Any, Message]] = []
        self._pending_since = 0.0
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
            "batch_size": settings.batch_size,
            **overrides,
        }
        return cls(connection, engine or make_engine(settings.database_url), **options)

    def stop(self) -> None:
        """Stop after the message at hand (the consume loop checks between messages)."""
        self.should_stop = True

    def _uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine)

    def get_consumers(self, consumer_cls: Callable[..., Consumer], channel: Any) -> list[Consumer]:
        """One consumer on the durable queue, a bounded prefetch (two batches: one arrives while one commits)."""
        prefetch = max(20, 2 * self._batch_size)
        return [
            consumer_cls(
                queues=ev.queues(), callbacks=[self.on_message], accept=["json"], prefetch_count=prefetch
            )
        ]

    def on_iteration(self) -> None:
        """Between messages: commit a batch that has waited long enough; send deliveries that came due."""
        if self._pending and time.monotonic() - self._pending_since >= self._batch_wait:
            self.flush()
        if time.monotonic() - self._last_sweep >= self._dispatch_interval:
            self._last_sweep = time.monotonic()
            self.dispatch()

    def consume(self, *args: Any, **kwargs: Any) -> Any:
        """The mixin's loop, waking at least every `batch_wait` so a partial batch is not held for long."""
        kwargs.setdefault("safety_interval", max(self._batch_wait, 0.01))
        return super().consume(*args, **kwargs)

    def on_consume_end(self, connection: Any, channel: Any) -> None:
        """Stopping: commit and acknowledge what was received, while the channel is still open."""
        self.flush()

    def on_message(self, body: Any, message: Message) -> None:
        """Take one message into the batch; the batch is handled when full or after `batch_wait`."""
        if not self._pending:
            self._pending_since = time.monotonic()
        self._pending.append((body, message))
        if len(self._pending) >= self._batch_size:
            self.flush()

    def flush(self) -> None:
        """Handle the messages received so far in one transaction, then acknowledge each of them.

        A message that is not an event, or an error in the batch (a poison event), falls back to one
        transaction per message, so only the bad one is retried and dead-lettered. The database or the
        directory being down puts the whole batch back after a pause.
        """
        batch, self._pending = self._pending, []
        if not batch:
            return
        parsed: list[tuple[ev.Event, Any, Message]] = []
        for body, message in batch:
            try:
                parsed.append((ev.Event.from_message(body), body, message))
            except Exception as exc:
                self._retry_or_dead_letter(body, message, exc)
        if not parsed:
            return
        if len(parsed) == 1:
            self._handle_one(*parsed[0])
            return
        try:
            handled = notices.handle_events(
                self._uow(),
                events=[event for event, _, _ in parsed],
                resolver=self._resolver,
                email_enabled=self._senders.mailer is not None,
                now=self._clock(),
            )
        except DependencyUnavailable as exc:
            self._pause_then_requeue([message for _, _, message in parsed], exc)
            return
        except Exception as exc:  # one bad event (or a concurrent consumer): one by one
            logger.info("batch of %s events failed (%r); handling them one by one", len(parsed), exc)
            for event, body, message in parsed:
                self._handle_one(event, body, message)
            return
        for _, _, message in parsed:
            message.ack()
        self.handled += len(parsed)
        self._pause = 0.0
        if handled.to_send:
            self.dispatch(event_ids=handled.to_send)

    def _handle_one(self, event: ev.Event, body: Any, message: Message) -> None:
        """One event in its own transaction; see the module docstring for the three outcomes."""
        try:
            notices.handle_event(
                self._uow(),
                event=event,
                resolver=self._resolver,
                email_enabled=self._senders.mailer is not None,
                now=self._clock(),
            )
        except DependencyUnavailable as exc:
            self._pause_then_requeue([message], exc)
            return
        except Exception as exc:
            self._retry_or_dead_letter(body, message, exc)
            return
        message.ack()
        self.handled += 1
        self._pause = 0.0
        self.dispatch(event_id=event.id)

    def dispatch(self, event_id: str | None = None, event_ids: list[str] | None = None) -> None:
        """Send due deliveries; a failure is logged and the rows stay pending for the next sweep."""
        try:
            dispatch.dispatch_due(
                self._uow(),
                senders=self._senders,
                policy=self._policy,
                clock=self._clock,
                event_id=event_id,
                event_ids=event_ids,
            )
        except Exception:
            logger.exception("dispatching deliveries failed; they stay pending")

    def _pause_then_requeue(self, messages: list[Message], exc: DependencyUnavailable) -> None:
        # The outage concerns every message, so pause consuming (doubling, capped) instead of spinning.
        self._pause = min(max(self._pause * 2, self._pause_min), self._pause_max)
        logger.warning(
            "%s unavailable (%s); %s message(s) put back, next try in %.1f s",
            exc.dependency,
            exc.errors.get("detail", ""),
            len(messages),
            self._pause,
        )
        deadline = time.monotonic() + self._pause
        while not self.should_stop and time.monotonic() < deadline:
            time.sleep(0.05)
        for message in messages:
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
                self._pause_then_requeue([message], db_down)
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
