"""Forms of the workspace. Validation of state changes lives in the services; these only shape input."""

from __future__ import annotations

from django import forms

from tasks_app.models import Report
from tasks_app.rules.lights import COLOUR_LABELS
from tasks_app.selectors.workspace import REPORT_STATE_LABELS, ROLE_LABELS, WorkspaceFilters
from tasks_app.services.reports import ReportDraft


class WorkspaceFilterForm(forms.Form):
    plan = forms.IntegerField(required=False, min_value=1)
    role = forms.ChoiceField(required=False, choices=[("", "")] + [(str(k), v) for k, v in ROLE_LABELS.items()])
    status = forms.ChoiceField(
        required=False, choices=[("", "")] + [(str(k), v) for k, v in REPORT_STATE_LABELS.items()]
    )
    overdue = forms.BooleanField(required=False)
    q = forms.CharField(required=False, max_length=100, strip=True)
    unit = forms.IntegerField(required=False, min_value=1)
    light = forms.ChoiceField(required=False, choices=[("", ""), *COLOUR_LABELS.items()])

    def filters(self) -> WorkspaceFilters:
        """Invalid values are dropped rather than refused: a bad bookmark still shows the list."""
        self.is_valid()
        data = self.cleaned_data
        return WorkspaceFilters(
            plan=data.get("plan") or None,
            role=data.get("role") or "",
            status=data.get("status") or "",
            overdue=bool(data.get("overdue")),
            q=data.get("q") or "",
            unit=data.get("unit") or None,
            light=data.get("light") or "",
        )


class ReportForm(forms.Form):
    progress_status = forms.ChoiceField(
        label="进展情况", choices=Report.Progress.choices, widget=forms.RadioSelect, required=False
    )
    progress = forms.CharField(
        label="工作进展", required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    problems = forms.CharField(
        label="存在问题", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    next_steps = forms.CharField(
        label="下一步打算", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    actual_value_text = forms.CharField(
        label="实际值", required=False, max_length=200, help_text="填数字(如 11.3 或 95%)或文字"
    )
    actual_note = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="数据来源、统计口径"
    )
    actual_unit = forms.CharField(label="计量单位", required=False, max_length=50, help_text="须与指标的计量单位一致")
    actual_numerator = forms.CharField(label="分子", required=False, max_length=30)
    actual_denominator = forms.CharField(label="分母", required=False, max_length=30)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    INDICATOR_FIELDS = ("actual_value_text", "actual_unit", "actual_numerator", "actual_denominator", "actual_note")

    def __init__(self, *args, indicator: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not indicator:
            for name in self.INDICATOR_FIELDS:
                del self.fields[name]

    def indicator_fields(self) -> list:
        """The indicator block's fields, rendered by _indicator_entry.html (empty for a task)."""
        return [self[name] for name in self.INDICATOR_FIELDS if name in self.fields]

    @classmethod
    def initial_from(cls, report: Report, *, indicator: bool) -> ReportForm:
        initial = {name: getattr(report, name) for name in ReportDraft.__dataclass_fields__}
        for name in ("actual_numerator", "actual_denominator"):
            initial[name] = "" if initial[name] is None else f"{initial[name]:g}"
        initial["version"] = report.version
        return cls(initial=initial, indicator=indicator)

    def draft(self) -> ReportDraft:
        data = self.cleaned_data
        return ReportDraft(**{name: data.get(name) or "" for name in ReportDraft.__dataclass_fields__})


class ContributionForm(forms.Form):
    text = forms.CharField(label="配合情况", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
