"""Console API for document import, mounted at /api/console/ (planner/urls.py)."""

from django.urls import path

from tasks_app.api import imports

urlpatterns = [
    path("imports/", imports.import_jobs, name="api-console-imports"),
    path("imports/<str:pk>/", imports.import_job, name="api-console-import"),
    path("imports/<str:pk>/confirm/", imports.import_job_confirm, name="api-console-import-confirm"),
    path("imports/<str:pk>/discard/", imports.import_job_discard, name="api-console-import-discard"),
]
