"""Every face shows the same light for the same item: 我的任务, the item page, the division page, the
dashboard (counts per plan and per unit), the progress workbook read back with openpyxl, and the API (rows and
``?light=``); the API filter never reaches another unit's items."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tasks_app import access
from tasks_app.models import Report, WorkItem
from tasks_app.rules.lights import COLOURS, light_of
from tasks_app.selectors.lights import dashboard_lights
from tasks_app.services.exports import export_build
from tests.api.conftest import client_for
from tests.personas import items_of

pytestmark = pytest.mark.django_db

LIGHT = re.compile(r'data-light="(\w+)" data-light-reason="(\w+)"')


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _arrange(p) -> dict[int, tuple[str, str]]:
    """Four of 市教育局's items in four states, the cycle due in three days; item id → (colour, reason)."""
    today = timezone.localdate()
    p.cycle.due_date = today + timedelta(days=3)
    p.cycle.save(update_fields=["due_date"])
    only = [i for i in items_of(p, relation="reports") if access.reporting_unit_ids(i) == [p.education.pk]]
    items = only[:4]
    assert len(items) == 4
    WorkItem.objects.filter(plan=p.plan).update(deadline=today + timedelta(days=400))
    late, behind, on_track, silent = items
    WorkItem.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=1))
    for item, progress in ((behind, Report.Progress.BEHIND), (on_track, Report.Progress.ON_TRACK)):
        Report.objects.create(
            item=item,
            unit=p.education,
            cycle=p.cycle,
            status=Report.Status.SUBMITTED,
            progress_status=progress,
            submitted_at=timezone.now(),
        )
    return {
        late.pk: ("red", "deadline"),
        behind.pk: ("yellow", "behind"),
        on_track.pk: ("green", "on_track"),
        silent.pk: ("yellow", "due_soon"),
    }


def _rows(page: str, href: str, row: str = '<div class="row') -> dict[int, tuple[str, str]]:
    """item id → the light shown in the row (each starting with ``row``) that links to ``href`` (a pattern
    with one id group)."""
    found = {}
    for chunk in page.split(row)[1:]:
        link, light = re.search(href, chunk), LIGHT.search(chunk)
        if link and light:
            found[int(link.group(1))] = light.groups()
    return found


def test_it_shows_the_same_light_on_every_face(personas):
    p = personas
    expected = _arrange(p)
    # 我的任务 (unit staff)
    page = _web(p.owner).get("/", {"page_size": 200}).content.decode()
    assert {k: v for k, v in _rows(page, r'href="/items/(\d+)/"').items() if k in expected} == expected
    # the item page
    for item_id, light in expected.items():
        page = _web(p.owner).get(f"/items/{item_id}/").content.decode()
        assert LIGHT.search(page).groups() == light
        assert light_of(light[1]).text in page  # the text, not the colour only
    # the division page (office)
    for item_id, light in expected.items():
        title = WorkItem.objects.get(pk=item_id).title
        page = _web(p.admin).get("/console/division/", {"plan": p.plan.pk, "q": title}).content.decode()
        assert _rows(page, r'href="/console/division/items/(\d+)/"', row="<tr>")[item_id] == light
    # the API, row by row, and its filter
    api = client_for(p.admin)
    rows = api.get("/api/tasks/", {"plan": p.plan.pk, "page_size": 500}).json()["results"]
    by_id = {row["id"]: (row["light"], row["light_reason"]) for row in rows}
    for item_id, (colour, reason) in expected.items():
        assert by_id[item_id] == (colour, light_of(reason).reason_label)
    for colour in COLOURS:
        filtered = api.get("/api/tasks/", {"plan": p.plan.pk, "light": colour, "page_size": 500}).json()
        assert {row["id"] for row in filtered["results"]} == {pk for pk, row in by_id.items() if row[0] == colour}
    # the dashboard: the plan's counts are the API's, 市教育局's are its 我的任务 list's
    everything = Counter(colour for colour, _ in by_id.values())
    page = _web(p.admin).get("/console/dashboard/", {"cycle": p.cycle.pk}).content.decode()
    for colour in COLOURS:
        shown = re.search(rf'data-light="{colour}" href="/\?plan={p.plan.pk}&amp;light={colour}"><b>(\d+)</b>', page)
        assert shown
        assert int(shown.group(1)) == everything[colour]
        assert api.get(f"/api/console/cycles/{p.cycle.pk}/dashboard/").json()["lights"][colour] == everything[colour]
        unit_list = _web(p.admin).get(
            "/", {"unit": p.education.pk, "plan": p.plan.pk, "light": colour, "page_size": 200}
        )
        listed = len(_rows(unit_list.content.decode(), r'href="/items/(\d+)/"'))
        assert dashboard_lights(p.cycle, today=timezone.localdate()).unit(p.education.pk)[colour] == listed
        link = f'href="/?unit={p.education.pk}&amp;plan={p.plan.pk}&amp;light={colour}"'
        assert re.search(
            re.escape(link) + rf' aria-label="[^"]*"><span class="light-dot" aria-hidden="true"></span>{listed}</a>',
            page,
        )
    # the progress workbook, read back
    stream = BytesIO()
    export_build(plan=p.plan, report="progress", year=p.cycle.year, path_or_stream=stream)
    sheet = load_workbook(BytesIO(stream.getvalue())).worksheets[0]
    assert sheet.cell(row=2, column=sheet.max_column).value == "灯号"
    texts = {row[1]: row[-1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[1]}
    for item_id, (_, reason) in expected.items():
        assert texts[WorkItem.objects.get(pk=item_id).text] == light_of(reason).text


def test_it_filters_lights_only_within_the_users_scope(personas):
    p = personas
    expected = _arrange(p)
    for colour in COLOURS:
        mine = client_for(p.owner).get("/api/tasks/", {"light": colour, "page_size": 500}).json()["results"]
        theirs = client_for(p.outsider).get("/api/tasks/", {"light": colour, "page_size": 500}).json()["results"]
        assert {pk for pk, (c, _) in expected.items() if c == colour} <= {row["id"] for row in mine}
        assert not {row["id"] for row in theirs} & set(expected)
        page = _web(p.outsider).get("/", {"light": colour, "page_size": 200}).content.decode()
        assert not set(_rows(page, r'href="/items/(\d+)/"')) & set(expected)
    assert client_for(None).get("/api/tasks/", {"light": "red"}).status_code == 401
    assert Client().get("/", {"light": "red"}).status_code == 302
    bad = client_for(p.owner).get("/api/tasks/", {"light": "blue"})
    assert bad.status_code == 400
