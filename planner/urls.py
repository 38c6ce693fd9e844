from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tasks_app.web import account_views, health, landing_views

admin.site.site_header = "规划纲要任务分工督办 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "系统管理(仅系统管理员)"
admin.site.has_permission = landing_views.admin_site_permission  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", landing_views.RoleLoginView.as_view(), name="login"),
    path("start/", landing_views.landing, name="landing"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", account_views.account_tokens, name="account-tokens"),
    path("accounts/password/", account_views.PasswordChange.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/console/", include("tasks_app.api.review_urls")),
    path("api/console/", include("tasks_app.api.division_urls")),
    path("api/console/", include("tasks_app.api.export_urls")),
    path("api/console/", include("tasks_app.api.import_urls")),
    path("api/console/", include("tasks_app.api.workflow_urls")),
    path("api/console/", include("tasks_app.api.unlock_urls")),
    path("api/", include("tasks_app.api.urls")),
    path("console/", include("tasks_app.web.console_urls")),
    path("console/", include("tasks_app.web.division_urls")),
    path("console/", include("tasks_app.web.import_urls")),
    path("", include("tasks_app.web.urls")),
]
