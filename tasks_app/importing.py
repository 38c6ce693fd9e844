"""Parsed documents become records, in one transaction.

Re-importing the same text changes nothing. A changed version updates the plan in place: items are
matched by content fingerprint, then by position (section, kind, number), so the ids that reports hang on
survive; items that disappeared are kept but marked inactive.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tasks_app.models import (
    Assignment,
    Evaluation,
    IndicatorDetail,
    Jurisdiction,
    Milestone,
    Plan,
    ReportingCycle,
    Section,
    SourceDocument,
    Unit,
    UnitAlias,
    WorkItem,
)
from tasks_app.parsing.reporting import rule_as_json
from tasks_app.parsing.types import INDICATOR_KINDS, ROLES, YEARLY, ParsedDocument, ParsedItem
from tasks_app.parsing.units import UnitRegistry, clean_unit_name, unit_key
from tasks_app.rules.cycles import period_due_for
from tasks_app.rules.periods import DAYS_BEFORE_BY_CADENCE, periods_of
from tasks_app.snapshots import plans_changed


@lru_cache(maxsize=4)
def _registry_at(path: str, mtime: float) -> UnitRegistry:
    return UnitRegistry.load(Path(path))


def unit_registry() -> UnitRegistry:
    path = Path(settings.UNIT_REGISTRY_PATH)
    return _registry_at(str(path), path.stat().st_mtime)


@dataclass
class ImportResult:
    plan: Plan
    created: bool  # a new plan or a new version of one was written
    counts: dict[str, int] = field(default_factory=dict)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_import(
    *,
    parsed: ParsedDocument,
    file_name: str,
    text: str,
    today: date | None = None,
    unit_choices: Mapping[str, Unit] | None = None,  # raw name → the existing unit the office chose for it
) -> ImportResult:
    registry = unit_registry()
    sha = text_sha256(text)
    with transaction.atomic():
        existing = SourceDocument.objects.filter(sha256=sha).first()
        if existing is not None:
            plan = existing.plans.order_by("id").first()
            if plan is not None:
                return ImportResult(plan=plan, created=False, counts=plan_counts(plan))
        jurisdiction = _jurisdiction(parsed.jurisdiction, parsed.parent_jurisdiction, registry)
        resolver = _UnitResolver(registry, jurisdiction, unit_choices)
        source = existing or SourceDocument.objects.create(
            file_name=file_name,
            title=parsed.title,
            doc_number=parsed.doc_number,
            issuer=parsed.issuer,
            issued=parsed.issued,
            sha256=sha,
            layout=parsed.layout,
            text=text,
        )
        plan = _upsert_plan(parsed, source, jurisdiction, resolver)
        sections = _sync_sections(plan, parsed)
        _sync_items(plan, parsed, sections, resolver)
        _sync_evaluations(plan, parsed)
        periods_ensure(plan, today=today or timezone.localdate())
        plans_changed(plan_ids=[plan.pk])  # the bulk writes above send no model signals
        return ImportResult(plan=plan, created=True, counts=plan_counts(plan))


def plan_counts(plan: Plan) -> dict[str, int]:
    items = plan.items.filter(is_active=True)
    return {
        "indicators": items.filter(kind__in=INDICATOR_KINDS).count(),
        "tasks": items.exclude(kind__in=INDICATOR_KINDS).count(),
        "assignments": Assignment.objects.filter(item__plan=plan, item__is_active=True).count(),
    }


def _jurisdiction(name: str, parent_name: str | None, registry: UnitRegistry) -> Jurisdiction:
    def ensure(jname: str, fallback_parent: str | None = None) -> Jurisdiction:
        entry = registry.jurisdiction(jname)
        parent_of = (entry.parent if entry else None) or fallback_parent
        parent = ensure(parent_of) if parent_of and parent_of != jname else None
        level = entry.level if entry else ("district" if jname.endswith(("区", "县")) else "city")
        obj, _ = Jurisdiction.objects.get_or_create(name=jname, defaults={"level": level, "parent": parent})
        return obj

    return ensure(name, parent_name)


class _UnitResolver:
    """Raw name → Unit, creating registry units on first use and unknown names as units to review."""

    def __init__(
        self, registry: UnitRegistry, jurisdiction: Jurisdiction, chosen: Mapping[str, Unit] | None = None
    ) -> None:
        self.registry = registry
        self.jurisdiction = jurisdiction
        self._cache: dict[tuple[str, str], Unit] = {}
        self._raw_cache: dict[str, Unit] = dict(chosen or {})
        self._by_name: dict[int, dict[str, Unit]] = {}
        self._aliases: dict[tuple[int, str], Unit] = {}

    def resolve(self, raw: str) -> Unit:
        if raw in self._raw_cache:
            return self._raw_cache[raw]
        res = self.registry.resolve(raw, self.jurisdiction.name)
        key = (res.jurisdiction, res.name)
        unit = self._cache.get(key)
        if unit is None:
            jurisdiction = (
                self.jurisdiction
                if res.jurisdiction == self.jurisdiction.name
                else _jurisdiction(res.jurisdiction, None, self.registry)
            )
            known = self._known(jurisdiction)
            unit = known.get(res.name) or known.get(unit_key(res.name))
            if unit is None:
                # A unit the registry does not know keeps the document's spelling: "各县(市、区)人民政府".
                name = res.name if res.known or res.rule == "common" else clean_unit_name(raw)[:120]
                unit = _create_unit(jurisdiction, name, res.kind, known=res.known, registry=self.registry)
                known[unit.name] = known[unit_key(unit.name)] = unit
                self._cache[key] = unit
                members = self.registry.members(res.name, jurisdiction.name) if res.known else []
                unit.members.set([self.resolve(member) for member in members if member != res.name])
            self._cache[key] = unit
        if raw != unit.name and len(raw) <= 160:
            self._aliases[(unit.jurisdiction_id, raw)] = unit
        self._raw_cache[raw] = unit
        return unit

    def _known(self, jurisdiction: Jurisdiction) -> dict[str, Unit]:
        """Every unit of a jurisdiction by canonical name and alias, loaded once per import."""
        if jurisdiction.id not in self._by_name:
            units = {u.id: u for u in Unit.objects.filter(jurisdiction=jurisdiction).select_related("jurisdiction")}
            names = {alias.name: units[alias.unit_id] for alias in UnitAlias.objects.filter(unit__in=units)}
            names.update({u.name: u for u in units.values()})
            # Spellings that differ only in parentheses or spacing name the same unit.
            names.update({unit_key(name): unit for name, unit in list(names.items())})
            self._by_name[jurisdiction.id] = names
        return self._by_name[jurisdiction.id]

    def flush_aliases(self) -> None:
        """Record every spelling seen, so the office can see which raw names mapped to a unit."""
        UnitAlias.objects.bulk_create(
            [UnitAlias(unit=unit, jurisdiction_id=jid, name=raw) for (jid, raw), unit in self._aliases.items()],
            ignore_conflicts=True,
        )
        self._aliases.clear()


def _create_unit(jurisdiction: Jurisdiction, name: str, kind: str, *, known: bool, registry: UnitRegistry) -> Unit:
    unit = Unit.objects.create(jurisdiction=jurisdiction, name=name, kind=kind, needs_review=not known)
    entry = next((u for u in registry.units_for(jurisdiction.name) if u["name"] == name), None) if known else None
    if entry:
        UnitAlias.objects.bulk_create(
            [UnitAlias(unit=unit, jurisdiction=jurisdiction, name=alias) for alias in entry.get("aliases", [])],
            ignore_conflicts=True,
        )
    return unit


def _upsert_plan(parsed: ParsedDocument, source: SourceDocument, jurisdiction: Jurisdiction, resolver) -> Plan:
    plan = Plan.objects.filter(jurisdiction=jurisdiction, title=parsed.title).first() or Plan(
        jurisdiction=jurisdiction, title=parsed.title
    )
    plan.kind = parsed.kind
    plan.period_start = parsed.period_start
    plan.period_end = parsed.period_end
    plan.source = source
    rule = parsed.reporting
    if rule is not None:
        # month/day are the yearly report's day; the frequency decides the periods (periods_ensure)
        plan.reporting_month, plan.reporting_day = rule.month, rule.day
        plan.reporting_previous_year = rule.previous_year or (rule.month or 12) <= 6
        plan.reporting_text = rule.text
        plan.reporting_recipient = resolver.resolve(rule.recipient) if rule.recipient else None
        if plan.reporting_frequency != rule.frequency and list(plan.reminder_days_before) == DAYS_BEFORE_BY_CADENCE.get(
            plan.reporting_frequency
        ):
            plan.reminder_days_before = DAYS_BEFORE_BY_CADENCE[rule.frequency]  # steps that fit the cadence
        plan.reporting_frequency = rule.frequency
        plan.reporting_rule = rule_as_json(rule)
    plan.save()
    resolver.flush_aliases()
    return plan


def _sync_sections(plan: Plan, parsed: ParsedDocument) -> dict[str, Section]:
    existing = {s.key: s for s in plan.sections.all()}
    keep: dict[str, Section] = {}
    for order, parsed_section in enumerate(parsed.sections):
        section = existing.get(parsed_section.key) or Section(plan=plan, key=parsed_section.key)
        section.level = parsed_section.level
        section.number = parsed_section.number[:30]
        section.title = parsed_section.title[:300]
        section.order = order
        section.line_start, section.line_end = parsed_section.source_lines
        keep[parsed_section.key] = section
    plan.sections.exclude(key__in=keep.keys()).delete()
    fields = ["level", "number", "title", "order", "line_start", "line_end"]
    Section.objects.bulk_update([s for s in keep.values() if s.pk], fields, batch_size=500)
    Section.objects.bulk_create([s for s in keep.values() if not s.pk], batch_size=500)
    # Parents are linked once every section has an id.
    for parsed_section in parsed.sections:
        keep[parsed_section.key].parent = keep.get(parsed_section.parent) if parsed_section.parent else None
    Section.objects.bulk_update(list(keep.values()), ["parent"], batch_size=500)
    return keep


def item_fingerprint(item: ParsedItem) -> str:
    return hashlib.sha256(f"{item.kind}\n{item.text}".encode()).hexdigest()


def _sync_items(plan: Plan, parsed: ParsedDocument, sections: dict[str, Section], resolver) -> None:
    existing = list(plan.items.select_related("section"))
    by_fingerprint: dict[str, list[WorkItem]] = defaultdict(list)
    by_position: dict[tuple, WorkItem] = {}
    for item in existing:
        by_fingerprint[item.fingerprint].append(item)
        by_position[(item.section.key if item.section else None, item.kind, item.number)] = item
    imported_units = _imported_units(plan)
    used: set[int] = set()
    to_create: list[tuple[WorkItem, ParsedItem]] = []
    to_update: list[WorkItem] = []
    rewrite: list[tuple[WorkItem, ParsedItem]] = []
    for order, parsed_item in enumerate(parsed.items):
        fingerprint = item_fingerprint(parsed_item)
        match = next((c for c in by_fingerprint.get(fingerprint, []) if c.id not in used), None)
        if match is None:
            candidate = by_position.get((parsed_item.section, parsed_item.kind, parsed_item.number))
            match = candidate if candidate is not None and candidate.id not in used else None
        # The same text with other units (a new version that only moves an item to another lead) is a change too.
        unchanged = (
            match is not None
            and match.fingerprint == fingerprint
            and match.is_active
            and imported_units.get(match.id, frozenset()) == _parsed_units(parsed_item)
        )
        item = match or WorkItem(plan=plan)
        _fill_item(item, parsed_item, sections, order=order, fingerprint=fingerprint)
        if match is None:
            to_create.append((item, parsed_item))
        else:
            used.add(match.id)
            to_update.append(item)
            if not unchanged:
                rewrite.append((item, parsed_item))
    WorkItem.objects.bulk_create([item for item, _ in to_create], batch_size=500)
    WorkItem.objects.bulk_update(to_update, _ITEM_FIELDS, batch_size=500)
    plan.items.exclude(id__in=used | {item.id for item, _ in to_create}).update(is_active=False)
    rewrite_ids = [item.id for item, _ in rewrite]
    # Only what the previous version of the document said is replaced; the office's own edits and accepted
    # suggestions (origin manual/suggested) survive a re-import.
    Assignment.objects.filter(item_id__in=rewrite_ids, origin=Assignment.Origin.IMPORTED).delete()
    Milestone.objects.filter(item_id__in=rewrite_ids).delete()
    IndicatorDetail.objects.filter(item_id__in=rewrite_ids).delete()
    _write_children(to_create + rewrite, resolver)
    resolver.flush_aliases()


def _imported_units(plan: Plan) -> dict[int, frozenset[tuple[str, str]]]:
    """(role, raw name) of every assignment the previous import wrote, per item."""
    rows: dict[int, set[tuple[str, str]]] = defaultdict(set)
    imported = Assignment.objects.filter(item__plan=plan, origin=Assignment.Origin.IMPORTED)
    for item_id, role, raw_name in imported.values_list("item_id", "role", "raw_name"):
        rows[item_id].add((role, raw_name))
    return {item_id: frozenset(pairs) for item_id, pairs in rows.items()}


def _parsed_units(parsed_item: ParsedItem) -> frozenset[tuple[str, str]]:
    return frozenset((role, raw[:160]) for role in ROLES for raw in parsed_item.units.get(role, []))


_ITEM_FIELDS = [
    "section", "kind", "number", "title", "text", "deadline", "deadline_text", "deadline_defaulted",
    "and_others", "line_start", "line_end", "order", "fingerprint", "is_active",
]  # fmt: skip


def _fill_item(item: WorkItem, parsed_item: ParsedItem, sections, *, order: int, fingerprint: str) -> None:
    item.section = sections.get(parsed_item.section) if parsed_item.section else None
    item.kind = parsed_item.kind
    item.number = parsed_item.number[:30]
    item.title = parsed_item.title[:300]
    item.text = parsed_item.text
    item.deadline = parsed_item.deadline
    item.deadline_text = (parsed_item.deadline_text or "")[:200]
    item.deadline_defaulted = parsed_item.deadline_defaulted
    item.and_others = parsed_item.and_others
    item.line_start, item.line_end = parsed_item.source_lines
    item.order = order
    item.fingerprint = fingerprint
    item.is_active = True


def _write_children(pairs: list[tuple[WorkItem, ParsedItem]], resolver) -> None:
    assignments: list[Assignment] = []
    milestones: list[Milestone] = []
    details: list[IndicatorDetail] = []
    for item, parsed_item in pairs:
        seen: set[tuple[int, str]] = set()
        for role in ROLES:
            raw_names = parsed_item.units.get(role, [])
            others = _role_has_others(parsed_item, role)
            for order, raw in enumerate(raw_names):
                unit = resolver.resolve(raw)
                if (unit.id, role) in seen:
                    continue
                seen.add((unit.id, role))
                assignments.append(
                    Assignment(
                        item=item,
                        unit=unit,
                        role=role,
                        raw_name=raw[:160],
                        and_others=others and order == len(raw_names) - 1,
                        order=order,
                    )
                )
        milestones.extend(Milestone(item=item, date=m.date, text=m.text[:200]) for m in parsed_item.milestones)
        detail = parsed_item.indicator
        if detail is not None:
            details.append(
                IndicatorDetail(
                    item=item,
                    domain=detail.domain[:100],
                    unit_of_measure=detail.unit_of_measure[:50],
                    baseline_text=detail.baseline_text[:100],
                    baseline_year=detail.baseline_year,
                    baseline_value=detail.baseline_value,
                    target_text=detail.target_text[:300],
                    target_year=detail.target_year,
                    target_value=detail.target_value,
                    growth_text=detail.growth_text[:100],
                    cumulative=detail.cumulative,
                    pending=detail.pending,
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=500, ignore_conflicts=True)
    Milestone.objects.bulk_create(milestones, batch_size=500)
    IndicatorDetail.objects.bulk_create(details, batch_size=500)


def _role_has_others(parsed_item: ParsedItem, role: str) -> bool:
    from tasks_app.parsing.units import split_units

    return any(split_units(raw)[1] for raw in parsed_item.unit_text.get(role, []))


def _sync_evaluations(plan: Plan, parsed: ParsedDocument) -> None:
    plan.evaluations.all().delete()
    Evaluation.objects.bulk_create(
        [
            Evaluation(
                plan=plan,
                name=row.name[:200],
                category=row.category or "",
                domain=row.domain[:100],
                unit_of_measure=row.unit_of_measure[:50],
                baseline_text=row.baseline_text[:100],
                target_text=row.target_text[:200],
                actual_text=row.actual_text[:200],
                status=row.status,
                order=order,
                line_start=row.source_lines[0],
                line_end=row.source_lines[1],
            )
            for order, row in enumerate(parsed.evaluations)
        ]
    )


def periods_ensure(plan: Plan, *, today: date) -> int:
    """One cycle per period of the plan's cadence in its years (BRIEF §4); returns how many were created.
    Importing history never sends mail: periods already past their due date arrive closed. A draft cycle
    follows a changed rule's due date; open and closed ones keep theirs (the office may have moved it)."""
    created_count = 0
    for period in periods_of(plan.reporting_frequency or YEARLY, range(plan.period_start, plan.period_end + 1)):
        due = period_due_for(plan, period)
        cycle, created = ReportingCycle.objects.get_or_create(
            plan=plan,
            period=period.label,
            defaults={
                "year": period.year,
                "due_date": due,
                "status": ReportingCycle.Status.CLOSED if due < today else ReportingCycle.Status.DRAFT,
            },
        )
        created_count += created
        if not created and cycle.status == ReportingCycle.Status.DRAFT and cycle.due_date != due:
            cycle.due_date = due
            cycle.save(update_fields=["due_date"])
    return created_count
