"""The email channel's template: subject and bodies of reminder digests (zh-hans, plain text and HTML).

`headline`, `item_line` and `plan_link` are shared with the chat-robot template (chat.py), so a digest says the
same thing on every channel.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.html import escape

if TYPE_CHECKING:
    from tasks_app.models import Plan, ReportingCycle
    from tasks_app.reminders.digest import Digest


def plan_link(plan: Plan | None = None) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}/?plan={plan.id}" if plan is not None else f"{base}/"


def due_text(cycle: ReportingCycle) -> str:
    return f"{cycle.due_date.year}年{cycle.due_date.month}月{cycle.due_date.day}日"


def headline(digest: Digest) -> tuple[str, str]:
    """(subject, lead sentence) of a digest; for the office summary the lead introduces the list of units."""
    cycle = digest.cycle
    due = due_text(cycle)
    count = len(digest.items)
    if digest.unit is None:
        subject = f"【逾期汇总】{cycle.plan.title[:40]} {cycle.year}年度:{count}个单位未按期报送"
        return subject, f"{cycle.year}年度进展报告已于{due}截止,以下单位仍有未报送事项:"
    unit = digest.unit.name
    if digest.step.kind == "overdue":
        subject = f"【逾期催报】{unit}:{cycle.year}年度进展报告已逾期{digest.step.days}天,{count}项未报送"
        lead = f"{cycle.year}年度进展报告已于{due}截止,贵单位以下{count}项尚未报送,请尽快填报:"
    else:
        subject = f"【报送提醒】{unit}:{cycle.year}年度进展报告将于{due}截止,{count}项待报送"
        lead = f"{cycle.year}年度进展报告将于{due}截止(还有{digest.step.days}天),贵单位以下{count}项尚待报送:"
    return subject[:300], lead


WAITING_HEAD = ",已提交,待单位负责人签发"  # the staff submitted it; the unit head has not signed it off yet


def item_note(row: dict[str, Any]) -> str:
    """What follows an item's deadline in a digest: a cooperating role, or that it only waits for the head."""
    if row.get("waiting_head"):
        return WAITING_HEAD
    return ",配合" if row.get("role") == "cooperating" else ""


def item_line(number: int, row: dict[str, Any]) -> str:
    return f"{number}. {row['title']}(完成时限:{row['deadline'] or '—'}{item_note(row)})"


def render(*, digest: Digest, as_of: date) -> dict[str, str]:
    plan = digest.cycle.plan
    subject, lead = headline(digest)
    if digest.unit is None:
        names = "、".join(f"{row['unit']}({row['count']}项)" for row in digest.items)
        text = f"规划办:\n\n{lead}\n{names}\n\n查看报送情况:{plan_link()}\n"
        rows = "".join(f"<li>{escape(row['unit'])}:{row['count']} 项未报送</li>" for row in digest.items)
        html = f"<p>规划办:</p><p>{escape(lead)}</p><ul>{rows}</ul>"
        return {"subject": subject, "body_text": text, "body_html": html}
    unit = digest.unit.name
    link = plan_link(plan)
    lines = [item_line(i, row) for i, row in enumerate(digest.items, 1)]
    text = f"{unit}:\n\n{lead}\n\n" + "\n".join(lines) + f"\n\n在线填报:{link}\n\n{plan.title}\n"
    items_html = "".join(
        f"<li>{escape(row['title'])}<small>(完成时限:{escape(row['deadline'] or '—')}{WAITING_HEAD if row.get('waiting_head') else ''})</small></li>"
        for row in digest.items
    )
    html = (
        f"<p>{escape(unit)}:</p><p>{escape(lead)}</p><ol>{items_html}</ol>"
        f'<p><a href="{escape(link)}">进入填报页面</a></p><p><small>{escape(plan.title)}</small></p>'
    )
    return {"subject": subject, "body_text": text, "body_html": html}
