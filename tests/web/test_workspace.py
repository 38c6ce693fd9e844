"""我的任务: scope, grouping, filters with counts, pagination and a constant number of queries."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks_app.models import Assignment, Report, WorkItem
from tasks_app.selectors import workspace
from tasks_app.services.reports import ReportDraft, report_get_or_start, report_save, report_submit
from tests.web.conftest import Web


def _rows(response) -> list[WorkItem]:
    return response.context["rows"]


def _mine(web: Web, *roles: str) -> set[int]:
    rows = Assignment.objects.filter(unit=web.p.education, item__is_active=True)
    if roles:
        rows = rows.filter(role__in=roles)
    return set(rows.values_list("item_id", flat=True))


def test_it_lists_exactly_the_items_of_the_users_unit_grouped_by_plan_and_section(client, web):
    client.force_login(web.p.owner)
    response = client.get(reverse("home"), {"page_size": 200})
    assert {row.pk for row in _rows(response)} == _mine(web)
    body = response.content.decode()
    assert body.count('class="group-plan"') == 1 and web.p.plan.title in body
    assert 'class="group-section"' in body and "优先发展教育事业" in body
    assert body.count('<div class="row') == len(_mine(web))


def test_it_hides_another_units_items(client, web):
    client.force_login(web.p.outsider)
    ids = {row.pk for row in _rows(client.get(reverse("home"), {"page_size": 200}))}
    assert web.lead_item.pk not in ids and ids
    assert ids == set(Assignment.objects.filter(unit=web.p.forestry).values_list("item_id", flat=True))


def test_it_filters_by_role_and_counts_each_role(client, web):
    client.force_login(web.p.owner)
    response = client.get(reverse("home"), {"role": "lead", "page_size": 200})
    assert {row.pk for row in _rows(response)} == _mine(web, "lead")
    roles = response.context["counts"]["roles"]
    assert roles == {role: len(_mine(web, role)) for role in ("lead", "responsible", "cooperating")}
    assert f"牵头({len(_mine(web, 'lead'))})" in response.content.decode()


def test_it_filters_by_report_status_and_counts_each_status(client, web):
    p = web.p
    # web fixture: a draft on lead_item. Submit one more on the indicator.
    report = report_get_or_start(user=p.owner, item=web.indicator_item, unit_id=p.education.id, cycle=p.cycle)
    data = ReportDraft(progress_status="done", progress="达到11.3年", actual_value_text="11.3")
    report_submit(report=report, user=p.owner, expected_version=report.version, data=data)
    client.force_login(p.owner)
    states = client.get(reverse("home")).context["counts"]["states"]
    # Cooperating items show the lead's report state; no lead has reported on them here.
    assert states == {"draft": 1, "submitted": 1, "none": len(_mine(web)) - 2}
    drafts = _rows(client.get(reverse("home"), {"status": "draft"}))
    assert [row.pk for row in drafts] == [web.lead_item.pk]
    submitted = _rows(client.get(reverse("home"), {"status": "submitted"}))
    assert [row.pk for row in submitted] == [web.indicator_item.pk]


def test_it_shows_a_cooperating_unit_the_lead_units_report_state(client, web):
    p = web.p
    lead_unit_id = Assignment.objects.filter(item=web.coop_item, role="lead").values_list("unit_id", flat=True)[0]
    report = report_get_or_start(user=web.coop_lead, item=web.coop_item, unit_id=lead_unit_id, cycle=p.cycle)
    report_save(report=report, user=web.coop_lead, data=ReportDraft(progress="x"), expected_version=1)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RETURNED)
    client.force_login(p.owner)
    rows = _rows(client.get(reverse("home"), {"status": "returned"}))
    assert [row.pk for row in rows] == [web.coop_item.pk]


def test_it_marks_overdue_items_by_cycle_due_date_and_deadline(web):
    p = web.p
    scope = frozenset({p.education.id})
    report = report_get_or_start(user=p.owner, item=web.indicator_item, unit_id=p.education.id, cycle=p.cycle)
    data = ReportDraft(progress_status="done", progress="完成", actual_value_text="11.3")
    report_submit(report=report, user=p.owner, expected_version=report.version, data=data)

    def overdue(today: date) -> set[int]:
        items = workspace.workspace_items(p.owner, scope=scope, today=today)
        return set(items.filter(is_overdue=True).values_list("pk", flat=True))

    after_due = overdue(date(2021, 3, 1))  # the 2020 cycle was due 2021-02-15
    assert after_due == _mine(web) - {web.indicator_item.pk}
    mid_2020 = overdue(date(2020, 6, 1))  # before the due date: only items whose own deadline passed
    early = set(WorkItem.objects.filter(pk__in=_mine(web), deadline__lt=date(2020, 6, 1)).values_list("pk", flat=True))
    assert mid_2020 == early - {web.indicator_item.pk}
    assert len(mid_2020) < len(after_due)


def test_it_searches_title_and_text(client, web):
    client.force_login(web.p.owner)
    rows = _rows(client.get(reverse("home"), {"q": "学前"}))
    assert [row.pk for row in rows] == [web.lead_item.pk]
    assert _rows(client.get(reverse("home"), {"q": "没有这样的词"})) == []


def test_it_counts_plans_and_filters_by_plan_for_the_office(client, web):
    client.force_login(web.p.admin)
    response = client.get(reverse("home"))
    counts = response.context["counts"]
    assert counts["plans"] == [(web.p.plan.pk, web.p.plan.title, web.p.plan.items.filter(is_active=True).count())]
    by_unit = client.get(reverse("home"), {"unit": web.p.education.pk, "page_size": 200})
    assert {row.pk for row in _rows(by_unit)} == _mine(web)
    assert (web.p.education.pk, "市教育局", len(_mine(web))) in counts["units"]
    assert 'name="unit"' in response.content.decode() and 'name="role"' not in response.content.decode()


def test_it_ignores_a_role_filter_for_the_office_without_a_unit(client, web):
    client.force_login(web.p.admin)
    response = client.get(reverse("home"), {"role": "lead", "plan": web.p.plan.pk})
    total = web.p.plan.items.filter(is_active=True).count()
    assert response.context["page_obj"].paginator.count == total
    assert f"全部({total})" in response.content.decode()


def test_it_paginates(client, web):
    client.force_login(web.p.admin)
    first = client.get(reverse("home"), {"page_size": 20})
    second = client.get(reverse("home"), {"page_size": 20, "page": 2})
    assert len(_rows(first)) == len(_rows(second)) == 20
    assert not {r.pk for r in _rows(first)} & {r.pk for r in _rows(second)}
    assert "下一页" in first.content.decode()


def test_it_marks_defaulted_deadlines(client, web):
    assert web.lead_item.deadline_defaulted
    client.force_login(web.p.owner)
    assert "默认:规划期末" in client.get(reverse("home"), {"q": "学前"}).content.decode()
    assert "默认:规划期末" in client.get(reverse("item", args=[web.lead_item.pk])).content.decode()


def _give_education(web: Web, count: int) -> None:
    """Make 市教育局 lead/cooperate on exactly ``count`` items, each with a report for some."""
    p = web.p
    Assignment.objects.filter(unit=p.education).delete()
    items = list(WorkItem.objects.filter(plan=p.plan, is_active=True).order_by("order")[:count])
    assert len(items) == count
    Assignment.objects.bulk_create(
        Assignment(item=item, unit=p.education, role="lead" if n % 2 else "cooperating", order=99)
        for n, item in enumerate(items)
    )
    Report.objects.bulk_create(
        (Report(item=item, unit=p.education, cycle=p.cycle, status="draft") for n, item in enumerate(items) if n % 2),
        ignore_conflicts=True,  # the web fixture already holds a draft on one of them
    )


def _queries(client, user, params: dict) -> tuple[int, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(_rows(response))


def test_it_runs_the_same_number_of_queries_for_10_and_200_items(client, web):
    _give_education(web, 10)
    few, rows_few = _queries(client, web.p.owner, {"page_size": 200})
    _give_education(web, 200)
    many, rows_many = _queries(client, web.p.owner, {"page_size": 200})
    assert (rows_few, rows_many) == (10, 200)
    assert few == many, (few, many)


def test_it_runs_the_same_number_of_queries_for_the_office_whatever_the_unit(client, web, settings):
    settings.OFFICE_SNAPSHOT_SECONDS = 0  # every read computes its facets (tests/test_snapshots.py: the kept reads)
    _give_education(web, 10)
    few, rows_few = _queries(client, web.p.admin, {"unit": web.p.education.pk, "page_size": 200})
    _give_education(web, 200)
    many, rows_many = _queries(client, web.p.admin, {"unit": web.p.education.pk, "page_size": 200})
    assert (rows_few, rows_many) == (10, 200) and few == many
