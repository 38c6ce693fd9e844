"""督办单 pages (/console/supervision/…): the list of late units, the printable notice and its Word export, scoped
like every console page (another jurisdiction's office and unit staff: 404; anonymous: the login page)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from docx import Document

from tasks_app.models import Assignment, Jurisdiction, Report
from tests.personas import Personas, make_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _urls(p: Personas) -> tuple[str, str, str]:
    base = f"/console/supervision/{p.cycle.pk}/{p.education.pk}/"
    return f"/console/supervision/?cycle={p.cycle.pk}", base, base + "docx/"


def test_it_lists_late_units_and_prints_and_exports_their_overdue_items(personas: Personas):
    p = personas
    listing, page, docx = _urls(p)
    slots = Assignment.objects.reporting().filter(unit=p.education, item__plan=p.plan, item__is_active=True)
    slots = slots.order_by("item__order", "item_id")
    items = list(dict.fromkeys(slots.values_list("item__title", flat=True)))
    assert len(items) > 2, "市教育局 should report on items in Yingkou"
    done = slots.first().item
    Report.objects.create(item=done, unit=p.education, cycle=p.cycle, status=Report.Status.SUBMITTED)

    admin = _client(p.admin)
    body = admin.get(listing).content.decode()
    assert "市教育局" in body and page in body and docx in body
    html = admin.get(page).content.decode()
    assert "督办单" in html and f"贵单位以下{len(items) - 1}项尚未报送" in html
    assert done.title not in html and all(title in html for title in items if title != done.title)
    assert "supervision.css" in html and "@media print" in open_css(), "the page prints as a clean sheet"

    response = admin.get(docx)
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    document = Document(BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "督办单" in text and "市教育局" in text
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["序号", "编号", "事项", "完成时限", "报送状态"]
    assert [row[2] for row in rows[1:]] == [title for title in items if title != done.title]
    assert {row[4] for row in rows[1:]} == {"未填报"}

    leader = _client(p.leader)  # leadership reads the console: the notice too
    assert leader.get(page).status_code == 200


def open_css() -> str:
    from tests.conftest import ROOT

    return (ROOT / "tasks_app/static/tasks_app/supervision.css").read_text(encoding="utf-8")


def test_it_hides_the_notice_outside_the_office_scope(personas: Personas):
    p = personas
    listing, page, docx = _urls(p)
    other = Jurisdiction.objects.create(name="别的市", level="city")
    stranger = make_user("other-office", office="admin", jurisdiction=other)
    for url in (page, docx):
        assert _client(stranger).get(url).status_code == 404
        assert _client(p.owner).get(url).status_code == 404  # unit staff: the console does not exist for them
        assert _client(p.outsider).get(url).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert "市教育局" not in _client(stranger).get(listing).content.decode()
    unknown = f"/console/supervision/{p.cycle.pk}/999999/"
    assert _client(p.admin).get(unknown).status_code == 404
