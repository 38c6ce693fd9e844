"""Issue 16 helpers of the workspace tests: a report the office has returned (the unit has mail addresses)."""

from __future__ import annotations

from tasks_app.models import Report
from tasks_app.services.review import report_return
from tests.console.review_fixtures import submitted_report
from tests.web.conftest import Web

REASON = "请补充新增学位的资金来源和开工时间。"


def returned_report(web: Web, *, reason: str = REASON) -> Report:
    """市教育局's report on its lead item, submitted by owner (with a mail address) and returned by the office."""
    p = web.p
    p.owner.email = "owner@jyj.example.org"
    p.owner.save(update_fields=["email"])
    p.education.contact_emails = ["office@jyj.example.org"]
    p.education.save(update_fields=["contact_emails"])
    report = submitted_report(p, web.lead_item)
    return report_return(report=report, user=p.admin, reason=reason, expected_version=report.version)
