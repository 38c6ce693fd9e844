"""Forms of the console's division pages (item edit, unit edit and merge, contacts upload, suggestions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django import forms

from tasks_app.models import Jurisdiction, Unit
from tasks_app.models.channels import ROBOT_CHOICES
from tasks_app.services.contacts import CONTACTS_MAX_BYTES


def unit_choices(units: Iterable[Unit]) -> list[tuple[int, str]]:
    return [
        (unit.pk, f"{unit.name}{'(待确认)' if unit.needs_review else ''}{_place(unit)}")
        for unit in sorted(units, key=lambda u: (u.jurisdiction.name, u.name))
    ]


def _place(unit: Unit) -> str:
    return f" · {unit.jurisdiction.name}" if getattr(unit, "_foreign", False) else ""


def unit_picker() -> forms.SelectMultiple:
    """A multiple select; the template puts a search box in front (console_division.js). Native on phones."""
    return forms.SelectMultiple(attrs={"class": "unit-picker", "size": 8})


class ItemForm(forms.Form):
    title = forms.CharField(label="标题", max_length=300)
    text = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 6}))
    deadline = forms.DateField(
        label="完成时限", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    deadline_text = forms.CharField(label="时限原文", max_length=200, required=False)
    lead = forms.TypedMultipleChoiceField(label="牵头单位", coerce=int, required=False, widget=unit_picker())
    cooperating = forms.TypedMultipleChoiceField(label="配合单位", coerce=int, required=False, widget=unit_picker())
    responsible = forms.TypedMultipleChoiceField(label="责任单位", coerce=int, required=False, widget=unit_picker())
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, units: Iterable[Unit], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = unit_choices(units)
        for name in ("lead", "cooperating", "responsible"):
            cast(forms.ChoiceField, self.fields[name]).choices = choices


class UnitForm(forms.Form):
    name = forms.CharField(label="规范名称", max_length=120)
    kind = forms.ChoiceField(label="类型", choices=Unit.Kind.choices)
    contact_emails = forms.CharField(
        label="联系邮箱",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "每行一个,或用逗号分隔"}),
    )
    webhook_url = forms.CharField(
        label="群机器人地址",
        required=False,
        max_length=500,
        help_text="企业微信/政务微信或钉钉群机器人的 Webhook 地址;留空则只发邮件",
        widget=forms.URLInput(attrs={"placeholder": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"}),
    )
    webhook_kind = forms.ChoiceField(label="机器人类型", choices=ROBOT_CHOICES, required=False)


class MergeForm(forms.Form):
    target = forms.TypedChoiceField(label="合并到", coerce=int, widget=forms.Select(attrs={"class": "searchable"}))

    def __init__(self, *args, units: Iterable[Unit], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["target"]).choices = [("", "请选择保留的单位"), *unit_choices(units)]


class ContactsForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label="行政区划", queryset=Jurisdiction.objects.all())
    file = forms.FileField(label=".xlsx 文件", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    replace = forms.BooleanField(label="用表中的邮箱替换原有邮箱(默认追加)", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CONTACTS_MAX_BYTES:
            raise forms.ValidationError(f"文件太大:上限 {CONTACTS_MAX_BYTES // 1024 // 1024} MB")
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 文件")
        return upload


class BulkAcceptForm(forms.Form):
    min_score = forms.FloatField(label="得分不低于", min_value=0, max_value=10, initial=0.5)
    max_rank = forms.TypedChoiceField(
        label="每项采纳",
        coerce=int,
        choices=[(1, "只采纳第一名"), (2, "前两名"), (3, "前三名"), (0, "全部达标建议")],
        initial=1,
    )


class AcceptForm(forms.Form):
    """Accept a proposal as is, or edited: another unit (typed, with a datalist of the jurisdiction's
    units: light on a page of many proposals) and/or another role."""

    unit_name = forms.CharField(label="改为单位", max_length=160, required=False)
    role = forms.ChoiceField(
        label="角色",
        required=False,
        choices=[("", "按建议"), ("lead", "牵头单位"), ("cooperating", "配合单位"), ("responsible", "责任单位")],
    )
