"""督办单 in the console: the units of a cycle with overdue items (/console/supervision/), one unit's printable
notice (/console/supervision/<cycle>/<unit>/) and its Word export (…/docx/). Reads only (VIEW_CONSOLE): the
notice is what the last overdue reminder step mails to the office (docs/reminders.md)."""

from __future__ import annotations

from io import BytesIO

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tasks_app.capabilities import Capability
from tasks_app.exporters.supervision import supervision_docx, supervision_filename, supervision_lead, supervision_sender
from tasks_app.permissions import requires
from tasks_app.selectors.console import console_cycle, console_cycles
from tasks_app.selectors.defaults import default_cycle_for
from tasks_app.selectors.supervision import supervision_notice, supervision_units
from tasks_app.web.outbox_views import _unit_id

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@requires(Capability.VIEW_CONSOLE)
@require_GET
def supervision_list(request: HttpRequest) -> HttpResponse:
    chosen = _unit_id(request.GET.get("cycle"))
    cycle = console_cycle(request.user, chosen) if chosen else default_cycle_for(request.user)
    units = supervision_units(cycle) if cycle is not None else []
    context = {
        "cycles": console_cycles(request.user),
        "cycle": cycle,
        "units": units,
        "overdue_days": max(0, (timezone.localdate() - cycle.due_date).days) if cycle else 0,
    }
    return render(request, "tasks_app/console/supervision_list.html", context)


@requires(Capability.VIEW_CONSOLE)
@require_GET
def supervision_detail(request: HttpRequest, cycle_id: int, unit_id: int) -> HttpResponse:
    notice = supervision_notice(request.user, cycle_id=cycle_id, unit_id=unit_id)
    context = {"notice": notice, "lead": supervision_lead(notice), "sender": supervision_sender(notice)}
    return render(request, "tasks_app/console/supervision.html", context)


@requires(Capability.VIEW_CONSOLE)
@require_GET
def supervision_export(request: HttpRequest, cycle_id: int, unit_id: int) -> FileResponse:
    """The Word file: a read that stores nothing, like the console's direct exports."""
    notice = supervision_notice(request.user, cycle_id=cycle_id, unit_id=unit_id)
    body = BytesIO(supervision_docx(notice))
    return FileResponse(body, as_attachment=True, filename=supervision_filename(notice), content_type=DOCX)
