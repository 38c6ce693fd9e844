"""Issue 3 journey in a real browser: staff open an item, save a draft, submit; a cooperating unit contributes."""

from __future__ import annotations

import pytest

from tasks_app.models import Assignment, Contribution, Report
from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.personas import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _led_item_with_cooperators(personas):
    led = Assignment.objects.filter(unit=personas.education, role="lead", item__plan=personas.plan).select_related(
        "item"
    )
    for assignment in led.order_by("item__order"):
        cooperating = assignment.item.assignments.filter(role="cooperating").select_related("unit").first()
        if cooperating:
            return assignment.item, cooperating.unit
    raise AssertionError("no item led by 市教育局 with a cooperating unit")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_lets_staff_save_submit_and_a_cooperating_unit_contribute(live_server, page_factory, personas, viewport):
    item, cooperating_unit = _led_item_with_cooperators(personas)
    make_user("cooperator", unit=cooperating_unit)
    tag = "phone" if viewport is PHONE else "desktop"

    page = page_factory(viewport)
    page.on("dialog", lambda dialog: dialog.accept())  # 提交 and 通过 ask first
    login(page, live_server.url, "owner", PASSWORD)
    page.get_by_role("link", name=item.title).first.click()
    page.wait_for_load_state("networkidle")
    assert item.title in page.content() and "来源" in page.content()
    screenshot(page, f"item-{tag}")

    page.goto(f"{live_server.url}/items/{item.id}/report/")
    page.check("input[name=progress_status][value=on_track]")
    page.fill("textarea[name=progress]", "已完成全市学前教育资源布局调整,新增普惠性学位1200个。")
    page.fill("textarea[name=problems]", "部分县区财政投入不足。")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state("networkidle")
    report = Report.objects.get(item=item, unit=personas.education, cycle=personas.cycle)
    assert report.status == "draft" and "1200" in report.progress
    screenshot(page, f"report-draft-{tag}")

    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == "submitted"
    assert page.locator("textarea[name=progress]").count() == 0, "a submitted report must be read-only"
    screenshot(page, f"report-submitted-{tag}")

    other = page_factory(viewport)
    other.on("dialog", lambda dialog: dialog.accept())  # 提交 and 通过 ask first
    login(other, live_server.url, "cooperator", PASSWORD)
    other.goto(f"{live_server.url}/items/{item.id}/contribution/")
    other.fill("textarea[name=text]", "配合完成学位建设用地保障。")
    other.click("button[name=action][value=submit]")
    other.wait_for_load_state("networkidle")
    contribution = Contribution.objects.get(item=item, unit=cooperating_unit, cycle=personas.cycle)
    assert contribution.status == "submitted" and "用地" in contribution.text
    screenshot(other, f"contribution-{tag}")
    assert other.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
