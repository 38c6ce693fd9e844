"""The 督办单 in Chromium: from the list to one unit's notice, printed (print media: a clean sheet, no navigation)
and on a phone (390 px, nothing to scroll sideways). Screenshots: supervision-{desktop,phone}.png."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_opens_prints_and_fits_the_supervision_notice_on_a_phone(live_server, page_factory, personas):
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_factory(viewport)
        page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")
        login(page, live_server.url, "office", PASSWORD)
        page.goto(f"{live_server.url}/console/supervision/?cycle={personas.cycle.pk}")
        assert page.locator(".console-nav a", has_text="督办单").count() == 1  # the console navigation line
        row = page.locator("tr", has_text="市教育局")
        row.get_by_role("link", name="查看/打印").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("article.supervision-sheet h1").inner_text().startswith("督办单")
        assert page.locator("table.supervision-items tbody tr").count() > 0
        page.get_by_role("button", name="打印").click()
        assert page.evaluate("window.__printed") == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        wrap = page.locator("article .table-wrap")  # the table itself fits: no sideways scrolling inside it
        assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        screenshot(page, f"supervision-{name}")
        page.emulate_media(media="print")
        assert not page.locator(".console-nav").is_visible() and not page.locator(".topbar").is_visible()
        assert page.locator("table.supervision-items").is_visible()
        with page.expect_download() as download:
            page.emulate_media(media="screen")
            page.get_by_role("link", name="导出 Word").click()
        assert download.value.suggested_filename.endswith(".docx") and "市教育局" in download.value.suggested_filename
