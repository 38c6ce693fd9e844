"""How an indicator is judged (BRIEF §4: 达标 / 未达标 / 待定 / 无统计). Pure: no Django.

The dashboard, its API and the indicator workbook all call ``indicator_verdict`` with the facts read by
``tasks_app.selectors.indicators`` (target, flags and yearly actuals), so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tasks_app.rules.text import number_from_text, stated_number

MET, NOT_MET, UNDECIDED, NO_DATA = "达标", "未达标", "待定", "无统计"
STATUSES = (MET, NOT_MET, UNDECIDED, NO_DATA)

_LOWER_WORDS = ("控制在", "以内", "以下", "不超过", "不高于", "低于")
_LOWER_TITLES = ("浓度", "失业率")
_DECREASE_WORDS = ("下降", "降低", "减少")


def threshold(target_text: str) -> tuple[str | None, float | None]:
    """ ">5" → (">", 5.0); "[20]" → (None, 20.0); "达到市级要求" → (None, None)."""
    return stated_number(target_text)


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
    """Compare one number with the target: ``actual`` is already the number to judge (see
    ``indicator_verdict``, which every face calls; this is its last step)."""
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


@dataclass(frozen=True)
class IndicatorVerdict:
    status: str
    judged: float | None  # the number compared with the target: the latest actual, or the running sum
    actual_text: str  # the latest actual as written
    actual_year: int | None
    target: float | None  # the number it was compared with (the full target, never pro-rated)


Actuals = Mapping[int, tuple[str, float | None]]  # year → (text as written, number or None)


@dataclass(frozen=True)
class IndicatorFacts:
    """What the judgement reads of an indicator: its target, its flags and its yearly actuals."""

    title: str
    target_text: str
    target_value: float | None
    cumulative: bool
    pending: bool
    actuals: Actuals


def indicator_verdict(facts: IndicatorFacts, *, through_year: int | None = None) -> IndicatorVerdict:
    """The status of an indicator from its yearly actuals up to ``through_year`` (all years when None).

    A level target ("达到11.2年", "控制在4.5%以内") is judged on the latest actual. A cumulative target
    ("[20]", BRIEF §2: a five-year total) is judged on the sum of the yearly actuals so far against the
    full target, and is 达标 as soon as the sum reaches it. The target is never pro-rated: how far along
    the five-year path the sum should be by now is the path verdict's question (快于预期 / 滞后), not the
    status's. So target [20], actuals 2021 = 18 and 2022 = 3, cycle 2022 → 21 ≥ 20 → 达标 on every face.
    A year whose actual states no number counts as reported but adds nothing to the sum.
    """
    actuals = facts.actuals
    years = sorted(year for year in actuals if through_year is None or year <= through_year)
    latest = years[-1] if years else None
    numbers = [number for year in years if (number := _number(*actuals[year])) is not None]
    judged: float | None
    if latest is None:
        judged = None
    elif facts.cumulative:
        judged = sum(numbers) if numbers else None
    else:
        judged = _number(*actuals[latest])
    status = indicator_status(
        title=facts.title,
        target_text=facts.target_text,
        target_value=facts.target_value,
        pending=facts.pending,
        actual=judged,
        has_actual=latest is not None,
    )
    text = actuals[latest][0] if latest is not None else ""
    return IndicatorVerdict(status, judged, text, latest, _target(facts.target_text, facts.target_value))


def _number(text: str, value: float | None) -> float | None:
    return value if value is not None else number_from_text(text)


def _target(target_text: str, target_value: float | None) -> float | None:
    return target_value if target_value is not None else threshold(target_text)[1]
