"""Notices to a unit through the reminder outbox: one row per event and channel, written in the caller's
transaction (so a rolled-back return leaves no message) and delivered after commit by the outbox worker; the
sweeper and every `send_reminders` run deliver whatever the broker did not take. Never sent from here.

Kinds today: ``returned`` (the office returned a report, with the reason); ``bounce``, ``extension`` (the office
decided a unit's 退回分工 / 延期申请) and ``reassigned`` (an item reassigned to the unit), from services/workflow.py.
A new kind adds a ReminderMessage.Kind value and a headline in reminders/notices.py, and calls ``unit_notify``
with its own ``event`` (the event's id), nothing else.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tasks_app.models import Channel, ReminderMessage, Report, ReportingCycle, ReportVersion, Unit, WorkItem
from tasks_app.reminders.digest import unit_targets
from tasks_app.reminders.notices import Notice, render_notice, site_link

log = logging.getLogger(__name__)

DELIVER_TASK = "tasks_app.tasks.deliver_reminder"


def _recipients(unit: Unit, report: Report | None) -> list[tuple[str, list[str]]]:
    """The unit's channels (contacts' mail, its robot), with the mail of whoever submitted the report added."""
    targets = unit_targets(unit)
    if report is None or report.pk is None:
        return targets
    submitters = (
        ReportVersion.objects.filter(report=report, action=ReportVersion.Action.SUBMIT, actor__isnull=False)
        .exclude(actor__email="")
        .values_list("actor__email", flat=True)
    )
    extra = [address for address in dict.fromkeys(submitters) if address]
    if not extra:
        return targets
    if not any(channel == Channel.EMAIL for channel, _ in targets):
        return [(Channel.EMAIL, extra), *targets]
    return [
        (channel, list(dict.fromkeys([*to, *extra])) if channel == Channel.EMAIL else to) for channel, to in targets
    ]


def _link(item: WorkItem, report: Report | None, path: str | None) -> str:
    if path is not None:
        return site_link(path)
    path = reverse("report", args=[item.pk])
    return site_link(f"{path}?unit={report.unit_id}" if report is not None else path)


def unit_notify(
    *,
    unit: Unit,
    kind: str,
    item: WorkItem,
    report: Report | None = None,
    reason: str = "",
    cycle: ReportingCycle | None = None,
    event: str = "",
    link: str | None = None,
) -> list[ReminderMessage]:
    """Write one outbox row per channel of ``unit`` about ``kind`` on ``item``; returns the rows written.

    ``event`` names the occurrence (default: the report and its version), so one event is noticed once per
    channel however often this is called, and a second return of the same report is a new notice. ``cycle``
    defaults to the report's; ``link`` (a site path) the page the notice points at (default: the report form).
    Delivery is queued after the surrounding transaction commits.
    """
    kind = ReminderMessage.Kind(kind)
    if report is not None:
        event = event or f"{report.pk}:v{report.version}"
        cycle = cycle or report.cycle
    if cycle is None or not event:
        raise ValueError("a notice needs a report, or a cycle and an event key")
    notice = Notice(
        kind=kind,
        unit_name=unit.name,
        item_title=item.title,
        item_number=item.number or "",
        cycle_label=cycle.label,
        reason=reason,
        link=_link(item, report, link),
    )
    content = render_notice(notice)
    now = timezone.now()
    rows = [
        ReminderMessage(
            key=f"notice:{kind}:{event}:{channel}"[:100],
            unit=unit,
            cycle=cycle,
            kind=kind,
            channel=channel,
            days=0,
            step_date=timezone.localdate(),
            recipients=recipients,
            items=[_item_row(item, report, reason)],
            next_attempt_at=now,
            **content,
        )
        for channel, recipients in _recipients(unit, report)
    ]
    if not rows:
        log.info("unit %s has no mail address or robot: notice %s of %s not written", unit.pk, kind, event)
        return []
    keys = [row.key for row in rows]
    already = set(ReminderMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    ReminderMessage.objects.bulk_create([row for row in rows if row.key not in already], ignore_conflicts=True)
    written = list(ReminderMessage.objects.filter(key__in=set(keys) - already))
    ids = [row.pk for row in written]
    transaction.on_commit(lambda: outbox_enqueue(ids))
    return written


def _item_row(item: WorkItem, report: Report | None, reason: str) -> dict[str, Any]:
    return {
        "item_id": item.pk,
        "number": item.number or "",
        "title": item.title,
        "report_id": report.pk if report is not None else None,
        "reason": reason,
    }


def outbox_enqueue(ids: list[int]) -> None:
    """Hand the rows to the delivery worker by task name; a broker that refuses leaves them to the sweeper."""
    for message_id in ids:
        try:
            current_app.signature(DELIVER_TASK, args=(message_id,)).apply_async()
        except Exception:  # the row stays pending: sweep_outbox or the next send_reminders run delivers it
            log.exception("notice %s could not be queued; the outbox sweep will deliver it", message_id)
