"""The state of a login beyond Django's user: whether its first password still has to be changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccountState(models.Model):
    """One row per login an office admin created (``services/accounts.staff_account_create``).

    While ``must_change_password`` is set the user reaches nothing but the password-change page
    (``middleware.PasswordChangeRequiredMiddleware``) and the token endpoint refuses them; Django's own
    password change clears it (``signals``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_state")
    must_change_password = models.BooleanField("首次登录须修改密码", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    password_changed_at = models.DateTimeField("修改密码时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "账号状态"

    def __str__(self) -> str:
        return f"{self.user} · {'待修改初始密码' if self.must_change_password else '正常'}"
