"""Who heads a unit (单位负责人): the one read behind the head's sign-off and the escalation of overdue reminders.

A unit has a head when an active user holds a ``Membership`` with role HEAD in it; units without one work as
if the rule did not exist (staff submit straight to the office, escalation stops at the unit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from tasks_app.models import Membership


def _head_memberships(unit_ids: Iterable[int]) -> QuerySet[Membership]:
    return Membership.objects.heads().filter(unit_id__in=list(unit_ids)).select_related("user")


def unit_heads(*, unit_ids: Iterable[int]) -> dict[int, list[AbstractBaseUser]]:
    """The active head users of each unit that has one (units without a head are absent)."""
    heads: dict[int, list[AbstractBaseUser]] = defaultdict(list)
    for membership in _head_memberships(unit_ids).order_by("unit_id", "user_id"):
        heads[membership.unit_id].append(membership.user)
    return dict(heads)


def unit_has_head(*, unit_id: int) -> bool:
    return _head_memberships([unit_id]).exists()


def user_heads_unit(*, user: AbstractBaseUser, unit_id: int) -> bool:
    """Whether ``user`` is an active head of the unit (the one check the sign-off's gate asks)."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and Membership.objects.heads().filter(user_id=user.pk, unit_id=unit_id).exists()
    )
