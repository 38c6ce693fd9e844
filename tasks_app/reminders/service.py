"""One reminder run: plan the digests due on a day, write them to the outbox, deliver them.

`send_reminders` (inline delivery) and the Celery beat task (queued delivery) both call `reminders_run`. An inline
run is also a sweep, so a deployment with cron and no worker or beat still delivers what an earlier run could not:
it releases dead claims and sends every pending row, without waiting for the backoff (each run is itself a retry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tasks_app.models import Channel, Plan, ReminderMessage, ReportingCycle
from tasks_app.models.channels import recipients_shown
from tasks_app.reminders.digest import Digest
from tasks_app.reminders.outbox import outbox_deliver, outbox_not_before, outbox_release_stale
from tasks_app.reminders.planner import reminders_plan, reminders_write
from tasks_app.services.successions import successions_apply


@dataclass
class RunResult:
    as_of: date
    sent: int = 0  # unit deliveries of the digests this run wrote
    skipped: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)  # unit mails (BRIEF §5: keys kept as they are)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)  # chat-robot posts, units' and office's
    delivered: int = 0  # unit deliveries this run made: its own digests and earlier pending ones
    pending: int = 0  # unit deliveries due and waiting for a retry (temporary failure) after this run
    failed: int = 0  # unit deliveries due and out of retries (permanent failure or retries used up)
    undelivered: int = 0  # every row due and left pending or failed, the office summary included
    deferred: int = 0  # rows due and waiting for the end of quiet hours (not_before): sent then, not failed
    queued: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "sent": self.sent,
            "skipped": self.skipped,
            "messages": self.messages,
            "summaries": self.summaries,
            "webhooks": self.webhooks,
            "delivered": self.delivered,
            "pending": self.pending,
            "failed": self.failed,
            "deferred": self.deferred,
        }


def _describe(
    unit_name: str | None,
    cycle: ReportingCycle,
    kind: str,
    days: int,
    items: list,
    recipients: list,
    *,
    level: int,
    deferred_until: datetime | None,
) -> dict:
    return {
        "department": unit_name,
        "cycle_year": cycle.year,
        "period": cycle.period,
        "kind": str(kind),
        "days": days,
        "items": len(items),
        "recipients": list(recipients),
        "level": level,  # escalation (reminders/calendar.py): 0 before, 1 unit, 2 + head, 3 + office 督办单
        "deferred_until": timezone.localtime(deferred_until).isoformat() if deferred_until else None,
    }


def reminders_run(
    *,
    as_of: date,
    dry_run: bool = False,
    unit_id: int | None = None,
    enqueue: Callable[[list[int]], None] | None = None,
    plans: QuerySet[Plan] | None = None,
) -> RunResult:
    """Plan and write the digests due on ``as_of``; deliver inline, or hand the ids to ``enqueue`` after commit.

    Inline, the run also delivers the outbox's earlier pending rows (of ``unit_id`` only, when given) and counts
    what is left undelivered; queued, the sweeper does that. ``plans`` (an office's "send now": its visible
    plans) limits the run to those plans' cycles.
    """
    if not dry_run:  # successions that came due since the last run hand their items over first
        successions_apply(as_of=as_of)
    planned = reminders_plan(as_of=as_of, unit_id=unit_id, plans=plans)
    result = RunResult(as_of=as_of, skipped=len(planned.no_address))
    if dry_run:
        result.skipped += planned.already
        deferred_until = outbox_not_before()
        for digest in planned.digests:
            _add(result, digest.unit.name if digest.unit else None, digest, deferred_until)
        return result
    rows = reminders_write(planned=planned, as_of=as_of)
    result.skipped += len(planned.digests) - len(rows)  # written first by a concurrent run
    ids = [row.id for row in rows]
    if enqueue is not None:
        transaction.on_commit(lambda: enqueue(ids))
        result.queued = len(ids)
        result.skipped += planned.already
        for row in rows:
            _report(result, row, "queued")
        return result
    earlier = _undelivered_before(unit_id=unit_id, exclude=ids, plans=plans)
    outcome = {pk: outbox_deliver(message_id=pk) for pk in earlier}
    for row in rows:
        outcome[row.id] = status = outbox_deliver(message_id=row.id)
        _report(result, row, status)
        if row.unit is not None and status == ReminderMessage.Status.SENT:
            result.sent += 1
    _count(result, outcome=outcome, existing=planned.existing)
    return result


def _undelivered_before(*, unit_id: int | None, exclude: list[int], plans: QuerySet[Plan] | None = None) -> list[int]:
    """Rows an earlier run or a lost broker message left undelivered: dead workers' claims released, then every
    pending row made due now (a cron run does not wait for the backoff: it is the retry)."""
    outbox_release_stale()
    pending = ReminderMessage.objects.filter(status=ReminderMessage.Status.PENDING).exclude(pk__in=exclude)
    if unit_id is not None:
        pending = pending.filter(unit_id=unit_id)
    if plans is not None:
        pending = pending.filter(cycle__plan__in=plans)
    ids = list(pending.order_by("id").values_list("id", flat=True))
    ReminderMessage.objects.filter(pk__in=ids, next_attempt_at__gt=timezone.now()).update(
        next_attempt_at=timezone.now()
    )
    return ids


def _count(result: RunResult, *, outcome: dict[int, str], existing: list[str]) -> None:
    """delivered / pending / failed / skipped over the rows this run handled and the due step's existing rows."""
    Status = ReminderMessage.Status
    rows = ReminderMessage.objects.filter(Q(pk__in=outcome) | Q(key__in=existing)).values_list(
        "pk", "unit_id", "status", "not_before"
    )
    now = timezone.now()
    for pk, unit, status, not_before in rows:
        is_unit = unit is not None
        if status == Status.PENDING and not_before is not None and not_before > now:
            result.deferred += 1  # quiet hours: due in the morning, neither pending a retry nor failed
            continue
        if status in (Status.PENDING, Status.FAILED):
            result.undelivered += 1
        if not is_unit:
            continue
        if outcome.get(pk) == Status.SENT:
            result.delivered += 1
        elif pk not in outcome and status in (Status.SENT, Status.SENDING):  # sent before, or another process's
            result.skipped += 1
        if status == Status.PENDING:
            result.pending += 1
        elif status == Status.FAILED:
            result.failed += 1


def _report(result: RunResult, row: ReminderMessage, status: str) -> None:
    description = _describe(
        row.unit.name if row.unit else None,
        row.cycle,
        row.kind,
        row.days,
        row.items,
        row.recipients,
        level=row.level,
        deferred_until=row.not_before if status != ReminderMessage.Status.SENT else None,
    )
    if row.channel != Channel.EMAIL:
        result.webhooks.append(_robot(description, row.channel, row.recipients) | {"status": status})
    elif row.unit is None:
        result.summaries.append({**description, "status": status})
    else:
        result.messages.append(description)


def _add(result: RunResult, unit_name: str | None, digest: Digest, deferred_until: datetime | None) -> None:
    description = _describe(
        unit_name,
        digest.cycle,
        digest.kind,
        digest.step.days,
        digest.items,
        digest.recipients,
        level=digest.step.level,
        deferred_until=deferred_until,
    )
    if digest.channel != Channel.EMAIL:
        result.webhooks.append(_robot(description, digest.channel, digest.recipients))
        return
    (result.summaries if digest.unit is None else result.messages).append(description)


def _robot(description: dict, channel: str, recipients: list[str]) -> dict:
    """A robot post in the run report: its URL without the query, which holds the robot's secret key."""
    return {**description, "channel": channel, "recipients": recipients_shown(channel, recipients)}
