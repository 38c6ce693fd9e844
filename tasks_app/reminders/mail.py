"""Subject and bodies of reminder digests (zh-hans, plain text and HTML)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.html import escape

if TYPE_CHECKING:
    from tasks_app.reminders.planner import Digest


def render(*, digest: Digest, as_of: date) -> dict[str, str]:
    cycle = digest.cycle
    plan = cycle.plan
    link = f"{settings.SITE_URL.rstrip('/')}/?plan={plan.id}"
    due = f"{cycle.due_date.year}年{cycle.due_date.month}月{cycle.due_date.day}日"
    if digest.unit is None:
        names = "、".join(f"{row['unit']}({row['count']}项)" for row in digest.items)
        subject = f"【逾期汇总】{plan.title[:40]} {cycle.year}年度:{len(digest.items)}个单位未按期报送"
        text = (
            f"规划办:\n\n{cycle.year}年度进展报告已于{due}截止,以下单位仍有未报送事项:\n{names}\n\n"
            f"查看报送情况:{settings.SITE_URL.rstrip('/')}/\n"
        )
        rows = "".join(f"<li>{escape(row['unit'])}:{row['count']} 项未报送</li>" for row in digest.items)
        html = f"<p>规划办:</p><p>{cycle.year}年度进展报告已于{due}截止,以下单位仍有未报送事项:</p><ul>{rows}</ul>"
        return {"subject": subject, "body_text": text, "body_html": html}
    unit = digest.unit.name
    count = len(digest.items)
    if digest.step.kind == "overdue":
        subject = f"【逾期催报】{unit}:{cycle.year}年度进展报告已逾期{digest.step.days}天,{count}项未报送"
        lead = f"{cycle.year}年度进展报告已于{due}截止,贵单位以下{count}项尚未报送,请尽快填报:"
    else:
        subject = f"【报送提醒】{unit}:{cycle.year}年度进展报告将于{due}截止,{count}项待报送"
        lead = f"{cycle.year}年度进展报告将于{due}截止(还有{digest.step.days}天),贵单位以下{count}项尚待报送:"
    lines = [
        f"{i}. {row['title']}(完成时限:{row['deadline'] or '—'}{',配合' if row['role'] == 'cooperating' else ''})"
        for i, row in enumerate(digest.items, 1)
    ]
    text = f"{unit}:\n\n{lead}\n\n" + "\n".join(lines) + f"\n\n在线填报:{link}\n\n{plan.title}\n"
    items_html = "".join(
        f"<li>{escape(row['title'])}<small>(完成时限:{escape(row['deadline'] or '—')})</small></li>"
        for row in digest.items
    )
    html = (
        f"<p>{escape(unit)}:</p><p>{escape(lead)}</p><ol>{items_html}</ol>"
        f'<p><a href="{escape(link)}">进入填报页面</a></p><p><small>{escape(plan.title)}</small></p>'
    )
    return {"subject": subject[:300], "body_text": text, "body_html": html}
