from django.urls import path

from fengqiao.org import views

app_name = "org"
urlpatterns = [
    path("grants/", views.grant_list, name="grants"),
    path("grants/<int:pk>/decide/", views.grant_decide, name="grant_decide"),
    path("grants/audit/", views.grant_audit, name="grant_audit"),
]
