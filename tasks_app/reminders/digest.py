"""What the planner hands to the outbox: one digest per unit (or the office), cycle, step and channel.

Its own module so that the channel templates (mail.py, chat.py) and the planner can all import it without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tasks_app.models import Channel, ReportingCycle, Unit
from tasks_app.reminders.calendar import Step


@dataclass
class Digest:
    unit: Unit | None  # None: the planning office's overdue summary
    cycle: ReportingCycle
    step: Step
    recipients: list[str]  # mail addresses, or the robot URL (snapshot at write time) for a webhook channel
    items: list[dict[str, Any]]
    kind: str  # ReminderMessage.Kind
    channel: str = Channel.EMAIL

    @property
    def key(self) -> str:
        # Mail keeps the key it had before channels existed, so rows written then still count as sent and the
        # stable Message-ID built from the key does not change; other channels add their name.
        suffix = "" if self.channel == Channel.EMAIL else f":{self.channel}"
        if self.unit is None:
            return f"summary:{self.cycle.id}:{self.step.kind}:{self.step.days}{suffix}"
        return f"unit:{self.unit.id}:{self.cycle.id}:{self.step.kind}:{self.step.days}{suffix}"


@dataclass
class Planned:
    digests: list[Digest] = field(default_factory=list)  # new digests to write
    already: int = 0  # unit digests of this step that the outbox already holds
    existing: list[str] = field(default_factory=list)  # their keys (len == already)
    no_address: list[str] = field(default_factory=list)  # units with pending items and no email or robot


def unit_targets(unit: Unit) -> list[tuple[str, list[str]]]:
    """The channels a unit is reached on, each with its recipients: mail to its contacts, its chat robot."""
    targets: list[tuple[str, list[str]]] = []
    if unit.contact_emails:
        targets.append((Channel.EMAIL, list(unit.contact_emails)))
    if unit.webhook_url:
        targets.append((unit.webhook_kind, [unit.webhook_url]))
    return targets
