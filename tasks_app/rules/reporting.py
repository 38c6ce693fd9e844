"""Who reports on an item (BRIEF §4): its lead units; where it has none, its responsible units.

The rule in both the forms callers need, side by side so they cannot drift apart:
- ``reporting_units(rows)`` on assignments already loaded (``(unit_id, role)`` pairs, or Assignment rows);
- ``reporting_condition(model)`` as SQL, behind ``Assignment.objects.reporting()``.
Everyone else named on the item (cooperating units, and responsible units beside a lead) contributes.
This module imports no model (models/plans.py uses it), only the role values it stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.db.models import Exists, Model, OuterRef, Q

LEAD, COOPERATING, RESPONSIBLE = "lead", "cooperating", "responsible"


class _Assigned(Protocol):
    unit_id: int
    role: str


def _pairs(rows: Iterable[tuple[int, str] | _Assigned]) -> list[tuple[int, str]]:
    return [row if isinstance(row, tuple) else (row.unit_id, row.role) for row in rows]


def reporting_units(rows: Iterable[tuple[int, str] | _Assigned]) -> list[int]:
    """Unit ids that report, in the rows' order, each once."""
    pairs = _pairs(rows)
    leads = [unit for unit, role in pairs if role == LEAD]
    return list(dict.fromkeys(leads or [unit for unit, role in pairs if role == RESPONSIBLE]))


def contributing_units(rows: Iterable[tuple[int, str] | _Assigned]) -> list[int]:
    """Unit ids named on the item that do not report (they write a 配合情况), each once."""
    pairs = _pairs(rows)
    reporting = set(reporting_units(pairs))
    return list(dict.fromkeys(unit for unit, role in pairs if role != LEAD and unit not in reporting))


def reporting_role(rows: Iterable[tuple[int, str] | _Assigned]) -> str:
    """The role whose units report on the item: LEAD when it has a lead, else RESPONSIBLE."""
    return LEAD if any(role == LEAD for _, role in _pairs(rows)) else RESPONSIBLE


def reporting_condition(model: type[Model], item: Any = None) -> Q:
    """SQL form of ``reporting_units`` for a queryset of ``model`` (Assignment): the row is a lead, or a
    responsible unit on an item without a lead. ``item`` (an OuterRef) ties the rows to an outer item."""
    has_lead = model._default_manager.filter(item=OuterRef("item"), role=LEAD)
    condition = Q(role=LEAD) | (Q(role=RESPONSIBLE) & Q(~Exists(has_lead)))
    return condition & Q(item=item) if item is not None else condition
