"""Offices scoped to their jurisdiction (issue 12): the hierarchy, the roots in tasks_app.access, and the faces
that list, export, import, merge, audit and remind through them. The route-by-route walk is in
test_jurisdiction_matrix.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from rest_framework.test import APIClient

from tasks_app import access
from tasks_app.models import (
    AuditEntry,
    ExportJob,
    ImportJob,
    Jurisdiction,
    Plan,
    ReminderMessage,
    Unit,
    UnitAlias,
    WorkItem,
)
from tasks_app.reminders.planner import reminders_plan
from tasks_app.services.cycles import cycle_set_due_date
from tasks_app.services.division import DivisionError, unit_merge, unit_update
from tests.conftest import run_json
from tests.console.review_fixtures import education_task_items, submitted_report
from tests.personas import District, Personas, district_submitted_report, make_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the hierarchy -------------------------------------------------------------------------------


def test_it_lets_a_city_office_see_its_districts_and_a_district_only_itself(personas: Personas, district: District):
    city, zone = personas.plan.jurisdiction, district.plan.jurisdiction
    sibling = Jurisdiction.objects.get(name="葫芦岛市")
    assert {city.pk, zone.pk} <= set(access.visible_jurisdictions(district.city_admin).values_list("pk", flat=True))
    assert list(access.visible_jurisdictions(district.admin)) == [zone]
    assert list(access.visible_jurisdictions(district.sibling_admin)) == [sibling]
    for user in (district.admin, district.reviewer, district.leader):
        assert not access.covers(user, city.pk), "a district does not see its city"
        assert not access.covers(user, sibling.pk), "nor a sibling"
    assert access.covers(district.city_admin, zone.pk) and not access.covers(district.city_admin, sibling.pk)
    assert access.visible_jurisdiction_ids(personas.admin) is None, "no jurisdiction: the whole install"
    assert access.visible_jurisdictions(personas.owner).count() == 0, "unit staff have no office scope"


def test_it_follows_the_hierarchy_down_every_level(personas: Personas):
    province = personas.plan.jurisdiction.parent
    assert province is not None and province.level == "province"
    street = Jurisdiction.objects.create(name="测试街道", level="district", parent=personas.plan.jurisdiction)
    below = Jurisdiction.objects.create(name="测试社区", level="district", parent=street)
    provincial = make_user("provincial", office="admin", jurisdiction=province)
    ids = access.visible_jurisdiction_ids(provincial)
    assert ids is not None and {province.pk, personas.plan.jurisdiction_id, street.pk, below.pk} <= ids
    assert access.jurisdiction_subtree(street.pk) == {street.pk, below.pk}


def test_it_roots_plans_units_and_items_in_the_jurisdictions(personas: Personas, district: District):
    city_plan, zone_plan = personas.plan, district.plan
    assert list(access.visible_plans(district.admin)) == [zone_plan]
    assert set(access.visible_plans(district.city_admin)) == {city_plan, zone_plan}
    assert not access.visible_plans(district.sibling_admin).exists()
    assert set(access.visible_units(district.admin).values_list("jurisdiction_id", flat=True)) == {
        zone_plan.jurisdiction_id
    }
    assert not access.visible_items(district.admin).filter(plan=city_plan).exists()
    assert access.visible_items(district.city_admin).filter(plan=zone_plan).exists()


# --- /plans/ ----------------------------------------------------------------------------------------


def test_it_lists_on_plans_only_what_the_user_may_see(personas: Personas, district: District):
    city_title, zone_title = personas.plan.title, district.plan.title

    def titles(user) -> tuple[bool, bool]:
        page = _client(user).get("/plans/").content.decode()
        return city_title in page, zone_title in page

    assert titles(personas.owner) == (True, False), "staff: the plans their unit is in"
    assert titles(district.staff) == (False, True)
    assert titles(district.admin) == (False, True)
    assert titles(district.city_admin) == (True, True)
    assert titles(personas.admin) == (True, True)
    assert titles(district.sibling_admin) == (False, False)
    assert titles(make_user("nobody")) == (False, False), "no unit and no office role: no plan"


# --- API lists --------------------------------------------------------------------------------------


def _plans_listed(user, path: str) -> set[int]:
    rows = _api(user).get(path, {"page_size": 500}).json()["results"]
    if rows and "plan" in rows[0]:
        return {row["plan"]["id"] for row in rows}
    items = [row["item"]["id"] if isinstance(row["item"], dict) else row["item"] for row in rows]
    return set(WorkItem.objects.filter(pk__in=items).values_list("plan_id", flat=True))


def test_it_filters_the_api_lists_by_jurisdiction(personas: Personas, district: District):
    submitted_report(personas, education_task_items(personas)[0])
    district_submitted_report(district)
    both = {personas.plan.pk, district.plan.pk}
    for path in ("/api/tasks/", "/api/cycles/", "/api/reports/", "/api/console/review/"):
        assert _plans_listed(district.admin, path) == {district.plan.pk}, path
        assert _plans_listed(district.leader, path) == {district.plan.pk}, path
        assert _plans_listed(district.city_admin, path) == both, path
        assert _plans_listed(personas.admin, path) == both, path
        assert _plans_listed(district.sibling_admin, path) == set(), path


def test_it_answers_404_for_another_jurisdictions_export_job(personas: Personas, district: District):
    job = ExportJob.objects.create(plan=personas.plan, report="division", status=ExportJob.Status.QUEUED)
    own = ExportJob.objects.create(plan=district.plan, report="division", status=ExportJob.Status.QUEUED)
    for path in (
        f"/console/exports/{job.pk}/",
        f"/console/exports/{job.pk}/status/",
        f"/console/exports/{job.pk}/download/",
    ):
        assert _client(district.admin).get(path).status_code == 404, path
    for path in (f"/api/console/exports/{job.pk}/", f"/api/console/exports/{job.pk}/download/"):
        assert _api(district.admin).get(path).status_code == 404, path
    assert _client(district.admin).get(f"/console/exports/{own.pk}/").status_code == 200
    assert _client(district.city_admin).get(f"/console/exports/{own.pk}/").status_code == 200
    listed = _api(district.admin).get("/api/console/exports/").json()
    assert [row["id"] for row in listed["results"]] == [own.pk]
    page = _client(district.admin).get("/console/exports/").content.decode()
    assert f"/console/exports/{job.pk}/" not in page and f"/console/exports/{own.pk}/" in page


def test_it_refuses_to_start_an_export_of_another_jurisdictions_plan(personas: Personas, district: District):
    before = ExportJob.objects.count()
    response = _api(district.admin).post("/api/console/exports/", {"plan": personas.plan.pk, "report": "division"})
    assert response.status_code == 400
    assert ExportJob.objects.count() == before


# --- summary reminders ------------------------------------------------------------------------------


def test_it_sends_an_offices_summary_only_for_its_jurisdiction(personas: Personas, district: District):
    for user, email in (
        (personas.admin, "whole@office.test"),
        (district.city_admin, "city@office.test"),
        (district.admin, "zone@office.test"),
        (district.reviewer, "zone-review@office.test"),
        (district.leader, "zone-leader@office.test"),  # leadership gets no summary
        (district.sibling_admin, "sibling@office.test"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    due = personas.cycle.due_date
    cycle_set_due_date(cycle=district.cycle, due_date=due)

    def summary_recipients(cycle) -> set[str]:
        planned = reminders_plan(as_of=due + timedelta(days=1), cycle_id=cycle.pk)
        summaries = [d for d in planned.digests if d.kind == ReminderMessage.Kind.SUMMARY and d.channel == "email"]
        assert len(summaries) == 1
        return set(summaries[0].recipients)

    city = summary_recipients(personas.cycle)
    assert {"whole@office.test", "city@office.test"} <= city
    assert not city & {"zone@office.test", "zone-review@office.test", "sibling@office.test", "zone-leader@office.test"}
    zone = summary_recipients(district.cycle)
    assert {"whole@office.test", "city@office.test", "zone@office.test", "zone-review@office.test"} <= zone
    assert not zone & {"sibling@office.test", "zone-leader@office.test"}


# --- audit ------------------------------------------------------------------------------------------


def test_it_records_and_scopes_the_jurisdiction_of_audit_rows(personas: Personas, district: District):
    unit_update(unit=personas.education, user=personas.admin, name=personas.education.name, kind="department",
                contact_emails=["edu@city.test"])  # fmt: skip
    unit_update(unit=district.unit, user=district.admin, name=district.unit.name, kind="department",
                contact_emails=["zone@zone.test"])  # fmt: skip
    city_row = AuditEntry.objects.get(object_type="unit", object_id=personas.education.pk)
    zone_row = AuditEntry.objects.get(object_type="unit", object_id=district.unit.pk)
    assert city_row.jurisdiction_id == personas.plan.jurisdiction_id
    assert zone_row.jurisdiction_id == district.plan.jurisdiction_id
    zone_rows = set(access.visible_audit_entries(district.admin))
    assert zone_row in zone_rows and city_row not in zone_rows
    assert {row.jurisdiction_id for row in zone_rows} == {district.plan.jurisdiction_id}
    assert {city_row, zone_row} <= set(access.visible_audit_entries(district.city_admin))
    page = _client(district.leader).get("/console/audit/").content.decode()
    assert "edu@city.test" not in page and personas.education.name not in page
    assert district.unit.name in page


def test_it_backfills_the_jurisdiction_of_existing_audit_rows(personas: Personas, district: District):
    from importlib import import_module

    migration = import_module("tasks_app.migrations.0011_office_role_jurisdiction")
    unit_update(unit=district.unit, user=district.admin, name=district.unit.name, kind="department", contact_emails=[])
    cycle_set_due_date(cycle=personas.cycle, due_date=personas.cycle.due_date + timedelta(days=1))
    orphan = AuditEntry.objects.create(action="unit_edit", object_type="unit", object_id=10**9, summary="已删除的单位")
    written = dict(AuditEntry.objects.exclude(pk=orphan.pk).values_list("pk", "jurisdiction_id"))
    assert set(AuditEntry.objects.values_list("object_type", flat=True)) == {"unit", "cycle"}
    assert None not in written.values() and len(set(written.values())) == 2, "both jurisdictions' rows"
    AuditEntry.objects.update(jurisdiction=None)
    migration.audit_jurisdictions_backfill(apps, None)
    assert dict(AuditEntry.objects.exclude(pk=orphan.pk).values_list("pk", "jurisdiction_id")) == written
    orphan.refresh_from_db()
    assert orphan.jurisdiction_id is None
    assert orphan not in access.visible_audit_entries(district.city_admin)
    assert orphan in access.visible_audit_entries(personas.admin)


# --- unit directory and merge -----------------------------------------------------------------------


def test_it_merges_across_jurisdictions_only_when_the_scope_covers_both(personas: Personas, district: District):
    copy = Unit.objects.create(
        jurisdiction=district.plan.jurisdiction, name="市发展改革委(区内写法)", needs_review=True
    )
    target = Unit.objects.get(jurisdiction=personas.plan.jurisdiction, name="市发展改革委")
    with pytest.raises(DivisionError, match="同一行政区划"):
        unit_merge(source=copy, target=target, user=district.admin)
    page = _client(district.admin).get(f"/console/units/{copy.pk}/").content.decode()
    assert f'value="{target.pk}"' not in page, "a district office is not offered its city's units"
    page = _client(district.city_admin).get(f"/console/units/{copy.pk}/").content.decode()
    assert f'value="{target.pk}"' in page
    response = _api(district.admin).post(f"/api/console/units/{copy.pk}/merge/", {"target": target.pk})
    assert response.status_code == 400 and Unit.objects.filter(pk=copy.pk).exists()
    unit_merge(source=copy, target=target, user=district.city_admin)
    assert not Unit.objects.filter(pk=copy.pk).exists()
    alias = UnitAlias.objects.get(name="市发展改革委(区内写法)")
    assert alias.unit == target and alias.jurisdiction_id == district.plan.jurisdiction_id


def test_it_keeps_the_unit_directory_and_contacts_import_within_the_scope(personas: Personas, district: District):
    page = _client(district.admin).get("/console/units/", {"q": personas.education.name}).content.decode()
    assert f"/console/units/{personas.education.pk}/" not in page
    assert _client(district.admin).get(f"/console/units/{personas.education.pk}/").status_code == 404
    page = _client(district.admin).get("/console/units/contacts/").content.decode()
    assert f'value="{personas.plan.jurisdiction_id}"' not in page
    assert f'value="{district.plan.jurisdiction_id}"' in page


# --- import jobs ------------------------------------------------------------------------------------


def test_it_scopes_import_jobs_by_the_uploaders_jurisdiction(personas: Personas, district: District):
    zone_job = ImportJob.objects.create(original_name="区里上传.txt", uploaded_by=district.admin)
    whole_job = ImportJob.objects.create(original_name="全省上传.txt", uploaded_by=personas.admin)
    assert set(access.visible_import_jobs(district.admin)) == {zone_job}
    assert set(access.visible_import_jobs(district.city_admin)) == {zone_job}
    assert not access.visible_import_jobs(district.sibling_admin).exists()
    assert {zone_job, whole_job} <= set(access.visible_import_jobs(personas.admin))
    page = _client(district.sibling_admin).get("/console/imports/").content.decode()
    assert "区里上传.txt" not in page and "全省上传.txt" not in page
    assert _client(district.sibling_admin).get(f"/console/imports/{zone_job.pk}/").status_code == 404
    confirmed = ImportJob.objects.create(original_name="已导入.txt", uploaded_by=personas.admin, plan=district.plan)
    assert confirmed in access.visible_import_jobs(district.admin), "a confirmed job belongs to its plan"


def test_it_refuses_a_document_of_a_jurisdiction_the_uploader_does_not_cover(personas: Personas, district: District):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tasks_app.services.import_jobs import import_job_create, import_job_parse
    from tests.conftest import YINGKOU

    upload = SimpleUploadedFile("yingkou.txt", YINGKOU.read_bytes(), content_type="text/plain")
    job = import_job_create(upload=upload, user=district.admin)
    job = import_job_parse(job_id=job.pk)
    assert job is not None and job.status == ImportJob.Status.FAILED
    assert "营口市" in job.error and "管理范围" in job.error and job.preview is None and job.diff is None
    assert Plan.objects.count() == 2


# --- demo logins ------------------------------------------------------------------------------------


def test_it_creates_one_demo_office_per_jurisdiction_with_plans(seeded_db):
    rows = run_json("create_demo_users")
    admins = [row for row in rows if row["role"] == "admin"]
    assert admins[0] == rows[0] and rows[0]["jurisdiction"] is None
    with_plans = set(Plan.objects.values_list("jurisdiction__name", flat=True))
    assert [row["jurisdiction"] for row in admins[1:]] == sorted(
        with_plans, key=lambda name: Jurisdiction.objects.get(name=name).pk
    )
    assert all(row["jurisdiction"] for row in rows if row["role"] == "staff")
    by_place = {row["jurisdiction"]: row for row in admins[1:]}
    district_login = Client()
    assert district_login.login(username=by_place["站前区"]["username"], password=by_place["站前区"]["password"])
    page = district_login.get("/plans/").content.decode()
    assert Plan.objects.get(jurisdiction__name="站前区").title in page
    assert Plan.objects.get(jurisdiction__name="营口市").title not in page
    city_login = Client()
    assert city_login.login(username=by_place["营口市"]["username"], password=by_place["营口市"]["password"])
    page = city_login.get("/plans/").content.decode()
    assert Plan.objects.get(jurisdiction__name="站前区").title in page
    assert Plan.objects.get(jurisdiction__name="葫芦岛市").title not in page
    again = run_json("create_demo_users")
    assert [row["username"] for row in again] == [row["username"] for row in rows], "idempotent logins"
