"""Console API for the division, mounted at /api/console/ (planner/urls.py): suggestions, merges, units."""

from django.urls import path

from tasks_app.api import division

urlpatterns = [
    path("suggestions/", division.suggestions_list, name="api-console-suggestions"),
    path("suggestions/generate/", division.suggestions_generate_api, name="api-console-suggestions-generate"),
    path("suggestions/accept-above/", division.suggestions_accept_above_api, name="api-console-suggestions-bulk"),
    path("suggestions/<str:pk>/accept/", division.suggestion_accept_api, name="api-console-suggestion-accept"),
    path("suggestions/<str:pk>/reject/", division.suggestion_reject_api, name="api-console-suggestion-reject"),
    path("units/<str:pk>/merge/", division.unit_merge_api, name="api-console-unit-merge"),
    path("items/<str:pk>/assignments/", division.item_assignments_api, name="api-console-item-assignments"),
]
