"""URLs under /api/: token, resources, OpenAPI schema and the Swagger UI (assets served locally)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from tasks_app.api import evidence, views, workflow

router = DefaultRouter()
router.include_root_view = False
router.register("tasks", views.TaskViewSet, basename="api-task")
router.register("reports", views.ReportViewSet, basename="api-report")
router.register("contributions", views.ContributionViewSet, basename="api-contribution")
router.register("cycles", views.CycleViewSet, basename="api-cycle")

urlpatterns = [
    path("auth/token/", views.token_obtain, name="api-token"),
    path("auth/tokens/", views.tokens_mine, name="api-tokens"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("reports/<str:pk>/evidence/", evidence.report_evidence, name="api-report-evidence"),
    path("tasks/acknowledge/", workflow.tasks_acknowledge_all, name="api-tasks-acknowledge-all"),
    path("tasks/<str:pk>/acknowledge/", workflow.task_acknowledge, name="api-task-acknowledge"),
    path("tasks/<str:pk>/bounce/", workflow.task_bounce, name="api-task-bounce"),
    path("tasks/<str:pk>/extension/", workflow.task_extension, name="api-task-extension"),
    path("", include(router.urls)),
]
