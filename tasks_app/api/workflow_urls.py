"""Console API of the assignment workflow (督办), mounted at /api/console/ (planner/urls.py); its permission matrix is
tests/workflow/test_faces.py."""

from django.urls import path

from tasks_app.api import workflow

urlpatterns = [
    path("workflow/", workflow.console_workflow, name="api-console-workflow"),
    path("workflow/<str:pk>/decide/", workflow.console_workflow_decide, name="api-console-workflow-decide"),
    path("items/<str:pk>/close/", workflow.console_item_close, name="api-console-item-close"),
    path("items/<str:pk>/reopen/", workflow.console_item_reopen, name="api-console-item-reopen"),
]
