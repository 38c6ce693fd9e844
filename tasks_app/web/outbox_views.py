"""The reminder outbox in the console (/console/outbox/): what was sent to whom, failures, a digest preview,
and "send now" for one unit. Sending goes through the same reminder service as the scheduler."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Channel, ReminderMessage
from tasks_app.models.channels import recipients_shown
from tasks_app.permissions import requires
from tasks_app.reminders.outbox import DEFERRED, outbox_deliver, outbox_requeue
from tasks_app.reminders.planner import reminders_plan
from tasks_app.reminders.service import reminders_run
from tasks_app.reminders.transports import transport_for
from tasks_app.rules.text import date_from_text
from tasks_app.selectors import outbox as outbox_reads
from tasks_app.selectors.console import console_cycles
from tasks_app.selectors.defaults import default_cycle_for

PAGE_SIZE = 50


def _unit_id(value: str | None) -> int:
    # Junk (?unit=abc) is a missing unit: 404, never a ValueError (and no cycle for ?cycle=abc).
    return int(value) if value and value.isascii() and value.isdigit() else 0


def _as_of(value: str | None) -> date:
    return date_from_text(value) or timezone.localdate()


def _cycle_filter(request: HttpRequest) -> int | None:
    """The cycle chosen (empty: every cycle); none chosen: the cycle the office works on (selectors.defaults)."""
    if "cycle" in request.GET:
        chosen = _unit_id(request.GET.get("cycle"))
        return chosen if 0 < chosen < 2**31 else None  # junk or out of range: every cycle
    default = default_cycle_for(request.user)
    return default.pk if default else None


@requires(Capability.VIEW_CONSOLE)
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    channel = request.GET.get("channel", "")
    query = request.GET.get("q", "").strip()
    cycle = _cycle_filter(request)
    rows = outbox_reads.outbox_rows(
        request.user, status=status, kind=kind, channel=channel, unit_name=query, cycle=cycle
    )
    counts = outbox_reads.outbox_counts(request.user, cycle=cycle)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in ReminderMessage.Status.choices],
        "kinds": ReminderMessage.Kind.choices,
        "status": status,
        "kind": kind,
        "channels": Channel.choices,
        "channel": channel,
        "q": query,
        "today": timezone.localdate().isoformat(),
        "open_cycles": outbox_reads.open_cycles(request.user),
        "cycles": console_cycles(request.user),
        "cycle": cycle,
    }
    return render(request, "tasks_app/console/outbox.html", context)


@requires(Capability.VIEW_CONSOLE)
@require_GET
def outbox_preview(request: HttpRequest) -> HttpResponse:
    unit = access.unit_or_404(request.user, _unit_id(request.GET.get("unit")))
    as_of = _as_of(request.GET.get("as_of"))
    planned = reminders_plan(as_of=as_of, unit_id=unit.id, plans=access.visible_plans(request.user))
    previews = [
        {
            "digest": d,
            "channel_label": Channel(d.channel).label,
            "to": ", ".join(recipients_shown(d.channel, d.recipients)),
            **transport_for(d.channel).render(digest=d, as_of=as_of),
        }
        for d in planned.digests
    ]
    context = {"unit": unit, "as_of": as_of, "previews": previews, "already": planned.already}
    return render(request, "tasks_app/console/outbox_preview.html", context)


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_OUTBOX)
@require_POST
def outbox_send_now(request: HttpRequest) -> HttpResponse:
    unit = access.unit_or_404(request.user, _unit_id(request.POST.get("unit")))
    result = reminders_run(as_of=timezone.localdate(), unit_id=unit.id, plans=access.visible_plans(request.user))
    if result.sent:
        messages.success(request, f"已向{unit.name}发送 {result.sent} 封提醒。")
    elif result.deferred:
        messages.info(
            request, f"现在是免打扰时段:给{unit.name}的 {result.deferred} 条提醒已排队,将于下一个工作日早上发送。"
        )
    elif result.failed:
        messages.error(request, f"向{unit.name}发送失败,见下方失败记录。")
    else:
        messages.info(
            request, f"{unit.name}今天没有需要发送的提醒(无待报事项、已发送过本期提醒,或既没有联系邮箱也没有群机器人)。"
        )
    return redirect(f"/console/outbox/?q={unit.name}")


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_OUTBOX)
@require_POST
def outbox_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    row = get_object_or_404(access.visible_reminders(request.user), pk=message_id)
    if outbox_requeue(message_id=row.id):  # failed, pending (waiting for a retry or a sweep), or a dead claim
        status = outbox_deliver(message_id=row.id)
        if status == DEFERRED:
            messages.info(request, "现在是免打扰时段:这条提醒已排队,将于下一个工作日早上发送。")
            return redirect("/console/outbox/")
        messages.info(
            request,
            f"已重新发送:{ReminderMessage.Status(status).label if status in ReminderMessage.Status.values else status}",
        )
    elif row.status == ReminderMessage.Status.SENDING:
        messages.error(request, "这条提醒正在发送中,请稍后刷新查看结果。")
    else:
        messages.error(request, "这条提醒已发送,不会重复发送。")
    return redirect("/console/outbox/")
