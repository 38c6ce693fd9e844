"""Periods lock through the unit's pages: a closed cycle unlocked for 市教育局 is its report cycle again (banner,
save, submit, contribution), and no other unit's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks_app.models import Assignment, Contribution, Report, WorkItem
from tasks_app.selectors.workspace import open_cycle_ids
from tasks_app.services.cycle_unlocks import cycle_unlock_for_unit, cycle_unlock_revoke
from tasks_app.services.cycles import cycle_close
from tests.web.conftest import FULL_REPORT, Web, report_of


@pytest.fixture
def unlocked(web: Web):
    p = web.p
    cycle_close(cycle=p.cycle, user=p.admin)
    until = timezone.localdate() + timedelta(days=10)
    return cycle_unlock_for_unit(user=p.admin, cycle=p.cycle, unit_id=p.education.pk, until=until, reason="补报材料")


def _forestry_item(web: Web) -> WorkItem:
    row = (
        Assignment.objects.reporting()
        .filter(unit=web.p.forestry, item__plan=web.p.plan, item__is_active=True)
        .exclude(item__assignments__unit=web.p.education)
        .select_related("item")
        .first()
    )
    assert row is not None
    return row.item


def test_it_lets_the_unlocked_unit_save_and_submit_in_the_closed_cycle(client, web, unlocked):
    client.force_login(web.p.owner)
    url = reverse("report", args=[web.lead_item.pk])
    page = client.get(url).content.decode()
    label = f"{unlocked.until.month}月{unlocked.until.day}日"
    assert f"规划办已为本单位解锁 {web.p.cycle.label},可修改至 {label}" in page
    assert 'name="action"' in page  # the form, not the read-only view
    saved = client.post(url, {**FULL_REPORT, "version": "2", "action": "save"})
    assert saved.status_code == 302
    report = report_of(web.lead_item, web.p.education)
    assert report.cycle_id == web.p.cycle.pk and report.progress == FULL_REPORT["progress"]
    submitted = client.post(url, {**FULL_REPORT, "version": str(report.version), "action": "submit"})
    assert submitted.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    item_page = client.get(reverse("item", args=[web.lead_item.pk])).content.decode()
    assert f'href="{url}"' in item_page and web.p.cycle.label in item_page


def test_it_lets_the_unlocked_unit_write_its_contribution(client, web, unlocked):
    client.force_login(web.p.owner)
    url = reverse("contribution", args=[web.coop_item.pk])
    assert "规划办已为本单位解锁" in client.get(url).content.decode()
    assert client.post(url, {"text": "补充配合情况", "version": "0", "action": "submit"}).status_code == 302
    row = Contribution.objects.get(item=web.coop_item, unit=web.p.education)
    assert row.cycle_id == web.p.cycle.pk and row.status == Contribution.Status.SUBMITTED


def test_it_keeps_the_closed_cycle_locked_for_every_other_unit(client, web, unlocked):
    p = web.p
    client.force_login(p.outsider)
    item = _forestry_item(web)
    url = reverse("report", args=[item.pk])
    page = client.get(url).content.decode()
    assert "规划办已为本单位解锁" not in page and 'name="action"' not in page
    refused = client.post(url, {**FULL_REPORT, "version": "0", "action": "save"})
    assert refused.status_code == 400
    assert not Report.objects.filter(item=item, unit=p.forestry).exists()
    client.force_login(web.finance)  # cooperates on 市教育局's item: the unlock is not 市财政局's
    coop = reverse("contribution", args=[web.lead_item.pk])
    assert client.post(coop, {"text": "配合", "version": "0", "action": "save"}).status_code == 400
    assert not Contribution.objects.filter(item=web.lead_item).exists()
    assert p.cycle.pk in open_cycle_ids(p.owner) and p.cycle.pk not in open_cycle_ids(p.outsider)


def test_it_locks_the_cycle_again_once_the_unlock_is_revoked(client, web, unlocked):
    cycle_unlock_revoke(user=web.p.admin, unlock=unlocked)
    client.force_login(web.p.owner)
    url = reverse("report", args=[web.lead_item.pk])
    page = client.get(url).content.decode()
    assert "规划办已为本单位解锁" not in page and 'name="action"' not in page
    refused = client.post(url, {**FULL_REPORT, "version": "2", "action": "save"})
    assert refused.status_code == 400
    assert report_of(web.lead_item, web.p.education).progress == "初稿"


def test_it_lists_a_returned_report_of_the_unlocked_cycle_as_to_do(web, unlocked):
    from tasks_app.selectors.workspace_todo import workspace_todo

    p = web.p
    Report.objects.filter(item=web.lead_item, unit=p.education).update(
        status=Report.Status.RETURNED, review_reason="请补充"
    )
    today = timezone.localdate()
    assert [r.item_id for r in workspace_todo(p.owner, today=today).returned] == [web.lead_item.pk]
    cycle_unlock_revoke(user=p.admin, unlock=unlocked)
    assert workspace_todo(p.owner, today=today).returned == []
