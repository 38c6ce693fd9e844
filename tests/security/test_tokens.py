"""API tokens expire, rotate once expired, die with a password change or a logout, and can be revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PASSWORD = "a-long-right-password-77"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("holder", password=PASSWORD)


def _obtain(password: str = PASSWORD) -> dict:
    response = APIClient().post("/api/auth/token/", {"username": "holder", "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_gives_an_old_token_401_after_a_password_change(user):
    key = _obtain()["token"]
    assert _with(key).get("/api/tasks/").status_code == 200
    user.set_password("another-long-password-88")
    user.save()
    assert _with(key).get("/api/tasks/").status_code == 401
    assert _obtain("another-long-password-88")["token"] != key


def test_it_revokes_tokens_when_the_password_is_changed_in_the_admin(user, db):
    admin = get_user_model().objects.create_superuser("boss", password=PASSWORD)
    key = _obtain()["token"]
    client = Client()
    client.force_login(admin)
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "admin-set-password-99", "password2": "admin-set-password-99", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    assert _with(key).get("/api/tasks/").status_code == 401


def test_it_keeps_tokens_when_the_user_is_saved_without_a_new_password(user):
    key = _obtain()["token"]
    user.first_name = "改名"
    user.save()
    Client().login(username="holder", password=PASSWORD)  # last_login update
    assert _with(key).get("/api/tasks/").status_code == 200


def test_it_refuses_an_expired_token_and_issues_a_fresh_one(user, settings):
    first = _obtain()
    assert first["expires"]
    Token.objects.filter(key=first["token"]).update(created=timezone.now() - timedelta(hours=9))
    response = _with(first["token"]).get("/api/tasks/")
    assert response.status_code == 401
    assert "令牌已过期" in response.json()["detail"]
    second = _obtain()
    assert second["token"] != first["token"]
    assert _with(second["token"]).get("/api/tasks/").status_code == 200


def test_it_returns_the_same_token_while_it_is_valid(user):
    assert _obtain()["token"] == _obtain()["token"]


def test_it_revokes_tokens_on_logout(user):
    key = _obtain()["token"]
    client = Client()
    client.login(username="holder", password=PASSWORD)
    client.post("/accounts/logout/")
    assert _with(key).get("/api/tasks/").status_code == 401


def test_it_lists_and_revokes_tokens_through_the_api(user):
    key = _obtain()["token"]
    rows = _with(key).get("/api/auth/tokens/").json()
    assert [r["key_hint"] for r in rows] == [f"…{key[-4:]}"]
    assert key not in str(rows), "the list never shows a whole key"
    assert _with(key).delete("/api/auth/tokens/").status_code == 204
    assert _with(key).get("/api/tasks/").status_code == 401
    assert APIClient().get("/api/auth/tokens/").status_code == 401


def test_it_lists_and_revokes_tokens_on_the_account_page(user):
    key = _obtain()["token"]
    client = Client()
    client.force_login(user)
    html = client.get("/accounts/tokens/").content.decode()
    assert f"…{key[-4:]}" in html and key not in html
    assert 'href="/accounts/tokens/"' in client.get("/").content.decode(), "reachable from the account menu"
    response = client.post("/accounts/tokens/", follow=True)
    assert "已作废 1 个令牌" in response.content.decode()
    assert _with(key).get("/api/tasks/").status_code == 401
    assert Client().get("/accounts/tokens/").status_code == 302


def test_it_changes_the_password_on_the_account_page_and_revokes_tokens(user):
    key = _obtain()["token"]
    client = Client()
    client.force_login(user)
    assert 'href="/accounts/password/"' in client.get("/accounts/tokens/").content.decode()
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "not-it", "new_password1": "brand-new-password-42", "new_password2": "brand-new-password-42"},
    )
    assert wrong.status_code == 200 and "error" in wrong.content.decode()
    assert _with(key).get("/api/tasks/").status_code == 200, "a refused change revokes nothing"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "brand-new-password-42", "new_password2": "brand-new-password-42"},
        follow=True,
    )
    assert "密码已修改" in response.content.decode()
    assert _with(key).get("/api/tasks/").status_code == 401
    assert client.get("/").status_code == 200, "this session stays signed in"
    assert Client().login(username="holder", password="brand-new-password-42")
