"""Console page 单位沿革: record a succession, import them from .xlsx, pick successors of a split per item.

Office admins change (MANAGE_UNITS to record, EDIT_DIVISION to pick); reviewers and leadership read.
Units come from ``access.visible_units``; every change goes through tasks_app.services.successions.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Jurisdiction, Unit, UnitSuccession
from tasks_app.permissions import requires
from tasks_app.selectors import successions as reads
from tasks_app.services.successions import SuccessionError, succession_pick, succession_record
from tasks_app.services.successions_import import LIMITS, successions_import_xlsx

TEMPLATE = "tasks_app/console/unit_successions.html"


class SuccessionForm(forms.Form):
    predecessor = forms.ModelChoiceField(label="原单位", queryset=Unit.objects.none())
    successors = forms.ModelMultipleChoiceField(label="继任单位(拆分时选多个)", queryset=Unit.objects.none())
    effective_on = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label="类型",
        choices=[("", "自动(一个继任单位为更名,多个为拆分)"), *UnitSuccession.Kind.choices],
        required=False,
    )
    reform = forms.CharField(label="所属改革", max_length=120, required=False, initial="2018年党和国家机构改革")
    source = forms.CharField(label="依据(文件名、文号)", max_length=300, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = access.visible_units(user).select_related("jurisdiction").order_by("jurisdiction__name", "name")
        for name in ("predecessor", "successors"):
            field = self.fields[name]
            field.queryset = units  # type: ignore[attr-defined]
            field.label_from_instance = lambda u: f"{u.name}({u.jurisdiction.name})"  # type: ignore[attr-defined]


class SuccessionsUploadForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label="行政区划", queryset=Jurisdiction.objects.none())
    file = forms.FileField(label=".xlsx 文件", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = access.visible_jurisdictions(user)  # type: ignore[attr-defined]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > LIMITS.max_bytes:
            raise forms.ValidationError(f"文件太大:上限 {LIMITS.max_bytes // 1024 // 1024} MB")
        return upload


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_UNITS)
def unit_successions(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, upload, status = SuccessionForm(user=user), SuccessionsUploadForm(user=user), 200
    if request.method == "POST" and request.POST.get("action") == "upload":
        upload = SuccessionsUploadForm(request.POST, request.FILES, user=user)
        if upload.is_valid():
            try:
                result = successions_import_xlsx(
                    data=upload.cleaned_data["file"].read(),
                    jurisdiction=upload.cleaned_data["jurisdiction"],
                    user=user,
                )
            except SuccessionError as exc:
                upload.add_error(None, str(exc))
            else:
                messages.success(request, f"已导入 {result.rows} 条单位沿革:" + ";".join(result.recorded))
                return redirect("console-units-successions")
        status = 400
    elif request.method == "POST":
        form = SuccessionForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                succession_record(
                    user=user,
                    predecessor=data["predecessor"],
                    successors=list(data["successors"]),
                    effective_on=data["effective_on"],
                    kind=data["kind"],
                    reform=data["reform"],
                    source=data["source"],
                )
            except SuccessionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"已登记:{data['predecessor'].name} 自 {data['effective_on']} 起由"
                    f"{'、'.join(u.name for u in data['successors'])}承接",
                )
                return redirect("console-units-successions")
        status = 400
    context = {
        "console_section": "division",
        "form": form,
        "upload": upload,
        "successions": reads.successions(user)[:300],
        "unresolved": reads.unresolved(user),
        "can_pick": access.has(user, Capability.EDIT_DIVISION),
    }
    return render(request, TEMPLATE, context, status=status)


@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
@require_POST
def unit_succession_pick(request: HttpRequest) -> HttpResponse:
    try:
        taken = succession_pick(
            user=request.user,
            assignment_id=int(request.POST.get("assignment", "0") or 0),
            successor_id=int(request.POST.get("successor", "0") or 0),
        )
    except (SuccessionError, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, SuccessionError) else "参数有误")
    else:
        messages.success(request, f"{taken.item.number} 已移交 {taken.unit.name}")
    return redirect("console-units-successions")
