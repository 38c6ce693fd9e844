from django.urls import path

from tasks_app.web import report_views, views, workflow_views

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/", views.plans, name="plans"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/report/", report_views.report_page, name="report"),
    path("items/<int:item_id>/acknowledge/", workflow_views.item_acknowledge, name="item-acknowledge"),
    path("acknowledge-all/", workflow_views.acknowledge_all, name="acknowledge-all"),
    path("items/<int:item_id>/bounce/", workflow_views.item_bounce, name="item-bounce"),
    path("items/<int:item_id>/extension/", workflow_views.item_extension, name="item-extension"),
    path("items/<int:item_id>/contribution/", report_views.contribution_page, name="contribution"),
    path(
        "reports/<int:report_id>/head-approve/",
        report_views.report_sign_off,
        {"decision": "approve"},
        name="report-head-approve",
    ),
    path(
        "reports/<int:report_id>/head-return/",
        report_views.report_sign_off,
        {"decision": "return"},
        name="report-head-return",
    ),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence-delete"),
]
