"""A returned report reaches the unit through the outbox: one row per channel, in the return's transaction."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from tasks_app.models import ReminderMessage, Report
from tasks_app.reminders.outbox import outbox_deliver
from tasks_app.services.notifications import unit_notify
from tasks_app.services.reports import ReportDraft, report_save, report_submit
from tasks_app.services.review import report_return
from tests.console.review_fixtures import submitted_report
from tests.web.ux_helpers import REASON, returned_report

Kind = ReminderMessage.Kind


def _notices(unit) -> list[ReminderMessage]:
    return list(ReminderMessage.objects.filter(unit=unit, kind=Kind.RETURNED).order_by("id"))


def test_it_writes_one_mail_row_with_the_reason_to_the_unit_and_the_submitter(web):
    report = returned_report(web)
    [row] = _notices(web.p.education)
    assert row.status == ReminderMessage.Status.PENDING and row.cycle_id == report.cycle_id
    assert row.recipients == ["office@jyj.example.org", "owner@jyj.example.org"]
    assert row.subject.startswith("【报告退回】市教育局") and REASON in row.body_text and REASON in row.body_html
    assert f"/items/{web.lead_item.pk}/report/?unit={web.p.education.pk}" in row.body_text
    assert row.items[0]["report_id"] == report.pk and row.items[0]["reason"] == REASON


def test_it_delivers_the_notice_through_the_outbox_mail_transport(web, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    returned_report(web)
    [row] = _notices(web.p.education)
    assert outbox_deliver(message_id=row.pk) == ReminderMessage.Status.SENT
    [message] = mail.outbox
    assert message.to == row.recipients and REASON in message.body
    assert message.extra_headers["X-Reminder-Key"] == row.key
    assert outbox_deliver(message_id=row.pk) == "skipped"  # never twice
    assert len(mail.outbox) == 1


def test_it_adds_a_robot_row_when_the_unit_has_a_robot(web):
    web.p.education.webhook_url = "http://127.0.0.1:9/robot?key=secret"
    web.p.education.save(update_fields=["webhook_url"])
    returned_report(web)
    assert sorted(row.channel for row in _notices(web.p.education)) == ["email", "wecom"]


def test_it_writes_nothing_when_the_return_rolls_back(web):
    p = web.p
    report = submitted_report(p, web.lead_item)
    p.education.contact_emails = ["office@jyj.example.org"]
    p.education.save(update_fields=["contact_emails"])
    with pytest.raises(RuntimeError), transaction.atomic():
        report_return(report=report, user=p.admin, reason=REASON, expected_version=report.version)
        assert len(_notices(p.education)) == 1  # written inside the transaction
        raise RuntimeError("the caller fails after the return")
    assert _notices(p.education) == []
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_it_notices_one_event_once_and_a_second_return_again(web):
    report = returned_report(web)
    again = unit_notify(unit=web.p.education, kind=Kind.RETURNED, item=web.lead_item, report=report, reason=REASON)
    assert again == [] and len(_notices(web.p.education)) == 1
    # resubmitted and returned a second time: a new event, a new notice
    p = web.p
    report = report_save(
        report=report,
        user=p.owner,
        data=ReportDraft(progress_status="on_track", progress="补充了资金来源"),
        expected_version=report.version,
    )
    report = report_submit(report=report, user=p.owner, expected_version=report.version)
    report_return(report=report, user=p.admin, reason="仍缺开工时间", expected_version=report.version)
    rows = _notices(p.education)
    assert len(rows) == 2 and "仍缺开工时间" in rows[1].body_text


def test_it_queues_delivery_only_after_commit(web, monkeypatch, django_capture_on_commit_callbacks):
    from tasks_app.services import notifications

    queued: list[list[int]] = []
    monkeypatch.setattr(notifications, "outbox_enqueue", lambda ids: queued.append(ids))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        returned_report(web)
        assert queued == []
    for callback in callbacks:
        callback()
    [row] = _notices(web.p.education)
    assert queued == [[row.pk]]


def test_it_refuses_a_notice_without_a_report_or_an_event(web):
    with pytest.raises(ValueError):
        unit_notify(unit=web.p.education, kind=Kind.RETURNED, item=web.lead_item)
