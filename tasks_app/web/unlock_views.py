"""The console's 为单位解锁 / 撤销 on a closed cycle (/console/cycles/): services/cycle_unlocks.py does the work."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tasks_app.capabilities import Capability
from tasks_app.permissions import requires
from tasks_app.rules.text import date_from_text
from tasks_app.selectors.cycle_unlocks import cycle_unlock_or_404
from tasks_app.services.cycle_unlocks import UnlockError, cycle_unlock_for_unit, cycle_unlock_revoke
from tasks_app.web.console_views import _back, _cycle_or_404


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_POST
def cycle_unlock_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle_or_404(request, cycle_id)
    until = date_from_text(request.POST.get("until", ""))
    raw_unit = request.POST.get("unit", "")
    if until is None or not raw_unit.isdigit():
        messages.error(request, "请选择单位并填写有效的解锁截止日期(年-月-日)")
        return redirect(_back(request, reverse("console-cycles")))
    try:
        unlock = cycle_unlock_for_unit(
            user=request.user, cycle=cycle, unit_id=int(raw_unit), until=until, reason=request.POST.get("reason", "")
        )
    except UnlockError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已为{unlock.unit.name}解锁{cycle.label},可修改至 {until:%Y-%m-%d}")
    return redirect(_back(request, reverse("console-cycles")))


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_POST
def cycle_unlock_revoke_view(request: HttpRequest, cycle_id: int, unlock_id: int) -> HttpResponse:
    cycle = _cycle_or_404(request, cycle_id)
    unlock = cycle_unlock_or_404(cycle, unlock_id)
    try:
        cycle_unlock_revoke(user=request.user, unlock=unlock)
    except UnlockError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已撤销{unlock.unit.name}的{cycle.label}解锁")
    return redirect(_back(request, reverse("console-cycles")))
