"""/api/tasks/, the token endpoint, pagination and the schema (the issue's Must-show items)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

from tasks_app.models import Assignment, Report, WorkItem
from tests.api.conftest import assignment_item_ids, client_for, education_reports_on, forestry_only
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_lists_exactly_the_items_that_name_the_owners_unit(personas):
    p = personas
    body = client_for(p.owner).get("/api/tasks/", {"page_size": 500}).json()
    expected = assignment_item_ids(p, p.education)
    assert len(expected) > 10  # a real scope, not a trivial one
    assert body["count"] == len(expected) and body["next"] is None
    assert {row["id"] for row in body["results"]} == expected
    for row in body["results"]:
        assert "市教育局" in row["lead"] + row["cooperating"] + row["responsible"]


def test_it_answers_404_for_another_units_item(personas):
    p = personas
    other = forestry_only(p)
    response = client_for(p.owner).get(f"/api/tasks/{other.id}/")
    assert response.status_code == 404
    assert "权限范围" in response.json()["detail"]
    assert client_for(p.outsider).get(f"/api/tasks/{other.id}/").status_code == 200


def test_it_refuses_anonymous_requests(personas):
    response = APIClient().get("/api/tasks/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_it_publishes_a_schema_with_the_tasks_and_reports_paths(personas):
    assert APIClient().get("/api/schema/").status_code == 401, "the API map is for signed-in users"
    client = APIClient()
    client.force_authenticate(personas.owner)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/tasks/", "/api/tasks/{id}/", "/api/reports/", "/api/reports/{id}/submit/"):
        assert path in schema["paths"], path
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_it_serves_swagger_ui_from_local_assets(personas):
    client = APIClient()
    client.force_authenticate(personas.owner)
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    # shipped as a static file (collectstatic copies it; whitenoise serves it)
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_it_gives_a_row_every_field_of_the_division(personas):
    p = personas
    item = education_reports_on(p)
    row = client_for(p.owner).get(f"/api/tasks/{item.id}/").json()
    assert row["plan"] == {"id": p.plan.id, "title": p.plan.title}
    assert row["source"] == {"file": p.plan.source.file_name, "lines": [item.line_start, item.line_end]}
    roles = {
        role: list(
            Assignment.objects.filter(item=item, role=role).order_by("order").values_list("unit__name", flat=True)
        )
        for role in ("lead", "cooperating", "responsible")
    }
    assert {role: row[role] for role in roles} == roles
    assert row["deadline"] == (item.deadline.isoformat() if item.deadline else None)
    assert row["milestones"] == [{"date": m.date.isoformat(), "text": m.text} for m in item.milestones.all()]
    for key in ("section", "kind", "number", "title", "text", "deadline_text", "deadline_defaulted", "and_others"):
        assert key in row


def test_it_shows_indicator_details_for_indicators_only(personas):
    p = personas
    client = client_for(p.admin)
    indicator = WorkItem.objects.filter(plan=p.plan, kind="binding").first()
    task = WorkItem.objects.filter(plan=p.plan, kind="task").first()
    detail = client.get(f"/api/tasks/{indicator.id}/").json()["indicator"]
    assert detail["target_text"] == indicator.indicator.target_text
    assert client.get(f"/api/tasks/{task.id}/").json()["indicator"] is None


def test_it_filters_by_kind_role_unit_text_and_plan(personas):
    p = personas
    client = client_for(p.owner)

    def ids(**params) -> set[int]:
        body = client.get("/api/tasks/", {"page_size": 500, **params}).json()
        return {row["id"] for row in body["results"]}

    lead = set(Assignment.objects.filter(unit=p.education, role="lead").values_list("item_id", flat=True))
    assert ids(role="lead") == lead
    binding = set(WorkItem.objects.filter(plan=p.plan, kind="binding").values_list("id", flat=True))
    assert ids(kind="binding") == binding & assignment_item_ids(p, p.education)
    # unit by name or id, always inside the user's scope
    forestry_shared = assignment_item_ids(p, p.forestry) & assignment_item_ids(p, p.education)
    assert ids(unit="市林业局") == forestry_shared == ids(unit=str(p.forestry.id))
    assert ids(q="学前教育") and all("学前教育" in WorkItem.objects.get(pk=i).text for i in ids(q="学前教育"))
    assert ids(plan=p.plan.id) == assignment_item_ids(p, p.education)
    assert ids(plan=p.plan.id + 999) == set()
    assert client.get("/api/tasks/", {"kind": "nonsense"}).status_code == 400


def test_it_filters_overdue_items_until_the_unit_submits(personas):
    p = personas  # the 2020 cycle is due 2021-02-15: long past, so every unsubmitted item is overdue
    client = client_for(p.owner)
    item = education_reports_on(p)

    def overdue_ids() -> set[int]:
        return {row["id"] for row in client.get("/api/tasks/", {"overdue": "true", "page_size": 500}).json()["results"]}

    assert item.id in overdue_ids()
    Report.objects.create(item=item, unit=p.education, cycle=p.cycle, status=Report.Status.SUBMITTED)
    assert item.id not in overdue_ids()
    not_overdue = {
        row["id"] for row in client.get("/api/tasks/", {"overdue": "false", "page_size": 500}).json()["results"]
    }
    assert item.id in not_overdue


def test_it_hands_out_a_token_for_good_credentials_only(personas):
    p = personas
    client = APIClient()
    good = client.post("/api/auth/token/", {"username": "owner", "password": PASSWORD}, format="json")
    assert good.status_code == 200
    token = good.json()["token"]
    bad = client.post("/api/auth/token/", {"username": "owner", "password": "wrong"}, format="json")
    assert bad.status_code == 400 and "用户名或密码错误" in bad.json()["detail"]
    missing = client.post("/api/auth/token/", {"username": "owner"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/tasks/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/tasks/").status_code == 401
    p.owner.is_active = False
    p.owner.save()
    refused = APIClient().post("/api/auth/token/", {"username": "owner", "password": PASSWORD}, format="json")
    assert refused.status_code == 400


def test_it_pages_with_a_default_of_50_and_caps_page_size_at_500(personas):
    p = personas
    client = client_for(p.admin)
    first = client.get("/api/tasks/").json()
    assert len(first["results"]) == 50 and first["next"] and first["previous"] is None
    total = first["count"]
    assert total > 200
    # more rows than the cap: three years of reports on every item
    cycles = list(p.plan.cycles.order_by("year")[:3])
    items = list(WorkItem.objects.filter(plan=p.plan).prefetch_related("assignments"))
    Report.objects.bulk_create(
        Report(item=item, unit_id=item.assignments.all()[0].unit_id, cycle=cycle)
        for cycle in cycles
        for item in items
        if item.assignments.all()
    )
    capped = client.get("/api/reports/", {"page_size": 1000}).json()
    assert capped["count"] > 500
    assert len(capped["results"]) == 500 and capped["next"]


def test_it_generates_a_schema_that_validates_without_warnings(tmp_path):
    # drf-spectacular validates against the OpenAPI 3 meta-schema; a warning means weak inference
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/reports/{id}/submit/:" in (tmp_path / "schema.yaml").read_text(encoding="utf-8")
