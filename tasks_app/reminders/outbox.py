"""Delivering outbox rows: claim under a row lock, send through the row's channel, record. Retries on a bounded
backoff schedule, the same for every channel.

A row moves pending → sending (claimed) → sent | pending (temporary error, later attempt) | failed.
A worker that dies while a row is claimed leaves it in "sending"; the sweeper puts such rows back once the claim is
older than the claim timeout. A live worker renews its claim while it sends and while it records the result, and
it keeps retrying to record "sent" through a database outage, so a receiver's acceptance is not forgotten by a blink.

Quiet hours (reminders/quiet.py, settings REMINDER_QUIET_HOURS / REMINDER_QUIET_WEEKENDS): a row is never claimed in
quiet time. A row written or coming due then gets ``not_before`` = the next allowed moment (the next working morning)
and waits; the claim, the sweeper, the resume sweep and the console's retry all respect it, so it is deferred, never
dropped, and still sent once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from tasks_app.models import ReminderMessage
from tasks_app.reminders.quiet import QuietHours, next_allowed
from tasks_app.reminders.transports import DeliveryError, TransientDeliveryError, transport_for

log = logging.getLogger(__name__)

RETRY_SCHEDULE = (60, 300, 1800, 7200, 21600)  # default: seconds after attempt 1, 2, …; then the row fails
CLAIM_TIMEOUT = 90  # seconds; settings.REMINDER_CLAIM_TIMEOUT (delivery timeout + margin) overrides
RECORD_RETRY = 300  # seconds of retrying to record a result; settings.REMINDER_RECORD_RETRY overrides
RECONNECT_PAUSE_MAX = 2.0  # the longest pause between two attempts to reach the database
# The sweeper looks twice at a stale claim, this many seconds apart, and releases it only if nobody touched it in
# between: a holder that was waiting for the database reaches it within RECONNECT_PAUSE_MAX of its return.
SWEEP_SECOND_LOOK = 2 * RECONNECT_PAUSE_MAX + 1

DATABASE_DOWN = (OperationalError, InterfaceError)
Status = ReminderMessage.Status
T = TypeVar("T")
DEFERRED = "deferred"  # what outbox_deliver answers for a row waiting for the end of quiet hours


def quiet_hours() -> QuietHours:
    """The configured quiet time (settings.REMINDER_QUIET_HOURS, REMINDER_QUIET_WEEKENDS)."""
    window = getattr(settings, "REMINDER_QUIET_HOURS", None)
    start, end = window if window else (None, None)
    return QuietHours(start=start, end=end, weekends=bool(getattr(settings, "REMINDER_QUIET_WEEKENDS", False)))


def outbox_not_before(*, now: datetime | None = None) -> datetime | None:
    """When a row due at ``now`` may go out: None when ``now`` is allowed, else the end of the quiet time."""
    now = now or timezone.now()
    allowed = next_allowed(now, quiet_hours(), ZoneInfo(settings.TIME_ZONE))
    return None if allowed == now else allowed


def _not_deferred(now: datetime) -> Q:
    return Q(not_before__isnull=True) | Q(not_before__lte=now)


def _defer(*, now: datetime, pk: int | None = None) -> int:
    """In quiet time: push pending rows that are due (one row, or all) to the end of it; returns how many."""
    until = outbox_not_before(now=now)
    if until is None:
        return 0
    rows = ReminderMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).filter(
        _not_deferred(until - timedelta(microseconds=1))
    )
    if pk is not None:
        rows = rows.filter(pk=pk)
    deferred = rows.update(not_before=until)
    if deferred:
        log.info("quiet hours: %s reminder(s) deferred to %s", deferred, until.isoformat())
    return deferred


def retry_schedule() -> tuple[int, ...]:
    """The backoff in seconds (settings.REMINDER_RETRY_SCHEDULE, env REMINDER_RETRY_SCHEDULE="60,300,…")."""
    return tuple(getattr(settings, "REMINDER_RETRY_SCHEDULE", None) or RETRY_SCHEDULE)


def claim_timeout() -> timedelta:
    """How old a claim must be to count as a dead worker's (env REMINDER_CLAIM_TIMEOUT, seconds)."""
    return timedelta(seconds=getattr(settings, "REMINDER_CLAIM_TIMEOUT", None) or CLAIM_TIMEOUT)


def record_retry() -> float:
    return float(getattr(settings, "REMINDER_RECORD_RETRY", None) or RECORD_RETRY)


def through_outages(write: Callable[[], T], *, what: str) -> T:
    """Run ``write`` until it reaches the database, reconnecting between attempts, for at most the record window
    (REMINDER_RECORD_RETRY); then the last error is raised. Used for every write a delivery makes."""
    deadline = time.monotonic() + record_retry()
    pause, failures = 0.1, 0
    while True:
        try:
            result = write()
        except DATABASE_DOWN as exc:
            failures += 1
            if connection.in_atomic_block:  # an enclosing transaction is broken: only its owner can start over
                raise
            if time.monotonic() + pause > deadline:
                log.error("gave up %s after %s attempts: %s", what, failures, exc)
                raise
            if failures == 1:
                log.warning("database unreachable while %s, retrying for up to %.0f s: %s", what, record_retry(), exc)
            _drop_connection()
            time.sleep(pause)
            pause = min(pause * 2, RECONNECT_PAUSE_MAX)
            continue
        if failures:
            log.warning("%s succeeded after %s failed attempts", what, failures)
        return result


def _drop_connection() -> None:
    """Forget a broken connection so the next query opens a new one (the server may have restarted)."""
    try:
        connection.close()
    except DATABASE_DOWN:
        pass


class _Lease:
    """Renew a claim (claimed_at = now) every third of the claim timeout while a delivery is in progress, so a slow
    send or a wait for the database is never mistaken for a dead worker. Its own thread and connection."""

    def __init__(self, *, row_id: int, attempt: int):
        self.row_id, self.attempt = row_id, attempt
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"reminder-lease-{row_id}", daemon=True)

    def __enter__(self) -> _Lease:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        interval = max(1.0, claim_timeout().total_seconds() / 3)
        try:
            while not self.stopped.wait(interval):
                try:
                    ReminderMessage.objects.filter(pk=self.row_id, status=Status.SENDING, attempts=self.attempt).update(
                        claimed_at=timezone.now()
                    )
                except DATABASE_DOWN as exc:  # the delivery's own writes retry; the lease tries again next tick
                    log.info("claim of reminder %s not renewed: %s", self.row_id, exc)
                    _drop_connection()
        finally:
            connections.close_all()  # this thread's connections only


def outbox_claim(*, message_id: int) -> ReminderMessage | None:
    now = timezone.now()
    if _defer(now=now, pk=message_id) or outbox_not_before(now=now) is not None:
        return None  # quiet hours: nothing is claimed, the row waits for the morning
    due = Q(pk=message_id, status=Status.PENDING, next_attempt_at__lte=now) & _not_deferred(now)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            # Row lock (PostgreSQL): a row another worker holds is skipped, not waited for.
            locked = ReminderMessage.objects.select_for_update(skip_locked=True).filter(due)
            if locked.values_list("pk", flat=True).first() is None:
                return None
        # The conditional update makes the claim exclusive everywhere. On SQLite it is the transaction's first
        # statement: a read first would have to upgrade its lock, and SQLite refuses that at once ("database is
        # locked") when another connection is writing, where a write first waits for the busy timeout.
        claimed = ReminderMessage.objects.filter(due).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if claimed != 1:
            return None
    return ReminderMessage.objects.select_related("unit", "cycle").get(pk=message_id)


def outbox_deliver(*, message_id: int) -> str:
    """Send one row if it is due and nobody else holds it; returns the row's status afterwards or "skipped".

    The claim waits for the database through an outage (nothing has been sent yet, so giving up is safe: the row
    stays pending). Once the receiver has accepted, "sent" is recorded through an outage for up to the record
    window while the claim is renewed, so neither the sweeper nor another worker sends the message again.
    """
    row = through_outages(lambda: outbox_claim(message_id=message_id), what=f"claiming reminder {message_id}")
    if row is None:
        waiting = ReminderMessage.objects.filter(
            pk=message_id, status=Status.PENDING, not_before__gt=timezone.now()
        ).exists()
        return DEFERRED if waiting else "skipped"
    with _Lease(row_id=row.pk, attempt=row.attempts):
        try:
            transport_for(row.channel).send(row)
        except Exception as exc:  # every failure is recorded on the row, none is lost
            return _record_failure(row, exc)
        accepted = time.monotonic()
        through_outages(
            lambda: ReminderMessage.objects.filter(pk=row.pk).update(
                status=Status.SENT, sent_at=timezone.now(), last_error=""
            ),
            what=f"recording reminder {row.key} as sent",
        )
    log.info(
        "reminder %s (%s) sent; recorded %.3f s after acceptance", row.key, row.channel, time.monotonic() - accepted
    )
    return Status.SENT


def _record_failure(row: ReminderMessage, exc: Exception) -> str:
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
    # Only this claim's row: if a sweeper released it meanwhile, the newer state stands.
    through_outages(
        lambda: ReminderMessage.objects.filter(pk=row.pk, status=Status.SENDING, attempts=attempts).update(
            status=status, last_error=error[:2000], next_attempt_at=next_at
        ),
        what=f"recording the failure of reminder {row.key}",
    )
    log.warning("reminder %s (%s) attempt %s failed (%s): %s", row.key, row.channel, attempts, status, error)
    return status


def outbox_release_stale(*, now: datetime | None = None, second_look: float | None = None) -> int:
    """Put claims older than the claim timeout back to pending; returns how many.

    A stale claim is looked at twice, ``second_look`` seconds apart, and released only if its claimed_at did not
    change: a worker that sat out a database outage renews or records its claim within that time of the database
    coming back, so a sweep that runs first cannot take its row away and send it a second time.
    """
    now = now or timezone.now()
    stale = dict(
        ReminderMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - claim_timeout()).values_list(
            "pk", "claimed_at"
        )
    )
    if not stale:
        return 0
    time.sleep(SWEEP_SECOND_LOOK if second_look is None else second_look)
    released = 0
    for pk, claimed_at in stale.items():
        released += ReminderMessage.objects.filter(pk=pk, status=Status.SENDING, claimed_at=claimed_at).update(
            status=Status.PENDING, next_attempt_at=now
        )
    if released:
        log.warning("released %s reminder claim(s) older than %s (dead workers)", released, claim_timeout())
    return released


def outbox_sweep(*, now: datetime | None = None, second_look: float | None = None) -> list[int]:
    """Release rows stuck in "sending" and return the ids of pending rows that are due (to enqueue again)."""
    now = now or timezone.now()
    outbox_release_stale(now=now, second_look=second_look)
    if _defer(now=now) or outbox_not_before(now=now) is not None:
        return []  # quiet hours: the due rows now wait for the morning (their tasks are queued by then)
    return list(
        ReminderMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .filter(_not_deferred(now))
        .values_list("id", flat=True)
    )


@dataclass
class Resume:
    """What a worker that (re)connects must queue again: tasks the broker may have lost with a restart."""

    due: list[int] = field(default_factory=list)  # pending rows to send now
    later: list[tuple[int, float]] = field(default_factory=list)  # pending rows and seconds until their retry
    check_claims_in: float | None = None  # seconds until the youngest live claim could be stale, if any


def outbox_resume(*, now: datetime | None = None) -> Resume:
    """The sweep a worker runs on start and after a broker reconnect: due rows, every waiting retry (its broker
    message may be gone), and when to sweep again for claims that are live now but may belong to a dead worker."""
    now = now or timezone.now()
    resume = Resume(due=outbox_sweep(now=now))
    waiting = ReminderMessage.objects.filter(status=Status.PENDING).exclude(pk__in=resume.due)
    resume.later = [
        (pk, max(0.0, (max(at, until or at) - now).total_seconds()))
        for pk, at, until in waiting.values_list("pk", "next_attempt_at", "not_before")
    ]
    claims = ReminderMessage.objects.filter(status=Status.SENDING).values_list("claimed_at", flat=True)
    latest = max((at for at in claims if at is not None), default=None)
    if latest is not None:
        resume.check_claims_in = max(1.0, (latest + claim_timeout() - now).total_seconds() + 1)
    return resume


def outbox_retry_delay(*, message_id: int) -> float | None:
    """Seconds until a pending row's next attempt or the end of its quiet-hours deferral (for scheduling a retry
    task), None if not pending."""
    row = ReminderMessage.objects.filter(pk=message_id, status=Status.PENDING).values_list(
        "next_attempt_at", "not_before"
    )
    found = row.first()
    if found is None:
        return None
    next_at, until = found
    return max(0.0, (max(next_at, until or next_at) - timezone.now()).total_seconds())


def outbox_requeue(*, message_id: int) -> bool:
    """The office's "retry" button: make a failed row, a pending one (waiting for its backoff or for a sweep) or a
    dead worker's stale claim due now, with a fresh retry schedule. Sent rows and live claims are refused (False)."""
    now = timezone.now()
    retryable = Q(status__in=(Status.FAILED, Status.PENDING)) | Q(
        status=Status.SENDING, claimed_at__lt=now - claim_timeout()
    )
    return bool(
        ReminderMessage.objects.filter(retryable, pk=message_id).update(
            status=Status.PENDING, next_attempt_at=now, attempts=0
        )
    )
