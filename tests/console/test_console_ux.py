"""Issue 16, the office side: the cycle-state rule, the defaults that follow the work, opening a cycle past its
due date, the plan list's filters and order, landing by role, the header and the read-only admin."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks_app.models import AuditEntry, Plan, Report, ReportingCycle
from tasks_app.rules.cycles import CycleState, cycle_state
from tasks_app.selectors.defaults import default_cycle_for, default_plan_for
from tasks_app.services.exports import export_cycle, export_request_check
from tasks_app.web.monitoring_views import monitoring_year
from tests.api.conftest import client_for
from tests.console.test_exports import read_workbook
from tests.personas import PASSWORD, Personas, make_user, web_client

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)
OPENED = timezone.now()


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "opened_at", "due", "state", "label"),
    [
        ("draft", None, TODAY + timedelta(days=30), CycleState.NOT_OPENED, "未开启"),
        ("closed", None, TODAY - timedelta(days=900), CycleState.NOT_OPENED, "未开启"),  # imported history
        ("open", OPENED, TODAY, CycleState.OPEN, "填报中"),  # the due date itself still counts
        ("open", OPENED, TODAY - timedelta(days=1), CycleState.PAST_DUE, "已截止"),
        ("closed", OPENED, TODAY - timedelta(days=1), CycleState.CLOSED, "已关闭"),
        ("closed", OPENED, TODAY + timedelta(days=9), CycleState.CLOSED, "已关闭"),
    ],
)
def test_it_tells_each_cycle_state_by_one_rule(status, opened_at, due, state, label):
    found = cycle_state(status=status, opened_at=opened_at, due_date=due, today=TODAY)
    assert found == state and found.label == label


def test_it_shows_imported_history_as_not_opened_and_never_asks_to_reopen_it(personas: Personas):
    p = personas
    old = ReportingCycle.objects.get(plan=p.plan, year=2018)
    assert old.status == ReportingCycle.Status.CLOSED and old.state == CycleState.NOT_OPENED
    page = web_client(p, "admin").get("/console/cycles/").content.decode()
    assert 'class="badge cycle-state-not_opened">未开启' in page
    assert 'class="badge cycle-state-past_due">已截止' in page  # 2020: open, due 2021-02-15
    assert "重新开启已关闭的2018" not in page
    api = Client()
    api.force_login(p.admin)
    row = api.get(f"/api/cycles/{old.pk}/").json()
    assert {"id", "plan", "year", "due_date", "status", "opened_at"} <= set(row)  # BRIEF §5 keys kept
    assert (row["status"], row["state"], row["state_label"]) == ("closed", "not_opened", "未开启")


def test_it_asks_only_for_a_truly_closed_cycle_to_be_reopened(personas: Personas):
    p = personas
    p.cycle.due_date = timezone.localdate() + timedelta(days=20)  # not past due: the one-click form
    p.cycle.save()
    web_client(p, "admin").post(f"/console/cycles/{p.cycle.pk}/close/")
    p.cycle.refresh_from_db()
    assert p.cycle.state == CycleState.CLOSED
    page = web_client(p, "admin").get("/console/cycles/").content.decode()
    assert "重新开启已关闭的2020年度周期" in page and page.count("重新开启已关闭的") == 1


# --- opening a cycle past its due date ----------------------------------------------------------------


def _late_cycle(p: Personas) -> ReportingCycle:
    """A cycle of last year, due ten days ago, never opened (the plan's period stretched to cover it)."""
    today = timezone.localdate()
    Plan.objects.filter(pk=p.plan.pk).update(period_end=today.year)
    return ReportingCycle.objects.create(plan=p.plan, year=today.year - 1, due_date=today - timedelta(days=10))


def test_it_says_the_due_date_is_past_and_opens_nothing_until_told(personas: Personas):
    p = personas
    late = _late_cycle(p)
    client = web_client(p, "admin")
    page = client.get("/console/cycles/").content.decode()
    assert f'href="/console/cycles/{late.pk}/open/?next=' in page  # a link to the question, not a blind POST
    response = client.post(f"/console/cycles/{late.pk}/open/")
    assert (
        response.status_code == 200
        and "已过" in response.content.decode()
        and "改期并开启" in response.content.decode()
    )
    late.refresh_from_db()
    assert late.status == ReportingCycle.Status.DRAFT and not AuditEntry.objects.filter(object_id=late.pk).exists()


def test_it_moves_the_due_date_and_opens_in_one_audited_step(personas: Personas):
    p = personas
    late = _late_cycle(p)
    today = timezone.localdate()
    new_due = min(today + timedelta(days=7), date(today.year, 12, 31))
    response = web_client(p, "admin").post(
        f"/console/cycles/{late.pk}/open/", {"move_due": "1", "due_date": new_due.isoformat()}
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == ReportingCycle.Status.OPEN and late.due_date == new_due and late.state == CycleState.OPEN
    audit = AuditEntry.objects.filter(object_type="cycle", object_id=late.pk).order_by("id")
    assert [sorted(a.after) for a in audit] == [["due_date"], ["status"]]
    assert all(a.actor == p.admin for a in audit)


def test_it_opens_late_as_it_is_when_told_so_and_refuses_an_impossible_date(personas: Personas):
    p = personas
    late = _late_cycle(p)
    client = web_client(p, "admin")
    refused = client.post(f"/console/cycles/{late.pk}/open/", {"move_due": "1", "due_date": "2001-01-01"}, follow=True)
    late.refresh_from_db()
    assert late.status == ReportingCycle.Status.DRAFT and "截止日期应在" in refused.content.decode()
    assert client.post(f"/console/cycles/{late.pk}/open/", {"keep_due": "1"}).status_code == 302
    late.refresh_from_db()
    assert late.state == CycleState.PAST_DUE


def test_it_shows_the_leader_the_question_without_buttons(personas: Personas):
    late = _late_cycle(personas)
    page = web_client(personas, "leader").get(f"/console/cycles/{late.pk}/open/").content.decode()
    assert "已过" in page and "改期并开启" not in page and "<form" not in page.split("<main")[1].split("</nav>")[1]


# --- defaults that follow the work -------------------------------------------------------------------


def _undivided_plan(p: Personas, *, year: int, status: str, due: date) -> ReportingCycle:
    plan = Plan.objects.create(
        title="某区国民经济和社会发展规划纲要",
        kind=Plan.Kind.PLAN,
        jurisdiction=p.plan.jurisdiction,
        period_start=year - 1,
        period_end=year + 3,
        source=p.plan.source,
    )
    return ReportingCycle.objects.create(plan=plan, year=year, due_date=due, status=status, opened_at=OPENED)


def test_it_defaults_to_the_open_cycle_of_a_divided_plan(personas: Personas):
    p = personas
    _undivided_plan(p, year=2024, status="open", due=timezone.localdate() + timedelta(days=5))  # newer, but empty
    user = get_user_model().objects.get(pk=p.admin.pk)
    with CaptureQueriesContext(connection) as queries:
        assert default_cycle_for(user) == p.cycle
        assert default_plan_for(user) == p.plan
    # set-based, cached for the request: role, the visible plans, (the divided ones: a snapshot), the cycles
    assert len(queries) <= 4, [q["sql"][:150] for q in queries.captured_queries]


def test_it_defaults_to_the_next_due_cycle_when_none_is_open(personas: Personas):
    p = personas
    ReportingCycle.objects.filter(pk=p.cycle.pk).update(status=ReportingCycle.Status.CLOSED)
    today = timezone.localdate()
    later = ReportingCycle.objects.create(plan=p.plan, year=2021, due_date=today + timedelta(days=60))
    sooner = ReportingCycle.objects.create(plan=p.plan, year=2015, due_date=today + timedelta(days=30))
    user = get_user_model().objects.get(pk=p.admin.pk)
    assert default_cycle_for(user) == sooner != later


@pytest.mark.usefixtures("eager")
def test_it_starts_the_export_without_a_year_the_api_and_the_console_on_the_same_cycle(
    personas: Personas, django_capture_on_commit_callbacks
):
    """One rule (rules.cycles.default_cycle): with no cycle open, the next one due, not the latest closed one
    holding reports (which the exports picked before)."""
    p = personas
    ReportingCycle.objects.filter(pk=p.cycle.pk).update(status=ReportingCycle.Status.CLOSED)
    item = p.plan.items.filter(assignments__unit=p.education).first()
    Report.objects.get_or_create(item=item, unit=p.education, cycle=p.cycle)  # the closed cycle holds a report
    upcoming = ReportingCycle.objects.create(
        plan=p.plan, year=p.cycle.year + 1, due_date=timezone.localdate() + timedelta(days=30)
    )
    user = get_user_model().objects.get(pk=p.admin.pk)
    console = default_cycle_for(user)
    exported = export_cycle(request=export_request_check(plan=p.plan, report="progress", year=None))
    with django_capture_on_commit_callbacks(execute=True):
        started = client_for(p.admin).post("/api/console/exports/", {"plan": p.plan.pk, "report": "progress"})
    assert started.status_code == 202, started.content
    download = client_for(p.admin).get(f"{started['Location']}download/")
    sheet = read_workbook(b"".join(download.streaming_content))
    assert console == exported == upcoming
    assert sheet["A1"].value == f"{p.plan.title} {upcoming.year}年度落实情况汇总表"
    assert monitoring_year(p.plan, None) == min(max(upcoming.year, p.plan.period_start), p.plan.period_end)


def test_it_has_no_default_for_unit_staff(personas: Personas):
    assert default_cycle_for(personas.owner) is None and default_plan_for(personas.owner) is None


def test_it_preselects_the_default_everywhere_a_cycle_or_plan_is_chosen(personas: Personas):
    p = personas
    _undivided_plan(p, year=2024, status="open", due=timezone.localdate() + timedelta(days=5))
    client = web_client(p, "admin")
    selected = f'<option value="{p.cycle.pk}" selected>2020年度 · 已截止'
    for url in ("/console/dashboard/", "/console/review/", "/console/outbox/"):
        page = client.get(url).content.decode()
        assert selected in page, url
        assert f'<optgroup label="营口市 · {p.plan.title}">' in page, url  # full names, grouped by plan
    form = client.get("/console/exports/").content.decode()
    assert f'<option value="{p.plan.pk}" selected>' in form and 'name="year" id="id_year" value="2020"' in form
    division = client.get("/console/division/").content.decode()
    assert f'<option value="{p.plan.pk}" selected>' in division
    everything = client.get("/console/review/?cycle=").content.decode()
    assert '<option value="" selected>' in everything or 'value="">全部周期' in everything


# --- the plan list -----------------------------------------------------------------------------------


def test_it_filters_the_plan_list_and_puts_open_cycles_first(personas: Personas):
    p = personas
    other = _undivided_plan(p, year=2024, status="draft", due=timezone.localdate() + timedelta(days=90))
    client = web_client(p, "admin")
    page = client.get("/console/cycles/").content.decode()
    assert page.index(f'id="plan-{p.plan.pk}"') < page.index(f'id="plan-{other.plan_id}"')
    assert "待审核 0" in page and "(0)" in page  # empty counts read (0), never ()
    only_draft = client.get("/console/cycles/", {"state": "not_opened", "kind": "plan"}).content.decode()
    assert f'id="plan-{other.plan_id}"' in only_draft and f'id="plan-{p.plan.pk}"' not in only_draft
    by_text = client.get("/console/cycles/", {"q": "营口市国民经济"}).content.decode()
    assert f'id="plan-{p.plan.pk}"' in by_text and f'id="plan-{other.plan_id}"' not in by_text
    nothing = client.get("/console/cycles/", {"jurisdiction": "999999"}).content.decode()
    assert "没有符合筛选条件的规划" in nothing


# --- landing, header, admin ----------------------------------------------------------------------------


def _login(username: str, next_url: str | None = None) -> tuple[Client, str]:
    client = Client()
    data = {"username": username, "password": PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data, follow=True)
    return client, response.redirect_chain[-1][0]


@pytest.mark.parametrize("next_url", [None, "/"])
def test_it_lands_the_office_on_the_console_and_staff_on_their_tasks(personas: Personas, next_url):
    assert _login("office", next_url)[1] == "/console/cycles/"
    assert _login("leader", next_url)[1] == "/console/cycles/"
    assert _login("owner", next_url)[1] == "/"
    assert _login("office", "/console/exports/")[1] == "/console/exports/"  # a real destination is kept


def test_it_shows_each_role_its_own_header(personas: Personas):
    p = personas
    office = web_client(p, "admin").get("/console/cycles/").content.decode().split("</header>")[0]
    assert ">规划办工作台</a>" in office and ">我的任务</a>" not in office and "系统管理" not in office
    both = make_user("office-and-unit", unit=p.education, office="reviewer")
    client = Client()
    client.force_login(both)
    header = client.get("/console/cycles/").content.decode().split("</header>")[0]
    assert ">规划办工作台</a>" in header and ">我的任务</a>" in header
    staff = web_client(p, "owner").get("/").content.decode().split("</header>")[0]
    assert ">我的任务</a>" in staff and "规划办工作台" not in staff
    root = get_user_model().objects.create_superuser("root", "root@example.cn", PASSWORD)
    client.force_login(root)
    assert ">系统管理</a>" in client.get("/console/cycles/").content.decode()


def test_it_keeps_the_admin_for_superusers_and_service_owned_rows_read_only(personas: Personas):
    p = personas
    staff_only = make_user("clerk", office="admin")
    get_user_model().objects.filter(pk=staff_only.pk).update(is_staff=True)
    client = Client()
    client.force_login(staff_only)
    assert client.get("/admin/").status_code == 302  # an office admin works in the console
    root = get_user_model().objects.create_superuser("root", "root@example.cn", PASSWORD)
    client.force_login(root)
    index = client.get("/admin/").content.decode()
    assert "系统管理" in index
    for model in ("reportingcycle", "plan", "report", "exportjob", "remindermessage", "auditentry"):
        assert client.get(f"/admin/tasks_app/{model}/add/").status_code == 403, model
    change = client.get(f"/admin/tasks_app/reportingcycle/{p.cycle.pk}/change/")
    assert change.status_code == 200 and 'name="status"' not in change.content.decode()
    assert client.post(f"/admin/tasks_app/reportingcycle/{p.cycle.pk}/change/", {"status": "closed"}).status_code == 403
    assert client.post(f"/admin/tasks_app/reportingcycle/{p.cycle.pk}/delete/", {"post": "yes"}).status_code == 403
    p.cycle.refresh_from_db()
    assert p.cycle.status == ReportingCycle.Status.OPEN
