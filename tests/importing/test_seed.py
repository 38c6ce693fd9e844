from __future__ import annotations

import pytest

from tasks_app.models import Assignment, Evaluation, Plan, ReportingCycle, Section, Unit, UnitAlias, WorkItem
from tests.conftest import run_json

pytestmark = pytest.mark.django_db


def _doc(payload: dict, prefix: str) -> dict:
    return next(d for d in payload["documents"] if d["file"].startswith(prefix))


def test_it_seeds_every_document_and_a_second_run_creates_nothing():
    first = run_json("seed_documents")
    counts = (
        Plan.objects.count(),
        WorkItem.objects.count(),
        Assignment.objects.count(),
        Unit.objects.count(),
    )
    second = run_json("seed_documents")
    assert len(first["documents"]) == 5
    assert all(d["created"] for d in first["documents"])
    assert not any(d["created"] for d in second["documents"])
    strip = lambda p: [{k: v for k, v in d.items() if k != "created"} for d in p["documents"]]  # noqa: E731
    assert strip(first) == strip(second)
    assert first["departments"] == second["departments"]
    after = (Plan.objects.count(), WorkItem.objects.count(), Assignment.objects.count(), Unit.objects.count())
    assert counts == after


def test_it_reports_the_json_shape_of_the_brief():
    payload = run_json("seed_documents")
    assert set(payload) == {"documents", "departments"}
    for row in payload["documents"]:
        assert set(row) == {
            "file",
            "plan_id",
            "title",
            "kind",
            "jurisdiction",
            "indicators",
            "tasks",
            "assignments",
            "created",
        }
    yingkou = _doc(payload, "002")
    assert yingkou["kind"] == "notice" and yingkou["jurisdiction"] == "营口市"
    assert yingkou["indicators"] == 28 and yingkou["tasks"] == 192
    assert yingkou["assignments"] >= 220
    assert _doc(payload, "000")["jurisdiction"] == "站前区"
    assert all(_doc(payload, p)["kind"] == "plan" for p in ("000", "001", "003", "004"))


def test_it_keeps_yingkou_division_facts():
    run_json("seed_documents")
    plan = Plan.objects.get(jurisdiction__name="营口市")
    items = plan.items.filter(is_active=True)
    assert items.filter(kind="binding").count() == 12
    assert items.filter(kind="expected").count() == 16
    for item in items.prefetch_related("assignments"):
        roles = {a.role for a in item.assignments.all()}
        assert roles & {"lead", "responsible"}, f"item {item.id} has no lead or responsible unit"
    both = [
        i
        for i in items.prefetch_related("assignments")
        if {a.role for a in i.assignments.all()} >= {"responsible", "cooperating"}
    ]
    assert len(both) == 4
    boiler = items.get(text__contains="到2016年底,全面取缔建成区10吨及以下老旧低效锅炉")
    assert str(boiler.deadline) == "2016-12-31"
    assert plan.reporting_month == 2 and plan.reporting_day == 15
    assert plan.reporting_recipient.name == "市发展改革委"
    hr = Unit.objects.filter(jurisdiction__name="营口市", name__contains="人力资源")
    assert hr.count() == 1
    assert set(UnitAlias.objects.filter(unit=hr.get()).values_list("name", flat=True)) >= {"市人力资源和社会保障局"}
    assert Assignment.objects.filter(item__plan=plan, and_others=True).exists()


def test_it_resolves_zhanqian_units_to_district_units():
    run_json("seed_documents")
    plan = Plan.objects.get(jurisdiction__name="站前区")
    tasks = plan.items.filter(kind="task", is_active=True)
    assert tasks.count() == 61
    assert not tasks.filter(assignments__isnull=True).exists()
    units = Unit.objects.filter(assignments__item__plan=plan).distinct()
    assert units.exists() and all(u.jurisdiction.name == "站前区" for u in units)
    assert plan.items.filter(kind="binding").count() == 6
    assert plan.items.filter(kind__in=["binding", "expected"]).count() == 16
    statuses = list(Evaluation.objects.filter(plan=plan).values_list("status", flat=True))
    assert len(statuses) == 18
    assert (statuses.count("完成"), statuses.count("未完成"), statuses.count("无统计")) == (5, 7, 6)


def test_it_builds_huludao_tables_and_outline():
    run_json("seed_documents")
    plan = Plan.objects.get(jurisdiction__name="葫芦岛市")
    items = plan.items.filter(is_active=True)
    assert items.filter(kind__in=["binding", "expected"]).count() == 38
    assert items.filter(kind="binding").count() == 11
    assert plan.evaluations.exists()
    sections = Section.objects.filter(plan=plan)
    assert sections.filter(number__startswith="专栏").count() == 45
    assert sections.filter(number__regex=r"^第.+章$").count() == 16
    assert sections.filter(number__regex=r"^第.+节$").count() == 70


@pytest.mark.parametrize("name", ["凌河区", "皇姑区"])
def test_it_imports_undivided_plans_without_units(name):
    run_json("seed_documents")
    plan = Plan.objects.get(jurisdiction__name=name)
    assert plan.sections.exists()
    assert plan.items.filter(kind="task").count() > 20
    assert not Assignment.objects.filter(item__plan=plan).exists()


def test_it_creates_past_cycles_closed():
    run_json("seed_documents")
    plan = Plan.objects.get(jurisdiction__name="营口市")
    cycles = {c.year: c for c in ReportingCycle.objects.filter(plan=plan)}
    assert sorted(cycles) == [2016, 2017, 2018, 2019, 2020]
    assert str(cycles[2019].due_date) == "2020-02-15"
    assert all(c.status == "closed" for c in cycles.values())
