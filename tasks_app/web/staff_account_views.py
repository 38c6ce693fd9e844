"""Console: the units' staff logins (/console/units/accounts/): every office user lists them; an office admin
(MANAGE_ACCOUNTS) creates one with a first password."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Membership, Unit
from tasks_app.permissions import requires
from tasks_app.selectors.accounts import LIST_LIMIT, staff_memberships
from tasks_app.services.accounts import AccountError, staff_account_create
from tasks_app.web.division_forms import unit_choices


class StaffAccountForm(forms.Form):
    unit = forms.TypedChoiceField(label="单位", coerce=int)
    username = forms.CharField(
        label="用户名",
        max_length=150,
        help_text="登录用:字母、数字、汉字或 @ . + - _",
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    full_name = forms.CharField(label="姓名", max_length=150)
    role = forms.ChoiceField(label="角色", choices=Membership.Role.choices, initial=Membership.Role.STAFF)
    email = forms.EmailField(label="邮箱(可不填)", required=False)
    first_password = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="当面或电话告知本人;首次登录时必须修改。",
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "请选择单位"), *unit_choices(units)]


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_ACCOUNTS)
@require_http_methods(["GET", "POST"])
def staff_accounts(request: HttpRequest) -> HttpResponse:
    visible = access.visible_units(request.user).select_related("jurisdiction")
    units = list(visible)
    status = 200
    if request.method == "POST":
        form = StaffAccountForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            unit = access.unit_or_404(request.user, data["unit"])
            try:
                user = staff_account_create(
                    actor=request.user,
                    unit=unit,
                    username=data["username"],
                    full_name=data["full_name"],
                    role=data["role"],
                    first_password=data["first_password"],
                    email=data["email"],
                )
            except AccountError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已为{unit.name}创建账号 {user.username};首次登录时须修改初始密码")
                return redirect(f"{request.path}?unit={unit.pk}")
        status = 400
    else:
        chosen = request.GET.get("unit", "")
        form = StaffAccountForm(units=units, initial={"unit": int(chosen)} if chosen.isdigit() else None)
    chosen_unit = request.GET.get("unit", "")
    unit_id = int(chosen_unit) if chosen_unit.isdigit() and len(chosen_unit) < 10 else None
    rows = list(staff_memberships(request.user, unit_id=unit_id)[:LIST_LIMIT])
    context = {
        "console_section": "units",
        "form": form,
        "rows": rows,
        "limit": LIST_LIMIT,
        "filtered_unit": next((u for u in units if u.pk == unit_id), None),
        "password_help": password_validators_help_texts(),
    }
    return render(request, "tasks_app/console/staff_accounts.html", context, status=status)
