"""Which digests are due on a day, written to the outbox. The scheduler and `send_reminders` share this.

A bounded number of queries whatever the number of units and items: open cycles, their assignments,
finished reports and contributions, units, existing outbox keys, office recipients.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks_app.access import office_emails_covering
from tasks_app.models import (
    Assignment,
    Channel,
    Contribution,
    Plan,
    ReminderMessage,
    Report,
    ReportingCycle,
    Unit,
)
from tasks_app.reminders.calendar import OVERDUE, Step, step_due
from tasks_app.reminders.digest import Digest, Planned, unit_targets
from tasks_app.reminders.outbox import outbox_not_before
from tasks_app.reminders.transports import transport_for
from tasks_app.rules.periods import reminder_days_before
from tasks_app.rules.reporting import contributing_units, reporting_units
from tasks_app.selectors.unit_heads import unit_heads


def reminders_plan(
    *, as_of: date, unit_id: int | None = None, cycle_id: int | None = None, plans: QuerySet[Plan] | None = None
) -> Planned:
    """The digests due on ``as_of`` (of one unit, one cycle, or the cycles of ``plans`` when given)."""
    cycles = ReportingCycle.objects.filter(status=ReportingCycle.Status.OPEN).select_related(
        "plan", "plan__reporting_recipient"
    )
    if plans is not None:
        cycles = cycles.filter(plan__in=plans)
    if cycle_id is not None:
        cycles = cycles.filter(pk=cycle_id)
    due: dict[int, tuple[ReportingCycle, Step]] = {}
    for cycle in cycles:
        step = step_due(
            due_date=cycle.due_date,
            as_of=as_of,
            # a short period drops the steps it cannot hold ("30 days before" a monthly report)
            days_before=reminder_days_before(cycle.frequency, cycle.plan.reminder_days_before),
            days_after=cycle.plan.reminder_days_after,
        )
        if step is not None:
            due[cycle.id] = (cycle, step)
    planned = Planned()
    if not due:
        return planned
    plan_cycles: dict[int, list[int]] = defaultdict(list)
    for cycle, _ in due.values():
        plan_cycles[cycle.plan_id].append(cycle.id)

    rows = (
        Assignment.objects.asking()
        .filter(item__plan_id__in=plan_cycles, item__is_active=True)
        .values_list(
            "item_id",
            "item__plan_id",
            "unit_id",
            "role",
            "item__number",
            "item__title",
            "item__deadline",
            "item__order",
            "handed_over_on",
        )
    )
    by_item: dict[int, dict[str, Any]] = {}
    for item_id, plan_id, unit, role, number, title, deadline, order, handed_over_on in rows:
        entry = by_item.setdefault(
            item_id,
            {
                "plan": plan_id,
                "roles": defaultdict(list),
                "number": number,
                "title": title,
                "deadline": deadline,
                "order": order,
            },
        )
        entry["roles"][role].append((unit, handed_over_on))
    done_reports = set(
        Report.objects.filter(cycle_id__in=due, status__in=Report.DONE_STATUSES).values_list(
            "cycle_id", "item_id", "unit_id"
        )
    )
    # Submitted by staff but not yet signed off by the unit head: still pending for the office, and the digest says
    # it waits for the head (services.signoff) instead of asking the staff to submit it again.
    waiting_head = set(
        Report.objects.filter(cycle_id__in=due, status=Report.Status.PENDING_HEAD).values_list(
            "cycle_id", "item_id", "unit_id"
        )
    )
    done_contributions = set(
        Contribution.objects.filter(cycle_id__in=due, status=Contribution.Status.SUBMITTED).values_list(
            "cycle_id", "item_id", "unit_id"
        )
    )

    pending: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)  # (cycle, unit) -> items
    for item_id, entry in sorted(by_item.items(), key=lambda kv: kv[1]["order"]):
        roles = entry["roles"]
        pairs = [(unit, role, handed_over_on) for role, units in roles.items() for unit, handed_over_on in units]
        reporting = reporting_units(pairs)
        for cid in plan_cycles[entry["plan"]]:
            cycle = due[cid][0]
            summary = {"id": item_id, "number": entry["number"], "title": entry["title"]}
            summary["deadline"] = entry["deadline"].isoformat() if entry["deadline"] else None
            for unit in reporting:
                if (cid, item_id, unit) in waiting_head:
                    pending[(cid, unit)].append({**summary, "role": "reporting", "waiting_head": True})
                elif (cid, item_id, unit) not in done_reports:
                    pending[(cid, unit)].append({**summary, "role": "reporting"})
            if cycle.plan.remind_cooperating:
                for unit in contributing_units(pairs):
                    if (cid, item_id, unit) not in done_contributions:
                        pending[(cid, unit)].append({**summary, "role": "cooperating"})
    if unit_id is not None:
        pending = {key: items for key, items in pending.items() if key[1] == unit_id}

    units = Unit.objects.in_bulk({unit for _, unit in pending})
    existing = set(ReminderMessage.objects.filter(cycle_id__in=due).values_list("key", flat=True))
    # Escalation: the unit heads' addresses, read once, for the units reminded at a step that reaches them.
    heads = unit_heads(unit_ids={unit for cid, unit in pending if due[cid][1].reaches_head})
    late_units: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (cid, unit_pk), items in sorted(pending.items(), key=lambda kv: (kv[0][0], units[kv[0][1]].name)):
        cycle, step = due[cid]
        reminded = units[unit_pk]  # the Unit row (``unit`` above is an id)
        kind = ReminderMessage.Kind.OVERDUE if step.kind == OVERDUE else ReminderMessage.Kind.BEFORE
        late = [i for i in items if i["role"] == "reporting"]
        if step.kind == OVERDUE and late:
            late_entry: dict[str, Any] = {"unit": reminded.name, "count": len(late)}
            if step.reaches_office:  # the summary carries each late unit's 督办单 (its overdue items)
                late_entry |= {"unit_id": reminded.id, "items": [_supervised(i) for i in late]}
            late_units[cid].append(late_entry)
        head_emails = [getattr(u, "email", "") for u in heads.get(unit_pk, [])] if step.reaches_head else []
        head_emails = [address for address in head_emails if address]
        targets = _with_heads(unit_targets(reminded), head_emails)
        if not targets:
            planned.no_address.append(reminded.name)
        for channel, recipients in targets:  # one digest per channel the unit is reached on
            digest = Digest(
                unit=reminded, cycle=cycle, step=step, recipients=recipients, items=items, kind=kind, channel=channel
            )
            if digest.key in existing:
                planned.already += 1
                planned.existing.append(digest.key)
            else:
                planned.digests.append(digest)
    if unit_id is None:
        # The summary of a plan goes to the offices whose jurisdiction covers it, not to every office.
        offices = office_emails_covering(due[cid][0].plan.jurisdiction_id for cid in late_units)
        for cid, names in late_units.items():
            cycle, step = due[cid]
            recipient_unit = cycle.plan.reporting_recipient
            office = offices[cycle.plan.jurisdiction_id]
            recipients = sorted(set(office) | set(recipient_unit.contact_emails if recipient_unit else []))
            targets = [(Channel.EMAIL, recipients)] if recipients else []
            if cycle.plan.office_webhook_url:  # the office's own work group gets the summary too
                targets.append((cycle.plan.office_webhook_kind, [cycle.plan.office_webhook_url]))
            for channel, to in targets:
                digest = Digest(
                    unit=None,
                    cycle=cycle,
                    step=step,
                    recipients=to,
                    items=names,
                    kind=ReminderMessage.Kind.SUMMARY,
                    channel=channel,
                )
                if digest.key not in existing:
                    planned.digests.append(digest)
    return planned


def reminders_write(*, planned: Planned, as_of: date) -> list[ReminderMessage]:
    """Write the planned digests; the unique key drops any that a concurrent run wrote first."""
    now = timezone.now()
    not_before = outbox_not_before(now=now)  # quiet hours: written now, delivered the next working morning
    batch = uuid.uuid4().hex
    rows = [
        ReminderMessage(
            key=digest.key,
            unit=digest.unit,
            cycle=digest.cycle,
            kind=digest.kind,
            channel=digest.channel,
            days=digest.step.days,
            step_date=digest.step.date,
            recipients=digest.recipients,
            items=digest.items,
            next_attempt_at=now,
            not_before=not_before,
            level=digest.step.level,
            batch=batch,
            **transport_for(digest.channel).render(digest=digest, as_of=as_of),
        )
        for digest in planned.digests
    ]
    with transaction.atomic():
        ReminderMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        # Rows this run wrote: a concurrent run's rows for the same keys carry its own batch.
        created = list(ReminderMessage.objects.filter(batch=batch).select_related("unit", "cycle").order_by("id"))
    return created


def _supervised(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in ("id", "number", "title", "deadline")}


def _with_heads(targets: list[tuple[str, list[str]]], head_emails: list[str]) -> list[tuple[str, list[str]]]:
    """The unit's channels with its heads' addresses added to the mail (one mail, the unit's key: never twice);
    a unit reached only by robot gets a mail to its heads."""
    if not head_emails:
        return targets
    mail = [(channel, to) for channel, to in targets if channel == Channel.EMAIL]
    others = [(channel, to) for channel, to in targets if channel != Channel.EMAIL]
    to = mail[0][1] if mail else []
    return [(Channel.EMAIL, list(dict.fromkeys([*to, *head_emails]))), *others]


def as_of_datetime(as_of: date) -> datetime:
    return timezone.make_aware(datetime.combine(as_of, time(8, 0)))
