"""The reporting rule of a division notice: how often units report, by which day, to whom.

002 (四、工作要求) says "各地区、各部门要按照目标任务分工,在每年2月中旬前将《纲要》主要目标和
任务完成情况报送市发展改革委汇总后上报市政府": units report every year by 15 February to the
planning office. Other notices write "每年1月10日前将上年度任务落实情况报送市发改委",
"每季度最后一个月25日前报送", "每月25日前报送", or "于7月5日前和次年1月10日前分别报送半年和全年".
The finest cadence a document sets wins; the yearly date (month/day) is kept beside it when stated.
Due dates are kept as ``DuePoint`` offsets from each period's first month, and ``period_due_date``
is the one function that turns them into a date.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from .deadlines import cn_number, half_width
from .types import HALF_YEARLY, MONTHLY, QUARTERLY, YEARLY, DuePoint, ReportingRule

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

_UNIT_START = re.compile(r"^(?:[\u4e00-\u9fff]{0,4}?[省市区县]|各|有关)")
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


def _candidate(rest: str) -> str:
    rest = rest.lstrip(" \t\u3000给到至")
    stop = _STOP.search(rest)
    candidate = (rest[: stop.start()] if stop else rest).strip().rstrip("。.")
    unit = _UNIT_END.match(candidate)
    return unit.group(0) if unit else candidate


def _recipient(after: str) -> str | None:
    """The unit reports go to: after the verb ("报送市发改委"), or after 至 when the verb is followed by
    what is reported ("报送当月工作进展情况至市政府督查室")."""
    verb = _VERB.search(after)
    if verb is None:
        return None
    first = _candidate(after[verb.end() :])
    if _UNIT_START.match(first) and _UNIT_END.match(first):
        return first
    for target in re.finditer(r"至|报给|送交|交由|" + _VERB.pattern, after[verb.end() :]):
        name = _candidate(after[verb.end() + target.end() :])
        if _UNIT_START.match(name) and _UNIT_END.match(name):
            return name
    return first or None


_DAY = r"(?P<d>\d{1,2})\s*[日号]"
_QUARTERLY = re.compile(r"每(?:个)?季度|按季度?|季度报送|每季")
_MONTHLY = re.compile(r"每(?:个)?月(?!份)|按月")
_HALF = re.compile(r"每半年|半年度?|上半年")
_QUARTER_DUE = (
    # (pattern, month offset from the quarter's first month); "最后一个月25日前" → the quarter's third month
    (re.compile(r"(?:最后一个月|末月|第三个月)\s*" + _DAY), 2),
    (re.compile(r"(?:季度?结束后|季后|次月|下季度第一个月|第一个月)\s*" + _DAY), 3),
    (re.compile(r"季度?末|季度?底"), 2),
)
_MONTH_DUE = (
    (re.compile(r"(?:次月|下月|下一个月)\s*" + _DAY), 1),
    (re.compile(r"每(?:个)?月\s*" + _DAY), 0),
    (re.compile(r"每(?:个)?月(?:底|末)"), 0),
)
_DATED = re.compile(
    r"(?P<next>次年|下一年|翌年)?\s*(?P<m>\d{1,2})\s*月\s*(?:" + _DAY + r"|(?P<part>上旬|中旬|下旬|底|末))"
)
_FINENESS = {YEARLY: 0, HALF_YEARLY: 1, QUARTERLY: 2, MONTHLY: 3}


def _sentences(lines: list[str]):
    for number, raw in enumerate(lines, start=1):
        if not re.search(r"每|半年|季度|按月", raw):
            continue
        line = half_width(raw)
        start = 0
        for sentence in _SENTENCE_END.split(line):
            begin, start = start, start + len(sentence)
            if sentence.strip() and _VERB.search(sentence):
                yield number, sentence, raw[begin:start].strip()


def _month_day(match: re.Match[str]) -> tuple[int, int] | None:
    month = int(match.group("m"))
    if not 1 <= month <= 12:
        return None
    last = 28 if month == 2 else calendar.monthrange(2001, month)[1]
    if match.group("d"):
        day = int(match.group("d"))
        return (month, day) if 1 <= day <= last else None
    return month, {"上旬": 10, "中旬": 15}.get(match.group("part") or "", last)


def _yearly_offset(month: int, previous_year: bool) -> int:
    """BRIEF §4: the report on year Y is due in Y+1 for 上年度 rules or days in the first half-year."""
    return month - 1 + (12 if previous_year or month <= 6 else 0)


def _cadence_rule(sentence: str) -> tuple[str, list[DuePoint], tuple[int, int] | None, int | None] | None:
    """(frequency, due points, yearly month/day) of a sentence that sets a sub-yearly cadence."""
    if _MONTHLY.search(sentence) and not _QUARTERLY.search(sentence):
        for pattern, offset in _MONTH_DUE:
            match = pattern.search(sentence)
            if match:
                day = int(match.group("d")) if "d" in pattern.groupindex else 0
                if "上月" in sentence and offset == 0 and day:
                    offset = 1  # "每月5日前报送上月…": the report on a month is due in the next one
                return MONTHLY, [DuePoint(offset, day)], None, day or None
        # No day written: the 10th of the next month until the office sets another.
        return MONTHLY, [DuePoint(1, 10)], None, None
    if _QUARTERLY.search(sentence):
        for pattern, offset in _QUARTER_DUE:
            match = pattern.search(sentence)
            if match:
                day = int(match.group("d")) if "d" in pattern.groupindex else 0
                return QUARTERLY, [DuePoint(offset, day)], None, day or None
        return QUARTERLY, [DuePoint(3, 10)], None, None
    if _HALF.search(sentence):
        dates = [(m, when) for m in _DATED.finditer(sentence) if (when := _month_day(m))]
        if len(dates) >= 2:
            (_, (m1, d1)), (second, (m2, d2)) = dates[0], dates[1]
            next_year = bool(second.group("next")) or m2 <= 6
            # H1 starts in January, H2 in July; the second date is also the full-year report's day.
            points = [DuePoint(m1 - 1, d1, "H1"), DuePoint(m2 - 7 + (12 if next_year else 0), d2, "H2")]
            return HALF_YEARLY, points, (m2, d2), d2
        match = re.search(r"(?:半年结束后|次月)\s*" + _DAY, sentence)
        stated = int(match.group("d")) if match else None
        return HALF_YEARLY, [DuePoint(6, stated or 10)], None, stated
    return None


def find_reporting_rule(lines: list[str]) -> ReportingRule | None:
    """The reporting rule the document sets; None when the text has none."""
    yearly: ReportingRule | None = None
    finest: ReportingRule | None = None
    for number, sentence, raw in _sentences(lines):
        cadence = _cadence_rule(sentence)
        when_match = _WHEN.search(sentence)
        if cadence is None:
            if when_match is None or not _VERB.search(sentence[when_match.end() :]):
                # "每年2月举办…" sets a date but nobody reports anything.
                continue
            when = _day_of(when_match)
            if when is None or yearly is not None:
                continue
            previous = bool(_PREVIOUS_YEAR.search(sentence))
            yearly = ReportingRule(
                month=when[0],
                day=when[1],
                recipient=_recipient(sentence[when_match.end() :]),
                previous_year=previous,
                text=raw,
                source_line=number,
                frequency=YEARLY,
                due=[DuePoint(_yearly_offset(when[0], previous), when[1] if when != (12, 31) else 0)],
            )
            continue
        frequency, points, full_year, stated_day = cadence
        if finest is not None and _FINENESS[finest.frequency] >= _FINENESS[frequency]:
            continue
        finest = ReportingRule(
            month=full_year[0] if full_year else None,
            day=stated_day,
            recipient=_recipient(sentence),
            previous_year=bool(full_year),
            text=raw,
            source_line=number,
            frequency=frequency,
            due=points,
        )
    if finest is None:
        return yearly
    if yearly is not None:
        # The yearly date stays the plan's yearly cycle day; the finer cadence decides the periods.
        finest.month, finest.previous_year = yearly.month, yearly.previous_year
        if finest.frequency != HALF_YEARLY or finest.day is None:
            finest.day = yearly.day
        finest.recipient = finest.recipient or yearly.recipient
    return finest


def period_labels(frequency: str, year: int) -> list[str]:
    """Labels of the periods of one year (BRIEF §4): 2022, 2022H1, 2022Q3, 2022-07."""
    if frequency == HALF_YEARLY:
        return [f"{year}H1", f"{year}H2"]
    if frequency == QUARTERLY:
        return [f"{year}Q{q}" for q in range(1, 5)]
    if frequency == MONTHLY:
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    return [str(year)]


def period_due_date(label: str, due: list[DuePoint]) -> date:
    """When the report on the period ``label`` is due under the rule's due points."""
    match = re.fullmatch(r"(\d{4})(?:H(?P<h>[12])|Q(?P<q>[1-4])|-(?P<m>\d{2}))?", label)
    if match is None:
        raise ValueError(f"unknown period label {label!r}")
    year = int(match.group(1))
    if match.group("h"):
        first_month, suffix = 1 + 6 * (int(match.group("h")) - 1), f"H{match.group('h')}"
    elif match.group("q"):
        first_month, suffix = 1 + 3 * (int(match.group("q")) - 1), f"Q{match.group('q')}"
    elif match.group("m"):
        first_month, suffix = int(match.group("m")), match.group("m")
    else:
        first_month, suffix = 1, "Y"
    point = next((p for p in due if p.period == suffix), None) or next((p for p in due if p.period == "*"), None)
    if point is None:
        point = DuePoint(13, 15)  # "2月中旬前" of the next year, the default of BRIEF §2
    months = year * 12 + first_month - 1 + point.month_offset
    due_year, due_month = divmod(months, 12)
    last = calendar.monthrange(due_year, due_month + 1)[1]
    return date(due_year, due_month + 1, min(point.day, last) if point.day else last)


def rule_as_json(rule: ReportingRule) -> dict:
    """The rule as stored on a plan (``Plan.reporting_rule``)."""
    return {
        "frequency": rule.frequency,
        "month": rule.month,
        "day": rule.day,
        "previous_year": rule.previous_year,
        "due": [{"period": p.period, "month_offset": p.month_offset, "day": p.day} for p in rule.due],
    }


def due_points(stored: dict) -> list[DuePoint]:
    """The due points of a stored rule (``rule_as_json``); [] for an empty rule."""
    return [DuePoint(int(p["month_offset"]), int(p["day"]), str(p.get("period", "*"))) for p in stored.get("due", [])]
