"""Date phrases in an item's text → milestones → the item's deadline (BRIEF §4).

Every date phrase that names a point the work must reach ("到2016年底", "2022年6月底前",
"年内", "“十三五”末期") is a milestone; the deadline is the latest one. Years that only serve
as a comparison base or a starting point ("比2015年下降12%", "自2016年以来", "2021年起")
are not milestones.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from .types import Milestone

MIN_YEAR = 1990
MAX_YEAR = 2100

# Full-width ASCII variants (U+FF01–U+FF5E: brackets, colon, comma, tilde…) and the ideographic
# space map to ASCII one character for one, so positions in the normalised text are positions
# in the original and phrases can be cut from the text as written.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH[0x3000] = 0x20


def half_width(text: str) -> str:
    """Full-width punctuation and digits → ASCII, same length."""
    return text.translate(_HALF_WIDTH)


_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})


def cn_number(text: str) -> int | None:
    """Small Chinese numerals: "四" → 4, "十三" → 13, "二十一" → 21; Arabic digits pass through."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" not in text:
        if len(text) == 1 and text in _CN_DIGITS:
            return _CN_DIGITS[text]
        return None
    tens_part, _, units_part = text.partition("十")
    if tens_part and tens_part not in _CN_DIGITS:
        return None
    if units_part and units_part not in _CN_DIGITS:
        return None
    tens = _CN_DIGITS[tens_part] if tens_part else 1
    units = _CN_DIGITS[units_part] if units_part else 0
    return tens * 10 + units


def cn_year(text: str) -> int | None:
    """Digit-by-digit Chinese year: "二〇三五" → 2035."""
    if len(text) != 4 or any(ch not in _CN_DIGITS for ch in text):
        return None
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))


def five_year_plan_years(number: int) -> tuple[int, int]:
    """First and last year of the Nth national five-year plan (十三五 → 2016–2020).

    The 1st and 2nd plans ran 1953–1957 and 1958–1962; after the 1963–1965 adjustment years
    the 3rd plan started in 1966 and every plan since has followed on the previous one.
    """
    if number == 1:
        start = 1953
    elif number == 2:
        start = 1958
    else:
        start = 1966 + 5 * (number - 3)
    return start, start + 4


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not (MIN_YEAR <= year <= MAX_YEAR) or not (1 <= month <= 12):
        return None
    if not (1 <= day <= _last_day(year, month)):
        return None
    return date(year, month, day)


# A year (optionally the end of a range) with what follows it: 底/末, a half year, a quarter,
# or a month with 上旬/中旬/下旬/底/a day, then an optional 前.
_YEAR_PHRASE = re.compile(
    r"(?<![\d.])"
    r"(?:(?P<y1>\d{4})\s*(?:年\s*)?[—–\-~～至到]{1,2}\s*)?"
    r"(?P<y>\d{4})\s*年"
    r"(?:"
    r"\s*(?P<tail>年底|年末|底|末|上半年|下半年|年中|第?[一二三四1-4]季度|内|度)"
    r"|\s*(?P<m>\d{1,2})\s*月份?\s*(?P<mtail>底|末|上旬|中旬|下旬|(?P<d>\d{1,2})\s*[日号])?"
    r")?"
    r"(?P<before>\s*(?:之前|以前|前))?"
)

# A month, a half year or a quarter without a year ("6月底前", "9月30日前", "三季度末", "上半年"), as yearly
# notices write them: a point in the plan year. Only deadline forms count (a bare "6月" does not), and never
# after 年 or 每 ("每年6月底前", "次年3月底前" repeat or look ahead; they are no milestone of this year).
_YEARLESS_PHRASE = re.compile(
    r"(?<![\d年月每])"
    r"(?:"
    r"(?P<m>\d{1,2})\s*月份?\s*(?:(?P<mtail>底|末|上旬|中旬|下旬|(?P<d>\d{1,2})\s*[日号])\s*(?:之前|以前|前)?"
    r"|(?:之前|以前|前))"
    r"|(?P<tail>上半年|第?[一二三四]季度)(?:末|底)?\s*(?:之前|以前|前)?"
    r")"
)

# "到二〇三五年(底)": Chinese-numeral years count only in this explicit phrasing.
_CN_YEAR_PHRASE = re.compile(r"(?:到|至)(?P<y>[〇○零一二三四五六七八九]{4})年(?P<tail>底|末)?(?P<before>前)?")

# "“十三五”期间", "十三五末", "“十四五”时期"
_PLAN_PHRASE = re.compile(
    r"[“\"‘']?十(?P<n>[一二三四五六七八九])五[”\"’']?\s*(?:规划)?\s*"
    r"(?P<tail>末期|期末|末年|末|期间|时期|结束前)"
)

# "规划期末", "本规划期内": the end of the plan this text belongs to.
_PERIOD_PHRASE = re.compile(r"(?:本|该)?规划期(?:末|内|间)")

# "年内" on its own means "this year"; "五年内", "2020年内", "每年内" do not.
_THIS_YEAR = re.compile(r"(?<![\d一二三四五六七八九十两几百千多半〇○零每年])(?:今|本|当)?年(?:内|底前)")

# A year right after these characters is a base or a starting point: 比/较/与2015年, 自/从2016年.
_BASE_BEFORE = set("比较与同自从由以按对")
# ... and so is a year followed by these words: 2016年起, 2015年的, 2015年相比, 2015年为基数.
_BASE_AFTER = (
    "起",
    "开始",
    "以来",
    "以后",
    "之后",
    "后",
    "的",
    "相比",
    "比",
    "为基",
    "基础上",
    "水平",
    "同期",
    "可比价",
    "价格",
    "远景",
)
_TO_WORDS = ("到", "至", "于")


def _char_before(text: str, pos: int) -> tuple[str, int]:
    """The nearest non-space character before ``pos`` and its index (or "", -1)."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\u3000":
        i -= 1
    return (text[i], i) if i >= 0 else ("", -1)


def _rest_after(text: str, pos: int) -> str:
    return text[pos:].lstrip(" \t\u3000")[:4]


def _year_phrase_date(m: re.Match[str], *, year: int | None = None) -> date | None:
    """The date a phrase of ``_YEAR_PHRASE`` (or, with ``year``, of ``_YEARLESS_PHRASE``) names."""
    year = int(m.group("y")) if year is None else year
    tail = m.group("tail")
    if m.group("m"):
        month = int(m.group("m"))
        if not 1 <= month <= 12:
            return None
        mtail = m.group("mtail") or ""
        if m.group("d"):
            return _safe_date(year, month, int(m.group("d")))
        day = {"上旬": 10, "中旬": 15}.get(mtail) or _last_day(year, month)
        return _safe_date(year, month, day)
    if tail in ("上半年", "年中"):
        return _safe_date(year, 6, 30)
    if tail and "季度" in tail:
        quarter = cn_number(tail.strip("第季度"))
        if not quarter or not 1 <= quarter <= 4:
            return None
        return _safe_date(year, quarter * 3, _last_day(year, quarter * 3))
    return _safe_date(year, 12, 31)


def _is_base_year(text: str, m: re.Match[str], prefix: str) -> bool:
    before, _ = _char_before(text, m.start())
    if before in _BASE_BEFORE:
        return True
    rest = _rest_after(text, m.end())
    if m.group("before"):
        return False
    for word in _BASE_AFTER:
        if rest.startswith(word):
            # "到2020年的目标" still names a target year.
            return not (word == "的" and prefix)
    return False


def extract_milestones(text: str, *, plan_year: int, period_end: int) -> list[Milestone]:
    """Every deadline-like date phrase in ``text``, one per date, in order of appearance.

    ``plan_year`` is the year the text speaks from ("年内" means its 31 December);
    ``period_end`` is the plan's last year ("规划期末"). Dates before the plan (or before
    ``plan_year``, whichever is earlier) describe the past, so they are no milestones.
    """
    # A five-year plan starts four years before its end; a notice issued mid-plan (plan_year
    # 2025 for a 2021–2025 plan) still names deadlines from the plan's first years.
    history_before = min(plan_year, period_end - 4)
    original, text = text, half_width(text)
    found: list[tuple[int, Milestone]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, when: date | None) -> None:
        if when is None or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, Milestone(date=when, text=original[start:end].strip())))

    for m in _YEAR_PHRASE.finditer(text):
        year = int(m.group("y"))
        if not MIN_YEAR <= year <= MAX_YEAR:
            continue
        if m.group("y1") and not (MIN_YEAR <= int(m.group("y1")) <= year):
            continue
        before, before_at = _char_before(text, m.start())
        prefix = before if before in _TO_WORDS else ""
        if _is_base_year(text, m, prefix):
            continue
        if year < history_before:
            # A past year ("2015年,全市…", "2000年年底竣工的小区") reports history, it sets no deadline.
            continue
        start = before_at if prefix else m.start()
        add(start, m.end(), _year_phrase_date(m))

    for m in _YEARLESS_PHRASE.finditer(text):
        add(m.start(), m.end(), _year_phrase_date(m, year=plan_year))

    for m in _CN_YEAR_PHRASE.finditer(text):
        written_year = cn_year(m.group("y"))
        if written_year is not None and written_year >= history_before:
            add(m.start(), m.end(), _safe_date(written_year, 12, 31))

    for m in _PLAN_PHRASE.finditer(text):
        number = cn_number("十" + m.group("n"))
        if number is None:
            continue
        _, end_year = five_year_plan_years(number)
        if end_year < history_before:
            # "“十三五”时期取得的成就" in a 14th-plan text looks back, it sets no deadline.
            continue
        add(m.start(), m.end(), _safe_date(end_year, 12, 31))

    for m in _PERIOD_PHRASE.finditer(text):
        add(m.start(), m.end(), _safe_date(period_end, 12, 31))

    for m in _THIS_YEAR.finditer(text):
        add(m.start(), m.end(), _safe_date(plan_year, 12, 31))

    found.sort(key=lambda pair: pair[0])
    seen: set[date] = set()
    result: list[Milestone] = []
    for _, milestone in found:
        if milestone.date not in seen:
            seen.add(milestone.date)
            result.append(milestone)
    return result


def compute_deadline(milestones: list[Milestone], *, period_end: int) -> tuple[date, str | None, bool]:
    """(deadline, deadline_text, defaulted): the latest milestone, or the plan's last day."""
    if not milestones:
        return date(period_end, 12, 31), None, True
    latest = max(milestones, key=lambda m: m.date)
    return latest.date, latest.text, False
