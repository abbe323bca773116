from django.urls import path

from fengqiao.dashboard import data, views

app_name = "dashboard"
urlpatterns: list = [
    path("", views.screen, name="screen"),
    path("data.json", data.data, name="data"),
]
