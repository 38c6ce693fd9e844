"""The email channel's template: subject and bodies of reminder digests (zh-hans, plain text and HTML).

`headline`, `item_line` and `plan_link` are shared with the chat-robot template (chat.py), so a digest says the
same thing on every channel.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

if TYPE_CHECKING:
    from tasks_app.models import Plan, ReportingCycle
    from tasks_app.reminders.digest import Digest


def plan_link(plan: Plan | None = None) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}/?plan={plan.id}" if plan is not None else f"{base}/"


def supervision_link(cycle_id: int, unit_id: int) -> str:
    """The printable 督办单 of a unit in a cycle (console)."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('console-supervision', args=[cycle_id, unit_id])}"


def supervision_list_link(cycle_id: int) -> str:
    """The console list of a cycle's late units, each with its 督办单."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('console-supervision-list')}?cycle={cycle_id}"


def due_text(cycle: ReportingCycle) -> str:
    return f"{cycle.due_date.year}年{cycle.due_date.month}月{cycle.due_date.day}日"


def headline(digest: Digest) -> tuple[str, str]:
    """(subject, lead sentence) of a digest; for the office summary the lead introduces the list of units."""
    cycle = digest.cycle
    due = due_text(cycle)
    count = len(digest.items)
    if digest.unit is None:
        subject = f"【逾期汇总】{cycle.plan.title[:40]} {cycle.label}:{count}个单位未按期报送"
        lead = f"{cycle.label}进展报告已于{due}截止,以下单位仍有未报送事项:"
        if digest.step.reaches_office:  # the last overdue step: each late unit's 督办单 comes with it
            subject += ",督办单已生成"
            lead = f"{cycle.label}进展报告已于{due}截止,逾期{digest.step.days}天。以下单位仍未报送,督办单如下:"
        return subject[:300], lead
    unit = digest.unit.name
    if digest.step.kind == "overdue":
        subject = f"【逾期催报】{unit}:{cycle.label}进展报告已逾期{digest.step.days}天,{count}项未报送"
        lead = f"{cycle.label}进展报告已于{due}截止,贵单位以下{count}项尚未报送,请尽快填报:"
        if digest.step.reaches_office:
            lead += "(已抄送单位负责人,规划办已下发督办单)"
        elif digest.step.reaches_head:
            lead += "(已抄送单位负责人)"
    else:
        subject = f"【报送提醒】{unit}:{cycle.label}进展报告将于{due}截止,{count}项待报送"
        lead = f"{cycle.label}进展报告将于{due}截止(还有{digest.step.days}天),贵单位以下{count}项尚待报送:"
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
        if digest.step.reaches_office:
            return _supervision(digest, subject, lead)
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


def _supervision(digest: Digest, subject: str, lead: str) -> dict[str, str]:
    """The office summary of the last overdue step: one 督办单 per late unit (its overdue items and the link to the
    printable, exportable notice in the console)."""
    cycle = digest.cycle
    blocks, html_blocks = [], []
    for row in digest.items:
        link = supervision_link(cycle.id, row["unit_id"])
        lines = [item_line(i, item) for i, item in enumerate(row["items"], 1)]
        blocks.append(f"督办单 · {row['unit']}({row['count']}项逾期)\n" + "\n".join(lines) + f"\n打印/导出:{link}")
        items_html = "".join(f"<li>{escape(item['title'])}</li>" for item in row["items"])
        html_blocks.append(
            f"<h3>督办单 · {escape(row['unit'])}({row['count']}项逾期)</h3><ol>{items_html}</ol>"
            f'<p><a href="{escape(link)}">打印/导出督办单</a></p>'
        )
    every = supervision_list_link(cycle.id)
    text = f"规划办:\n\n{lead}\n\n" + "\n\n".join(blocks) + f"\n\n全部督办单:{every}\n查看报送情况:{plan_link()}\n"
    html = (
        f"<p>规划办:</p><p>{escape(lead)}</p>"
        + "".join(html_blocks)
        + f'<p><a href="{escape(every)}">全部督办单</a></p>'
    )
    return {"subject": subject, "body_text": text, "body_html": html}
