"""Two web nodes and two workers against one PostgreSQL and one Redis, as docs/deploy.md §2 describes.

Real parts only: a PostgreSQL cluster and a redis-server of the test's own, two gunicorn instances (each with
its own port, the same environment and the same shared MEDIA_ROOT), two Celery workers, and an SMTP server
(aiosmtpd) on 127.0.0.1. A session signed in on node A is used on node B, an export started on A is
downloaded from B after a worker wrote it, and a reminder plan sent twice through the broker (two beat ticks)
reaches each unit exactly once. A missing server binary fails the test (as tests/reminders does).
"""

from __future__ import annotations

import http.client
import io
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.reminders.realparts import (
    AS_OF,
    PYTHON,
    ROOT,
    PgCluster,
    Recorder,
    RedisServer,
    SmtpServer,
    Worker,
    django_env,
    free_port,
    prepare_database,
    run_django,
    send_task,
    stop_process,
    wait_for,
)

pytestmark = pytest.mark.slow

OPS = ("ops", "Two-nodes-ops-8472!")
MAKE_OPS = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from tasks_app.models import OfficeRole, Plan
user = get_user_model().objects.create_user({OPS[0]!r}, password={OPS[1]!r})
OfficeRole.objects.create(user=user, role="admin")
print(Plan.objects.order_by("pk").values_list("pk", flat=True).first())
"""


class Node:
    """One gunicorn instance (2 sync workers) in its own process group."""

    def __init__(self, name: str, env: dict, folder: Path):
        self.port = free_port()
        self.log = folder / f"gunicorn-{name}.log"
        args = [PYTHON, "-m", "gunicorn", "planner.wsgi", "-w", "2", "-b", f"127.0.0.1:{self.port}"]
        self.out = self.log.open("ab")
        self.name = name
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self) -> None:
        wait_for(self.healthy, timeout=90, what=f"gunicorn {self.name} to answer /healthz", explain=self.tail)

    def healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited with {self.proc.returncode}\n{self.tail()}")
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def request(
        self, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            cookies = {}
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    cookies[key] = rest.split(";", 1)[0]
            return response.status, {**dict(response.getheaders()), "_cookies": cookies}, response.read()  # type: ignore[dict-item]
        finally:
            conn.close()

    def stop(self) -> None:
        stop_process(self.proc, grace=10)
        self.out.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-nodes")
    started: list = []
    try:
        pg_folder = Path(tempfile.mkdtemp(prefix="planner-two-nodes-pg-"))  # under /tmp: the postgres user reaches it
        started.append(lambda: shutil.rmtree(pg_folder, ignore_errors=True))
        pg = PgCluster(pg_folder)
        started.append(pg.destroy)
        redis = RedisServer(folder / "redis")
        started.append(redis.stop)
    except (RuntimeError, subprocess.CalledProcessError, FileNotFoundError) as exc:
        for stop in reversed(started):
            stop()
        pytest.fail(f"the two-node test needs PostgreSQL and redis-server: {exc}", pytrace=False)
    smtp = SmtpServer(Recorder())
    started.append(smtp.stop)
    try:
        _, expected = prepare_database(folder / "seed", database_url=pg.url)
        env = django_env(db=None, var=folder / "var", redis_url=redis.url, smtp_port=smtp.port, database_url=pg.url)
        env.update(ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="false", MEDIA_ROOT=str(folder / "shared-media"))
        plan_id = int(run_django([PYTHON, "-c", MAKE_OPS], env=env).strip())
        # the pages these requests render need only the app's own files (the admin and the API docs are not opened)
        collect = [
            PYTHON,
            "manage.py",
            "collectstatic",
            "--noinput",
            "-v0",
            "-i",
            "drf_spectacular_sidecar",
            "-i",
            "admin",
        ]
        run_django([*collect, "-i", "rest_framework"], env=env)
        nodes = [Node("a", env, folder), Node("b", env, folder)]
        started += [node.stop for node in nodes]
        workers = [Worker(name=name, env=env, folder=folder) for name in ("w1", "w2")]
        started += [worker.stop for worker in workers]
        for part in (*nodes, *workers):  # all four start at once; then wait for each
            part.wait_ready()
        yield {"nodes": nodes, "workers": workers, "redis": redis, "smtp": smtp, "expected": expected, "plan": plan_id}
    finally:
        for stop in reversed(started):
            stop()


def test_it_keeps_a_session_signed_in_on_one_node_valid_on_the_other(cluster):
    a, b = cluster["nodes"]
    status, headers, page = a.request("GET", "/accounts/login/")
    csrf = headers["_cookies"]["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = f"username={OPS[0]}&password={OPS[1]}&csrfmiddlewaretoken={token}".encode()
    status, headers, _ = a.request(
        "POST",
        "/accounts/login/",
        headers={"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"},
        body=form,
    )
    assert status == 302, status
    session = headers["_cookies"]["sessionid"]
    status, _, page = b.request("GET", "/console/cycles/", headers={"Cookie": f"sessionid={session}"})
    assert status == 200 and "报送周期" in page.decode()
    # and a stranger's cookie is not a session on either node
    assert b.request("GET", "/console/cycles/", headers={"Cookie": "sessionid=forged"})[0] == 302


def test_it_downloads_from_one_node_the_export_started_on_the_other(cluster):
    from openpyxl import load_workbook

    a, b = cluster["nodes"]
    body = json.dumps({"username": OPS[0], "password": OPS[1]}).encode()
    status, _, raw = a.request("POST", "/api/auth/token/", headers={"Content-Type": "application/json"}, body=body)
    assert status == 200, raw
    auth = {"Authorization": f"Token {json.loads(raw)['token']}", "Content-Type": "application/json"}
    start = json.dumps({"plan": cluster["plan"], "report": "division"}).encode()
    status, _, raw = a.request("POST", "/api/console/exports/", headers=auth, body=start)
    assert status == 202, raw
    job = json.loads(raw)["id"]

    def done() -> dict | None:
        row = json.loads(b.request("GET", f"/api/console/exports/{job}/", headers=auth)[2])
        assert row["status"] != "failed", row
        return row if row["status"] == "done" else None

    row = wait_for(done, timeout=60, what="a worker to finish the export")
    status, _, data = b.request("GET", row["download_url"], headers=auth)
    assert status == 200 and data[:2] == b"PK", (status, data[:200])
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    cells = [str(c) for row_ in sheet.iter_rows(max_row=6, values_only=True) for c in row_ if c]
    assert any("牵头单位" in c for c in cells), cells
    ran = sum(worker.succeeded("tasks_app.tasks.run_export_job") for worker in cluster["workers"])
    assert ran == 1


def test_it_sends_each_reminder_exactly_once_with_two_workers_and_two_ticks(cluster):
    mail: Recorder = cluster["smtp"].handler
    expected = cluster["expected"]
    assert expected, "the seeded database should have units to remind"
    send_task(cluster["redis"].url, "tasks_app.tasks.plan_reminders", AS_OF)
    send_task(cluster["redis"].url, "tasks_app.tasks.plan_reminders", AS_OF)  # a second beat tick, same day
    wait_for(lambda: mail.count() >= len(expected), timeout=60, what=f"{len(expected)} reminders by SMTP")
    wait_for(lambda: cluster["redis"].in_flight() == 0, timeout=30, what="the broker to drain")
    keys = mail.keys()
    assert len(keys) == len(set(keys)) == len(expected)
    planned = sum(worker.succeeded("tasks_app.tasks.plan_reminders") for worker in cluster["workers"])
    assert planned == 2


def test_it_shows_on_one_node_the_change_made_through_the_other(cluster):
    """The office snapshots (on with REDIS_URL) live in the shared Redis: node B's dashboard, kept from a
    repeated read, counts at once an item closed (销号) through node A, and again the item reopened."""
    a, b = cluster["nodes"]
    body = json.dumps({"username": OPS[0], "password": OPS[1]}).encode()
    status, _, raw = a.request("POST", "/api/auth/token/", headers={"Content-Type": "application/json"}, body=body)
    assert status == 200, raw
    auth = {"Authorization": f"Token {json.loads(raw)['token']}", "Content-Type": "application/json"}

    def get(node: Node, path: str):
        status, _, raw = node.request("GET", path, headers=auth)
        assert status == 200, (path, raw[:300])
        return json.loads(raw)

    listed = get(b, f"/api/cycles/?plan={cluster['plan']}")
    cycle = next(c for c in (listed["results"] if isinstance(listed, dict) else listed) if c["status"] == "open")
    dashboard = f"/api/console/cycles/{cycle['id']}/dashboard/"
    before = get(b, dashboard)["totals"]
    assert get(b, dashboard)["totals"] == before  # the second read comes from the snapshot
    tasks = get(a, f"/api/tasks/?plan={cluster['plan']}&page_size=100")["results"]
    item = next(t for t in tasks if t["lead"] and not t["closed_at"])
    note = json.dumps({"note": "两节点测试"}).encode()
    assert a.request("POST", f"/api/console/items/{item['id']}/close/", headers=auth, body=note)[0] == 200
    closed = get(b, dashboard)["totals"]
    assert closed["expected"] == before["expected"] - len(item["lead"])
    assert a.request("POST", f"/api/console/items/{item['id']}/reopen/", headers=auth, body=note)[0] == 200
    assert get(b, dashboard)["totals"] == before
