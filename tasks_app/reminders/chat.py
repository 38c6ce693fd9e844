"""The chat-robot channels' template: one plain-text message per digest for a work group (企业微信/政务微信, 钉钉).

A group message is read on a phone among other chatter: the headline first, then the items, then the link. Robots
cap a text message (企业微信: 2,048 bytes of UTF-8), so long digests list as many items as fit and say how many
more there are; the full list is one tap away.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tasks_app.reminders.mail import headline, item_line, plan_link, supervision_list_link

if TYPE_CHECKING:
    from tasks_app.reminders.digest import Digest

MAX_BYTES = 2048  # the tightest robot limit (企业微信 text.content); 钉钉 allows more


def _fits(text: str, limit: int) -> bool:
    return len(text.encode("utf-8")) <= limit


def render(*, digest: Digest, as_of: date, limit: int = MAX_BYTES) -> dict[str, str]:
    subject, lead = headline(digest)
    if digest.unit is None:
        lines = [f"{row['unit']}({row['count']}项)" for row in digest.items]
        footer = f"查看报送情况:{plan_link()}"
        if digest.step.reaches_office:  # the last overdue step: the office's group gets the 督办单 list
            footer = f"督办单:{supervision_list_link(digest.cycle.id)}\n{footer}"
    else:
        lines = [item_line(i, row) for i, row in enumerate(digest.items, 1)]
        footer = f"在线填报:{plan_link(digest.cycle.plan)}"
    head = f"{subject}\n{lead}\n"
    shown = len(lines)
    while True:
        more = f"……另有{len(lines) - shown}项,请登录系统查看\n" if shown < len(lines) else ""
        text = head + "".join(f"{line}\n" for line in lines[:shown]) + more + footer
        if _fits(text, limit) or shown == 0:
            break
        shown -= 1
    if not _fits(text, limit):  # even the headline is too long (a very long unit name): cut by bytes
        text = text.encode("utf-8")[: limit - 3].decode("utf-8", errors="ignore") + "…"
    return {"subject": subject, "body_text": text, "body_html": ""}
