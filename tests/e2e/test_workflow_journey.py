"""Issue 13 part 2 in a real browser: staff of 市教育局 acknowledge one item (签收) and bounce another (退回分工,
an empty reason refused by the form); the office reassigns the bounced item on /console/workflow/ and closes a
third item (销号) on the console's item view; staff then see it read-only with 已销号. At 1280 and 390 px."""

from __future__ import annotations

import pytest

from tasks_app.models import Assignment, WorkflowRequest
from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.personas import PASSWORD
from tests.workflow.test_services import led_items, other_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_acknowledges_bounces_reassigns_and_closes(live_server, page_factory, personas, viewport):
    p = personas
    tag = "phone" if viewport is PHONE else "desktop"
    kept, bounced, finished = led_items(p)[:3]
    target = other_unit(p, bounced)

    # --- staff: 签收 one item, 退回分工 another ------------------------------------------------------
    staff = page_factory(viewport)
    login(staff, live_server.url, "owner", PASSWORD)
    staff.goto(f"{live_server.url}/items/{kept.pk}/")
    staff.click("#workflow form[action$='/acknowledge/'] button")
    staff.wait_for_load_state("networkidle")
    assert "已签收该事项" in staff.content()
    assert Assignment.objects.get(item=kept, unit=p.education).acknowledged_at is not None
    screenshot(staff, f"workflow-acknowledged-{tag}")
    _fits(staff, viewport["width"])

    staff.goto(f"{live_server.url}/items/{bounced.pk}/")
    staff.click("#workflow details:has(form[action$='/bounce/']) summary")
    staff.fill("#bounce-reason", "   ")  # passes the browser's "required", not the server
    staff.click("form[action$='/bounce/'] button")
    staff.wait_for_load_state("networkidle")
    assert "请填写退回理由" in staff.content() and not WorkflowRequest.objects.exists()
    staff.click("#workflow details:has(form[action$='/bounce/']) summary")
    staff.fill("#bounce-reason", "该项由市住建局负责,建议改派")
    staff.click("form[action$='/bounce/'] button")
    staff.wait_for_load_state("networkidle")
    assert "退回分工申请已提交" in staff.content() and "退回分工申请待规划办处理" in staff.content()
    screenshot(staff, f"workflow-bounced-{tag}")

    # --- the office: reassign on /console/workflow/, close another item -------------------------------
    admin = page_factory(viewport)
    admin.on("dialog", lambda dialog: dialog.accept())  # 销号 asks first
    login(admin, live_server.url, "office", PASSWORD)
    admin.goto(f"{live_server.url}/console/workflow/?plan={p.plan.pk}")
    assert "该项由市住建局负责" in admin.content() and "未签收" in admin.content()
    screenshot(admin, f"workflow-console-{tag}")
    _fits(admin, viewport["width"])
    request = WorkflowRequest.objects.get()
    admin.select_option(f"#to-{request.pk}", str(target.pk))
    admin.click(f"#request-{request.pk} button[value=accept]")
    admin.wait_for_load_state("networkidle")
    assert "已同意" in admin.content()
    request.refresh_from_db()
    assert request.status == WorkflowRequest.Status.ACCEPTED and request.reassigned_to == target
    assert Assignment.objects.get(item=bounced, unit=target).handed_over_on is None

    admin.goto(f"{live_server.url}/console/division/items/{finished.pk}/")
    admin.fill("#close-note", "已全面完成")
    admin.click("#closure button")
    admin.wait_for_load_state("networkidle")
    assert "已销号" in admin.content() and "重新打开" in admin.content()
    screenshot(admin, f"workflow-closed-{tag}")

    # --- staff: the closed item is read-only, the history shows the step ------------------------------
    staff.goto(f"{live_server.url}/items/{finished.pk}/")
    content = staff.content()
    assert "已销号" in content and "已全面完成" in content and f"/items/{finished.pk}/report/" not in content
    screenshot(staff, f"workflow-closed-item-{tag}")
    _fits(staff, viewport["width"])
