"""Issue 16, the office side, in a real browser at 1280 and 390 px: the admin lands on the console, reads
truthful cycle states, is asked before opening a cycle past its due date, finds every chooser on the plan
it works on, exports that plan's progress workbook in the background (opened with openpyxl), and every
console page it touches passes axe-core with no critical or serious violation (axe.min.js from the
axe-playwright-python package, injected into the page; no CDN)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from openpyxl import load_workbook

from tasks_app.models import ExportJob, Plan, ReportingCycle
from tasks_app.services.cycles import cycle_close, cycle_open
from tests.console.review_fixtures import education_task_items, submitted_report
from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
BLOCKING = {"critical", "serious"}


def assert_accessible(page, name: str) -> None:
    results = AXE.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    assert not blocking, f"{name}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in blocking)


def no_overflow(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def line_count(page, selector: str) -> int:
    """How many lines the first element matching ``selector`` takes (its text's client rects)."""
    return page.eval_on_selector(
        selector,
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; }",
    )


def header_links_apart(page) -> None:
    """The header's links never touch: every pair on one line is at least 8 px apart."""
    boxes = page.eval_on_selector_all(
        "header.topbar nav a, header.topbar nav button",
        "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.left, b.right, b.top, b.bottom]; })",
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            same_line = a[2] < b[3] and b[2] < a[3]
            if same_line:
                gap = max(b[0] - a[1], a[0] - b[1])
                assert gap >= 8, (a, b)


def _scene(p) -> dict:
    """2018 as imported (never opened), 2019 opened and closed, 2020 open past its due date with a report,
    and a newer undivided plan with an open cycle the defaults must not pick (the issue's 葫芦岛)."""
    cycle_open(plan=p.plan, year=2019, user=p.admin)
    cycle_close(cycle=ReportingCycle.objects.get(plan=p.plan, year=2019), user=p.admin)
    submitted_report(p, education_task_items(p)[0])
    other = Plan.objects.create(
        title="葫芦岛市国民经济和社会发展第十四个五年规划纲要",
        kind=Plan.Kind.PLAN,
        jurisdiction=p.plan.jurisdiction,
        period_start=2021,
        period_end=2025,
        source=p.plan.source,
    )
    ReportingCycle.objects.create(
        plan=other, year=2024, due_date=timezone.localdate(), status="open", opened_at=timezone.now()
    )
    years = {c.year: c for c in ReportingCycle.objects.filter(plan=p.plan)}
    return {"years": years, "other": other}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_it_takes_the_office_from_login_to_a_working_export(
    live_server, page_factory, personas, settings, tmp_path, viewport
):
    p = personas
    tag = "desktop" if viewport is DESKTOP else "phone"
    width = viewport["width"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the job runs inside the request, like a fast worker
    scene = _scene(p)
    years = scene["years"]
    page = page_factory(viewport)

    # --- lands on the console, the console is in the header, the header text stands apart ------------
    login(page, live_server.url, "office", PASSWORD)
    assert page.url == f"{live_server.url}/console/cycles/"
    header = page.locator("header.topbar").inner_text()
    assert "规划办工作台" in header and "系统管理" not in header and "我的任务" not in header
    header_links_apart(page)
    no_overflow(page, width)
    screenshot(page, f"console-landing-{tag}")
    assert_accessible(page, "cycles")

    # --- cycle states tell the truth --------------------------------------------------------------------
    card = page.locator(f"#plan-{p.plan.pk}")
    for year, label in ((2018, "未开启"), (2019, "已关闭"), (2020, "已截止")):
        row = card.locator("tr", has_text=f"{year}年度").first
        assert row.locator(".badge").first.inner_text() == label, year
    assert page.locator("section.plan-card").first.get_attribute("id") == f"plan-{p.plan.pk}"  # open cycle first
    assert page.locator("[data-confirm*='重新开启已关闭的2018']").count() == 0

    # --- the plan list filters ------------------------------------------------------------------------
    page.fill("input[name=q]", "葫芦岛")
    page.click("form.plan-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("section.plan-card").count() == 1
    assert page.locator(f"#plan-{scene['other'].pk}").count() == 1
    screenshot(page, f"console-plans-filtered-{tag}")
    page.goto(f"{live_server.url}/console/cycles/")

    # --- opening a cycle past its due date asks first ---------------------------------------------------
    page.click(f"a[href^='/console/cycles/{years[2018].pk}/open/']")
    page.wait_for_load_state("networkidle")
    assert "已过" in page.locator("[role=alert]").inner_text()
    assert "仍按原截止日期开启" in page.content()
    no_overflow(page, width)
    screenshot(page, f"console-open-late-{tag}")
    assert_accessible(page, "open a late cycle")
    years[2018].refresh_from_db()
    assert years[2018].status == ReportingCycle.Status.CLOSED  # nothing opened by looking

    # --- a success message is green, not the amber of warnings -----------------------------------------
    page.goto(f"{live_server.url}/console/cycles/")
    due_input = f"#due-{years[2020].pk}"
    page.fill(due_input, "2021-02-20")
    page.locator(due_input).locator("xpath=..").locator("button").click()
    page.wait_for_load_state("networkidle")
    success = page.locator(".messages li.success").first
    assert "截止日期已改为" in success.inner_text()
    assert success.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(236, 253, 243)"

    # --- every chooser starts on the plan and cycle the office works on ----------------------------------
    expected = "2020年度 · 已截止 · 截止 2021-02-20"
    for path, name in (
        ("/console/dashboard/", "dashboard"),
        ("/console/review/", "review"),
        ("/console/outbox/", "outbox"),
    ):
        page.goto(f"{live_server.url}{path}")
        chosen = page.eval_on_selector("select[name=cycle]", "s => s.options[s.selectedIndex].text")
        group = page.eval_on_selector("select[name=cycle]", "s => s.options[s.selectedIndex].parentElement.label")
        assert chosen == expected and p.plan.title in group, name
        no_overflow(page, width)
        screenshot(page, f"console-{name}-{tag}")
        assert_accessible(page, name)
        if name == "dashboard":
            binding = page.locator("table.indicators td.kind-col", has_text="约束性指标").first
            assert binding.count() and line_count(page, "table.indicators td.kind-col") == 1

    # --- the division table keeps dates and 修改 on one line at 1280 px --------------------------------
    page.goto(f"{live_server.url}/console/division/?plan={p.plan.pk}")
    no_overflow(page, width)
    screenshot(page, f"console-division-{tag}")
    assert_accessible(page, "division")
    if viewport is DESKTOP:
        assert line_count(page, "table.division-table td.date-col .date") == 1
        assert line_count(page, "table.division-table td.actions-col a") == 1
        widths = page.eval_on_selector_all(
            "table.division-table thead th", "ths => ths.map(th => th.getBoundingClientRect().width)"
        )
        assert widths[4] < 0.3 * sum(widths)  # 配合单位 no longer takes half the table

    # --- the export form's default exports: the job completes and the file opens in openpyxl ------------
    page.goto(f"{live_server.url}/console/exports/")
    assert page.eval_on_selector("#id_plan", "s => s.value") == str(p.plan.pk)
    assert page.input_value("#id_year") == "2020" and page.input_value("#id_report") == "progress"
    no_overflow(page, width)
    screenshot(page, f"console-exports-form-{tag}")
    assert_accessible(page, "exports")
    page.click("button[name=start]")
    page.wait_for_load_state("networkidle")
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.error
    assert "已开始生成" not in page.content()
    assert page.locator(".export-banner").inner_text() == "已生成,可以下载。"
    link = page.locator("a.export-download")
    link.wait_for(state="visible")
    screenshot(page, f"console-export-done-{tag}")
    assert_accessible(page, "export job")
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert "2020年度落实情况汇总表" in rows[0][0]
    assert any(row[2] == "市教育局" and row[9] == "已提交" for row in rows[2:])
