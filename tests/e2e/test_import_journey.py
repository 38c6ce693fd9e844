"""Issue 9 journey in a real browser: the office uploads a Word notice at /console/imports/, watches the
parsing progress, maps the one unit name the registry does not know onto the existing unit the page
suggests, confirms, and finds the items with their units on the division page. Nothing is written before
the confirmation. The preview is photographed at 390 px (test-artifacts/screenshots/import-preview-phone.png).

The document is built in code (tests/console/import_documents.py); ``DOCUMENT`` names the file the office
uploads, so the same journey runs with the .txt rendering of the same notice by changing one line.
"""

from __future__ import annotations

import pytest

from tasks_app.models import Assignment, ImportJob, Plan, Unit
from tests.console.import_documents import (
    SUGGESTED_UNIT,
    TITLE,
    UNKNOWN_UNIT,
    model_counts,
    notice_docx,
    notice_txt,  # noqa: F401  (the .txt rendering: DOCUMENT = ("数字经济分工.txt", notice_txt, "text/plain"))
)
from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT = ("数字经济分工.docx", notice_docx, DOCX)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_uploads_previews_resolves_a_unit_and_confirms(
    live_server, page_factory, personas, settings, monkeypatch, tmp_path, viewport
):
    from tasks_app import tasks

    p = personas
    tag = "phone" if viewport is PHONE else "desktop"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    queued: list[int] = []  # no Celery worker: the test runs the enqueued job as the worker would
    monkeypatch.setattr(tasks.run_import_job, "apply_async", lambda args, kwargs=None, **options: queued.extend(args))
    target = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name=SUGGESTED_UNIT)
    name, build, mime = DOCUMENT
    before = model_counts()

    # --- upload --------------------------------------------------------------------------------------
    page = page_factory(viewport)
    login(page, live_server.url, "office", PASSWORD)
    page.goto(f"{live_server.url}/console/")
    with page.expect_navigation():
        page.click("nav.console-nav a[href='/console/imports/']")
    page.set_input_files("#import-upload input[type=file]", files=[{"name": name, "mimeType": mime, "buffer": build()}])
    with page.expect_navigation():  # the upload answers with a redirect to the job's page
        page.click("#import-upload button[type=submit]")
    page.wait_for_load_state("networkidle")

    # --- the job waits for the worker; the page polls its progress ------------------------------------
    job = ImportJob.objects.get()
    assert queued == [job.pk] and job.status == "queued"
    assert page.locator("#import-status .import-state").inner_text() == "排队中"
    assert page.locator("progress.import-bar").count() == 1
    screenshot(page, f"import-progress-{tag}")
    assert tasks.run_import_job(job.pk) == "ready", ImportJob.objects.get(pk=job.pk).error
    page.wait_for_selector("#import-summary", timeout=15_000)  # the poller saw "ready" and reloaded
    assert page.locator("#import-status .import-state").inner_text() == "待确认"
    assert model_counts() == before  # parsed, previewed, nothing written yet

    # --- the preview ---------------------------------------------------------------------------------
    summary = page.locator("#import-summary").inner_text()
    for text in ("分工通知", "营口市", "2021—2025年", "1月10日前", "市发展改革委", "任务 4 项"):
        assert text in summary, text
    items = page.locator("#import-items .import-item")
    assert items.count() == 4
    assert "到2024年底" in items.nth(0).inner_text() and UNKNOWN_UNIT in items.nth(0).inner_text()
    choice = page.locator("#import-units select")
    assert choice.count() == 1 and UNKNOWN_UNIT in page.locator("#import-units").inner_text()
    suggested = page.locator("#import-units optgroup[label='推荐的已有单位'] option").first
    assert SUGGESTED_UNIT in suggested.inner_text()
    choice.select_option(value=str(target.pk))
    if viewport is PHONE:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the preview scrolls sideways at 390 px ({width} px)"
    screenshot(page, f"import-preview-{tag}")

    # --- confirm → the division page ---------------------------------------------------------------
    with page.expect_navigation():
        page.click("#confirm-button")
    page.wait_for_load_state("networkidle")
    plan = Plan.objects.get(title=TITLE)
    assert f"/console/division/?plan={plan.pk}" in page.url
    table = page.locator("table.division-table").inner_text()
    for title in ("加快5G网络和千兆光网建设", "建设全市统一的政务数据共享平台", "推进工业互联网平台应用"):
        assert title in table, title
    assert SUGGESTED_UNIT in table and UNKNOWN_UNIT not in table
    screenshot(page, f"import-division-{tag}")
    job.refresh_from_db()
    assert (job.status, job.plan_id, job.unit_choices) == ("imported", plan.pk, {UNKNOWN_UNIT: target.pk})
    assert Assignment.objects.filter(item__plan=plan, unit=target, role="lead").count() == 2
