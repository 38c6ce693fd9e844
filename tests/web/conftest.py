"""Fixtures of the web workspace tests: the shared personas plus the items they act on."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks_app import access
from tasks_app.models import Evidence, Report, Unit, WorkItem
from tasks_app.services.reports import ReportDraft, evidence_attach, report_get_or_start, report_save
from tests import evidence_samples
from tests.personas import Personas, items_of, make_user

FULL_REPORT = {
    "progress_status": "on_track",
    "progress": "已建成普惠性幼儿园12所",
    "problems": "资金不足",
    "next_steps": "扩大覆盖",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = evidence_samples.png()  # a real image: evidence is judged by its content


@dataclass
class Web:
    p: Personas
    lead_item: WorkItem  # 市教育局 leads (学前教育普惠性发展), four cooperating units
    indicator_item: WorkItem  # a binding indicator 市教育局 reports on as responsible unit
    coop_item: WorkItem  # 市教育局 only cooperates
    coop_lead: object  # staff of the lead unit of coop_item
    finance: object  # staff of 市财政局, cooperating on lead_item
    evidence: Evidence  # a pdf on 市教育局's draft report of lead_item


def _education_item(p: Personas, role: str, *, kind: str | None = None) -> WorkItem:
    picked = items_of(p, role=role, kind=kind)
    assert picked, f"no {role} item of 市教育局"
    return picked[0]


@pytest.fixture
def web(personas: Personas) -> Web:
    p = personas
    lead_item = _education_item(p, "lead", kind="task")
    indicator_item = _education_item(p, "responsible", kind="binding")
    coop_item = _education_item(p, "cooperating")
    assert p.education.id in access.reporting_unit_ids(indicator_item)
    coop_lead_unit = Unit.objects.get(pk=access.reporting_unit_ids(coop_item)[0])
    finance = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name="市财政局")
    assert finance.id in access.cooperating_unit_ids(lead_item)
    report = report_get_or_start(user=p.owner, item=lead_item, unit_id=p.education.id, cycle=p.cycle)
    report = report_save(report=report, user=p.owner, data=ReportDraft(progress="初稿"), expected_version=1)
    evidence = evidence_attach(
        report=report, user=p.owner, upload=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    )
    return Web(
        p=p,
        lead_item=lead_item,
        indicator_item=indicator_item,
        coop_item=coop_item,
        coop_lead=make_user("coop_lead", unit=coop_lead_unit),
        finance=make_user("finance", unit=finance),
        evidence=evidence,
    )


def report_of(item: WorkItem, unit: Unit) -> Report | None:
    return Report.objects.filter(item=item, unit=unit).first()
