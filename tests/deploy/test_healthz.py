"""/healthz: 200 with both parts up, 503 naming the part that is down, no secrets, no login, no redirect."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings

from tests.reminders.realparts import RedisServer, free_port


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


def _get(client: Client) -> tuple[int, dict, bytes]:
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content), response.content


@pytest.mark.django_db
def test_it_reports_ok_when_the_database_and_redis_answer(redis):
    with override_settings(REDIS_URL=redis.url):
        status, body, raw = _get(Client())
    assert (status, body) == (200, {"status": "ok", "database": "ok", "broker": "ok"})
    assert redis.url.encode() not in raw and str(redis.port).encode() not in raw


@pytest.mark.django_db
def test_it_answers_503_when_the_broker_is_down():
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with override_settings(REDIS_URL=url):
        status, body, raw = _get(Client())
    assert (status, body) == (503, {"status": "unavailable", "database": "ok", "broker": "down"})
    assert b"127.0.0.1" not in raw and b"Error" not in raw


@pytest.mark.django_db
def test_it_answers_503_when_the_database_refuses(redis):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 10.0.0.5 refused")

    with override_settings(REDIS_URL=redis.url), connection.execute_wrapper(refuse):
        status, body, raw = _get(Client())
    assert (status, body) == (503, {"status": "unavailable", "database": "down", "broker": "ok"})
    assert b"10.0.0.5" not in raw


@pytest.mark.django_db
def test_it_checks_the_embedded_broker_folder_without_redis(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    assert _get(Client())[:2] == (200, {"status": "ok", "database": "ok", "broker": "ok"})
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    assert _get(Client())[0] == 503


@pytest.mark.django_db
def test_it_is_served_without_login_redirect_or_cache_and_only_for_reads(settings, redis):
    settings.REDIS_URL = redis.url
    settings.SECURE_SSL_REDIRECT = True  # production: every other plain-HTTP request is redirected
    client = Client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert client.get("/accounts/login/").status_code == 301
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
