"""Issue 16, the unit's side, in a real browser at 390 and 1280 px (CSP on, live server, real SMTP on 127.0.0.1):

the office returns a report → the outbox mails the unit the reason (aiosmtpd receives it) and 我的任务 shows it in
待办 with an unmistakable state; the clerk deletes an attachment without losing typed text, autosave saves the
draft and a stale autosave is refused and said so; leaving with unsaved text warns; no focused field hides under
the sticky bar; 提交 and bulk 通过 ask first; the reviewer sees the resubmission flagged with its diff; a
cooperating unit sees its own status and its contribution locks after 提交. axe-core: 0 critical/serious on
every page visited, at both widths."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks_app import access
from tasks_app.models import Contribution, Evidence, ReminderMessage, Report, Unit
from tasks_app.services.reports import ReportDraft, evidence_attach, report_get_or_start, report_save, report_submit
from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.personas import PASSWORD, items_of, make_user
from tests.reminders.realparts import Recorder, SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REASON = "请补充新增学位的资金来源和开工时间。"
TYPED = "新增普惠性学位1200个,资金来源为市级财政专项。"
AXE = Axe()


@dataclass
class BodyRecorder(Recorder):
    """The reminders' SMTP recorder, keeping each message's decoded text too."""

    texts: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        self.texts.append(body.get_content() if body else "")
        return await super().handle_DATA(server, session, envelope)


def accessible(page, name: str) -> None:
    """axe-core (shipped with axe-playwright-python, never a CDN) finds nothing critical or serious."""
    found = AXE.run(page).response["violations"]
    bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in found]
    bad = [line for line, v in zip(bad, found, strict=True) if v["impact"] in ("critical", "serious")]
    assert not bad, f"{name}: {bad}"


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _prepared(p):
    """市教育局's lead task (with 市财政局 cooperating), submitted with two attachments; an indicator it reports."""
    p.education.contact_emails = ["jyj@example.org"]
    p.education.save(update_fields=["contact_emails"])
    finance = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name="市财政局")
    item = next(i for i in items_of(p, role="lead", kind="task") if finance.pk in _cooperating(i))
    indicator = items_of(p, role="responsible", kind="binding")[0]
    report = report_get_or_start(user=p.owner, item=item, unit_id=p.education.pk, cycle=p.cycle)
    report = report_save(
        report=report,
        user=p.owner,
        data=ReportDraft(progress_status=Report.Progress.ON_TRACK, progress="全年完成既定任务"),
        expected_version=report.version,
    )
    for name in ("方案.pdf", "验收.pdf"):
        content = PDF.replace(b"\n", f"\n% {name}\n".encode(), 1)  # two files, two contents: no duplicate
        evidence_attach(report=report, user=p.owner, upload=SimpleUploadedFile(name, content, "application/pdf"))
    report = report_submit(report=report, user=p.owner, expected_version=report.version)
    return item, indicator, report, finance


def _cooperating(item) -> list[int]:
    return access.cooperating_unit_ids(item)


def _wait(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def smtp(settings):
    server = SmtpServer(BodyRecorder())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the delivery task runs right after the return commits
    yield server.handler
    server.stop()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_tells_the_unit_of_a_return_and_never_loses_its_text(
    live_server, page_factory, personas, settings, tmp_path, smtp, viewport
):
    p = personas
    tag = "phone" if viewport is PHONE else "desktop"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    item, indicator, report, finance = _prepared(p)
    make_user("finance", unit=finance)

    # --- the office returns the report: the unit is mailed the reason through the outbox ------------------
    admin = page_factory(viewport)
    login(admin, live_server.url, "office", PASSWORD)
    admin.goto(f"{live_server.url}/console/review/{report.pk}/")
    admin.fill("#id_reason", REASON)
    admin.click("form.return-form button[type=submit]")
    admin.wait_for_load_state("networkidle")
    _wait(lambda: smtp.count() == 1)
    [row] = ReminderMessage.objects.filter(unit=p.education, kind=ReminderMessage.Kind.RETURNED)
    assert row.status == ReminderMessage.Status.SENT and REASON in row.body_text
    assert smtp.messages[0].recipients == ["jyj@example.org"] and smtp.messages[0].key == row.key
    assert REASON in smtp.texts[0] and f"/items/{item.pk}/report/?unit={p.education.pk}" in smtp.texts[0]

    # --- 我的任务: 待办 names the return and its reason; the first item is on the first screen ---------------
    staff = page_factory(viewport)
    dialogs: list[tuple[str, str]] = []
    login(staff, live_server.url, "owner", PASSWORD)
    staff.goto(f"{live_server.url}/")
    todo = staff.locator("section.todo")
    assert REASON in todo.inner_text() and "已退回" in todo.inner_text()
    first_row = staff.locator(".worklist .row").first.bounding_box()
    assert first_row["y"] < viewport["height"], "the first item shows on the first screen"
    returned_row = staff.locator(".worklist .row.returned")
    assert returned_row.locator(".row-action").inner_text() == "修改退回的报告"
    colours = returned_row.locator(".badge.returned-flag").evaluate("b => getComputedStyle(b).backgroundColor")
    late = staff.locator(".badge.late").first.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colours != late, "已退回 does not look like 逾期"
    assert staff.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(staff, f"workspace-todo-{tag}")
    accessible(staff, "我的任务")

    staff.goto(f"{live_server.url}/plans/")
    accessible(staff, "规划")
    staff.goto(f"{live_server.url}/items/{item.pk}/")
    assert staff.locator(".actions a.button.primary").first.inner_text() == "修改退回的报告"
    accessible(staff, "事项页(填报单位)")
    staff.goto(f"{live_server.url}/")

    # --- the report form: delete an attachment without losing the typed text ------------------------------
    todo.locator("a", has_text=item.title[:10]).first.click()
    staff.wait_for_load_state("networkidle")
    assert f"规划办退回理由:{REASON}" in staff.locator(".returned-box").inner_text()
    accessible(staff, "报告表单")
    upload = staff.locator("#id_evidence").bounding_box()
    assert upload["y"] + upload["height"] <= viewport["height"], "the upload shows at first view"
    staff.evaluate("window.__samePage = true")
    staff.fill("textarea[name=progress]", TYPED)
    staff.once("dialog", lambda dialog: (dialogs.append((dialog.type, dialog.message)), dialog.accept()))
    delete = staff.locator("button.delete-evidence").first
    box = delete.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    link = staff.locator(".files li a").first.bounding_box()
    assert box["x"] - (link["x"] + link["width"]) >= 16, "删除 is not beside the file link"
    delete.click()
    staff.locator(".files li").nth(1).wait_for(state="detached")
    assert staff.locator(".files li").count() == 1 and "已删除材料" in staff.locator(".evidence-status").inner_text()
    assert dialogs[-1][0] == "confirm" and "删除材料" in dialogs[-1][1]
    assert staff.evaluate("window.__samePage") is True, "no reload"
    assert staff.input_value("textarea[name=progress]") == TYPED
    assert Evidence.objects.filter(report=report).count() == 1
    screenshot(staff, f"report-evidence-deleted-{tag}")

    # --- autosave: the typed text reaches the draft (leaving the field saved it) ----------------------------
    staff.locator(".autosave-status.saved").wait_for()
    report.refresh_from_db()
    assert report.progress == TYPED and report.status == Report.Status.RETURNED

    # --- a colleague saves meanwhile: the next autosave is refused and the page says so ---------------------
    report = report_save(
        report=report,
        user=p.colleague,
        data=ReportDraft(progress_status=Report.Progress.ON_TRACK, progress="同事保存的版本"),
        expected_version=report.version,
    )
    staff.fill("textarea[name=problems]", "部分县区财政投入不足。")
    staff.locator("textarea[name=next_steps]").focus()  # leaving 存在问题 autosaves
    staff.locator(".autosave-status.error").wait_for()
    assert "自动保存已停止" in staff.locator(".autosave-status").inner_text()
    report.refresh_from_db()
    assert report.progress == "同事保存的版本", "the stale autosave overwrote nothing"
    screenshot(staff, f"report-autosave-refused-{tag}")

    # --- leaving with unsaved text warns (accepted: the clerk reloads to merge) -----------------------------
    staff.once("dialog", lambda dialog: (dialogs.append((dialog.type, dialog.message)), dialog.accept()))
    staff.goto(f"{live_server.url}/items/{item.pk}/report/")
    assert dialogs[-1][0] == "beforeunload"

    # --- 提交 asks first: cancelled nothing happens, confirmed it is resubmitted ----------------------------
    staff.fill("textarea[name=progress]", TYPED)
    staff.once("dialog", lambda dialog: (dialogs.append((dialog.type, dialog.message)), dialog.dismiss()))
    staff.click("button[name=action][value=submit]")
    assert dialogs[-1][0] == "confirm" and "提交后不可修改" in dialogs[-1][1]
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.click("button[name=action][value=submit]")
    staff.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED and report.progress == TYPED
    screenshot(staff, f"report-resubmitted-{tag}")

    # --- the focused field is never under the sticky bar (every field of an indicator's form) ---------------
    staff.goto(f"{live_server.url}/items/{indicator.pk}/report/")
    assert "目标值" in staff.locator(".indicator-context").inner_text()
    accessible(staff, "指标报告表单")
    upload = staff.locator("#id_evidence").bounding_box()
    assert upload["y"] + upload["height"] <= viewport["height"], "the upload shows at first view"
    screenshot(staff, f"report-indicator-{tag}")
    staff.locator("#id_actual_value_text").focus()
    staff.keyboard.press("Shift+Tab")  # onto what precedes 实际值, then tab into it and through the whole form
    seen = set()
    for _ in range(40):
        staff.keyboard.press("Tab")
        staff.wait_for_timeout(60)  # the browser's scroll (and workspace.js's nudge) settle
        name = staff.evaluate("document.activeElement.name || ''")
        if name == "action":
            break
        if name in ("", "csrfmiddlewaretoken", "version"):
            continue
        seen.add(name)
        field = staff.locator(":focus").bounding_box()
        bar = staff.locator(".report-form .actions.sticky").bounding_box()
        assert not overlaps(field, bar), (name, field, bar)
    assert {"actual_value_text", "progress", "next_steps"} <= seen, seen

    # --- the reviewer sees the resubmission flagged, with the diff; bulk 通过 asks first -------------------
    admin.goto(f"{live_server.url}/console/review/?cycle={p.cycle.pk}")
    flagged = admin.locator("tr", has=admin.locator(".badge.resubmitted-flag"))
    assert flagged.count() == 1 and "工作进展" in flagged.locator("details.resubmission summary").inner_text()
    flagged.locator("details.resubmission summary").click()
    assert "资金来源" in flagged.locator("ins").first.inner_text()
    screenshot(admin, f"review-resubmission-{tag}")
    accessible(admin, "审核队列")
    flagged.locator("input[name=report]").check()
    admin.once("dialog", lambda dialog: (dialogs.append((dialog.type, dialog.message)), dialog.dismiss()))
    admin.click("#bulk button[data-confirm-selected]")
    assert "确定通过所选的 1 份报告" in dialogs[-1][1]
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click("#bulk button[data-confirm-selected]")
    admin.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED

    # --- a cooperating unit: its own status, the lead's context, locked after 提交 -------------------------
    coop = page_factory(viewport)
    login(coop, live_server.url, "finance", PASSWORD)
    coop.goto(f"{live_server.url}/?q={item.number or item.title[:8]}")
    accessible(coop, "我的任务(配合单位)")
    coop.goto(f"{live_server.url}/items/{item.pk}/contribution/")
    context = coop.locator("section.contribution-context").inner_text()
    assert "市教育局" in context and "报送截止" in context and "已通过" in context
    accessible(coop, "配合情况表单")
    coop.fill("textarea[name=text]", "配合保障学位建设资金。")
    coop.once("dialog", lambda dialog: dialog.accept())
    coop.click("button[name=action][value=submit]")
    coop.wait_for_load_state("networkidle")
    assert coop.locator("textarea[name=text]").count() == 0 and "已锁定" in coop.content()
    assert Contribution.objects.get(item=item, unit=finance).status == Contribution.Status.SUBMITTED
    screenshot(coop, f"contribution-locked-{tag}")
    coop.goto(f"{live_server.url}/items/{item.pk}/")
    accessible(coop, "事项页")
    coop.goto(f"{live_server.url}/?page_size=200")
    row = coop.locator(".worklist .row", has=coop.locator(f"a[href='/items/{item.pk}/']"))
    assert "配合情况已提交" in row.inner_text() and "逾期" not in row.inner_text()
    screenshot(coop, f"workspace-cooperating-{tag}")
