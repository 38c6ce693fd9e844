from datetime import date
from pathlib import Path

import pytest

from tasks_app.parsing.metadata import (
    NOTICE,
    PLAN,
    classify_kind,
    jurisdiction_from_title,
    plan_period,
    read_metadata,
)
from tasks_app.parsing.types import ParseError

DOCUMENTS = Path(__file__).resolve().parents[2] / "fixtures" / "documents"


def seed(prefix: str):
    (path,) = DOCUMENTS.glob(f"{prefix}_*.txt")
    return read_metadata(path.read_text(encoding="utf-8").splitlines(), filename=path.name)


def test_it_reads_the_yingkou_notice():
    meta = seed("002")
    assert meta.title == "关于落实《营口市国民经济和社会发展第十三个五年规划纲要》主要目标和任务工作分工的通知"
    assert meta.title_lines == (3, 5)
    assert meta.kind == NOTICE
    assert (meta.jurisdiction, meta.parent_jurisdiction) == ("营口市", None)
    assert (meta.period_start, meta.period_end) == (2016, 2020)
    assert meta.doc_number == "营政发〔2016〕45号"
    assert meta.issuer == "营口市人民政府"
    assert meta.issued == date(2016, 12, 31)


def test_it_skips_web_page_noise_in_the_zhanqian_plan():
    meta = seed("000")
    assert meta.title == "站前区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert meta.kind == PLAN
    assert (meta.jurisdiction, meta.parent_jurisdiction) == ("站前区", "营口市")
    assert (meta.period_start, meta.period_end) == (2021, 2025)
    assert meta.issued == date(2025, 2, 25)
    assert meta.doc_number == ""


def test_it_reads_the_linghe_plan():
    meta = seed("001")
    assert meta.title == "锦州市凌河区国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
    assert (meta.kind, meta.jurisdiction, meta.parent_jurisdiction) == (PLAN, "凌河区", "锦州市")
    assert (meta.period_start, meta.period_end) == (2021, 2025)


def test_it_reads_the_huanggu_plan_from_its_site_header():
    meta = seed("003")
    assert meta.title == "沈阳市皇姑区国民经济和社会发展十四五规划"
    assert (meta.kind, meta.jurisdiction, meta.parent_jurisdiction) == (PLAN, "皇姑区", "沈阳市")
    assert (meta.period_start, meta.period_end) == (2021, 2025)


def test_it_joins_the_wrapped_huludao_title():
    meta = seed("004")
    assert meta.title == "葫芦岛市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    assert meta.title_lines == (1, 3)
    assert (meta.kind, meta.jurisdiction, meta.parent_jurisdiction) == (PLAN, "葫芦岛市", None)
    assert (meta.period_start, meta.period_end) == (2021, 2025)


def test_it_prefers_an_explicit_year_range_to_the_plan_number():
    assert plan_period("某市“十三五”规划纲要(2016—2020年)") == (2016, 2020)
    assert plan_period("第十三个五年规划(2017-2021年)") == (2017, 2021)
    assert plan_period("第十四个五年规划") == (2021, 2025)
    assert plan_period("“十五五”规划") == (2026, 2030)
    assert plan_period("没有规划期") is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("营口市国民经济和社会发展第十三个五年规划纲要", ("营口市", None)),
        ("站前区国民经济和社会发展第十四个五年规划", ("站前区", None)),
        ("锦州市凌河区“十四五”规划", ("凌河区", "锦州市")),
        ("关于印发《沈阳市皇姑区经济社会发展第十四个五年规划》的通知", ("皇姑区", "沈阳市")),
        ("重点任务分工方案", ("", None)),
    ],
)
def test_it_reads_the_jurisdiction_from_the_title(title, expected):
    assert jurisdiction_from_title(title) == expected


def test_it_reads_a_parent_city_written_in_brackets():
    lines = ["站前区国民经济和社会发展第十四个五年规划纲要", "", "站前区(营口市)是中心城区。"]
    assert read_metadata(lines).parent_jurisdiction == "营口市"


def test_it_classifies_notices_and_plans():
    assert classify_kind("营口市“十四五”规划重点任务分工方案") == NOTICE
    assert classify_kind("关于印发某规划纲要责任分解的通知") == NOTICE
    assert classify_kind("某市国民经济和社会发展第十四个五年规划纲要") == PLAN


def test_it_reads_other_number_brackets_and_dates():
    lines = [
        "发布时间:2021-03-05",
        "营口市人民政府办公室关于印发营口市国民经济和社会发展",
        "第十四个五年规划纲要任务分工方案的通知",
        "营政办发[2021]7号",
    ]
    meta = read_metadata(lines)
    assert meta.title == ("营口市人民政府办公室关于印发营口市国民经济和社会发展第十四个五年规划纲要任务分工方案的通知")
    assert meta.jurisdiction == "营口市"
    assert meta.doc_number == "营政办发[2021]7号"
    assert meta.issuer == "营口市人民政府办公室"
    assert meta.issued == date(2021, 3, 5)
    assert meta.kind == NOTICE


def test_it_reads_full_width_number_brackets():
    lines = ["某市“十四五”规划纲要分工方案", "某政发\uff082021\uff0912号"]
    assert read_metadata(lines).doc_number == "某政发(2021)12号"


def test_it_refuses_a_text_without_title():
    with pytest.raises(ParseError, match="title"):
        read_metadata(["这是一段正文,没有标题。", "第二段正文。"], filename="x.txt")


def test_it_refuses_a_text_without_plan_period():
    with pytest.raises(ParseError, match="period"):
        read_metadata(["某市城市总体规划", "正文没有年份。"])


@pytest.mark.parametrize(
    ("title", "period", "jurisdiction"),
    [
        ("营口市2018年优化营商环境重点工作任务分工", (2018, 2018), "营口市"),
        ("站前区2022年政府工作报告重点工作任务分工", (2022, 2022), "站前区"),
        ("营口市推进数字经济发展三年行动方案(2021—2023年)任务分工", (2021, 2023), "营口市"),
        ("营口市2021—2023年生态环境保护重点任务分工表", (2021, 2023), "营口市"),
    ],
)
def test_it_takes_a_yearly_or_multi_year_period_from_the_title(title, period, jurisdiction):
    meta = read_metadata([title, "一、重点任务", "1.建设智慧停车场。(市公安局牵头)"])
    assert (meta.period_start, meta.period_end) == period
    assert meta.jurisdiction == jurisdiction and meta.kind == NOTICE


def test_it_does_not_take_the_signing_date_for_the_plan_year():
    lines = ["营口市优化营商环境重点工作任务分工", "1.建设智慧停车场。(市公安局牵头)", "2019年3月1日"]
    with pytest.raises(ParseError, match="规划期"):
        read_metadata(lines)


def test_it_reads_the_year_inside_a_title_after_the_issuer_and_number_lines():
    lines = [
        "营口市人民政府办公室",
        "营政办发〔2018〕12号",
        "营口市人民政府办公室关于印发营口市2018年优化营商环境重点工作任务分工的通知",
    ]
    meta = read_metadata(lines)
    assert meta.title == lines[2] and meta.doc_number == "营政办发〔2018〕12号"
    assert (meta.period_start, meta.period_end) == (2018, 2018)
