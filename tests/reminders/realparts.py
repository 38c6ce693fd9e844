"""Real parts for the reminder integration tests: a redis-server, Celery worker processes, an SMTP server and a
chat-robot webhook server (http.server, answering as 企业微信/钉钉 robots do).

Everything listens on 127.0.0.1 only, every wait polls with a deadline, and every process is killed by the
fixture that started it. The worker processes share a file SQLite database with the test (the pytest-django
database is in memory and invisible to other processes); the test reads it with the sqlite3 module.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.header import decode_header, make_header
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
TABLE = "tasks_app_remindermessage"
COLUMNS = "key, status, attempts, last_error, claimed_at, sent_at"
AS_OF = "2020-01-16"  # 30 days before Yingkou's 2019 cycle is due (2020-02-15)

SEED_SCRIPT = """
import django
django.setup()
from tasks_app.services.accounts import demo_users_create
from tasks_app.services.cycles import cycle_open
import tests.conftest  # noqa: F401  (before tests.personas: they import each other)
from tests.personas import import_yingkou
plan = import_yingkou()
demo_users_create()
cycle_open(plan=plan, year=2019)
"""


def send_reminders(*args: str) -> dict:
    """`send_reminders … --json` in this process: its report, whatever the exit status. The command exits 1 when
    anything due is left undelivered; a test asserts the counts (and the exit status, where it matters)."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    try:
        call_command("send_reminders", *args, "--json", stdout=out)
        status = 0
    except CommandError as exc:
        if exc.returncode != 1:
            raise
        status = 1
    return {**json.loads(out.getvalue()), "exit_status": status}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, explain: Callable[[], str] = str):
    """Poll ``predicate`` every 50 ms until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{explain()}")
        time.sleep(0.05)


def stop_process(proc: subprocess.Popen | None, *, sig: int = signal.SIGTERM, grace: float = 5.0) -> None:
    """Signal the process group, wait up to ``grace`` seconds, then SIGKILL it."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


# Redis -------------------------------------------------------------------------------------------------------


class RedisServer:
    def __init__(self, folder: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is not installed: the reminder integration tests need a real Redis "
                "(Debian: apt-get install redis-server; CI installs it with .ci/system.sh)"
            )
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "redis.log"
        self.args = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.args += ["--dir", str(folder), "--protected-mode", "yes", "--logfile", str(self.log)]
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(self.args, start_new_session=True, stdout=subprocess.DEVNULL)
        wait_for(self.ping, timeout=15, what="redis-server to answer PING", explain=self.tail)

    def restart(self, *, down: float = 0.0) -> None:
        """Stop the server (SIGTERM, no persistence: every queued and unacknowledged task is gone), stay down for
        ``down`` seconds, start it again on the same port."""
        stop_process(self.proc)
        time.sleep(down)
        self.start()

    def ping(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"redis-server exited with {self.proc.returncode}\n{self.tail()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def flush(self) -> None:
        with self.client() as client:
            client.flushall()

    def in_flight(self) -> int:
        """Task messages queued plus those a worker holds unacknowledged (running, or waiting for a countdown)."""
        with self.client() as client:
            return client.llen("celery") + client.hlen("unacked")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def stop(self) -> None:
        stop_process(self.proc)


# SMTP --------------------------------------------------------------------------------------------------------


@dataclass
class Received:
    recipients: list[str]
    subject: str
    key: str
    message_id: str


@dataclass
class Recorder:
    """aiosmtpd handler: records every accepted message; can be slow before DATA and refuse the first N."""

    mail_delay: float = 0.0  # seconds to sit on MAIL FROM (a kill lands here: nothing accepted yet)
    refuse_first: int = 0  # answer 451 to the DATA of the first N transactions
    # As Postfix does: queue the message at end-of-data, then reply 250 this many seconds later (a client that dies
    # meanwhile never hears it, but the message is delivered). Only the first ``reply_slow_first`` messages.
    reply_delay: float = 0.0
    reply_slow_first: int = 0
    messages: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    replied_at: dict[int, float] = field(default_factory=dict)  # message index -> time.time() of its 250
    in_mail: int = 0  # transactions currently sitting in the slow MAIL FROM
    in_reply: int = 0  # messages queued and waiting for their late 250
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_delay:
            with self.lock:
                self.in_mail += 1
            try:
                await asyncio.sleep(self.mail_delay)
            finally:
                with self.lock:
                    self.in_mail -= 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=email_policy.default)
        # Django folds a long encoded subject onto continuation lines ("Subject:\n =?utf-8?b?…?="); email.header
        # decodes it as a mail client shows it (policy.default would keep the leading folding space).
        subject = str(make_header(decode_header(message_from_bytes(raw)["Subject"])))
        key = str(parsed.get("X-Reminder-Key", ""))
        with self.lock:
            if len(self.refused) < self.refuse_first:
                self.refused.append(key)
                return "451 4.3.0 Try again later"
            self.messages.append(
                Received(
                    recipients=list(envelope.rcpt_tos),
                    subject=subject,
                    key=key,
                    message_id=str(parsed.get("Message-ID", "")),
                )
            )
            index = len(self.messages) - 1
            slow = self.reply_delay and index < self.reply_slow_first
            if slow:
                self.in_reply += 1
        if slow:
            try:
                await asyncio.sleep(self.reply_delay)
            finally:
                with self.lock:
                    self.in_reply -= 1
        with self.lock:
            self.replied_at[index] = time.time()
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def keys(self) -> list[str]:
        with self.lock:
            return [m.key for m in self.messages]


class SmtpServer:
    def __init__(self, handler: Recorder, *, port: int | None = None):
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
        self.handler = handler
        self.port = port or free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


# Chat-robot webhooks -----------------------------------------------------------------------------------------

ROBOT_OK = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class Post:
    path: str  # with the query (the robot key)
    key: str  # X-Reminder-Key header
    body: dict
    status: int  # the HTTP status sent back
    errcode: int  # the errcode in the JSON answer (0: accepted)


class RobotServer:
    """A threaded HTTP server on 127.0.0.1 that records every POST and answers from a script.

    ``script`` holds the answers for the first requests, in order: ``(status, json_body)`` or ``("sleep", s)``
    (answer 200 after ``s`` seconds, for timeouts); later requests get ``ROBOT_OK``. A test asserts on ``posts``
    (every request) and ``accepted()`` (requests answered 2xx with errcode 0).
    """

    def __init__(self, script: list | None = None):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.script = list(script or [])
        self.posts: list[Post] = []
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with robot.lock:
                    answer = robot.script.pop(0) if robot.script else ROBOT_OK
                if answer[0] == "sleep":
                    time.sleep(answer[1])
                    answer = ROBOT_OK
                status, body = answer
                with robot.lock:
                    key = self.headers.get("X-Reminder-Key", "")
                    errcode = body.get("errcode", 0)
                    robot.posts.append(Post(self.path, key, json.loads(raw), status=status, errcode=errcode))
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def accepted(self) -> list[Post]:
        """Posts the robot answered with success: HTTP 2xx and errcode 0."""
        with self.lock:
            return [post for post in self.posts if 200 <= post.status < 300 and post.errcode == 0]

    def count(self) -> int:
        with self.lock:
            return len(self.posts)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# Database and Django processes --------------------------------------------------------------------------------


def django_env(
    *,
    db: Path | None,
    var: Path,
    redis_url: str | None = None,
    smtp_port: int | None = None,
    database_url: str | None = None,
) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="planner.settings",
        SECRET_KEY=secrets.token_urlsafe(40),
        DEBUG="false",
        DATABASE_URL=database_url or f"sqlite:///{db}",  # db is absolute: sqlite:////tmp/…
        VAR_DIR=str(var),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        REMINDER_RETRY_SCHEDULE="1,2,3",
        # The processes run at any hour; a test that exercises quiet hours sets its own window.
        REMINDER_QUIET_HOURS="off",
        REMINDER_QUIET_WEEKENDS="false",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    if smtp_port:
        env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port), EMAIL_TIMEOUT="10")
    return env


def run_django(args: list[str], *, env: dict, timeout: float = 120) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    return done.stdout


def prepare_database(folder: Path, *, database_url: str | None = None) -> tuple[Path, list[dict]]:
    """Migrate and seed a file database (Yingkou, demo users, 2019 cycle open), or the PostgreSQL database at
    ``database_url``; return the file and the dry-run plan."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "template.sqlite3"
    env = django_env(db=db, var=folder / "var", database_url=database_url)
    run_django([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env=env)
    run_django([PYTHON, "-c", SEED_SCRIPT], env=env)
    out = run_django([PYTHON, "manage.py", "send_reminders", "--as-of", AS_OF, "--dry-run", "--json"], env=env)
    return db, json.loads(out)["messages"]


class Outbox:
    """Read-only view of the outbox table in the shared file database."""

    def __init__(self, db: Path):
        self.db = db

    def rows(self) -> list[dict]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=20)
        try:
            conn.row_factory = sqlite3.Row
            cur = conn.execute(f"SELECT {COLUMNS} FROM {TABLE} ORDER BY id")  # noqa: S608
            return [dict(row) for row in cur.fetchall()]
        finally:
            conn.close()

    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows():
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        return counts

    def age_claims(self, seconds: int = 3600) -> int:
        """Move every claim back in time, as if the sweeper ran long after a crash (past the claim timeout)."""
        conn = sqlite3.connect(str(self.db), timeout=20)
        try:
            with conn:
                cur = conn.execute(
                    f"UPDATE {TABLE} SET claimed_at = datetime(claimed_at, ?) WHERE status = 'sending'",  # noqa: S608
                    (f"-{seconds} seconds",),
                )
            return cur.rowcount
        finally:
            conn.close()


class PgOutbox(Outbox):
    """The same view of the outbox in a PostgreSQL database; ``rows`` is empty while the server is down."""

    def __init__(self, url: str):
        self.url = url

    def rows(self) -> list[dict]:
        import psycopg
        from psycopg.rows import dict_row

        try:
            with psycopg.connect(self.url, connect_timeout=2, row_factory=dict_row) as conn:
                return list(conn.execute(f"SELECT {COLUMNS} FROM {TABLE} ORDER BY id"))  # noqa: S608
        except psycopg.OperationalError:
            return []


class PgCluster:
    """A throwaway PostgreSQL cluster (.ci/postgres.sh) on a free port, which a test can stop and start again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        env = {**os.environ, "PGPORT_CI": str(self.port)}
        out = subprocess.run(
            ["bash", str(ROOT / ".ci" / "postgres.sh"), "start", str(folder)],
            env=env, capture_output=True, text=True, timeout=120, check=True,
        ).stdout  # fmt: skip
        self.url = out.strip().removeprefix("export DATABASE_URL=")
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]

    def _pg_ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, timeout=60, check=True)

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, new ones refused (what a restart or failover looks like)."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        options = f"-k {self.folder} -h 127.0.0.1 -p {self.port} -F"
        self._pg_ctl("-l", str(self.folder / "log"), "-w", "-o", options, "start")

    def destroy(self) -> None:
        subprocess.run(
            ["bash", str(ROOT / ".ci" / "postgres.sh"), "stop", str(self.folder)], capture_output=True, timeout=60
        )


class Worker:
    """A real `celery -A planner worker` process (prefork, one child) in its own process group."""

    def __init__(self, *, name: str, env: dict, folder: Path):
        self.name = name
        self.log = folder / f"worker-{name}.log"
        args = [PYTHON, "-m", "celery", "-A", "planner", "worker", "--concurrency=1", "-Q", "celery"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h", "--loglevel=INFO"]
        self.out = self.log.open("ab")
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def succeeded(self, task: str) -> int:
        """How many runs of ``task`` this worker logged as succeeded."""
        return sum(1 for line in self.tail_all().splitlines() if f"Task {task}[" in line and " succeeded " in line)

    def tail_all(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker {self.name} exited with {self.proc.returncode}\n{self.tail()}")
            return " ready." in self.tail()

        wait_for(ready, timeout=timeout, what=f"worker {self.name} to be ready", explain=self.tail)

    def children(self) -> list[int]:
        """The prefork pool's child processes (where tasks run)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL the worker and its pool child at once: no warm shutdown, no acknowledgement, no cleanup."""
        stop_process(self.proc, sig=signal.SIGKILL, grace=10)

    def stop(self) -> None:
        stop_process(self.proc, sig=signal.SIGTERM, grace=10)
        self.out.close()


def send_task(redis_url: str, name: str, *args) -> None:
    """Publish a task through the broker exactly as beat would (a separate Celery client, same Redis)."""
    from celery import Celery

    client = Celery("it-client", broker=redis_url, set_as_current=False)
    client.conf.broker_connection_retry_on_startup = True
    try:
        client.send_task(name, args=list(args))
    finally:
        client.close()
