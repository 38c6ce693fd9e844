"""The reminder path with its real parts: redis-server, Celery worker processes, an SMTP server (aiosmtpd).

The plan is sent through the broker as beat sends it; the workers plan, write the outbox and deliver over SMTP
to a server on 127.0.0.1 that records every message; units with a chat robot also get a post on a local robot
server. Fault tests kill a worker mid-batch, refuse mail with 451,
and run two beat ticks at once; every digest must arrive exactly once. A missing redis-server fails the tests
(CI installs it with .ci/system.sh).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.reminders.realparts import (
    AS_OF,
    PYTHON,
    Recorder,
    RobotServer,
    run_django,
    send_task,
    wait_for,
)

pytestmark = pytest.mark.slow

PLAN = "tasks_app.tasks.plan_reminders"
SWEEP = "tasks_app.tasks.sweep_outbox"


def _by_department(mail: Recorder) -> dict[str, list[str]]:
    """Department → recipients, read back from what the SMTP server received (subject: 【报送提醒】单位:…)."""
    out: dict[str, list[str]] = {}
    for message in mail.messages:
        department = message.subject.removeprefix("【报送提醒】").split(":", 1)[0]
        out[department] = sorted(message.recipients)
    return out


def test_it_delivers_one_digest_per_reporting_unit_through_redis_celery_and_smtp(stack):
    mail = stack.start_smtp(Recorder())
    stack.start_worker("w1")
    assert stack.expected, "the seeded database should have reporting units to remind"
    send_task(stack.redis.url, PLAN, AS_OF)
    stack.wait_delivered(len(stack.expected))
    stack.wait_drained()
    stack.assert_exactly_once()
    assert _by_department(mail) == {m["department"]: sorted(m["recipients"]) for m in stack.expected}
    for message in mail.messages:
        assert "报送提醒" in message.subject and "2019年度" in message.subject
        assert message.key.startswith("unit:") and message.message_id.startswith("<reminder-unit-")

    worker = stack.workers[0]
    swept = worker.succeeded(SWEEP)  # the resume sweep the worker queued on start
    send_task(stack.redis.url, PLAN, AS_OF)  # the next beat tick on the same day: the outbox holds every key
    send_task(stack.redis.url, SWEEP)
    wait_for(
        lambda: worker.succeeded(PLAN) == 2 and worker.succeeded(SWEEP) == swept + 1,
        timeout=30,
        what="the second plan and the sweep to run",
        explain=stack.explain,
    )
    stack.wait_drained()
    assert mail.count() == len(stack.expected)
    stack.assert_exactly_once()


def test_it_delivers_each_digest_once_after_a_worker_is_killed_mid_batch(stack):
    mail = stack.start_smtp(Recorder(mail_delay=0.2))
    first = stack.start_worker("w1")
    send_task(stack.redis.url, PLAN, AS_OF)
    # Kill while the next message sits in its slow MAIL FROM: three accepted, one claimed and not yet accepted.
    wait_for(
        lambda: mail.count() >= 3 and mail.in_mail > 0,
        timeout=60,
        what="three messages delivered and a fourth in progress",
        explain=stack.explain,
    )
    first.kill()
    delivered_before = mail.count()
    with stack.redis.client() as client:  # the dead worker's task stays unacknowledged until visibility_timeout
        stale = client.hlen("unacked")
    assert delivered_before < len(stack.expected), "the batch finished before the kill: slow the SMTP server down"
    statuses = stack.outbox.statuses()
    assert statuses.get("sending") == 1, stack.explain()  # the claim the dead worker held

    stack.start_worker("w2")
    # The claim is stuck for ever without the sweeper; age it past the claim timeout, then run the real sweep task.
    wait_for(
        lambda: stack.outbox.age_claims() == 1, timeout=20, what="the stuck claim to be aged", explain=stack.explain
    )
    send_task(stack.redis.url, SWEEP)
    stack.wait_delivered(len(stack.expected), timeout=120)
    stack.wait_drained(stale=stale)
    stack.assert_exactly_once()
    assert mail.count() > delivered_before


def test_it_retries_a_451_and_delivers_after_the_backoff(stack):
    mail = stack.start_smtp(Recorder(refuse_first=2))
    stack.start_worker("w1")
    send_task(stack.redis.url, PLAN, AS_OF)
    stack.wait_delivered(len(stack.expected), timeout=90)  # REMINDER_RETRY_SCHEDULE=1,2,3 in the worker env
    stack.wait_drained()
    stack.assert_exactly_once()
    assert len(mail.refused) == 2 and set(mail.refused) <= set(mail.keys())
    rows = {r["key"]: r for r in stack.outbox.rows()}
    for key in set(mail.refused):
        assert rows[key]["attempts"] == 1 + mail.refused.count(key) and rows[key]["last_error"] == ""
    assert all(r["attempts"] == 1 for k, r in rows.items() if k not in mail.refused)


def test_it_sends_nothing_twice_when_two_beat_ticks_run_at_once(stack):
    stack.start_smtp(Recorder())
    w1, w2 = stack.start_worker("w1"), stack.start_worker("w2")
    send_task(stack.redis.url, PLAN, AS_OF)
    send_task(stack.redis.url, PLAN, AS_OF)
    wait_for(
        lambda: w1.succeeded(PLAN) + w2.succeeded(PLAN) == 2,
        timeout=60,
        what="both plan tasks to finish",
        explain=stack.explain,
    )
    stack.wait_drained()
    # Beat also runs the sweep every 300 s: whatever a collision left pending would go out then, and only once.
    swept = w1.succeeded(SWEEP) + w2.succeeded(SWEEP)  # the resume sweeps the workers queued on start
    for sweeps in range(swept + 1, swept + 6):
        if stack.outbox.statuses().get("sent", 0) == len(stack.expected):
            break
        send_task(stack.redis.url, SWEEP)
        wait_for(
            lambda n=sweeps: w1.succeeded(SWEEP) + w2.succeeded(SWEEP) >= n,
            timeout=30,
            what=f"sweep {sweeps} to run",
            explain=stack.explain,
        )
        stack.wait_drained()
    stack.wait_delivered(len(stack.expected), timeout=30)
    stack.assert_exactly_once()


def test_it_sends_nothing_twice_when_two_send_reminders_processes_race(stack):
    stack.start_smtp(Recorder())
    env = stack.env()
    args = [PYTHON, "manage.py", "send_reminders", "--as-of", AS_OF, "--json"]
    with ThreadPoolExecutor(2) as pool:
        outputs = list(pool.map(lambda _: _run_or_fail(args, env), range(2)))
    stack.assert_exactly_once()
    reports = [json.loads(o) for o in outputs]
    assert sum(r["delivered"] for r in reports) == len(stack.expected)  # each counts what it delivered
    assert all(r["pending"] == r["failed"] == 0 for r in reports)


def _run_or_fail(args: list[str], env: dict) -> str:
    try:
        return run_django(args, env=env, timeout=120)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"send_reminders did not finish: {exc}") from exc


def _give_robots(db: Path, robot: RobotServer, departments: list[str]) -> None:
    """Point these units at the local robot server (as the office would on the unit page)."""
    conn = sqlite3.connect(str(db), timeout=20)
    try:
        with conn:
            for n, name in enumerate(departments):
                conn.execute(
                    "UPDATE tasks_app_unit SET webhook_url = ?, webhook_kind = 'wecom' WHERE name = ?",
                    (robot.url(f"/cgi-bin/webhook/send?key=robot-{n}"), name),
                )
    finally:
        conn.close()


def test_it_posts_each_robot_digest_once_through_celery_with_a_500_and_a_rate_limit_retried(stack):
    robot = RobotServer(script=[(500, {"error": "busy"}), (200, {"errcode": 45009, "errmsg": "api freq out of limit"})])
    try:
        departments = sorted(m["department"] for m in stack.expected)[::3]  # every third unit has a robot
        _give_robots(stack.db, robot, departments)
        mail = stack.start_smtp(Recorder())
        worker = stack.start_worker("w1")
        send_task(stack.redis.url, PLAN, AS_OF)
        total = len(stack.expected) + len(departments)

        def explain() -> str:
            rows = [(r["key"], r["status"], r["attempts"]) for r in stack.outbox.rows() if r["key"].endswith("wecom")]
            posts = [(p.key, p.status, p.errcode) for p in robot.posts]
            return f"robot posts: {posts}\nrobot rows: {rows}\n{stack.explain()}"

        wait_for(
            lambda: len(robot.accepted()) >= len(departments) and stack.outbox.statuses().get("sent", 0) >= total,
            timeout=90,
            what=f"{len(departments)} robot posts and {total} outbox rows sent",
            explain=explain,
        )
        stack.wait_drained()
        rows = {r["key"]: r for r in stack.outbox.rows()}
        robot_keys = [post.key for post in robot.accepted()]
        assert len(robot_keys) == len(set(robot_keys)) == len(departments), explain()
        assert sorted(robot_keys) == sorted(k for k in rows if k.endswith(":wecom"))
        assert sorted(mail.keys()) == sorted(k for k in rows if not k.endswith(":wecom")), explain()
        assert len(mail.keys()) == len(set(mail.keys())) == len(stack.expected)
        assert all(r["status"] == "sent" for r in rows.values()), explain()
        refused = [post.key for post in robot.posts if post.status >= 500 or post.errcode]
        assert len(refused) == 2
        for key in robot_keys:
            assert rows[key]["attempts"] == 1 + refused.count(key) and rows[key]["last_error"] == ""

        swept = worker.succeeded(SWEEP)  # the resume sweep the worker queued on start
        send_task(stack.redis.url, PLAN, AS_OF)  # the next tick and a sweep: nothing new on any channel
        send_task(stack.redis.url, SWEEP)
        wait_for(
            lambda: worker.succeeded(PLAN) == 2 and worker.succeeded(SWEEP) == swept + 1,
            timeout=30,
            what="the second plan and the sweep to run",
            explain=explain,
        )
        stack.wait_drained()
        assert robot.count() == len(departments) + 2 and mail.count() == len(stack.expected)
    finally:
        robot.stop()
