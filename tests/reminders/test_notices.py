"""Every notice kind renders: subject, lead, reason and the link with its action label (a kind whose headline
misses a part was a 500 on the action that sends it: the head's 退回)."""

from __future__ import annotations

import pytest

from tasks_app.reminders.notices import HEADLINES, Notice, render_notice


@pytest.mark.parametrize("kind", list(HEADLINES), ids=str)
def test_it_renders_every_notice_kind(kind):
    link = "https://planner.example/items/7/"
    notice = Notice(
        kind=kind,
        unit_name="市教育局",
        item_title="学前教育普惠性发展",
        item_number="1",
        cycle_label="2020年度",
        reason="未写明资金到位情况",
        link=link,
    )
    content = render_notice(notice)
    action = HEADLINES[kind][3]
    assert content["subject"].startswith("【") and "市教育局" in content["subject"]
    assert f"{action}:{link}" in content["body_text"] and "1. 学前教育普惠性发展" in content["body_text"]
    assert f'<a href="{link}">{action}</a>' in content["body_html"]
