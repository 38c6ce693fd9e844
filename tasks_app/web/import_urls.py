"""Console URLs for document import (mounted under console/ in planner/urls.py)."""

from django.urls import path

from tasks_app.web import import_views as views

urlpatterns = [
    path("imports/", views.imports, name="console-imports"),
    path("imports/<int:job_id>/", views.import_job, name="console-import"),
    path("imports/<int:job_id>/status/", views.import_job_status, name="console-import-status"),
    path("imports/<int:job_id>/confirm/", views.import_job_confirm_view, name="console-import-confirm"),
    path("imports/<int:job_id>/discard/", views.import_job_discard_view, name="console-import-discard"),
]
