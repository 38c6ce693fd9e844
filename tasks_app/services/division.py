"""Division editing by the planning office: item text and deadline, units per role, unit merges,
the queue of unrecognised unit names, unit details and contacts imported from .xlsx.

Every change writes an ``AuditEntry`` (who, what, which plan, before → after) in the same transaction.
Views and the API call these functions; none of them checks permissions (the callers do).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import (
    Assignment,
    AuditEntry,
    Contribution,
    Jurisdiction,
    Membership,
    Plan,
    ReminderMessage,
    Report,
    SuggestedAssignment,
    Unit,
    UnitAlias,
    WorkItem,
)
from tasks_app.models.channels import ROBOT_CHOICES, webhook_url_validator
from tasks_app.services.errors import ServiceError, StaleEditError
from tasks_app.snapshots import everything_changed

ROLES = (Assignment.Role.LEAD, Assignment.Role.COOPERATING, Assignment.Role.RESPONSIBLE)
ROLE_LABELS = dict(Assignment.Role.choices)


class DivisionError(ServiceError):
    """A refused change of the division or the unit directory."""


# --- audit ---------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: int,
    summary: str,
    plan: Plan | None = None,
    jurisdiction_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """One audit row; it belongs to ``jurisdiction_id`` (a unit's rows: the unit's), else to the plan's."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        plan=plan,
        jurisdiction_id=jurisdiction_id or (plan.jurisdiction_id if plan is not None else None),
        object_type=object_type,
        object_id=object_id,
        summary=summary[:500],
        before=before or {},
        after=after or {},
    )


# --- items ---------------------------------------------------------------------------------------


def item_token(item: WorkItem) -> str:
    """The optimistic-lock token a form carries: the item's ``updated_at`` to the microsecond."""
    return item.updated_at.isoformat()


def _token(value: datetime | str) -> str | None:
    """The token in a canonical spelling; None when it is not a timestamp (a mangled form)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value.isoformat()


def item_snapshot(item: WorkItem) -> dict[str, Any]:
    """Title, text, deadline and units by role: what the audit trail and a stale check compare."""
    units: dict[str, list[str]] = {role: [] for role in ROLES}
    for assignment in item.assignments.select_related("unit").order_by("role", "order", "id"):
        units[assignment.role].append(assignment.unit.name)
    return {
        "title": item.title,
        "text": item.text,
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "deadline_text": item.deadline_text,
        **units,
    }


_CHANGED_SINCE = "该事项已被他人修改,您的修改未保存。请刷新页面查看最新内容后再改。"


def _lock_item(item: WorkItem, expected_updated_at: datetime | str | None, expected: dict | None) -> WorkItem:
    current = WorkItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    if expected_updated_at is not None:
        expected_token = _token(expected_updated_at)
        if expected_token is None:
            raise StaleEditError("页面已过期,请刷新后再修改", current=current)
        if expected_token != item_token(current):
            raise StaleEditError(_CHANGED_SINCE, current=current)
    if expected is not None:
        now = item_snapshot(current)
        if any(now.get(key) != value for key, value in expected.items()):
            raise StaleEditError(_CHANGED_SINCE, current=current)
    return current


_UNSET: Any = object()


def item_update(
    *,
    item: WorkItem,
    user: Any,
    title: str | None = None,
    text: str | None = None,
    deadline: date | None = _UNSET,
    deadline_text: str | None = None,
    expected_updated_at: datetime | str | None = None,
    expected: dict | None = None,
) -> WorkItem:
    """Change an item's title, text and/or deadline; refuse a stale edit (nothing is written)."""
    access.require(user, Capability.EDIT_DIVISION)
    with transaction.atomic():
        current = _lock_item(item, expected_updated_at, expected)
        before = item_snapshot(current)
        if title is not None:
            title = title.strip()
            if not title:
                raise DivisionError("标题不能为空")
            current.title = title[:300]
        if text is not None:
            text = text.strip()
            if not text:
                raise DivisionError("正文不能为空")
            current.text = text
        if deadline is not _UNSET and deadline != current.deadline:
            current.deadline = deadline
            current.deadline_defaulted = False
            current.deadline_text = "" if deadline_text is None else deadline_text.strip()[:200]
        elif deadline_text is not None:
            current.deadline_text = deadline_text.strip()[:200]
        after = item_snapshot(current)
        changed = {key: after[key] for key in after if after[key] != before[key]}
        if changed:
            current.save()
            audit_record(
                actor=user,
                action=AuditEntry.Action.ITEM_EDIT,
                plan=current.plan,
                object_type="item",
                object_id=current.pk,
                summary=f"修改事项 {current}: " + "、".join(_FIELD_LABELS.get(key, key) for key in changed),
                before={key: before[key] for key in changed},
                after=changed,
            )
    return current


_FIELD_LABELS = {"title": "标题", "text": "正文", "deadline": "完成时限", "deadline_text": "时限原文"}


def allowed_units(plan: Plan) -> list[Unit]:
    """Units an item of ``plan`` may name: its jurisdiction's and those of the jurisdictions above it."""
    ids: list[int] = []
    jurisdiction: Jurisdiction | None = plan.jurisdiction
    while jurisdiction is not None and jurisdiction.pk not in ids:
        ids.append(jurisdiction.pk)
        jurisdiction = jurisdiction.parent
    return list(Unit.objects.filter(jurisdiction_id__in=ids).select_related("jurisdiction"))


def assignments_set(
    *,
    item: WorkItem,
    user: Any,
    lead: Sequence[int],
    cooperating: Sequence[int],
    responsible: Sequence[int],
    expected_updated_at: datetime | str | None = None,
) -> WorkItem:
    """Make the item's units exactly these (in this order). Kept rows keep their origin; new rows are
    ``origin="manual"``; the item's ``updated_at`` moves so concurrent edits see the change."""
    access.require(user, Capability.EDIT_DIVISION)
    wanted: dict[str, list[int]] = {
        Assignment.Role.LEAD: list(dict.fromkeys(lead)),
        Assignment.Role.COOPERATING: list(dict.fromkeys(cooperating)),
        Assignment.Role.RESPONSIBLE: list(dict.fromkeys(responsible)),
    }
    both = set(wanted["lead"]) & (set(wanted["cooperating"]) | set(wanted["responsible"]))
    both |= set(wanted["cooperating"]) & set(wanted["responsible"])
    with transaction.atomic():
        current = _lock_item(item, expected_updated_at, None)
        existing = list(current.assignments.select_related("unit"))
        allowed = {unit.pk: unit for unit in allowed_units(current.plan)}
        allowed.update({a.unit_id: a.unit for a in existing})
        unknown = [pk for ids in wanted.values() for pk in ids if pk not in allowed]
        if unknown:
            raise DivisionError(f"单位不存在或不属于该规划的行政区划:{', '.join(map(str, unknown))}")
        if both:
            names = "、".join(allowed[pk].name for pk in both)
            raise DivisionError(f"同一单位不能在一个事项中担任两种角色:{names}")
        before = item_snapshot(current)
        by_key = {(a.unit_id, a.role): a for a in existing}
        keep: set[int] = set()
        now = timezone.now()
        for role, ids in wanted.items():
            for order, pk in enumerate(ids):
                row = by_key.get((pk, role))
                if row is None:
                    row = Assignment(
                        item=current,
                        unit_id=pk,
                        role=role,
                        raw_name=allowed[pk].name,
                        order=order,
                        origin=Assignment.Origin.MANUAL,
                    )
                    row.save()
                elif row.order != order:
                    row.order = order
                    row.save(update_fields=["order"])
                keep.add(row.pk)
        # rows handed over to a successor (institutional reform) are history: an edit never deletes them
        current.assignments.exclude(pk__in=keep).filter(handed_over_on__isnull=True).delete()
        after = item_snapshot(current)
        if after != before:
            current.updated_at = now
            current.save(update_fields=["updated_at"])
            audit_record(
                actor=user,
                action=AuditEntry.Action.ASSIGNMENTS,
                plan=current.plan,
                object_type="item",
                object_id=current.pk,
                summary=f"调整分工 {current}: " + _units_summary(after),
                before={role: before[role] for role in ROLES},
                after={role: after[role] for role in ROLES},
            )
    return current


def _units_summary(snapshot: dict[str, Any]) -> str:
    parts = [f"{ROLE_LABELS[role]} {'、'.join(snapshot[role])}" for role in ROLES if snapshot[role]]
    return ";".join(parts) or "无单位"


# --- units ---------------------------------------------------------------------------------------


_EMAIL_SPLIT = re.compile(r"[,\uff0c;\uff1b\u3001\s]+")


def emails_clean(values: Iterable[str]) -> list[str]:
    """Split on , ; 、 whitespace; validate; keep the first spelling of each address (case-insensitive)."""
    out: list[str] = []
    seen: set[str] = set()
    bad: list[str] = []
    for value in values:
        for part in _EMAIL_SPLIT.split(str(value or "")):
            part = part.strip().strip("<>")
            if not part:
                continue
            try:
                validate_email(part)
            except ValidationError:
                bad.append(part)
                continue
            if part.lower() not in seen:
                seen.add(part.lower())
                out.append(part)
    if bad:
        raise DivisionError(f"邮箱格式不正确:{'、'.join(bad)}")
    return out


def robot_url_clean(value: str) -> str:
    """A chat-robot webhook URL as typed (blank: no robot); only http(s)."""
    url = value.strip()
    if url:
        try:
            webhook_url_validator(url)
        except ValidationError as exc:
            raise DivisionError(f"机器人地址格式不正确:{url[:80]}") from exc
    return url[:500]


def _unit_state(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "needs_review": unit.needs_review,
        "contact_emails": list(unit.contact_emails),
        "webhook_url": unit.webhook_url,
        "webhook_kind": unit.webhook_kind,
    }


def unit_update(
    *,
    unit: Unit,
    user: Any,
    name: str | None = None,
    kind: str | None = None,
    contact_emails: Iterable[str] | None = None,
    webhook_url: str | None = None,
    webhook_kind: str | None = None,
) -> Unit:
    """Rename (the old name stays as an alias), change the kind, replace the contact emails or the chat robot."""
    access.require(user, Capability.MANAGE_UNITS)
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        before = _unit_state(current)
        old_name = current.name
        if name is not None:
            name = name.strip()
            if not name:
                raise DivisionError("单位名称不能为空")
            if name != old_name:
                clash = Unit.objects.filter(jurisdiction_id=current.jurisdiction_id, name=name).exclude(pk=current.pk)
                alias = UnitAlias.objects.filter(jurisdiction_id=current.jurisdiction_id, name=name).first()
                if clash.exists() or (alias is not None and alias.unit_id != current.pk):
                    raise DivisionError(f"“{name}”已是本行政区划另一个单位的名称或别名;如为同一单位,请使用合并")
                if alias is not None:
                    alias.delete()
                current.name = name[:120]
        if kind is not None:
            if kind not in Unit.Kind.values:
                raise DivisionError(f"未知的单位类型:{kind}")
            current.kind = kind
        if contact_emails is not None:
            current.contact_emails = emails_clean(contact_emails)
        if webhook_url is not None:
            current.webhook_url = robot_url_clean(webhook_url)
        if webhook_kind is not None:
            if webhook_kind not in dict(ROBOT_CHOICES):
                raise DivisionError(f"未知的机器人类型:{webhook_kind}")
            current.webhook_kind = webhook_kind
        after = _unit_state(current)
        if after == before:
            return current
        current.save()
        if current.name != old_name:
            UnitAlias.objects.get_or_create(jurisdiction_id=current.jurisdiction_id, name=old_name, unit=current)
        changed = [key for key in after if after[key] != before[key]]
        audit_record(
            actor=user,
            action=AuditEntry.Action.UNIT_EDIT,
            object_type="unit",
            object_id=current.pk,
            jurisdiction_id=current.jurisdiction_id,
            summary=f"修改单位 {old_name}"
            + (f" → {current.name}" if current.name != old_name else "")
            + f": {'、'.join(changed)}",
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return current


def unit_confirm(*, unit: Unit, user: Any) -> Unit:
    """An unrecognised name is a real new unit: take it off the review queue."""
    access.require(user, Capability.MANAGE_UNITS)
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        if not current.needs_review:
            return current
        current.needs_review = False
        current.save(update_fields=["needs_review"])
        audit_record(
            actor=user,
            action=AuditEntry.Action.UNIT_CONFIRM,
            object_type="unit",
            object_id=current.pk,
            jurisdiction_id=current.jurisdiction_id,
            summary=f"确认新单位 {current.name}({current.jurisdiction.name})",
            before={"needs_review": True},
            after={"needs_review": False},
        )
    return current


def _merge_conflicts(source: Unit, target: Unit) -> list[str]:
    """Reports and contributions both units wrote on the same item and cycle (they cannot be merged)."""
    problems = []
    for model, label in ((Report, "年度报告"), (Contribution, "配合情况")):
        theirs = set(model.objects.filter(unit=target).values_list("item_id", "cycle_id"))
        for row in model.objects.filter(unit=source).select_related("item", "cycle"):
            if (row.item_id, row.cycle_id) in theirs:
                problems.append(f"{label}:{row.item}({row.cycle.label})")
    return problems


def unit_merge(*, source: Unit, target: Unit, user: Any) -> Unit:
    """Fold ``source`` into ``target``: assignments, reports, contributions, memberships, suggestions,
    reminders and group memberships move; the source's name and aliases become the target's aliases;
    contact emails are merged; the source is deleted. Refused (nothing written) when both units have a
    report or contribution on the same item and cycle."""
    access.require(user, Capability.MANAGE_UNITS)
    if source.pk == target.pk:
        raise DivisionError("不能把单位合并到它自己")
    if not access.may_merge_units(user, source, target):
        raise DivisionError("只能合并同一行政区划内的单位(或您同时管理的两个行政区划的单位)")
    with transaction.atomic():
        source = Unit.objects.select_for_update().select_related("jurisdiction").get(pk=source.pk)
        target = Unit.objects.select_for_update().select_related("jurisdiction").get(pk=target.pk)
        conflicts = _merge_conflicts(source, target)
        if conflicts:
            raise DivisionError(
                f"不能合并:{source.name} 与 {target.name} 在同一事项同一年度都有填报内容,"
                f"请先处理后再合并({';'.join(conflicts[:5])}{' 等' if len(conflicts) > 5 else ''})"
            )
        before = {"source": _unit_state(source), "target": _unit_state(target)}
        moved = {
            "assignments": _move_assignments(source, target),
            "reports": Report.objects.filter(unit=source).update(unit=target),
            "contributions": Contribution.objects.filter(unit=source).update(unit=target),
            "memberships": _move_unique(Membership, source, target, "user_id"),
            "suggestions": _move_unique(SuggestedAssignment, source, target, "item_id", "role"),
            "reminders": _move_unique(ReminderMessage, source, target, "cycle_id", "kind", "days"),
        }
        Plan.objects.filter(reporting_recipient=source).update(reporting_recipient=target)
        members = [m for m in source.members.all() if m.pk != target.pk]
        target.members.add(*members)
        for group in source.groups.exclude(pk=target.pk):
            group.members.add(target)
        target.members.remove(source)
        aliases = [name for name in source.aliases.values_list("name", flat=True) if name != target.name]
        UnitAlias.objects.filter(unit=source).update(unit=target)
        UnitAlias.objects.filter(unit=target, name=target.name).delete()
        # The source's name stays reserved where it was written (a district's copy of a city unit).
        UnitAlias.objects.get_or_create(jurisdiction_id=source.jurisdiction_id, name=source.name, unit=target)
        target.contact_emails = emails_clean([*target.contact_emails, *source.contact_emails])
        if source.webhook_url and not target.webhook_url:  # the merged unit's work group keeps its reminders
            target.webhook_url, target.webhook_kind = source.webhook_url, source.webhook_kind
        target.save(update_fields=["contact_emails", "webhook_url", "webhook_kind"])
        plan_ids = set(Assignment.objects.filter(unit=target).values_list("item__plan_id", flat=True))
        source_id, source_name = source.pk, source.name
        source.members.clear()
        source.delete()
        everything_changed()  # the reports, assignments and plans moved by update(), which sends no signals
        audit_record(
            actor=user,
            action=AuditEntry.Action.UNIT_MERGE,
            plan=Plan.objects.get(pk=next(iter(plan_ids))) if len(plan_ids) == 1 else None,
            object_type="unit",
            object_id=target.pk,
            jurisdiction_id=target.jurisdiction_id,
            summary=f"合并单位 {source_name} → {target.name}(分工 {moved['assignments']} 条,报告 {moved['reports']} 份)",
            before={**before, "source_id": source_id},
            after={"target": _unit_state(target), "moved": moved, "aliases_added": [source_name, *aliases]},
        )
    return target


def _move_assignments(source: Unit, target: Unit) -> int:
    """Move the source's assignments; where the target already has the item (any role) keep the
    stronger role once (lead > responsible > cooperating) and carry the "等" flag over."""
    strength: dict[str, int] = {Assignment.Role.LEAD: 0, Assignment.Role.RESPONSIBLE: 1, Assignment.Role.COOPERATING: 2}
    theirs: dict[int, list[Assignment]] = {}
    for row in Assignment.objects.filter(unit=target):
        theirs.setdefault(row.item_id, []).append(row)
    moved = 0
    for row in Assignment.objects.filter(unit=source):
        existing = theirs.get(row.item_id, [])
        if not existing:
            row.unit = target
            row.save(update_fields=["unit"])
            theirs[row.item_id] = [row]
            moved += 1
            continue
        best = min(existing, key=lambda a: strength[a.role])
        if strength[row.role] < strength[best.role]:
            for other in existing:
                other.delete()
            row.unit = target
            row.and_others = row.and_others or best.and_others
            row.save(update_fields=["unit", "and_others"])
            theirs[row.item_id] = [row]
            moved += 1
        else:
            if row.and_others and not best.and_others:
                best.and_others = True
                best.save(update_fields=["and_others"])
            row.delete()
    return moved


def _move_unique(
    model: type[Membership | SuggestedAssignment | ReminderMessage], source: Unit, target: Unit, *fields: str
) -> int:
    """Re-point rows of ``model`` at the target unless the target already has one with these fields."""
    taken = set(model.objects.filter(unit=target).values_list(*fields))
    moving: list[int] = []
    clashing: list[int] = []
    for pk, *key in model.objects.filter(unit=source).values_list("pk", *fields):
        (clashing if tuple(key) in taken else moving).append(pk)
    model.objects.filter(pk__in=clashing).delete()
    return model.objects.filter(pk__in=moving).update(unit=target)


def next_order(item: WorkItem, role: str) -> int:
    top = item.assignments.filter(role=role).aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1
