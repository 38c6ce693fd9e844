"""The signed-in user's own account pages: their API tokens (list, revoke)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

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
