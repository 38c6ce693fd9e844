"""A yearly notice that arrives without units, in a real browser: the office uploads the Word file, the
preview says no unit was found and that the assistant can divide it, the office confirms, generates the
division assistant's proposals for the new plan, sees units valid in 2025 (none a reform retired) with
their reasons, and accepts one, which becomes the item's lead unit."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document

from tasks_app.models import Assignment, ImportJob, Plan, WorkItem
from tests.e2e.conftest import PHONE, fits, login, screenshot
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE = "营口市人民政府办公室关于印发营口市2025年重点工作任务的通知"
LINES = [
    TITLE,
    "营政办发〔2025〕3号",
    "各县（市）区人民政府，市政府各部门：",
    "现将《营口市2025年重点工作任务》印发给你们，请认真抓好落实，每季度末将进展情况报市发展改革委。",
    "2025年2月18日",
    "一、保障和改善民生",
    "1.加强食品安全监管，6月底前完成校园食堂专项检查，食品抽检合格率保持在98%以上。",
    "2.开展安全生产治本攻坚三年行动，坚决遏制重特大生产安全事故。",
    "3.推进紧密型县域医疗卫生共同体建设，提升基层医疗卫生服务能力。",
    "二、持续改善生态环境",
    "4.深入打好蓝天保卫战，细颗粒物（PM2.5）平均浓度完成省下达目标。",
]
RETIRED = ("市食药监局", "市工商局", "市安监局", "市卫计委", "市环保局")


def _notice() -> bytes:
    document = Document()
    for line in LINES:
        document.add_paragraph(line)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_it_imports_a_notice_without_units_and_divides_it_with_the_assistant(
    live_server, page_factory, personas, settings, monkeypatch, tmp_path
):
    from tasks_app import tasks

    settings.MEDIA_ROOT = str(tmp_path / "media")
    queued: list[int] = []  # no Celery worker: the test runs the enqueued job as the worker would
    monkeypatch.setattr(tasks.run_import_job, "apply_async", lambda args, kwargs=None, **options: queued.extend(args))

    page = page_factory(PHONE)
    login(page, live_server.url, "office", PASSWORD)
    page.goto(f"{live_server.url}/console/imports/")
    page.set_input_files("#import-upload input[type=file]", files=[{"name": "2025年重点工作任务.docx", "mimeType": DOCX, "buffer": _notice()}])  # fmt: skip
    with page.expect_navigation():
        page.click("#import-upload button[type=submit]")
    job = ImportJob.objects.get()
    assert tasks.run_import_job(job.pk) == "ready", ImportJob.objects.get(pk=job.pk).error
    page.wait_for_selector("#import-summary", timeout=15_000)
    summary = page.locator("#import-summary").inner_text()
    for text in ("营口市", "2025", "任务 4 项", "市发展改革委"):
        assert text in summary, text
    assert "没有识别出任何单位" in page.content() and "分工建议" in page.content()
    items = page.locator("#import-items").inner_text()
    assert "2025-06-30" in items  # "6月底前" in a 2025 notice
    assert "4 深入打好蓝天保卫战" in items  # numbered as the notice numbers it, across its headings
    fits(page, 390)
    screenshot(page, "undivided-preview-phone")
    with page.expect_navigation():
        page.click("#confirm-button")

    plan = Plan.objects.get(title=TITLE)
    assert WorkItem.objects.filter(plan=plan).count() == 4 and not Assignment.objects.filter(item__plan=plan)
    page.goto(f"{live_server.url}/console/suggestions/?plan={plan.pk}")
    with page.expect_navigation():
        page.click("form:has(input[name=action][value=generate]) button")
    cards = page.locator("section.suggestion-item")
    assert cards.count() == 4
    text = page.locator("main").inner_text()
    assert not [name for name in RETIRED if name in text], "a unit retired by the 2018 reform is proposed"
    food = cards.filter(has_text="食品安全监管")
    assert "市市场监督管理局" in food.locator("li.suggestion.lead").first.inner_text()
    fits(page, 390)
    screenshot(page, "undivided-suggestions-phone")
    with page.expect_navigation():
        food.locator("li.suggestion.lead").first.locator("button.accept").click()

    row = Assignment.objects.select_related("unit").get(item__plan=plan, item__text__contains="食品安全监管")
    assert (row.unit.name, row.role, row.origin) == ("市市场监督管理局", "lead", "suggested")
    assert (
        "现有分工:牵头单位 市市场监督管理局"
        in page.locator("section.suggestion-item", has_text="食品安全监管").inner_text()
    )
