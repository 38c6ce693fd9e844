"""Web views (zh-hans). Small function views; scope decisions live in tasks_app.access."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tasks_app import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "tasks_app/home.html", {"plans": selectors.plan_overview()})
