"""Importing by date: a document dated after a succession that names the old unit means its successor."""

from __future__ import annotations

from pathlib import Path

from tasks_app.models import Assignment
from tasks_app.services.documents import document_load_path, document_preview, document_save
from tasks_app.services.successions import successions_load
from tests.personas import Personas

DOCUMENTS = Path(__file__).parent / "documents"
POST_REFORM = DOCUMENTS / "yingkou_2020_notice.txt"  # 2020-03-10, names 市环保局, 市卫计委, 市安监局 …
PRE_REFORM = DOCUMENTS / "yingkou_2017_notice.txt"  # the same text dated 2017-03-10


def _units(preview: dict) -> list[tuple[list[str], list[str]]]:
    return [(item["lead"], item["cooperating"]) for item in (*preview["indicators"], *preview["tasks"])]


def test_it_resolves_old_names_of_a_post_reform_document_to_the_successors_with_a_warning(personas: Personas):
    successions_load()
    preview = document_preview(loaded=document_load_path(path=POST_REFORM))
    assert _units(preview) == [
        (["市生态环境局"], ["各县（市）区政府"]),
        (["市卫生健康委"], ["市财政局"]),
        (["市生态环境局"], ["市水利局", "市自然资源局"]),
        (["市市场监督管理局"], ["市农业农村局"]),  # 工商局 cooperating on 食药监局's item: one unit now
        (["市应急管理局"], []),  # 市应急办 merged into the lead
    ]
    warnings = [w for w in preview["warnings"] if "机构改革" in w]
    assert any("市卫计委 2019-01-31 起由市卫生健康委承接" in w for w in warnings)
    assert all("2020-03-10" in w for w in warnings) and len(warnings) >= 7
    units = {u["name"]: u for u in preview["units"]}
    assert set(units["市市场监督管理局"]["aliases_seen"]) == {"市食品药品监管局", "市工商局"}
    assert "市环保局" not in units and "市卫计委" not in units


def test_it_writes_the_successor_and_keeps_the_name_as_written(personas: Personas):
    successions_load()
    plan = document_save(loaded=document_load_path(path=POST_REFORM)).plan
    rows = {(a.item.text[:4], a.role): (a.unit.name, a.raw_name) for a in Assignment.objects.filter(item__plan=plan)}
    assert rows[("二级以上", "lead")] == ("市卫生健康委", "市卫计委")
    assert rows[("落实安全", "lead")] == ("市应急管理局", "市安监局")
    assert not Assignment.objects.filter(item__plan=plan, unit__name__in=["市卫计委", "市环保局"]).exists()


def test_it_keeps_the_old_units_in_a_document_dated_before_the_reform(personas: Personas):
    successions_load()
    preview = document_preview(loaded=document_load_path(path=PRE_REFORM))
    assert _units(preview)[:2] == [(["市环保局"], ["各县（市）区政府"]), (["市卫计委"], ["市财政局"])]
    assert not [w for w in preview["warnings"] if "机构改革" in w]
    plan = document_save(loaded=document_load_path(path=PRE_REFORM)).plan
    leads = set(Assignment.objects.filter(item__plan=plan, role="lead").values_list("unit__name", flat=True))
    assert {"市环保局", "市卫计委", "市安全生产监管局"} <= leads


def test_it_changes_nothing_without_recorded_successions(personas: Personas):
    preview = document_preview(loaded=document_load_path(path=POST_REFORM))
    assert _units(preview)[1] == (["市卫计委"], ["市财政局"])
    assert not [w for w in preview["warnings"] if "机构改革" in w]
