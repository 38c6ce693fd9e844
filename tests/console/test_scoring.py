"""Unit scoring (考核): the points rule, the ranking every face reads (page, dashboard, API, 通报 workbook),
the rule's editor and its gates."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tasks_app.capabilities import Capability
from tasks_app.exporters import registry
from tasks_app.models import AuditEntry, Report
from tasks_app.rules.scoring import (
    DEFAULT_RULE,
    PRESETS,
    Outcome,
    ScoringRule,
    ScoringRuleError,
    UnitRecord,
    ranks,
    scoring_rule_from,
    unit_scores,
)
from tasks_app.selectors.console import cycle_dashboard
from tasks_app.selectors.scoring import cycle_scores
from tasks_app.services.review import report_return
from tasks_app.services.scoring import ScoringError, plan_scoring_rule_set
from tests.console.review_fixtures import Review, submitted_report
from tests.personas import web_client

# --- the pure rule ---------------------------------------------------------------------------------


def test_it_adds_the_default_points():
    [score] = unit_scores([UnitRecord(1, on_time=3, late=1, missing=2, returns=1)], rule=DEFAULT_RULE)
    assert score.score == 3 - 1 - 10 - 2
    assert score.on_time_rate == pytest.approx(3 / 6)
    assert score.reasons(DEFAULT_RULE) == [
        "按时报送 3 项 +3",
        "逾期报送 1 项 −1",
        "未报送 2 项 −10",
        "退回修改 1 次 −2",
    ]


def test_it_floors_a_hundred_point_scale():
    rule = PRESETS["deduction"]
    [good, bad] = unit_scores([UnitRecord(1, on_time=5), UnitRecord(2, missing=20)], rule=rule)
    assert (good.unit_id, good.score) == (1, 100.0)
    assert (bad.unit_id, bad.score) == (2, 0.0)  # 100 − 200, floored


def test_it_counts_nothing_pending_and_has_no_rate_before_anything_is_due():
    [score] = unit_scores([UnitRecord(1, pending=4)], rule=DEFAULT_RULE)
    assert score.score == 0 and score.on_time_rate is None and score.outcomes[Outcome.PENDING] == 4


def test_it_ranks_ties_alike_and_breaks_them_by_on_time_rate():
    scores = unit_scores(
        [UnitRecord(1, on_time=1, late=1), UnitRecord(2, on_time=2, late=0, returns=1), UnitRecord(3, on_time=4)],
        rule=DEFAULT_RULE,
    )
    assert [s.unit_id for s in scores] == [3, 2, 1]  # 4; 0 at 100 % on time; 0 at 50 %
    assert ranks(scores) == [1, 2, 2]


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"on_time": "abc"}, "不是数字"),
        ({"late": True}, "不是数字"),
        ({"missing": 1e9}, "之间"),
        ({"bonus": 1}, "未知项"),
        ({"base": None}, "缺少"),
    ],
)
def test_it_refuses_a_rule_that_cannot_be_used(stored, message):
    with pytest.raises(ScoringRuleError, match=message):
        scoring_rule_from(stored)


def test_it_reads_an_empty_rule_as_the_default_and_keeps_missing_keys():
    assert scoring_rule_from({}) == DEFAULT_RULE
    assert scoring_rule_from({"missing": -3}) == ScoringRule(missing=-3.0)


# --- the ranking as the faces read it --------------------------------------------------------------


def _at(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def season(review: Review) -> Review:
    """市教育局 in the 2020 cycle (due 2021-02-15): 1 on time, 1 late, 1 returned twice and resubmitted."""
    p = review.p
    late = submitted_report(p, review.others[0])
    returned = submitted_report(p, review.others[1])
    Report.objects.filter(pk=review.report.pk).update(submitted_at=_at(2021, 2, 15, 23, 59))
    Report.objects.filter(pk=late.pk).update(submitted_at=_at(2021, 2, 16, 0, 1))
    for _ in range(2):
        report_return(report=Report.objects.get(pk=returned.pk), user=p.admin, reason="请补充数据")
        returned = submitted_report(p, review.others[1])
    Report.objects.filter(pk=returned.pk).update(submitted_at=_at(2021, 2, 14, 9))
    return review


def _row(board, unit_id):
    return next(row for row in board.rows if row.unit_id == unit_id)


@pytest.mark.django_db
def test_it_scores_with_the_dashboards_counts(season: Review):
    p = season.p
    after_due = date(2021, 3, 1)
    board = cycle_scores(p.cycle, today=after_due)
    education = _row(board, p.education.pk)
    tally = next(u for u in cycle_dashboard(p.cycle).units if u.unit_id == p.education.pk)
    outcomes = education.score.outcomes
    assert (outcomes[Outcome.ON_TIME], outcomes[Outcome.LATE], outcomes[Outcome.MISSING]) == (
        tally.on_time,
        tally.late,
        tally.missing,
    )
    assert (tally.on_time, tally.late) == (2, 1)
    assert education.score.returns == 2
    assert education.score.score == 2 * 1 - 1 - 5 * tally.missing - 2 * 2
    forestry = _row(board, p.forestry.pk)
    assert forestry.score.score == -5 * forestry.score.outcomes[Outcome.MISSING]
    assert board.rows[0].score.score >= board.rows[-1].score.score


@pytest.mark.django_db
def test_it_deducts_nothing_for_missing_reports_before_the_due_date(season: Review):
    p = season.p
    board = cycle_scores(p.cycle, today=date(2021, 2, 1))
    education = _row(board, p.education.pk)
    assert not board.due_passed
    assert education.score.outcomes[Outcome.MISSING] == 0 and education.score.outcomes[Outcome.PENDING] > 0


@pytest.mark.django_db
def test_it_changes_the_rule_audited_and_refuses_a_bad_one(season: Review):
    p = season.p
    plan_scoring_rule_set(plan=p.plan, user=p.admin, preset="deduction")
    p.plan.refresh_from_db()
    assert cycle_scores(p.cycle).rule == PRESETS["deduction"]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.SCORING, object_id=p.plan.pk).get()
    assert entry.before["missing"] == DEFAULT_RULE.missing and entry.after["base"] == 100
    with pytest.raises(ScoringError):
        plan_scoring_rule_set(plan=p.plan, user=p.admin, values={"late": "x"})
    with pytest.raises(ScoringError):
        plan_scoring_rule_set(plan=p.plan, user=p.admin, preset="lottery")
    p.plan.refresh_from_db()
    assert p.plan.scoring_rule["base"] == 100  # the refused changes wrote nothing


@pytest.mark.django_db
def test_it_lets_only_cycle_managers_change_the_rule(season: Review):
    p = season.p
    from tasks_app.access import CapabilityDenied

    with pytest.raises(CapabilityDenied):
        plan_scoring_rule_set(plan=p.plan, user=p.leader, preset="deduction")
    assert Capability.MANAGE_CYCLES  # the capability the page, the API and the service declare


@pytest.mark.django_db
def test_it_shows_the_same_ranking_on_the_page_the_dashboard_the_api_and_the_workbook(season: Review):
    p = season.p
    board = cycle_scores(p.cycle)
    education = _row(board, p.education.pk)
    client = web_client(p, "admin")
    page = client.get(f"/console/scoring/?cycle={p.cycle.pk}").content.decode()
    assert p.education.name in page and "保存计分规则" in page
    assert f"<b>{education.score.score:g}</b>" in page
    dashboard = client.get(f"/console/dashboard/?cycle={p.cycle.pk}").content.decode()
    top = board.rows[0]
    assert "考核排名" in dashboard and f"<span>{top.name}</span> <b>{top.score.score:g} 分</b>" in dashboard
    api = client.get(f"/api/console/cycles/{p.cycle.pk}/scores/").json()
    row = next(r for r in api["units"] if r["unit_id"] == p.education.pk)
    assert (row["rank"], row["score"], row["returns"]) == (education.rank, education.score.score, 2)
    exporter = registry.find("scoring")(plan=p.plan, cycle=p.cycle)
    out = io.BytesIO()
    exporter.write(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    workbook_row = next(r for r in rows if r[1] == p.education.name)
    assert (workbook_row[0], workbook_row[2], workbook_row[7]) == (education.rank, education.score.score, 2)
    assert "退回修改 2 次 −4" in workbook_row[9]


@pytest.mark.django_db
def test_it_saves_the_rule_from_the_page_and_the_api(season: Review):
    p = season.p
    client = web_client(p, "admin")
    fields = {"preset": "custom", "base": 60, "on_time": 2, "late": 0, "missing": -4, "returned": -1, "floor": ""}
    response = client.post(f"/console/scoring/?cycle={p.cycle.pk}", fields)
    assert response.status_code == 302
    p.plan.refresh_from_db()
    assert scoring_rule_from(p.plan.scoring_rule) == ScoringRule(base=60, on_time=2, late=0, missing=-4, returned=-1)
    bad = client.post(f"/console/scoring/?cycle={p.cycle.pk}", {**fields, "on_time": "很多"})
    assert bad.status_code == 200 and "保存计分规则" in bad.content.decode()
    api = client.put(
        f"/api/console/cycles/{p.cycle.pk}/scoring-rule/", {"preset": "points"}, content_type="application/json"
    )
    assert api.status_code == 200 and api.json()["missing"] == -5
    refused = client.put(
        f"/api/console/cycles/{p.cycle.pk}/scoring-rule/", {"late": 5000}, content_type="application/json"
    )
    assert refused.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [("admin", 200, 200), ("leader", 200, 403), ("owner", 404, 404), ("outsider", 404, 404)],
)
def test_it_gates_the_page_and_the_api_by_persona(season: Review, persona, read, write):
    p = season.p
    client = web_client(p, persona)
    assert client.get(f"/console/scoring/?cycle={p.cycle.pk}").status_code == read
    assert client.get(f"/api/console/cycles/{p.cycle.pk}/scores/").status_code == read
    put = client.put(
        f"/api/console/cycles/{p.cycle.pk}/scoring-rule/", {"preset": "points"}, content_type="application/json"
    )
    assert put.status_code == write


@pytest.mark.django_db
def test_it_hides_another_jurisdictions_cycle(district):
    page = web_client_for(district.sibling_admin).get(f"/console/scoring/?cycle={district.cycle.pk}")
    assert page.status_code == 404
    api = web_client_for(district.sibling_admin).get(f"/api/console/cycles/{district.cycle.pk}/scores/")
    assert api.status_code == 404
    assert web_client_for(district.city_admin).get(f"/console/scoring/?cycle={district.cycle.pk}").status_code == 200


def web_client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_the_login(season: Review):
    from django.test import Client

    cycle = season.p.cycle
    assert Client().get(f"/console/scoring/?cycle={cycle.pk}").status_code == 302
    assert Client().get(f"/api/console/cycles/{cycle.pk}/scores/").status_code == 401
