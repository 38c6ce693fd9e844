"""Console API for exports, mounted at /api/console/ (planner/urls.py)."""

from django.urls import path

from tasks_app.api import exports

urlpatterns = [
    path("exports/", exports.export_jobs, name="api-console-exports"),
    path("exports/<str:pk>/", exports.export_job, name="api-console-export"),
    path("exports/<str:pk>/download/", exports.export_download, name="api-console-export-download"),
]
