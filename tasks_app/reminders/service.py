"""One reminder run: plan the digests due on a day, write them to the outbox, deliver them.

`send_reminders` (inline delivery) and the Celery beat task (queued delivery) both call `reminders_run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from tasks_app.models import Channel, ReminderMessage
from tasks_app.models.channels import recipients_shown
from tasks_app.reminders.digest import Digest
from tasks_app.reminders.outbox import outbox_deliver
from tasks_app.reminders.planner import reminders_plan, reminders_write


@dataclass
class RunResult:
    as_of: date
    sent: int = 0
    skipped: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)  # unit mails (BRIEF §5: keys kept as they are)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)  # chat-robot posts, units' and office's
    failed: int = 0
    queued: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "sent": self.sent,
            "skipped": self.skipped,
            "messages": self.messages,
            "summaries": self.summaries,
            "webhooks": self.webhooks,
        }


def _describe(unit_name: str | None, cycle_year: int, kind: str, days: int, items: list, recipients: list) -> dict:
    return {
        "department": unit_name,
        "cycle_year": cycle_year,
        "kind": str(kind),
        "days": days,
        "items": len(items),
        "recipients": list(recipients),
    }


def reminders_run(
    *,
    as_of: date,
    dry_run: bool = False,
    unit_id: int | None = None,
    enqueue: Callable[[list[int]], None] | None = None,
) -> RunResult:
    """Plan and write the digests due on ``as_of``; deliver inline, or hand the ids to ``enqueue`` after commit."""
    planned = reminders_plan(as_of=as_of, unit_id=unit_id)
    result = RunResult(as_of=as_of, skipped=planned.already + len(planned.no_address))
    if dry_run:
        for digest in planned.digests:
            _add(result, digest.unit.name if digest.unit else None, digest)
        return result
    rows = reminders_write(planned=planned, as_of=as_of)
    result.skipped += len(planned.digests) - len(rows)  # written first by a concurrent run
    ids = [row.id for row in rows]
    if enqueue is not None:
        transaction.on_commit(lambda: enqueue(ids))
        result.queued = len(ids)
    for row in rows:
        status = "queued" if enqueue is not None else outbox_deliver(message_id=row.id)
        description = _describe(
            row.unit.name if row.unit else None, row.cycle.year, row.kind, row.days, row.items, row.recipients
        )
        if row.channel != Channel.EMAIL:
            result.webhooks.append(_robot(description, row.channel, row.recipients) | {"status": status})
        elif row.unit is None:
            result.summaries.append({**description, "status": status})
        else:
            result.messages.append(description)
        if row.unit is None:  # the office summary is reported apart from the unit digests, not counted in sent
            continue
        if status == ReminderMessage.Status.SENT:
            result.sent += 1
        elif status == ReminderMessage.Status.FAILED:
            result.failed += 1
    return result


def _add(result: RunResult, unit_name: str | None, digest: Digest) -> None:
    description = _describe(
        unit_name, digest.cycle.year, digest.kind, digest.step.days, digest.items, digest.recipients
    )
    if digest.channel != Channel.EMAIL:
        result.webhooks.append(_robot(description, digest.channel, digest.recipients))
        return
    (result.summaries if digest.unit is None else result.messages).append(description)


def _robot(description: dict, channel: str, recipients: list[str]) -> dict:
    """A robot post in the run report: its URL without the query, which holds the robot's secret key."""
    return {**description, "channel": channel, "recipients": recipients_shown(channel, recipients)}
