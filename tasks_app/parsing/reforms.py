"""The institutional-reform table of fixtures/successions.json, as pure data (no Django).

A rule says: from a reform's local date, units whose name without the jurisdiction prefix (the *core*,
市卫计委 → 卫计委) is one of ``old`` are succeeded by ``new`` (the city spelling) or ``new_district``; several
``new`` names are a split. Dates: the jurisdiction's own date when the table knows it, else the default for
its level. The services layer turns rules into UnitSuccession rows; the division assistant asks which unit
names are no longer valid on a plan's date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "successions.json"
_PREFIXES = "省市区县旗"


class ReformTableError(ValueError):
    """The successions table is malformed."""


@dataclass(frozen=True)
class Rule:
    reform: str
    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]  # city spelling; several names = a split
    new_district: tuple[str, ...]
    aliases: tuple[str, ...]

    def successors(self, level: str) -> tuple[str, ...]:
        return self.new_district if level in ("district", "county") else self.new


def core_name(name: str, jurisdiction: str = "") -> str:
    """The name without its jurisdiction prefix: 市卫计委 → 卫计委, 营口市环保局 → 环保局, 区卫健局 → 卫健局
    (市场监督管理局 keeps its 市)."""
    name = (name or "").strip()
    if jurisdiction and name.startswith(jurisdiction) and len(name) > len(jurisdiction):
        return name[len(jurisdiction) :]
    if len(name) > 2 and name[0] in _PREFIXES and not name.startswith("市场"):
        return name[1:]
    return name


class ReformTable:
    def __init__(self, reforms: dict[str, dict[str, Any]], dates: dict[str, dict[str, str]], rules: list[Rule]):
        self.reforms = reforms
        self.dates = dates
        self.rules = rules
        self._by_old: dict[str, list[Rule]] = {}
        for rule in rules:
            for old in rule.old:
                self._by_old.setdefault(old, []).append(rule)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReformTable:
        reforms = {key: value for key, value in data.get("reforms", {}).items() if not key.startswith("_")}
        dates = {key: value for key, value in data.get("dates", {}).items() if not key.startswith("_")}
        rules: list[Rule] = []
        for position, entry in enumerate(data.get("successions", [])):
            if entry.get("reform") not in reforms or not entry.get("from") or not entry.get("to"):
                raise ReformTableError(f"successions[{position}]: reform, from and to are required")
            new = tuple(entry["to"]) if isinstance(entry["to"], list) else (entry["to"],)
            district = entry.get("to_district", list(new))
            district = tuple(district) if isinstance(district, list) else (district,)
            rules.append(
                Rule(
                    entry["reform"],
                    entry.get("kind", "rename"),
                    tuple(entry["from"]),
                    new,
                    district,
                    tuple(entry.get("aliases", ())),
                )
            )
        return cls(reforms, dates, rules)

    def reform_date(self, reform: str, *, jurisdiction: str, level: str) -> date:
        """When ``reform`` took effect in ``jurisdiction``: its own date, else its level's default."""
        known = self.dates.get(jurisdiction, {}).get(reform)
        text = known or self.reforms[reform].get(level) or self.reforms[reform]["city"]
        return date.fromisoformat(text)

    def rules_for(self, name: str) -> list[Rule]:
        """The rules that retire a unit of this name (core or full), in the order of the table."""
        core = core_name(name)
        return list(self._by_old.get(core, ())) or list(self._by_old.get(name, ()))

    def spellings_of(self, core: str, level: str) -> tuple[str, ...]:
        """A successor's name and the local variants the table lists for it (自然资源局, 自然资源和规划局…)."""
        found: list[str] = [core]
        for rule in self.rules:
            if core in rule.successors(level) or core in rule.new:
                found.extend(name for name in (*rule.successors(level), *rule.aliases) if name not in found)
        return tuple(found)

    def retired_on(self, name: str, *, jurisdiction: str, level: str) -> date | None:
        """The earliest date from which a unit of this name is succeeded in ``jurisdiction``, or None."""
        found = [self.reform_date(rule.reform, jurisdiction=jurisdiction, level=level) for rule in self.rules_for(name)]
        return min(found) if found else None

    def successor_names(self, name: str, *, jurisdiction: str, level: str, on: date) -> list[str]:
        """Cores of the units carrying ``name``'s duties on ``on`` (following later reforms), [] when the name
        is still valid then. A split gives several."""
        current = [core_name(name)]
        for _ in range(4):  # successions chain at most a few times (扶贫办 → 乡村振兴局 → 农业农村局)
            moved = False
            following: list[str] = []
            for core in current:
                rules = [
                    r
                    for r in self.rules_for(core)
                    if self.reform_date(r.reform, jurisdiction=jurisdiction, level=level) <= on
                ]
                if rules:
                    moved = True
                    following.extend(rules[0].successors(level))
                else:
                    following.append(core)
            current = list(dict.fromkeys(following))
            if not moved:
                break
        return [] if current == [core_name(name)] else current


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> ReformTable:
    with open(path, encoding="utf-8") as handle:
        return ReformTable.from_dict(json.load(handle))


def reform_table(path: str | Path = FIXTURE) -> ReformTable:
    """The shipped table, reloaded when the file changes."""
    path = Path(path)
    return _load(str(path), path.stat().st_mtime)
