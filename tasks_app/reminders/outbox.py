"""Delivering outbox rows: claim under a row lock, send through the row's channel, record. Retries on a bounded
backoff schedule, the same for every channel.

A row moves pending → sending (claimed) → sent | pending (temporary error, later attempt) | failed.
A worker that dies while a row is claimed leaves it in "sending"; the sweeper puts such rows back.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tasks_app.models import ReminderMessage
from tasks_app.reminders.transports import DeliveryError, TransientDeliveryError, transport_for

log = logging.getLogger(__name__)

RETRY_SCHEDULE = (60, 300, 1800, 7200, 21600)  # default: seconds after attempt 1, 2, …; then the row fails
STUCK_AFTER = timedelta(minutes=10)  # a claimed row older than this belongs to a dead worker

Status = ReminderMessage.Status


def retry_schedule() -> tuple[int, ...]:
    """The backoff in seconds (settings.REMINDER_RETRY_SCHEDULE, env REMINDER_RETRY_SCHEDULE="60,300,…")."""
    return tuple(getattr(settings, "REMINDER_RETRY_SCHEDULE", None) or RETRY_SCHEDULE)


def outbox_claim(*, message_id: int) -> ReminderMessage | None:
    now = timezone.now()
    due = {"pk": message_id, "status": Status.PENDING, "next_attempt_at__lte": now}
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            # Row lock (PostgreSQL): a row another worker holds is skipped, not waited for.
            locked = ReminderMessage.objects.select_for_update(skip_locked=True).filter(**due)
            if locked.values_list("pk", flat=True).first() is None:
                return None
        # The conditional update makes the claim exclusive everywhere. On SQLite it is the transaction's first
        # statement: a read first would have to upgrade its lock, and SQLite refuses that at once ("database is
        # locked") when another connection is writing, where a write first waits for the busy timeout.
        claimed = ReminderMessage.objects.filter(**due).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if claimed != 1:
            return None
    return ReminderMessage.objects.select_related("unit", "cycle").get(pk=message_id)


def outbox_deliver(*, message_id: int) -> str:
    """Send one row if it is due and nobody else holds it; returns the row's status afterwards or "skipped"."""
    row = outbox_claim(message_id=message_id)
    if row is None:
        return "skipped"
    try:
        transport_for(row.channel).send(row)
    except Exception as exc:  # every failure is recorded on the row, none is lost
        temporary = isinstance(exc, TransientDeliveryError)
        # A transport reports its own failures as DeliveryError; anything else is a bug in it: do not retry it.
        error = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
        attempts = row.attempts
        schedule = retry_schedule()
        if temporary and attempts <= len(schedule):
            delay = schedule[attempts - 1]
            status, next_at = Status.PENDING, timezone.now() + timedelta(seconds=delay)
        else:
            status, next_at = Status.FAILED, row.next_attempt_at
        ReminderMessage.objects.filter(pk=row.pk).update(
            status=status, last_error=error[:2000], next_attempt_at=next_at
        )
        log.warning("reminder %s (%s) attempt %s failed (%s): %s", row.key, row.channel, attempts, status, error)
        return status
    ReminderMessage.objects.filter(pk=row.pk).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    return Status.SENT


def outbox_sweep(*, now=None) -> list[int]:
    """Release rows stuck in "sending" and return the ids of pending rows that are due (to enqueue again)."""
    now = now or timezone.now()
    ReminderMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=Status.PENDING, next_attempt_at=now
    )
    return list(
        ReminderMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).values_list("id", flat=True)
    )


def outbox_retry_delay(*, message_id: int) -> float | None:
    """Seconds until a pending row's next attempt (for scheduling a retry task), None if not pending."""
    row = ReminderMessage.objects.filter(pk=message_id, status=Status.PENDING).values_list("next_attempt_at", flat=True)
    next_at = row.first()
    if next_at is None:
        return None
    return max(0.0, (next_at - timezone.now()).total_seconds())


def outbox_requeue(*, message_id: int) -> bool:
    """Put a failed row back in the queue (the office's "retry" button); sent rows are never sent again."""
    now = timezone.now()
    return bool(
        ReminderMessage.objects.filter(pk=message_id, status=Status.FAILED).update(
            status=Status.PENDING, next_attempt_at=now, attempts=0
        )
    )
