from django.contrib.auth import views as auth_views
from django.urls import path

from fengqiao.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.FqLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.second_factor, name="2fa"),
    path("2fa/recovery/", views.recovery_codes, name="recovery"),
]
