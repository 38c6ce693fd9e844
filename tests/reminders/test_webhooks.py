"""The chat-robot channels end to end: the planner writes one outbox row per unit, step and channel; the
webhook transport posts to a real HTTP server on 127.0.0.1 (tests/reminders/realparts.RobotServer) and mail goes
to a real SMTP server (aiosmtpd). Retries, permanent failures and the sweep are the outbox's, as for mail.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks_app.models import (
    Assignment,
    Jurisdiction,
    Plan,
    ReminderMessage,
    ReportingCycle,
    SourceDocument,
    Unit,
    WorkItem,
)
from tasks_app.reminders import chat
from tasks_app.reminders.outbox import outbox_claim, outbox_deliver, outbox_sweep
from tests.personas import PASSWORD, make_user
from tests.reminders.realparts import Recorder, RobotServer, SmtpServer, free_port, send_reminders

pytestmark = pytest.mark.django_db

DUE = date(2022, 1, 10)
AS_OF = (DUE - timedelta(days=30)).isoformat()  # the "30 days before" step
OVERDUE = (DUE + timedelta(days=1)).isoformat()

# name → (emails, robot kind, robot path); every unit leads two items of the plan.
UNITS = {
    "市交通运输局": ([], "wecom", "/cgi-bin/webhook/send?key=traffic-secret-key"),
    "市统计局": ([], "webhook", "/hooks/stats"),
    "市教育局": (["jyj@example.cn"], "dingtalk", "/robot/send?access_token=edu-token"),
    "市财政局": (["czj@example.cn", "czj2@example.cn"], None, None),
    "市审计局": ([], None, None),  # no address at all: skipped
}
ROBOT_UNITS = [name for name, (_, kind, _) in UNITS.items() if kind]


@dataclass
class Office:
    plan: Plan
    cycle: ReportingCycle
    units: dict[str, Unit]
    robot: RobotServer
    smtp: SmtpServer

    @property
    def mail(self) -> Recorder:
        return self.smtp.handler

    def rows(self, **filters) -> list[ReminderMessage]:
        return list(ReminderMessage.objects.filter(**filters).order_by("id"))


def _plan_with_units(robot: RobotServer) -> tuple[Plan, ReportingCycle, dict[str, Unit]]:
    """A small yearly division of 海城市 (not one of the seed documents): five units, two items each."""
    city = Jurisdiction.objects.create(name="海城市")
    text = "海城市2021年重点工作任务分工\n" + "\n".join(f"任务{i}" for i in range(1, 11))
    source = SourceDocument.objects.create(
        file_name="haicheng-2021.txt", title="海城市2021年重点工作任务分工", text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )  # fmt: skip
    plan = Plan.objects.create(
        title="海城市2021年重点工作任务分工", kind=Plan.Kind.NOTICE, jurisdiction=city, period_start=2021,
        period_end=2021, source=source, reporting_month=1, reporting_day=10,
    )  # fmt: skip
    units: dict[str, Unit] = {}
    for name, (emails, kind, path) in UNITS.items():
        units[name] = Unit.objects.create(
            jurisdiction=city, name=name, contact_emails=emails,
            webhook_url=robot.url(path) if path else "", webhook_kind=kind or "wecom",
        )  # fmt: skip
    order = 0
    for name, unit in units.items():
        for n in (1, 2):
            order += 1
            item = WorkItem.objects.create(
                plan=plan, kind=WorkItem.Kind.TASK, number=str(order), title=f"{name}牵头的第{n}项任务",
                text="推进重点项目建设,2021年底前完成", deadline=date(2021, 12, 31), line_start=order + 1,
                line_end=order + 1, order=order, fingerprint=f"fp{order}",
            )  # fmt: skip
            Assignment.objects.create(item=item, unit=unit, role=Assignment.Role.LEAD)
            if name == "市财政局":  # a cooperating unit is not reminded (the plan's default)
                Assignment.objects.create(item=item, unit=units["市教育局"], role=Assignment.Role.COOPERATING)
    cycle = ReportingCycle.objects.create(
        plan=plan, year=2021, due_date=DUE, status=ReportingCycle.Status.OPEN, opened_at=timezone.now()
    )
    return plan, cycle, units


@pytest.fixture
def robot():
    server = RobotServer()
    yield server
    server.stop()


@pytest.fixture
def office(robot, settings):
    smtp = SmtpServer(Recorder())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 10
    settings.REMINDER_RETRY_SCHEDULE = (1, 1, 1)
    settings.REMINDER_WEBHOOK_TIMEOUT = 2
    plan, cycle, units = _plan_with_units(robot)
    try:
        yield Office(plan=plan, cycle=cycle, units=units, robot=robot, smtp=smtp)
    finally:
        smtp.stop()


def _deliver_due_after_backoff(seconds: float = 1.1) -> list[str]:
    """What the beat sweep does once the backoff has passed: deliver every pending row that is due."""
    time.sleep(seconds)
    return [outbox_deliver(message_id=pk) for pk in outbox_sweep()]


def test_it_posts_one_digest_per_unit_and_step_to_each_robot_and_nothing_on_the_next_tick(office):
    first = send_reminders("--as-of", AS_OF)
    posts = office.robot.accepted()
    assert len(posts) == len(ROBOT_UNITS) == office.robot.count()
    by_path = {post.path: post for post in posts}
    traffic = by_path["/cgi-bin/webhook/send?key=traffic-secret-key"].body
    assert set(traffic) == {"msgtype", "text"} and traffic["msgtype"] == "text"
    content = traffic["text"]["content"]
    assert content.startswith("【报送提醒】市交通运输局:2021年度进展报告将于2022年1月10日截止,2项待报送")
    assert "1. 市交通运输局牵头的第1项任务(完成时限:2021-12-31)" in content and "在线填报:http" in content
    edu = by_path["/robot/send?access_token=edu-token"].body
    assert edu["msgtype"] == "text" and "市教育局" in edu["text"]["content"]
    generic = by_path["/hooks/stats"].body
    assert generic["unit"] == "市统计局" and generic["kind"] == "before" and generic["days"] == 30
    assert [item["title"] for item in generic["items"]] == ["市统计局牵头的第1项任务", "市统计局牵头的第2项任务"]
    assert all(post.key.endswith(f":{post_channel}") for post, post_channel in _channels(office, posts))

    # Mail for the units with addresses, one each; 市教育局 gets both a mail and a robot post.
    assert sorted(m.subject.split(":")[0] for m in office.mail.messages) == [
        "【报送提醒】市教育局",
        "【报送提醒】市财政局",
    ]
    assert {m.key for m in office.mail.messages} == {
        f"unit:{office.units[n].id}:{office.cycle.id}:before:30" for n in ("市教育局", "市财政局")
    }
    assert first["sent"] == 2 + len(ROBOT_UNITS) and first["skipped"] == 1  # 市审计局 has no address
    assert {m["department"] for m in first["messages"]} == {"市教育局", "市财政局"}
    assert {(w["department"], w["channel"]) for w in first["webhooks"]} == {
        ("市交通运输局", "wecom"), ("市统计局", "webhook"), ("市教育局", "dingtalk"),
    }  # fmt: skip
    assert not any("secret" in url or "token" in url for w in first["webhooks"] for url in w["recipients"])
    assert all(row.status == "sent" and row.attempts == 1 for row in office.rows())

    again = send_reminders("--as-of", AS_OF)
    later = send_reminders("--as-of", (DUE - timedelta(days=20)).isoformat())  # still the 30-day step
    assert again["sent"] == later["sent"] == 0 and again["webhooks"] == [] and again["messages"] == []
    assert again["skipped"] == 2 + len(ROBOT_UNITS) + 1
    assert office.robot.count() == len(ROBOT_UNITS) and office.mail.count() == 2


def _channels(office: Office, posts) -> list[tuple[object, str]]:
    rows = {row.key: row.channel for row in office.rows()}
    return [(post, rows[post.key]) for post in posts]


def test_it_retries_a_robot_that_answers_500_and_delivers_once(office):
    office.robot.script = [(500, {"error": "internal"})]
    send_reminders("--as-of", AS_OF)
    failing = ReminderMessage.objects.get(key=office.robot.posts[0].key)
    assert failing.status == "pending" and failing.attempts == 1 and "HTTP 500" in failing.last_error
    assert "secret" not in failing.last_error and "token" not in failing.last_error
    assert len(office.robot.accepted()) == len(ROBOT_UNITS) - 1

    assert _deliver_due_after_backoff() == ["sent"]
    failing.refresh_from_db()
    assert failing.status == "sent" and failing.attempts == 2 and failing.last_error == ""
    accepted = [post.key for post in office.robot.accepted()]
    assert sorted(accepted) == sorted(set(accepted)) and len(accepted) == len(ROBOT_UNITS)
    assert _deliver_due_after_backoff(0) == [] and office.robot.count() == len(ROBOT_UNITS) + 1


def test_it_fails_a_robot_that_answers_400_for_good_without_retrying(office):
    office.robot.script = [(400, {"error": "bad request"})]
    result = send_reminders("--as-of", AS_OF)
    refused = ReminderMessage.objects.get(key=office.robot.posts[0].key)
    assert refused.status == "failed" and refused.attempts == 1 and "HTTP 400" in refused.last_error
    assert result["sent"] == 2 + len(ROBOT_UNITS) - 1
    assert _deliver_due_after_backoff() == [] and office.robot.count() == len(ROBOT_UNITS)


def test_it_retries_the_wecom_rate_limit_errcode_and_fails_a_bad_key(office):
    # 企业微信 answers HTTP 200 with an errcode: 45009 is its rate limit (later), 93000 an invalid robot key (never).
    office.robot.script = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    send_reminders("--as-of", AS_OF)
    limited = ReminderMessage.objects.get(key=office.robot.posts[0].key)
    assert limited.status == "pending" and "errcode 45009" in limited.last_error
    assert _deliver_due_after_backoff() == ["sent"]
    assert len(office.robot.accepted()) == len(ROBOT_UNITS)

    office.robot.script = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    send_reminders("--as-of", OVERDUE)  # the next step: new rows
    bad_key = ReminderMessage.objects.get(key=office.robot.posts[len(ROBOT_UNITS) + 1].key)
    assert bad_key.status == "failed" and "errcode 93000" in bad_key.last_error
    assert _deliver_due_after_backoff() == []


def test_it_retries_a_robot_that_is_down_or_too_slow(office):
    traffic = office.units["市交通运输局"]
    traffic.webhook_url = f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key=nobody-listens"
    traffic.save()
    office.robot.script = [("sleep", 3)]  # longer than REMINDER_WEBHOOK_TIMEOUT (2 s): the first post times out
    send_reminders("--as-of", AS_OF)
    pending = office.rows(status="pending")
    errors = sorted(row.last_error for row in pending)
    assert len(pending) == 2, errors
    assert any("Connection refused" in error for error in errors) and any("timed out" in error for error in errors)
    traffic.webhook_url = office.robot.url("/cgi-bin/webhook/send?key=traffic-secret-key")
    traffic.save()
    # The row keeps the URL it was written with (a snapshot): the retry still goes to the dead address.
    assert sorted(_deliver_due_after_backoff()) == ["pending", "sent"]


def test_it_gives_a_stuck_webhook_claim_back_to_the_sweeper_and_posts_once(office):
    from tasks_app.reminders.planner import reminders_plan, reminders_write

    planned = reminders_plan(as_of=date.fromisoformat(AS_OF))
    rows = reminders_write(planned=planned, as_of=date.fromisoformat(AS_OF))
    robot_row = next(row for row in rows if row.channel == "wecom")
    assert outbox_claim(message_id=robot_row.id) is not None  # a worker claimed it and died before posting
    assert robot_row.id not in outbox_sweep()
    ReminderMessage.objects.filter(pk=robot_row.id).update(claimed_at=timezone.now() - timedelta(minutes=11))
    ids = outbox_sweep()
    assert robot_row.id in ids
    statuses = [outbox_deliver(message_id=pk) for pk in ids]
    assert statuses.count("sent") == len(rows)
    assert [post.key for post in office.robot.posts].count(robot_row.key) == 1
    assert [outbox_deliver(message_id=pk) for pk in ids] == ["skipped"] * len(ids)


def test_it_posts_the_overdue_summary_to_the_plans_office_robot(office):
    office.plan.office_webhook_url = office.robot.url("/cgi-bin/webhook/send?key=office-group")
    office.plan.office_webhook_kind = "wecom"
    office.plan.save()
    result = send_reminders("--as-of", OVERDUE)
    summary = [post for post in office.robot.accepted() if post.path.endswith("office-group")]
    assert len(summary) == 1
    content = summary[0].body["text"]["content"]
    assert content.startswith("【逾期汇总】") and "市审计局(2项)" in content and "市交通运输局(2项)" in content
    assert next(w for w in result["webhooks"] if w["department"] is None)["kind"] == "summary"
    send_reminders("--as-of", OVERDUE)
    assert len([post for post in office.robot.posts if post.path.endswith("office-group")]) == 1


def test_it_shows_the_channel_on_the_console_outbox_page(office, client):
    send_reminders("--as-of", AS_OF)
    admin = make_user("office-admin", office="admin")
    client.login(username=admin.username, password=PASSWORD)
    page = client.get(reverse("console-outbox")).content.decode()
    for label in ("企业微信/政务微信群机器人", "钉钉群机器人", "通用 JSON Webhook", "邮件"):
        assert label in page
    assert "127.0.0.1" in page and "traffic-secret-key" not in page and "edu-token" not in page
    robot_only = client.get(reverse("console-outbox"), {"q": "市交通运输局"}).content.decode()
    assert "企业微信/政务微信群机器人" in robot_only and "jyj@example.cn" not in robot_only
    mail_only = client.get(reverse("console-outbox"), {"channel": "email"}).content.decode()
    assert "jyj@example.cn" in mail_only and "127.0.0.1" not in mail_only


def test_it_previews_a_units_digest_on_each_of_its_channels(office, client):
    admin = make_user("office-admin", office="admin")
    client.login(username=admin.username, password=PASSWORD)
    edu = office.units["市教育局"]
    page = client.get(reverse("console-outbox-preview"), {"unit": edu.id, "as_of": AS_OF}).content.decode()
    assert "邮件 → jyj@example.cn" in page and "钉钉群机器人 → http://127.0.0.1" in page
    assert page.count("【报送提醒】市教育局") >= 2 and "edu-token" not in page
    assert office.robot.count() == 0 and office.mail.count() == 0  # a preview sends nothing


def test_it_saves_a_units_robot_in_the_console_and_refuses_a_bad_address(office, client):
    admin = make_user("office-admin", office="admin")
    client.login(username=admin.username, password=PASSWORD)
    audit = office.units["市审计局"]
    url = reverse("console-unit", args=[audit.id])
    form = {"name": audit.name, "kind": audit.kind, "contact_emails": "", "webhook_kind": "dingtalk"}
    bad = client.post(url, {**form, "webhook_url": "file:///etc/passwd"})
    assert bad.status_code == 400
    audit.refresh_from_db()
    assert audit.webhook_url == ""
    good = client.post(url, {**form, "webhook_url": office.robot.url("/robot/send?access_token=audit")})
    assert good.status_code == 302
    audit.refresh_from_db()
    assert audit.webhook_kind == "dingtalk" and audit.webhook_url.endswith("access_token=audit")
    send_reminders("--as-of", AS_OF)
    assert any(post.path.endswith("access_token=audit") for post in office.robot.accepted())


def test_it_fits_a_long_digest_into_the_robots_message_limit(office):
    from tasks_app.reminders.planner import reminders_plan

    digest = next(d for d in reminders_plan(as_of=date.fromisoformat(AS_OF)).digests if d.channel == "wecom")
    digest.items = [{**digest.items[0], "title": f"第{i}项:" + "推进重点领域改革" * 8} for i in range(1, 61)]
    text = chat.render(digest=digest, as_of=date.fromisoformat(AS_OF))["body_text"]
    assert len(text.encode("utf-8")) <= chat.MAX_BYTES
    assert text.startswith("【报送提醒】市交通运输局") and "60项待报送" in text
    assert "请登录系统查看" in text and text.rstrip().endswith(f"?plan={office.plan.id}")


def test_it_keeps_the_robot_of_a_unit_merged_into_one_without(office):
    from tasks_app.services.division import unit_merge

    admin = make_user("office-admin", office="admin")
    finance, traffic = office.units["市财政局"], office.units["市交通运输局"]
    unit_merge(source=traffic, target=finance, user=admin)
    finance.refresh_from_db()
    assert finance.webhook_kind == "wecom" and finance.webhook_url.endswith("key=traffic-secret-key")
    result = send_reminders("--as-of", AS_OF)
    assert ("市财政局", "wecom") in {(w["department"], w["channel"]) for w in result["webhooks"]}
    assert next(w for w in result["webhooks"] if w["department"] == "市财政局")["items"] == 4


def test_it_escalates_a_robot_only_unit_to_its_heads_mail_and_the_office_robot_to_the_supervision_list(office):
    from django.contrib.auth import get_user_model

    from tasks_app.models import Membership

    head = get_user_model().objects.create_user("traffic-head", email="head@traffic.example.cn", password="x")
    Membership.objects.create(user=head, unit=office.units["市交通运输局"], role=Membership.Role.HEAD)
    office.plan.office_webhook_url = office.robot.url("/cgi-bin/webhook/send?key=office-group")
    office.plan.office_webhook_kind = "wecom"
    office.plan.save()
    last = (DUE + timedelta(days=7)).isoformat()  # the defaults' last overdue step: head and office
    result = send_reminders("--as-of", last)
    traffic = [m for m in result["messages"] if m["department"] == "市交通运输局"]
    assert [(m["recipients"], m["level"]) for m in traffic] == [(["head@traffic.example.cn"], 3)]
    assert [m.recipients for m in office.smtp.handler.messages if "市交通运输局" in m.subject] == [
        ["head@traffic.example.cn"]
    ]
    posts = {post.path: post.body for post in office.robot.accepted()}
    assert "已抄送单位负责人" in posts["/cgi-bin/webhook/send?key=traffic-secret-key"]["text"]["content"]
    group = posts["/cgi-bin/webhook/send?key=office-group"]["text"]["content"]
    assert "督办单已生成" in group and f"/console/supervision/?cycle={office.cycle.pk}" in group
    again = send_reminders("--as-of", last)
    assert again["sent"] == 0 and len(office.robot.accepted()) == len(posts)
