"""Read: what confirming a document would change in the plan it updates (the re-import diff).

The plan is found and its items are matched the way ``tasks_app.importing`` does when it writes: the plan by
jurisdiction and title, an item first by content fingerprint (``item_fingerprint``), then by position
(section key, kind, number). What the office sees here is therefore what the import will do:

- added: items of the document that match no existing item (or only an inactive one, which comes back);
- changed: items matched by position whose text differs (their imported units are rewritten);
- removed: active items the document no longer has (they are kept, marked inactive);
- assignments changed: matched items whose units as written differ from the imported assignments
  (the office's own additions, origin manual/suggested, are left alone and not compared).

Nothing is written. ``None`` means the document's plan does not exist yet (a first import).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tasks_app.importing import item_fingerprint, text_sha256
from tasks_app.models import Assignment, Plan, SourceDocument, WorkItem
from tasks_app.parsing.types import ROLES, ParsedDocument, ParsedItem

ROLE_LABELS = {"lead": "牵头", "cooperating": "配合", "responsible": "责任"}


def existing_plan(*, parsed: ParsedDocument) -> Plan | None:
    """The plan this document would update (same identity as importing._upsert_plan)."""
    return Plan.objects.filter(jurisdiction__name=parsed.jurisdiction, title=parsed.title).first()


def _written_units(parsed_item: ParsedItem) -> dict[str, list[str]]:
    return {role: list(dict.fromkeys(raw[:160] for raw in parsed_item.units.get(role, []))) for role in ROLES}


def _brief(item: WorkItem | ParsedItem) -> dict[str, Any]:
    return {"number": item.number, "title": item.title[:120]}


def import_diff(*, parsed: ParsedDocument, text: str) -> dict[str, Any] | None:
    """Items added / changed / removed and assignments changed against the existing plan (a few queries)."""
    plan = existing_plan(parsed=parsed)
    if plan is None:
        return None
    # The importer leaves a plan untouched when exactly this text was imported before.
    same_document = SourceDocument.objects.filter(sha256=text_sha256(text), plans=plan).exists()
    existing = list(plan.items.select_related("section").order_by("order"))
    by_fingerprint: dict[str, list[WorkItem]] = defaultdict(list)
    by_position: dict[tuple, WorkItem] = {}
    for item in existing:
        by_fingerprint[item.fingerprint].append(item)
        by_position[(item.section.key if item.section else None, item.kind, item.number)] = item
    imported: dict[int, dict[str, list[str]]] = defaultdict(lambda: {role: [] for role in ROLES})
    rows = Assignment.objects.filter(item__plan=plan, origin="imported").order_by("role", "order", "pk")
    for item_id, role, raw_name, unit_name in rows.values_list("item_id", "role", "raw_name", "unit__name"):
        imported[item_id][role].append(raw_name or unit_name)

    used: set[int] = set()
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    reassigned: list[dict[str, Any]] = []
    unchanged = 0
    for parsed_item in parsed.items:
        fingerprint = item_fingerprint(parsed_item)
        match = next((c for c in by_fingerprint.get(fingerprint, []) if c.id not in used), None)
        if match is None:
            candidate = by_position.get((parsed_item.section, parsed_item.kind, parsed_item.number))
            match = candidate if candidate is not None and candidate.id not in used else None
        if match is None or not match.is_active:
            added.append({**_brief(parsed_item), "restored": match is not None})
            if match is not None:
                used.add(match.id)
            continue
        used.add(match.id)
        text_changed = match.fingerprint != fingerprint
        before = imported[match.id]
        after = _written_units(parsed_item)
        if text_changed:
            changed.append(
                {**_brief(parsed_item), "item_id": match.id, "before": match.text, "after": parsed_item.text}
            )
        if _as_sets(before) != _as_sets(after):
            reassigned.append({**_brief(parsed_item), "item_id": match.id, "roles": _role_changes(before, after)})
        elif not text_changed:
            unchanged += 1
    removed = [{**_brief(item), "item_id": item.id} for item in existing if item.is_active and item.id not in used]
    return {
        "plan_id": plan.pk,
        "plan_title": plan.title,
        "same_document": same_document,
        "added": added,
        "changed": changed,
        "removed": removed,
        "assignments_changed": reassigned,
        "unchanged": unchanged,
    }


def _as_sets(units: dict[str, list[str]]) -> dict[str, set[str]]:
    return {role: set(units.get(role, [])) for role in ROLES}


def _role_changes(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[dict[str, Any]]:
    changes = []
    for role in ROLES:
        old, new = before.get(role, []), after.get(role, [])
        if set(old) != set(new):
            changes.append(
                {
                    "role": role,
                    "label": ROLE_LABELS[role],
                    "before": old,
                    "after": new,
                    "added": [name for name in new if name not in old],
                    "removed": [name for name in old if name not in new],
                }
            )
    return changes
