"""Reporting periods of any cadence: labels and due dates (rules.periods), the periods an import creates,
`open_cycle --period`, the office changing a plan's cadence (console and API), and reminders per period."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tasks_app.access import CapabilityDenied
from tasks_app.models import AuditEntry, Plan, ReportingCycle
from tasks_app.parsing.types import DuePoint
from tasks_app.rules.periods import (
    PeriodError,
    period_due,
    period_of,
    periods_of,
    reminder_days_before,
)
from tasks_app.services.accounts import demo_users_create
from tasks_app.services.cycles import CycleError, cycle_close, cycle_open, plan_cadence_set
from tests.conftest import run_json
from tests.personas import web_client

# --- labels and due dates (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "frequency", "start", "end", "display"),
    [
        ("2022", "yearly", "2022-01-01", "2022-12-31", "2022年度"),
        ("2022H2", "half-yearly", "2022-07-01", "2022-12-31", "2022年下半年"),
        ("2024Q1", "quarterly", "2024-01-01", "2024-03-31", "2024年第一季度"),
        ("2022Q3", "quarterly", "2022-07-01", "2022-09-30", "2022年第三季度"),
        ("2024-02", "monthly", "2024-02-01", "2024-02-29", "2024年2月"),
    ],
)
def test_it_reads_a_period_label(label, frequency, start, end, display):
    period = period_of(label)
    assert (period.frequency, period.start.isoformat(), period.end.isoformat(), period.display) == (
        frequency,
        start,
        end,
        display,
    )


@pytest.mark.parametrize("label", ["2022Q5", "22Q1", "2022-13", "2022-7", "2022H3", "", "二〇二二"])
def test_it_refuses_a_label_that_names_no_period(label):
    with pytest.raises(PeriodError, match="无法识别的报送期"):
        period_of(label)


def test_it_lists_the_periods_of_a_cadence():
    assert [p.label for p in periods_of("quarterly", range(2022, 2024))][:5] == [
        "2022Q1",
        "2022Q2",
        "2022Q3",
        "2022Q4",
        "2023Q1",
    ]
    assert len(periods_of("monthly", [2022])) == 12
    with pytest.raises(PeriodError):
        periods_of("weekly", [2022])


def test_it_dates_each_period_by_the_documents_rule_or_ten_days_after_it():
    quarterly = [DuePoint(2, 25)]  # 每季度最后一个月25日前
    dues = [
        period_due(p, yearly_due=date(2023, 2, 15), rule_frequency="quarterly", due_points=quarterly)
        for p in periods_of("quarterly", [2022])
    ]
    assert [d.isoformat() for d in dues] == ["2022-03-25", "2022-06-25", "2022-09-25", "2022-12-25"]
    # a quarterly rule says nothing about months: the 10th of the next month
    july = period_due(
        period_of("2022-07"), yearly_due=date(2023, 2, 15), rule_frequency="quarterly", due_points=quarterly
    )
    assert july == date(2022, 8, 10)
    # a yearly period keeps the plan's yearly day whatever the finer rule says
    assert period_due(
        period_of("2022"), yearly_due=date(2023, 2, 15), rule_frequency="quarterly", due_points=quarterly
    ) == date(2023, 2, 15)
    half = [DuePoint(6, 5, "H1"), DuePoint(6, 10, "H2")]  # 7月5日前和次年1月10日前
    assert period_due(
        period_of("2022H2"), yearly_due=date(2023, 1, 10), rule_frequency="half-yearly", due_points=half
    ) == date(2023, 1, 10)
    december = period_due(
        period_of("2022-12"), yearly_due=date(2023, 2, 15), rule_frequency="monthly", due_points=[DuePoint(0, 25)]
    )
    assert december == date(2022, 12, 25)


def test_it_drops_reminder_steps_a_short_period_cannot_hold():
    steps = [30, 14, 7, 3, 1]
    assert reminder_days_before("yearly", steps) == steps
    assert reminder_days_before("quarterly", [60, 30, 14]) == [30, 14]
    assert reminder_days_before("monthly", steps) == [7, 3, 1]
    assert reminder_days_before("monthly", [30, 20]) == [1]


# --- importing and opening periods -----------------------------------------------------------------

QUARTERLY_NOTICE = """营口市人民政府办公室
营口市人民政府办公室关于印发营口市2027年优化营商环境重点工作任务分工的通知
各县(市、区)人民政府,市政府各部门:
现将《营口市2027年优化营商环境重点工作任务分工》印发给你们,请认真贯彻落实。
一、重点任务
1.推进学前教育普惠发展,新增普惠性学位1200个。(市教育局牵头,市财政局配合)
2.完善城乡居民基本医疗保险制度,提高财政补助标准。(市医疗保障局牵头,市财政局配合)
3.实施老旧小区改造工程,年内完成改造60个小区。(市住房城乡建设局牵头,市财政局、市教育局配合)
二、工作要求
各牵头单位要于每季度最后一个月25日前将工作进展情况报送市发展改革委,由市发展改革委汇总后报市政府。
营口市人民政府办公室
2027年1月8日
"""


def _import(tmp_path: Path, text: str = QUARTERLY_NOTICE) -> Plan:
    path = tmp_path / "notice.txt"
    path.write_text(text, encoding="utf-8")
    preview = run_json("import_document", str(path))
    return Plan.objects.get(pk=preview["plan_id"])


@pytest.mark.django_db
def test_it_creates_one_cycle_per_quarter_with_the_documents_due_days(tmp_path):
    plan = _import(tmp_path)
    assert plan.reporting_frequency == "quarterly"
    cycles = list(plan.cycles.order_by("due_date"))
    assert [(c.period, c.due_date.isoformat(), c.label) for c in cycles] == [
        ("2027Q1", "2027-03-25", "2027年第一季度"),
        ("2027Q2", "2027-06-25", "2027年第二季度"),
        ("2027Q3", "2027-09-25", "2027年第三季度"),
        ("2027Q4", "2027-12-25", "2027年第四季度"),
    ]
    assert {c.status for c in cycles} == {ReportingCycle.Status.DRAFT}  # none past yet: none sends mail
    assert plan.reminder_days_before == [14, 7, 3, 1]  # the quarterly default: no "30 days before"
    again = _import(tmp_path)
    assert again.pk == plan.pk and again.cycles.count() == 4  # re-importing creates nothing twice


@pytest.mark.django_db
def test_it_creates_periods_already_past_closed(tmp_path):
    plan = _import(tmp_path, QUARTERLY_NOTICE.replace("2027", "2025"))
    assert set(plan.cycles.values_list("status", flat=True)) == {ReportingCycle.Status.CLOSED}


@pytest.mark.django_db
def test_it_opens_a_period_from_the_command_line(tmp_path):
    plan = _import(tmp_path)
    out = StringIO()
    call_command("open_cycle", "--plan", str(plan.pk), "--period", "2027Q2", stdout=out)
    assert "2027年第二季度" in out.getvalue() and "2027-06-25" in out.getvalue()
    assert plan.cycles.get(period="2027Q2").status == ReportingCycle.Status.OPEN
    call_command("open_cycle", "--plan", str(plan.pk), "--year", "2027", stdout=StringIO())
    yearly = plan.cycles.get(period="2027")  # --year opens that year's yearly cycle, created on the way
    assert yearly.status == ReportingCycle.Status.OPEN and yearly.due_date == date(2028, 2, 15)
    with pytest.raises(CommandError, match="无法识别的报送期"):
        call_command("open_cycle", "--plan", str(plan.pk), "--period", "2027Q9")
    with pytest.raises(CommandError, match="不在规划期"):
        call_command("open_cycle", "--plan", str(plan.pk), "--period", "2031-03")
    with pytest.raises(CommandError):
        call_command("open_cycle", "--plan", str(plan.pk), "--period", "2027Q1", "--year", "2027")


@pytest.mark.django_db
def test_it_changes_a_plans_cadence_audited_and_keeps_existing_cycles(tmp_path, personas):
    plan = _import(tmp_path)
    cycle_open(plan=plan, period="2027Q1")
    created = plan_cadence_set(plan=plan, frequency="monthly", user=personas.admin)
    assert created == 12
    plan.refresh_from_db()
    assert plan.reporting_frequency == "monthly" and plan.reminder_days_before == [7, 3, 1]
    assert plan.cycles.get(period="2027Q1").status == ReportingCycle.Status.OPEN  # history stays
    assert plan.cycles.get(period="2027-07").due_date == date(2027, 8, 10)  # no monthly day in the text
    entry = AuditEntry.objects.filter(object_type="plan", object_id=plan.pk, action=AuditEntry.Action.CYCLE).get()
    assert entry.before == {"reporting_frequency": "quarterly"} and entry.after == {"reporting_frequency": "monthly"}
    with pytest.raises(CycleError):
        plan_cadence_set(plan=plan, frequency="weekly", user=personas.admin)
    with pytest.raises(CapabilityDenied):
        plan_cadence_set(plan=plan, frequency="yearly", user=personas.leader)


@pytest.mark.django_db
def test_it_sets_the_cadence_from_the_console_and_the_api(personas):
    p = personas
    admin = web_client(p, "admin")
    response = admin.post(f"/console/plans/{p.plan.pk}/cadence/", {"frequency": "half-yearly"})
    assert response.status_code == 302
    p.plan.refresh_from_db()
    assert p.plan.reporting_frequency == "half-yearly"
    periods = set(p.plan.cycles.values_list("period", flat=True))
    assert {f"{p.plan.period_start}H1", f"{p.plan.period_end}H2"} <= periods
    page = admin.get("/console/cycles/").content.decode()
    assert "报送频次" in page and f"{p.plan.period_end}年下半年" in page
    api = admin.post(
        f"/api/console/plans/{p.plan.pk}/cadence/", {"frequency": "quarterly"}, content_type="application/json"
    )
    assert api.status_code == 200
    body = api.json()
    assert body["frequency"] == "quarterly" and body["created"] == 4 * (p.plan.period_end - p.plan.period_start + 1)
    assert {"period", "period_label", "frequency"} <= set(body["cycles"][0])
    bad = admin.post(
        f"/api/console/plans/{p.plan.pk}/cadence/", {"frequency": "weekly"}, content_type="application/json"
    )
    assert bad.status_code == 400
    listed = admin.get(f"/api/cycles/?plan={p.plan.pk}&period={p.plan.period_start}Q2").json()
    assert [c["period_label"] for c in listed["results"]] == [f"{p.plan.period_start}年第二季度"]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status"), [("leader", 403), ("owner", 404), ("outsider", 404)])
def test_it_lets_only_cycle_managers_change_the_cadence(personas, persona, status):
    p = personas
    client = web_client(p, persona)
    assert client.post(f"/console/plans/{p.plan.pk}/cadence/", {"frequency": "monthly"}).status_code == status
    api = client.post(
        f"/api/console/plans/{p.plan.pk}/cadence/", {"frequency": "monthly"}, content_type="application/json"
    )
    assert api.status_code == status
    p.plan.refresh_from_db()
    assert p.plan.reporting_frequency == "yearly"


@pytest.mark.django_db
def test_it_hides_another_jurisdictions_plan_from_the_cadence_form(district):
    from django.test import Client

    client = Client()
    client.force_login(district.sibling_admin)
    assert client.post(f"/console/plans/{district.plan.pk}/cadence/", {"frequency": "monthly"}).status_code == 404


# --- reminders per period --------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_reminds_each_open_quarter_at_its_own_steps_once_and_never_a_closed_one(tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plan = _import(tmp_path)
    demo_users_create()
    q1 = cycle_open(plan=plan, period="2027Q1")
    cycle_open(plan=plan, period="2027Q2")
    first = run_json("send_reminders", "--as-of", "2027-03-11")  # 14 days before 25 March
    ours = [m for m in first["messages"] if m["period"].startswith("2027Q")]
    assert ours and {(m["period"], m["kind"], m["days"]) for m in ours} == {("2027Q1", "before", 14)}
    assert {m["department"] for m in ours} == {"市教育局", "市医疗保障局", "市住房城乡建设局"}
    assert any("2027年第一季度" in message.subject for message in mail.outbox)
    again = run_json("send_reminders", "--as-of", "2027-03-11")
    assert [m for m in again["messages"] if m["period"].startswith("2027Q")] == []
    cycle_close(cycle=q1)
    later = run_json("send_reminders", "--as-of", "2027-06-11")  # Q2's 14-day step; Q1 is closed
    periods = {(m["period"], m["kind"], m["days"]) for m in later["messages"] if m["period"].startswith("2027Q")}
    assert periods == {("2027Q2", "before", 14)}
    assert all(json.dumps(m, ensure_ascii=False) for m in later["messages"])


@pytest.mark.django_db
def test_it_sets_a_plans_traffic_light_window_from_the_cycles_page(personas):
    p = personas
    admin = web_client(p, "admin")
    assert admin.post(f"/console/plans/{p.plan.pk}/light-window/", {"days": "3"}).status_code == 302
    p.plan.refresh_from_db()
    assert p.plan.light_warning_days == 3
    entry = AuditEntry.objects.filter(object_type="plan", object_id=p.plan.pk).latest("at")
    assert entry.before == {"light_warning_days": None} and entry.after == {"light_warning_days": 3}
    refused = admin.post(f"/console/plans/{p.plan.pk}/light-window/", {"days": "99"}, follow=True)
    assert "黄灯提前天数应在 0 到 60 天之间" in refused.content.decode()
    admin.post(f"/console/plans/{p.plan.pk}/light-window/", {"days": ""})
    p.plan.refresh_from_db()
    assert p.plan.light_warning_days is None  # empty: the installation's default again
    page = admin.get("/console/cycles/").content.decode()
    assert "黄灯提前天数" in page
    assert web_client(p, "leader").post(f"/console/plans/{p.plan.pk}/light-window/", {"days": "5"}).status_code == 403
    assert web_client(p, "owner").post(f"/console/plans/{p.plan.pk}/light-window/", {"days": "5"}).status_code == 404
