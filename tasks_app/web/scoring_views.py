"""The console's 考核 page: a cycle's units ranked by the plan's points rule, and the rule's editor."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tasks_app.capabilities import Capability
from tasks_app.permissions import requires
from tasks_app.rules.scoring import LIMIT, PRESET_LABELS, PRESETS, ScoringRule
from tasks_app.selectors import console as console_reads
from tasks_app.selectors.defaults import default_cycle_for
from tasks_app.selectors.scoring import cycle_scores
from tasks_app.services.scoring import ScoringError, plan_scoring_rule_set
from tasks_app.web.console_views import _cycle_or_404, _int

CUSTOM = "custom"


def _points(label: str, *, required: bool = True) -> forms.FloatField:
    return forms.FloatField(label=label, required=required, min_value=-LIMIT, max_value=LIMIT)


class ScoringRuleForm(forms.Form):
    preset = forms.ChoiceField(label="计分方案", choices=[*PRESET_LABELS.items(), (CUSTOM, "自定义分值")])
    base = _points("基础分")
    on_time = _points("按时报送(每项)")
    late = _points("逾期报送(每项)")
    missing = _points("未报送(每项)")
    returned = _points("退回修改(每次)")
    floor = _points("最低分(可空)", required=False)

    @classmethod
    def for_rule(cls, rule: ScoringRule) -> ScoringRuleForm:
        preset = next((key for key, preset in PRESETS.items() if preset == rule), CUSTOM)
        return cls(initial={"preset": preset, **rule.as_json()})


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def scoring(request: HttpRequest) -> HttpResponse:
    cycle_id = _int(request.GET.get("cycle"))
    cycle = _cycle_or_404(request, cycle_id) if cycle_id else default_cycle_for(request.user)
    form = None
    if cycle is not None:
        form = (
            ScoringRuleForm.for_rule(cycle_scores(cycle).rule)
            if request.method == "GET"
            else ScoringRuleForm(request.POST)
        )
    if request.method == "POST" and cycle is not None and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            preset = "" if data["preset"] == CUSTOM else data["preset"]
            values = {key: data[key] for key in ("base", "on_time", "late", "missing", "returned", "floor")}
            try:
                plan_scoring_rule_set(plan=cycle.plan, user=request.user, preset=preset, values=values)
            except ScoringError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "计分规则已保存,排名已按新规则计算。")
                return redirect(f"{reverse('console-scoring')}?cycle={cycle.pk}")
    board = cycle_scores(cycle) if cycle is not None else None
    context = {
        "cycle": cycle,
        "board": board,
        "cycles": console_reads.console_cycles(request.user),
        "form": form,
    }
    return render(request, "tasks_app/console/scoring.html", context)
