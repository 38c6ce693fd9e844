"""Issue 13 part 3 in a real browser: in a unit with a head (单位负责人), a staff submission waits in the head's 待签发;
the head returns it with a reason, the staff fix and resubmit, the head signs it off, the office (which saw nothing
until then) approves. 1280 and 390 px, screenshots signoff-*.png, axe-core 0 critical/serious on the unit's pages."""

from __future__ import annotations

import pytest

from tasks_app.models import Report
from tests.console.review_fixtures import education_task_items, submitted_report
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.review_steps import approve, resubmit, return_with_reason, signed_in
from tests.e2e.test_workspace_journey import accessible
from tests.personas import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "资金到位情况未写明,请补充。"
REVISED = "新增普惠性学位1200个,市级财政专项资金3000万元已全部到位。"


def _fits(page, viewport: dict) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_passes_a_report_through_the_head_to_the_office(live_server, page_factory, personas, viewport):
    p = personas
    tag = "phone" if viewport is PHONE else "desktop"
    make_user("head", unit=p.education, head=True)
    item = education_task_items(p)[0]
    report = submitted_report(p, item)  # staff of 市教育局 submitted: it waits for their head
    assert report.status == Report.Status.PENDING_HEAD

    # --- the office sees nothing yet -----------------------------------------------------------------
    admin = signed_in(page_factory, viewport, live_server.url, "office")
    admin.goto(f"{live_server.url}/console/review/?cycle={p.cycle.pk}&status=")
    assert admin.locator(f"a[href='/console/review/{report.pk}/']").count() == 0

    # --- the head finds it in 待签发 and returns it with a reason ----------------------------------------
    head = signed_in(page_factory, viewport, live_server.url, "head")
    todo = head.locator("li.todo-sign-off")
    assert todo.count() == 1 and "待签发" in todo.inner_text()
    accessible(head, f"head todo {tag}")
    _fits(head, viewport)
    screenshot(head, f"signoff-todo-{tag}")
    todo.locator("a").click()
    head.wait_for_load_state("networkidle")
    assert "单位负责人审核" in head.content()
    accessible(head, f"head report {tag}")
    _fits(head, viewport)
    screenshot(head, f"signoff-decide-{tag}")
    return_with_reason(head, report, field="#id_head_reason", form="form.head-return", reason=REASON)

    # --- staff see the head's reason, fix it and resubmit: it goes to the head again ----------------------
    staff = signed_in(page_factory, viewport, live_server.url, "owner")
    assert f"负责人退回理由:{REASON}" in staff.locator("section.todo").inner_text()
    staff.goto(f"{live_server.url}/items/{item.pk}/report/")
    assert f"负责人退回理由:{REASON}" in staff.content()
    accessible(staff, f"staff returned {tag}")
    screenshot(staff, f"signoff-returned-{tag}")
    resubmit(staff, report, progress=REVISED, status=Report.Status.PENDING_HEAD)
    assert "报告已提交单位负责人审核" in staff.content() and "正等待单位负责人审核" in staff.content()
    screenshot(staff, f"signoff-waiting-{tag}")

    # --- the head signs it off; the office now sees it and approves ------------------------------------
    head.goto(f"{live_server.url}/items/{item.pk}/report/")
    assert REVISED in head.content()
    head.click("text=签发报送规划办")
    head.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert "已签发" in head.content() and "签发报送规划办" not in head.content()
    screenshot(head, f"signoff-signed-{tag}")

    admin.goto(f"{live_server.url}/console/review/?cycle={p.cycle.pk}")
    admin.click(f"a[href='/console/review/{report.pk}/']")
    admin.wait_for_load_state("networkidle")
    assert REVISED in admin.content()
    timeline = approve(admin, live_server.url, report)
    for label in ("负责人退回", "负责人签发", "通过"):
        assert label in timeline
    _fits(admin, viewport)
    screenshot(admin, f"signoff-approved-{tag}")
