"""A city the registry does not list: the short forms its cities share still name one unit."""

from __future__ import annotations

import pytest

from tasks_app.models import Assignment, Plan, Unit
from tasks_app.services.documents import document_load, document_preview, document_save

pytestmark = pytest.mark.django_db

NOTICE = """鞍山市人民政府关于印发鞍山市2023年重点工作任务分工的通知
一、稳住经济大盘
(一)地区生产总值增长6%左右。
牵头单位:市发展改革委
配合单位:市财政局、市统计局
(二)新开工亿元以上项目200个以上,2023年底前完成。
牵头单位:市发改委
配合单位:市发展和改革委员会、市财政局
"""


def test_it_merges_the_registry_short_forms_in_a_new_city_and_keeps_every_spelling() -> None:
    loaded = document_load(data=NOTICE.encode(), file_name="鞍山分工.txt")
    preview = document_preview(loaded=loaded)
    units = {unit["name"]: unit for unit in preview["units"]}
    assert units["市发展改革委"]["aliases_seen"] == ["市发展改革委", "市发改委", "市发展和改革委员会"]
    assert units["市发展改革委"]["known"] is False  # a new unit of 鞍山市, for the office to confirm
    assert [task["lead"] for task in preview["tasks"]] == [["市发展改革委"], ["市发展改革委"]]

    plan = document_save(loaded=loaded).plan
    assert Plan.objects.get(pk=plan.pk).jurisdiction.name == "鞍山市"
    ndrc = Unit.objects.get(jurisdiction=plan.jurisdiction, name="市发展改革委")
    rows = Assignment.objects.filter(item__plan=plan, unit=ndrc)
    assert sorted(rows.values_list("raw_name", flat=True)) == ["市发展和改革委员会", "市发展改革委", "市发改委"]
    assert not Unit.objects.filter(jurisdiction=plan.jurisdiction, name__in=["市发改委", "市发展和改革委员会"]).exists()
