"""A unit named by a person (a query parameter, a typed name, a contacts sheet): by id, canonical name or alias.

One rule, in the two forms callers need: a name matches a unit when the name as typed or its normalized
spelling (``parsing.units.normalize_unit_name``: whitespace, full-width parentheses, edge punctuation) is
the unit's canonical name or one of its aliases. ``units_named`` is the SQL form, ``UnitNames`` the form for
many lookups against units loaded once. The importer resolves raw document names through the unit registry
first (``importing._UnitResolver``) and ends in the same name/alias match.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from tasks_app.models import Unit, UnitAlias
from tasks_app.parsing.units import normalize_unit_name


def spellings(raw: str) -> list[str]:
    """The spellings a typed name is looked up by: as typed (trimmed), then normalized."""
    typed = (raw or "").strip()
    return [name for name in dict.fromkeys((typed, normalize_unit_name(typed))) if name]


def units_named(value: str, *, within: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    """Units ``value`` names: an id, or a canonical name or alias (see ``spellings``)."""
    units = within if within is not None else Unit.objects.all()
    value = (value or "").strip()
    if value.isdigit():
        return units.filter(pk=int(value))
    names = spellings(value)
    if not names:
        return units.none()
    return units.filter(Q(name__in=names) | Q(pk__in=UnitAlias.objects.filter(name__in=names).values("unit_id")))


class UnitNames:
    """Name → Unit among ``units``, loaded once (two queries), for callers that look up many names."""

    def __init__(self, units: Iterable[Unit]) -> None:
        by_pk = {unit.pk: unit for unit in units}
        self.by_name: dict[str, Unit] = {
            alias.name: by_pk[alias.unit_id] for alias in UnitAlias.objects.filter(unit_id__in=list(by_pk))
        }
        self.by_name.update({unit.name: unit for unit in by_pk.values()})  # a canonical name beats an alias

    def find(self, raw: str) -> Unit | None:
        for name in spellings(raw):
            if name in self.by_name:
                return self.by_name[name]
        return None


def unit_display(name: str, *, written: str = "", succeeded: bool = False) -> str:
    """How a reader sees a unit on an item: its name, and for a successor through institutional reform
    the name the document wrote, "市卫生健康委(原市卫计委)". ``written`` is the row's raw name (a successor's
    row keeps its predecessor's), ``succeeded`` whether the row took the item over (Assignment.succeeds)."""
    written = (written or "").strip()
    if succeeded and written and written != name:
        return f"{name}(原{written})"
    return name
