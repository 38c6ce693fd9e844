from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from tasks_app.web import views

admin.site.site_header = "规划纲要任务分工督办 · 管理后台"
admin.site.site_title = "规划督办"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
