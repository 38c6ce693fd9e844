"""The planning-office console, mounted at /console/ (planner/urls.py)."""

from django.urls import path

from tasks_app.web import console_views as views
from tasks_app.web import (
    export_views,
    monitoring_views,
    outbox_views,
    scoring_views,
    supervision_views,
    unlock_views,
    workflow_views,
)

urlpatterns = [
    path("", views.console_home, name="console"),
    path("cycles/", views.cycles, name="console-cycles"),
    path("cycles/<int:cycle_id>/open/", views.cycle_open_view, name="console-cycle-open"),
    path("cycles/<int:cycle_id>/close/", views.cycle_close_view, name="console-cycle-close"),
    path("cycles/<int:cycle_id>/due/", views.cycle_due_view, name="console-cycle-due"),
    path("cycles/<int:cycle_id>/unlock/", unlock_views.cycle_unlock_view, name="console-cycle-unlock"),
    path(
        "cycles/<int:cycle_id>/unlock/<int:unlock_id>/revoke/",
        unlock_views.cycle_unlock_revoke_view,
        name="console-cycle-unlock-revoke",
    ),
    path("plans/<int:plan_id>/cadence/", views.plan_cadence_view, name="console-plan-cadence"),
    path("plans/<int:plan_id>/light-window/", views.plan_light_window_view, name="console-plan-light-window"),
    path("review/", views.review_queue, name="console-review"),
    path("review/bulk-approve/", views.review_bulk_approve, name="console-review-bulk"),
    path("review/<int:report_id>/", views.review_detail, name="console-review-detail"),
    path("review/<int:report_id>/approve/", views.review_approve, name="console-review-approve"),
    path("review/<int:report_id>/return/", views.review_return, name="console-review-return"),
    path("dashboard/", views.dashboard, name="console-dashboard"),
    path("scoring/", scoring_views.scoring, name="console-scoring"),
    path("workflow/", workflow_views.workflow_page, name="console-workflow"),
    path("workflow/<int:request_id>/decide/", workflow_views.workflow_decide, name="console-workflow-decide"),
    path("items/<int:item_id>/close/", workflow_views.item_close_view, name="console-item-close"),
    path("items/<int:item_id>/reopen/", workflow_views.item_reopen_view, name="console-item-reopen"),
    path("monitoring/", monitoring_views.monitoring, name="console-monitoring"),
    path(
        "monitoring/indicators/<int:item_id>/",
        monitoring_views.monitoring_indicator,
        name="console-monitoring-indicator",
    ),
    path(
        "monitoring/indicators/<int:item_id>/actual/",
        monitoring_views.monitoring_actual,
        name="console-monitoring-actual",
    ),
    path(
        "monitoring/indicators/<int:item_id>/target/",
        monitoring_views.monitoring_target,
        name="console-monitoring-target",
    ),
    path(
        "monitoring/plans/<int:plan_id>/tolerance/",
        monitoring_views.monitoring_tolerance,
        name="console-monitoring-tolerance",
    ),
    path("monitoring/report-text/", monitoring_views.evaluation_text, name="console-evaluation-text"),
    path("outbox/", outbox_views.outbox, name="console-outbox"),
    path("outbox/preview/", outbox_views.outbox_preview, name="console-outbox-preview"),
    path("outbox/send/", outbox_views.outbox_send_now, name="console-outbox-send"),
    path("outbox/<int:message_id>/retry/", outbox_views.outbox_retry, name="console-outbox-retry"),
    path("supervision/", supervision_views.supervision_list, name="console-supervision-list"),
    path(
        "supervision/<int:cycle_id>/<int:unit_id>/",
        supervision_views.supervision_detail,
        name="console-supervision",
    ),
    path(
        "supervision/<int:cycle_id>/<int:unit_id>/docx/",
        supervision_views.supervision_export,
        name="console-supervision-docx",
    ),
    path("exports/", export_views.exports, name="console-exports"),
    path("exports/direct/", export_views.export_direct, name="console-export-direct"),
    path("exports/<int:job_id>/", export_views.export_job, name="console-export-job"),
    path("exports/<int:job_id>/status/", export_views.export_job_status, name="console-export-status"),
    path("exports/<int:job_id>/download/", export_views.export_job_download, name="console-export-download"),
]
