"""Issue 13 part 4 in a real browser at 390 and 1280 px: an overdue item's light is red in 我的任务 and on its
item page; the unit submits its report and the same item turns green on both (the light is computed, never
stored). The light is text beside a dot, never the colour alone; axe-core finds nothing critical or serious."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from tasks_app import access
from tasks_app.models import Report, WorkItem
from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.personas import PASSWORD, items_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Axe()


def _accessible(page, name: str) -> None:
    found = AXE.run(page).response["violations"]
    bad = [v["id"] for v in found if v["impact"] in ("critical", "serious")]
    assert not bad, f"{name}: {bad}"


def _row_light(page, item: WorkItem) -> str:
    row = page.locator(".worklist .row", has=page.locator(f'a[href="/items/{item.pk}/"]'))
    return row.locator(".light").inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_turns_a_red_item_green_once_the_unit_submits(live_server, page_factory, personas, viewport):
    p = personas
    tag = "phone" if viewport is PHONE else "desktop"
    today = timezone.localdate()
    p.cycle.due_date = today - timedelta(days=2)  # the cycle is past its due date: 已截止, late reports accepted
    p.cycle.save(update_fields=["due_date"])
    item = next(
        i for i in items_of(p, relation="reports", kind="task") if access.reporting_unit_ids(i) == [p.education.pk]
    )
    WorkItem.objects.filter(pk=item.pk).update(deadline=today + timedelta(days=300))

    page = page_factory(viewport)
    page.on("dialog", lambda dialog: dialog.accept())  # 提交 asks first
    login(page, live_server.url, "owner", PASSWORD)
    page.goto(f"{live_server.url}/?q={item.title}")
    assert _row_light(page, item) == "红灯 · 已逾期未报送"
    _accessible(page, "我的任务 (red)")
    screenshot(page, f"lights-red-{tag}")

    page.goto(f"{live_server.url}/items/{item.pk}/")
    assert page.locator(".item-light .light").inner_text() == "红灯 · 已逾期未报送"
    page.goto(f"{live_server.url}/items/{item.pk}/report/")
    page.check("input[name=progress_status][value=on_track]")
    page.fill("textarea[name=progress]", "已完成年度建设任务的80%,其余按序时推进。")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert Report.objects.get(item=item, unit=p.education, cycle=p.cycle).status == Report.Status.SUBMITTED

    page.goto(f"{live_server.url}/items/{item.pk}/")
    assert page.locator(".item-light .light").inner_text() == "绿灯 · 按序时推进"
    page.goto(f"{live_server.url}/?q={item.title}")
    assert _row_light(page, item) == "绿灯 · 按序时推进"
    _accessible(page, "我的任务 (green)")
    screenshot(page, f"lights-green-{tag}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    office = page_factory(viewport)
    login(office, live_server.url, "office", PASSWORD)
    office.goto(f"{live_server.url}/console/dashboard/?cycle={p.cycle.pk}")
    green = office.locator('#lights a[data-light="green"]')
    assert green.inner_text().split() == ["1", "绿灯", "项"]  # the one item that caught up
    _accessible(office, "看板")
    screenshot(office, f"lights-dashboard-{tag}")
    green.click()
    office.wait_for_load_state("networkidle")
    assert office.locator(".worklist .row").count() == 1 and item.title in office.locator(".worklist").inner_text()
