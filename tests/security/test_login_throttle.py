"""Brute force on every password check: the login form, the admin login and POST /api/auth/token/."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tasks_app import login_throttle

PASSWORD = "a-long-right-password-77"
ATTACKER = "203.0.113.9"


@pytest.fixture
def victim(db):
    get_user_model().objects.create_user("victim", password=PASSWORD)
    get_user_model().objects.create_superuser("bystander", password=PASSWORD)
    return "victim"


def _form(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _admin(client: Client, username: str, password: str):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def _token(client: Client, username: str, password: str):
    body = json.dumps({"username": username, "password": password})
    return client.post("/api/auth/token/", body, content_type="application/json")


FACES = {"form": _form, "admin": _admin, "token": _token}


@pytest.mark.parametrize("face", sorted(FACES))
def test_it_throttles_thirty_wrong_passwords_before_the_tenth(victim, face):
    attempt = FACES[face]
    client = Client(REMOTE_ADDR=ATTACKER)
    statuses = [attempt(client, victim, f"wrong-{n}").status_code for n in range(30)]
    first_429 = statuses.index(429)
    assert first_429 < 9, statuses
    assert set(statuses[first_429:]) == {429}, "once locked, every further attempt is refused"
    locked = attempt(client, victim, "wrong-again")
    assert int(locked["Retry-After"]) > 0
    assert "登录失败次数过多" in locked.content.decode()


@pytest.mark.parametrize("face", sorted(FACES))
def test_it_refuses_the_right_password_until_the_lockout_passes(victim, face, monkeypatch):
    attempt = FACES[face]
    for n in range(10):
        attempt(Client(REMOTE_ADDR=ATTACKER), victim, f"wrong-{n}")
    # The owner, from another address, with the right password: still locked (the username is).
    assert attempt(Client(REMOTE_ADDR="198.51.100.7"), victim, PASSWORD).status_code == 429
    later = time.time() + login_throttle._limits()[3] + 1
    monkeypatch.setattr(time, "time", lambda: later)
    response = attempt(Client(REMOTE_ADDR="198.51.100.7"), victim, PASSWORD)
    assert response.status_code in (200, 302), response.content[:300]
    if face == "token":
        assert response.json()["token"]


def test_it_leaves_other_users_alone(victim):
    for n in range(30):
        _form(Client(REMOTE_ADDR=ATTACKER), victim, f"wrong-{n}")
    response = _form(Client(REMOTE_ADDR="198.51.100.7"), "bystander", PASSWORD)
    assert response.status_code == 302
    assert _token(Client(REMOTE_ADDR="198.51.100.7"), "bystander", PASSWORD).status_code == 200


def test_it_locks_an_address_that_sprays_many_usernames(victim):
    client = Client(REMOTE_ADDR=ATTACKER)
    limit = login_throttle._limits()[1]
    statuses = [_token(client, f"guess{n}", "123456").status_code for n in range(limit + 5)]
    assert statuses[:limit] == [400] * limit
    assert set(statuses[limit:]) == {429}
    # Even the right password of a real user is refused from that address, but not from another one.
    assert _token(client, "bystander", PASSWORD).status_code == 429
    assert _token(Client(REMOTE_ADDR="198.51.100.7"), "bystander", PASSWORD).status_code == 200


def test_it_clears_a_username_after_a_right_password(victim):
    client = Client(REMOTE_ADDR=ATTACKER)
    limit = login_throttle._limits()[0]
    for _ in range(3):
        for n in range(limit - 1):
            assert _token(client, victim, f"typo-{n}").status_code == 400
        assert _token(client, victim, PASSWORD).status_code == 200


def test_it_shows_the_lockout_page_in_chinese(victim):
    client = Client(REMOTE_ADDR=ATTACKER)
    for n in range(10):
        response = _form(client, victim, f"wrong-{n}")
    assert response.status_code == 429
    html = response.content.decode()
    assert "暂时无法登录" in html and "分钟后再试" in html


@pytest.mark.django_db(transaction=True)
def test_it_throttles_over_real_http(live_server):
    get_user_model().objects.create_user("remote", password=PASSWORD)

    def post(password: str) -> tuple[int, dict, str]:
        body = json.dumps({"username": "remote", "password": password}).encode()
        request = urllib.request.Request(  # noqa: S310  (the live server on 127.0.0.1)
            f"{live_server.url}/api/auth/token/", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    statuses = [post(f"wrong-{n}")[0] for n in range(30)]
    assert 429 in statuses[:9], statuses
    status, headers, body = post(PASSWORD)
    assert status == 429 and int(headers["Retry-After"]) > 0
    assert "登录失败次数过多" in json.loads(body)["detail"]


def test_it_trusts_x_forwarded_for_only_from_the_configured_proxy(victim, settings):
    settings.TRUSTED_PROXIES = ("10.0.0.2",)
    # A client claiming another address directly is counted under its own address.
    for n in range(25):
        _token(Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.1"), f"x{n}", "bad")
    assert _token(Client(REMOTE_ADDR=ATTACKER), "bystander", PASSWORD).status_code == 429
    # Behind the proxy the client is the address the proxy appended.
    proxied = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}")
    assert _token(proxied, "bystander", PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _token(other, "bystander", PASSWORD).status_code == 200
