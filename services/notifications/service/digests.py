"""Use case: the daily digest of deadline notices, one e-mail per user per day (service layer)."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.notifications.domain.digest import by_recipient, digest_day, digest_event_id, render_digest
from services.notifications.domain.model import PENDING, Delivery
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.templates import with_footer
from services.notifications.service.ports import UnitOfWork


def send_digests(uow: UnitOfWork, *, now: datetime) -> int:
    """Turn the waiting digest entries into one pending e-mail per user for today (Vietnam time).

    Returns how many digests were created. Run it again the same day and it creates nothing: entries
    that arrive after today's digest wait for tomorrow's. The e-mails are sent by the dispatcher.
    """
    day = digest_day(now)
    event_id = digest_event_id(day)
    created = 0
    with uow:
        for recipient, entries in by_recipient(uow.digests.waiting()).items():
            if uow.deliveries.exists(event_id, recipient, "email"):
                continue
            prefs = uow.preferences.get(recipient) or Preferences(recipient)
            notice = render_digest(entries, language=prefs.language, day=day)
            uow.deliveries.add(
                Delivery(
                    id=str(uuid.uuid4()),
                    event_id=event_id,
                    recipient=recipient,
                    channel="email",
                    target=entries[-1].email,  # the newest address we were given
                    language=prefs.language,
                    subject=notice.subject,
                    body=with_footer(notice.body, prefs.language),
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            uow.digests.mark_carried([e.id for e in entries], day)
            created += 1
        uow.commit()
    return created
