"""The dry-run preview of BRIEF §5: a ParsedDocument with unit names resolved to canonical names."""

from __future__ import annotations

from typing import Any

from .types import BINDING, EXPECTED, INDICATOR_KINDS, ROLES, ParsedDocument, ParsedItem
from .units import UnitRegistry, clean_unit_name


def build_preview(doc: ParsedDocument, registry: UnitRegistry) -> dict[str, Any]:
    seen: dict[str, dict[str, Any]] = {}

    def canonical(raw: str) -> str:
        resolution = registry.resolve(raw, doc.jurisdiction)
        # A unit the registry does not know keeps the document's own spelling as its name.
        name = resolution.name if resolution.known or resolution.rule == "common" else clean_unit_name(raw)
        entry = seen.setdefault(resolution.name, {"name": name, "aliases_seen": [], "known": resolution.known})
        if raw not in entry["aliases_seen"]:
            entry["aliases_seen"].append(raw)
        return entry["name"]

    sections = {section.key: section for section in doc.sections}

    def section_label(key: str | None) -> str | None:
        section = sections.get(key) if key else None
        return f"{section.number} {section.title}".strip() if section else None

    def item_json(item: ParsedItem) -> dict[str, Any]:
        roles = {role: _unique(canonical(raw) for raw in item.units.get(role, [])) for role in ROLES}
        return {
            "number": item.number,
            "section": section_label(item.section),
            "title": item.title,
            "text": item.text,
            "category": item.kind if item.kind in (BINDING, EXPECTED) else None,
            "lead": roles["lead"],
            "cooperating": roles["cooperating"],
            "responsible": roles["responsible"],
            "and_others": item.and_others,
            "deadline": item.deadline.isoformat() if item.deadline else None,
            "deadline_text": item.deadline_text,
            "milestones": [{"date": m.date.isoformat(), "text": m.text} for m in item.milestones],
            "source_lines": list(item.source_lines),
        }

    indicators = [item_json(item) for item in doc.items if item.kind in INDICATOR_KINDS]
    tasks = [item_json(item) for item in doc.items if item.kind not in INDICATOR_KINDS]
    reporting = None
    if doc.reporting:
        recipient = canonical(doc.reporting.recipient) if doc.reporting.recipient else None
        reporting = {
            "frequency": doc.reporting.frequency,
            "month": doc.reporting.month,
            "day": doc.reporting.day,
            "recipient": recipient,
            "text": doc.reporting.text,
        }
    return {
        "format": doc.format,
        "title": doc.title,
        "kind": doc.kind,
        "jurisdiction": doc.jurisdiction,
        "period": {"start": doc.period_start, "end": doc.period_end},
        "reporting": reporting,
        "indicators": indicators,
        "tasks": tasks,
        "units": list(seen.values()),
        "warnings": list(doc.warnings),
    }


def _unique(names) -> list[str]:
    out: list[str] = []
    for name in names:
        if name not in out:
            out.append(name)
    return out
