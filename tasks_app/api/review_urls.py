"""Console API, mounted at /api/console/ (planner/urls.py): review actions, cycles, dashboard."""

from django.urls import path

from tasks_app.api import review

urlpatterns = [
    path("review/", review.review_queue, name="api-console-review"),
    path("reports/bulk-approve/", review.bulk_approve, name="api-console-bulk-approve"),
    path("reports/<str:pk>/approve/", review.approve, name="api-console-approve"),
    path("reports/<str:pk>/return/", review.return_, name="api-console-return"),
    path("reports/<str:pk>/history/", review.history, name="api-console-history"),
    path("cycles/<str:pk>/open/", review.cycle_open_api, name="api-console-cycle-open"),
    path("cycles/<str:pk>/close/", review.cycle_close_api, name="api-console-cycle-close"),
    path("cycles/<str:pk>/due-date/", review.cycle_due_api, name="api-console-cycle-due"),
    path("cycles/<str:pk>/dashboard/", review.cycle_dashboard, name="api-console-dashboard"),
]
