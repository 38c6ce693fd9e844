"""How an indicator is judged (BRIEF §4: 达标 / 未达标 / 待定 / 无统计). Pure: no Django.

The dashboard, its API and the indicator workbook all call ``indicator_verdict`` with the facts read by
``tasks_app.selectors.indicators`` (target, flags and yearly actuals), so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tasks_app.rules import indicator_path as paths
from tasks_app.rules.text import number_from_text, stated_number

MET, NOT_MET, UNDECIDED, NO_DATA = "达标", "未达标", "待定", "无统计"
STATUSES = (MET, NOT_MET, UNDECIDED, NO_DATA)
# Against the five-year path (BRIEF §4), plus UNDECIDED and NO_DATA:
MET_EARLY, AHEAD, ON_PATH, BEHIND = "提前实现", "快于预期", "基本符合预期", "滞后"
PATH_STATUSES = (MET_EARLY, AHEAD, ON_PATH, BEHIND, UNDECIDED, NO_DATA)
DEFAULT_TOLERANCE = 0.05  # 基本符合预期: within ±5% of the baseline→target step (editable per plan)

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
    """What the judgement reads of an indicator: its target, its flags and its yearly actuals; the path
    (``indicator_progress``) also reads the baseline, the years, the growth rate and the office's figures."""

    title: str
    target_text: str
    target_value: float | None
    cumulative: bool
    pending: bool
    actuals: Actuals
    binding: bool = False
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_year: int | None = None
    growth_text: str = ""
    province_target: float | None = None  # the figure the office entered for a pending (*) target
    yearly_targets: Mapping[int, float] = field(default_factory=dict)  # 年度目标 entered by the office

    @property
    def awaiting_province(self) -> bool:
        """A ``*`` / 等待省下达 target stays pending until the office enters the province's figure."""
        return self.pending and self.province_target is None

    @property
    def target_number(self) -> float | None:
        if self.province_target is not None:
            return self.province_target
        return self.target_value if self.target_value is not None else threshold(self.target_text)[1]


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
        target_value=facts.target_number,
        pending=facts.awaiting_province,
        actual=judged,
        has_actual=latest is not None,
    )
    text = actuals[latest][0] if latest is not None else ""
    return IndicatorVerdict(status, judged, text, latest, facts.target_number)


def _number(text: str, value: float | None) -> float | None:
    return value if value is not None else number_from_text(text)


# --- against the five-year path --------------------------------------------------------------------


@dataclass(frozen=True)
class PathPoint:
    year: int
    expected: float | None  # where the path (or the office's 年度目标) puts the indicator in ``year``
    actual: float | None  # the number judged that year: the level, the running sum or the average rate
    status: str  # one of PATH_STATUSES
    yearly_target: bool = False  # ``expected`` is the office's 年度目标, not the path


@dataclass(frozen=True)
class IndicatorProgress:
    """An indicator against its five-year path at ``year``: the status, the trend and the path itself."""

    year: int
    status: str
    expected: float | None
    actual: float | None
    target: float | None
    shape: str
    points: tuple[PathPoint, ...]  # every year from the first after the baseline to the target year
    pace: paths.Pace
    at_risk: bool  # binding, and 滞后 or unlikely to meet the target
    reason: str = ""  # why the status is 待定 / 无统计

    @property
    def likely(self) -> bool | None:
        return self.pace.likely


def indicator_path(facts: IndicatorFacts, *, period_start: int, period_end: int) -> paths.Path:
    """The path from the baseline (in the baseline year, else the year before the period) to the target."""
    growth = number_from_text(facts.growth_text) if facts.growth_text else None
    shape = paths.path_shape(title=facts.title, cumulative=facts.cumulative, growth_rate=growth)
    start = facts.baseline_year or period_start - 1
    end = facts.target_year or period_end
    target = facts.target_number
    if target is None and shape == paths.COMPOUND and facts.baseline_value and growth is not None:
        target = facts.baseline_value * (1 + growth / 100) ** max(end - start, 1)  # only the rate is stated
    direction = -1 if lower_is_better(facts.title, facts.target_text) else 1
    return paths.Path(shape, facts.baseline_value, target, start, end, direction)


def indicator_progress(
    facts: IndicatorFacts,
    *,
    year: int,
    period_start: int,
    period_end: int,
    tolerance: float = DEFAULT_TOLERANCE,
) -> IndicatorProgress:
    """The status of ``facts`` against its path in ``year`` (see docs/evaluation.md for a worked example).

    提前实现: the one judgement (``indicator_verdict``) already says 达标 before the target year (never for a
    rate, which is only met over the whole period). Otherwise the number judged that year is compared with
    the expected value: more than the band ahead → 快于预期, within ± the band → 基本符合预期, further
    behind → 滞后. 待定: target pending from the province, not a number, or no baseline to draw a path
    from; 无统计: no actual for ``year``.
    """
    path = indicator_path(facts, period_start=period_start, period_end=period_end)
    years = range(path.start + 1, max(path.end, year) + 1)
    points = tuple(_point(facts, path, y, tolerance) for y in years)
    at = next((p for p in points if p.year == year), None) or _point(facts, path, year, tolerance)
    numbers = _numbers_through(facts, year, path.start)
    pace = paths.pace(path, year=year, value=at.actual, numbers=numbers) if at.status != NO_DATA else paths.NO_PACE
    at_risk = facts.binding and (at.status == BEHIND or pace.likely is False)
    return IndicatorProgress(
        year=year,
        status=at.status,
        expected=at.expected,
        actual=at.actual,
        target=path.target,
        shape=path.shape,
        points=points,
        pace=pace,
        at_risk=at_risk,
        reason=_reason(facts, path, at),
    )


def _numbers_through(facts: IndicatorFacts, year: int, after: int) -> list[float]:
    """The yearly numbers after the baseline year up to ``year``, oldest first (missing years skipped)."""
    found = []
    for y in sorted(facts.actuals):
        if after < y <= year and (number := _number(*facts.actuals[y])) is not None:
            found.append(number)
    return found


def _point(facts: IndicatorFacts, path: paths.Path, year: int, tolerance: float) -> PathPoint:
    yearly = facts.yearly_targets.get(year)
    expected = yearly if yearly is not None else path.expected(year)
    has_yearly = yearly is not None
    if facts.awaiting_province:
        return PathPoint(year, None, None, UNDECIDED)
    if year not in facts.actuals:
        return PathPoint(year, expected, None, NO_DATA, has_yearly)
    actual = paths.judged_value(path.shape, _numbers_through(facts, year, path.start))
    if actual is None or (path.target is None and not has_yearly):
        return PathPoint(year, expected, actual, UNDECIDED, has_yearly)
    early = year < path.end and path.shape != paths.RATE
    if early and indicator_verdict(facts, through_year=year).status == MET:
        return PathPoint(year, expected, actual, MET_EARLY, has_yearly)
    if expected is None:
        return PathPoint(year, None, actual, UNDECIDED)
    band = path.band(tolerance) or abs(tolerance * expected)
    ahead = path.direction * (actual - expected)
    status = AHEAD if ahead > band else BEHIND if ahead < -band else ON_PATH
    return PathPoint(year, expected, actual, status, has_yearly)


def _reason(facts: IndicatorFacts, path: paths.Path, point: PathPoint) -> str:
    if point.status == NO_DATA:
        return f"{point.year}年无实际值"
    if point.status != UNDECIDED:
        return ""
    if facts.awaiting_province:
        return "目标待省下达"
    if path.target is None:
        return "目标值非数值,无法测算进度"
    if point.actual is None:
        return "实际值非数值"
    return "无基期值,无法测算序时进度"


# --- an actual as a unit enters it ----------------------------------------------------------------


class ActualEntryError(ValueError):
    """An entered actual that cannot be accepted (the message is shown to the user as is)."""


_UNIT_FORMS = str.maketrans({"％": "%", "（": "(", "）": ")", "／": "/", " ": ""})


def same_unit(a: str, b: str) -> bool:
    return (a or "").translate(_UNIT_FORMS).lower() == (b or "").translate(_UNIT_FORMS).lower()


def entered_actual(
    *, text: str, unit: str, numerator: float | None, denominator: float | None, indicator_unit: str
) -> tuple[str, float | None, str]:
    """(text, number, unit of measure) of an actual a unit enters. The unit must be the indicator's (blank =
    the indicator's); a percentage may come as numerator/denominator: the share is computed, and a number
    typed beside it must agree (to 0.01)."""
    unit = (unit or "").strip() or indicator_unit
    if indicator_unit and not same_unit(unit, indicator_unit):
        raise ActualEntryError(f"计量单位应为“{indicator_unit}”(与指标一致),填写的是“{unit}”")
    text = (text or "").strip()
    if numerator is None and denominator is None:
        return text, number_from_text(text), unit
    if numerator is None or denominator is None:
        raise ActualEntryError("分子和分母须同时填写")
    if not same_unit(unit, "%"):
        raise ActualEntryError("只有百分比指标可以按分子/分母填报")
    if denominator <= 0 or numerator < 0:
        raise ActualEntryError("分母须大于 0,分子不能为负")
    share = round(100 * numerator / denominator, 2)
    typed = number_from_text(text)
    if typed is not None and abs(typed - share) > 0.01:
        raise ActualEntryError(f"实际值 {typed:g} 与分子/分母之比 {share:g}% 不一致")
    return text or f"{share:g}%", share, unit
