"""The signed-in user's own account pages: their API tokens (list, revoke) and their password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tasks_app.services.accounts import account_password_changed, password_change_required
from tasks_app.services.tokens import token_lifetime, token_revoke_all, tokens_of


@login_required
@require_http_methods(["GET", "POST"])
def account_tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        count = token_revoke_all(user=request.user)
        messages.success(request, f"已作废 {count} 个令牌。" if count else "您没有可作废的令牌。")
        return redirect("account-tokens")
    hours = int(token_lifetime().total_seconds() // 3600)
    return render(request, "registration/tokens.html", {"tokens": tokens_of(user=request.user), "hours": hours})


class NewPasswordForm(PasswordChangeForm):
    """Django's password change plus one rule: the new password differs from the old one (a first
    password an admin set must really be replaced)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new = cleaned.get("new_password1")
        if new and new == cleaned.get("old_password"):
            raise forms.ValidationError("新密码不能与原密码相同", code="password_unchanged")
        return cleaned


class PasswordChange(PasswordChangeView):
    """/accounts/password/: the user's own password; ends the first-password rule (AccountState)."""

    form_class = NewPasswordForm
    success_url = "/accounts/password/done/"

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        account_password_changed(user=form.user)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["first_password"] = password_change_required(self.request.user)
        return context
