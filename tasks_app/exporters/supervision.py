"""The 督办单 as a Word document (.docx): one unit's overdue items in a cycle, in the layout of the evaluation
reports (GB/T 9704 page and fonts, evaluation_docx.py), ready to print, sign and send."""

from __future__ import annotations

from io import BytesIO

from docx.enum.text import WD_ALIGN_PARAGRAPH

from tasks_app.exporters.evaluation_docx import StreamedTable, add_table, body_paragraph, new_document, write_streamed
from tasks_app.selectors.supervision import Supervision

COLUMNS = (("序号", 14.0), ("编号", 18.0), ("事项", 88.0), ("完成时限", 26.0), ("报送状态", 26.0))


def supervision_filename(notice: Supervision) -> str:
    return f"督办单-{notice.unit.name}-{notice.cycle.label}.docx"


def supervision_lead(notice: Supervision) -> str:
    """The notice's one sentence (the console page says the same)."""
    cycle = notice.cycle
    due = f"{cycle.due_date.year}年{cycle.due_date.month}月{cycle.due_date.day}日"
    late = f",已逾期{notice.days_overdue}天" if notice.overdue else ""
    return (
        f"{notice.unit.name}:{cycle.plan.title}{cycle.label}进展报告已于{due}截止{late}。"
        f"贵单位以下{len(notice.items)}项尚未报送,请于收到本督办单后抓紧填报并提交,逾期情况将纳入通报。"
    )


def supervision_sender(notice: Supervision) -> str:
    recipient = notice.cycle.plan.reporting_recipient
    return recipient.name if recipient is not None else "规划办"


def supervision_docx(notice: Supervision) -> bytes:
    document = new_document()
    document.add_paragraph(f"督办单({notice.cycle.label})", style="Title")
    body_paragraph(document, supervision_lead(notice))
    if notice.heads:
        body_paragraph(document, f"单位负责人:{'、'.join(notice.heads)}")
    table = StreamedTable(
        marker="items",
        columns=COLUMNS,
        rows=[
            (str(i), item.number, item.title, item.deadline.isoformat() if item.deadline else "—", item.report_state)
            for i, item in enumerate(notice.items, 1)
        ],
    )
    add_table(document, table)
    signature = document.add_paragraph(
        f"{supervision_sender(notice)}\n{notice.today.year}年{notice.today.month}月{notice.today.day}日"
    )
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = BytesIO()
    write_streamed(document, [table], out)
    return out.getvalue()
