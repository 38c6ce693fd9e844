from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_chinese_login_and_refuses_a_wrong_password(live_server, page_factory, personas):
    page = page_factory(PHONE)
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "登录"
    login(page, live_server.url, "owner", "wrong-password")
    assert "用户名或密码不正确" in page.content()
    screenshot(page, "login-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the login page scrolls sideways on a phone"


def test_it_logs_staff_in_to_the_workspace(live_server, page_factory, personas):
    page = page_factory(DESKTOP)
    login(page, live_server.url, "owner", PASSWORD)
    assert "/accounts/login/" not in page.url
    assert "规划纲要任务分工督办" in page.content()
    screenshot(page, "home-desktop")
