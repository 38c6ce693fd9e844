"""The unit directory, unit edits, the queue of unrecognised names, contacts from .xlsx and the audit log."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from tasks_app.models import Assignment, AuditEntry, Unit, UnitAlias
from tasks_app.services.contacts import CONTACTS_MAX_BYTES, ContactsImportError, contacts_import_xlsx
from tasks_app.services.division import DivisionError, unit_confirm, unit_update
from tests.personas import Personas, make_user

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list[object]], title_row: str | None = "各单位联络员名单") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER = ["序号", "单位名称", "联系人", "电子邮箱", "电话"]


def _new_unit(p: Personas, name: str = "市大数据局", **kwargs) -> Unit:
    return Unit.objects.create(jurisdiction=p.plan.jurisdiction, name=name, needs_review=True, **kwargs)


# --- services ------------------------------------------------------------------------------------


def test_it_confirms_a_unit_off_the_review_queue_with_an_audit_entry(personas):
    unit = _new_unit(personas)
    unit_confirm(unit=unit, user=personas.admin)
    unit.refresh_from_db()
    assert not unit.needs_review
    entry = AuditEntry.objects.get(action="unit_confirm")
    assert (entry.object_type, entry.object_id, entry.actor) == ("unit", unit.id, personas.admin)


def test_it_renames_a_unit_keeping_the_old_name_as_an_alias(personas):
    p = personas
    unit_update(unit=p.forestry, user=p.admin, name="市林业和草原局", contact_emails=["ly@example.cn"])
    p.forestry.refresh_from_db()
    assert p.forestry.name == "市林业和草原局" and p.forestry.contact_emails == ["ly@example.cn"]
    assert UnitAlias.objects.filter(unit=p.forestry, name="市林业局").exists()
    entry = AuditEntry.objects.get(action="unit_edit")
    assert entry.before["name"] == "市林业局" and entry.after["name"] == "市林业和草原局"


def test_it_refuses_a_name_taken_by_another_unit_or_a_bad_email(personas):
    p = personas
    with pytest.raises(DivisionError, match="合并"):
        unit_update(unit=p.forestry, user=p.admin, name="市教育局")
    with pytest.raises(DivisionError, match="邮箱格式不正确"):
        unit_update(unit=p.forestry, user=p.admin, contact_emails=["not-an-email"])
    assert not AuditEntry.objects.filter(action="unit_edit").exists()


def test_it_imports_contacts_resolving_aliases_in_one_go(personas):
    p = personas
    data = xlsx(
        [
            HEADER,
            [1, "市教育局", "张三", "zhang@example.cn", "0417-1234567"],
            [2, "市发改委", "李四", "li@example.cn;li2@example.cn", 13800000000],  # an alias of 市发展改革委
            [3, "市教育局", "王五", "wang@example.cn", ""],
            [None, None, None, None, None],
        ]
    )
    result = contacts_import_xlsx(data=data, jurisdiction=p.plan.jurisdiction, user=p.admin)
    assert (result.units, result.rows, result.emails_added) == (2, 3, 4)
    p.education.refresh_from_db()
    assert p.education.contact_emails == ["zhang@example.cn", "wang@example.cn"]
    ndrc = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name="市发展改革委")
    assert ndrc.contact_emails == ["li@example.cn", "li2@example.cn"]
    entry = AuditEntry.objects.get(action="contacts_import", object_id=ndrc.id)
    assert entry.after["contacts"] == [{"row": 4, "person": "李四", "phone": "13800000000", "email": "li@example.cn"}]
    assert ndrc.contact_people == [{"person": "李四", "phone": "13800000000", "email": "li@example.cn"}]


def test_it_refuses_the_whole_sheet_listing_every_bad_row(personas):
    p = personas
    data = xlsx(
        [
            ["单位", "联系人", "邮箱", "电话"],
            ["市教育局", "张三", "zhang@example.cn", ""],
            ["市不存在局", "李四", "li@example.cn", ""],
            ["市林业局", "王五", "bad-address", ""],
            ["", "赵六", "zhao@example.cn", ""],
        ],
        title_row=None,
    )
    with pytest.raises(ContactsImportError) as caught:
        contacts_import_xlsx(data=data, jurisdiction=p.plan.jurisdiction, user=p.admin)
    message = str(caught.value)
    assert "3 行有误" in message and "第 3 行" in message and "第 4 行" in message and "第 5 行" in message
    p.education.refresh_from_db()
    assert p.education.contact_emails == [] and not AuditEntry.objects.filter(action="contacts_import").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "不是 .xlsx"),
        (b"PK\x03\x04broken", "无法读取"),
        (b"PK" + b"0" * CONTACTS_MAX_BYTES, "文件太大"),
        (xlsx([["名称", "备注"], ["市教育局", "x"]]), "找不到表头"),
    ],
)
def test_it_refuses_files_it_cannot_read(personas, data, message):
    with pytest.raises(ContactsImportError, match=message):
        contacts_import_xlsx(data=data, jurisdiction=personas.plan.jurisdiction, user=personas.admin)


def test_it_replaces_emails_when_asked(personas):
    p = personas
    p.education.contact_emails = ["old@example.cn"]
    p.education.save()
    data = xlsx([HEADER, [1, "市教育局", "张三", "new@example.cn", ""]])
    contacts_import_xlsx(data=data, jurisdiction=p.plan.jurisdiction, user=p.admin, replace=True)
    p.education.refresh_from_db()
    assert p.education.contact_emails == ["new@example.cn"]


# --- pages ---------------------------------------------------------------------------------------

PAGES = ("/console/units/", "/console/units/review/", "/console/units/contacts/", "/console/audit/")
EXPECTED = {"admin": 200, "leader": 200, "owner": 404, "outsider": 404}


@pytest.mark.parametrize("persona", [*EXPECTED, "anonymous"])
def test_it_shows_the_unit_pages_by_persona(client, personas, persona):
    p = personas
    if persona != "anonymous":
        client.force_login(getattr(p, persona))
    for url in (*PAGES, f"/console/units/{p.education.id}/"):
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == EXPECTED[persona], url


@pytest.mark.parametrize("persona", ["leader", "owner", "reviewer"])
def test_it_refuses_writes_from_anyone_but_an_admin(client, personas, persona):
    p = personas
    user = make_user("reviewer", office="reviewer") if persona == "reviewer" else getattr(p, persona)
    unit = _new_unit(p)
    client.force_login(user)
    response = client.post("/console/units/review/", {"unit": unit.id, "action": "confirm"})
    assert response.status_code == (404 if persona == "owner" else 403)
    response = client.post(f"/console/units/{p.forestry.id}/", {"name": "x", "kind": "department"})
    assert response.status_code == (404 if persona == "owner" else 403)
    unit.refresh_from_db()
    p.forestry.refresh_from_db()
    assert unit.needs_review and p.forestry.name == "市林业局"


def test_it_lists_units_with_emails_staff_and_counts(client, personas):
    p = personas
    p.education.contact_emails = ["jy@example.cn"]
    p.education.save()
    client.force_login(p.admin)
    body = client.get(f"/console/units/?jurisdiction={p.plan.jurisdiction_id}&q=教育").content.decode()
    assert "jy@example.cn" in body and "owner" in body and "colleague" in body
    leads = Assignment.objects.filter(unit=p.education, role="lead").count()
    assert f'data-label="牵头">{leads}<' in body


def test_it_lists_the_directory_in_constant_queries(client, personas):
    p = personas
    client.force_login(p.admin)

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/console/units/?page_size={size}").status_code == 200
        return len(ctx.captured_queries)

    assert count(20) == count(200)


def test_it_confirms_and_merges_from_the_review_queue(client, personas):
    p = personas
    fresh, duplicate = _new_unit(p, "市大数据局"), _new_unit(p, "营口市教育局机关")
    client.force_login(p.admin)
    page = client.get("/console/units/review/").content.decode()
    assert "市大数据局" in page and "营口市教育局机关" in page
    client.post("/console/units/review/", {"unit": fresh.id, "action": "confirm"})
    response = client.post(
        "/console/units/review/", {"unit": duplicate.id, "action": "merge", "target": p.education.id}
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert not fresh.needs_review
    assert not Unit.objects.filter(pk=duplicate.id).exists()
    assert UnitAlias.objects.filter(unit=p.education, name="营口市教育局机关").exists()
    client.get("/console/units/review/")  # shows (and so consumes) the messages
    assert "市大数据局" not in client.get("/console/units/review/").content.decode()


def test_it_edits_and_merges_on_the_unit_page(client, personas):
    p = personas
    other = _new_unit(p, "市教育局(旧)", contact_emails=["old@example.cn"])
    client.force_login(p.admin)
    response = client.post(
        f"/console/units/{other.id}/",
        {"name": "市教育局旧称", "kind": "department", "contact_emails": "a@example.cn\nb@example.cn"},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.name == "市教育局旧称" and other.contact_emails == ["a@example.cn", "b@example.cn"]
    response = client.post(f"/console/units/{other.id}/", {"action": "merge", "target": p.education.id})
    assert response.status_code == 302 and response["Location"] == f"/console/units/{p.education.id}/"
    page = client.get(response["Location"]).content.decode()
    assert "合并单位" in page and "市教育局旧称" in page


def test_it_shows_a_merge_refusal_as_a_message(client, personas):
    from tasks_app.models import Report

    p = personas
    item = Assignment.objects.filter(unit=p.education, role="lead").first().item
    Assignment.objects.create(item=item, unit=p.forestry, role="lead")
    Report.objects.create(item=item, unit=p.education, cycle=p.cycle)
    Report.objects.create(item=item, unit=p.forestry, cycle=p.cycle)
    client.force_login(p.admin)
    response = client.post(
        f"/console/units/{p.forestry.id}/", {"action": "merge", "target": p.education.id}, follow=True
    )
    assert "不能合并" in response.content.decode()
    assert Unit.objects.filter(pk=p.forestry.id).exists()


def test_it_uploads_contacts_and_reports_bad_rows(client, personas):
    p = personas
    client.force_login(p.admin)
    good = SimpleUploadedFile("联系人.xlsx", xlsx([HEADER, [1, "市林业局", "张三", "ly@example.cn", ""]]))
    response = client.post("/console/units/contacts/", {"jurisdiction": p.plan.jurisdiction_id, "file": good})
    assert response.status_code == 200 and "ly@example.cn" in response.content.decode()
    bad = SimpleUploadedFile("联系人.xlsx", xlsx([HEADER, [1, "市无此局", "张三", "x@example.cn", ""]]))
    response = client.post("/console/units/contacts/", {"jurisdiction": p.plan.jurisdiction_id, "file": bad})
    assert response.status_code == 400 and "第 3 行" in response.content.decode()
    wrong = SimpleUploadedFile("联系人.csv", b"a,b")
    response = client.post("/console/units/contacts/", {"jurisdiction": p.plan.jurisdiction_id, "file": wrong})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()


def test_it_filters_the_audit_log(client, personas):
    p = personas
    unit = _new_unit(p)
    unit_confirm(unit=unit, user=p.admin)
    unit_update(unit=p.forestry, user=p.admin, contact_emails=["ly@example.cn"])
    client.force_login(p.leader)
    body = client.get("/console/audit/?action=unit_confirm").content.decode()
    assert "确认新单位 市大数据局" in body and "修改单位 市林业局" not in body
    body = client.get(f"/console/audit/?object_type=unit&object_id={p.forestry.id}&actor=office").content.decode()
    assert "修改单位 市林业局" in body
