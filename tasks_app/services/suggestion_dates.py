"""Unit names valid on a plan's date, for the division assistant.

A 2021 plan must not be offered 市卫计委 (succeeded by 市卫生健康委 in 2019), and a 2016 notice must not be
offered 市卫生健康委 (it did not exist yet). Two sources, the office's first: the successions recorded in
the registry (UnitSuccession, ``selectors.successions.successors_on``), then the shipped reform table
(fixtures/successions.json, ``parsing.reforms``) for units the registry has not recorded. A retired name
is replaced by its successor (a split: the first successor), a name not yet valid by its predecessor, so
what the old unit learnt counts for the unit that carries its duties on the plan's date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tasks_app.models import Jurisdiction, Plan, Unit, UnitSuccession
from tasks_app.parsing.reforms import ReformTable, core_name, reform_table
from tasks_app.selectors.successions import Successor, successors_on
from tasks_app.suggesting.concepts import level_prefix


def plan_date(plan: Plan) -> date:
    """The date a plan's division speaks for: its document's issue date, else 1 January of its first year."""
    issued = plan.source.issued if plan.source_id else None
    return issued or date(plan.period_start, 1, 1)


@dataclass
class ValidNames:
    jurisdiction: Jurisdiction
    on: date
    table: ReformTable = field(default_factory=reform_table)
    recorded: dict[str, Successor] = field(default_factory=dict)  # spelling → successor by ``on``
    not_yet: dict[str, str] = field(default_factory=dict)  # successor recorded after ``on`` → its predecessor
    existing: set[str] = field(default_factory=set)  # cores of the jurisdiction's units

    @classmethod
    def load(cls, *, jurisdiction: Jurisdiction, on: date) -> ValidNames:
        later = UnitSuccession.objects.filter(successor__jurisdiction=jurisdiction, effective_on__gt=on)
        not_yet: dict[str, str] = {}
        for successor, predecessor in later.order_by("id").values_list("successor__name", "predecessor__name"):
            not_yet.setdefault(successor, predecessor)
        existing = {
            core_name(name, jurisdiction.name)
            for name in Unit.objects.filter(jurisdiction=jurisdiction).values_list("name", flat=True)
        }
        recorded = successors_on(jurisdiction=jurisdiction.name, on=on)
        return cls(jurisdiction, on, recorded=recorded, not_yet=not_yet, existing=existing)

    @property
    def _level(self) -> str:
        return "district" if self.jurisdiction.level in ("district", "county") else self.jurisdiction.level

    def _date(self, reform: str) -> date:
        return self.table.reform_date(reform, jurisdiction=self.jurisdiction.name, level=self._level)

    def _table_new_after(self, core: str) -> str | None:
        """The first predecessor core of a name that the earliest reform creating it created after ``on``
        (a 2016 notice: 自然资源局 → 国土资源局); None when the name already existed then."""
        creating = [rule for rule in self.table.rules if core in rule.successors(self._level)]
        if not creating:
            return None
        first = min(creating, key=lambda rule: (self._date(rule.reform), rule.kind == "split"))
        if self._date(first.reform) <= self.on:
            return None
        return next((old for old in first.old if old in self.existing), first.old[0])

    def current(self, name: str) -> str:
        """The name of the unit carrying ``name``'s duties on the date (``name`` itself when valid)."""
        if name in self.recorded:
            return self.recorded[name].unit.name
        if name in self.not_yet:
            return self.not_yet[name]
        prefix = level_prefix(level=self.jurisdiction.level)
        core = core_name(name, self.jurisdiction.name)
        following = self.table.successor_names(core, jurisdiction=self.jurisdiction.name, level=self._level, on=self.on)
        if following:
            spellings = self.table.spellings_of(following[0], self._level)
            return prefix + next((spelled for spelled in spellings if spelled in self.existing), following[0])
        earlier = self._table_new_after(core)
        if earlier is not None and name.startswith(prefix):
            return prefix + earlier
        return name

    def invalid(self, name: str) -> bool:
        """Whether ``name`` names a unit not valid on the date (succeeded before it, or created after it)."""
        return self.current(name) != name
