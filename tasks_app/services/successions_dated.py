"""Importing by date: a document dated after a succession that names the old unit means its successor.

The registry resolves a raw name to its canonical unit as always; then, when the document's date (its
issue date, else 1 January of its first plan year) is on or after a recorded succession of that unit,
the item goes to the successor and the preview says so in a warning. A document dated before keeps the
old unit. The assignment keeps the raw name as written either way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tasks_app.models import Unit
from tasks_app.parsing.types import ROLES, ParsedDocument
from tasks_app.parsing.units import UnitRegistry
from tasks_app.selectors.successions import Successor, successors_on


def document_date(parsed: ParsedDocument) -> date:
    return parsed.issued or date(parsed.period_start or 1900, 1, 1)


def dated_successors(parsed: ParsedDocument) -> dict[str, Successor]:
    """Spelling of a unit succeeded by the document's date → its successor then (empty without a jurisdiction)."""
    if not parsed.jurisdiction:
        return {}
    return successors_on(jurisdiction=parsed.jurisdiction, on=document_date(parsed))


def _raw_names(parsed: ParsedDocument) -> list[str]:
    names = [raw for item in parsed.items for role in ROLES for raw in item.units.get(role, [])]
    if parsed.reporting and parsed.reporting.recipient:
        names.append(parsed.reporting.recipient)
    return list(dict.fromkeys(names))


def successor_choices(parsed: ParsedDocument, registry: UnitRegistry) -> dict[str, Unit]:
    """Raw name → the successor unit, for the names of units succeeded by the document's date."""
    successors = dated_successors(parsed)
    if not successors:
        return {}
    choices: dict[str, Unit] = {}
    for raw in _raw_names(parsed):
        resolution = registry.resolve(raw, parsed.jurisdiction)
        found = successors.get(resolution.name) or successors.get(raw)
        if found is not None and resolution.jurisdiction == parsed.jurisdiction:
            choices[raw] = found.unit
    return choices


def preview_with_successors(preview: dict[str, Any], successors: dict[str, Successor], *, on: date) -> dict[str, Any]:
    """The dry-run preview with succeeded names replaced by their successors, one warning per name."""
    renamed: dict[str, str] = {}
    units: dict[str, dict[str, Any]] = {}
    for entry in preview["units"]:
        found = successors.get(entry["name"])
        name = found.unit.name if found else entry["name"]
        if found:
            renamed[entry["name"]] = name
            chain = ",再".join(f"{s.effective_on.isoformat()} 起由{s.successor.name}承接" for s in found.via)
            preview["warnings"].append(
                f"文件日期 {on.isoformat()} 在机构改革之后:{entry['name']} {chain};已归入{name}(保留原文名称)"
            )
        merged = units.setdefault(name, {"name": name, "aliases_seen": [], "known": bool(found) or entry["known"]})
        merged["aliases_seen"] += [raw for raw in entry["aliases_seen"] if raw not in merged["aliases_seen"]]
    if not renamed:
        return preview
    preview["units"] = list(units.values())
    for item in (*preview["indicators"], *preview["tasks"]):
        for role in ("lead", "cooperating", "responsible"):
            item[role] = list(dict.fromkeys(renamed.get(name, name) for name in item[role]))
        # 工商局 cooperating on 食药监局's item: both are 市场监督管理局 now, which leads
        item["cooperating"] = [name for name in item["cooperating"] if name not in item["lead"]]
    if preview.get("reporting") and preview["reporting"].get("recipient") in renamed:
        preview["reporting"]["recipient"] = renamed[preview["reporting"]["recipient"]]
    return preview
