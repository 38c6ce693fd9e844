"""Setting a plan's 考核 points rule (rules.scoring); reading scores is ``selectors.scoring``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import AuditEntry, Plan
from tasks_app.rules.scoring import PRESETS, ScoringRule, ScoringRuleError, scoring_rule_from
from tasks_app.services.division import audit_record
from tasks_app.services.errors import ServiceError


class ScoringError(ServiceError):
    pass


def plan_scoring_rule_set(
    *, plan: Plan, user: Any, values: Mapping[str, Any] | None = None, preset: str = ""
) -> ScoringRule:
    """Store the plan's points rule: a preset by name, or values (missing keys keep the default's). Audited."""
    access.require(user, Capability.MANAGE_CYCLES)
    if preset:
        if preset not in PRESETS:
            raise ScoringError(f"未知的计分方案:{preset}")
        rule = PRESETS[preset]
    else:
        try:
            rule = scoring_rule_from(values or {})
        except ScoringRuleError as error:
            raise ScoringError(str(error)) from error
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        before = scoring_rule_from(locked.scoring_rule).as_json()
        locked.scoring_rule = rule.as_json()
        locked.save(update_fields=["scoring_rule", "updated_at"])
        audit_record(
            actor=user,
            action=AuditEntry.Action.SCORING,
            object_type="plan",
            object_id=plan.pk,
            plan=locked,
            summary=f"修改考核计分规则:{plan.title}",
            before=before,
            after=rule.as_json(),
        )
    plan.scoring_rule = locked.scoring_rule
    return rule
