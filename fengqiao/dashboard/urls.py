from django.urls import path

from fengqiao.dashboard import views

app_name = "dashboard"
urlpatterns: list = [
    path("", views.screen, name="screen"),
]
