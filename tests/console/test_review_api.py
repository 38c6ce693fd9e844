"""Console API (/api/console/): every endpoint × persona, refusals that change nothing, the review flow."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.models import Report
from tests.api.conftest import client_for
from tests.console.review_fixtures import Review, submitted_report

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "leader", "owner", "outsider", "anonymous")
READ = {"admin": 200, "leader": 200, "owner": 404, "outsider": 404, "anonymous": 401}
WRITE = {"admin": 200, "leader": 403, "owner": 404, "outsider": 404, "anonymous": 401}


def _endpoints(r: Review) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    pk, cycle, plan = r.report.pk, r.p.cycle.pk, r.p.plan.pk
    return [
        ("get", "/api/console/review/", None, READ),
        ("get", f"/api/console/reports/{pk}/history/", None, READ),
        ("get", f"/api/console/cycles/{cycle}/dashboard/", None, READ),
        ("post", f"/api/console/reports/{pk}/approve/", {}, WRITE),
        ("post", f"/api/console/reports/{pk}/return/", {"reason": "请补充"}, WRITE),
        ("post", "/api/console/reports/bulk-approve/", {"reports": [pk]}, WRITE),
        ("post", f"/api/console/cycles/{cycle}/close/", None, WRITE),
        ("post", f"/api/console/cycles/{cycle}/open/", None, WRITE),
        ("post", f"/api/console/cycles/{cycle}/due-date/", {"due_date": "2021-02-20"}, WRITE),
        ("get", f"/api/console/cycles/{cycle}/scores/", None, READ),
        ("get", f"/api/console/cycles/{cycle}/scoring-rule/", None, READ),
        ("put", f"/api/console/cycles/{cycle}/scoring-rule/", {"preset": "points"}, WRITE),
        ("post", f"/api/console/plans/{plan}/cadence/", {"frequency": "yearly"}, WRITE),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_gives_each_persona_the_expected_status(review: Review, persona: str):
    user = None if persona == "anonymous" else getattr(review.p, persona)
    for method, path, body, expected in _endpoints(review):
        if method in ("post", "put") and persona == "admin":
            continue  # the office's writes are exercised below, one by one
        before = (review.report.status, review.report.version)
        kwargs = {"format": "json", "data": body} if body is not None else {}
        response = getattr(client_for(user), method)(path, **kwargs)
        assert response.status_code == expected[persona], (path, response.content.decode()[:200])
        if response.status_code >= 400:
            assert response.json()["detail"]
        review.report.refresh_from_db()
        assert (review.report.status, review.report.version) == before


def test_it_documents_every_review_operation(review: Review):
    """Every operation of tasks_app.api.review_urls is documented and has a row in the matrix above
    (other console modules mount their own endpoints under /api/console/ with their own matrix)."""
    from tasks_app.api import review_urls

    mine = tuple("/api/console/" + re.sub(r"<str:pk>", "{id}", str(u.pattern)) for u in review_urls.urlpatterns)
    schema = client_for(review.p.admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    documented = {(method, path) for path, ops in schema["paths"].items() if path in mine for method in ops}
    covered = {(m, re.sub(r"/\d+/", "/{id}/", p)) for m, p, _, _ in _endpoints(review)}
    assert {path for _, path in documented} == set(mine)
    assert documented == covered


def test_it_refuses_a_return_without_a_reason(review: Review):
    client = client_for(review.p.admin)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = client.post(f"/api/console/reports/{review.report.pk}/return/", body, format="json")
        assert response.status_code == 400 and response.json() == {"detail": "退回必须填写理由"}
    review.report.refresh_from_db()
    assert review.report.status == Report.Status.SUBMITTED
    assert not review.report.versions.filter(action="return").exists()


def test_it_returns_and_approves_with_a_full_history(review: Review):
    p = review.p
    admin, owner = client_for(p.admin), client_for(p.owner)
    pk = review.report.pk
    response = admin.post(
        f"/api/console/reports/{pk}/return/", {"reason": "数据需核实", "version": review.report.version}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["review_reason"]) == ("returned", "数据需核实")
    seen = owner.get(f"/api/reports/{pk}/").json()
    assert seen["review_reason"] == "数据需核实"  # the unit sees why

    saved = owner.patch(f"/api/reports/{pk}/", {"version": body["version"], "progress": "已核实"}, format="json")
    submitted = owner.post(f"/api/reports/{pk}/submit/", {"version": saved.json()["version"]}, format="json")
    assert submitted.json()["status"] == "submitted"

    stale = admin.post(f"/api/console/reports/{pk}/approve/", {"version": body["version"]}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["status"] == "submitted"
    approved = admin.post(
        f"/api/console/reports/{pk}/approve/", {"version": submitted.json()["version"]}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    history = admin.get(f"/api/console/reports/{pk}/history/").json()
    assert [(h["action"], h["actor"], h["reason"]) for h in reversed(history)] == [
        ("save", "owner", ""),
        ("submit", "owner", ""),
        ("return", "office", "数据需核实"),
        ("save", "owner", ""),
        ("submit", "owner", ""),
        ("approve", "office", ""),
    ]
    again = admin.post(f"/api/console/reports/{pk}/approve/", {}, format="json")
    assert again.status_code == 400 and "只能审核已提交的报告" in again.json()["detail"]


def test_it_bulk_approves_only_submitted_reports(review: Review):
    p = review.p
    draft = Report.objects.create(item=review.others[0], unit=p.education, cycle=p.cycle)
    response = client_for(p.admin).post(
        "/api/console/reports/bulk-approve/",
        {"reports": [review.report.pk, draft.pk], "cycle": p.cycle.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"approved": [review.report.pk], "skipped": [draft.pk]}
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT and draft.version == 1


def test_it_lists_the_queue_in_a_constant_number_of_queries(review: Review):
    p = review.p
    client = client_for(p.admin)
    url = f"/api/console/review/?cycle={p.cycle.pk}&page_size=100"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        first = client.get(url).json()
    for item in review.others[:5]:
        submitted_report(p, item)
    assert client.get(url).json()["count"] == 6  # the count is a snapshot (api.common): renewed by the submissions
    with CaptureQueriesContext(connection) as more:
        second = client.get(url).json()
    assert (first["count"], second["count"]) == (1, 6)
    assert len(few) == len(more)
    assert client.get(f"/api/console/review/?cycle={p.cycle.pk}&status=approved").json()["count"] == 0
    assert client.get("/api/console/review/?status=bogus").status_code == 400


def test_it_manages_cycles_and_serves_the_dashboard(review: Review):
    p = review.p
    client = client_for(p.admin)
    cycle = p.cycle.pk
    assert (
        client.post(f"/api/console/cycles/{cycle}/due-date/", {"due_date": "2021-02-20"}, format="json").json()[
            "due_date"
        ]
        == "2021-02-20"
    )
    bad = client.post(f"/api/console/cycles/{cycle}/due-date/", {"due_date": "2030-01-01"}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"]
    assert client.post(f"/api/console/cycles/{cycle}/close/").json()["status"] == "closed"
    assert client.post(f"/api/console/cycles/{cycle}/open/").json()["status"] == "open"
    board = client.get(f"/api/console/cycles/{cycle}/dashboard/").json()
    assert board["totals"]["expected"] == 251 and board["totals"]["late"] == 1
    education = next(u for u in board["units"] if u["name"] == "市教育局")
    assert education["pending"] == 1
    assert {row["status"] for row in board["indicators"]} == {"无统计", "待定"}  # 待定: targets still pending
    assert client.get("/api/console/cycles/999999/dashboard/").status_code == 404
