"""Unit contacts from an .xlsx sheet: 单位(名称) / 联系人 / 邮箱(电子邮箱) / 电话.

Names are resolved like imports resolve them: the jurisdiction's units and aliases first, then the unit
registry (a registry unit not yet in the database is created). One transaction: any bad row → one
``ContactsImportError`` naming every bad row, and nothing is written. The workbook is opened read-only,
without evaluating formulas; size and row count are limited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.importing import unit_registry
from tasks_app.models import AuditEntry, Jurisdiction, Unit
from tasks_app.parsing.spreadsheet_guard import SheetLimits, SpreadsheetError, xlsx_rows
from tasks_app.rules.units import UnitNames
from tasks_app.services.division import DivisionError, audit_record, emails_clean

CONTACTS_MAX_BYTES = 2 * 1024 * 1024
CONTACTS_MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10
HEADERS = {
    "unit": ("单位", "单位名称", "部门", "部门名称"),
    "person": ("联系人", "联系人姓名", "姓名"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "邮件", "email", "e-mail"),
    "phone": ("电话", "联系电话", "手机", "手机号码"),
}


class ContactsImportError(DivisionError):
    """The file as a whole, or some of its rows, cannot be imported; nothing was written."""


@dataclass
class ContactsResult:
    units: int = 0
    emails_added: int = 0
    rows: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header(cells: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        label = cell.replace(" ", "").lower()
        for role, names in HEADERS.items():
            if role not in columns and label in names:
                columns[role] = position
    return columns if "unit" in columns and "email" in columns else None


CONTACTS_LIMITS = SheetLimits(
    max_bytes=CONTACTS_MAX_BYTES,
    max_uncompressed_bytes=32 * 1024 * 1024,
    max_row_cells=64,
    max_sheet_cells=(CONTACTS_MAX_ROWS + HEADER_SEARCH_ROWS) * 16,
    max_rows=CONTACTS_MAX_ROWS + HEADER_SEARCH_ROWS,
)


def _rows(data: bytes) -> list[list[str]]:
    # Every guard (size, zip bomb, DTD, malformed XML, wide rows, forged dimensions) is in tasks_app.parsing.spreadsheet_guard.
    try:
        return [[_text(value) for value in row] for row in xlsx_rows(data, limits=CONTACTS_LIMITS)]
    except SpreadsheetError as exc:
        raise ContactsImportError(str(exc)) from exc


class _Names:
    """Raw unit name → Unit of the jurisdiction (name, alias, registry), loaded once."""

    def __init__(self, jurisdiction: Jurisdiction) -> None:
        self.jurisdiction = jurisdiction
        self.known = UnitNames(Unit.objects.filter(jurisdiction=jurisdiction))
        self.registry = unit_registry()
        self.to_create: dict[str, str] = {}  # registry names not yet in the database → kind

    def find(self, raw: str) -> Unit | str | None:
        """A Unit, a registry name to create, or None when nobody knows the name."""
        unit = self.known.find(raw)
        if unit is not None:
            return unit
        resolution = self.registry.resolve(raw, self.jurisdiction.name)
        if not resolution.known or resolution.jurisdiction != self.jurisdiction.name:
            return None
        unit = self.known.find(resolution.name)
        if unit is not None:
            return unit
        self.to_create[resolution.name] = resolution.kind
        return resolution.name


def contacts_import_xlsx(
    *, data: bytes, jurisdiction: Jurisdiction, user: Any, replace: bool = False
) -> ContactsResult:
    """Add (or with ``replace``, set) the contact emails of the listed units. All rows or nothing."""
    access.require(user, Capability.MANAGE_UNITS)
    if not access.covers(user, jurisdiction.pk):
        raise ContactsImportError("该行政区划不在您的管理范围内")
    rows = _rows(data)
    header_at, columns = next(
        ((i, found) for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if (found := _header(row))), (None, None)
    )
    if header_at is None or columns is None:
        raise ContactsImportError("找不到表头:第一张工作表的前 10 行中需要“单位”(或“单位名称”)和“邮箱”(或“电子邮箱”)列")
    names = _Names(jurisdiction)
    errors: list[str] = []
    wanted: dict[Unit | str, dict[str, Any]] = {}

    def cell(row: list[str], role: str) -> str:
        position = columns.get(role)
        return row[position] if position is not None and position < len(row) else ""

    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        raw, email = cell(row, "unit"), cell(row, "email")
        if not any(row):
            continue
        if not raw:
            errors.append(f"第 {number} 行:缺少单位名称")
            continue
        unit = names.find(raw)
        if unit is None:
            errors.append(f"第 {number} 行:单位“{raw}”不在{jurisdiction.name}的单位名录中")
            continue
        if not email:
            errors.append(f"第 {number} 行:缺少邮箱")
            continue
        try:
            emails = emails_clean([email])
        except DivisionError as exc:
            errors.append(f"第 {number} 行:{exc}")
            continue
        entry = wanted.setdefault(unit, {"emails": [], "contacts": [], "rows": []})
        entry["emails"] += emails
        entry["rows"].append(number)
        entry["contacts"].append(
            {"row": number, "person": cell(row, "person"), "phone": cell(row, "phone"), "email": emails[0]}
        )
    if errors:
        raise ContactsImportError(f"{len(errors)} 行有误,未导入任何内容:" + ";".join(errors))
    if not wanted:
        raise ContactsImportError("表中没有联系人数据")
    return _write(wanted, names, jurisdiction=jurisdiction, user=user, replace=replace)


def _write(
    wanted: dict[Unit | str, dict[str, Any]], names: _Names, *, jurisdiction: Jurisdiction, user: Any, replace: bool
) -> ContactsResult:
    result = ContactsResult()
    with transaction.atomic():
        for key, entry in wanted.items():
            if isinstance(key, str):
                unit, _ = Unit.objects.get_or_create(
                    jurisdiction=jurisdiction, name=key, defaults={"kind": names.to_create[key]}
                )
            else:
                unit = Unit.objects.select_for_update().get(pk=key.pk)
            before = list(unit.contact_emails)
            emails = emails_clean(entry["emails"] if replace else [*before, *entry["emails"]])
            result.rows += len(entry["rows"])
            result.units += 1
            added = [e for e in emails if e.lower() not in {b.lower() for b in before}]
            result.emails_added += len(added)
            result.details.append({"unit": unit.name, "emails": emails, "added": added, "rows": entry["rows"]})
            people = [
                {k: c[k] for k in ("person", "phone", "email")} for c in entry["contacts"] if c["person"] or c["phone"]
            ]
            people = people if replace else [*unit.contact_people, *[p for p in people if p not in unit.contact_people]]
            if emails == before and people == unit.contact_people:
                continue
            unit.contact_emails = emails
            unit.contact_people = people
            unit.save(update_fields=["contact_emails", "contact_people"])
            audit_record(
                actor=user,
                action=AuditEntry.Action.CONTACTS_IMPORT,
                object_type="unit",
                object_id=unit.pk,
                jurisdiction_id=unit.jurisdiction_id,
                summary=f"导入联系人 {unit.name}:{'、'.join(emails)}",
                before={"contact_emails": before},
                after={"contact_emails": emails, "contacts": entry["contacts"]},
            )
    return result
