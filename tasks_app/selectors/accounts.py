"""Reads of the units' staff logins for the console (scoped by ``access.visible_units``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tasks_app import access
from tasks_app.models import Membership

LIST_LIMIT = 200


def staff_memberships(user: Any, *, unit_id: int | None = None) -> QuerySet[Membership]:
    """The memberships of the units ``user`` sees, newest login first, with each login's account state."""
    rows = Membership.objects.filter(unit__in=access.visible_units(user))
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    return rows.select_related("user", "user__account_state", "unit").order_by("-user__date_joined", "-pk")
