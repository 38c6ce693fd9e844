"""Whether a task is on schedule in a year (时间过半、任务过半), from its reporting units' reports. Pure.

A reporting slot (one reporting unit × one task, rules.reporting) is classified from that unit's done report
(``Report.DONE_STATUSES``) of the year's cycle: 已完成 / 按计划推进 / 滞后 (behind or not started); no done
report → 未报送. A task past its deadline by the end of the year and not done is 滞后 whatever was
reported. A task takes its slowest reporting unit's class (a task two units lead is done when both are).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

DONE, ON_SCHEDULE, BEHIND, UNREPORTED = "已完成", "按计划推进", "滞后", "未报送"
CLASSES = (DONE, ON_SCHEDULE, BEHIND, UNREPORTED)
_RANK = {DONE: 0, ON_SCHEDULE: 1, BEHIND: 2, UNREPORTED: 3}
_FROM_PROGRESS = {"done": DONE, "on_track": ON_SCHEDULE, "behind": BEHIND, "not_started": BEHIND}


def slot_class(progress_status: str | None, *, reported: bool, deadline: date | None, year: int) -> str:
    """One reporting unit's slot on a task in ``year`` (``reported``: it has a done report that year)."""
    found = _FROM_PROGRESS.get(progress_status or "", ON_SCHEDULE) if reported else UNREPORTED
    if found != DONE and deadline is not None and deadline <= date(year, 12, 31):
        return BEHIND if found != UNREPORTED else UNREPORTED
    return found


def task_class(slot_classes: Iterable[str]) -> str:
    """A task's class: its slowest slot's (未报送 counts slowest: nobody can say it is on schedule)."""
    return max(slot_classes, key=_RANK.__getitem__, default=UNREPORTED)


@dataclass
class ScheduleTally:
    total: int = 0
    done: int = 0
    on_schedule: int = 0
    behind: int = 0
    unreported: int = 0

    def add(self, klass: str) -> None:
        self.total += 1
        if klass == DONE:
            self.done += 1
        elif klass == ON_SCHEDULE:
            self.on_schedule += 1
        elif klass == BEHIND:
            self.behind += 1
        else:
            self.unreported += 1

    def share(self, count: int) -> float:
        return round(100 * count / self.total, 1) if self.total else 0.0

    @property
    def done_share(self) -> float:
        return self.share(self.done)

    @property
    def on_track_share(self) -> float:
        """Done or on schedule, in percent: what "任务过半" is measured by."""
        return self.share(self.done + self.on_schedule)

    @property
    def behind_share(self) -> float:
        return self.share(self.behind)

    @property
    def unreported_share(self) -> float:
        return self.share(self.unreported)


def time_share(*, year: int, start: int, end: int) -> float:
    """The share of the plan period elapsed by the end of ``year``, in percent (2023 of 2021–2025: 60)."""
    years = max(end - start + 1, 1)
    return round(100 * min(max(year - start + 1, 0), years) / years, 1)


def tasks_keep_pace(tally: ScheduleTally, *, elapsed: float) -> bool:
    """时间过半、任务过半: the share done or on schedule is at least the share of the period elapsed."""
    return tally.total > 0 and tally.on_track_share >= elapsed
