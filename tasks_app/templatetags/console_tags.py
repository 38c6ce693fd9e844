"""Template helpers of the planning-office console: the navigation links a user may follow."""

from __future__ import annotations

from typing import Any

from django import template

from tasks_app import access

register = template.Library()

# (label, path, reviewers only). Leadership reads every page; the outbox is office work only.
CONSOLE_LINKS = (
    ("报送周期", "/console/cycles/", False),
    ("审核", "/console/review/", False),
    ("看板", "/console/dashboard/", False),
    ("分工调整", "/console/division/", False),
    ("分工建议", "/console/suggestions/", False),
    ("单位", "/console/units/", False),
    ("提醒邮件", "/console/outbox/", True),
    ("导入文件", "/console/imports/", False),
    ("导出", "/console/exports/", False),
    ("操作日志", "/console/audit/", False),
)


@register.simple_tag(takes_context=True)
def console_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    reviewer = access.can_review(user) if user is not None else False
    return [
        {"label": label, "href": href, "current": path.startswith(href)}
        for label, href, reviewers_only in CONSOLE_LINKS
        if reviewer or not reviewers_only
    ]


@register.simple_tag(takes_context=True)
def console_can_review(context: dict[str, Any]) -> bool:
    request = context.get("request")
    return bool(request is not None and access.can_review(request.user))


@register.filter
def percent(part: int, whole: int) -> float:
    """part / whole in percent (0 when whole is 0), for SVG widths."""
    return round(100 * part / whole, 2) if whole else 0.0
