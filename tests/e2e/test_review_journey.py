"""Issue 4 journey in a real browser: the office returns a report with a reason (an empty reason is refused),
the unit sees the reason, revises and resubmits, the office approves, then exports the cycle's progress
workbook from /console/exports/ and downloads it; the workbook shows the item as approved."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tasks_app.models import ExportJob, Report
from tasks_app.services.export_jobs import export_job_run
from tests.console.review_fixtures import education_task_items, submitted_report
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.review_steps import approve, resubmit, return_with_reason, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "请补充新增学位的资金来源和开工时间。"
REVISED = "新增普惠性学位1200个,资金来源为市级财政专项,6月开工。"


def _worker_runs_while_the_page_polls(monkeypatch) -> list[int]:
    """No Celery worker: enqueued ids are collected, and the test runs them as the worker would."""
    from tasks_app import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, kwargs=None, **options: queued.extend(args))
    return queued


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_returns_resubmits_approves_and_exports(
    live_server, page_factory, personas, settings, monkeypatch, tmp_path, viewport
):
    p = personas
    tag = "phone" if viewport is PHONE else "desktop"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    if viewport is PHONE:
        settings.CELERY_TASK_ALWAYS_EAGER = True  # the job runs inside the request, like a fast worker
        queued = None
    else:
        queued = _worker_runs_while_the_page_polls(monkeypatch)
    item = education_task_items(p)[0]
    report = submitted_report(p, item)  # staff of 市教育局 have submitted (prepared through the services)

    # --- the office opens the queue and returns the report -----------------------------------------
    admin = signed_in(page_factory, viewport, live_server.url, "office")
    admin.goto(f"{live_server.url}/console/review/?cycle={p.cycle.pk}")
    assert "市教育局" in admin.content()
    screenshot(admin, f"review-queue-{tag}")
    admin.click(f"a[href='/console/review/{report.pk}/']")
    admin.wait_for_load_state("networkidle")

    admin.fill("#id_reason", "   ")  # passes the browser's "required", not the server
    admin.click("form.return-form button[type=submit]")
    admin.wait_for_load_state("networkidle")
    assert "退回必须填写理由" in admin.content()
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    screenshot(admin, f"review-return-refused-{tag}")

    return_with_reason(admin, report, field="#id_reason", form="form.return-form", reason=REASON)

    # --- staff see the reason, revise and resubmit --------------------------------------------------
    staff = signed_in(page_factory, viewport, live_server.url, "owner")
    staff.goto(f"{live_server.url}/items/{item.pk}/report/")
    assert f"规划办退回理由:{REASON}" in staff.content()
    screenshot(staff, f"report-returned-{tag}")
    resubmit(staff, report, progress=REVISED, status=Report.Status.SUBMITTED)

    # --- the office approves; the history shows every transition -----------------------------------
    admin.goto(f"{live_server.url}/console/review/{report.pk}/")
    assert REVISED in admin.content()
    timeline = approve(admin, live_server.url, report)
    for label in ("提交", "退回", "通过"):
        assert label in timeline
    assert f"理由:{REASON}" in timeline
    screenshot(admin, f"review-approved-{tag}")

    # --- the office exports the cycle's progress workbook and downloads it -------------------------
    admin.goto(f"{live_server.url}/console/exports/")
    admin.select_option("#id_plan", str(p.plan.pk))
    admin.select_option("#id_report", "progress")
    admin.fill("#id_year", str(p.cycle.year))
    # leave the year field as a phone user does (tapping elsewhere closes the keyboard and the field's
    # suggestion list); with the list still open, Chromium scrolls the page as it closes and the tap misses
    admin.locator("#id_year").blur()
    screenshot(admin, f"exports-form-{tag}")
    assert admin.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    admin.click("button[name=start]")
    admin.wait_for_load_state("networkidle")
    job = ExportJob.objects.get()
    assert admin.url.endswith(f"/console/exports/{job.pk}/")
    if queued is not None:
        assert queued == [job.pk] and "排队中" in admin.content()
        screenshot(admin, f"export-queued-{tag}")
        export_job_run(job_id=job.pk)  # the worker; the page's script notices and shows the link
    link = admin.locator("a.export-download")
    link.wait_for(state="visible", timeout=15_000)
    assert admin.locator(".export-state").inner_text() == "已完成"
    assert admin.eval_on_selector("progress.export-bar", "bar => bar.value") == 100
    screenshot(admin, f"export-done-{tag}")

    with admin.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"plan{p.plan.pk}-progress-{p.cycle.year}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    rows = list(sheet.iter_rows(values_only=True))
    mine = [row for row in rows if row[1] == item.text and row[2] == "市教育局"]
    assert mine, "the item's row is in the workbook"
    assert (mine[0][5], mine[0][9], mine[0][10]) == (REVISED, "已通过", "通过")
