"""Console URLs for the division (mounted under console/ in planner/urls.py)."""

from django.urls import path

from tasks_app.web import division_views as views
from tasks_app.web import staff_account_views, succession_views

urlpatterns = [
    path("division/", views.division, name="console-division"),
    path("division/items/<int:item_id>/", views.division_item, name="console-division-item"),
    path("units/", views.units, name="console-units"),
    path("units/review/", views.units_review, name="console-units-review"),
    path("units/contacts/", views.units_contacts, name="console-units-contacts"),
    path("units/successions/", succession_views.unit_successions, name="console-units-successions"),
    path("units/successions/pick/", succession_views.unit_succession_pick, name="console-units-succession-pick"),
    path("units/accounts/", staff_account_views.staff_accounts, name="console-units-accounts"),
    path("units/<int:unit_id>/", views.unit_detail, name="console-unit"),
    path("suggestions/", views.suggestions, name="console-suggestions"),
    path("audit/", views.audit, name="console-audit"),
]
