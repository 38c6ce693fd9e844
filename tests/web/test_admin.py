"""The Django admin lets the office inspect every imported record: every changelist and a change page load."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model

from tasks_app.models import WorkItem

pytestmark = pytest.mark.django_db


def test_it_shows_every_model_with_the_seeded_records(seeded_db, client):
    user = get_user_model().objects.create_superuser("root", "root@example.cn", "pw-for-tests-only")
    client.force_login(user)
    for model in admin.site._registry:
        meta = model._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "发改"}).status_code == 200, url
    item = WorkItem.objects.filter(plan__jurisdiction__name="营口市").first()
    page = client.get(f"/admin/tasks_app/workitem/{item.id}/change/").content.decode()
    assert item.title in page and f"{item.line_start:>5} |" in page


def test_it_keeps_unit_staff_out_of_the_admin(personas, client):
    client.force_login(personas.owner)
    assert client.get("/admin/tasks_app/workitem/").status_code == 302
