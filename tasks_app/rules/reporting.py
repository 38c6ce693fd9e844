"""Who reports on an item (BRIEF §4): its lead units; where it has none, its responsible units.

The rule in both the forms callers need, side by side so they cannot drift apart:
- ``reporting_units(rows)`` on assignments already loaded (``(unit_id, role)`` pairs, or Assignment rows);
- ``reporting_condition(model)`` as SQL, behind ``Assignment.objects.reporting()``.
Everyone else named on the item (cooperating units, and responsible units beside a lead) contributes.
A closed item (销号, ``WorkItem.closed_at``) asks for no reports: ``OPEN_ITEM`` / ``item_open`` are that rule, and
``reporting_condition`` includes it, so to-do counts, the review queue, the dashboard, reminders and exports
all stop asking for a closed item's reports without repeating the rule.
Only the rows that answer for the item today count: a row whose unit handed the item to a successor through
institutional reform (``handed_over_on`` set, see models.successions) is history, its successor's row counts.
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


# A row: (unit_id, role), (unit_id, role, handed_over_on) or an Assignment; handed-over rows are history.
Row = tuple[int, str] | tuple[int, str, Any] | _Assigned

CURRENT = Q(handed_over_on__isnull=True)  # SQL: the rows that answer for their item (not handed over)
OPEN_ITEM = Q(item__closed_at__isnull=True)  # SQL: the rows of an item that still asks for reports (not 销号)


ITEM_CLOSED = Q(closed_at__isnull=False)  # SQL on items: closed (销号), asking for no reports


def item_open(item: Any) -> bool:
    """The item still asks for reports: it is not closed (销号)."""
    return getattr(item, "closed_at", None) is None


def _pairs(rows: Iterable[Row]) -> list[tuple[int, str]]:
    pairs: list[tuple[int, str]] = []
    for row in rows:
        if isinstance(row, tuple):
            if len(row) > 2 and row[2] is not None:
                continue
            pairs.append((row[0], row[1]))
        elif getattr(row, "handed_over_on", None) is None:
            pairs.append((row.unit_id, row.role))
    return pairs


def reporting_units(rows: Iterable[Row]) -> list[int]:
    """Unit ids that report, in the rows' order, each once."""
    pairs = _pairs(rows)
    leads = [unit for unit, role in pairs if role == LEAD]
    return list(dict.fromkeys(leads or [unit for unit, role in pairs if role == RESPONSIBLE]))


def contributing_units(rows: Iterable[Row]) -> list[int]:
    """Unit ids named on the item that do not report (they write a 配合情况), each once."""
    pairs = _pairs(rows)
    reporting = set(reporting_units(pairs))
    return list(dict.fromkeys(unit for unit, role in pairs if role != LEAD and unit not in reporting))


def reporting_role(rows: Iterable[Row]) -> str:
    """The role whose units report on the item: LEAD when it has a lead, else RESPONSIBLE."""
    return LEAD if any(role == LEAD for _, role in _pairs(rows)) else RESPONSIBLE


def reporting_condition(model: type[Model], item: Any = None, *, closed: bool = False) -> Q:
    """SQL form of ``reporting_units`` for a queryset of ``model`` (Assignment): the row is a lead, or a
    responsible unit on an item without a lead, and not handed over, on an open item (``closed=True``: closed
    items too). ``item`` (an OuterRef) ties the rows to an outer item."""
    has_lead = model._default_manager.filter(CURRENT, item=OuterRef("item"), role=LEAD)
    condition = CURRENT & (Q(role=LEAD) | (Q(role=RESPONSIBLE) & Q(~Exists(has_lead))))
    if not closed:
        condition &= OPEN_ITEM
    return condition & Q(item=item) if item is not None else condition
