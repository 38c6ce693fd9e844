"""Swagger UI and the Django admin render under the CSP (page_factory fails on any reported violation)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, login
from tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_renders_swagger_ui_without_a_csp_violation(live_server, page_factory, personas):
    page = page_factory(DESKTOP)
    login(page, live_server.url, "owner", PASSWORD)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag", timeout=30_000)
    assert page.locator(".opblock").count() > 5


def test_it_renders_the_django_admin_without_a_csp_violation(live_server, page_factory, personas):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", password=PASSWORD)
    page = page_factory(DESKTOP)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    for path in ("/admin/", "/admin/tasks_app/unit/", "/admin/auth/user/add/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert "/admin/login/" not in page.url
