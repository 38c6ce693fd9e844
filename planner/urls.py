from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tasks_app.web import account_views, health

admin.site.site_header = "规划纲要任务分工督办 · 管理后台"
admin.site.site_title = "规划督办"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", account_views.account_tokens, name="account-tokens"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/accounts/password/done/"),
        name="password_change",
    ),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/console/", include("tasks_app.api.review_urls")),
    path("api/console/", include("tasks_app.api.division_urls")),
    path("api/console/", include("tasks_app.api.export_urls")),
    path("api/console/", include("tasks_app.api.import_urls")),
    path("api/", include("tasks_app.api.urls")),
    path("console/", include("tasks_app.web.console_urls")),
    path("console/", include("tasks_app.web.division_urls")),
    path("console/", include("tasks_app.web.import_urls")),
    path("", include("tasks_app.web.urls")),
]
