"""The division assistant's proposals, stored for review: generate, accept (as is or edited), reject,
and accept in bulk above a score. The suggesting itself is ``tasks_app.services.suggestions``.

Accepted proposals become ordinary ``Assignment`` rows with ``origin="suggested"``, ``accepted_by`` and
``accepted_at``; every decision writes an ``AuditEntry``. Units the assistant proposes that the
jurisdiction does not have yet are added with ``needs_review`` (they appear in the review queue).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.importing import unit_registry
from tasks_app.models import Assignment, AuditEntry, Plan, SuggestedAssignment, Unit, UnitAlias, WorkItem
from tasks_app.services.division import DivisionError, allowed_units, audit_record, next_order
from tasks_app.services.suggestions import plan_suggestions_build, proposed_units_create
from tasks_app.snapshots import plans_changed

PER_ROLE = {SuggestedAssignment.Role.LEAD: 3, SuggestedAssignment.Role.COOPERATING: 5}
ROLE_LABELS = dict(SuggestedAssignment.Role.choices)


@dataclass
class GenerateResult:
    items: int
    suggestions: int
    proposed_units: list[str]


def _explanation(row: dict[str, Any], unit: dict[str, Any]) -> dict[str, Any]:
    because = set(unit.get("because_of", []))
    neighbours = [n for n in row["neighbours"] if n["item_id"] in because] or row["neighbours"][:3]
    return {
        "neighbours": [
            {"item_id": n["item_id"], "plan": n["plan"], "similarity": round(n["similarity"], 3), "text": n["text"]}
            for n in neighbours
        ],
        "words": list(unit.get("words", [])),
        "matched_terms": list(row.get("matched_terms", []))[:8],
    }


def suggestions_generate(*, plan: Plan, user: Any, only_undivided: bool = True) -> GenerateResult:
    """(Re)compute the proposals of ``plan``: open proposals are replaced, decided ones are kept.
    With ``only_undivided`` items that already have units are left alone."""
    access.require(user, Capability.EDIT_DIVISION)
    payload = plan_suggestions_build(plan=plan)
    divided = set(Assignment.objects.filter(item__plan=plan).values_list("item_id", flat=True))
    rows = [row for row in payload["items"] if not (only_undivided and row["item_id"] in divided)]
    unknown = [
        unit["unit"] for row in rows for role in PER_ROLE for unit in row[role][: PER_ROLE[role]] if not unit["known"]
    ]
    with transaction.atomic():
        known = _registry_units_create(plan=plan, names=unknown)
        created = proposed_units_create(plan=plan, names=[name for name in unknown if name not in known])
        units = {unit.name: unit.pk for unit in Unit.objects.filter(jurisdiction=plan.jurisdiction)}
        units.update({name: unit.pk for name, unit in known.items()})
        item_ids = [row["item_id"] for row in rows]
        SuggestedAssignment.objects.filter(item_id__in=item_ids, status=SuggestedAssignment.Status.PROPOSED).delete()
        decided = set(
            SuggestedAssignment.objects.filter(item_id__in=item_ids).values_list("item_id", "unit_id", "role")
        )
        new: list[SuggestedAssignment] = []
        for row in rows:
            for role, limit in PER_ROLE.items():
                for rank, unit in enumerate(row[role][:limit], start=1):
                    unit_id = units.get(unit["unit"])
                    if unit_id is None or (row["item_id"], unit_id, role) in decided:
                        continue
                    decided.add((row["item_id"], unit_id, role))
                    new.append(
                        SuggestedAssignment(
                            item_id=row["item_id"],
                            unit_id=unit_id,
                            role=role,
                            rank=rank,
                            score=round(float(unit["score"]), 4),
                            explanation=_explanation(row, unit),
                        )
                    )
        SuggestedAssignment.objects.bulk_create(new, batch_size=500)
        audit_record(
            actor=user,
            action=AuditEntry.Action.SUGGESTION,
            plan=plan,
            object_type="plan",
            object_id=plan.pk,
            summary=f"生成分工建议:{len(rows)} 项,{len(new)} 条建议,新增待确认单位 {len(created)} 个",
            after={"items": len(rows), "suggestions": len(new), "proposed_units": [u.name for u in created]},
        )
    return GenerateResult(items=len(rows), suggestions=len(new), proposed_units=[u.name for u in created])


def _registry_units_create(*, plan: Plan, names: list[str]) -> dict[str, Unit]:
    """Proposed names the unit registry knows in the plan's jurisdiction (各县(市)区政府 …) become
    ordinary units with the registry's kind and aliases, not units to review."""
    registry = unit_registry()
    place = plan.jurisdiction
    found: dict[str, Unit] = {}
    for name in dict.fromkeys(names):
        resolution = registry.resolve(name, place.name)
        if not resolution.known or resolution.jurisdiction != place.name:
            continue
        unit, made = Unit.objects.get_or_create(
            jurisdiction=place, name=resolution.name, defaults={"kind": resolution.kind}
        )
        if made:
            entry = registry.entry(resolution.name, place.name) or {}
            aliases = [alias for alias in entry.get("aliases", []) if alias != unit.name]
            UnitAlias.objects.bulk_create(
                [UnitAlias(unit=unit, jurisdiction=place, name=alias) for alias in aliases], ignore_conflicts=True
            )
        found[name] = unit
    return found


def _check_open(suggestion: SuggestedAssignment) -> None:
    if suggestion.status != SuggestedAssignment.Status.PROPOSED:
        raise DivisionError(f"该建议已{suggestion.get_status_display()},不能重复处理")


def suggestion_accept(
    *, suggestion: SuggestedAssignment, user: Any, unit: Unit | None = None, role: str | None = None
) -> Assignment:
    """Accept one proposal, as is or edited (another unit and/or role): it becomes an Assignment."""
    access.require(user, Capability.EDIT_DIVISION)
    role = role or suggestion.role
    if role not in (SuggestedAssignment.Role.LEAD, SuggestedAssignment.Role.COOPERATING, Assignment.Role.RESPONSIBLE):
        raise DivisionError(f"未知的角色:{role}")
    with transaction.atomic():
        current = (
            SuggestedAssignment.objects.select_for_update().select_related("item__plan", "unit").get(pk=suggestion.pk)
        )
        _check_open(current)
        chosen = unit or current.unit
        if unit is not None and unit.pk not in {u.pk for u in allowed_units(current.item.plan)}:
            raise DivisionError("该单位不属于该规划的行政区划")
        other = current.item.assignments.filter(unit=chosen).exclude(role=role).first()
        if other is not None:
            raise DivisionError(f"{chosen.name} 已是该事项的{other.get_role_display()}")
        now = timezone.now()
        assignment, _ = Assignment.objects.get_or_create(
            item=current.item,
            unit=chosen,
            role=role,
            defaults={
                "raw_name": chosen.name,
                "order": next_order(current.item, role),
                "origin": Assignment.Origin.SUGGESTED,
                "accepted_by": user,
                "accepted_at": now,
            },
        )
        current.status = SuggestedAssignment.Status.ACCEPTED
        current.decided_by, current.decided_at = user, now
        current.save(update_fields=["status", "decided_by", "decided_at"])
        WorkItem.objects.filter(pk=current.item_id).update(updated_at=now)
        edited = chosen.pk != current.unit_id or role != current.role
        audit_record(
            actor=user,
            action=AuditEntry.Action.SUGGESTION,
            plan=current.item.plan,
            object_type="item",
            object_id=current.item_id,
            summary=(
                f"{'修改后采纳' if edited else '采纳'}分工建议 {current.item}:"
                f"{Assignment.Role(role).label} {chosen.name}(得分 {current.score:.2f})"
            ),
            before={"suggestion": _state(current, current.unit.name, current.role)},
            after={"assignment": {"unit": chosen.name, "role": role, "origin": Assignment.Origin.SUGGESTED}},
        )
    return assignment


def suggestion_reject(*, suggestion: SuggestedAssignment, user: Any) -> SuggestedAssignment:
    access.require(user, Capability.EDIT_DIVISION)
    with transaction.atomic():
        current = (
            SuggestedAssignment.objects.select_for_update().select_related("item__plan", "unit").get(pk=suggestion.pk)
        )
        _check_open(current)
        current.status = SuggestedAssignment.Status.REJECTED
        current.decided_by, current.decided_at = user, timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=user,
            action=AuditEntry.Action.SUGGESTION,
            plan=current.item.plan,
            object_type="item",
            object_id=current.item_id,
            summary=f"否决分工建议 {current.item}:{current.get_role_display()} {current.unit.name}",
            before={"suggestion": _state(current, current.unit.name, current.role)},
            after={"status": "rejected"},
        )
    return current


def suggestions_accept_above(
    *, plan: Plan, min_score: float, user: Any, max_rank: int | None = None
) -> list[Assignment]:
    """Accept every open proposal of ``plan`` scoring at least ``min_score`` (and ranked at most
    ``max_rank``). One audit entry per item; a unit already on the item in another role is skipped."""
    access.require(user, Capability.EDIT_DIVISION)
    now = timezone.now()
    with transaction.atomic():
        proposals = list(_open(plan, min_score, max_rank).select_for_update().select_related("unit", "item"))
        item_ids = {p.item_id for p in proposals}
        taken: dict[int, set[int]] = defaultdict(set)
        tops: dict[tuple[int, str], int] = {}
        for item_id, unit_id, role, order in Assignment.objects.filter(item_id__in=item_ids).values_list(
            "item_id", "unit_id", "role", "order"
        ):
            taken[item_id].add(unit_id)
            tops[(item_id, role)] = max(order, tops.get((item_id, role), -1))
        created: list[Assignment] = []
        accepted: list[SuggestedAssignment] = []
        per_item: dict[int, list[str]] = defaultdict(list)
        for proposal in sorted(proposals, key=lambda p: (p.item_id, p.role, p.rank)):
            if proposal.unit_id in taken[proposal.item_id]:
                continue
            taken[proposal.item_id].add(proposal.unit_id)
            order = tops.get((proposal.item_id, proposal.role), -1) + 1
            tops[(proposal.item_id, proposal.role)] = order
            created.append(
                Assignment(
                    item_id=proposal.item_id,
                    unit_id=proposal.unit_id,
                    role=proposal.role,
                    raw_name=proposal.unit.name,
                    order=order,
                    origin=Assignment.Origin.SUGGESTED,
                    accepted_by=user,
                    accepted_at=now,
                )
            )
            proposal.status = SuggestedAssignment.Status.ACCEPTED
            proposal.decided_by, proposal.decided_at = user, now
            accepted.append(proposal)
            per_item[proposal.item_id].append(
                f"{proposal.get_role_display()} {proposal.unit.name}({proposal.score:.2f})"
            )
        Assignment.objects.bulk_create(created, batch_size=500)
        SuggestedAssignment.objects.bulk_update(accepted, ["status", "decided_by", "decided_at"], batch_size=500)
        WorkItem.objects.filter(pk__in=per_item).update(updated_at=now)
        plans_changed(plan_ids=[plan.pk])  # bulk_create sent no signals
        items = {p.item_id: p.item for p in accepted}
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=user,
                    action=AuditEntry.Action.SUGGESTION,
                    plan=plan,
                    jurisdiction_id=plan.jurisdiction_id,
                    object_type="item",
                    object_id=item_id,
                    summary=f"批量采纳分工建议(得分≥{min_score:g}){items[item_id]}:{';'.join(parts)}"[:500],
                    after={"accepted": parts, "min_score": min_score},
                )
                for item_id, parts in per_item.items()
            ],
            batch_size=500,
        )
    return created


def _open(plan: Plan, min_score: float, max_rank: int | None) -> QuerySet[SuggestedAssignment]:
    rows = SuggestedAssignment.objects.filter(
        item__plan=plan, item__is_active=True, status=SuggestedAssignment.Status.PROPOSED, score__gte=min_score
    )
    return rows.filter(rank__lte=max_rank) if max_rank else rows


def suggestions_count_above(*, plan: Plan, min_score: float, max_rank: int | None = None) -> int:
    return _open(plan, min_score, max_rank).count()


def _state(suggestion: SuggestedAssignment, unit_name: str, role: str) -> dict[str, Any]:
    return {"id": suggestion.pk, "unit": unit_name, "role": role, "rank": suggestion.rank, "score": suggestion.score}
