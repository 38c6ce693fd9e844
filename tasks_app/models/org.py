"""Jurisdictions, units (牵头/配合/责任单位) and the people who belong to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .channels import robot_kind_field, robot_url_field


class Jurisdiction(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        DISTRICT = "district", "县(市)区"

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=20, choices=Level.choices, default=Level.CITY)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", "政府部门"
        COUNTY_GOVERNMENT = "county_government", "县(市)区政府"
        PARK_COMMITTEE = "park_committee", "园区管委会"
        ENTERPRISE = "enterprise", "企业"
        CENTRAL_AGENCY = "central_agency", "中省直单位"
        LEADING_GROUP = "leading_group", "领导小组"
        GROUP = "group", "单位群组"

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="行政区划", on_delete=models.PROTECT)
    name = models.CharField("规范名称", max_length=120)
    kind = models.CharField("类型", max_length=30, choices=Kind.choices, default=Kind.DEPARTMENT)
    needs_review = models.BooleanField(
        "待确认", default=False, help_text="导入时登记表中没有的单位名称,需规划办确认为新单位或合并到已有单位"
    )
    contact_emails = models.JSONField("联系邮箱", default=list, blank=True)
    contact_people = models.JSONField(
        "联系人", default=list, blank=True, help_text='[{"person": 姓名, "phone": 电话, "email": 邮箱}]'
    )
    webhook_url = robot_url_field("群机器人地址", "填写后,提醒同时推送到该单位的工作群(每个提醒节点一条)")
    webhook_kind = robot_kind_field()
    members = models.ManyToManyField(
        "self", verbose_name="成员单位", symmetrical=False, blank=True, related_name="groups"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["jurisdiction__name", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class UnitAlias(models.Model):
    """Another way people write a unit's name (市发改委 for 市发展改革委). Unique within a jurisdiction."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="aliases")
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="行政区划", on_delete=models.CASCADE)
    name = models.CharField("别名", max_length=160)

    class Meta:
        verbose_name = verbose_name_plural = "单位别名"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "name"], name="alias_unique_name")]

    def __str__(self) -> str:
        return self.name


class OfficeRole(models.Model):
    """A user's role outside any unit: planning office admin/reviewer or read-only leadership."""

    class Role(models.TextChoices):
        ADMIN = "admin", "规划办管理员"
        REVIEWER = "reviewer", "规划办审核员"
        LEADERSHIP = "leadership", "领导(只读)"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_role")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    # The office's scope: this jurisdiction and the ones below it (tasks_app.access.visible_jurisdictions).
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name="所属行政区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="office_roles",
        help_text="留空表示全省(全部行政区划);市级规划办同时看到所辖县(市)区",
    )

    class Meta:
        verbose_name = verbose_name_plural = "规划办角色"

    def __str__(self) -> str:
        where = self.jurisdiction.name if self.jurisdiction is not None else "全部"
        return f"{self.user} · {self.get_role_display()} · {where}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def heads(self) -> MembershipQuerySet:
        """The memberships that make a user the unit's head (单位负责人): role HEAD, active user. The one rule;
        ``selectors.unit_heads`` (who heads a unit) and ``access`` (what a head may sign off) both read it."""
        return self.filter(role=Membership.Role.HEAD, user__is_active=True)


class Membership(models.Model):
    """A user works for a unit; the unit's items are the user's scope. A head also signs off its reports."""

    class Role(models.TextChoices):
        STAFF = "staff", "填报人"
        HEAD = "head", "单位负责人"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.STAFF)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "单位成员"
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"
