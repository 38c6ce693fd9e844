"""Security headers: a CSP with a per-response nonce, Permissions-Policy, no-store on private answers,
and the X-Forwarded-Proto contract (believed only when TRUSTED_PROXY is configured)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

TEMPLATES = Path(__file__).resolve().parents[2] / "tasks_app" / "web" / "templates"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("viewer", password="a-long-right-password-77")


def test_it_sends_a_strict_csp_and_permissions_policy_on_every_page(user):
    anonymous = Client().get("/accounts/login/")
    client = Client()
    client.force_login(user)
    for response in (anonymous, client.get("/"), client.get("/api/tasks/")):
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        script = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
        assert "camera=()" in response["Permissions-Policy"]
    first = re.search(r"'nonce-([^']+)'", client.get("/")["Content-Security-Policy"]).group(1)
    second = re.search(r"'nonce-([^']+)'", client.get("/")["Content-Security-Policy"]).group(1)
    assert first != second, "a fresh nonce per response"


def test_it_keeps_private_answers_out_of_caches(user):
    client = Client()
    client.force_login(user)
    assert client.get("/")["Cache-Control"] == "no-store"
    assert client.get("/accounts/tokens/")["Cache-Control"] == "no-store"
    assert client.get("/api/tasks/")["Cache-Control"] == "no-store"
    assert Client().get("/api/tasks/")["Cache-Control"] == "no-store"  # API answers, even a 401


def test_it_has_no_inline_script_in_any_template():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(path.name)
        if "javascript:" in text:
            offenders.append(path.name)
    assert not offenders, offenders


def test_it_ignores_x_forwarded_proto_without_a_trusted_proxy(settings, user):
    assert not settings.TRUSTED_PROXIES
    assert getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_it_believes_x_forwarded_proto_behind_the_configured_proxy(settings, user):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_it_turns_the_proxy_contract_on_from_the_environment():
    import os
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.TRUSTED_PROXIES, s.SECURE_PROXY_SSL_HEADER)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "planner.test_settings", "TRUSTED_PROXY": "10.0.0.2,10.0.0.3"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "('10.0.0.2', '10.0.0.3') ('HTTP_X_FORWARDED_PROTO', 'https')", done.stderr
