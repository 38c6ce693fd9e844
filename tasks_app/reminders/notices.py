"""The template of notices: one message to a unit about one event it must act on (a report returned, a bounce or an
extension decided, an item reassigned). Reminder digests have their own template (mail.py, chat.py).

One text serves every channel: mail sends it with an HTML alternative, the robots post the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.html import escape, linebreaks

from tasks_app.models import ReminderMessage


@dataclass(frozen=True)
class Notice:
    """What happened, to whom, about what; ``link`` is the page where the unit acts on it."""

    kind: str  # ReminderMessage.Kind (a notice kind)
    unit_name: str
    item_title: str
    item_number: str
    cycle_label: str
    reason: str
    link: str


def site_link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _item(notice: Notice) -> str:
    return f"{notice.item_number}. {notice.item_title}" if notice.item_number else notice.item_title


HEADLINES = {
    ReminderMessage.Kind.RETURNED: (
        "【报告退回】{unit}:{cycle}进展报告被规划办退回,请修改后重新提交",
        "贵单位报送的{cycle}进展报告已被规划办退回,请按退回理由修改后重新提交:",
        "退回理由",
        "修改并重新提交",
    ),
    ReminderMessage.Kind.BOUNCE_DECIDED: (
        "【退回分工】{unit}:规划办已处理贵单位的退回分工申请",
        "规划办已处理贵单位对下列事项的退回分工申请:",
        "处理结果",
        "查看",
    ),
    ReminderMessage.Kind.EXTENSION_DECIDED: (
        "【延期申请】{unit}:规划办已处理贵单位的延期申请",
        "规划办已处理贵单位对下列事项的延期申请:",
        "处理结果",
        "查看事项",
    ),
    ReminderMessage.Kind.REASSIGNED: (
        "【改派事项】{unit}:规划办将一项任务改派给贵单位",
        "规划办将下列事项改派给贵单位承担,请签收并按时报送进展:",
        "说明",
        "查看并签收",
    ),
    ReminderMessage.Kind.HEAD_RETURNED: (
        "【报告退回】{unit}:{cycle}进展报告被单位负责人退回,请修改后重新提交",
        "贵单位的{cycle}进展报告未通过单位负责人审核,已退回填报人,请按退回理由修改后重新提交:",
        "负责人退回理由",
        "修改并重新提交",
    ),
}


def render_notice(notice: Notice) -> dict[str, str]:
    """subject, body_text, body_html of a notice row (zh-hans)."""
    subject_pattern, lead_pattern, reason_label, action = HEADLINES[ReminderMessage.Kind(notice.kind)]
    values = {"unit": notice.unit_name, "cycle": notice.cycle_label}
    subject = subject_pattern.format(**values)[:300]
    lead = lead_pattern.format(**values)
    item = _item(notice)
    text = f"{notice.unit_name}:\n\n{lead}\n\n事项:{item}\n{reason_label}:{notice.reason}\n\n{action}:{notice.link}\n"
    html = (
        f"<p>{escape(notice.unit_name)}:</p><p>{escape(lead)}</p>"
        f"<p><b>事项:</b>{escape(item)}</p><p><b>{escape(reason_label)}:</b></p>{linebreaks(notice.reason, autoescape=True)}"
        f'<p><a href="{escape(notice.link)}">{escape(action)}</a></p>'
    )
    return {"subject": subject, "body_text": text, "body_html": html}
