"""Browser steps the two review journeys share (test_review_journey: the office returns and approves;
test_signoff_journey: the unit head returns and signs off first). Written once so the journeys drive the pages
the same way; each step checks its effect in the database, as the journeys did inline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tasks_app.models import Report
from tests.e2e.conftest import login
from tests.personas import PASSWORD


def signed_in(page_factory: Callable[[dict], Any], viewport: dict, base_url: str, username: str) -> Any:
    """A fresh page of ``username`` at ``viewport`` that accepts the confirm() dialogs (提交, 签发, 通过 ask first)."""
    page = page_factory(viewport)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, base_url, username, PASSWORD)
    return page


def return_with_reason(page: Any, report: Report, *, field: str, form: str, reason: str) -> None:
    """On the open page, write ``reason`` into ``field`` and send ``form`` (the office's or the head's return):
    the report is returned with that reason."""
    page.fill(field, reason)
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED and report.review_reason == reason


def resubmit(staff: Any, report: Report, *, progress: str, status: str) -> None:
    """On the open report page, the unit replaces the progress text and submits: the report holds the new text
    and goes to ``status`` (the office's queue, or the unit head first)."""
    staff.fill("textarea[name=progress]", progress)
    staff.click("button[name=action][value=submit]")
    staff.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == status and report.progress == progress


def approve(admin: Any, base_url: str, report: Report) -> str:
    """On the open review page, the office approves; returns the report's timeline as its page shows it then."""
    admin.click("#review button.primary")
    admin.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED
    admin.goto(f"{base_url}/console/review/{report.pk}/")
    return admin.locator("ol.timeline").inner_text()
