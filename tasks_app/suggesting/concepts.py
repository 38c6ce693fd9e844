"""Unit names across jurisdiction levels, and what each kind of department does.

Pure Python, no Django. Two deterministic steps, no fuzzy matching:

1. ``concept_key``: strip the level prefix from a canonical unit name, so that a city's and a
   district's department with the same name meet: 市科技局 → 科技局, 站前区商务局 → 商务局,
   市委宣传部 → 宣传部, 市政府金融办 → 金融办. The key is what the suggester learns and predicts.
2. ``FUNCTIONS``: a short table of government functions (发展改革, 教育, 卫生健康…), each with the
   name fragments that mark a unit as doing it and the words that mark an item as belonging to it.
   Names changed in the 2018 reform (市卫计委 → 卫健局, 市环保局 → 生态环境局, 市工商局 → 市场局) and
   merged bureaus (站前区 教文旅局 = 教育 + 文化 + 旅游) share a function, so a key learnt from one
   level can be mapped onto the unit of another level that does the same job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_LEVEL_CHARACTERS = "省市区县旗"
# After the level character: 委 of the party committee (市委宣传部), 政府 of the government (市政府金融办).
_OFFICE_OF = re.compile(r"^(?:委(?=[^员])|政府(?!办公室)(?=.{2,}))")


@dataclass(frozen=True)
class Function:
    """One government function: name fragments of the units doing it, and item words about it."""

    label: str
    names: str  # regular expression over a concept key
    words: tuple[str, ...]


FUNCTIONS: tuple[Function, ...] = (
    Function(
        "发展改革",
        r"发改|发展改革|发展和改革|粮食和物资储备|粮食局",
        (
            "规划",
            "重大项目",
            "投资",
            "服务业",
            "价格",
            "节能",
            "能源",
            "物流",
            "区域",
            "经济运行",
            "供给侧",
            "开放合作",
        ),
    ),
    Function(
        "工业信息化",
        r"工信|工业和信息化|工业信息化|工业和科技|经信|经济和信息化",
        (
            "工业",
            "制造",
            "装备",
            "信息化",
            "产业集群",
            "智能制造",
            "数字经济",
            "两化融合",
            "中小企业",
            "新材料",
            "技术改造",
        ),
    ),
    Function(
        "住房城乡建设",
        r"住建|住房|城乡建设|建设委",
        (
            "住房",
            "棚户区",
            "老旧小区",
            "建筑",
            "房地产",
            "保障性",
            "城市建设",
            "市政",
            "海绵城市",
            "地下管廊",
            "管网",
            "城市更新",
        ),
    ),
    Function("交通", r"交通|机场办", ("交通", "公路", "铁路", "机场", "客运", "运输", "高速")),
    Function("商务", r"商务", ("商贸", "外贸", "电子商务", "电商", "进出口", "消费", "外资", "商业", "会展", "跨境")),
    Function(
        "农业农村",
        r"农委|农业|农村|农经|扶贫|乡村振兴",
        ("农业", "农村", "农民", "乡村", "脱贫", "扶贫", "种植", "畜牧", "粮食", "农产品", "美丽乡村"),
    ),
    Function("林业", r"林业|林草", ("林业", "造林", "森林", "绿化", "湿地")),
    Function(
        "生态环境",
        r"环保|环境保护|生态环境|生态局",
        ("污染", "环境质量", "排放", "大气", "水质", "减排", "环保", "生态环境", "固体废物", "环境治理"),
    ),
    Function("教育", r"教育|教文", ("教育", "学校", "学前", "教师", "高校", "学生", "义务教育", "职业教育")),
    Function(
        "文化体育",
        r"文体|文化|文广|教文旅|新广|体育",
        ("文化", "体育", "文物", "广播", "图书馆", "文艺", "健身", "非遗"),
    ),
    Function("旅游", r"旅游|文旅|教文旅", ("旅游", "景区", "度假", "游客", "民宿")),
    Function(
        "自然资源", r"国土|自然资源|不动产|规划局|测绘", ("土地", "耕地", "用地", "国土", "矿产", "不动产", "国土空间")
    ),
    Function("水利", r"水利|水务", ("水利", "水库", "防洪", "灌溉", "水资源", "河道", "河长")),
    Function("财政", r"财政", ("财政", "预算", "政府债务", "财税", "专项资金")),
    Function("统计", r"统计", ("统计",)),
    Function("公安", r"公安", ("治安", "警务", "公安", "犯罪", "交通管理")),
    Function("科技", r"科技|科学技术", ("科技", "创新", "研发", "孵化", "高新技术", "成果转化", "众创", "技术转移")),
    Function(
        "人力资源社会保障",
        r"人社|人力资源社会保障|人力资源和社会保障",
        ("就业", "社会保险", "养老保险", "创业", "工资", "劳动", "职业技能", "人力资源"),
    ),
    Function("人才", r"人才|组织部", ("人才", "干部", "党建", "基层党组织")),
    Function(
        "卫生健康", r"卫计|卫健|卫生", ("医疗", "医院", "卫生", "健康", "疾病", "计划生育", "医养", "公共卫生", "中医")
    ),
    Function(
        "市场监管",
        r"市场监|市场局|工商|食品药品|食药监|质量技术监督|质监|物价",
        ("市场监管", "食品安全", "药品", "产品质量", "质量强市", "商事", "标准化", "商标", "品牌", "知识产权"),
    ),
    Function("金融", r"金融", ("金融", "融资", "银行", "保险", "上市", "资本市场", "信贷")),
    Function("民政", r"民政", ("养老服务", "社区", "社会救助", "慈善", "殡葬", "社会组织", "低保", "婚姻")),
    Function(
        "营商政务",
        r"行政审批|营商|政务服务|数据局|数据管理|大数据",
        ("审批", "营商环境", "政务服务", "放管服", "一网通办", "便民"),
    ),
    Function("司法", r"司法|法制", ("法治", "普法", "法律", "依法行政", "公共法律服务")),
    Function("宣传", r"宣传", ("宣传", "精神文明", "文明城市", "核心价值观", "舆论", "新闻")),
    Function("政法", r"政法|综合治理|综治", ("平安", "社会治理", "维稳", "综治", "网格化")),
    Function("应急", r"应急|安全生产|安监|防汛", ("应急", "安全生产", "防灾", "减灾", "消防", "救援")),
    Function("国资", r"国资", ("国有企业", "国企", "国有资本", "混合所有制")),
    Function("编制", r"编委办|编办", ("机构改革", "事业单位", "编制")),
    Function("信访", r"信访", ("信访",)),
    Function("退役军人", r"退役军人|双拥", ("退役军人", "双拥", "优抚")),
    Function("残联", r"残联|残疾人", ("残疾人",)),
    Function("妇联", r"妇联|妇女", ("妇女", "儿童")),
    Function("城市管理", r"城管|城市管理|综合执法", ("市容", "环境卫生", "城市管理", "违建")),
    Function("公用事业", r"公用事业", ("供水", "供热", "燃气", "污水处理", "公交")),
    Function("海洋渔业", r"海洋|渔业", ("海洋", "渔业", "海域", "渔港")),
    Function("招商", r"招商", ("招商引资", "招商")),
    Function("供销", r"供销", ("供销",)),
    Function("科协", r"科协", ("科普", "科学素质")),
    Function("民族宗教", r"民委|民族|宗教", ("民族", "宗教")),
    Function("老龄", r"老龄", ("老龄", "老年人")),
    Function("征收", r"征收", ("征收", "拆迁", "搬迁")),
    # Units of the registry (fixtures/units.json) that no function above covers: central agencies and
    # departments with a published function of their own (通信管理办公室, 口岸管理局, 海关 …).
    Function("通信管理", r"通信", ("通信", "宽带", "电信")),
    Function("口岸", r"口岸", ("口岸",)),
    Function("邮政", r"邮政", ("邮政", "快递")),
    Function("气象", r"气象", ("气象",)),
    Function("地震", r"地震", ("地震",)),
    Function("档案", r"档案", ("档案馆",)),
    Function("税务", r"国税|地税|税务", ("税务", "纳税")),
    Function("外汇", r"外汇", ("外汇",)),
    Function("海关", r"海关|检验检疫", ("海关", "检验检疫")),
    Function("海事", r"海事", ("海事",)),
    Function("边检", r"边检|边防检查", ("边检",)),
    Function("法院", r"法院", ("审判",)),
    # Departments every city and county has, absent from the seed registry: 医疗保障局 (since the 2018
    # reform, medical insurance from 人社, pricing of medical services from 发改), 审计局, 人防办.
    Function("医疗保障", r"医保|医疗保障", ("医保", "医疗保险", "医疗保障")),
    Function("审计", r"审计", ("审计",)),
    Function("人防", r"人防|人民防空", ("人防",)),
    Function("下级政府", r"^各县（市）区政府$|^相关县（市）区政府$|^各街道|^各乡镇", ()),
)

_COMPILED = tuple((function, re.compile(function.names)) for function in FUNCTIONS)


def concept_key(*, name: str, jurisdiction: str = "") -> str:
    """A unit name without its level prefix: the key shared by the same department at every level.

    Strips the unit's own jurisdiction, written out (营口市财政局, 站前区商务局) or abbreviated to its
    last character (市 for 营口市, 区 for 站前区), together with 委 (市委宣传部 → 宣传部) or 政府
    (市政府金融办 → 金融办) when they only say whose office it is. Only the unit's own level is
    stripped, so 站前区's 市场局 stays 市场局; names without a prefix are their own key.
    """
    key = name
    if jurisdiction and key.startswith(jurisdiction) and len(key) > len(jurisdiction) + 1:
        key = key[len(jurisdiction) :]
        return key
    prefix = jurisdiction[-1:] if jurisdiction[-1:] in _LEVEL_CHARACTERS else ""
    if not prefix or not key.startswith(prefix):
        return key
    stripped = _OFFICE_OF.sub("", key[len(prefix) :])
    return stripped if len(stripped) >= 2 else key


# Joins a key to the one function an item of a multi-function unit is about: 教文旅局·旅游.
FUNCTION_MARK = "·"


def functions_of(*, key: str) -> tuple[str, ...]:
    """Labels of the functions a unit (by concept key) performs, in table order; a function key
    (``function_key_for``) performs its one function."""
    if FUNCTION_MARK in key:
        return (key.split(FUNCTION_MARK, 1)[1],)
    return tuple(function.label for function, pattern in _COMPILED if pattern.search(key))


def key_base(*, key: str) -> str:
    """The unit's own key of a function key (教文旅局·旅游 → 教文旅局); any other key is its own base."""
    return key.split(FUNCTION_MARK, 1)[0]


def function_key_for(*, key: str, text: str) -> str:
    """What a unit doing several functions did on one item: 站前区's 教文旅局 on a tourism item is
    ``教文旅局·旅游``, so another jurisdiction learns it for the unit doing tourism there, not for whichever
    of its education, culture or tourism units comes first. The function is the one whose words
    (``function_words``) occur most in ``text``; with no word, or a tie, the key stays the unit's own."""
    labels = functions_of(key=key)
    if len(labels) < 2 or "@" in key:
        return key
    hits = {label: sum(1 for word in function_words(labels=[label]) if word in text) for label in labels}
    best = max(hits.values())
    winners = [label for label, count in hits.items() if count == best]
    return f"{key}{FUNCTION_MARK}{winners[0]}" if best and len(winners) == 1 else key


KEYWORDS_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "function_keywords.json"


@lru_cache(maxsize=1)
def keyword_table() -> dict[str, tuple[str, ...]]:
    """Function label → further item keywords, checked into fixtures/function_keywords.json."""
    data = json.loads(KEYWORDS_FIXTURE.read_text(encoding="utf-8"))
    return {label: tuple(words) for label, words in data.get("keywords", {}).items()}


def function_words(*, labels: Iterable[str]) -> tuple[str, ...]:
    """The item words of the given functions (the registry's knowledge of what the unit does): the words
    of ``FUNCTIONS`` and of the keyword table."""
    wanted = set(labels)
    words: list[str] = []
    extra = keyword_table()
    for function in FUNCTIONS:
        if function.label in wanted:
            words.extend(word for word in (*function.words, *extra.get(function.label, ())) if word not in words)
    return tuple(words)


def level_prefix(*, level: str) -> str:
    """How units of a level are written by convention: 市发展改革委 in a city, 商务局 in a district."""
    return {"province": "省", "city": "市"}.get(level, "")


def lower_governments_name(*, level: str) -> str:
    """The group of subordinate governments of a level: 各县(市)区政府 for a city, 各街道办事处 below."""
    return "各县（市）区政府" if level in ("province", "city") else "各街道办事处"
