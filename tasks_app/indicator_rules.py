"""How an indicator's status is judged (BRIEF §4: 达标 / 未达标 / 待定 / 无统计). Pure: no Django.

The dashboard and the indicator workbook both call ``indicator_status`` so they never disagree.
"""

from __future__ import annotations

import re

MET, NOT_MET, UNDECIDED, NO_DATA = "达标", "未达标", "待定", "无统计"

_THRESHOLD = re.compile(r"^(?P<op>[<>≤≥＜＞])?\s*[\[【]?(?P<number>-?\d+(?:\.\d+)?)[\]】]?\s*%?$")
_LOWER_WORDS = ("控制在", "以内", "以下", "不超过", "不高于", "低于")
_LOWER_TITLES = ("浓度", "失业率")
_DECREASE_WORDS = ("下降", "降低", "减少")


def threshold(target_text: str) -> tuple[str | None, float | None]:
    """ ">5" → (">", 5.0); "[20]" → (None, 20.0); "达到市级要求" → (None, None)."""
    match = _THRESHOLD.match((target_text or "").strip())
    if not match:
        return None, None
    return match.group("op"), float(match.group("number"))


def lower_is_better(title: str, target_text: str) -> bool:
    op, _ = threshold(target_text)
    if op in ("<", "≤", "＜"):
        return True
    if any(word in (target_text or "") for word in _LOWER_WORDS):
        return True
    return any(word in title for word in _LOWER_TITLES) and not any(word in title for word in _DECREASE_WORDS)


def indicator_status(
    *,
    title: str,
    target_text: str,
    target_value: float | None,
    pending: bool,
    actual: float | None,
    has_actual: bool,
) -> str:
    """``actual`` is the number to judge (the latest yearly value, or the running sum of a cumulative
    indicator); ``target_value`` the number it must reach (pro-rated by the caller if it wants)."""
    if pending:
        return UNDECIDED
    if not has_actual:
        return NO_DATA
    op, written = threshold(target_text)
    target = target_value if target_value is not None else written
    if target is None or actual is None:
        return UNDECIDED
    if lower_is_better(title, target_text):
        return MET if actual <= target else NOT_MET
    return MET if (actual > target if op in (">", "＞") else actual >= target) else NOT_MET
