"""Reads for the console's 单位沿革 page: recorded successions and split assignments still waiting."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet

from tasks_app import access
from tasks_app.models import Assignment, Unit, UnitAlias, UnitSuccession


def successions(user: Any) -> QuerySet[UnitSuccession]:
    """Successions whose predecessor is among the user's units (access.visible_units)."""
    return (
        UnitSuccession.objects.filter(predecessor__in=access.visible_units(user))
        .select_related("predecessor", "successor", "predecessor__jurisdiction")
        .order_by("-effective_on", "predecessor__name", "successor__name")
    )


@dataclass
class Unresolved:
    assignment: Assignment
    successors: list[Unit]


def unresolved(user: Any, *, limit: int = 200) -> list[Unresolved]:
    """Current assignments of a split unit (several successors, date reached) on the user's items: the
    office picks the successor per item. Three queries whatever the number of rows."""
    split = (
        UnitSuccession.objects.filter(predecessor__in=access.visible_units(user), applied_on__isnull=False)
        .values("predecessor_id")
        .annotate(n=Count("successor_id", distinct=True))
        .filter(n__gt=1)
        .values_list("predecessor_id", flat=True)
    )
    rows = list(
        Assignment.objects.current()
        .filter(unit_id__in=split, item__in=access.visible_items(user), item__is_active=True)
        .select_related("unit", "item", "item__plan")
        .order_by("item__plan_id", "item__order", "id")[:limit]
    )
    successors: dict[int, list[Unit]] = defaultdict(list)
    for row in UnitSuccession.objects.filter(predecessor_id__in={r.unit_id for r in rows}).select_related("successor"):
        successors[row.predecessor_id].append(row.successor)
    return [Unresolved(row, successors[row.unit_id]) for row in rows]


@dataclass(frozen=True)
class Successor:
    unit: Unit  # the unit that carries the duties on the date asked about
    via: list[UnitSuccession]  # the chain from the named unit, oldest first


def successors_on(*, jurisdiction: str, on: date) -> dict[str, Successor]:
    """Every spelling (canonical name and alias) of a unit of ``jurisdiction`` that had been succeeded by
    ``on`` → its successor then, following later successions too (扶贫办 → 乡村振兴局 → 农业农村局). A split
    is not followed (the office picks per item); three queries."""
    rows = list(
        UnitSuccession.objects.filter(predecessor__jurisdiction__name=jurisdiction, effective_on__lte=on)
        .select_related("predecessor", "successor")
        .order_by("effective_on", "id")
    )
    by_predecessor: dict[int, list[UnitSuccession]] = defaultdict(list)
    for row in rows:
        by_predecessor[row.predecessor_id].append(row)
    single = {pk: found[0] for pk, found in by_predecessor.items() if len(found) == 1}
    result: dict[str, Successor] = {}
    spellings: dict[int, list[str]] = defaultdict(list)
    for unit_id, alias in UnitAlias.objects.filter(unit_id__in=list(single)).values_list("unit_id", "name"):
        spellings[unit_id].append(alias)
    for pk, first in single.items():
        chain = [first]
        while chain[-1].successor_id in single and len(chain) < 5 and single[chain[-1].successor_id] not in chain:
            chain.append(single[chain[-1].successor_id])
        for name in (first.predecessor.name, *spellings[pk]):
            result[name] = Successor(chain[-1].successor, chain)
    return result
