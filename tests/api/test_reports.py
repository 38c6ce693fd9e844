"""/api/reports/ and /api/contributions/: drafts, submit, optimistic locking, open cycles only."""

from __future__ import annotations

import pytest

from tasks_app import access
from tasks_app.models import Contribution, Membership, Report, ReportVersion
from tasks_app.services.cycles import cycle_close
from tests.api.conftest import World, client_for
from tests.personas import items_of

pytestmark = pytest.mark.django_db


def test_it_starts_a_report_for_the_only_reporting_unit_and_the_open_cycle(world: World):
    p = world.p
    response = client_for(p.owner).post(
        "/api/reports/", {"item": world.fresh_report_item.id, "progress": "开始写"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"] == {"id": p.education.id, "name": "市教育局"}
    assert body["cycle"]["id"] == p.cycle.id and body["status"] == "draft"
    assert body["progress"] == "开始写" and body["updated_by"] == "owner"
    report = Report.objects.get(pk=body["id"])
    assert report.version == body["version"] and report.versions.count() == 1


def test_it_refuses_a_second_create_and_returns_the_existing_report(world: World):
    response = client_for(world.p.colleague).post(
        "/api/reports/", {"item": world.report_item.id, "progress": "会覆盖吗"}, format="json"
    )
    assert response.status_code == 409
    assert "已存在" in response.json()["detail"]
    assert response.json()["current"]["id"] == world.report.id
    world.report.refresh_from_db()
    assert world.report.progress == "已有进展"


def test_it_refuses_reports_from_a_unit_that_only_cooperates(world: World):
    response = client_for(world.p.owner).post("/api/reports/", {"item": world.cooperating_item.id}, format="json")
    assert response.status_code == 403
    assert "填报单位" in response.json()["detail"]


def test_it_accepts_reports_only_in_open_cycles(world: World):
    p = world.p
    closed = p.plan.cycles.exclude(pk=p.cycle.id).first()
    client = client_for(p.owner)
    response = client.post("/api/reports/", {"item": world.fresh_report_item.id, "cycle": closed.id}, format="json")
    assert response.status_code == 400 and "周期" in response.json()["detail"]
    cycle_close(cycle=p.cycle)
    response = client.post("/api/reports/", {"item": world.fresh_report_item.id}, format="json")
    assert response.status_code == 400 and "没有开启" in response.json()["detail"]
    patch = client.patch(
        f"/api/reports/{world.report.id}/", {"version": world.report.version, "progress": "x"}, format="json"
    )
    assert patch.status_code == 400
    assert not Report.objects.filter(item=world.fresh_report_item).exists()


def test_it_refuses_the_second_of_two_stale_saves_and_loses_no_text(world: World):
    p = world.p
    url = f"/api/reports/{world.report.id}/"
    owner, colleague = client_for(p.owner), client_for(p.colleague)
    loaded = owner.get(url).json()["version"]
    assert colleague.get(url).json()["version"] == loaded

    first = owner.patch(url, {"version": loaded, "progress": "甲写的进展", "problems": "甲写的问题"}, format="json")
    assert first.status_code == 200
    second = colleague.patch(url, {"version": loaded, "progress": "乙写的进展"}, format="json")

    assert second.status_code == 409
    body = second.json()
    assert "已被" in body["detail"] and "owner" in body["detail"]
    # the winner's text is intact, and the loser gets it back to merge with their own
    assert body["current"]["progress"] == "甲写的进展" and body["current"]["version"] == loaded + 1
    world.report.refresh_from_db()
    assert (world.report.progress, world.report.problems) == ("甲写的进展", "甲写的问题")
    assert ReportVersion.objects.filter(report=world.report).count() == 1


def test_it_keeps_fields_a_patch_does_not_send(world: World):
    client = client_for(world.p.owner)
    url = f"/api/reports/{world.report.id}/"
    client.patch(url, {"version": world.report.version, "problems": "资金不足"}, format="json")
    body = client.get(url).json()
    assert (body["progress"], body["problems"]) == ("已有进展", "资金不足")


def test_it_requires_a_version_to_save(world: World):
    response = client_for(world.p.owner).patch(f"/api/reports/{world.report.id}/", {"progress": "x"}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_it_submits_and_then_refuses_changes(world: World):
    client = client_for(world.p.owner)
    url = f"/api/reports/{world.report.id}/"
    stale = client.post(f"{url}submit/", {"version": world.report.version + 5}, format="json")
    assert stale.status_code == 409
    done = client.post(f"{url}submit/", {"version": world.report.version}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    version = done.json()["version"]
    refused = client.patch(url, {"version": version, "progress": "提交后再改"}, format="json")
    assert refused.status_code == 400 and "不能修改" in refused.json()["detail"]
    world.report.refresh_from_db()
    assert world.report.progress == "已有进展" and world.report.status == Report.Status.SUBMITTED


def test_it_refuses_to_submit_an_incomplete_report(world: World):
    p = world.p
    client = client_for(p.owner)
    started = client.post("/api/reports/", {"item": world.fresh_report_item.id}, format="json").json()
    response = client.post(f"/api/reports/{started['id']}/submit/", {"version": started["version"]}, format="json")
    assert response.status_code == 400 and "提交前请填写" in response.json()["detail"]


def test_it_filters_reports_by_item_and_status(world: World):
    client = client_for(world.p.admin)
    rows = client.get("/api/reports/", {"item": world.report_item.id}).json()["results"]
    assert [row["id"] for row in rows] == [world.report.id]
    assert client.get("/api/reports/", {"status": "submitted"}).json()["count"] == 0
    assert client.get("/api/reports/", {"status": "bogus"}).status_code == 400


def test_it_lets_a_cooperating_unit_write_its_contribution_once(world: World):
    p = world.p
    client = client_for(p.owner)
    created = client.post(
        "/api/contributions/", {"item": world.fresh_cooperating_item.id, "text": "配合完成调研"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["unit"]["name"] == "市教育局" and created.json()["version"] == 1
    again = client.post(
        "/api/contributions/", {"item": world.fresh_cooperating_item.id, "text": "覆盖?"}, format="json"
    )
    assert again.status_code == 409 and again.json()["current"]["text"] == "配合完成调研"
    # a reporting unit has no contribution to write on its own item
    lead = client.post("/api/contributions/", {"item": world.report_item.id, "text": "x"}, format="json")
    assert lead.status_code == 403


def test_it_refuses_a_stale_contribution_update(world: World):
    p = world.p
    url = f"/api/contributions/{world.contribution.id}/"
    ok = client_for(p.owner).patch(url, {"version": 1, "text": "甲的配合情况", "submit": True}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "submitted" and ok.json()["version"] == 2
    stale = client_for(p.colleague).patch(url, {"version": 1, "text": "乙的配合情况"}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["text"] == "甲的配合情况"
    assert Contribution.objects.get(pk=world.contribution.id).text == "甲的配合情况"


def test_it_shows_the_lead_its_cooperating_units_contributions(world: World):
    p = world.p
    item = next(item for item in items_of(p, relation="reports") if access.cooperating_unit_ids(item))
    other = access.cooperating_unit_ids(item)[0]
    Contribution.objects.create(item=item, unit_id=other, cycle=p.cycle, text="他单位的配合情况")
    rows = client_for(p.owner).get("/api/contributions/", {"item": item.id}).json()["results"]
    assert [row["text"] for row in rows] == ["他单位的配合情况"]
    assert client_for(p.outsider).get("/api/contributions/", {"item": item.id}).json()["count"] == 0


def test_it_asks_which_unit_when_the_user_reports_for_several(world: World):
    p = world.p
    item = world.fresh_report_item
    # a second unit in 市教育局's own reporting role, so the owner (member of both) holds two reporting units
    role = item.assignments.get(unit=p.education).role
    other_unit = p.forestry
    item.assignments.create(unit=other_unit, role=role, order=99)
    Membership.objects.create(user=p.owner, unit=other_unit)
    client = client_for(p.owner)
    ambiguous = client.post("/api/reports/", {"item": item.id}, format="json")
    assert ambiguous.status_code == 400 and "unit" in ambiguous.json()["detail"]
    chosen = client.post("/api/reports/", {"item": item.id, "unit": other_unit.id}, format="json")
    assert chosen.status_code == 201 and chosen.json()["unit"]["id"] == other_unit.id
    not_mine = client_for(p.colleague).post("/api/reports/", {"item": item.id, "unit": other_unit.id}, format="json")
    assert not_mine.status_code == 403
