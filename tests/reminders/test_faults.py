"""Faults just outside the happy path, with the real parts: the cron path with SMTP down then up, a Redis restart
under a worker that holds retries, a pool child killed while a late-replying server holds its 250, and (on
PostgreSQL) the database stopped in the middle of a batch. Each test prints its figures (expected, delivered,
duplicates, lost) on a FIGURES line; docs/reminders.md §6 records a run of them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.reminders.realparts import (
    AS_OF,
    PYTHON,
    ROOT,
    Outbox,
    PgCluster,
    Recorder,
    SmtpServer,
    django_env,
    free_port,
    prepare_database,
    send_task,
    wait_for,
)

pytestmark = pytest.mark.slow

SWEEP = "tasks_app.tasks.sweep_outbox"
OVERDUE = "2020-02-22"  # 7 days after Yingkou's 2019 cycle was due: 44 unit digests and the office summary


def figures(case: str, *, expected: int, keys: list[str], **extra: object) -> dict:
    counts = Counter(keys)
    found = {
        "expected": expected,
        "delivered": len(counts),
        "duplicates": sum(n - 1 for n in counts.values()),
        "lost": expected - len(counts),
        **extra,
    }
    print(f"FIGURES {case}: {json.dumps(found, ensure_ascii=False)}")
    return found


def _cron(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", "send_reminders", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def test_it_reports_pending_with_smtp_down_and_delivers_them_on_the_next_cron_run(tmp_path, template):
    """Cron only (no worker, no beat): SMTP down → 44 pending, exit 1; SMTP up → the 44 delivered; then nothing."""
    db = tmp_path / "db.sqlite3"
    shutil.copyfile(template[0], db)
    port = free_port()  # nothing listens yet: every connection is refused, a temporary failure
    env = django_env(db=db, var=tmp_path / "var", smtp_port=port)
    down = _cron(["--as-of", OVERDUE, "--json"], env)
    report = json.loads(down.stdout)
    assert down.returncode == 1, down.stderr
    assert (report["sent"], report["delivered"], report["pending"], report["failed"]) == (0, 0, 44, 0)
    assert len(report["messages"]) == 44 and report["summaries"][0]["status"] == "pending"
    # Above it on stderr: one log warning per failed attempt; the command's own verdict is the last line.
    assert down.stderr.strip().splitlines()[-1].startswith("CommandError: 有 45 条到期提醒未送达(待重试 44,发送失败 0")
    assert Outbox(db).statuses() == {"pending": 45}

    mail = Recorder()
    smtp = SmtpServer(mail, port=port)
    try:
        up = _cron(["--as-of", OVERDUE], env)  # the same command, text output
        assert up.returncode == 0, up.stderr
        first_line = up.stdout.splitlines()[0]
        assert first_line == (
            f"{OVERDUE}:已发送 44 封单位提醒(其中补发此前未送达的 44 封),待重试 0 封,发送失败 0 封,"
            "跳过 0 个(已发送过或无联系邮箱)"
        ), up.stdout
        assert Outbox(db).statuses() == {"sent": 45}
        again = _cron(["--as-of", OVERDUE, "--json"], env)
        third = json.loads(again.stdout)
        assert again.returncode == 0, again.stderr
        assert (third["sent"], third["delivered"], third["pending"], third["failed"]) == (0, 0, 0, 0)
        assert third["skipped"] == 44 and third["messages"] == []
        keys = mail.keys()
        found = figures("cron: SMTP down, then up", expected=45, keys=keys, pending_reported=report["pending"])
        assert found["duplicates"] == 0 and found["lost"] == 0
    finally:
        smtp.stop()


def test_it_delivers_every_reminder_once_after_redis_restarts_under_a_worker_holding_retries(stack):
    """Every first attempt gets 451, so the worker holds 44 retries (countdown) when Redis restarts without
    persistence: queue and unacknowledged messages are gone. The worker must survive (kombu's reconnect crash is
    worked around in planner/celery.py) and its resume sweep must queue the 44 retries again from the outbox."""
    mail = stack.start_smtp(Recorder(refuse_first=len(stack.expected)))
    worker = stack.start_worker("w1", REMINDER_RETRY_SCHEDULE="10,10,10")
    pid = worker.proc.pid
    send_task(stack.redis.url, "tasks_app.tasks.plan_reminders", AS_OF)
    wait_for(
        lambda: (
            len(mail.refused) == len(stack.expected)
            and stack.outbox.statuses() == {"pending": len(stack.expected)}
            and stack.redis.in_flight() == len(stack.expected)
        ),
        timeout=90,
        what="every first attempt refused, recorded, and its retry held by the worker",
        explain=stack.explain,
    )
    assert mail.count() == 0
    stack.redis.restart(down=2)
    assert stack.redis.in_flight() == 0, "a restart without persistence keeps no task"
    stack.wait_delivered(len(stack.expected), timeout=120)
    stack.wait_drained()
    stack.assert_exactly_once()
    assert worker.proc.poll() is None and worker.proc.pid == pid, worker.tail()
    assert "resume sweep queued (broker connection re-established)" in worker.tail_all()
    assert "Unrecoverable error" not in worker.tail_all()
    found = figures("Redis restarted with 44 retries held", expected=len(stack.expected), keys=mail.keys())
    assert found["duplicates"] == 0 and found["lost"] == 0


def _parse_sent_at(value: str) -> float:
    return datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp()


def test_it_duplicates_only_the_messages_whose_child_died_waiting_for_a_late_250(stack):
    """A server that queues the message at end-of-data and replies 1.5 s later (as Postfix can): killing the pool
    child during that reply leaves a claim nobody will record. It must be swept after the (short) claim timeout and
    sent again: a duplicate inside the documented window, and never a loss. Outside the window, nothing repeats."""
    mail = stack.start_smtp(Recorder(reply_delay=1.5, reply_slow_first=2))
    worker = stack.start_worker("w1", REMINDER_CLAIM_TIMEOUT="3")
    send_task(stack.redis.url, "tasks_app.tasks.plan_reminders", AS_OF)
    killed: list[str] = []
    for n in range(2):
        wait_for(
            lambda n=n: mail.count() == n + 1 and mail.in_reply == 1 and worker.children(),
            timeout=60,
            what=f"message {n + 1} queued and waiting for its late 250",
            explain=stack.explain,
        )
        killed.append(mail.messages[n].key)
        for child in worker.children():
            os.kill(child, signal.SIGKILL)
        wait_for(lambda: mail.in_reply == 0, timeout=10, what="the late reply to go out", explain=stack.explain)
    expected = len(stack.expected)
    wait_for(
        lambda: stack.outbox.statuses().get("sent", 0) == expected - 2 and stack.outbox.statuses().get("sending") == 2,
        timeout=120,
        what="every other row sent, the two killed claims left",
        explain=stack.explain,
    )
    time.sleep(3.5)  # the claims are now older than REMINDER_CLAIM_TIMEOUT=3
    send_task(stack.redis.url, SWEEP)
    stack.wait_delivered(expected, timeout=60)
    wait_for(lambda: mail.count() == expected + 2, timeout=30, what="the two resends", explain=stack.explain)
    stack.wait_drained()
    keys = mail.keys()
    assert sorted(k for k, n in Counter(keys).items() if n > 1) == sorted(killed), stack.explain()
    assert set(keys) == {r["key"] for r in stack.outbox.rows()} and stack.outbox.statuses() == {"sent": expected}
    assert worker.proc.poll() is None, worker.tail()
    # The window outside the server's reply time: from the 250 to the row recorded as sent (QUIT + one UPDATE).
    sent_at = {r["key"]: _parse_sent_at(r["sent_at"]) for r in stack.outbox.rows()}
    first_seen = {}
    for index, message in enumerate(mail.messages):
        first_seen.setdefault(message.key, index)
    after_250 = [sent_at[key] - mail.replied_at[index] for key, index in first_seen.items() if key not in killed]
    found = figures(
        "pool child killed during a 1.5 s late 250",
        expected=expected,
        keys=keys,
        kills=len(killed),
        reply_window_s=1.5,
        after_250_median_ms=round(statistics.median(after_250) * 1000, 1),
        after_250_max_ms=round(max(after_250) * 1000, 1),
    )
    assert found["lost"] == 0 and found["duplicates"] == len(killed)


@pytest.fixture
def postgres():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("the database-outage test stops a PostgreSQL server: it runs in the PostgreSQL pass of .ci/test")
    folder = Path(tempfile.mkdtemp(prefix="planner-pg-outage-"))  # under /tmp: the postgres user must reach it
    cluster = PgCluster(folder)
    try:
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(folder, ignore_errors=True)


def test_it_delivers_each_reminder_once_when_postgresql_stops_mid_batch(stack, postgres):
    """PostgreSQL stopped for 12 s while a message waits for its 250: the worker must record the accepted message
    after the database returns (not leave it claimed for the sweeper) and send the rest of the batch once."""
    prepare_database(stack.folder / "pg", database_url=postgres.url)
    stack.database_url = postgres.url
    expected = len(stack.expected)
    mail = stack.start_smtp(Recorder(reply_delay=0.3, reply_slow_first=10_000))
    worker = stack.start_worker("w1")
    send_task(stack.redis.url, "tasks_app.tasks.plan_reminders", AS_OF)
    wait_for(
        lambda: mail.count() >= 5 and mail.in_reply == 1,
        timeout=90,
        what="five messages at the server, one waiting for its 250",
        explain=stack.explain,
    )
    postgres.stop()
    stopped = time.monotonic()
    time.sleep(12)
    in_outage = mail.count()
    postgres.start()
    outage = time.monotonic() - stopped
    stack.wait_delivered(expected, timeout=180)
    stack.wait_drained()
    stack.assert_exactly_once()
    assert worker.proc.poll() is None, worker.tail()
    log = worker.tail_all()
    assert "database unreachable while recording reminder" in log and "as sent succeeded after" in log, log[-3000:]
    found = figures(
        "PostgreSQL stopped mid-batch",
        expected=expected,
        keys=mail.keys(),
        outage_s=round(outage, 1),
        delivered_during_outage=in_outage,
    )
    assert found["duplicates"] == 0 and found["lost"] == 0
