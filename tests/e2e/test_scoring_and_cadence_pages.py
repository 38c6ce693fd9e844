"""The 考核 page and the 报送频次 control in Chromium, at 1280 and 390 px: the office switches a plan to quarterly
reporting on the cycles page and sees its quarters, then changes the points rule on the 考核 page and sees the
ranking follow; nothing scrolls sideways, axe finds nothing serious. Screenshots: scoring-*, cadence-*."""

from __future__ import annotations

import pytest

from tasks_app.models import ReportingCycle
from tests.e2e.conftest import DESKTOP, PHONE, fits, login, screenshot
from tests.e2e.test_workspace_journey import accessible
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "tag"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_it_sets_a_quarterly_cadence_and_a_points_rule(live_server, page_factory, personas, viewport, tag):
    p = personas
    page = page_factory(viewport)
    page.on("dialog", lambda dialog: dialog.accept())  # the cadence form asks before it creates periods
    login(page, live_server.url, "office", PASSWORD)

    page.goto(f"{live_server.url}/console/cycles/")
    card = page.locator(f"#plan-{p.plan.pk}")
    card.locator("select[name=frequency]").select_option("quarterly")
    card.get_by_role("button", name="保存频次").click()
    page.wait_for_load_state("networkidle")
    assert "报送频次已设为每季度" in page.content()
    card = page.locator(f"#plan-{p.plan.pk}")
    assert card.locator("table.cycles", has_text=f"{p.plan.period_end}年第四季度").count() == 1
    assert ReportingCycle.objects.filter(plan=p.plan, period=f"{p.plan.period_end}Q4").exists()
    fits(page, viewport["width"])
    accessible(page, f"cycles with quarters ({tag})")
    screenshot(page, f"cadence-quarters-{tag}")

    page.goto(f"{live_server.url}/console/scoring/?cycle={p.cycle.pk}")
    assert page.locator("#ranking tbody tr").count() >= 2
    first = page.locator("#ranking tbody tr").first.locator("td").nth(2).inner_text()
    page.select_option("#id_preset", "deduction")
    page.get_by_role("button", name="保存计分规则").click()
    page.wait_for_load_state("networkidle")
    assert "计分规则已保存" in page.content()
    scores = page.locator("#ranking tbody tr td:nth-child(3)").all_inner_texts()
    assert all(0 <= float(score) <= 100 for score in scores) and scores[0] != first  # the 100-point scale now
    fits(page, viewport["width"])
    accessible(page, f"scoring ({tag})")
    screenshot(page, f"scoring-{tag}")

    page.goto(f"{live_server.url}/console/dashboard/?cycle={p.cycle.pk}")
    assert page.locator("#scoring .score-list li").count() >= 1
    page.locator("#scoring").get_by_role("link", name="查看全部与计分说明").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/console/scoring/?cycle={p.cycle.pk}")
