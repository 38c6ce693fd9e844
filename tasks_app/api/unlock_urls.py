"""Console API of cycle unlocks, mounted at /api/console/ (planner/urls.py); its permission matrix is
tests/console/test_cycle_unlocks.py."""

from django.urls import path

from tasks_app.api import unlocks

urlpatterns = [
    path("cycles/<str:pk>/unlock/", unlocks.cycle_unlocks_api, name="api-console-cycle-unlocks"),
    path(
        "cycles/<str:pk>/unlock/<str:unlock_pk>/revoke/",
        unlocks.cycle_unlock_revoke_api,
        name="api-console-cycle-unlock-revoke",
    ),
]
