"""The API's row serializers write exactly what DRF writes (tasks_app.api.representation): every list and
detail endpoint, read with the direct path and with DRF's own, over rows that carry every kind of field (nested
refs, lists, method fields, null relations, dates and times, indicators, evidence)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tasks_app.api import representation
from tasks_app.models import Contribution, Evidence, Report, WorkItem
from tests.api.conftest import client_for, education_cooperates_on, education_reports_on
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def _both(user, url: str, **params) -> tuple[bytes, bytes]:
    client = client_for(user)
    bodies = []
    for enabled in (True, False):
        representation._ENABLED = enabled
        try:
            response = client.get(url, params)
        finally:
            representation._ENABLED = True
        assert response.status_code == 200, (url, response.content[:200])
        bodies.append(response.content)
    return bodies[0], bodies[1]


def test_it_writes_what_drf_writes_on_every_row_endpoint(personas: Personas):
    p = personas
    stamp = datetime(2021, 1, 5, 3, 4, 5, tzinfo=UTC)
    indicator = WorkItem.objects.filter(plan=p.plan, kind__in=WorkItem.INDICATOR_KINDS).first()
    reported = [education_reports_on(p, n) for n in range(3)]
    rows = [
        Report.objects.create(item=reported[0], unit=p.education, cycle=p.cycle, progress="进展", updated_by=p.owner),
        Report.objects.create(
            item=reported[1],
            unit=p.education,
            cycle=p.cycle,
            status=Report.Status.SUBMITTED,
            submitted_at=stamp,
            progress_status=Report.Progress.DONE,
            actual_value_text="12.5",
            actual_value=12.5,
        ),
    ]
    Evidence.objects.create(report=rows[1], file="evidence/a.pdf", original_name="a.pdf", size=3, content_type="x")
    Contribution.objects.create(item=education_cooperates_on(p), unit=p.education, cycle=p.cycle, text="配合")
    for user in (p.admin, p.owner):
        for url, params in [
            ("/api/tasks/", {"page_size": 500}),
            ("/api/tasks/", {"page_size": 500, "light": "red"}),
            ("/api/reports/", {}),
            ("/api/contributions/", {}),
            ("/api/cycles/", {}),
            (f"/api/tasks/{reported[0].pk}/", {}),
            (f"/api/reports/{rows[1].pk}/", {}),
        ]:
            direct, drf = _both(user, url, **params)
            assert direct == drf, url
    direct, drf = _both(p.admin, "/api/console/review/", cycle=p.cycle.pk)
    assert direct == drf and b'"evidence":[{' in direct
    assert indicator is not None and _both(p.admin, f"/api/tasks/{indicator.pk}/")[0].count(b'"indicator":{') == 1
