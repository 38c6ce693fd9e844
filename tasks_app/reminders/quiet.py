"""Quiet hours (BRIEF §1: never at night): when the outbox may deliver. Pure: no Django.

A window such as ``20:00-08:00`` (crossing midnight) or ``12:00-13:30`` is quiet every day; with weekends quiet,
Saturday and Sunday are quiet all day. A row that comes due in quiet time is deferred to the next allowed moment
(the end of the window: the next working morning, 08:00 local by default), never dropped. Public holidays and
调休 working weekends are not known here (see docs/reminders.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

SATURDAY = 5


@dataclass(frozen=True)
class QuietHours:
    start: time | None = None  # None: no nightly window
    end: time | None = None
    weekends: bool = False

    @property
    def off(self) -> bool:
        return self.start is None and not self.weekends

    def quiet_at(self, local: datetime) -> bool:
        """Whether ``local`` (a wall-clock time in the office's zone) is quiet."""
        if self.weekends and local.weekday() >= SATURDAY:
            return True
        if self.start is None or self.end is None:
            return False
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:  # a window inside one day
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # a window across midnight


def parse_window(text: str) -> tuple[time, time] | None:
    """``"20:00-08:00"`` (``HH:MM`` or ``HH:MM:SS`` each side) → (start, end); empty or ``off`` → None.

    Raises ValueError with a readable message on anything else (settings fail loudly at start-up)."""
    raw = text.strip()
    if raw.lower() in ("", "off", "none", "0"):
        return None
    parts = raw.split("-")
    if len(parts) != 2 or any(":" not in part for part in parts):
        raise ValueError(f"quiet hours must look like 20:00-08:00, got {text!r}")
    try:
        start, end = (time.fromisoformat(part.strip()) for part in parts)
    except ValueError as exc:
        raise ValueError(f"quiet hours must look like 20:00-08:00, got {text!r}") from exc
    if start == end:
        raise ValueError(f"quiet hours start and end are the same ({text!r}): use 'off' for none")
    return start, end


def next_allowed(moment: datetime, quiet: QuietHours, zone: tzinfo) -> datetime:
    """The first moment at or after ``moment`` (aware) outside quiet time, as an aware datetime in ``zone``.

    Friday 21:00 → Monday 08:00 with ``20:00-08:00`` and weekends quiet; a moment already allowed is returned as is.
    """
    if quiet.off:
        return moment
    local = moment.astimezone(zone)
    morning = quiet.end or time(0, 0)
    for _ in range(16):  # a weekend and a night at most; the bound only guards against a bad window
        if not quiet.quiet_at(local):
            return local
        if quiet.weekends and local.weekday() >= SATURDAY:
            monday = local.date() + timedelta(days=7 - local.weekday())
            local = _at(monday, morning, zone)
            continue
        assert quiet.end is not None
        day = local.date() if local.time().replace(tzinfo=None) < quiet.end else local.date() + timedelta(days=1)
        local = _at(day, quiet.end, zone)
    raise ValueError(f"no allowed delivery time found after {moment} with {quiet}")


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=zone)
