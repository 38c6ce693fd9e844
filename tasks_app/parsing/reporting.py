"""The yearly reporting rule of a division notice.

002 (四、工作要求) says "各地区、各部门要按照目标任务分工,在每年2月中旬前将《纲要》主要目标和
任务完成情况报送市发展改革委汇总后上报市政府": units report every year by 15 February to the
planning office. Other notices write "每年1月10日前将上年度任务落实情况报送市发改委" or
"每年年底前…报…". Half-yearly or quarterly rules ("每半年", "每季度") are not yearly: ignored.
"""

from __future__ import annotations

import calendar
import re

from .deadlines import cn_number, half_width
from .types import ReportingRule

# "每年2月中旬前", "每年1月10日前", "每年二月底前", "每年年底前"
_WHEN = re.compile(
    r"每年(?:的)?\s*(?:"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?\s*"
    r"(?:(?P<d>\d{1,2})\s*[日号]|(?P<part>上旬|中旬|下旬|底|末))?"
    r"|(?P<yend>年底|年末|底|末)"
    r")\s*(?:前|以前|之前)?"
)

# The verb that introduces the recipient; "报告" is a noun (the report), not "report to".
_VERB = re.compile(r"(?:报送至?|上报至?|报给|提交至?|提交给|送交|报至|报(?!告|表))")

# Words that end the recipient: "报送市发展改革委汇总后上报市政府" → "市发展改革委".
_STOP = re.compile(r"汇总|审核|审定|备案|统一|并|后|进行|以便|作为|由|[,。;:、()\s]")

# A unit name ends with one of these: the recipient is the longest such prefix.
_UNIT_END = re.compile(
    r"^.*(?:委员会|领导小组办公室|领导小组|办公室|人民政府|政府|委|局|办|厅|部|室|中心|处|院|署|组|会|所|站)"
)

_PREVIOUS_YEAR = re.compile(r"上年度|上一年|上年")
_SENTENCE_END = re.compile(r"(?<=[。;!])")


def _day_of(match: re.Match[str]) -> tuple[int, int] | None:
    if match.group("yend"):
        return 12, 31
    month = cn_number(match.group("m"))
    if month is None or not 1 <= month <= 12:
        return None
    if match.group("d"):
        day = int(match.group("d"))
    else:
        part = match.group("part")
        # February has 28 days in a rule that repeats every year.
        last = 28 if month == 2 else calendar.monthrange(2001, month)[1]
        day = {"上旬": 10, "中旬": 15}.get(part or "", last)
    if not 1 <= day <= (29 if month == 2 else calendar.monthrange(2001, month)[1]):
        return None
    return month, day


def _recipient(after: str) -> str | None:
    verb = _VERB.search(after)
    if verb is None:
        return None
    rest = after[verb.end() :].lstrip(" \t\u3000给到至")
    stop = _STOP.search(rest)
    candidate = rest[: stop.start()] if stop else rest
    candidate = candidate.strip().rstrip("。.")
    unit = _UNIT_END.match(candidate)
    name = unit.group(0) if unit else candidate
    return name or None


def find_reporting_rule(lines: list[str]) -> ReportingRule | None:
    """The first sentence that sets a yearly reporting date; None when the text has none."""
    for number, raw in enumerate(lines, start=1):
        if "每年" not in raw:
            continue
        line = half_width(raw)
        start = 0
        for sentence in _SENTENCE_END.split(line):
            begin, start = start, start + len(sentence)
            match = _WHEN.search(sentence)
            if match is None:
                continue
            after = sentence[match.end() :]
            if not _VERB.search(after):
                # "每年2月举办…" sets a date but nobody reports anything.
                continue
            when = _day_of(match)
            if when is None:
                continue
            return ReportingRule(
                month=when[0],
                day=when[1],
                recipient=_recipient(after),
                previous_year=bool(_PREVIOUS_YEAR.search(sentence)),
                text=raw[begin:start].strip(),
                source_line=number,
            )
    return None
