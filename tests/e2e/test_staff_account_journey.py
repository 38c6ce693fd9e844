"""On a phone: the office admin creates a unit's staff login; its first sign-in must change the first password."""

from __future__ import annotations

import pytest

from tasks_app.models import AccountState
from tests.e2e.conftest import PHONE, login, screenshot
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = "Chuci-Mima-2024!"
NEW = "Xin-Mima-Only-Mine-77"


def test_it_creates_a_staff_login_and_forces_the_first_password_change(live_server, page_factory, personas):
    admin = page_factory(PHONE)
    login(admin, live_server.url, "office", PASSWORD)
    admin.goto(f"{live_server.url}/console/units/accounts/?unit={personas.education.pk}")
    admin.select_option("#id_unit", str(personas.education.pk))
    admin.fill("#id_username", "jyj-wang")
    admin.fill("#id_full_name", "王芳")
    admin.select_option("#id_role", "staff")
    admin.fill("#id_first_password", FIRST)
    admin.click("button.primary[type=submit]")
    admin.wait_for_load_state("networkidle")
    assert "已为市教育局创建账号 jyj-wang" in admin.content() and "待修改初始密码" in admin.content()
    assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "scrolls sideways on a phone"
    screenshot(admin, "staff-account-created-phone")

    staff = page_factory(PHONE)
    login(staff, live_server.url, "jyj-wang", FIRST)
    assert staff.url.endswith("/accounts/password/") and "首次登录" in staff.content()
    staff.goto(f"{live_server.url}/")
    assert staff.url.endswith("/accounts/password/")
    staff.fill("#id_old_password", FIRST)
    staff.fill("#id_new_password1", NEW)
    staff.fill("#id_new_password2", NEW)
    screenshot(staff, "first-password-change-phone")
    staff.click("main button.primary[type=submit]")
    staff.wait_for_load_state("networkidle")
    staff.goto(f"{live_server.url}/")
    assert "/accounts/" not in staff.url
    assert not AccountState.objects.get(user__username="jyj-wang").must_change_password
