from django.urls import path

from fengqiao.api.main import api

urlpatterns = [path("", api.urls)]
