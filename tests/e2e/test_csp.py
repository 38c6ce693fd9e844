"""The CSP in a real Chromium: inline code is refused (and reported, which page_factory turns into a failure),
while the declared behaviours in tasks_app/behaviours.js keep working under it."""

from __future__ import annotations

import pytest

from tasks_app.services.cycles import cycle_open
from tests.console.review_fixtures import education_task_items, submitted_report
from tests.e2e.conftest import DESKTOP, login
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_refuses_inline_script_and_reports_it(live_server, browser, personas):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text))
    login(page, live_server.url, "owner", PASSWORD)
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected") is None, "an inline script ran despite the CSP"
    assert any("Content Security Policy" in text for text in seen), seen
    context.close()


def test_it_keeps_autosubmit_and_check_all_working_under_the_csp(live_server, page_factory, personas):
    for item in education_task_items(personas)[:2]:
        submitted_report(personas, item)
    other = cycle_open(plan=personas.plan, year=2021)
    page = page_factory(DESKTOP)
    login(page, live_server.url, "office", PASSWORD)
    page.goto(f"{live_server.url}/console/dashboard/")
    page.select_option("select[name=cycle]", str(other.pk))
    page.wait_for_url(f"**cycle={other.pk}**")
    assert "2021年度" in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/console/review/?cycle={personas.cycle.pk}")
    boxes = page.locator("input[name=report]")
    assert boxes.count() == 2
    page.click("input[data-check-all]")
    assert all(boxes.nth(n).is_checked() for n in range(boxes.count()))
