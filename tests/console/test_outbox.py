from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tasks_app.models import ReminderMessage, Unit
from tasks_app.services.accounts import demo_users_create
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox_setup(personas, settings, client):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo_users_create()
    personas.education.refresh_from_db()
    return personas


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize(
    ("who", "expected"), [("admin", 200), ("leader", 200), ("owner", 404), ("outsider", 404), ("anonymous", 302)]
)
def test_it_scopes_the_outbox_page(outbox_setup, client, who, expected):
    if who != "anonymous":
        _login(client, getattr(outbox_setup, who))
    assert client.get("/console/outbox/").status_code == expected


def test_it_previews_and_sends_one_units_digest_once(outbox_setup, client):
    p = outbox_setup
    p.cycle.due_date = timezone.localdate()
    p.cycle.save()
    _login(client, p.admin)
    preview = client.get(f"/console/outbox/preview/?unit={p.education.id}")
    assert preview.status_code == 200 and "报送提醒" in preview.content.decode()
    response = client.post("/console/outbox/send/", {"unit": p.education.id})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == p.education.contact_emails
    client.post("/console/outbox/send/", {"unit": p.education.id})
    assert len(mail.outbox) == 1, "the same step is never sent twice"
    page = client.get("/console/outbox/?status=sent").content.decode()
    assert "市教育局" in page


def test_it_refuses_send_now_to_leadership(outbox_setup, client):
    _login(client, outbox_setup.leader)
    assert client.post("/console/outbox/send/", {"unit": outbox_setup.education.id}).status_code == 403
    assert not ReminderMessage.objects.exists()


def test_it_retries_failed_and_stuck_pending_rows_but_never_a_sent_one(outbox_setup, client):
    p = outbox_setup
    unit = Unit.objects.get(pk=p.education.pk)
    row = ReminderMessage.objects.create(
        key="unit:x", unit=unit, cycle=p.cycle, kind="before", days=7, step_date=p.cycle.due_date,
        recipients=unit.contact_emails, subject="测试", body_text="正文", status="failed",
        next_attempt_at=p.cycle.opened_at, attempts=6, last_error="550",
    )  # fmt: skip
    _login(client, p.admin)
    client.post(f"/console/outbox/{row.id}/retry/")
    row.refresh_from_db()
    assert row.status == "sent" and len(mail.outbox) == 1
    page = client.post(f"/console/outbox/{row.id}/retry/", follow=True).content.decode()
    assert len(mail.outbox) == 1 and "已发送,不会重复发送" in page
    # A pending row whose retry is hours away (its broker message lost with a Redis restart): sent on request.
    later = timezone.now() + timedelta(hours=6)
    stuck = ReminderMessage.objects.create(
        key="unit:y", unit=unit, cycle=p.cycle, kind="before", days=3, step_date=p.cycle.due_date,
        recipients=unit.contact_emails, subject="测试2", body_text="正文", status="pending",
        next_attempt_at=later, attempts=3, last_error="451",
    )  # fmt: skip
    assert "/retry/" in client.get("/console/outbox/?status=pending").content.decode()
    client.post(f"/console/outbox/{stuck.id}/retry/")
    stuck.refresh_from_db()
    assert stuck.status == "sent" and len(mail.outbox) == 2 and mail.outbox[1].subject == "测试2"
    # A live claim (a worker is sending it right now) is not taken away.
    busy = ReminderMessage.objects.create(
        key="unit:z", unit=unit, cycle=p.cycle, kind="before", days=1, step_date=p.cycle.due_date,
        recipients=unit.contact_emails, subject="测试3", body_text="正文", status="sending",
        next_attempt_at=timezone.now(), attempts=1, claimed_at=timezone.now(),
    )  # fmt: skip
    page = client.post(f"/console/outbox/{busy.id}/retry/", follow=True).content.decode()
    busy.refresh_from_db()
    assert busy.status == "sending" and len(mail.outbox) == 2 and "正在发送中" in page
