"""Units through institutional reform: record successions, and hand the predecessor's items over.

From a succession's date its predecessor's current assignments (items of plans still running then) are
handed over: the row keeps its unit and raw name as history (``handed_over_on``), a row for the successor
with the same role points back at it (``succeeds``) and keeps the name as written. Who reports then follows
from ``rules.reporting`` alone (handed-over rows do not count). A split (several successors) hands nothing
over by itself: the office picks the successor per item (``succession_pick``) and the console lists the
rows still waiting (``selectors.successions.unresolved``).

Every change writes an AuditEntry in the same transaction; permissions are checked here through
``access.require`` and the units must be among ``access.visible_units(user)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.importing import unit_registry
from tasks_app.models import Assignment, AuditEntry, Jurisdiction, Unit, UnitAlias, UnitSuccession
from tasks_app.parsing.reforms import ReformTable, core_name, reform_table
from tasks_app.services.division import DivisionError, audit_record

KIND_LABELS = dict(UnitSuccession.Kind.choices)


class SuccessionError(DivisionError):
    """A refused succession: one clear message, nothing written."""


@dataclass
class Handover:
    moved: int = 0  # assignments handed to a successor
    unresolved: int = 0  # assignments of a split waiting for the office's pick
    details: list[str] = field(default_factory=list)


def _today() -> date:
    return timezone.localdate()


def succession_record(
    *,
    user: Any,
    predecessor: Unit,
    successors: Sequence[Unit],
    effective_on: date,
    reform: str = "",
    kind: str = "",
    source: str = "",
) -> list[UnitSuccession]:
    """Record that ``predecessor`` is succeeded by ``successors`` from ``effective_on`` (audited); hand its
    items over at once when that date has come."""
    access.require(user, Capability.MANAGE_UNITS)
    visible = set(
        access.visible_units(user)
        .filter(pk__in=[predecessor.pk, *(u.pk for u in successors)])
        .values_list("pk", flat=True)
    )
    successors = list(dict.fromkeys(successors))
    if not successors:
        raise SuccessionError("请选择继任单位")
    if predecessor.pk not in visible or any(u.pk not in visible for u in successors):
        raise SuccessionError("单位不存在或不在您的管辖范围内")
    if predecessor in successors:
        raise SuccessionError("继任单位不能是原单位本身")
    kind = kind or (UnitSuccession.Kind.SPLIT if len(successors) > 1 else UnitSuccession.Kind.RENAME)
    if kind not in KIND_LABELS:
        raise SuccessionError(f"未知的沿革类型:{kind}")
    if UnitSuccession.objects.filter(predecessor=predecessor, successor__in=successors).exists():
        raise SuccessionError(f"{predecessor.name}的这一沿革已经登记过")
    with transaction.atomic():
        rows = [
            UnitSuccession.objects.create(
                predecessor=predecessor,
                successor=successor,
                effective_on=effective_on,
                kind=kind,
                reform=reform.strip()[:120],
                source=source.strip()[:300],
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
            for successor in successors
        ]
        names = "、".join(u.name for u in successors)
        audit_record(
            actor=user,
            action=AuditEntry.Action.SUCCESSION,
            object_type="unit",
            object_id=predecessor.pk,
            jurisdiction_id=predecessor.jurisdiction_id,
            summary=f"登记单位沿革:{predecessor.name} → {names}({effective_on.isoformat()} 起,{KIND_LABELS[kind]})",
            after={
                "successors": [u.name for u in successors],
                "effective_on": effective_on.isoformat(),
                "kind": kind,
                "reform": reform,
                "source": source,
            },
        )
        if effective_on <= _today():
            successions_apply(as_of=_today(), predecessors=[predecessor.pk], user=user)
    return rows


def successions_apply(*, as_of: date, predecessors: Iterable[int] | None = None, user: Any = None) -> Handover:
    """Hand over the items of every predecessor whose succession is due by ``as_of`` (idempotent)."""
    due = UnitSuccession.objects.filter(effective_on__lte=as_of, applied_on__isnull=True)
    if predecessors is not None:
        due = due.filter(predecessor_id__in=list(predecessors))
    by_predecessor: dict[int, list[UnitSuccession]] = defaultdict(list)
    for row in due.select_related("predecessor", "successor").order_by("effective_on", "id"):
        by_predecessor[row.predecessor_id].append(row)
    result = Handover()
    with transaction.atomic():
        for rows in by_predecessor.values():
            # all successors of the predecessor, applied or not: a split recorded in two steps is still a split
            everyone = UnitSuccession.objects.filter(predecessor_id=rows[0].predecessor_id)
            if everyone.values("successor_id").distinct().count() > 1:
                result.unresolved += _open_rows(rows[0].predecessor_id, rows[0].effective_on).count()
            else:
                for assignment in _open_rows(rows[0].predecessor_id, rows[0].effective_on).select_related("item"):
                    _hand_over(assignment, rows[0].successor, on=rows[0].effective_on)
                    result.moved += 1
                result.details.append(f"{rows[0].predecessor.name} → {rows[0].successor.name}")
            UnitSuccession.objects.filter(pk__in=[r.pk for r in rows]).update(applied_on=as_of)
    return result


def _open_rows(unit_id: int, effective_on: date):
    """The unit's current assignments on active items of plans still running on the succession date."""
    return Assignment.objects.current().filter(
        unit_id=unit_id, item__is_active=True, item__plan__period_end__gte=effective_on.year
    )


def _hand_over(assignment: Assignment, successor: Unit, *, on: date) -> Assignment:
    written = assignment.raw_name or assignment.unit.name
    taken, created = Assignment.objects.get_or_create(
        item_id=assignment.item_id,
        unit=successor,
        role=assignment.role,
        defaults={
            "raw_name": written,
            "and_others": assignment.and_others,
            "order": assignment.order,
            "origin": Assignment.Origin.SUCCESSION,
            "succeeds": assignment,
        },
    )
    if not created and taken.handed_over_on is not None:  # the successor had handed it back: take it again
        taken.handed_over_on = None
        taken.save(update_fields=["handed_over_on"])
    assignment.handed_over_on = on
    assignment.save(update_fields=["handed_over_on"])
    return taken


def succession_pick(*, user: Any, assignment_id: int, successor_id: int) -> Assignment:
    """For a split: the office names which successor takes this item over (audited)."""
    access.require(user, Capability.EDIT_DIVISION)
    assignment = (
        Assignment.objects.current()
        .filter(pk=assignment_id, item__in=access.visible_items(user))
        .select_related("unit", "item", "item__plan")
        .first()
    )
    if assignment is None:
        raise SuccessionError("分工不存在或已移交")
    succession = (
        UnitSuccession.objects.filter(predecessor_id=assignment.unit_id, successor_id=successor_id)
        .select_related("successor")
        .first()
    )
    if succession is None or not access.visible_units(user).filter(pk=successor_id).exists():
        raise SuccessionError("所选单位不是该单位登记的继任单位")
    if succession.effective_on > _today():
        raise SuccessionError(f"沿革自 {succession.effective_on.isoformat()} 起生效,届时再移交")
    with transaction.atomic():
        taken = _hand_over(assignment, succession.successor, on=succession.effective_on)
        audit_record(
            actor=user,
            action=AuditEntry.Action.SUCCESSION,
            object_type="item",
            object_id=assignment.item_id,
            plan=assignment.item.plan,
            summary=f"{assignment.item.number} {assignment.unit.name} 的分工移交 {succession.successor.name}",
            before={"unit": assignment.unit.name},
            after={"unit": succession.successor.name},
        )
    return taken


# --- the shipped table: national 2018 mapping and common municipal successors ----------------------


def _spellings_index(units: Iterable[Unit], jurisdiction: Jurisdiction) -> dict[str, Unit]:
    """Core name (name and every alias, prefix stripped) → unit of one jurisdiction."""
    units = list(units)
    found: dict[str, Unit] = {}
    by_pk = {u.pk: u for u in units}
    for alias in UnitAlias.objects.filter(unit_id__in=list(by_pk)):
        found.setdefault(core_name(alias.name, jurisdiction.name), by_pk[alias.unit_id])
    for unit in units:
        found[core_name(unit.name, jurisdiction.name)] = unit  # a canonical name beats an alias
    return found


def _prefix(jurisdiction: Jurisdiction) -> str:
    return jurisdiction.name[-1:] if jurisdiction.name[-1:] in "省市区县旗" else ""


def successions_load(*, table: ReformTable | None = None, jurisdictions: Iterable[Jurisdiction] | None = None) -> int:
    """Turn the shipped table into UnitSuccession rows for the units the database holds (creating the
    successor units with their local variants as aliases), then hand over what is due. Idempotent; returns
    the number of successions created. For seeding and `load_successions`; the console records by hand."""
    table = table or reform_table()
    created = 0
    with transaction.atomic():
        for jurisdiction in jurisdictions if jurisdictions is not None else Jurisdiction.objects.all():
            _registry_predecessors(jurisdiction, table)
            units = list(Unit.objects.filter(jurisdiction=jurisdiction, kind=Unit.Kind.DEPARTMENT))
            index = _spellings_index(units, jurisdiction)
            level = "district" if jurisdiction.level in ("district", "county") else jurisdiction.level
            for predecessor in units:
                rules = table.rules_for(core_name(predecessor.name, jurisdiction.name))
                if not rules:
                    continue
                rule = rules[0]
                effective_on = table.reform_date(rule.reform, jurisdiction=jurisdiction.name, level=level)
                for name in rule.successors(level):
                    successor = index.get(name) or next((index[a] for a in rule.aliases if a in index), None)
                    if successor is None:
                        successor = Unit.objects.create(jurisdiction=jurisdiction, name=_prefix(jurisdiction) + name)
                        index[name] = successor
                        for alias in rule.aliases:
                            spelled = _prefix(jurisdiction) + alias
                            if spelled != successor.name and core_name(spelled, jurisdiction.name) not in index:
                                UnitAlias.objects.get_or_create(
                                    jurisdiction=jurisdiction, name=spelled, defaults={"unit": successor}
                                )
                                index[alias] = successor
                    if successor.pk == predecessor.pk:
                        continue
                    _, made = UnitSuccession.objects.get_or_create(
                        predecessor=predecessor,
                        successor=successor,
                        defaults={
                            "effective_on": effective_on,
                            "kind": rule.kind,
                            "reform": table.reforms[rule.reform]["name"],
                            "source": "fixtures/successions.json",
                        },
                    )
                    created += made
        successions_apply(as_of=_today())
    return created


def _registry_predecessors(jurisdiction: Jurisdiction, table: ReformTable) -> None:
    """Registry departments of the jurisdiction that a reform retired, created when missing, so a later
    document naming them (市应急办 in a 2020 notice) finds their succession."""
    have = set(Unit.objects.filter(jurisdiction=jurisdiction).values_list("name", flat=True))
    for entry in unit_registry().units_for(jurisdiction.name):
        if entry["kind"] != Unit.Kind.DEPARTMENT or entry["name"] in have:
            continue
        if table.rules_for(core_name(entry["name"], jurisdiction.name)):
            unit = Unit.objects.create(jurisdiction=jurisdiction, name=entry["name"])
            UnitAlias.objects.bulk_create(
                [UnitAlias(unit=unit, jurisdiction=jurisdiction, name=alias) for alias in entry.get("aliases", [])],
                ignore_conflicts=True,
            )
