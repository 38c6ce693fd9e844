"""Template helpers of the planning-office console: the navigation links a user may follow.

A link is shown exactly when a GET of its page would pass the page's own gate: the capability is read
from the view the URL resolves to (tasks_app.permissions.requires), never restated here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django import template
from django.urls import resolve, reverse
from django.utils.html import format_html

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.permissions import declared

register = template.Library()

# (label, URL name) per navigation bar.
NAVIGATION: dict[str, tuple[tuple[str, str], ...]] = {
    "console": (
        ("报送周期", "console-cycles"),
        ("审核", "console-review"),
        ("看板", "console-dashboard"),
        ("考核", "console-scoring"),
        ("签收与申请", "console-workflow"),
        ("指标监测", "console-monitoring"),
        ("分工调整", "console-division"),
        ("分工建议", "console-suggestions"),
        ("单位", "console-units"),
        ("提醒邮件", "console-outbox"),
        ("督办单", "console-supervision-list"),
        ("导入文件", "console-imports"),
        ("导出", "console-exports"),
        ("操作日志", "console-audit"),
    ),
    "division": (
        ("分工调整", "console-division"),
        ("分工建议", "console-suggestions"),
        ("单位名录", "console-units"),
        ("待确认单位", "console-units-review"),
        ("导入联系人", "console-units-contacts"),
        ("单位沿革", "console-units-successions"),
        ("单位账号", "console-units-accounts"),
        ("操作日志", "console-audit"),
    ),
}


@cache
def nav_page(name: str) -> tuple[str, Capability | None, Capability | None]:
    """The path of the page named ``name`` and the (read, write) capabilities its view declares."""
    href = reverse(name)
    read, write = declared(resolve(href).func)
    return href, read, write


def may_open(user: Any, name: str) -> bool:
    """Whether ``user`` gets the page named ``name`` (a URL name without arguments) on a GET."""
    if user is None or not user.is_authenticated:
        return False
    _, read, write = nav_page(name)
    return access.request_refusal(user, method="GET", read=read, write=write) is None


@register.simple_tag(takes_context=True)
def console_links(context: dict[str, Any], bar: str = "console") -> list[dict[str, Any]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    hrefs = [(label, nav_page(name)[0]) for label, name in NAVIGATION[bar] if may_open(user, name)]
    # the current page is the link with the longest matching path (/console/units/review/ is not 单位名录)
    current = max((href for _, href in hrefs if path.startswith(href)), key=len, default=None)
    return [{"label": label, "href": href, "current": href == current} for label, href in hrefs]


@register.simple_tag(takes_context=True)
def console_read_only(context: dict[str, Any]) -> bool:
    """The console's 只读 badge: the user opens the console but may change nothing in it."""
    request = context.get("request")
    return bool(request is not None and access.is_read_only(request.user))


@register.filter
def percent(part: int, whole: int) -> float:
    """part / whole in percent (0 when whole is 0), for SVG widths."""
    return round(100 * part / whole, 2) if whole else 0.0


@register.simple_tag
def tally_bar(tally: Any) -> str:
    """One stacked bar: on time / late / missing as a share of the expected reports (a CycleSummary's totals or a
    unit row). Built here rather than in an included template: the cycles page and the dashboard draw one per
    unit (300 at province scale), and the include's twenty lookups and filters per bar were most of the page."""
    expected = tally.expected

    def share(part: int) -> str:
        return f"{percent(part, expected):.2f}"

    return format_html(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        'aria-label="按时 {},逾期 {},未交 {},共 {}">'
        '<rect class="seg-on-time" x="0" y="0" height="10" width="{}"/>'
        '<rect class="seg-late" x="{}" y="0" height="10" width="{}"/>'
        '<rect class="seg-missing" x="{}" y="0" height="10" width="{}"/></svg>',
        tally.on_time,
        tally.late,
        tally.missing,
        expected,
        share(tally.on_time),
        share(tally.on_time),
        share(tally.late),
        share(tally.done),
        share(tally.missing),
    )


@register.simple_tag
def unit_lights(board: Any, unit_id: int) -> list[tuple[str, str, int]]:
    """(colour, label, count) of a unit's items in the dashboard's LightBoard (selectors.lights), red first."""
    from tasks_app.rules.lights import COLOUR_LABELS, COLOURS

    counts = board.unit(unit_id)
    return [(colour, COLOUR_LABELS[colour], counts[colour]) for colour in COLOURS]


@register.simple_tag
def light_totals(board: Any) -> list[tuple[str, str, int]]:
    from tasks_app.rules.lights import COLOUR_LABELS, COLOURS

    return [(colour, COLOUR_LABELS[colour], board.totals[colour]) for colour in COLOURS]
