"""The API during a database outage: a real server process whose PostgreSQL is unreachable (nothing listens on
its port) answers every API request with a JSON 503 and Retry-After, not Django's HTML 500 page."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.reminders.realparts import PYTHON, ROOT, django_env, free_port, stop_process, wait_for

SERVER = """
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server
from django.core.wsgi import get_wsgi_application
class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass
make_server("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), handler_class=Quiet).serve_forever()
"""


@pytest.fixture
def server(tmp_path):
    port, dead_db = free_port(), free_port()
    env = django_env(db=None, var=tmp_path / "var", database_url=f"postgres://planner@127.0.0.1:{dead_db}/planner")
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [PYTHON, "-c", SERVER, str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError((tmp_path / "server.log").read_text())
        try:
            urllib.request.urlopen(f"{base}/api/schema/", timeout=2)  # noqa: S310
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    wait_for(up, timeout=30, what="the API server to answer", explain=lambda: (tmp_path / "server.log").read_text())
    yield base
    stop_process(proc)
    log.close()


def _call(url: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_it_answers_json_503_with_retry_after_while_the_database_is_unreachable(server):
    token = {"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"}
    login = json.dumps({"username": "admin", "password": "x"}).encode()
    calls = [(f"{server}/api/cycles/", None, token), (f"{server}/api/tasks/?page_size=5", None, token)]
    calls += [(f"{server}/api/auth/token/", login, {"Content-Type": "application/json"})]
    answers = [_call(url, data=data, headers=headers) for url, data, headers in calls * 7]  # 21 requests
    for status, headers, body in answers:
        assert status == 503, body[:300]
        assert headers["Retry-After"] == "30" and headers["Content-Type"] == "application/json"
        assert json.loads(body) == {"detail": "数据库暂时不可用,请稍后重试。", "code": "database_unavailable"}
    page = _call(f"{server}/console/outbox/", headers={"Cookie": "sessionid=abc"})
    assert page[0] == 500 and b"database_unavailable" not in page[2]  # pages keep Django's own error handling
