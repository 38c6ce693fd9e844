"""A succession recorded in the console moves reminders to the successor, through the real parts: the console
page (Django's request path in a separate process on the shared file database), redis-server, a Celery worker
and an SMTP server (aiosmtpd) on 127.0.0.1. The item page then shows both names."""

from __future__ import annotations

import json

import pytest

from tests.reminders.realparts import AS_OF, PYTHON, Recorder, run_django, send_task

pytestmark = pytest.mark.slow

PLAN = "tasks_app.tasks.plan_reminders"
SUCCESSOR_EMAIL = "weijian@yingkou.example.cn"

RECORD_IN_CONSOLE = f"""
import json
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
from tasks_app.models import Assignment, OfficeRole, Unit
from tasks_app.services.accounts import ADMIN_USERNAME
from django.contrib.auth import get_user_model

old = Unit.objects.get(name="市卫计委")
new = Unit.objects.create(jurisdiction=old.jurisdiction, name="市卫生健康委", contact_emails=["{SUCCESSOR_EMAIL}"])
office = get_user_model().objects.get(username=ADMIN_USERNAME)
OfficeRole.objects.get_or_create(user=office, defaults={{"role": "admin"}})
# production settings, except that static files are not collected in this checkout (no manifest)
override_settings(STORAGES={{"default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}).enable()
client = Client()
client.force_login(office)
form = {{"action": "record", "predecessor": old.pk, "successors": [new.pk], "effective_on": "2019-01-31",
        "reform": "2018年党和国家机构改革", "kind": "rename"}}
response = client.post("/console/units/successions/", form, secure=True)
item = Assignment.objects.filter(unit=new).values_list("item_id", flat=True).first()
page = client.get(f"/items/{{item}}/", secure=True).content.decode()
print(json.dumps({{"status": response.status_code, "item": item, "page": page,
                  "old_emails": old.contact_emails}}, ensure_ascii=False))
"""


def test_it_reminds_the_successor_recorded_in_the_console_through_redis_celery_and_smtp(stack):
    before = {m["department"] for m in stack.expected}
    assert "市卫计委" in before, "the seeded 2019 cycle reminds 市卫计委"
    mail = stack.start_smtp(Recorder())
    out = run_django([PYTHON, "-c", RECORD_IN_CONSOLE], env=stack.env() | {"ALLOWED_HOSTS": "testserver"})
    recorded = json.loads(out.strip().splitlines()[-1])
    assert recorded["status"] == 302 and recorded["item"]
    assert "市卫生健康委(原市卫计委)" in recorded["page"]  # the reporting unit, with the name as written
    assert "机构改革移交" in recorded["page"] and "2019-01-31" in recorded["page"]  # the original row, kept

    stack.start_worker("w1")
    send_task(stack.redis.url, PLAN, AS_OF)
    stack.wait_delivered(len(stack.expected))  # one digest left 市卫计委, one went to 市卫生健康委
    stack.wait_drained()
    by_department = {
        m.subject.removeprefix("【报送提醒】").split(":", 1)[0]: sorted(m.recipients) for m in mail.messages
    }
    assert "市卫计委" not in by_department
    assert by_department["市卫生健康委"] == [SUCCESSOR_EMAIL]
    assert not set(recorded["old_emails"]) & {r for rs in by_department.values() for r in rs}
    assert set(by_department) == (before - {"市卫计委"}) | {"市卫生健康委"}
