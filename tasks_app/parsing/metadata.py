"""Document metadata: title, kind, number, issuer, date, jurisdiction and plan period.

Seed files come from web pages, so the top lines may carry site noise ("当前位置:首页 > 政务公开",
"【字号:", "分享:", "(辽宁省)…(2022年更新)") and the real title may be wrapped over several
lines ("关于落实《营口市国民经济和 / 社会发展第十三个五年规划纲要》/ 主要目标和任务工作分工的通知").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from .deadlines import cn_number, five_year_plan_years, half_width
from .types import ParseError

NOTICE = "notice"
PLAN = "plan"

HEAD_LINES = 60  # the title, number and date sit in the first lines of every document
MAX_TITLE_PIECE = 40  # a longer line is body text, not (part of) a title


@dataclass
class Metadata:
    title: str
    kind: str  # NOTICE or PLAN
    jurisdiction: str  # e.g. "营口市", "站前区"; "" when the title does not say
    parent_jurisdiction: str | None  # e.g. "锦州市" for 凌河区
    period_start: int
    period_end: int
    doc_number: str = ""  # 营政发〔2016〕45号
    issuer: str = ""  # 营口市人民政府
    issued: date | None = None
    title_lines: tuple[int, int] = (0, 0)  # 1-based inclusive lines the title was read from


# Web-page furniture: a label with a colon, breadcrumbs, bracketed buttons, table pipes.
_NOISE = re.compile(r"[::>|【】\[\]]|当前位置|首页|字号|分享|收藏|打印|浏览|详情")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[((][一二三四五六七八九十]+[))]|第.{1,4}[章节篇]|\d+[.、.])")
_SENTENCE = re.compile(r"[。,,;;!!??]")
# "(辽宁省)" before and "(2022年更新)" after a title are aggregator-site additions.
_SITE_PREFIX = re.compile(r"^[((][^()()]{2,6}[省区][))]")
_SITE_SUFFIX = re.compile(r"[((]\d{4}年?(?:更新|修订|修订版|版)[))]$")
_PERIOD_SUFFIX = re.compile(r"[((]\s*\d{4}\s*(?:年\s*)?[—–\-~～至到]{1,2}\s*\d{4}\s*年?\s*[))]$")
# Names of the parts of a document: they stand alone on a line, just like a title does.
_PART_NAMES = {"前言", "目录", "序言", "引言", "导言", "摘要", "正文", "附件", "附表", "说明", "结束语"}
_STRONG_END = ("纲要", "通知", "方案", "意见", "决定", "分工表", "分解表", "任务分解", "任务分工", "实施计划")
_WEAK_END = ("规划", "计划")
_TITLE_WORDS = re.compile(r"规划|纲要|通知|方案|分工|分解|计划")
_NOTICE_WORDS = re.compile(r"分工|通知|方案|责任分解|任务分解|分解表|意见")

_DOC_NUMBER = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,10}?)\s*[〔\[(【]\s*(?P<year>\d{4})\s*[〕\])】]\s*(?P<no>\d{1,4})\s*号"
)
_DATE_LABEL = re.compile(r"(?:发布时间|发布日期|成文日期|印发日期|时间|日期|发表于|发布于)\s*[::]?\s*")
_DATE = re.compile(
    r"(?P<y>\d{4})\s*(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日"
    r"|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2}))"
)

_RANGE = re.compile(r"(?<!\d)(?P<a>\d{4})\s*(?:年\s*)?[—–\-~～至到]{1,2}\s*(?P<b>\d{4})\s*年")
_PLAN_SHORT = re.compile(r"十(?P<n>[一二三四五六七八九])五")
_PLAN_LONG = re.compile(r"第(?P<n>[一二三四五六七八九十]{1,3})个五年")

# Where the place name ends in a title: "营口市国民经济和社会发展…", "站前区“十四五”规划".
_PLACE_END = re.compile(
    r"国民经济|经济和社会发展|经济社会发展|第[一二三四五六七八九十]+个五年|[“\"]?十[一二三四五六七八九]五"
    r"|\d{4}\s*年|政府工作报告"
)
# A yearly work division names its year: "营口市2018年优化营商环境重点工作任务分工".
_TITLE_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年(?!\s*\d{1,2}\s*月)")
_PLACE = re.compile(
    r"^(?P<prov>[\u4e00-\u9fff]{2,3}?省)?(?P<city>[\u4e00-\u9fff]{2,4}?市)?"
    r"(?P<dist>[\u4e00-\u9fff]{2,8}?(?:区|县|旗))?$"
)
_CITY_MENTION = re.compile(r"(?=([\u4e00-\u9fff]{2,3})市)")
# Stems that end in these characters are words (全市, 城市, 我市, 县市), not place names.
_NOT_CITY_STEM = set("全城我本都省县各该大超集门上下在市区到为及与和")


def _clean(line: str) -> str:
    return half_width(line).replace("\xa0", " ").strip()


def _strip_site_marks(text: str) -> str:
    text = _SITE_PREFIX.sub("", text)
    return _SITE_SUFFIX.sub("", text).strip()


def _is_title_piece(text: str) -> bool:
    return (
        0 < len(text) <= MAX_TITLE_PIECE
        and text.replace(" ", "") not in _PART_NAMES
        and not _NOISE.search(text)
        and not _SENTENCE.search(text)
        and not _HEADING.match(text)
        and not _DATE.search(text)
        and not _DOC_NUMBER.search(text)
    )


def _title_end(text: str) -> str | None:
    """ "strong"/"weak" when ``text`` reads as a finished title, else None."""
    if text.count("《") != text.count("》"):
        return None
    core = _PERIOD_SUFFIX.sub("", text).rstrip()
    if core.endswith(_STRONG_END):
        return "strong"
    if core.endswith(_WEAK_END):
        return "weak"
    return None


def _find_title(lines: list[str]) -> tuple[str, tuple[int, int]]:
    head = [_strip_site_marks(_clean(line)) for line in lines[:HEAD_LINES]]
    weak: tuple[str, tuple[int, int]] | None = None
    i = 0
    while i < len(head):
        if not _is_title_piece(head[i]):
            i += 1
            continue
        pieces, last = [head[i]], i
        while _title_end("".join(pieces)) is None and len(pieces) < 5:
            nxt = last + 1
            if nxt < len(head) and not head[nxt]:
                nxt += 1  # one blank line may separate the parts of a wrapped title
            if nxt >= len(head) or not _is_title_piece(head[nxt]):
                break
            pieces.append(head[nxt])
            last = nxt
        joined = "".join(pieces).replace(" ", "")
        strength = _title_end(joined) if _TITLE_WORDS.search(joined) else None
        if strength == "strong":
            return joined, (i + 1, last + 1)
        if strength == "weak" and weak is None:
            weak = (joined, (i + 1, last + 1))
        i = last + 1
    if weak is not None:
        return weak
    raise ParseError("找不到文件标题(前60行中没有规划/纲要/通知/方案标题) / no document title found")


def classify_kind(title: str, text: str = "") -> str:
    """NOTICE for a division notice (分工/通知/方案/责任分解), PLAN for the 规划纲要 itself."""
    if _NOTICE_WORDS.search(title):
        return NOTICE
    if re.search(r"规划|纲要", title):
        return PLAN
    return NOTICE if re.search(r"牵头单位|责任单位|任务分工", text) else PLAN


def _place_part(title: str) -> str:
    # "营口市人民政府关于印发《营口市…》的通知": the place is the one the plan is about.
    about = re.search(r"关于(?:印发|落实|贯彻落实|做好|下达)?", title)
    end = _PLACE_END.search(title)
    core = title[about.end() :] if about and end and about.start() < end.start() else title
    core = core.lstrip('《“"')
    end = _PLACE_END.search(core)
    return core[: end.start()] if end else ""


# Titles of action plans name the place and go straight on: "营口市推进数字经济发展三年行动方案".
_LEADING_PLACE = re.compile(
    r"^(?:关于(?:印发|落实|贯彻落实|做好|下达)?)?[《“\"]?(?P<place>(?:[\u4e00-\u9fff]{2,3}省)?(?:[\u4e00-\u9fff]{2,3}市)?"
    r"(?:[\u4e00-\u9fff]{2,4}?[区县旗])?)(?=[\u4e00-\u9fff\d])"
)
_NOT_PLACE_AFTER = ("人民政府", "政府", "委员会", "办公室")


def jurisdiction_from_title(title: str) -> tuple[str, str | None]:
    """("站前区", None), ("凌河区", "锦州市"), ("营口市", None) — ("", None) when the title is silent."""
    title = _strip_site_marks(title)
    part = _place_part(title)
    match = _PLACE.match(part) if part else None
    if not match or not any(match.groupdict().values()):
        about = re.search(r"关于(?:印发|落实|贯彻落实|做好|下达)?", title)
        core = title[about.start() :] if about else title
        lead = _LEADING_PLACE.match(core)
        place = lead.group("place") if lead else ""
        if lead and place and not core[lead.end() :].startswith(_NOT_PLACE_AFTER):
            part = place
            match = _PLACE.match(part)
    if not match or not any(match.groupdict().values()):
        return "", None
    prov, city, dist = match.group("prov"), match.group("city"), match.group("dist")
    if dist:
        return dist, city
    if city:
        return city, prov
    return prov or "", None


def _parent_from_text(district: str, text: str) -> str | None:
    explicit = re.search(
        rf"([\u4e00-\u9fff]{{2,4}}市){re.escape(district)}|{re.escape(district)}[((]([\u4e00-\u9fff]{{2,4}}市)[))]",
        text,
    )
    if explicit:
        return explicit.group(1) or explicit.group(2)
    # Otherwise the city the district's plan keeps naming ("是营口市实现全面振兴的攻坚期").
    counts: Counter[str] = Counter()
    for m in _CITY_MENTION.finditer(text):
        stem = m.group(1)
        if stem[-1] in _NOT_CITY_STEM or stem[0] in "全城我本":
            continue
        counts[stem[-2:]] += 1  # count the two-character stem once per mention
        if len(stem) == 3:
            counts[stem] += 1
    if not counts:
        return None
    # A three-character name (葫芦岛) ties with its two-character tail (芦岛): prefer the longer.
    best = max(counts.items(), key=lambda kv: (kv[1], len(kv[0])))
    return best[0] + "市" if best[1] >= 3 else None


def plan_period(text: str) -> tuple[int, int] | None:
    """(start, end) from "2016—2020年" (wins), then "第十三个五年" / "十三五"; None when silent."""
    for m in _RANGE.finditer(text):
        start, end = int(m.group("a")), int(m.group("b"))
        if 1950 <= start < end <= start + 10:
            return start, end
    numbers = [cn_number("十" + m.group("n")) for m in _PLAN_SHORT.finditer(text)]
    numbers += [cn_number(m.group("n")) for m in _PLAN_LONG.finditer(text)]
    named = [n for n in numbers if n]
    if not named:
        return None
    # The plan a document is about is the one it names most; ties go to the newest plan.
    number = max(Counter(named).items(), key=lambda kv: (kv[1], kv[0]))[0]
    return five_year_plan_years(number)


def title_year(title: str) -> tuple[int, int] | None:
    """(Y, Y) when the title names exactly one year, as yearly work divisions do; else None."""
    years = {int(year) for year in _TITLE_YEAR.findall(title)}
    if len(years) == 1:
        year = years.pop()
        return (year, year) if 1950 <= year <= 2100 else None
    return None


def find_period(title: str, lines: list[str]) -> tuple[int, int]:
    """The plan period: a range or five-year plan in the title, then the title's own year (a yearly
    division), then a range or plan named in the head of the text, then anywhere in it."""
    found = (
        plan_period(title)
        or title_year(title)
        or plan_period("\n".join(lines[:HEAD_LINES]))
        or plan_period("\n".join(lines))
    )
    if found is None:
        raise ParseError("找不到规划期(如“十四五”或2016—2020年) / no plan period found")
    return found


def _find_issued(lines: list[str]) -> date | None:
    for line in lines[:HEAD_LINES]:
        label = _DATE_LABEL.search(line)
        if label:
            found = _parse_date(line[label.end() :])
            if found:
                return found
    # A signed notice ends with its date on a line of its own.
    for line in reversed(lines[-15:]):
        text = _clean(line)
        m = _DATE.fullmatch(text)
        if m:
            return _parse_date(text)
    return None


def _parse_date(text: str) -> date | None:
    m = _DATE.search(text)
    if not m:
        return None
    month, day = m.group("m1") or m.group("m2"), m.group("d1") or m.group("d2")
    try:
        return date(int(m.group("y")), int(month), int(day))
    except ValueError:
        return None


def _issuer_from_number(prefix: str, jurisdiction: str, parent: str | None) -> str:
    """营政发 → 营口市人民政府; 营政办发 → 营口市人民政府办公室; otherwise ""."""
    for tail, body in (("政办发", "人民政府办公室"), ("政办", "人民政府办公室"), ("政发", "人民政府")):
        if prefix.endswith(tail) and len(prefix) > len(tail):
            abbreviation = prefix[: -len(tail)]
            for place in (jurisdiction, parent or ""):
                if place and place.startswith(abbreviation):
                    return place + body
    return ""


def read_metadata(lines: list[str], *, filename: str = "", title: str | None = None) -> Metadata:
    """Read the head of a document; raise ParseError when it has no title or no plan period.

    ``title`` is given when the container names it (an HTML page's article title, a sheet's title row).
    """
    title_lines = (0, 0)
    try:
        if title is None:
            title, title_lines = _find_title(lines)
    except ParseError as error:
        raise ParseError(f"{filename}: {error}" if filename else str(error)) from None
    text = "\n".join(lines)
    jurisdiction, parent = jurisdiction_from_title(title)
    if jurisdiction.endswith(("区", "县", "旗")) and parent is None:
        parent = _parent_from_text(jurisdiction, text)
    try:
        start, end = find_period(title, lines)
    except ParseError as error:
        raise ParseError(f"{filename}: {error}" if filename else str(error)) from None
    doc_number, issuer = "", ""
    head = "\n".join(_clean(line) for line in lines[:HEAD_LINES])
    number = _DOC_NUMBER.search(head)
    if number:
        doc_number = number.group(0).replace(" ", "")
        issuer = _issuer_from_number(number.group("prefix"), jurisdiction, parent)
    return Metadata(
        title=title,
        kind=classify_kind(title, head),
        jurisdiction=jurisdiction,
        parent_jurisdiction=parent,
        period_start=start,
        period_end=end,
        doc_number=doc_number,
        issuer=issuer,
        issued=_find_issued(lines),
        title_lines=title_lines,
    )
