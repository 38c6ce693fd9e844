"""Issue 13's "Must show" journey in one story, at 1280 and 390 px: the cycle is overdue, so 市教育局's item 1 is
red; staff acknowledge item 1 (签收) and bounce item 2 (退回分工) with a reason; the office accepts the bounce on
签收与申请 and reassigns item 2 to another unit, whose staff now find it; 市教育局 has a head: staff submit item 1's
report, it waits for the head (待负责人审核) and the light stays red; the head returns it with a reason, staff fix and
resubmit, the head signs it off (签发) and the light turns green in 我的任务 and on the item page; the office
approves it in the review queue and closes the item (销号): 已销号, no light. Screenshots supervision-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks_app import access
from tasks_app.models import Report, WorkItem
from tests.e2e.conftest import DESKTOP, PHONE, fits, login, screenshot, worklist_row
from tests.e2e.test_workspace_journey import accessible
from tests.personas import PASSWORD, Personas, make_user
from tests.workflow.test_services import led_items, other_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED = "红灯 · 已逾期未报送"
GREEN = "绿灯 · 按序时推进"
BOUNCE = "该项由其他部门主管,建议改派"
FIRST = "已完成年度任务的60%,其余按序时推进。"
HEAD_REASON = "未写明资金到位情况,请补充。"
FIXED = "已完成年度任务的60%,市级专项资金2000万元已全部到位。"


def _two_items(p: Personas) -> tuple[WorkItem, WorkItem]:
    """Two tasks 市教育局 leads and alone reports on: item 1 goes through the report, item 2 is bounced."""
    alone = [
        i
        for i in led_items(p)
        if i.kind == WorkItem.Kind.TASK
        and access.reporting_unit_ids(i) == [p.education.pk]
        and not i.assignments.filter(unit=p.forestry).exists()
    ]
    return alone[0], alone[1]


def _light(page) -> str:
    return page.locator(".item-light .light").inner_text()


def _row(page, base: str, item: WorkItem):
    page.goto(f"{base}/?q={item.title}")
    return worklist_row(page, item.pk)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_supervises_an_item_from_red_to_closed(live_server, page_factory, personas, viewport):
    p, base = personas, live_server.url
    tag, width = ("phone" if viewport is PHONE else "desktop"), viewport["width"]
    today = timezone.localdate()
    p.cycle.due_date = today - timedelta(days=2)  # past its due date: 已截止, late reports accepted
    p.cycle.save(update_fields=["due_date"])
    item, bounced = _two_items(p)
    WorkItem.objects.filter(pk=item.pk).update(deadline=today + timedelta(days=300))  # red for the report alone
    target = other_unit(p, bounced)
    make_user("head", unit=p.education, head=True)
    make_user("newcomer", unit=target)

    # --- staff of 市教育局: item 1 is red; 签收 item 1, 退回分工 item 2 -------------------------------------
    staff = page_factory(viewport)
    staff.on("dialog", lambda dialog: dialog.accept())  # 提交 asks first
    login(staff, base, "owner", PASSWORD)
    row = _row(staff, base, item)
    assert row.locator(".light").inner_text() == RED and "未填报" in row.inner_text()
    screenshot(staff, f"supervision-red-list-{tag}")
    fits(staff, width)
    staff.goto(f"{base}/items/{item.pk}/")
    assert _light(staff) == RED
    assert "未签收" in staff.locator("#workflow").inner_text()
    staff.click("#workflow form[action$='/acknowledge/'] button")
    staff.wait_for_load_state("networkidle")
    assert "市教育局 已签收该事项" in staff.content()
    assert "已签收" in staff.locator("#workflow dd").inner_text()
    assert staff.locator("#workflow form[action$='/acknowledge/']").count() == 0 and _light(staff) == RED
    accessible(staff, f"item page red {tag}")
    screenshot(staff, f"supervision-red-{tag}")
    fits(staff, width)

    staff.goto(f"{base}/items/{bounced.pk}/")
    staff.click("#workflow details:has(form[action$='/bounce/']) summary")
    staff.fill("#bounce-reason", BOUNCE)
    staff.click("form[action$='/bounce/'] button")
    staff.wait_for_load_state("networkidle")
    workflow = staff.locator("#workflow").inner_text()
    assert "退回分工申请已提交" in staff.content() and "退回分工申请待规划办处理" in workflow
    assert BOUNCE in workflow and "待处理" in workflow
    screenshot(staff, f"supervision-bounced-{tag}")

    # --- the office: 签收与申请 shows the bounce; accept it and reassign item 2 -----------------------------
    office = page_factory(viewport)
    office.on("dialog", lambda dialog: dialog.accept())  # 通过 and 销号 ask first
    login(office, base, "office", PASSWORD)
    office.click(".console-nav a:has-text('签收与申请')")
    office.wait_for_load_state("networkidle")
    card = office.locator("article.workflow-request", has_text=bounced.title)
    assert card.count() == 1 and "市教育局" in card.inner_text() and BOUNCE in card.inner_text()
    card.locator("select[name=reassign_to]").select_option(str(target.pk))
    card.locator("button[value=accept]").click()
    office.wait_for_load_state("networkidle")
    assert "已同意:市教育局 的退回分工" in office.content()
    assert office.locator("article.workflow-request", has_text=bounced.title).count() == 0
    screenshot(office, f"supervision-reassigned-{tag}")
    fits(office, width)

    # --- the new unit's staff find item 2 in 我的任务; 市教育局 read the decision ---------------------------
    newcomer = page_factory(viewport)
    login(newcomer, base, "newcomer", PASSWORD)
    assert _row(newcomer, base, bounced).count() == 1
    newcomer.goto(f"{base}/items/{bounced.pk}/")
    assert "未签收" in newcomer.locator("#workflow").inner_text()
    staff.goto(f"{base}/items/{bounced.pk}/")
    assert f"已同意 · 改派给 {target.name}" in staff.locator("#workflow").inner_text()

    # --- staff submit item 1's report: it waits for the head, the light stays red ------------------------
    staff.goto(f"{base}/items/{item.pk}/report/")
    staff.check("input[name=progress_status][value=on_track]")
    staff.fill("textarea[name=progress]", FIRST)
    staff.click("button[name=action][value=submit]:has-text('提交负责人审核')")
    staff.wait_for_load_state("networkidle")
    assert "报告已提交单位负责人审核" in staff.content() and "正等待单位负责人审核" in staff.content()
    staff.goto(f"{base}/items/{item.pk}/")
    assert _light(staff) == RED  # not done until the head signs
    assert "待负责人审核" in staff.locator("article.report h3").inner_text()
    row = _row(staff, base, item)
    assert row.locator(".light").inner_text() == RED and "待负责人审核" in row.inner_text()
    screenshot(staff, f"supervision-pending-head-{tag}")

    # --- the head returns it with a reason ------------------------------------------------------------
    head = page_factory(viewport)
    head.on("dialog", lambda dialog: dialog.accept())  # 签发 asks first
    login(head, base, "head", PASSWORD)
    todo = head.locator("li.todo-sign-off", has_text=item.title)
    assert todo.count() == 1 and "待签发" in todo.inner_text()
    todo.locator("a").first.click()
    head.wait_for_load_state("networkidle")
    assert "单位负责人审核" in head.content() and FIRST in head.content()
    head.fill("#id_head_reason", HEAD_REASON)
    head.click("form.head-return button[type=submit]")
    head.wait_for_load_state("networkidle")
    assert "已退回填报人" in head.content()

    # --- staff read the reason, fix and resubmit; it goes to the head again --------------------------------
    staff.goto(base + "/")
    assert f"负责人退回理由:{HEAD_REASON}" in staff.locator("section.todo").inner_text()
    staff.goto(f"{base}/items/{item.pk}/report/")
    assert f"负责人退回理由:{HEAD_REASON}" in staff.content()
    staff.fill("textarea[name=progress]", FIXED)
    staff.click("button[name=action][value=submit]")
    staff.wait_for_load_state("networkidle")
    assert "正等待单位负责人审核" in staff.content()
    staff.goto(f"{base}/items/{item.pk}/")
    assert _light(staff) == RED

    # --- the head signs it off: green on the item page and in 我的任务 ------------------------------------
    head.goto(f"{base}/items/{item.pk}/report/")
    assert FIXED in head.content()
    head.click("text=签发报送规划办")
    head.wait_for_load_state("networkidle")
    assert "已签发:报告已报送规划办" in head.content() and "签发报送规划办" not in head.content()
    screenshot(head, f"supervision-signed-{tag}")
    fits(head, width)

    staff.goto(f"{base}/items/{item.pk}/")
    assert _light(staff) == GREEN
    assert "已提交" in staff.locator("article.report h3").inner_text()
    screenshot(staff, f"supervision-green-{tag}")
    row = _row(staff, base, item)
    assert row.locator(".light").inner_text() == GREEN and "已提交" in row.inner_text()
    accessible(staff, f"我的任务 green {tag}")
    screenshot(staff, f"supervision-green-list-{tag}")
    fits(staff, width)

    # --- the office approves it in the review queue and closes item 1 (销号) -------------------------------
    report = Report.objects.get(item=item, unit=p.education, cycle=p.cycle)
    office.goto(f"{base}/console/review/?cycle={p.cycle.pk}")
    office.click(f"a[href='/console/review/{report.pk}/']")
    office.wait_for_load_state("networkidle")
    assert FIXED in office.content()
    office.click("#review button.primary")
    office.wait_for_load_state("networkidle")
    assert f"已通过:市教育局 · {item.title[:30]}" in office.content()
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED

    office.goto(f"{base}/console/division/items/{item.pk}/")
    office.fill("#close-note", "年度任务已完成")
    office.click("#closure button")
    office.wait_for_load_state("networkidle")
    closure = office.locator("#closure").inner_text()
    assert "已销号" in office.content() and "年度任务已完成" in closure and "重新打开" in closure
    screenshot(office, f"supervision-closed-console-{tag}")

    # --- staff: 已销号, no light, no report to file --------------------------------------------------------
    staff.goto(f"{base}/items/{item.pk}/")
    assert "已销号" in staff.locator("h1 + p").inner_text() and staff.locator(".item-light").count() == 0
    assert staff.locator(f"a[href='/items/{item.pk}/report/']").count() == 0
    screenshot(staff, f"supervision-closed-{tag}")
    fits(staff, width)
    row = _row(staff, base, item)
    assert "已销号" in row.inner_text() and row.locator(".light").count() == 0
