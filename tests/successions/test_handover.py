"""Successions move reporting to the successor from their date, through the one who-reports rule."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from tasks_app import access
from tasks_app.models import Assignment, AuditEntry, Unit, UnitSuccession
from tasks_app.reminders.planner import reminders_plan
from tasks_app.selectors import successions as reads
from tasks_app.services.exports import export_build
from tasks_app.services.successions import (
    SuccessionError,
    succession_pick,
    succession_record,
    successions_apply,
    successions_load,
)
from tasks_app.services.successions_import import successions_import_xlsx
from tests.personas import Personas, make_user, web_client

REFORM_DAY = date(2019, 1, 31)


def _unit(p: Personas, name: str) -> Unit:
    return Unit.objects.get(jurisdiction=p.plan.jurisdiction, name=name)


def _new_unit(p: Personas, name: str, email: str = "") -> Unit:
    return Unit.objects.create(jurisdiction=p.plan.jurisdiction, name=name, contact_emails=[email] if email else [])


def _reporting_items(unit: Unit) -> set[int]:
    return set(Assignment.objects.reporting().filter(unit=unit).values_list("item_id", flat=True))


def test_it_hands_the_open_items_to_the_successor_and_keeps_the_history(personas: Personas):
    p = personas
    old, new = _unit(p, "市卫计委"), _new_unit(p, "市卫生健康委")
    before = _reporting_items(old)
    assert before, "市卫计委 reports on items of the Yingkou notice"
    succession_record(user=p.admin, predecessor=old, successors=[new], effective_on=REFORM_DAY, reform="2018年机构改革")

    assert _reporting_items(old) == set()
    assert _reporting_items(new) == before
    kept = Assignment.objects.filter(unit=old, item_id__in=before)
    assert kept.count() >= len(before) and all(row.handed_over_on == REFORM_DAY for row in kept)
    taken = Assignment.objects.filter(unit=new).select_related("succeeds")
    assert all(row.origin == "succession" and row.succeeds.unit_id == old.pk for row in taken)
    assert {row.raw_name for row in taken} == {row.raw_name for row in kept}  # the name as written travels along
    item = next(iter(before))
    assert access.reporting_unit_ids(Assignment.objects.get(unit=new, item_id=item).item) == [
        a.unit_id for a in Assignment.objects.reporting().filter(item_id=item)
    ]
    entry = AuditEntry.objects.get(action="succession", object_id=old.pk)
    assert "市卫计委 → 市卫生健康委" in entry.summary and entry.actor == p.admin


def test_it_waits_for_a_future_date_and_hands_over_when_the_reminder_run_reaches_it(personas: Personas):
    p = personas
    old, new = _unit(p, "市环保局"), _new_unit(p, "市生态环境局")
    before = _reporting_items(old)
    later = date(2099, 1, 1)
    type(p.plan).objects.filter(pk=p.plan.pk).update(period_end=2100)  # a plan still running in 2099
    succession_record(user=p.admin, predecessor=old, successors=[new], effective_on=later)
    assert _reporting_items(old) == before and not UnitSuccession.objects.get(predecessor=old).applied_on
    assert successions_apply(as_of=date(2098, 12, 31)).moved == 0
    assert successions_apply(as_of=later).moved >= len(before)
    assert _reporting_items(new) == before


def test_it_sends_the_next_reminder_to_the_successor(personas: Personas):
    p = personas
    old, new = _unit(p, "市卫计委"), _new_unit(p, "市卫生健康委", "weijian@yk.example.cn")
    due = p.cycle.due_date
    as_of = date.fromordinal(due.toordinal() - 30)
    names = {d.unit.name for d in reminders_plan(as_of=as_of).digests}
    assert "市卫计委" in names or not old.contact_emails  # seeded units may have no address
    succession_record(user=p.admin, predecessor=old, successors=[new], effective_on=REFORM_DAY)
    digests = {d.unit.name: d for d in reminders_plan(as_of=as_of).digests}
    assert "市卫计委" not in digests
    assert digests["市卫生健康委"].recipients == ["weijian@yk.example.cn"]
    assert {i["id"] for i in digests["市卫生健康委"].items} >= _reporting_items(new)


def test_it_leaves_a_split_to_the_office_item_by_item(personas: Personas):
    p = personas
    old = _unit(p, "市海洋渔业局")
    farming, resources = _new_unit(p, "市农业农村局"), _new_unit(p, "市自然资源局")
    before = _reporting_items(old)
    assert before
    succession_record(user=p.admin, predecessor=old, successors=[farming, resources], effective_on=REFORM_DAY)
    assert _reporting_items(old) == before  # nobody chose yet: the old unit still answers
    waiting = reads.unresolved(p.admin)
    assert {row.assignment.item_id for row in waiting} >= before
    assert {u.name for u in waiting[0].successors} == {"市农业农村局", "市自然资源局"}
    row = waiting[0].assignment
    with pytest.raises(SuccessionError, match="继任单位"):
        succession_pick(user=p.admin, assignment_id=row.pk, successor_id=p.education.pk)
    succession_pick(user=p.admin, assignment_id=row.pk, successor_id=resources.pk)
    assert row.item_id in _reporting_items(resources) or row.role == "cooperating"
    assert row.pk not in {r.assignment.pk for r in reads.unresolved(p.admin)}


def test_it_refuses_bad_successions_and_writes_nothing(personas: Personas):
    p = personas
    old = _unit(p, "市卫计委")
    with pytest.raises(SuccessionError, match="原单位本身"):
        succession_record(user=p.admin, predecessor=old, successors=[old], effective_on=REFORM_DAY)
    with pytest.raises(SuccessionError, match="继任单位"):
        succession_record(user=p.admin, predecessor=old, successors=[], effective_on=REFORM_DAY)
    with pytest.raises(Exception, match="规划办"):
        succession_record(user=p.owner, predecessor=old, successors=[p.education], effective_on=REFORM_DAY)
    assert not UnitSuccession.objects.exists() and not AuditEntry.objects.filter(action="succession").exists()


def test_it_records_a_succession_in_the_console_and_lists_it(personas: Personas):
    p = personas
    old, new = _unit(p, "市工商局"), _new_unit(p, "市市场监督管理局")
    admin = web_client(p, "admin")
    page = admin.get("/console/units/successions/")
    assert page.status_code == 200 and "登记沿革" in page.content.decode()
    response = admin.post(
        "/console/units/successions/",
        {
            "action": "record",
            "predecessor": old.pk,
            "successors": [new.pk],
            "effective_on": "2019-01-31",
            "reform": "2018年机构改革",
            "kind": "merge",
        },
    )
    assert response.status_code == 302
    assert UnitSuccession.objects.get(predecessor=old).successor == new
    listing = admin.get("/console/units/successions/").content.decode()
    assert "市市场监督管理局" in listing and "已移交" in listing
    assert web_client(p, "owner").get("/console/units/successions/").status_code == 404
    leader = web_client(p, "leader")
    assert leader.post("/console/units/successions/", {"action": "record"}).status_code == 403


def _sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["原单位", "继任单位", "生效日期", "所属改革", "类型", "依据"]


def test_it_imports_successions_from_xlsx_all_or_nothing(personas: Personas):
    p = personas
    bad = _sheet([HEADER, ["市环保局", "市生态环境局", "2019-01-31"], ["市不存在局", "市新局", "2019年13月1日"]])
    with pytest.raises(SuccessionError, match="第 3 行"):
        successions_import_xlsx(data=bad, jurisdiction=p.plan.jurisdiction, user=p.admin)
    assert not UnitSuccession.objects.exists() and not Unit.objects.filter(name="市生态环境局").exists()
    good = _sheet(
        [
            ["营口市机构改革沿革表"],
            HEADER,
            ["市环境保护局", "市生态环境局", "2019-01-31", "2018年机构改革", "更名", "营委发〔2019〕1号"],
            ["市海洋渔业局", "市农业农村局", date(2019, 1, 31), "", "", ""],
            ["市海洋渔业局", "市自然资源局", "2019-01-31", "", "", ""],
        ]
    )
    result = successions_import_xlsx(data=good, jurisdiction=p.plan.jurisdiction, user=p.admin)
    assert result.rows == 2
    assert UnitSuccession.objects.get(predecessor__name="市环保局").successor.name == "市生态环境局"
    assert set(UnitSuccession.objects.filter(predecessor__name="市海洋渔业局").values_list("kind", flat=True)) == {
        "split"
    }
    with pytest.raises(SuccessionError, match="表头"):
        successions_import_xlsx(data=_sheet([["单位", "邮箱"]]), jurisdiction=p.plan.jurisdiction, user=p.admin)


def test_it_loads_the_shipped_reform_table_once(personas: Personas):
    p = personas
    created = successions_load()
    assert created >= 8
    assert successions_load() == 0
    yk = p.plan.jurisdiction
    pairs = set(
        UnitSuccession.objects.filter(predecessor__jurisdiction=yk).values_list("predecessor__name", "successor__name")
    )
    assert {
        ("市卫计委", "市卫生健康委"),
        ("市环保局", "市生态环境局"),
        ("市安全生产监管局", "市应急管理局"),
        ("市旅游委", "市文化旅游和广播电视局"),
        ("市工商局", "市市场监督管理局"),
    } <= pairs
    assert _unit(p, "市自然资源局").aliases.filter(name="市自然资源和规划局").exists()
    assert not _reporting_items(_unit(p, "市卫计委"))


def test_it_shows_the_successor_with_the_old_name_in_the_division_export(personas: Personas, tmp_path):
    p = personas
    old, new = _unit(p, "市卫计委"), _new_unit(p, "市卫生健康委")
    succession_record(user=p.admin, predecessor=old, successors=[new], effective_on=REFORM_DAY)
    path = tmp_path / "division.xlsx"
    export_build(plan=p.plan, report="division", path_or_stream=str(path))
    cells = {str(c) for row in load_workbook(path, read_only=True).active.iter_rows(values_only=True) for c in row}
    assert any("市卫生健康委(原市卫计委)" in c for c in cells)
    assert not any(c == "市卫计委" or c.startswith("市卫计委、") for c in cells)


def test_it_keeps_the_reminder_plan_queries_constant_with_successions(personas: Personas):
    p = personas
    as_of = date.fromordinal(p.cycle.due_date.toordinal() - 30)
    with CaptureQueriesContext(connection) as before:
        reminders_plan(as_of=as_of)
    successions_load()
    with CaptureQueriesContext(connection) as after:
        reminders_plan(as_of=as_of)
    assert len(after) == len(before)
    make_user("spare")  # personas stay usable after the load


def test_it_shows_the_successor_in_the_api_and_keeps_history_through_a_division_edit(personas: Personas):
    from tasks_app.services.division import assignments_set

    p = personas
    old, new = _unit(p, "市卫计委"), _new_unit(p, "市卫生健康委")
    succession_record(user=p.admin, predecessor=old, successors=[new], effective_on=REFORM_DAY)
    row = Assignment.objects.filter(unit=new, role="lead").select_related("item").first()
    assert row is not None
    task = web_client(p, "admin").get(f"/api/tasks/{row.item_id}/").json()
    assert "市卫生健康委" in task["lead"] + task["responsible"] and "市卫计委" not in task["lead"]
    current = [a for a in Assignment.objects.current().filter(item=row.item, role="cooperating")]
    assignments_set(
        item=row.item, user=p.admin, lead=[new.pk], cooperating=[a.unit_id for a in current], responsible=[]
    )
    assert Assignment.objects.filter(item=row.item, unit=old, handed_over_on=REFORM_DAY).exists()
